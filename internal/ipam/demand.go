package ipam

import (
	"cmp"
	"fmt"
	"strings"

	"github.com/eksnet/eksnet/internal/cni"
	"github.com/eksnet/eksnet/internal/limits"
	"github.com/eksnet/eksnet/internal/satint"
	"github.com/eksnet/eksnet/internal/subnet"
)

// Step is one line of the working that produced a Demand: the quantity, the
// expression with its numbers, the value, and the rule it applies.
type Step struct {
	Quantity string `json:"quantity"`
	Working  string `json:"working"`
	Value    int    `json:"value"`
	Rule     string `json:"rule"`
}

// String renders the step as "quantity = working = value  (rule)".
func (s Step) String() string {
	line := s.Quantity + " = "
	if s.Working != "" && s.Working != fmt.Sprint(s.Value) {
		line += s.Working + " = "
	}
	line += fmt.Sprint(s.Value)
	if s.Rule != "" {
		line += "  (" + s.Rule + ")"
	}
	return line
}

// Demand is one node's steady state under the VPC CNI: the ENIs it attaches,
// the warm pool it holds and the addresses it takes from each subnet, with the
// working that led there. The JSON names are eksnet's contract (perNode in
// `eksnet subnet size -o json`).
type Demand struct {
	InstanceType   string   `json:"instanceType"`
	Mode           cni.Mode `json:"mode"`
	Pods           int      `json:"pods"`           // pods that need a pool address (not hostNetwork, not SG pods)
	SGPods         int      `json:"sgPods"`         // pods on branch ENIs
	KubeletMaxPods int      `json:"kubeletMaxPods"` // where ipamd stops growing the pool
	SlotsPerENI    int      `json:"slotsPerENI"`    // ipv4PerENI − 1
	PodENIs        int      `json:"podENIs"`        // ENIs that may hold pool addresses
	PoolENIs       int      `json:"poolENIs"`       // ENIs that do hold pool addresses
	ENIs           int      `json:"enis"`           // ENIs attached, primary and trunk included
	TrunkENI       bool     `json:"trunkENI"`
	PoolAddresses  int      `json:"poolAddresses"` // addresses in the warm pool, assigned or free
	Prefixes       int      `json:"prefixes"`      // /28 prefixes (prefix mode)
	BranchENIs     int      `json:"branchENIs"`    // one per SG pod
	// NodeSubnetAddresses are taken from the node's subnet; PodSubnetAddresses
	// from the pod subnet: the ENIConfig subnet (custom networking) or the
	// discovered subnets (subnet discovery with tagged subnets), else none.
	// NodeSubnetPrefixes and PodSubnetPrefixes are the /28 prefixes among
	// them, each an aligned, fully free block of its subnet.
	NodeSubnetAddresses int  `json:"nodeSubnetAddresses"`
	PodSubnetAddresses  int  `json:"podSubnetAddresses"`
	NodeSubnetPrefixes  int  `json:"nodeSubnetPrefixes"`
	PodSubnetPrefixes   int  `json:"podSubnetPrefixes"`
	CustomNetworking    bool `json:"customNetworking"`
	// DiscoveredSubnets: the secondary ENIs are created in the AZ's subnets
	// tagged kubernetes.io/role/cni (cni.Config.PodsInDiscoveredSubnets).
	DiscoveredSubnets  bool     `json:"discoveredSubnets"`
	IPv6Prefixes       int      `json:"ipv6Prefixes"`       // /80s (IPv6 mode: one per node)
	PodsWithoutAddress int      `json:"podsWithoutAddress"` // pods the pool cannot address: stuck in ContainerCreating
	Steps              []Step   `json:"steps,omitempty"`
	Notes              []string `json:"notes"`
	// Fallback is why Mode is not the mode asked for (cni.Reason), "" if it is.
	Fallback cni.Reason `json:"fallback,omitempty"`
	// ENIChurn: WARM_ENI_TARGET=0 at exactly full ENIs, where ipamd attaches
	// and frees one more ENI in a loop (the peak is counted).
	ENIChurn bool `json:"eniChurn,omitempty"`
}

