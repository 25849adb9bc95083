package ipam

import (
	"fmt"
	"strings"

	"github.com/eksnet/eksnet/internal/formula"
	"github.com/eksnet/eksnet/internal/limits"
	"github.com/eksnet/eksnet/internal/satint"
	"github.com/eksnet/eksnet/internal/subnet"
)

// AddressesPerPrefix is the size of the /28 prefix one ENI slot holds in
// prefix mode (ipam.md: a /28 uses one slot).
const AddressesPerPrefix = 16

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
	InstanceType   string       `json:"instanceType"`
	Mode           formula.Mode `json:"mode"`
	Pods           int          `json:"pods"`           // pods that need a pool address (not hostNetwork, not SG pods)
	SGPods         int          `json:"sgPods"`         // pods on branch ENIs
	KubeletMaxPods int          `json:"kubeletMaxPods"` // where ipamd stops growing the pool
	SlotsPerENI    int          `json:"slotsPerENI"`    // ipv4PerENI − 1
	PodENIs        int          `json:"podENIs"`        // ENIs that may hold pool addresses
	PoolENIs       int          `json:"poolENIs"`       // ENIs that do hold pool addresses
	ENIs           int          `json:"enis"`           // ENIs attached, primary and trunk included
	TrunkENI       bool         `json:"trunkENI"`
	PoolAddresses  int          `json:"poolAddresses"` // addresses in the warm pool, assigned or free
	Prefixes       int          `json:"prefixes"`      // /28 prefixes (prefix mode)
	BranchENIs     int          `json:"branchENIs"`    // one per SG pod
	// NodeSubnetAddresses are taken from the node's subnet; PodSubnetAddresses
	// from the ENIConfig subnet (custom networking only).
	NodeSubnetAddresses int      `json:"nodeSubnetAddresses"`
	PodSubnetAddresses  int      `json:"podSubnetAddresses"`
	CustomNetworking    bool     `json:"customNetworking"`
	IPv6Prefixes        int      `json:"ipv6Prefixes"`       // /80s (IPv6 mode: one per node)
	PodsWithoutAddress  int      `json:"podsWithoutAddress"` // pods the pool cannot address: stuck in ContainerCreating
	Steps               []Step   `json:"steps,omitempty"`
	Notes               []string `json:"notes"`
}

// NodeSubnetPrefixes is the number of aligned, fully free /28 blocks the
// node's subnet must supply (ipam.md: prefixes come from the pool ENIs' subnet).
func (d Demand) NodeSubnetPrefixes() int {
	if d.CustomNetworking {
		return 0
	}
	return d.Prefixes
}

// PodSubnetPrefixes is the number of aligned, fully free /28 blocks the
// ENIConfig subnet must supply (custom networking; ipam.md).
func (d Demand) PodSubnetPrefixes() int {
	if d.CustomNetworking {
		return d.Prefixes
	}
	return 0
}

// NodeSubnetNeed is what the node takes from its own subnet: single
// addresses, and its /28 prefixes as aligned, fully free blocks (ipam.md:
// "prefix mode: T arrives as P aligned, fully free /28 blocks").
func (d Demand) NodeSubnetNeed() subnet.Need {
	return subnet.Need{Addresses: d.NodeSubnetAddresses - subnet.BlockSize*d.NodeSubnetPrefixes(), Blocks: d.NodeSubnetPrefixes()}
}

// PodSubnetNeed is what the node takes from the ENIConfig subnet (custom
// networking), its /28 prefixes as aligned, fully free blocks (ipam.md).
func (d Demand) PodSubnetNeed() subnet.Need {
	return subnet.Need{Addresses: d.PodSubnetAddresses - subnet.BlockSize*d.PodSubnetPrefixes(), Blocks: d.PodSubnetPrefixes()}
}

// Explain returns the working, one line per step, then the notes (ipam.md's
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

