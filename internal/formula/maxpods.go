package formula

import (
	"errors"
	"fmt"
	"strings"

	"github.com/eksnet/eksnet/internal/cni"
	"github.com/eksnet/eksnet/internal/limits"
)

// Kubelet ceilings recommended by AWS (docs/max-pods.md "The recommended cap").
const (
	CapSmall        = 110
	CapLarge        = 250
	capLargeAboveCP = 30 // strictly more than 30 vCPUs
)

// Query is one max-pods question: the CNI as the nodes run it, and whether
// the caller wants the ENI limit rather than the recommended cap
// (--show-max-allowed). It is not a second CNI model: the CNI part is
// cni.Config itself.
type Query struct {
	cni.Config
	Uncapped bool // report the ENI limit, not min(limit, cap)
}

// DefaultQuery asks for the recommended value under the shipped CNI.
func DefaultQuery() Query { return Query{Config: cni.DefaultConfig()} }

// Result is the max pods of one instance type under one CNI configuration,
// with every intermediate number so that a reader can check it by hand.
// It is eksnet's JSON contract for `eksnet maxpods -o json`.
type Result struct {
	InstanceType              string   `json:"instanceType"`
	VCPUs                     int      `json:"vcpus"`
	MemoryMiB                 int      `json:"memoryMiB"`
	Hypervisor                string   `json:"hypervisor"`
	BareMetal                 bool     `json:"bareMetal"`
	MaxENIs                   int      `json:"maxENIs"`
	IPv4PerENI                int      `json:"ipv4PerENI"`
	Mode                      cni.Mode `json:"mode"`
	Supported                 bool     `json:"supported"`
	PodENIs                   int      `json:"podENIs"`
	SlotsPerENI               int      `json:"slotsPerENI"`
	AddressesPerSlot          int      `json:"addressesPerSlot"`
	ENILimitedPods            int      `json:"eniLimitedPods"`
	RecommendedCap            int      `json:"recommendedCap"`
	MaxPods                   int      `json:"maxPods"`
	KubeReservedMemoryMiB     int      `json:"kubeReservedMemoryMiB"`
	KubeReservedCPUMillicores int      `json:"kubeReservedCPUMillicores"`
	Formula                   string   `json:"formula"`
	Notes                     []string `json:"notes"`
	// Fallback is why Mode is not the mode asked for; Unsupported why no
	// pod can run. Both are stable codes (cni.Reason), empty when unset.
	Fallback    cni.Reason `json:"fallback,omitempty"`
	Unsupported cni.Reason `json:"unsupported,omitempty"`
}

// UnsupportedError says that an instance type cannot run the requested mode.
type UnsupportedError struct {
	InstanceType string
	Reason       cni.Reason
	Message      string // Reason rendered for the type
}

func (e *UnsupportedError) Error() string { return e.InstanceType + ": " + e.Message }