// HasPodSubnet reports whether some of the node's addresses come from a pod
// subnet: the ENIConfig subnet or the discovered subnets.
func (d Demand) HasPodSubnet() bool { return d.CustomNetworking || d.DiscoveredSubnets }

// NodeSubnetNeed is what the node takes from its own subnet: single
// addresses, and its /28 prefixes as aligned, fully free blocks (docs/node-addresses.md:
// "prefix mode: T arrives as P aligned, fully free /28 blocks").
func (d Demand) NodeSubnetNeed() subnet.Need {
	return subnet.Need{Addresses: d.NodeSubnetAddresses - subnet.BlockSize*d.NodeSubnetPrefixes, Blocks: d.NodeSubnetPrefixes}
}

// PodSubnetNeed is what the node takes from its pod subnet (the ENIConfig
// subnet, or the discovered subnets), its /28 prefixes as aligned, fully
// free blocks (docs/node-addresses.md).
func (d Demand) PodSubnetNeed() subnet.Need {
	return subnet.Need{Addresses: d.PodSubnetAddresses - subnet.BlockSize*d.PodSubnetPrefixes, Blocks: d.PodSubnetPrefixes}
}

// Explain returns the working, one line per step, then the notes (docs/node-addresses.md's
// worked examples, in the same order).
func (d Demand) Explain() []string {
	lines := make([]string, 0, len(d.Steps)+len(d.Notes))
	for _, s := range d.Steps {
		lines = append(lines, s.String())
	}
	for _, n := range d.Notes {
		lines = append(lines, "note: "+n)
	}
	return lines
}

// Load is what runs on one node: the kubelet's max pods, the pods that need
// a pool address (not hostNetwork, not SG pods), and the pods with their own
// security groups (one branch ENI each).
type Load struct {
	KubeletMaxPods int // where ipamd stops growing the pool
	Pods           int
	SGPods         int
}

