package audit

import (
	"cmp"
	"errors"
	"fmt"
	"maps"
	"net/netip"
	"slices"

	"github.com/eksnet/eksnet/internal/cni"
	"github.com/eksnet/eksnet/internal/formula"
	"github.com/eksnet/eksnet/internal/ipam"
	"github.com/eksnet/eksnet/internal/kube"
	"github.com/eksnet/eksnet/internal/limits"
	"github.com/eksnet/eksnet/internal/prose"
	"github.com/eksnet/eksnet/internal/subnet"
	"github.com/eksnet/eksnet/internal/vpc"
)

// Input is what a cluster runs, decoded. Subnets and ENIs are optional:
// without them the subnet findings that need them are not computed, and
// Report.Skipped says which.
type Input struct {
	CNI cni.Config
	// WindowsCNI is the Windows nodes' configuration, from the
	// amazon-vpc-cni ConfigMap (kube.WindowsCNI); nil for the VPC resource
	// controller's defaults.
	WindowsCNI *cni.Config
	Table      *limits.Table
	Nodes      []kube.Node
	ENIConfigs []kube.ENIConfig
	Subnets    []subnet.Existing
	ENIs       []subnet.ENI
	// Growth is how the node count grows per month, for the month a
	// subnet runs out (the zero Growth: none).
	Growth subnet.Growth
	// Pods counts the pods per node name (kube.ParsePods).
	Pods map[string]kube.PodCounts
	// HasENIConfigs, HasSubnets, HasENIs and HasPods say which files were
	// given: an empty list is a finding, a missing one is not.
	HasENIConfigs, HasSubnets, HasENIs, HasPods bool
}

// Report is the audit's result: the findings, most severe first, and the
// figures they were computed from.
type Report struct {
	CNI      cni.Config      `json:"cni"`
	Findings []Finding       `json:"findings"`
	Nodes    []NodeFigures   `json:"nodes"`
	Subnets  []SubnetFigures `json:"subnets"`
	Summary  Summary         `json:"summary"`
	// Skipped names the checks that need an input that was not given.
	Skipped []Skipped `json:"skipped"`
}

// Source is one of the audit's inputs.
type Source string

// The inputs a check may need beyond the nodes and the DaemonSet.
const (
	SourceSubnets Source = "subnets" // describe-subnets
	SourceENIs    Source = "enis"    // describe-network-interfaces
	SourcePods    Source = "pods"    // kubectl get pods
)

// Skipped is a check that did not run, and the inputs it needs.
type Skipped struct {
	Kind  Kind     `json:"kind"`
	Needs []Source `json:"needs"`
}

// Summary counts the findings by severity.
type Summary struct {
	Nodes    int `json:"nodes"`
	Subnets  int `json:"subnets"`
	Errors   int `json:"errors"`
	Warnings int `json:"warnings"`
	Infos    int `json:"infos"`
}

// NodeFigures is one node as the audit sees it.
type NodeFigures struct {
	Name         string `json:"name"`
	InstanceType string `json:"instanceType"`
	Zone         string `json:"zone"`
	OS           string `json:"os"`
	// CapacityPods is the kubelet's max pods; ENILimitedPods what the ENIs
	// give under the CNI settings; RecommendedMaxPods that capped at 110
	// or 250 (0 for an unknown type).
	CapacityPods       int      `json:"capacityPods"`
	ENILimitedPods     int      `json:"eniLimitedPods"`
	RecommendedMaxPods int      `json:"recommendedMaxPods"`
	Mode               cni.Mode `json:"mode,omitempty"`
	// KubeReservedMemoryMiB is what allocatable memory implies (capacity −
	// allocatable − the eviction threshold); ExpectedKubeReservedMemoryMiB
	// is 11 × capacityPods + 255.
	KubeReservedMemoryMiB         int `json:"kubeReservedMemoryMiB"`
	ExpectedKubeReservedMemoryMiB int `json:"expectedKubeReservedMemoryMiB"`
	// NodeSubnet and PodSubnet are the subnets its primary ENI and its
	// pods' addresses come from (the same without custom networking).
	NodeSubnet string `json:"nodeSubnet,omitempty"`
	PodSubnet  string `json:"podSubnet,omitempty"`
	// DiscoveredSubnets are its zone's subnets tagged kubernetes.io/role/cni
	// that subnet discovery creates its secondary ENIs in (PodSubnet is the
	// first); their demand is shared evenly, as ipamd fills the one with
	// the most free addresses (docs/node-addresses.md "Subnet discovery").
	DiscoveredSubnets []string `json:"discoveredSubnets,omitempty"`
	// ENIs, HeldAddresses (primaries and secondaries) and HeldPrefixes are
	// what it holds now, from the ENIs file.
	ENIs          int `json:"enis"`
	HeldAddresses int `json:"heldAddresses"`
	HeldPrefixes  int `json:"heldPrefixes"`
	// PoolPods is the pods with a pool address (the pods file), and
	// UnusedPoolAddresses the pool addresses it holds that no pod uses
	// (ENIs and pods files).
	PoolPods            int `json:"poolPods"`
	UnusedPoolAddresses int `json:"unusedPoolAddresses"`
}