// Compute returns the max pods of inst under q (docs/max-pods.md "Formula"):
//
//	ENIs for pods × (IPv4 per ENI − 1) × (16 in prefix or IPv6 mode) + 2
//
// capped at 110 or 250 unless q.Uncapped. The ENIs for pods and the mode are
// the CNI model's (cni.Config.ENIsOn, cni.Config.On). Where the type cannot
// run the mode asked, the result is what the CNI would do, with Fallback or
// Unsupported set: prefix delegation falls back to secondary IPs; IPv6
// cannot run at all (Supported false, MaxPods 0). Strict turns those into
// errors for a single named type.
func Compute(inst limits.Instance, q Query) (Result, error) {
	if err := q.Validate(); err != nil {
		return Result{}, err
	}
	run := q.On(inst)
	r := Result{
		InstanceType: inst.Name, VCPUs: inst.VCPUs, MemoryMiB: inst.MemoryMiB,
		Hypervisor: inst.Hypervisor, BareMetal: inst.BareMetal,
		MaxENIs: inst.MaxENIs, IPv4PerENI: inst.IPv4PerENI,
		Mode: run.Mode, Supported: run.Unsupported == "", Notes: []string{},
		Fallback: run.Fallback, Unsupported: run.Unsupported,
	}
	note := func(format string, args ...any) { r.Notes = append(r.Notes, fmt.Sprintf(format, args...)) }
	for _, reason := range []cni.Reason{run.Fallback, run.Unsupported} {
		if reason != "" {
			note("%s", reason.Sentence(inst))
		}
	}

	// ENIs that carry pods, and the terms shown in the formula.
	e := q.ENIsOn(inst)
	eniTerm := fmt.Sprint(e.Usable)
	if q.IsWindows() {
		note("Windows: pods take the primary ENI's addresses alone (the VPC resource controller assigns them, not aws-node)")
		if q.PrefixDelegation && run.Fallback == "" {
			note("Windows prefix delegation is the VPC resource controller's switch, not ENABLE_PREFIX_DELEGATION: %s", cni.WindowsPrefixDelegationSwitch())
		}
	}
	if e.MaxENILimited {
		note("MAX_ENI=%d limits the node to %d of its %d ENIs", q.MaxENI, e.Usable, inst.MaxENIs)
	}
	var minus []string
	if q.CustomNetworking {
		minus = append(minus, "1")
		note("custom networking: the primary ENI carries no pods")
	}
	switch {
	case e.NoTrunk != "":
		note("%s", e.NoTrunk.Sentence(inst))
	case e.TrunkUnknown:
		minus = append(minus, "1")
		note("security groups for pods: whether this type supports trunking is unknown (no EC2 API reports it); the trunk ENI is counted, which gives the lower, safe value")
	case e.Trunk:
		minus = append(minus, "1")
		note("security groups for pods: the trunk ENI takes one ENI")
	}
	if len(minus) > 0 {
		eniTerm = "(" + eniTerm + " − " + strings.Join(minus, " − ") + ")"
	}
	if raw := e.Usable - len(minus); raw < e.ForPods {
		// MAX_ENI leaves only the primary ENI, which keeps its pods beside the trunk.
		eniTerm = fmt.Sprint(e.ForPods)
		note("security groups for pods: MAX_ENI=%d leaves the primary ENI alone for pods; the trunk ENI attaches beside it", q.MaxENI)
	}
	r.PodENIs = e.ForPods
	if e.ForPods == 0 {
		note("no ENI is left for pods: only host-network pods (aws-node, kube-proxy) can run")
	}

	r.SlotsPerENI = inst.IPv4PerENI - 1 // the ENI's primary address never goes to a pod
	r.AddressesPerSlot = 1
	perSlot := ""
	if r.Mode == cni.ModePrefixDelegation || r.Mode == cni.ModeIPv6 {
		r.AddressesPerSlot = cni.AddressesPerPrefix // one /28 prefix per slot
		perSlot = " × 16"
	}
	if r.Mode == cni.ModeIPv6 && r.Supported {
		note("IPv6: pods take addresses from the node's /80; AWS recommends the prefix-delegation value, capped")
	}
	host := q.HostNetworkPodsOn()
	r.ENILimitedPods = e.ForPods*r.SlotsPerENI*r.AddressesPerSlot + host
	hostTerm := ""
	if host > 0 {
		hostTerm = fmt.Sprintf(" + %d", host)
	}
	r.Formula = fmt.Sprintf("%s × (%d − 1)%s%s = %d", eniTerm, inst.IPv4PerENI, perSlot, hostTerm, r.ENILimitedPods)

	r.RecommendedCap = RecommendedCap(inst.VCPUs)
	if inst.VCPUs == 0 {
		note("vCPU count unknown: the 110 cap is assumed")
	}
	r.MaxPods = min(r.ENILimitedPods, r.RecommendedCap)
	if q.Uncapped {
		r.MaxPods = r.ENILimitedPods
	}
	if !r.Supported {
		r.MaxPods = 0
	}
	r.KubeReservedMemoryMiB = KubeReservedMemoryMiB(r.MaxPods)
	r.KubeReservedCPUMillicores = KubeReservedCPUMillicores(inst.VCPUs)
	return r, nil
}