// NodeDemand computes one node's steady state under cfg with load
// (docs/node-addresses.md "Closed form"). Pods are counted as they arrive one
// at a time (the warm pool is reached from below). A type that cannot run
// the settings (IPv6 on Xen, SG pods without a trunk ENI) is an error;
// prefix delegation on a type without it falls back to secondary IPs with a
// note, as the CNI does. The mode and the ENIs for pods are the CNI model's
// (cni.Config.On, cni.Config.ENIsOn), the same that max pods uses.
func NodeDemand(inst limits.Instance, cfg cni.Config, load Load) (Demand, error) {
	if err := cfg.Validate(); err != nil {
		return Demand{}, err
	}
	name := inst.Name
	if name == "" {
		name = "instance type"
	}
	pods, sgPods, kubeletMaxPods := load.Pods, load.SGPods, load.KubeletMaxPods
	switch {
	case inst.MaxENIs < 1 || inst.IPv4PerENI < 1:
		return Demand{}, fmt.Errorf("%s has %d ENIs of %d addresses: need at least 1 of each", name, inst.MaxENIs, inst.IPv4PerENI)
	case kubeletMaxPods < 1:
		return Demand{}, fmt.Errorf("invalid kubelet max pods %d: must be at least 1", kubeletMaxPods)
	case pods < 0:
		return Demand{}, fmt.Errorf("invalid pods per node %d: must be 0 or more", pods)
	case sgPods < 0:
		return Demand{}, fmt.Errorf("invalid security-group pods per node %d: must be 0 or more", sgPods)
	case sgPods > 0 && !cfg.SecurityGroupsForPods:
		return Demand{}, fmt.Errorf("%d security-group pods per node need security groups for pods (ENABLE_POD_ENI=true)", sgPods)
	case pods > kubeletMaxPods-sgPods && sgPods > 0:
		return Demand{}, fmt.Errorf("%d pods and %d security-group pods per node exceed the kubelet's max pods %d", pods, sgPods, kubeletMaxPods)
	case pods > kubeletMaxPods:
		return Demand{}, fmt.Errorf("%d pods per node exceed the kubelet's max pods %d: use at most %d", pods, kubeletMaxPods, kubeletMaxPods)
	}

	run := cfg.On(inst)
	d := Demand{
		InstanceType: inst.Name, Mode: run.Mode, Pods: pods, SGPods: sgPods,
		KubeletMaxPods: kubeletMaxPods, CustomNetworking: cfg.CustomNetworking, DiscoveredSubnets: cfg.PodsInDiscoveredSubnets(),
		SlotsPerENI: inst.IPv4PerENI - 1, Notes: []string{}, Fallback: run.Fallback,
	}
	step := func(quantity, working string, value int, rule string) {
		d.Steps = append(d.Steps, Step{Quantity: quantity, Working: working, Value: value, Rule: rule})
	}
	note := func(format string, args ...any) { d.Notes = append(d.Notes, fmt.Sprintf(format, args...)) }

	if run.Unsupported != "" {
		return Demand{}, fmt.Errorf("%s: %s", name, run.Unsupported.Sentence(inst))
	}
	if run.Fallback != "" {
		note("%s", run.Fallback.Sentence(inst))
	}
	if cfg.IsWindows() {
		windowsDemand(&d, cfg, step, note)
		return d, nil
	}

	// ENIs: MAX_ENI, then the trunk ENI of security groups for pods (cni.Config.ENIsOn).
	e := cfg.ENIsOn(inst)
	if e.MaxENILimited {
		step("usable ENIs", fmt.Sprintf("min(MAX_ENI %d, %d)", cfg.MaxENI, inst.MaxENIs), e.Usable, "docs/node-addresses.md: MAX_ENI caps ENIs per node")
	}
	trunk := 0
	switch {
	case e.NoTrunk != "" && sgPods > 0:
		why := "has no trunk ENI"
		if e.NoTrunk == cni.ReasonOneENI {
			why = "has one ENI, which leaves no room for a trunk ENI"
		}
		return Demand{}, fmt.Errorf("%s %s, so its %d security-group pods per node cannot run: use a type that supports trunking, or no SG pods", name, why, sgPods)
	case e.NoTrunk != "":
		note("%s", e.NoTrunk.Sentence(inst))
	case e.Trunk:
		trunk = 1
		if e.TrunkUnknown {
			note("security groups for pods: whether %s supports trunking is unknown; the trunk ENI is counted, the safe side", name)
		}
		if inst.BranchInterfaces != nil && sgPods > *inst.BranchInterfaces {
			return Demand{}, fmt.Errorf("%d security-group pods per node exceed the %d branch ENIs %s can hold", sgPods, *inst.BranchInterfaces, name)
		}
	}
	d.TrunkENI = trunk == 1
	d.BranchENIs = sgPods

	if d.Mode == cni.ModeIPv6 {
		d.ENIs = 1 + trunk
		d.IPv6Prefixes = 1
		d.NodeSubnetAddresses = d.ENIs + d.BranchENIs
		step("attached ENIs", eniTerms(0, 1, trunk), d.ENIs, "docs/node-addresses.md: IPv6 uses the primary ENI alone")
		step("node subnet IPv4 addresses", sumTerms(d.ENIs, "ENI primary|ENI primaries", d.BranchENIs, "branch ENI|branch ENIs"), d.NodeSubnetAddresses,
			"docs/node-addresses.md: IPv6: 1 IPv4 (the node) + 1 if a trunk ENI, + 1 per SG pod")
		step("IPv6 /80 prefixes", "1", 1, "docs/node-addresses.md: one /80 per node, far more than any kubelet allows")
		return d, nil
	}

	custom := 0
	if cfg.CustomNetworking {
		custom = 1
	}
	d.PodENIs = e.ForPods
	working := fmt.Sprint(e.Usable)
	if trunk+custom > 0 {
		working = fmt.Sprintf("%d%s%s", e.Usable, minusIf(custom, "primary ENI (custom networking)"), minusIf(trunk, "trunk ENI"))
	}
	if e.Usable-trunk-custom < e.ForPods {
		working = fmt.Sprintf("max(%s, 1 primary ENI)", working)
	}
	step("ENIs for pods", working, d.PodENIs, "docs/max-pods.md: ENIs for pods = usable − trunk − custom networking, the primary ENI kept")
	slotsStep(&d, step)

	units, wholeENIs := poolUnits(&d, cfg, step)
	if units > 0 {
		d.PoolENIs = satint.CeilDiv(units, d.SlotsPerENI)
	}
	if d.Mode == cni.ModePrefixDelegation {
		d.Prefixes = units
		d.PoolAddresses = units * cni.AddressesPerPrefix
		step("pool addresses", fmt.Sprintf("%d × %d", units, cni.AddressesPerPrefix), d.PoolAddresses, "docs/node-addresses.md: T = 16 × P")
	} else {
		d.PoolAddresses = units
	}
	if units > 0 && !wholeENIs {
		step("pool ENIs", fmt.Sprintf("ceil(%d / %d)", units, d.SlotsPerENI), d.PoolENIs, "docs/node-addresses.md: ENIs fill before the next one")
	}
	if units == 0 {
		note("no ENI slot is left for pods: only host-network pods can run")
	}

	// The primary ENI is attached even when it holds no pool addresses.
	primary := 0
	if cfg.CustomNetworking || d.PoolENIs == 0 {
		primary = 1
	}
	d.ENIs = d.PoolENIs + primary + trunk
	step("attached ENIs", eniTerms(d.PoolENIs, primary, trunk), d.ENIs, "docs/node-addresses.md: pool ENIs + the primary when it holds no pool + trunk")

	size := 1
	if d.Mode == cni.ModePrefixDelegation {
		size = cni.AddressesPerPrefix
	}
	switch {
	case cfg.CustomNetworking:
		d.NodeSubnetAddresses = 1
		d.PodSubnetAddresses = d.PoolAddresses + d.PoolENIs + trunk + d.BranchENIs
		d.PodSubnetPrefixes = d.Prefixes
		step("node subnet addresses", "1", 1, "docs/node-addresses.md: custom networking: the node address only")
		step("pod subnet addresses", sumTerms(d.PoolAddresses, "pool", d.PoolENIs, "pool ENI primary|pool ENI primaries", trunk, "trunk ENI", d.BranchENIs, "branch ENI|branch ENIs"),
			d.PodSubnetAddresses, "docs/node-addresses.md: ENIConfig subnet T + poolENIs; the trunk and branch ENIs are created there too")
	case d.DiscoveredSubnets && d.PoolENIs > 1:
		// The primary ENI's slots fill first and stay in the node's subnet;
		// each secondary ENI, with its own address and its pool, is created
		// in a discovered subnet.
		primaryUnits := min(units, d.SlotsPerENI)
		secondaryENIs := d.PoolENIs - 1
		d.NodeSubnetAddresses = primaryUnits*size + 1 + trunk + d.BranchENIs
		d.PodSubnetAddresses = (units-primaryUnits)*size + secondaryENIs
		if d.Mode == cni.ModePrefixDelegation {
			d.NodeSubnetPrefixes, d.PodSubnetPrefixes = primaryUnits, units-primaryUnits
		}
		step("node subnet addresses", sumTerms(primaryUnits*size, "primary ENI pool", 1, "node address", trunk, "trunk ENI", d.BranchENIs, "branch ENI|branch ENIs"),
			d.NodeSubnetAddresses, "docs/node-addresses.md: subnet discovery: the primary ENI stays in the node's subnet, with the trunk and branch ENIs")
		step("pod subnet addresses", sumTerms((units-primaryUnits)*size, "pool", secondaryENIs, "secondary ENI primary|secondary ENI primaries"),
			d.PodSubnetAddresses, "docs/node-addresses.md: subnet discovery: secondary ENIs are created in the tagged subnets")
	default:
		d.NodeSubnetAddresses = d.PoolAddresses + d.ENIs + d.BranchENIs
		d.NodeSubnetPrefixes = d.Prefixes
		step("node subnet addresses", sumTerms(d.PoolAddresses, "pool", d.ENIs, "ENI primary|ENI primaries", d.BranchENIs, "branch ENI|branch ENIs"),
			d.NodeSubnetAddresses, "docs/node-addresses.md: T + attached ENIs + 1 per SG pod")
	}
	blockNotes(&d, note)
	if d.Mode == cni.ModePrefixDelegation && !cfg.WarmIPTargets() && cfg.WarmPrefixTarget >= 2 && d.Prefixes > 0 {
		note("WARM_PREFIX_TARGET=%d: counted at the worst case ipamd reaches when pods spread at random over the /28s (it asks for up to %d /28s at once, past the kubelet's max pods)", cfg.WarmPrefixTarget, cfg.WarmPrefixTarget)
	}
	if d.Mode == cni.ModeSecondaryIP && !cfg.WarmIPTargets() && cfg.WarmENITarget == 0 && pods > 0 && pods%d.SlotsPerENI == 0 {
		d.ENIChurn = true
		note("WARM_ENI_TARGET=0 with exactly full ENIs: ipamd attaches ENI %d and frees it again about a minute later, in a loop of EC2 calls; the peak is counted here", d.PoolENIs)
	}
	unaddressed(&d, note)
	return d, nil
}