// SubnetFigures is one subnet's supply against its nodes' demand.
type SubnetFigures struct {
	ID        string `json:"subnetId"`
	AZ        string `json:"availabilityZone"`
	CIDR      string `json:"cidr"`
	Available int    `json:"availableAddresses"`
	Nodes     int    `json:"nodes"`
	// DemandAddresses and DemandBlocks are everything its nodes take at
	// max pods, as ipamd holds it (warm pool included): single addresses,
	// and /28 blocks in prefix mode. When HeldKnown (ENIs file or --live),
	// MoreAddresses and MoreBlocks are what they would take beyond what
	// they hold now.
	DemandAddresses int  `json:"demandAddresses"`
	DemandBlocks    int  `json:"demandBlocks"`
	HeldKnown       bool `json:"heldKnown"`
	MoreAddresses   int  `json:"moreAddresses"`
	MoreBlocks      int  `json:"moreBlocks"`
	// FreeBlocks is the aligned, fully free /28 blocks left (ENIs file
	// needed; -1 when unknown).
	FreeBlocks int `json:"freeBlocks"`
	// RunsOutMonth is the first month, at Input.Growth, its nodes at max
	// pods no longer fit (0: not within ten years, or no growth given).
	RunsOutMonth int `json:"runsOutMonth,omitempty"`
	// UnusedPoolAddresses is what its nodes hold in their warm pools beyond
	// their pods; Freeable how many of those the suggested WARM_IP_TARGET
	// and MINIMUM_IP_TARGET would return (ENIs and pods files).
	UnusedPoolAddresses      int `json:"unusedPoolAddresses"`
	Freeable                 int `json:"freeableAddresses"`
	SuggestedWarmIPTarget    int `json:"suggestedWarmIPTarget,omitempty"`
	SuggestedMinimumIPTarget int `json:"suggestedMinimumIPTarget,omitempty"`
}

// Run audits in. An error is bad input (an ENIConfig file missing where
// custom networking needs it, a CNI configuration that does not validate);
// what the cluster does wrong is findings.
func Run(in Input) (*Report, error) {
	if err := in.CNI.Validate(); err != nil {
		return nil, err
	}
	if !in.Growth.IsZero() && !in.Growth.Monthly() {
		return nil, fmt.Errorf("invalid growth %s: the month a subnet runs out needs growth per month, such as 5%%/month or +10/month", in.Growth)
	}
	if in.Table == nil {
		return nil, errors.New("audit: no instance table")
	}
	if in.CNI.CustomNetworking && !in.HasENIConfigs {
		return nil, errors.New("the aws-node DaemonSet runs custom networking: give --eniconfigs (kubectl get eniconfigs -o json) to audit the ENIConfigs")
	}
	a := &auditor{in: in, report: &Report{CNI: in.CNI, Findings: []Finding{}, Nodes: []NodeFigures{}, Subnets: []SubnetFigures{}, Skipped: []Skipped{}}}
	a.index()
	a.nodes()
	a.eniConfigs()
	a.subnets()
	r := a.report
	slices.SortStableFunc(r.Findings, func(x, y Finding) int {
		return cmp.Or(cmp.Compare(x.Severity.Rank(), y.Severity.Rank()), cmp.Compare(x.Kind, y.Kind), cmp.Compare(x.Object, y.Object))
	})
	r.Summary.Nodes, r.Summary.Subnets = len(r.Nodes), len(r.Subnets)
	for _, f := range r.Findings {
		switch f.Severity {
		case Error:
			r.Summary.Errors++
		case Warning:
			r.Summary.Warnings++
		default:
			r.Summary.Infos++
		}
	}
	return r, nil
}