// NodeDemand computes one node's steady state with pods pods that need a
// pool address (ipam.md "Closed form"), for a kubelet whose max pods is
// kubeletMaxPods.
//
// Pods are counted as they arrive one at a time (the warm pool is reached
// from below); s.SGPods more run on branch ENIs. pods + s.SGPods may not
// exceed kubeletMaxPods. A type that cannot run the settings (IPv6 on Xen,
// SG pods without a trunk ENI) is an error; prefix delegation on a type
// without it falls back to secondary IPs with a note, as the CNI does.
func NodeDemand(inst limits.Instance, s Settings, kubeletMaxPods, pods int) (Demand, error) {
	if err := s.Validate(); err != nil {
		return Demand{}, err
	}
	name := inst.Name
	if name == "" {
		name = "instance type"
	}
	switch {
	case inst.MaxENIs < 1 || inst.IPv4PerENI < 1:
		return Demand{}, fmt.Errorf("%s has %d ENIs of %d addresses: need at least 1 of each", name, inst.MaxENIs, inst.IPv4PerENI)
	case kubeletMaxPods < 1:
		return Demand{}, fmt.Errorf("invalid kubelet max pods %d: must be at least 1", kubeletMaxPods)
	case pods < 0:
		return Demand{}, fmt.Errorf("invalid pods per node %d: must be 0 or more", pods)
	case pods > kubeletMaxPods-s.SGPods && s.SGPods > 0:
		return Demand{}, fmt.Errorf("%d pods and %d security-group pods per node exceed the kubelet's max pods %d", pods, s.SGPods, kubeletMaxPods)
	case pods > kubeletMaxPods:
		return Demand{}, fmt.Errorf("%d pods per node exceed the kubelet's max pods %d: use at most %d", pods, kubeletMaxPods, kubeletMaxPods)
	}

	d := Demand{
		InstanceType: inst.Name, Mode: formula.ModeSecondaryIP, Pods: pods, SGPods: s.SGPods,
		KubeletMaxPods: kubeletMaxPods, CustomNetworking: s.CustomNetworking,
		SlotsPerENI: inst.IPv4PerENI - 1, Notes: []string{},
	}
	step := func(quantity, working string, value int, rule string) {
		d.Steps = append(d.Steps, Step{Quantity: quantity, Working: working, Value: value, Rule: rule})
	}
	note := func(format string, args ...any) { d.Notes = append(d.Notes, fmt.Sprintf(format, args...)) }

	switch {
	case s.IPv6:
		if !inst.RunsIPv6() {
			return Demand{}, fmt.Errorf("%s cannot run IPv6 pods: the VPC CNI needs Nitro or bare metal with IPv6 (hypervisor is %s)", name, inst.HypervisorName())
		}
		d.Mode = formula.ModeIPv6
	case s.PrefixDelegation:
		if inst.NitroOrBareMetal() {
			d.Mode = formula.ModePrefixDelegation
		} else {
			note("prefix delegation unsupported on %s (needs Nitro or bare metal, hypervisor is %s): the CNI falls back to secondary IPs", name, inst.HypervisorName())
		}
	}

	// ENIs: MAX_ENI, then the trunk ENI of security groups for pods.
	maxENI := inst.MaxENIs
	if s.MaxENI >= 1 && s.MaxENI < maxENI {
		maxENI = s.MaxENI
		step("usable ENIs", fmt.Sprintf("min(MAX_ENI %d, %d)", s.MaxENI, inst.MaxENIs), maxENI, "ipam.md: MAX_ENI caps ENIs per node")
	}
	trunk := 0
	if s.SecurityGroupsForPods {
		supported, known := inst.SupportsTrunking()
		switch {
		case known && !supported:
			if s.SGPods > 0 {
				return Demand{}, fmt.Errorf("%s has no trunk ENI, so its %d security-group pods per node cannot run: use a type that supports trunking, or no SG pods", name, s.SGPods)
			}
			note("security groups for pods: %s has no trunk ENI and keeps all its ENIs", name)
		case maxENI < 2:
			if s.SGPods > 0 {
				return Demand{}, fmt.Errorf("MAX_ENI %d leaves no ENI for the trunk, so %d security-group pods per node cannot run: allow at least 2 ENIs", s.MaxENI, s.SGPods)
			}
			note("security groups for pods: no ENI is left for a trunk ENI")
		default:
			trunk = 1
			if !known {
				note("security groups for pods: whether %s supports trunking is unknown; the trunk ENI is counted, the safe side", name)
			}
			if inst.BranchInterfaces != nil && s.SGPods > *inst.BranchInterfaces {
				return Demand{}, fmt.Errorf("%d security-group pods per node exceed the %d branch ENIs %s can hold", s.SGPods, *inst.BranchInterfaces, name)
			}
		}
	}
	d.TrunkENI = trunk == 1
	d.BranchENIs = s.SGPods

	if d.Mode == formula.ModeIPv6 {
		d.ENIs = 1 + trunk
		d.IPv6Prefixes = 1
		d.NodeSubnetAddresses = d.ENIs + d.BranchENIs
		step("attached ENIs", eniTerms(0, 1, trunk), d.ENIs, "ipam.md: IPv6 uses the primary ENI alone")
		step("node subnet IPv4 addresses", sumTerms(d.ENIs, "ENI primary|ENI primaries", d.BranchENIs, "branch ENI|branch ENIs"), d.NodeSubnetAddresses,
			"ipam.md: IPv6: 1 IPv4 (the node) + 1 if a trunk ENI, + 1 per SG pod")
		step("IPv6 /80 prefixes", "1", 1, "ipam.md: one /80 per node, far more than any kubelet allows")
		return d, nil
	}

	custom := 0
	if s.CustomNetworking {
		custom = 1
	}
	d.PodENIs = max(maxENI-trunk-custom, 0)
	working := fmt.Sprint(maxENI)
	if trunk+custom > 0 {
		working = fmt.Sprintf("%d%s%s", maxENI, minusIf(custom, "primary ENI (custom networking)"), minusIf(trunk, "trunk ENI"))
	}
	step("ENIs for pods", working, d.PodENIs, "ipam.md: podENIs = maxENI − trunk − custom networking")
	step("slots per ENI", fmt.Sprintf("%d − 1", inst.IPv4PerENI), d.SlotsPerENI, "ipam.md: the ENI's primary address never goes to a pod")

	units, wholeENIs := poolUnits(&d, s, step)
	if units > 0 {
		d.PoolENIs = satint.CeilDiv(units, d.SlotsPerENI)
	}
	if d.Mode == formula.ModePrefixDelegation {
		d.Prefixes = units
		d.PoolAddresses = units * AddressesPerPrefix
		step("pool addresses", fmt.Sprintf("%d × %d", units, AddressesPerPrefix), d.PoolAddresses, "ipam.md: T = 16 × P")
	} else {
		d.PoolAddresses = units
	}
	if units > 0 && !wholeENIs {
		step("pool ENIs", fmt.Sprintf("ceil(%d / %d)", units, d.SlotsPerENI), d.PoolENIs, "ipam.md: ENIs fill before the next one")
	}
	if units == 0 {
		note("no ENI slot is left for pods: only host-network pods can run")
	}

	// The primary ENI is attached even when it holds no pool addresses.
	primary := 0
	if s.CustomNetworking || d.PoolENIs == 0 {
		primary = 1
	}
	d.ENIs = d.PoolENIs + primary + trunk
	step("attached ENIs", eniTerms(d.PoolENIs, primary, trunk), d.ENIs, "ipam.md: pool ENIs + the primary when it holds no pool + trunk")

	if s.CustomNetworking {
		d.NodeSubnetAddresses = 1
		d.PodSubnetAddresses = d.PoolAddresses + d.PoolENIs + trunk + d.BranchENIs
		step("node subnet addresses", "1", 1, "ipam.md: custom networking: the node address only")
		step("pod subnet addresses", sumTerms(d.PoolAddresses, "pool", d.PoolENIs, "pool ENI primary|pool ENI primaries", trunk, "trunk ENI", d.BranchENIs, "branch ENI|branch ENIs"),
			d.PodSubnetAddresses, "ipam.md: ENIConfig subnet T + poolENIs; the trunk and branch ENIs are created there too")
	} else {
		d.NodeSubnetAddresses = d.PoolAddresses + d.ENIs + d.BranchENIs
		step("node subnet addresses", sumTerms(d.PoolAddresses, "pool", d.ENIs, "ENI primary|ENI primaries", d.BranchENIs, "branch ENI|branch ENIs"),
			d.NodeSubnetAddresses, "ipam.md: T + attached ENIs + 1 per SG pod")
	}
	if d.Prefixes > 0 {
		subnet := "node"
		if s.CustomNetworking {
			subnet = "pod"
		}
		note("the %s subnet must have %d aligned, fully free /28 blocks for this node: free addresses are not enough", subnet, d.Prefixes)
	}
	if d.Mode == formula.ModePrefixDelegation && !s.WarmIPTargets() && s.WarmPrefixTarget >= 2 && d.Prefixes > 0 {
		note("WARM_PREFIX_TARGET=%d with pods spread at random over the /28s can hold up to %d more /28s than counted here", s.WarmPrefixTarget, s.WarmPrefixTarget-1)
	}
	if d.PodsWithoutAddress = max(pods-d.PoolAddresses, 0); d.PodsWithoutAddress > 0 {
		note("%d of %d pods get no address and stay in ContainerCreating: lower the kubelet's max pods or change the settings", d.PodsWithoutAddress, pods)
	}
	return d, nil
}