// Windows warm pool targets of the VPC resource controller when its
// ConfigMap sets neither warm-ip-target nor minimum-ip-target, and with
// prefix delegation each one it leaves unset (ParseWinIPTargetConfigs in
// pkg/config/loader.go and getPDDeviation in pkg/pool/pool.go of
// amazon-vpc-resource-controller-k8s; docs/node-addresses.md "Windows nodes").
const (
	windowsWarmIPTarget      = 3 // secondary IPs
	windowsMinimumIPTarget   = 3
	windowsPDWarmIPTarget    = 1 // prefix delegation
	windowsPDMinimumIPTarget = 3
)

// windowsDemand is a Windows node's addresses: the VPC resource controller
// assigns them from the primary ENI alone, keeping warm-ip-target free
// addresses beyond the pods' and minimum-ip-target in all
// (calculateSecondaryIPDeviation in pkg/pool/pool.go), in /28 prefixes with
// prefix delegation (getPDDeviation), within the ENI's slots. cfg's
// WarmIPTarget and MinimumIPTarget stand for the amazon-vpc-cni ConfigMap's
// warm-ip-target and minimum-ip-target; with neither set, its defaults.
func windowsDemand(d *Demand, cfg cni.Config, step func(q, w string, v int, r string), note func(string, ...any)) {
	const rule = "docs/node-addresses.md: Windows: the primary ENI only"
	warm, minimum := cfg.WarmIPTarget, cfg.MinimumIPTarget
	pd := d.Mode == cni.ModePrefixDelegation
	switch {
	case pd: // each target unset takes its default (getPDDeviation)
		warm, minimum = cmp.Or(warm, windowsPDWarmIPTarget), cmp.Or(minimum, windowsPDMinimumIPTarget)
	case warm == 0 && minimum == 0:
		warm, minimum = windowsWarmIPTarget, windowsMinimumIPTarget
	}
	d.PodENIs, d.PoolENIs, d.ENIs = 1, 1, 1
	want := max(d.Pods+warm, minimum)
	step("ENIs for pods", "1", 1, rule)
	slotsStep(d, step)
	if pd {
		d.Prefixes = min(satint.CeilDiv(want, cni.AddressesPerPrefix), d.SlotsPerENI)
		d.PoolAddresses = d.Prefixes * cni.AddressesPerPrefix
		d.NodeSubnetPrefixes = d.Prefixes
		step("prefixes", fmt.Sprintf("min(ceil(max(%d + warm-ip-target %d, minimum-ip-target %d) / 16), %d)", d.Pods, warm, minimum, d.SlotsPerENI), d.Prefixes,
			"docs/node-addresses.md: Windows prefix delegation: whole /28s for the warm IP targets")
		step("pool addresses", fmt.Sprintf("%d × %d", d.Prefixes, cni.AddressesPerPrefix), d.PoolAddresses, "docs/node-addresses.md: T = 16 × P")
	} else {
		d.PoolAddresses = min(want, d.SlotsPerENI)
		step("pool IPs", fmt.Sprintf("min(max(%d + warm-ip-target %d, minimum-ip-target %d), %d)", d.Pods, warm, minimum, d.SlotsPerENI), d.PoolAddresses,
			"docs/node-addresses.md: Windows: warm-ip-target free beyond the pods, minimum-ip-target in all")
	}
	d.NodeSubnetAddresses = d.PoolAddresses + 1
	step("node subnet addresses", sumTerms(d.PoolAddresses, "pool", 1, "ENI primary"), d.NodeSubnetAddresses, rule)
	blockNotes(d, note)
	unaddressed(d, note)
}