type auditor struct {
	in              Input
	report          *Report
	subnetByID      map[string]subnet.Existing
	eniConfigByName map[string]kube.ENIConfig
	enisByInst      map[string][]subnet.ENI
	enisBySub       map[string][]subnet.ENI
	// demand is what each node takes from each subnet at max pods, and
	// held what it holds there now.
	demand  map[string]subnet.Need
	more    map[string]subnet.Need
	nodesIn map[string]int
	// pools are the warm pools of each subnet's nodes, for warm-pool-excess.
	pools map[string][]pool
	// discovered are each zone's subnets tagged for subnet discovery.
	discovered map[string][]string
}

// pool is one node's warm pool as it is now.
type pool struct {
	inst           limits.Instance
	kubeletMaxPods int
	pods, held     int
}

func (a *auditor) add(kind Kind, sev Severity, object, format string, args ...any) {
	a.report.Findings = append(a.report.Findings, Finding{Kind: kind, Severity: sev, Object: object, Message: fmt.Sprintf(format, args...)})
}

func (a *auditor) skip(kind Kind, needs ...Source) {
	a.report.Skipped = append(a.report.Skipped, Skipped{Kind: kind, Needs: needs})
}

func (a *auditor) index() {
	a.subnetByID = make(map[string]subnet.Existing, len(a.in.Subnets))
	a.discovered = map[string][]string{}
	for _, s := range a.in.Subnets {
		a.subnetByID[s.ID] = s
		if s.DiscoveryTagged && s.AZ != "" {
			a.discovered[s.AZ] = append(a.discovered[s.AZ], s.ID)
		}
	}
	a.eniConfigByName = make(map[string]kube.ENIConfig, len(a.in.ENIConfigs))
	for _, c := range a.in.ENIConfigs {
		a.eniConfigByName[c.Name] = c
	}
	a.enisByInst = map[string][]subnet.ENI{}
	a.enisBySub = map[string][]subnet.ENI{}
	for _, e := range a.in.ENIs {
		if e.InstanceID != "" {
			a.enisByInst[e.InstanceID] = append(a.enisByInst[e.InstanceID], e)
		}
		a.enisBySub[e.SubnetID] = append(a.enisBySub[e.SubnetID], e)
	}
	a.demand, a.more, a.nodesIn, a.pools = map[string]subnet.Need{}, map[string]subnet.Need{}, map[string]int{}, map[string][]pool{}
}

// nodeSubnet is the subnet of the node's primary ENI: from the ENIs file,
// else the subnet whose CIDR holds the node's InternalIP.
func (a *auditor) nodeSubnet(n kube.Node) string {
	for _, e := range a.enisByInst[n.InstanceID] {
		if e.DeviceIdx == 0 {
			return e.SubnetID
		}
	}
	if n.InternalIP.IsValid() {
		for _, s := range a.in.Subnets {
			if s.CIDR.Contains(n.InternalIP) {
				return s.ID
			}
		}
	}
	return ""
}

func (a *auditor) eniConfigLabel() string {
	return cmp.Or(a.in.CNI.ENIConfigLabel, cni.DefaultENIConfigLabel)
}

