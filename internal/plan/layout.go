package plan

import (
	"fmt"
	"math/bits"
	"net/netip"
	"slices"

	"github.com/eksnet/eksnet/internal/capacity"
	"github.com/eksnet/eksnet/internal/cni"
	"github.com/eksnet/eksnet/internal/prose"
	"github.com/eksnet/eksnet/internal/subnet"
	"github.com/eksnet/eksnet/internal/vpc"
)

// clusterAddresses is what a cluster subnet must have free: EKS places 2-4
// ENIs there and asks for at least 6 free addresses (docs/vpc-rules.md).
const clusterAddresses = vpc.MinClusterFree

// usable is the usable addresses of a /bits subnet: its size less 5 (docs/vpc-rules.md).
func usable(bits int) int { return subnet.PrefixLen(bits).Usable() }

const podPoolName = "the secondary blocks"

// pool is address space subnets are carved from: the VPC's blocks, or the
// secondary blocks that hold pod subnets with custom networking.
type pool struct {
	name   string // "the VPC's blocks" or "the secondary blocks"
	blocks []netip.Prefix
	space  *vpc.Space
	free   uint64 // before carving
	need   uint64 // sum of the blocks carved or asked for
}

// miss is one subnet the plan could not place: no free block for it in its
// pool, or (sized set) one that no block could hold: a subnet beyond a /16,
// or an adopted subnet too small.
type miss struct {
	az      string
	role    Role
	bits    int
	pool    *pool
	largest int // largest free block left when it missed, -1 for none
	sized   *sizeMiss
}

// sizeMiss is a subnet too large for any /16, or an adopted one too small:
// what it needs and by how much it falls short.
type sizeMiss struct {
	adopted netip.Prefix // the adopted subnet; invalid for one beyond a /16
	usable  int          // of the adopted subnet, or of the /16s allowed
	needed  int          // planned (with headroom) beyond a /16, else the future demand
	short   int
	subnets int // the /16s allowed: 1, or capacity.MaxDiscoveredSubnetsPerAZ discovered pod subnets
	// drawsFrom: discovered pod subnets that fit, but none keeps more free
	// addresses than the node subnet (usable is the node subnet's).
	drawsFrom bool
}

type missReport struct {
	misses []miss
	pools  []*pool
}

// onlyPodPoolShort reports whether every miss is a pod subnet without room
// in the secondary blocks, which more blocks would give; any other miss
// stays whatever blocks are added.
func (r *missReport) onlyPodPoolShort() bool {
	return len(r.misses) > 0 && !slices.ContainsFunc(r.misses, func(x miss) bool { return x.role != RolePod || x.sized != nil || x.pool.name != podPoolName })
}

// pending is one AZ's subnet of a role, sized, before it is carved.
type pending struct {
	sub     Subnet
	bits    int
	rd      *capacity.RoleDemand
	subnets int // the AZ's subnets of the role that share rd (discovered pod subnets)
}

// nodeSubnet is what the pod subnets of an AZ are weighed against with
// subnet discovery: the node subnet's usable addresses and its future demand.
type nodeSubnet struct {
	usable int
	future subnet.Need
}

// sizeDemand sizes an AZ's subnets of a role sized by its nodes' demand:
// how many (several only for discovered pod subnets, which are weighed
// against the AZ's node subnet) and of what prefix length, or why no block
// can hold them.
func sizeDemand(rd capacity.RoleDemand, discoveredPods bool, node nodeSubnet, headroomPct int) (count, bits int, short *sizeMiss) {
	if discoveredPods {
		shape, sh := capacity.DiscoveredSubnets(rd, node.usable, node.future, headroomPct)
		if sh != nil {
			return 0, 0, &sizeMiss{usable: sh.Usable, needed: sh.Needed, short: sh.Short, subnets: sh.Subnets, drawsFrom: sh.DrawsFrom}
		}
		return shape.Subnets, int(shape.Prefix), nil
	}
	p, err := rd.Recommend(headroomPct)
	if err != nil {
		planned := rd.Future.WithHeadroom(headroomPct)
		return 0, 0, &sizeMiss{usable: subnet.Largest.Usable(), needed: planned.Total(), short: planned.Over(subnet.Largest), subnets: 1}
	}
	return 1, int(p), nil
}