// slotsStep records the slots of an ENI: its addresses but its own.
func slotsStep(d *Demand, step func(q, w string, v int, r string)) {
	step("slots per ENI", fmt.Sprintf("%d − 1", d.SlotsPerENI+1), d.SlotsPerENI, "docs/node-addresses.md: the ENI's primary address never goes to a pod")
}

// blockNotes says how many aligned /28s each subnet must supply the node.
func blockNotes(d *Demand, note func(string, ...any)) {
	if d.NodeSubnetPrefixes > 0 {
		note("the node subnet must have %d aligned, fully free /28 blocks for this node: free addresses are not enough", d.NodeSubnetPrefixes)
	}
	if d.PodSubnetPrefixes > 0 {
		note("the pod subnet must have %d aligned, fully free /28 blocks for this node: free addresses are not enough", d.PodSubnetPrefixes)
	}
}

// unaddressed counts, and says, the pods the pool cannot address.
func unaddressed(d *Demand, note func(string, ...any)) {
	if d.PodsWithoutAddress = max(d.Pods-d.PoolAddresses, 0); d.PodsWithoutAddress > 0 {
		note("%d of %d pods get no address and stay in ContainerCreating: lower the kubelet's max pods or change the settings", d.PodsWithoutAddress, d.Pods)
	}
}