func (a *auditor) nodes() {
	for _, n := range a.in.Nodes {
		fig := NodeFigures{Name: n.Name, InstanceType: n.InstanceType, Zone: n.Zone, OS: n.OS, CapacityPods: n.CapacityPods}
		obj := "node/" + n.Name
		cfg := a.in.CNI
		if n.OS == "windows" {
			// Windows pods' addresses are the VPC resource controller's, from
			// the primary ENI; aws-node's settings do not apply, but those of
			// the amazon-vpc-cni ConfigMap do, when given.
			cfg = cni.Config{Version: cfg.Version, OS: cni.Windows}
			if a.in.WindowsCNI != nil {
				cfg = *a.in.WindowsCNI
			}
		}
		fig.KubeReservedMemoryMiB = int((n.CapacityMemory-n.AllocatableMemory)>>20) - formula.EvictionHardMemoryMiB
		fig.ExpectedKubeReservedMemoryMiB = formula.KubeReservedMemoryMiB(n.CapacityPods)
		fig.NodeSubnet = a.nodeSubnet(n)
		fig.PodSubnet = fig.NodeSubnet
		switch tagged := slices.DeleteFunc(slices.Clone(a.discovered[n.Zone]), func(id string) bool { return id == fig.NodeSubnet }); {
		case cfg.CustomNetworking:
			fig.PodSubnet = a.eniConfigByName[n.Labels[a.eniConfigLabel()]].Subnet
		case len(tagged) > 0 && !cfg.IsWindows():
			cfg.DiscoveredSubnets = true
			if cfg.PodsInDiscoveredSubnets() {
				fig.PodSubnet, fig.DiscoveredSubnets = tagged[0], tagged
			}
		}
		if _, known := a.subnetByID[fig.NodeSubnet]; a.in.HasSubnets && !known {
			a.add(NodeSubnetUnknown, Info, obj, "its subnet (InternalIP %v) is not in the subnets file, so its addresses count against no subnet: give all of the VPC's subnets", n.InternalIP)
		}
		for _, e := range a.enisByInst[n.InstanceID] {
			fig.ENIs++
			fig.HeldAddresses += 1 + len(e.Secondary)
			fig.HeldPrefixes += len(e.Prefixes)
		}

		inst, known := a.in.Table.Get(n.InstanceType)
		if !known {
			a.add(UnknownInstanceType, Warning, obj, "instance type %s is not in the instance table: run eksnet limits update, or give --limits-file", n.InstanceType)
			a.report.Nodes = append(a.report.Nodes, fig)
			continue
		}
		r, err := formula.Compute(inst, formula.Query{Config: cfg})
		if err != nil || !r.Supported {
			a.report.Nodes = append(a.report.Nodes, fig)
			continue
		}
		fig.Mode, fig.ENILimitedPods, fig.RecommendedMaxPods = r.Mode, r.ENILimitedPods, r.MaxPods
		switch {
		case r.Mode != cni.ModeIPv6 && n.CapacityPods > r.ENILimitedPods:
			a.add(MaxPodsOverLimit, Error, obj, "max pods %d, but its ENIs give %d pods under the cluster's CNI settings (%s): pods past %d stay in ContainerCreating; set max pods %d (eksnet userdata %s)",
				n.CapacityPods, r.ENILimitedPods, r.Formula, r.ENILimitedPods, r.MaxPods, n.InstanceType)
		case n.CapacityPods < r.MaxPods:
			a.add(MaxPodsUnderLimit, Warning, obj, "max pods %d, but %s can run %d under the cluster's CNI settings: raise max pods to %d to use the capacity",
				n.CapacityPods, n.InstanceType, r.MaxPods, r.MaxPods)
		}
		if n.OS != "windows" && n.CapacityMemory > 0 && fig.KubeReservedMemoryMiB != fig.ExpectedKubeReservedMemoryMiB {
			sizedFor := ""
			if k := fig.KubeReservedMemoryMiB - 255; k > 0 && k%11 == 0 {
				sizedFor = fmt.Sprintf(", sized for %d pods", k/11)
			}
			a.add(KubeReservedMismatch, Warning, obj, "allocatable memory implies kube-reserved %dMi%s, not the %dMi (11 x %d + 255) its max pods %d needs: set kubeReserved memory %dMi with the max pods",
				fig.KubeReservedMemoryMiB, sizedFor, fig.ExpectedKubeReservedMemoryMiB, n.CapacityPods, n.CapacityPods, fig.ExpectedKubeReservedMemoryMiB)
		}
		a.countDemand(n, inst, cfg, &fig)
		a.report.Nodes = append(a.report.Nodes, fig)
	}
}

