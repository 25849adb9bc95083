package plan

import (
	"fmt"
	"net/netip"
	"slices"
	"strings"

	"github.com/eksnet/eksnet/internal/cni"
	"github.com/eksnet/eksnet/internal/limits"
	"github.com/eksnet/eksnet/internal/prose"
	"github.com/eksnet/eksnet/internal/vpc"
)

// NoFitError says that a plan does not fit: by how much, and the smallest
// changes found that make it fit.
type NoFitError struct {
	Shortfall string   // what is missing, and how much
	Short     int      // addresses short (the largest shortfall found)
	Changes   []string // changes that fit, smallest first
}

func (e *NoFitError) Error() string {
	msg := "the plan does not fit: " + e.Shortfall
	if len(e.Changes) == 0 {
		return msg + "; no single change eksnet tried makes it fit"
	}
	return msg + "; changes that fit: " + strings.Join(e.Changes, "; or ")
}

// explainMiss measures the shortfall and tries the changes that could fix
// it, each on a copy of the plan: another secondary block for the pod
// subnets, another VPC block, custom networking, no headroom, fewer nodes.
func explainMiss(s *Spec, table *limits.Table, r *missReport) error {
	e := &NoFitError{}
	var parts []string
	for _, p := range r.pools {
		i := slices.IndexFunc(r.misses, func(x miss) bool { return x.pool == p && x.sized == nil })
		if i < 0 {
			continue
		}
		blocks := joinPrefixes(p.blocks)
		if p.need > p.free {
			short := int(p.need - p.free)
			parts = append(parts, fmt.Sprintf("the subnets to carve from %s (%s) take %d addresses, %d are free: %d short",
				p.name, blocks, p.need, p.free, short))
			e.Short = max(e.Short, short)
			continue
		}
		x := r.misses[i]
		largest := "none"
		if x.largest >= 0 {
			largest = fmt.Sprintf("a /%d", x.largest)
		}
		short := int(vpc.BlockSize(x.bits))
		if x.largest >= 0 {
			short -= int(vpc.BlockSize(x.largest))
		}
		parts = append(parts, fmt.Sprintf("%d addresses are free in %s (%s), but not as one aligned /%d for the %s subnet of %s (largest free block: %s): %d short",
			p.free, p.name, blocks, x.bits, x.role, x.az, largest, short))
		e.Short = max(e.Short, short)
	}
	for _, part := range sizeShortfalls(r.misses, s.File.AZs, s.HeadroomPct) {
		parts = append(parts, part.text)
		e.Short = max(e.Short, part.short)
	}
	e.Shortfall = strings.Join(parts, "; ")

	f := s.File
	fits := func(g File) bool {
		spec, err := Validate(g)
		if err != nil {
			return false
		}
		d, err := computeDemand(spec, table)
		if err != nil {
			return false
		}
		_, miss, _, err := layoutAuto(spec, d)
		return err == nil && miss == nil
	}
	podMissed := slices.ContainsFunc(r.misses, func(x miss) bool { return x.role == RolePod })
	vpcMissed := slices.ContainsFunc(r.misses, func(x miss) bool { return x.role != RolePod })

	// More CG-NAT space for the pod subnets: the fewest more /16s that fit,
	// past the VPC's CIDR block quota if need be (it is adjustable).
	if podMissed && s.CNI.HasPodSubnet() && len(s.PodBlocks) > 0 {
		for extra := 1; len(s.PodBlocks)+extra < vpc.MaxBlockQuota; extra++ {
			g := withMoreAutoBlocks(f, s.PodBlocks, extra)
			spec, err := Validate(g)
			raised := false
			if err != nil && g.VPC.CIDRBlockQuota < vpc.MaxBlockQuota {
				g.VPC.CIDRBlockQuota, raised = vpc.MaxBlockQuota, true
				spec, err = Validate(g)
			}
			if err != nil {
				break
			}
			g = withMoreAutoBlocks(g, spec.PodBlocks, 0) // pinned: no further auto blocks
			if !fits(g) {
				continue
			}
			change := fmt.Sprintf("pod subnets in %d secondary blocks (cni.secondaryCIDRs: [%s])", len(spec.PodBlocks), joinPrefixes(spec.PodBlocks))
			if raised {
				change = fmt.Sprintf("pod subnets in %d secondary blocks once the VPC's CIDR block quota is raised to %d (cni.secondaryCIDRs: [%s], vpc.cidrBlockQuota: %d)",
					len(spec.PodBlocks), len(spec.AllBlocks()), joinPrefixes(spec.PodBlocks), len(spec.AllBlocks()))
			}
			e.Changes = append(e.Changes, change)
			break
		}
	}
	// A pod subnet beyond a /16 under custom networking (one ENIConfig, so
	// one subnet, per AZ): subnet discovery spreads an AZ over several.
	sizedPod := slices.ContainsFunc(r.misses, func(x miss) bool { return x.role == RolePod && x.sized != nil && !x.sized.adopted.IsValid() })
	if sizedPod && f.CNI.CustomNetworking && s.CNI.Version.AtLeast(cni.SubnetDiscoverySince) && f.CNI.SubnetDiscovery {
		g := cloneFile(f)
		g.CNI.CustomNetworking = false
		if fits(g) {
			e.Changes = append(e.Changes, fmt.Sprintf("subnet discovery instead of custom networking, with several pod subnets per AZ tagged %s=1 (cni.customNetworking: false; max pods rise by one ENI)", cni.SubnetDiscoveryTag))
		}
	}
	// More VPC blocks, for node, cluster and public subnets: the fewest that
	// fit, within the CIDR block quota.
	if vpcMissed {
		g := cloneFile(f)
		taken := s.AllBlocks()
		var added []string
		for len(taken) < f.VPC.CIDRBlockQuota {
			b, ok := nextVPCBlock(s.Blocks[0], taken)
			if !ok {
				break
			}
			taken = append(taken, b)
			added = append(added, b.String())
			g.VPC.CIDRs = append(g.VPC.CIDRs, b.String())
			if fits(g) {
				e.Changes = append(e.Changes, fmt.Sprintf("associate %s with the VPC (vpc.cidrs: [%s])", prose.JoinAnd(added), strings.Join(g.VPC.CIDRs, ", ")))
				break
			}
		}
	}
	// Smaller public subnets: the largest that fits.
	if vpcMissed && *f.Subnets.Public != 0 {
		for bits := *f.Subnets.Public + 1; bits <= vpc.SmallestBits; bits++ {
			g := cloneFile(f)
			g.Subnets.Public = &bits
			if fits(g) {
				e.Changes = append(e.Changes, fmt.Sprintf("smaller public subnets (subnets.public: %d)", bits))
				break
			}
		}
	}
	// Secondary ENIs out of the node subnets, into tagged CG-NAT subnets:
	// subnet discovery keeps max pods.
	if vpcMissed && !s.CNI.HasPodSubnet() && s.CNI.DiscoversSubnets() && !s.CNI.IsIPv6() {
		g := cloneFile(f)
		g.CNI.SecondaryCIDR, g.CNI.SecondaryCIDRs = Auto, nil
		if fits(g) {
			e.Changes = append(e.Changes, fmt.Sprintf("subnet discovery with pod subnets in CG-NAT space, tagged %s=1 (cni.secondaryCIDR: auto; max pods stay)", cni.SubnetDiscoveryTag))
		}
	}
	// Pods out of the node subnets, into CG-NAT space.
	if vpcMissed && !f.CNI.CustomNetworking && !s.CNI.IsIPv6() {
		g := cloneFile(f)
		g.CNI.CustomNetworking = true
		g.CNI.SecondaryCIDR = Auto
		if g.CNI.ENIConfigLabel == "" {
			g.CNI.ENIConfigLabel = cni.DefaultENIConfigLabel
		}
		if fits(g) {
			e.Changes = append(e.Changes, "custom networking with pod subnets in CG-NAT space (cni.customNetworking: true, cni.secondaryCIDR: auto; max pods drop by one ENI)")
		}
	}
	if s.HeadroomPct > 0 {
		g := cloneFile(f)
		g.Headroom = "0%"
		if fits(g) {
			e.Changes = append(e.Changes, "no headroom (headroom: 0%)")
		}
	}
	if c, ok := fewerNodes(f, fits); ok {
		e.Changes = append(e.Changes, c)
	}
	return e
}