// poolUnits returns the warm pool in its units (IPs, or /28 prefixes in
// prefix mode) and records the working (docs/node-addresses.md "Closed form"). wholeENIs
// reports that the pool was counted in whole ENIs (WARM_ENI_TARGET).
func poolUnits(d *Demand, s cni.Config, step func(q, w string, v int, r string)) (units int, wholeENIs bool) {
	n, m, slots := d.Pods, d.KubeletMaxPods, d.SlotsPerENI
	size, unit := 1, "pool IPs"
	if d.Mode == cni.ModePrefixDelegation {
		size, unit = cni.AddressesPerPrefix, "prefixes"
	}
	capacity := d.PodENIs * max(slots, 0)
	if capacity <= 0 {
		step(unit, fmt.Sprintf("%d ENIs × %d slots", d.PodENIs, max(slots, 0)), 0, "docs/node-addresses.md: nothing can hold a pool")
		return 0, false
	}

	// Secondary-IP mode with WARM_ENI_TARGET: whole ENIs.
	if d.Mode == cni.ModeSecondaryIP && !s.WarmIPTargets() {
		var k int
		var want string
		if s.WarmENITarget == 0 {
			k = n/slots + 1
			want = fmt.Sprintf("floor(%d / %d) + 1", n, slots)
		} else {
			k = satint.Add(satint.CeilDiv(n, slots), s.WarmENITarget)
			want = fmt.Sprintf("ceil(%d / %d) + %d", n, slots, s.WarmENITarget)
		}
		k = min(max(k, 1), d.PodENIs, satint.CeilDiv(m, slots))
		step("pool ENIs", fmt.Sprintf("min(%s, %d, ceil(%d / %d))", want, d.PodENIs, m, slots), k,
			fmt.Sprintf("docs/node-addresses.md: keep WARM_ENI_TARGET=%d whole ENIs of free IPs, within the ENIs for pods and the kubelet's max pods", s.WarmENITarget))
		step("pool IPs", fmt.Sprintf("%d × %d", k, slots), k*slots, "docs/node-addresses.md: T = k × slots")
		return k * slots, true
	}

	// Prefix mode with WARM_PREFIX_TARGET >= 2: how many /28s ipamd asks
	// for depends on where pods landed, so the pool is counted at the most
	// that any placement reaches (worstPrefixes).
	if d.Mode == cni.ModePrefixDelegation && !s.WarmIPTargets() && s.WarmPrefixTarget >= 2 {
		units = worstPrefixes(n, m, s.WarmPrefixTarget, slots, capacity)
		step(unit, fmt.Sprintf("worst case over pod placements of ceil(%d / 16) + %d, within %d and ceil(%d / 16)", n, s.WarmPrefixTarget, capacity, m), units,
			fmt.Sprintf("docs/node-addresses.md: WARM_PREFIX_TARGET=%d asks for the target minus the fully free /28s at once, and pods spread at random leave few fully free", s.WarmPrefixTarget))
		return units, false
	}

	// Targets counted pod by pod: single IPs, or /28 prefixes.
	//
	// docs/node-addresses.md: growth stops once the pool reaches the kubelet's max pods. The
	// pool grows with the pods, a unit at a time, so it stops exactly there;
	// this holds in secondary-IP mode too, where docs/node-addresses.md's warmIP line leaves
	// the bound out. Only the first growth, from an empty pool towards a target
	// already past max pods, comes in chunks that end at an ENI boundary (or
	// at the target), so it stops at the first such end past max pods. Both
	// follow ipamd's decision functions step by step (sim_test.go).
	target, want, rule := targetFunc(d.Mode, s)
	limit := satint.CeilDiv(m, size)
	terms := []string{want(n), fmt.Sprint(capacity), fmt.Sprintf("ceil(%d / %d)", m, size)}
	if size == 1 {
		terms[2] = fmt.Sprint(m)
	}
	if t0 := target(0); t0 > limit {
		// The first growth, from an empty pool, ends at an ENI boundary or at the target.
		limit = min(t0, satint.RoundUp(limit, slots))
		terms[2] = fmt.Sprint(limit)
	}
	units = min(target(n), capacity, limit)
	step(unit, "min("+strings.Join(terms, ", ")+")", units,
		rule+", within what the ENIs for pods hold and the kubelet's max pods")
	return units, false
}