// carveAligned carves a role's subnets as one aligned block, so that one
// route or firewall rule covers them (layout aligned, the default): the
// smallest aligned block holding them all, carved best fit from the pool,
// then split largest first, which packs power-of-two sizes without a gap.
// It carves nothing, and the caller carves each subnet best fit, when the
// layout is bestFit, when a subnet of the role is adopted or the role has
// one subnet, or when no free block is that large.
func carveAligned(layout string, from *pool, todo []pending) (block netip.Prefix, tried, ok bool) {
	if layout != LayoutAligned || len(todo) < 2 || slices.ContainsFunc(todo, func(p pending) bool { return p.sub.Existing }) {
		return netip.Prefix{}, false, false
	}
	var total uint64
	for _, p := range todo {
		total += vpc.BlockSize(p.bits)
	}
	blockBits := 32 - bits.Len64(total-1)
	block, ok = from.space.Allocate(blockBits)
	if !ok {
		return netip.Prefix{}, true, false
	}
	inner, err := vpc.NewSpace([]netip.Prefix{block}, nil)
	if err != nil {
		return netip.Prefix{}, true, false
	}
	order := make([]int, len(todo))
	for i := range order {
		order[i] = i
	}
	slices.SortStableFunc(order, func(a, b int) int { return todo[a].bits - todo[b].bits })
	for _, i := range order {
		p, ok := inner.AllocateLowest(todo[i].bits)
		if !ok { // cannot happen: sizes that sum to at most the block pack into it
			return netip.Prefix{}, true, false
		}
		todo[i].sub.CIDR = p.String()
	}
	return block, true, true
}