// Strict turns a result the type cannot deliver as asked into an error, for
// when the user named that one type: falling back would be a guess.
func Strict(r Result) error {
	reason := r.Unsupported
	if reason == "" {
		reason = r.Fallback
	}
	if reason == "" {
		return nil
	}
	return &UnsupportedError{InstanceType: r.InstanceType, Reason: reason,
		Message: reason.Sentence(limits.Instance{Hypervisor: r.Hypervisor})}
}

// RecommendedCap is AWS's kubelet ceiling: 250 above 30 vCPUs, else 110 (docs/max-pods.md).
func RecommendedCap(vcpus int) int {
	if vcpus > capLargeAboveCP {
		return CapLarge
	}
	return CapSmall
}

// KubeReservedMemoryMiB is the kubelet's reserved memory for a max pods
// value: 11 MiB per pod plus 255 MiB (docs/max-pods.md, as AL2 and nodeadm compute it).
func KubeReservedMemoryMiB(maxPods int) int { return 11*maxPods + 255 }

// EvictionHardMemoryMiB is the kubelet's evictionHard memory.available on
// the EKS AMIs (AL2's bootstrap.sh and nodeadm write 100Mi;
// docs/max-pods.md): allocatable memory is capacity minus kube-reserved
// minus this.
const EvictionHardMemoryMiB = 100

// KubeReservedCPUMillicores is the kubelet's reserved CPU: 6% of the first
// core, 1% of the second, 0.5% of cores 3-4 and 0.25% of the rest (docs/max-pods.md),
// each range rounded down to whole millicores as nodeadm's integer code does.
func KubeReservedCPUMillicores(vcpus int) int {
	total := vcpus * 1000
	ranges := []struct{ start, end, basisPoints int }{
		{0, 1000, 600}, {1000, 2000, 100}, {2000, 4000, 50}, {4000, total, 25},
	}
	reserved := 0
	for _, r := range ranges {
		if total > r.start {
			reserved += (min(total, r.end) - r.start) * r.basisPoints / 100 / 100
		}
	}
	return reserved
}

// NodeGroupValue is one max pods for a group of mixed types: the smallest,
// as EKS managed node groups apply it (docs/max-pods.md), and the type that sets it.
type NodeGroupValue struct {
	MaxPods               int      `json:"maxPods"`
	SetBy                 string   `json:"setBy"`
	KubeReservedMemoryMiB int      `json:"kubeReservedMemoryMiB"`
	InstanceTypes         []Result `json:"instanceTypes"`
}

// NodeGroup is the one max pods of a group of mixed types: the smallest
// among the types that can run the mode, the first on a tie, as EKS managed
// node groups apply it (docs/max-pods.md). It fails if none can.
func NodeGroup(results []Result) (NodeGroupValue, error) {
	group := NodeGroupValue{InstanceTypes: results}
	found := false
	for _, r := range results {
		if r.Supported && (!found || r.MaxPods < group.MaxPods) {
			group.MaxPods, group.SetBy, found = r.MaxPods, r.InstanceType, true
		}
	}
	if len(results) == 0 {
		return NodeGroupValue{}, errors.New("no instance type in the node group")
	}
	if !found {
		// Only IPv6 leaves a type unsupported (Compute).
		names := make([]string, 0, 4)
		for i, r := range results {
			if i == 3 {
				names = append(names, fmt.Sprintf("... %d types", len(results)))
				break
			}
			names = append(names, r.InstanceType)
		}
		return NodeGroupValue{}, fmt.Errorf("no instance type in the node group (%s) can run %s pods: the VPC CNI needs Nitro or bare metal with IPv6", strings.Join(names, ", "), results[0].Mode)
	}
	group.KubeReservedMemoryMiB = KubeReservedMemoryMiB(group.MaxPods)
	return group, nil
}