// targetFunc returns the warm-pool target as a function of the pods, in
// units (IPs or prefixes), with its working and rule (docs/node-addresses.md "Closed form").
func targetFunc(mode cni.Mode, s cni.Config) (target func(n int) int, working func(n int) string, rule string) {
	wit, minimum, wpt := s.WarmIPTarget, s.MinimumIPTarget, s.WarmPrefixTarget
	switch {
	case mode == cni.ModeSecondaryIP && wit == 0:
		return func(int) int { return minimum },
			func(int) string { return fmt.Sprint(minimum) },
			fmt.Sprintf("docs/node-addresses.md: MINIMUM_IP_TARGET=%d alone: the pool never grows past it", minimum)
	case mode == cni.ModeSecondaryIP:
		return func(n int) int { return max(satint.Add(n, wit), minimum) },
			func(n int) string { return fmt.Sprintf("max(%d + %d, %d)", n, wit, minimum) },
			fmt.Sprintf("docs/node-addresses.md: keep WARM_IP_TARGET=%d free IPs, at least MINIMUM_IP_TARGET=%d in all", wit, minimum)
	case s.WarmIPTargets() && wit == 0:
		return func(int) int { return satint.CeilDiv(minimum, cni.AddressesPerPrefix) },
			func(int) string { return fmt.Sprintf("ceil(%d / 16)", minimum) },
			fmt.Sprintf("docs/node-addresses.md: MINIMUM_IP_TARGET=%d alone, in whole /28s: the pool never grows past it", minimum)
	case s.WarmIPTargets():
		return func(n int) int {
				return max(satint.CeilDiv(satint.Add(n, wit), cni.AddressesPerPrefix), satint.CeilDiv(minimum, cni.AddressesPerPrefix))
			},
			func(n int) string { return fmt.Sprintf("max(ceil((%d + %d) / 16), ceil(%d / 16))", n, wit, minimum) },
			fmt.Sprintf("docs/node-addresses.md: keep WARM_IP_TARGET=%d free IPs, at least MINIMUM_IP_TARGET=%d, in whole /28s", wit, minimum)
	case wpt == 0:
		return func(n int) int { return n/cni.AddressesPerPrefix + 1 },
			func(n int) string { return fmt.Sprintf("floor(%d / 16) + 1", n) },
			"docs/node-addresses.md: WARM_PREFIX_TARGET=0 keeps a free address, so a new /28 when the last one fills"
	default:
		return func(n int) int { return satint.Add(satint.CeilDiv(n, cni.AddressesPerPrefix), wpt) },
			func(n int) string { return fmt.Sprintf("ceil(%d / 16) + %d", n, wpt) },
			fmt.Sprintf("docs/node-addresses.md: keep WARM_PREFIX_TARGET=%d fully free /28s", wpt)
	}
}