type shortfall struct {
	text  string
	short int
}

// sizeShortfalls says which subnets no block can hold, and by how much: one
// sentence for the AZs whose subnets of a role fall short alike (usually
// all of them), not the same sentence for each AZ.
func sizeShortfalls(misses []miss, allAZs []string, headroomPct int) []shortfall {
	type key struct {
		role    Role
		adopted bool
		size    sizeMiss // adopted left out
	}
	var order []key
	groups := map[key][]miss{}
	for _, x := range misses {
		if x.sized == nil {
			continue
		}
		k := key{role: x.role, adopted: x.sized.adopted.IsValid(), size: *x.sized}
		k.size.adopted = netip.Prefix{}
		if _, seen := groups[k]; !seen {
			order = append(order, k)
		}
		groups[k] = append(groups[k], x)
	}
	var out []shortfall
	for _, k := range order {
		g := groups[k]
		var azs, subnets []string
		for _, x := range g {
			azs = append(azs, x.az)
			subnets = append(subnets, fmt.Sprintf("%s (%s)", x.sized.adopted, x.az))
		}
		where := "of " + prose.JoinAnd(azs)
		if len(azs) == len(allAZs) && len(azs) > 1 {
			where = "of each AZ"
		}
		var text string
		switch {
		case k.size.drawsFrom:
			text = fmt.Sprintf("the node subnet %s has %d usable addresses, more than a discovered pod subnet of up to a /%d keeps free, so ipamd would put the secondary ENIs in the node subnet (it picks the candidate with the most free addresses): %d short",
				where, k.size.usable, vpc.LargestBits, k.size.short)
		case !k.adopted && k.size.subnets > 1:
			text = fmt.Sprintf("the discovered %s subnets %s need %d addresses with %d%% headroom, more than %d /%ds hold (%d usable): %d short",
				k.role, where, k.size.needed, headroomPct, k.size.subnets, vpc.LargestBits, k.size.usable, k.size.short)
		case !k.adopted:
			text = fmt.Sprintf("the %s subnet %s needs %d addresses with %d%% headroom, more than a /%d holds (%d usable): %d short",
				k.role, where, k.size.needed, headroomPct, vpc.LargestBits, k.size.usable, k.size.short)
		case len(g) == 1:
			text = fmt.Sprintf("the existing %s subnet %s of %s has %d usable addresses, the plan needs %d at the future size: %d short",
				k.role, g[0].sized.adopted, g[0].az, k.size.usable, k.size.needed, k.size.short)
		default:
			text = fmt.Sprintf("the existing %s subnets %s have %d usable addresses each, the plan needs %d in each at the future size: %d short each",
				k.role, prose.JoinAnd(subnets), k.size.usable, k.size.needed, k.size.short)
		}
		out = append(out, shortfall{text: text, short: k.size.short})
	}
	return out
}