// countDemand adds what node n takes at its max pods to its subnets, and
// what it would take beyond what it holds.
func (a *auditor) countDemand(n kube.Node, inst limits.Instance, cfg cni.Config, fig *NodeFigures) {
	if cfg.IsIPv6() || n.CapacityPods <= cfg.HostNetworkPodsOn() {
		return // no IPv4 pool
	}
	d, err := ipam.NodeDemand(inst, cfg, ipam.Load{KubeletMaxPods: n.CapacityPods, Pods: min(n.CapacityPods, fig.ENILimitedPods) - cfg.HostNetworkPodsOn()})
	if err != nil {
		return
	}
	if a.in.HasPods && a.in.HasENIs {
		held := 0
		for _, e := range a.enisByInst[n.InstanceID] {
			held += len(e.Secondary) + subnet.BlockSize*len(e.Prefixes)
		}
		fig.PoolPods = a.in.Pods[n.Name].Pool
		fig.UnusedPoolAddresses = max(held-fig.PoolPods, 0)
		poolSubnet := fig.PodSubnet
		if len(fig.DiscoveredSubnets) > 0 {
			poolSubnet = fig.NodeSubnet // the pool spans the node subnet and the discovered ones
		}
		a.pools[poolSubnet] = append(a.pools[poolSubnet], pool{inst: inst, kubeletMaxPods: n.CapacityPods, pods: fig.PoolPods, held: held})
	}
	// What the node holds, by the subnet each ENI is in; without custom
	// networking or discovered subnets all of it counts in the node subnet.
	held := map[string]subnet.Need{}
	for _, e := range a.enisByInst[n.InstanceID] {
		id := e.SubnetID
		if !d.HasPodSubnet() {
			id = fig.NodeSubnet
		}
		held[id] = held[id].Plus(subnet.Need{Addresses: 1 + len(e.Secondary), Blocks: len(e.Prefixes)})
	}
	type part struct {
		id   string
		need subnet.Need
	}
	parts := []part{{fig.NodeSubnet, d.NodeSubnetNeed()}}
	switch {
	case len(fig.DiscoveredSubnets) > 0:
		for _, id := range fig.DiscoveredSubnets {
			parts = append(parts, part{id, d.PodSubnetNeed().Share(len(fig.DiscoveredSubnets))})
		}
	case d.HasPodSubnet():
		parts = append(parts, part{fig.PodSubnet, d.PodSubnetNeed()})
	}
	// One subnet may be both (an ENIConfig naming the node's own subnet):
	// its needs add up before what it holds is taken off.
	var merged []part
	for _, p := range parts {
		if p.id == "" || p.need == (subnet.Need{}) {
			continue
		}
		if i := slices.IndexFunc(merged, func(m part) bool { return m.id == p.id }); i >= 0 {
			merged[i].need = merged[i].need.Plus(p.need)
			continue
		}
		merged = append(merged, p)
	}
	for _, p := range merged {
		a.nodesIn[p.id]++
		a.demand[p.id] = a.demand[p.id].Plus(p.need)
		h := held[p.id]
		a.more[p.id] = a.more[p.id].Plus(subnet.Need{Addresses: max(p.need.Addresses-h.Addresses, 0), Blocks: max(p.need.Blocks-h.Blocks, 0)})
	}
}

func (a *auditor) eniConfigs() {
	if !a.in.CNI.CustomNetworking {
		return
	}
	label := a.eniConfigLabel()
	missing := map[string][]string{} // ENIConfig name -> nodes
	used := map[string]map[string]bool{}
	for _, n := range a.in.Nodes {
		if n.OS == "windows" {
			continue
		}
		name := n.Labels[label]
		if _, ok := a.eniConfigByName[name]; !ok || name == "" {
			missing[name] = append(missing[name], n.Name)
			continue
		}
		if used[name] == nil {
			used[name] = map[string]bool{}
		}
		used[name][n.Zone] = true
	}
	for _, name := range slices.Sorted(maps.Keys(missing)) {
		nodes := missing[name]
		if name == "" {
			a.add(ENIConfigMissing, Error, "node/"+nodes[0], "%d nodes (%s first) have no %s label, so custom networking gives them no pod subnet: label them, or set ENI_CONFIG_LABEL_DEF", len(nodes), nodes[0], label)
			continue
		}
		a.add(ENIConfigMissing, Error, "eniconfig/"+name, "%d nodes (%s first) select ENIConfig %s by their %s label, and there is none: their pods get no addresses; create it with a pod subnet in that zone (eksnet plan -o eniconfig)", len(nodes), nodes[0], name, label)
	}
	for _, name := range slices.Sorted(maps.Keys(used)) {
		c := a.eniConfigByName[name]
		s, known := a.subnetByID[c.Subnet]
		switch {
		case !a.in.HasSubnets:
			continue
		case !known:
			a.add(ENIConfigUnknownSubnet, Error, "eniconfig/"+name, "subnet %q is not among the VPC's subnets in the subnets file: point it at a subnet of the cluster's VPC", c.Subnet)
			continue
		}
		for _, zone := range slices.Sorted(maps.Keys(used[name])) {
			if zone != s.AZ {
				a.add(ENIConfigWrongZone, Error, "eniconfig/"+name, "nodes in %s use it, but its subnet %s is in %s: EC2 attaches no ENI across zones; give them an ENIConfig with a subnet in %s", zone, s.ID, s.AZ, zone)
			}
		}
	}
}