// layout carves the subnets. Stability: requests are carved one at a time
// in a fixed order, by role (cluster, public, node, pod) and within a role
// by AZ in the order of azs, each taking the best-fit free block as it
// stands after the earlier ones (vpc.Space.Allocate). An allocation depends
// only on the free space and the requests before it, never on later ones;
// the fixed-size subnets come first, so node groups, which size only the
// node and pod subnets, never move them; and a node group that fits in the
// headroom changes no size at all. Once created, subnets listed under
// vpc.existingSubnets with their role are adopted as they are and never move.
// With subnet discovery an AZ may get several pod subnets
// (capacity.DiscoveredSubnets); an IPv6 cluster's subnets then get their
// /64s (layoutIPv6).
func layout(s *Spec, d *demands) (*Result, *missReport, error) {
	f := s.File
	var existing []netip.Prefix
	adopted := map[string]Existing{}
	for _, e := range s.Existing {
		existing = append(existing, e.Prefix)
		if e.Role != "" {
			adopted[e.AZ+"/"+string(e.Role)] = e
		}
	}
	vpcBlocks := slices.DeleteFunc(slices.Clone(s.Blocks), func(b netip.Prefix) bool { return slices.Contains(s.PodBlocks, b) })
	vpcPool, err := newPool("the VPC's blocks", vpcBlocks, existing)
	if err != nil {
		return nil, nil, err
	}
	podPool := vpcPool
	pools := []*pool{vpcPool}
	if s.CNI.HasPodSubnet() && len(s.PodBlocks) > 0 {
		if podPool, err = newPool(podPoolName, s.PodBlocks, existing); err != nil {
			return nil, nil, err
		}
		pools = append(pools, podPool)
	}
	discovered := s.CNI.PodsInDiscoveredSubnets()

	env, err := cniEnv(s.CNI)
	if err != nil {
		return nil, nil, err
	}
	res := &Result{
		Region: f.Region, VPCID: f.VPC.ID, VPCCIDRs: prefixStrings(s.Blocks),
		SecondaryCIDRs: prefixStrings(s.PodBlocks), CIDRBlocksToAssociate: prefixStrings(s.NewBlocks),
		AZs: f.AZs, Subnets: []Subnet{}, OtherSubnets: []OtherSubnet{}, Reservations: []Reservation{}, SummaryRoutes: []SummaryRoute{},
		NodeGroups: d.groups, CNI: env, Growth: f.Growth, HeadroomPercent: s.HeadroomPct,
		Warnings: append([]string{}, s.Warnings...), Notes: []string{},
	}
	var tagged []string
	for _, e := range s.Existing {
		if e.Role == "" {
			res.OtherSubnets = append(res.OtherSubnets, OtherSubnet{CIDR: e.Prefix.String(), AZ: e.AZ, ID: e.ID})
			if e.DiscoveryTagged && slices.Contains(f.AZs, e.AZ) {
				tagged = append(tagged, fmt.Sprintf("%s (%s)", e.Prefix, e.AZ))
			}
		}
	}
	if len(tagged) > 0 && s.CNI.DiscoversSubnets() && !s.CNI.CustomNetworking && !s.CNI.IsIPv6() && !s.CNI.IsWindows() {
		res.Warnings = append(res.Warnings, fmt.Sprintf("%s %s tagged %s: subnet discovery may create the nodes' secondary ENIs there, which this plan does not count; the node and pod subnets it sizes hold the demand without them",
			prose.Count(len(tagged), "existing subnet", "existing subnets"), prose.JoinAnd(tagged), cni.SubnetDiscoveryTag))
	}
	switch {
	case s.CNI.CustomNetworking:
		res.PodSubnets = PodSubnetsENIConfig
	case discovered:
		res.PodSubnets = PodSubnetsDiscovered
	}
	switch {
	case s.IPv6 != nil:
		res.Notes = append(res.Notes, "an IPv6 cluster's service range is a unique local block EKS assigns itself")
	case !s.ServiceGiven:
		res.ServiceCIDR = s.ServiceCIDR.String()
		res.Notes = append(res.Notes, fmt.Sprintf("serviceCIDR not given: EKS will choose %s, the first of its defaults clear of the VPC", s.ServiceCIDR))
	default:
		res.ServiceCIDR = s.ServiceCIDR.String()
	}
	if s.CNI.HasPodSubnet() && len(s.PodBlocks) == 0 {
		res.Warnings = append(res.Warnings, fmt.Sprintf("%s without a secondary block: pod subnets are carved from the VPC's blocks (cni.secondaryCIDR: auto takes CG-NAT space instead)", res.PodSubnets))
	}
	report := &missReport{pools: pools}
	carved := 0
	nodes := map[string]nodeSubnet{} // per AZ, for the discovered pod subnets
	for _, role := range Roles {
		if role == RolePod && !s.CNI.HasPodSubnet() || role == RolePublic && *f.Subnets.Public == 0 {
			continue
		}
		from := vpcPool
		if role == RolePod {
			from = podPool
		}
		// First each AZ's subnets of this role, sized (or adopted); then the
		// carving, as one aligned block when the layout asks for it.
		var todo []pending
		for _, az := range f.AZs {
			sub := Subnet{AZ: az, Role: role, Name: az + "-" + string(role), Tags: roleTags(role, discovered)}
			var bits int
			count := 1
			var rd *capacity.RoleDemand
			switch role {
			case RoleCluster:
				bits = *f.Subnets.Cluster
				sub.AddressesNeeded, sub.AddressesNeededFuture, sub.AddressesPlanned = clusterAddresses, clusterAddresses, clusterAddresses
			case RolePublic:
				bits = *f.Subnets.Public
			default:
				rd = d.perAZ[az][role]
				_, isAdopted := adopted[az+"/"+string(role)]
				var short *sizeMiss
				if count, bits, short = sizeDemand(*rd, role == RolePod && discovered && !isAdopted, nodes[az], s.HeadroomPct); short != nil {
					report.misses = append(report.misses, miss{az: az, role: role, pool: from, largest: -1, sized: short})
					continue
				}
				now, future := rd.Now.Share(count), rd.Future.Share(count)
				sub.AddressesNeeded, sub.AddressesNeededFuture = now.Total(), future.Total()
				sub.PrefixesNeededFuture = future.Blocks
				sub.Nodes, sub.FutureNodes = rd.Nodes, rd.FutureNodes
				sub.AddressesPlanned = future.WithHeadroom(s.HeadroomPct).Total()
			}
			if e, ok := adopted[az+"/"+string(role)]; ok {
				sub.CIDR, sub.ID, sub.Existing = e.Prefix.String(), e.ID, true
				bits = e.Prefix.Bits()
				sub.UsableAddresses = usable(bits)
				if rd != nil && !rd.Future.FitsIn(subnet.PrefixLen(bits)) || role == RoleCluster && sub.UsableAddresses < clusterAddresses {
					need := subnet.Need{Addresses: clusterAddresses}
					if rd != nil {
						need = rd.Future
					}
					report.misses = append(report.misses, miss{az: az, role: role, pool: from, largest: -1, sized: &sizeMiss{
						adopted: e.Prefix, usable: sub.UsableAddresses, needed: sub.AddressesNeededFuture,
						short: need.Over(subnet.PrefixLen(bits)), subnets: 1}})
					continue
				}
			} else {
				from.need += vpc.BlockSize(bits) * uint64(count)
			}
			if role == RoleNode {
				nodes[az] = nodeSubnet{usable: usable(bits), future: rd.Future}
			}
			for i := range count {
				p := pending{sub: sub, bits: bits, rd: rd, subnets: count}
				if i > 0 {
					p.sub.Name = fmt.Sprintf("%s-%d", sub.Name, i+1)
				}
				todo = append(todo, p)
			}
		}
		switch block, tried, ok := carveAligned(f.Layout, from, todo); {
		case ok:
			res.SummaryRoutes = append(res.SummaryRoutes, SummaryRoute{Role: role, CIDR: block.String()})
		case tried:
			res.Notes = append(res.Notes, fmt.Sprintf("the %s subnets are carved one by one: no free block holds them as one aligned block", role))
		}
		for i := range todo {
			sub, bits, rd := &todo[i].sub, todo[i].bits, todo[i].rd
			if sub.CIDR == "" {
				p, ok := from.space.Allocate(bits)
				if !ok {
					largest, ok := from.space.Largest()
					if !ok {
						largest = -1
					}
					report.misses = append(report.misses, miss{az: sub.AZ, role: role, bits: bits, pool: from, largest: largest})
					continue
				}
				sub.CIDR = p.String()
			}
			if !sub.Existing {
				carved++
				sub.UsableAddresses = usable(bits)
			}
			if rd != nil && s.Growth.Monthly() && !s.Growth.IsZero() && sub.AddressesNeeded > 0 {
				if months, ok := rd.RunwayShared(subnet.PrefixLen(bits), todo[i].subnets, s.Growth, subnet.RunwayHorizonMonths); ok {
					sub.RunwayMonths = &months
				}
			}
			res.Subnets = append(res.Subnets, *sub)
		}
	}
	if len(report.misses) > 0 {
		return nil, report, nil
	}
	if err := vpc.CheckSubnetQuota(len(s.Existing), carved, f.VPC.SubnetQuota); err != nil {
		return nil, nil, fmt.Errorf("%w: set vpc.subnetQuota once it is raised", err)
	}
	if s.IPv6 != nil {
		if err := layoutIPv6(s, res); err != nil {
			return nil, nil, err
		}
	}
	// Prefix reservations: the future nodes' /28s in each subnet that
	// delegates prefixes (docs/vpc-rules.md: nodes × prefixes per node × 16).
	for _, sub := range res.Subnets {
		if sub.PrefixesNeededFuture == 0 {
			continue
		}
		cidr := netip.MustParsePrefix(sub.CIDR)
		got, err := vpc.ReservePrefixes(cidr, sub.PrefixesNeededFuture, nil)
		if err != nil {
			return nil, nil, fmt.Errorf("the %s subnet %s of %s cannot hold its prefix reservation: %w", sub.Role, cidr, sub.AZ, err)
		}
		slices.SortFunc(got, func(a, b netip.Prefix) int { return a.Addr().Compare(b.Addr()) })
		for _, r := range got {
			res.Reservations = append(res.Reservations, Reservation{AZ: sub.AZ, SubnetCIDR: sub.CIDR, CIDR: r.String(), Type: "prefix"})
		}
	}
	return res, nil, nil
}

