// Package formula computes the maximum number of pods a node can run, and the
// kubelet reservations that follow from it, for every VPC CNI mode.
//
// Every rule here is from maxpods.md; the package is pure: no I/O, no globals
// that change, no AWS SDK.
package formula

import (
	"errors"
	"fmt"
	"strings"

	"github.com/eksnet/eksnet/internal/enum"
	"github.com/eksnet/eksnet/internal/limits"
)

// Mode is how the VPC CNI hands addresses to pods on a node.
type Mode string

const (
	ModeSecondaryIP      Mode = "secondary-ip"
	ModePrefixDelegation Mode = "prefix-delegation"
	ModeIPv6             Mode = "ipv6"
)

// IPFamily is the cluster's pod address family.
type IPFamily string

const (
	IPv4 IPFamily = "ipv4"
	IPv6 IPFamily = "ipv6"
)

// IPFamilies are the cluster IP families the VPC CNI runs (maxpods.md).
var IPFamilies = []IPFamily{IPv4, IPv6}

// ParseIPFamily reads --ip-family: ipv4 or ipv6, in any case (enum.Parse).
func ParseIPFamily(s string) (IPFamily, error) { return enum.Parse("IP family", s, IPFamilies) }

// Kubelet ceilings recommended by AWS (maxpods.md "cap").
const (
	CapSmall        = 110
	CapLarge        = 250
	capLargeAboveCP = 30 // strictly more than 30 vCPUs
	hostNetworkPods = 2  // aws-node and kube-proxy use the host network
	addressesPer28  = 16
)

// CNIConfig is how the VPC CNI is set up on the nodes, plus whether the
// caller wants the ENI-limited value rather than the recommended cap.
type CNIConfig struct {
	Version               Version
	PrefixDelegation      bool     // ENABLE_PREFIX_DELEGATION
	CustomNetworking      bool     // AWS_VPC_K8S_CNI_CUSTOM_NETWORK_CFG
	SecurityGroupsForPods bool     // ENABLE_POD_ENI
	IPFamily              IPFamily // "" means ipv4
	MaxENI                int      // MAX_ENI; 0 means unset
	Uncapped              bool     // report the ENI limit, not min(limit, cap) (--show-max-allowed)
}

// DefaultCNIConfig is the CNI as shipped (maxpods.md): the newest release
// eksnet knows, secondary IPs, IPv4, every ENI, the recommended cap.
func DefaultCNIConfig() CNIConfig {
	return CNIConfig{Version: LatestCNIVersion, IPFamily: IPv4}
}

// Validate rejects settings that no instance type can run, one line each
// (maxpods.md): MAX_ENI below 1, IPv6 with custom networking or before CNI
// 1.10.1, prefix delegation before CNI 1.9.0.
func (c CNIConfig) Validate() error {
	if c.MaxENI < 0 {
		return fmt.Errorf("invalid MAX_ENI %d: must be at least 1", c.MaxENI)
	}
	switch c.IPFamily {
	case "", IPv4:
	case IPv6:
		if c.CustomNetworking {
			return errors.New("custom networking cannot be combined with IPv6: the VPC CNI refuses to start with both")
		}
		if !c.Version.AtLeast(IPv6Since) {
			return fmt.Errorf("IPv6 needs VPC CNI %s or later, not %s", IPv6Since, c.Version)
		}
	default:
		return fmt.Errorf("invalid IP family %q: want %s", c.IPFamily, enum.List(IPFamilies))
	}
	if c.PrefixDelegation && !c.Version.AtLeast(PrefixDelegationSince) {
		return fmt.Errorf("prefix delegation needs VPC CNI %s or later, not %s", PrefixDelegationSince, c.Version)
	}
	return nil
}

// ValidateMaxENI checks a MAX_ENI given by the user: at least 1 (maxpods.md;
// 0 is not "unset" there).
func ValidateMaxENI(n int) error {
	if n < 1 {
		return fmt.Errorf("invalid --max-eni %d: must be at least 1", n)
	}
	return nil
}

// requestedMode is the mode the configuration asks for, before per-type checks.
func (c CNIConfig) requestedMode() Mode {
	switch {
	case c.IPFamily == IPv6:
		return ModeIPv6
	case c.PrefixDelegation:
		return ModePrefixDelegation
	}
	return ModeSecondaryIP
}

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
	Mode                      Mode     `json:"mode"`
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
}

// UnsupportedError says that an instance type cannot run the requested mode.
type UnsupportedError struct {
	InstanceType string
	Reason       string
}

func (e *UnsupportedError) Error() string { return e.InstanceType + ": " + e.Reason }