// eniTerms writes the attached ENIs as a sum of what they are.
func eniTerms(pool, primary, trunk int) string {
	return sumTerms(pool, "pool", primary, "primary", trunk, "trunk")
}

// sumTerms writes pairs of (count, name) as "a name + b name", leaving out
// zeros; a name "one|many" is singular for a count of 1.
func sumTerms(pairs ...any) string {
	var parts []string
	for i := 0; i+1 < len(pairs); i += 2 {
		v, name := pairs[i].(int), pairs[i+1].(string)
		if one, many, ok := strings.Cut(name, "|"); ok {
			name = many
			if v == 1 {
				name = one
			}
		}
		if v != 0 {
			parts = append(parts, fmt.Sprintf("%d %s", v, name))
		}
	}
	if len(parts) == 0 {
		return "0"
	}
	return strings.Join(parts, " + ")
}

func minusIf(n int, what string) string {
	if n == 0 {
		return ""
	}
	return fmt.Sprintf(" − %d %s", n, what)
}

// worstPrefixes is the largest /28 count ipamd can hold with n pods, over
// every placement of the pods on the /28s, when WARM_PREFIX_TARGET is
// w >= 2 and no warm IP target is set. Pods arrive one at a time; after each
// ipamd grows the pool while its free addresses are below w /28s and it
// holds fewer than m (the kubelet's max pods) addresses
// (isDatastorePoolTooLow), asking each time for w minus the fully free /28s,
// at least 1 (getPrefixesNeeded, datastorePrefixTargetState), on one ENI
// (tryAssignPrefixes), within capacity /28s. The fully free /28s lie
// between max(0, P − pods) (pods spread out) and P − ceil(pods/16) (pods
// packed), so each growth can end at several sizes: the reachable sizes
// are followed pod by pod, a handful at a time.
func worstPrefixes(n, m, w, slots, capacity int) int {
	size := cni.AddressesPerPrefix
	reachable := map[int]bool{}
	var settle func(p, pods int)
	settle = func(p, pods int) {
		if reachable[p] {
			return
		}
		low := size*p-pods < size*w && size*p < m && p < capacity
		if !low {
			reachable[p] = true
			return
		}
		freeMin, freeMax := max(0, p-pods), max(0, p-satint.CeilDiv(pods, size))
		room := slots - p%slots // what the ENI being filled, or a new one, still takes
		for ask := max(1, w-freeMax); ask <= max(1, w-freeMin); ask++ {
			settle(min(p+min(ask, room), capacity), pods)
		}
	}
	settle(0, 0)
	for pods := 1; pods <= n; pods++ {
		previous := reachable
		reachable = map[int]bool{}
		for p := range previous {
			settle(p, pods)
		}
	}
	worst := 0
	for p := range reachable {
		worst = max(worst, p)
	}
	return worst
}