func newPool(name string, blocks, used []netip.Prefix) (*pool, error) {
	space, err := vpc.NewSpace(blocks, used)
	if err != nil {
		return nil, err
	}
	return &pool{name: name, blocks: blocks, space: space, free: space.Free()}, nil
}

func prefixStrings(ps []netip.Prefix) []string {
	out := make([]string, len(ps))
	for i, p := range ps {
		out[i] = p.String()
	}
	return out
}

// layoutIPv6 gives every subnet of an IPv6 cluster's plan a /64 of the VPC's
// IPv6 block (docs/vpc-rules.md "IPv6"): an existing subnet keeps its own;
// the others take the lowest free /64s in the order the subnets are listed,
// by index, and by CIDR once the block is known. Each node takes one /80 of
// its node subnet's /64, and each of its ENIs' IPv6 addresses may spoil one
// more, so a /64 holds at least 65,534 / 2 nodes of one ENI. It then says
// which IPv4 the cluster still needs.
func layoutIPv6(s *Spec, res *Result) error {
	v6 := s.IPv6
	capacity := vpc.IPv6SubnetsIn(v6.Bits)
	used := make([]bool, capacity)
	own := map[string]netip.Prefix{}
	for _, e := range s.Existing {
		if !e.IPv6.IsValid() {
			continue
		}
		own[e.Prefix.String()] = e.IPv6
		first, count, _ := vpc.IPv6SubnetIndexes(v6.Block, e.IPv6)
		for i := first; i < first+count && i < capacity; i++ {
			used[i] = true
		}
	}
	taken := 0
	for _, u := range used {
		if u {
			taken++
		}
	}
	next, needed, missing := 0, 0, 0
	for i := range res.Subnets {
		sub := &res.Subnets[i]
		if p, ok := own[sub.CIDR]; ok && sub.Existing {
			first, _, _ := vpc.IPv6SubnetIndexes(v6.Block, p)
			sub.IPv6Index, sub.IPv6CIDR = &first, p.String()
		} else {
			for next < capacity && used[next] {
				next++
			}
			needed++
			if next == capacity {
				missing++
				continue
			}
			used[next] = true
			index := next
			sub.IPv6Index = &index
			if v6.Block.IsValid() {
				p, _ := vpc.NthIPv6Subnet(v6.Block, index)
				sub.IPv6CIDR = p.String()
			}
		}
		if sub.Role == RoleNode {
			sub.IPv6PrefixesNeededFuture = sub.FutureNodes
			// Worst case: every ENI address of the AZ's nodes in a /80 of its own.
			if worst := sub.FutureNodes + sub.AddressesNeededFuture; worst > vpc.NodePrefixesPerIPv6Subnet {
				return fmt.Errorf("the node subnet of %s needs %d /80 prefixes at the future size, and its ENIs' addresses may spoil %d more: a /64 has %d to delegate",
					sub.AZ, sub.FutureNodes, sub.AddressesNeededFuture, vpc.NodePrefixesPerIPv6Subnet)
			}
		}
	}
	if missing > 0 {
		return fmt.Errorf("the VPC's IPv6 block (a /%d) holds %d /64 subnets, %d of them taken: the plan needs %d more, %d short (a larger block from IPAM: vpc.ipv6CIDR)",
			v6.Bits, capacity, taken, needed, missing)
	}
	r := &IPv6Result{
		AmazonProvided: v6.AmazonProvided, BlockPrefixLength: v6.Bits, SubnetPrefixLength: vpc.IPv6SubnetBits,
		NodePrefixLength: vpc.IPv6NodePrefixBits, SubnetsInBlock: capacity, IPv4StillNeeded: []IPv4Need{},
	}
	if v6.Block.IsValid() {
		r.VPCBlock = v6.Block.String()
	}
	most := map[Role]int{}
	for _, sub := range res.Subnets {
		most[sub.Role] = max(most[sub.Role], sub.AddressesNeededFuture)
	}
	for _, n := range []struct {
		role   Role
		reason IPv4Reason
	}{{RoleNode, IPv4ForNodes}, {RoleCluster, IPv4ForControlPlane}, {RolePublic, IPv4ForEdge}} {
		if _, ok := most[n.role]; ok {
			r.IPv4StillNeeded = append(r.IPv4StillNeeded, IPv4Need{Role: n.role, AddressesFuture: most[n.role], Reason: n.reason})
		}
	}
	res.IPv6 = r
	return nil
}