// poolUnits returns the warm pool in its units (IPs, or /28 prefixes in
// prefix mode) and records the working (ipam.md "Closed form"). wholeENIs
// reports that the pool was counted in whole ENIs (WARM_ENI_TARGET).
func poolUnits(d *Demand, s Settings, step func(q, w string, v int, r string)) (units int, wholeENIs bool) {
	n, m, slots := d.Pods, d.KubeletMaxPods, d.SlotsPerENI
	size, unit := 1, "pool IPs"
	if d.Mode == formula.ModePrefixDelegation {
		size, unit = AddressesPerPrefix, "prefixes"
	}
	capacity := d.PodENIs * max(slots, 0)
	if capacity <= 0 {
		step(unit, fmt.Sprintf("%d ENIs × %d slots", d.PodENIs, max(slots, 0)), 0, "ipam.md: nothing can hold a pool")
		return 0, false
	}

	// Secondary-IP mode with WARM_ENI_TARGET: whole ENIs.
	if d.Mode == formula.ModeSecondaryIP && !s.WarmIPTargets() {
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
			fmt.Sprintf("ipam.md: keep WARM_ENI_TARGET=%d whole ENIs of free IPs, within the ENIs for pods and the kubelet's max pods", s.WarmENITarget))
		step("pool IPs", fmt.Sprintf("%d × %d", k, slots), k*slots, "ipam.md: T = k × slots")
		return k * slots, true
	}

	// Targets counted pod by pod: single IPs, or /28 prefixes.
	//
	// ipam.md: growth stops once the pool reaches the kubelet's max pods. The
	// pool grows with the pods, a unit at a time, so it stops exactly there;
	// this holds in secondary-IP mode too, where ipam.md's warmIP line leaves
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
// units (IPs or prefixes), with its working and rule (ipam.md "Closed form").
func targetFunc(mode formula.Mode, s Settings) (target func(n int) int, working func(n int) string, rule string) {
	wit, minimum, wpt := s.WarmIPTarget, s.MinimumIPTarget, s.WarmPrefixTarget
	switch {
	case mode == formula.ModeSecondaryIP && wit == 0:
		return func(int) int { return minimum },
			func(int) string { return fmt.Sprint(minimum) },
			fmt.Sprintf("ipam.md: MINIMUM_IP_TARGET=%d alone: the pool never grows past it", minimum)
	case mode == formula.ModeSecondaryIP:
		return func(n int) int { return max(satint.Add(n, wit), minimum) },
			func(n int) string { return fmt.Sprintf("max(%d + %d, %d)", n, wit, minimum) },
			fmt.Sprintf("ipam.md: keep WARM_IP_TARGET=%d free IPs, at least MINIMUM_IP_TARGET=%d in all", wit, minimum)
	case s.WarmIPTargets() && wit == 0:
		return func(int) int { return satint.CeilDiv(minimum, AddressesPerPrefix) },
			func(int) string { return fmt.Sprintf("ceil(%d / 16)", minimum) },
			fmt.Sprintf("ipam.md: MINIMUM_IP_TARGET=%d alone, in whole /28s: the pool never grows past it", minimum)
	case s.WarmIPTargets():
		return func(n int) int {
				return max(satint.CeilDiv(satint.Add(n, wit), AddressesPerPrefix), satint.CeilDiv(minimum, AddressesPerPrefix))
			},
			func(n int) string { return fmt.Sprintf("max(ceil((%d + %d) / 16), ceil(%d / 16))", n, wit, minimum) },
			fmt.Sprintf("ipam.md: keep WARM_IP_TARGET=%d free IPs, at least MINIMUM_IP_TARGET=%d, in whole /28s", wit, minimum)
	case wpt == 0:
		return func(n int) int { return n/AddressesPerPrefix + 1 },
			func(n int) string { return fmt.Sprintf("floor(%d / 16) + 1", n) },
			"ipam.md: WARM_PREFIX_TARGET=0 keeps a free address, so a new /28 when the last one fills"
	default:
		return func(n int) int { return satint.Add(satint.CeilDiv(n, AddressesPerPrefix), wpt) },
			func(n int) string { return fmt.Sprintf("ceil(%d / 16) + %d", n, wpt) },
			fmt.Sprintf("ipam.md: keep WARM_PREFIX_TARGET=%d fully free /28s", wpt)
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