// Compute returns the max pods of inst under cfg (maxpods.md "Formulas").
//
// Where the type cannot run the requested mode, the result is what the CNI
// would do, with a note: prefix delegation falls back to secondary IPs; IPv6
// cannot run at all (Supported false, MaxPods 0). Strict callers, such as a
// single named type, turn those cases into errors with Strict.
func Compute(inst limits.Instance, cfg CNIConfig) (Result, error) {
	if err := cfg.Validate(); err != nil {
		return Result{}, err
	}
	r := Result{
		InstanceType: inst.Name, VCPUs: inst.VCPUs, MemoryMiB: inst.MemoryMiB,
		Hypervisor: inst.Hypervisor, BareMetal: inst.BareMetal,
		MaxENIs: inst.MaxENIs, IPv4PerENI: inst.IPv4PerENI,
		Mode: cfg.requestedMode(), Supported: true, Notes: []string{},
	}
	note := func(format string, args ...any) { r.Notes = append(r.Notes, fmt.Sprintf(format, args...)) }

	// The CNI's own test for prefixes and IPv6: Nitro or bare metal.
	switch r.Mode {
	case ModePrefixDelegation:
		if !inst.NitroOrBareMetal() {
			r.Mode = ModeSecondaryIP
			note("prefix delegation unsupported (needs Nitro or bare metal, hypervisor is %s): the CNI falls back to secondary IPs", inst.HypervisorName())
		}
	case ModeIPv6:
		if !inst.RunsIPv6() {
			r.Supported = false
			note("IPv6 unsupported (needs Nitro or bare metal with IPv6, hypervisor is %s): the CNI cannot run pods on this type", inst.HypervisorName())
		}
	}

	// ENIs that carry pods, and the terms shown in the formula.
	enis := inst.MaxENIs
	eniTerm := fmt.Sprint(enis)
	if cfg.MaxENI > 0 && cfg.MaxENI < enis {
		enis = cfg.MaxENI
		eniTerm = fmt.Sprint(enis)
		note("MAX_ENI=%d limits the node to %d of its %d ENIs", cfg.MaxENI, enis, inst.MaxENIs)
	}
	var minus []string
	if cfg.CustomNetworking {
		enis--
		minus = append(minus, "1")
		note("custom networking: the primary ENI carries no pods")
	}
	if cfg.SecurityGroupsForPods {
		switch trunking, known := inst.SupportsTrunking(); {
		case !known:
			enis--
			minus = append(minus, "1")
			note("security groups for pods: whether this type supports trunking is unknown (no EC2 API reports it); the trunk ENI is counted, which gives the lower, safe value")
		case trunking:
			enis--
			minus = append(minus, "1")
			note("security groups for pods: the trunk ENI takes one ENI")
		default:
			note("security groups for pods: this type has no trunk ENI, so it cannot run security-group pods and keeps all its ENIs")
		}
	}
	if len(minus) > 0 {
		eniTerm = "(" + eniTerm + " − " + strings.Join(minus, " − ") + ")"
	}
	if enis < 0 {
		enis = 0
	}
	r.PodENIs = enis
	if enis == 0 {
		note("no ENI is left for pods: only host-network pods (aws-node, kube-proxy) can run")
	}

	r.SlotsPerENI = inst.IPv4PerENI - 1 // the ENI's primary address never goes to a pod
	r.AddressesPerSlot = 1
	perSlot := ""
	if r.Mode == ModePrefixDelegation || r.Mode == ModeIPv6 {
		r.AddressesPerSlot = addressesPer28 // one /28 prefix per slot
		perSlot = " × 16"
	}
	if r.Mode == ModeIPv6 && r.Supported {
		note("IPv6: pods take addresses from the node's /80; AWS recommends the prefix-delegation value, capped")
	}
	r.ENILimitedPods = enis*r.SlotsPerENI*r.AddressesPerSlot + hostNetworkPods
	r.Formula = fmt.Sprintf("%s × (%d − 1)%s + 2 = %d", eniTerm, inst.IPv4PerENI, perSlot, r.ENILimitedPods)

	r.RecommendedCap = RecommendedCap(inst.VCPUs)
	if inst.VCPUs == 0 {
		note("vCPU count unknown: the 110 cap is assumed")
	}
	r.MaxPods = min(r.ENILimitedPods, r.RecommendedCap)
	if cfg.Uncapped {
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
// when the user named that one type (maxpods issue: only a single named type
// that cannot run the mode is an error); falling back would be a guess.
func Strict(r Result, cfg CNIConfig) error {
	if !r.Supported || r.Mode != cfg.requestedMode() {
		return &UnsupportedError{InstanceType: r.InstanceType, Reason: r.Notes[0]}
	}
	return nil
}

// RecommendedCap is AWS's kubelet ceiling: 250 above 30 vCPUs, else 110 (maxpods.md).
func RecommendedCap(vcpus int) int {
	if vcpus > capLargeAboveCP {
		return CapLarge
	}
	return CapSmall
}

// KubeReservedMemoryMiB is the kubelet's reserved memory for a max pods
// value: 11 MiB per pod plus 255 MiB (maxpods.md, as AL2 and nodeadm compute it).
func KubeReservedMemoryMiB(maxPods int) int { return 11*maxPods + 255 }

// KubeReservedCPUMillicores is the kubelet's reserved CPU: 6% of the first
// core, 1% of the second, 0.5% of cores 3-4 and 0.25% of the rest (maxpods.md),
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
// as EKS managed node groups apply it (maxpods.md), and the type that sets it.
type NodeGroupValue struct {
	MaxPods               int      `json:"maxPods"`
	SetBy                 string   `json:"setBy"`
	KubeReservedMemoryMiB int      `json:"kubeReservedMemoryMiB"`
	InstanceTypes         []Result `json:"instanceTypes"`
}

// NodeGroup is the one max pods of a group of mixed types: the smallest
// among the types that can run the mode, the first on a tie, as EKS managed
// node groups apply it (maxpods.md). It fails if none can.
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