func (a *auditor) subnets() {
	if !a.in.HasSubnets {
		a.skip(SubnetRunsOut, SourceSubnets)
		a.skip(SubnetFragmented, SourceSubnets, SourceENIs)
		a.skip(WarmPoolExcess, SourceSubnets, SourceENIs, SourcePods)
		return
	}
	if !a.in.HasENIs {
		a.skip(SubnetFragmented, SourceENIs)
	}
	switch {
	case !a.in.HasENIs && !a.in.HasPods:
		a.skip(WarmPoolExcess, SourceENIs, SourcePods)
	case !a.in.HasENIs:
		a.skip(WarmPoolExcess, SourceENIs)
	case !a.in.HasPods:
		a.skip(WarmPoolExcess, SourcePods)
	}
	prefixMode := a.in.CNI.PrefixDelegation && !a.in.CNI.IsIPv6()
	for _, s := range a.in.Subnets {
		fig := SubnetFigures{ID: s.ID, AZ: s.AZ, CIDR: s.CIDR.String(), Available: s.Available, Nodes: a.nodesIn[s.ID], FreeBlocks: -1}
		demand, more := a.demand[s.ID], a.more[s.ID]
		fig.DemandAddresses, fig.DemandBlocks = demand.Addresses, demand.Blocks
		obj := "subnet/" + s.ID
		if a.in.HasENIs {
			fig.HeldKnown, fig.MoreAddresses, fig.MoreBlocks = true, more.Addresses, more.Blocks
			fig.FreeBlocks = FreeBlocks(s.CIDR, a.enisBySub[s.ID])
		}
		switch {
		case fig.Nodes == 0:
		case a.in.HasENIs && more.Total() > s.Available:
			a.add(SubnetRunsOut, Error, obj, "its %d nodes take %d more addresses to reach max pods (warm pool included), and %d are free: pods will fail to get addresses; add a subnet or a secondary CIDR (eksnet plan)",
				fig.Nodes, more.Total(), s.Available)
		case !a.in.HasENIs && !demand.FitsIn(s.Len()):
			a.add(SubnetRunsOut, Error, obj, "its %d nodes at max pods take %d addresses (warm pool included), more than the %s holds: add a subnet or a secondary CIDR (eksnet plan)",
				fig.Nodes, demand.Total(), s.Len())
		case a.in.HasENIs && more.Total()+perNode(demand, fig.Nodes).Total() > s.Available:
			a.add(SubnetRunsOut, Warning, obj, "after its %d nodes reach max pods, %d of %d free addresses are left: not enough for one more node (%d): plan the next subnet now",
				fig.Nodes, s.Available-more.Total(), s.Available, perNode(demand, fig.Nodes).Total())
		case a.in.HasENIs && a.in.Growth.Monthly():
			// What the subnet holds once today's nodes reach max pods, then
			// one average node's demand per node gained.
			base := subnet.Need{Addresses: s.Len().Usable() - s.Available}.Plus(more)
			part := subnet.Part{Nodes: fig.Nodes, PerNode: perNode(demand, fig.Nodes)}
			if month, ok := subnet.FirstMonthOver(s.Len(), base, []subnet.Part{part}, a.in.Growth, subnet.RunwayHorizonMonths); ok {
				fig.RunsOutMonth = month
				a.add(SubnetRunsOut, Warning, obj, "growing %s, its %d nodes become %d in month %d, and their addresses at max pods no longer fit the %s: plan the next subnet before then",
					a.in.Growth, fig.Nodes, a.in.Growth.After(fig.Nodes, month), month, s.Len())
			}
		}
		if prefixMode && a.in.HasENIs && fig.Nodes > 0 {
			next := perNode(demand, fig.Nodes).Blocks
			if need := more.Blocks + next; need > fig.FreeBlocks {
				a.add(SubnetFragmented, Error, obj, "%s left of %d free addresses; its nodes need %d more to reach max pods and the next node %d: prefixes will fail with InsufficientCidrBlocks; reserve /28s with aws ec2 create-subnet-cidr-reservation --reservation-type prefix, or add a subnet",
					prose.Count(fig.FreeBlocks, "aligned, fully free /28 block", "aligned, fully free /28 blocks"), s.Available, more.Blocks, next)
			}
		}
		a.warmPool(&fig)
		a.report.Subnets = append(a.report.Subnets, fig)
	}
}