// fewerNodes finds the largest total future node count that fits, scaling
// every group alike (today's counts too, if even they do not fit).
func fewerNodes(f File, fits func(File) bool) (string, bool) {
	total := 0
	for _, g := range f.NodeGroups {
		total += g.FutureNodes
	}
	scaled := func(t int) File {
		g := cloneFile(f)
		for i := range g.NodeGroups {
			ng := &g.NodeGroups[i]
			ng.FutureNodes = max(1, ng.FutureNodes*t/total)
			ng.Nodes = min(ng.Nodes, ng.FutureNodes)
		}
		return g
	}
	lo, hi := 0, total // fits at lo (0 meaning unknown), not at hi
	for lo+1 < hi {
		mid := (lo + hi) / 2
		if fits(scaled(mid)) {
			lo = mid
		} else {
			hi = mid
		}
	}
	if lo == 0 {
		return "", false
	}
	g := scaled(lo)
	var groups []string
	for i, ng := range g.NodeGroups {
		was := f.NodeGroups[i]
		switch {
		case ng.Nodes == ng.FutureNodes && was.Nodes == was.FutureNodes:
			groups = append(groups, fmt.Sprintf("%s: %d nodes instead of %d", ng.Name, ng.Nodes, was.Nodes))
		case ng.Nodes < was.Nodes:
			groups = append(groups, fmt.Sprintf("%s: %d future nodes instead of %d, %d today instead of %d", ng.Name, ng.FutureNodes, was.FutureNodes, ng.Nodes, was.Nodes))
		default:
			groups = append(groups, fmt.Sprintf("%s: %d future nodes instead of %d", ng.Name, ng.FutureNodes, was.FutureNodes))
		}
	}
	return "fewer nodes (" + strings.Join(groups, "; ") + ")", true
}

// nextVPCBlock is the first /16 (or smaller, down to /20) clear of taken
// that may be associated beside the VPC's primary block: in the primary's
// own private range, else in 100.64.0.0/10.
func nextVPCBlock(primary netip.Prefix, taken []netip.Prefix) (netip.Prefix, bool) {
	var ranges []netip.Prefix
	switch vpc.Classify(primary) {
	case vpc.ClassTen:
		ranges = append(ranges, vpc.RFC1918Ten)
	case vpc.ClassOneSevTwo:
		ranges = append(ranges, vpc.RFC1918OneSev)
	case vpc.ClassNineTwo:
		ranges = append(ranges, vpc.RFC1918Nine)
	}
	ranges = append(ranges, vpc.CGNAT)
	for _, r := range ranges {
		for bits := vpc.LargestBits; bits <= 20; bits++ {
			space, err := vpc.NewSpace([]netip.Prefix{r}, taken)
			if err != nil {
				return netip.Prefix{}, false
			}
			for range 64 {
				p, ok := space.AllocateLowest(bits)
				if !ok {
					break
				}
				if vpc.CheckAssociation(taken, p) == nil {
					return p, true
				}
			}
		}
	}
	return netip.Prefix{}, false
}

// cloneFile copies the parts of a file the changes above modify.
func cloneFile(f File) File {
	g := f
	g.VPC.CIDRs = slices.Clone(f.VPC.CIDRs)
	g.CNI.SecondaryCIDRs = slices.Clone(f.CNI.SecondaryCIDRs)
	g.NodeGroups = slices.Clone(f.NodeGroups)
	return g
}