// suggestedWarmIPTarget is the WARM_IP_TARGET warm-pool-excess suggests:
// two free addresses per node, so that a pod or two start without waiting
// on EC2 (docs/node-addresses.md "When ipamd grows and shrinks the pool").
const suggestedWarmIPTarget = 2

// warmPool reports the addresses the subnet's nodes hold beyond their pods,
// and how many WARM_IP_TARGET=2 with MINIMUM_IP_TARGET at the busiest node's
// pods would free: each node then holds what ipamd holds under those
// settings for the pods it runs (ipam.NodeDemand).
func (a *auditor) warmPool(fig *SubnetFigures) {
	pools := a.pools[fig.ID]
	if len(pools) == 0 {
		return
	}
	busiest := 0
	for _, p := range pools {
		fig.UnusedPoolAddresses += max(p.held-p.pods, 0)
		busiest = max(busiest, p.pods)
	}
	tuned := a.in.CNI
	tuned.WarmIPTarget, tuned.MinimumIPTarget = suggestedWarmIPTarget, max(busiest, 1)
	for _, p := range pools {
		d, err := ipam.NodeDemand(p.inst, tuned, ipam.Load{KubeletMaxPods: p.kubeletMaxPods, Pods: p.pods})
		if err != nil {
			return
		}
		fig.Freeable += max(p.held-d.PoolAddresses, 0)
	}
	if fig.Freeable == 0 {
		return
	}
	fig.SuggestedWarmIPTarget, fig.SuggestedMinimumIPTarget = tuned.WarmIPTarget, tuned.MinimumIPTarget
	a.add(WarmPoolExcess, Info, "subnet/"+fig.ID, "%d pool addresses on its %s are used by no pod; WARM_IP_TARGET=%d and MINIMUM_IP_TARGET=%d (the busiest node's pods) would return %d of them to the subnet",
		fig.UnusedPoolAddresses, prose.Count(len(pools), "node", "nodes"), tuned.WarmIPTarget, tuned.MinimumIPTarget, fig.Freeable)
}

// perNode is the average node's share of demand, rounded up: what one more
// node of the subnet's mix takes.
func perNode(demand subnet.Need, nodes int) subnet.Need {
	if nodes == 0 {
		return subnet.Need{}
	}
	return subnet.Need{Addresses: (demand.Addresses + nodes - 1) / nodes, Blocks: (demand.Blocks + nodes - 1) / nodes}
}

// FreeBlocks is the number of aligned /28 blocks of cidr that no address
// or prefix of enis touches, leaving out the first and last blocks (they
// hold the reserved addresses, docs/vpc-rules.md): the blocks a new prefix
// can still be.
func FreeBlocks(cidr netip.Prefix, enis []subnet.ENI) int {
	blocks := subnet.LenOf(cidr).Blocks()
	if blocks <= 2 {
		return 0
	}
	used := make([]bool, blocks)
	used[0], used[blocks-1] = true, true
	mark := func(ip netip.Addr) {
		if cidr.Contains(ip) {
			used[vpc.Offset(cidr, ip)/subnet.BlockSize] = true
		}
	}
	for _, e := range enis {
		mark(e.Primary)
		for _, ip := range e.Secondary {
			mark(ip)
		}
		for _, p := range e.Prefixes {
			mark(p.Addr())
		}
	}
	free := 0
	for _, u := range used {
		if !u {
			free++
		}
	}
	return free
}
