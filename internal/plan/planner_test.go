package plan

import (
	"errors"
	"fmt"
	"math/rand/v2"
	"net/netip"
	"os"
	"slices"
	"strings"
	"sync"
	"testing"

	"github.com/eksnet/eksnet/internal/fuzzbound"

	"github.com/eksnet/eksnet/internal/cni"
	"github.com/eksnet/eksnet/internal/limits"
	"github.com/eksnet/eksnet/internal/subnet"
	"github.com/eksnet/eksnet/internal/vpc"
)

var (
	tableOnce sync.Once
	testTable *limits.Table
)

func embedded(t testing.TB) *limits.Table {
	t.Helper()
	tableOnce.Do(func() {
		var err error
		if testTable, err = limits.Embedded(); err != nil {
			panic(err)
		}
	})
	return testTable
}

func buildFile(t *testing.T, f File) (*Result, error) {
	t.Helper()
	Default(&f)
	spec, err := Validate(f)
	if err != nil {
		t.Fatalf("invalid plan: %v", err)
	}
	return Build(spec, embedded(t))
}

func exampleFile(t *testing.T) File {
	t.Helper()
	f, err := Decode(readFixture(t, "valid-example.yaml"), "yaml")
	if err != nil {
		t.Fatal(err)
	}
	return f
}

// The example. m5.large and m5.xlarge both get max pods 110
// (prefixes, one ENI fewer, capped), so 108 pods. docs/node-addresses.md: P = min(ceil(108/16)
// + 1, ENIs × slots, ceil(110/16)) = 7 prefixes on 1 pool ENI: 7 /28s and 1
// ENI primary in the pod subnet (113 addresses), the node address in the
// node subnet. Per AZ, with the default surge of 2: 60/3 + 2 = 22 nodes
// today, 150/3 + 2 = 52 at the future size: 52 addresses and 364 /28s, with
// 25% headroom 65 and 455, which need 455 + ceil((65 − 27)/16) = 458 free
// /28s: a /19 (510). Node subnets: 52 addresses, 65 with headroom: a /25 (123).
func TestBuildExample(t *testing.T) {
	res, err := buildFile(t, exampleFile(t))
	if err != nil {
		t.Fatal(err)
	}
	// Aligned (the default): each role's three subnets in one block, carved
	// best fit around the existing 10.0.0.0/20 and 10.0.64.0/24: three /28s in
	// a /26, three /24s in a /22, three /25s in a /23, three /19s in a /17.
	want := []string{
		"us-west-2a cluster 10.0.65.0/28", "us-west-2b cluster 10.0.65.16/28", "us-west-2c cluster 10.0.65.32/28",
		"us-west-2a public 10.0.68.0/24", "us-west-2b public 10.0.69.0/24", "us-west-2c public 10.0.70.0/24",
		"us-west-2a node 10.0.66.0/25", "us-west-2b node 10.0.66.128/25", "us-west-2c node 10.0.67.0/25",
		"us-west-2a pod 100.64.0.0/19", "us-west-2b pod 100.64.32.0/19", "us-west-2c pod 100.64.64.0/19",
	}
	var got []string
	for _, s := range res.Subnets {
		got = append(got, fmt.Sprintf("%s %s %s", s.AZ, s.Role, s.CIDR))
	}
	if !slices.Equal(got, want) {
		t.Errorf("subnets\n got %q\nwant %q", got, want)
	}
	if routes := fmt.Sprint(res.SummaryRoutes); routes != "[{cluster 10.0.65.0/26} {public 10.0.68.0/22} {node 10.0.66.0/23} {pod 100.64.0.0/17}]" {
		t.Errorf("summary routes %s", routes)
	}
	// Best fit: each subnet on its own in the smallest free block.
	bestFit := exampleFile(t)
	bestFit.Layout = LayoutBestFit
	scattered, err := buildFile(t, bestFit)
	if err != nil {
		t.Fatal(err)
	}
	got = got[:0]
	for _, s := range scattered.Subnets {
		got = append(got, fmt.Sprintf("%s %s %s", s.AZ, s.Role, s.CIDR))
	}
	if want := []string{
		"us-west-2a cluster 10.0.65.0/28", "us-west-2b cluster 10.0.65.16/28", "us-west-2c cluster 10.0.65.32/28",
		"us-west-2a public 10.0.66.0/24", "us-west-2b public 10.0.67.0/24", "us-west-2c public 10.0.68.0/24",
		"us-west-2a node 10.0.65.128/25", "us-west-2b node 10.0.69.0/25", "us-west-2c node 10.0.69.128/25",
		"us-west-2a pod 100.64.0.0/19", "us-west-2b pod 100.64.32.0/19", "us-west-2c pod 100.64.64.0/19",
	}; !slices.Equal(got, want) || len(scattered.SummaryRoutes) != 0 {
		t.Errorf("best fit subnets\n got %q\nwant %q, routes %v", got, want, scattered.SummaryRoutes)
	}
	pod := res.Subnets[9]
	if pod.UsableAddresses != 8187 || pod.AddressesNeeded != 22*113 || pod.AddressesNeededFuture != 52*113 ||
		pod.AddressesPlanned != 65+455*16 || pod.PrefixesNeededFuture != 364 || pod.Nodes != 22 || pod.FutureNodes != 52 {
		t.Errorf("pod subnet %+v", pod)
	}
	// Runway at 5%/month from 60 nodes: a /19 holds 72 nodes per AZ
	// (7 × 72 + ceil((72 − 27)/16) = 507 of 510 /28s), so ceil(n/3) + 2 ≤ 72,
	// n ≤ 210; ceil(60 × 1.05^26) = 214 first exceeds it (month 25: 204). A
	// /25 node subnet holds 123 nodes, n ≤ 363; ceil(60 × 1.05^37) = 366
	// first exceeds it (month 36: 348).
	if pod.RunwayMonths == nil || *pod.RunwayMonths != 26 {
		t.Errorf("pod runway %v", pod.RunwayMonths)
	}
	node := res.Subnets[6]
	if node.UsableAddresses != 123 || node.AddressesNeeded != 22 || node.AddressesNeededFuture != 52 || node.AddressesPlanned != 65 ||
		node.PrefixesNeededFuture != 0 || node.RunwayMonths == nil || *node.RunwayMonths != 37 {
		t.Errorf("node subnet %+v", node)
	}
	// 364 /28s in 100.64.0.0/19 = 128 + 128 + 64 + 32 + 8 + 4, in address order.
	var resv []string
	for _, r := range res.Reservations {
		if r.SubnetCIDR == "100.64.0.0/19" {
			resv = append(resv, r.CIDR)
		}
		if r.Type != "prefix" {
			t.Errorf("reservation type %q", r.Type)
		}
	}
	if want := []string{"100.64.0.64/26", "100.64.0.128/25", "100.64.2.0/23", "100.64.4.0/22", "100.64.8.0/21", "100.64.16.0/21"}; !slices.Equal(resv, want) {
		t.Errorf("reservations in 100.64.0.0/19: %v, want %v", resv, want)
	}
	if len(res.Reservations) != 18 {
		t.Errorf("%d reservations, want 6 in each of 3 pod subnets", len(res.Reservations))
	}
	if g := res.NodeGroups[0]; g.MaxPods != 110 || g.PodsPerNode != 108 || g.PerNode.PodSubnetAddresses != 113 || g.PerNode.NodeSubnetAddresses != 1 || g.PerNode.Prefixes != 7 {
		t.Errorf("node group %+v", g)
	}
	if res.CNI.KubectlSetEnv != "kubectl set env daemonset aws-node -n kube-system AWS_VPC_K8S_CNI_CUSTOM_NETWORK_CFG=true ENI_CONFIG_LABEL_DEF=topology.kubernetes.io/zone ENABLE_PREFIX_DELEGATION=true WARM_PREFIX_TARGET=1" {
		t.Errorf("kubectl line %q", res.CNI.KubectlSetEnv)
	}
	if !slices.Equal(res.SecondaryCIDRs, []string{"100.64.0.0/16"}) || !slices.Equal(res.CIDRBlocksToAssociate, []string{"100.64.0.0/16"}) || res.ServiceCIDR != "10.100.0.0/16" {
		t.Errorf("blocks %v %v %s", res.SecondaryCIDRs, res.CIDRBlocksToAssociate, res.ServiceCIDR)
	}
	checkResult(t, exampleFile(t), res)
}

// checkResult asserts the plan's invariants: no subnet overlaps another or an
// existing one; each is aligned and inside a block of its pool; usable is
// size − 5; it holds its future demand; reservations lie inside their subnet,
// clear of its first and last /28 and of each other, and hold its /28s.
func checkResult(t *testing.T, f File, res *Result) {
	t.Helper()
	Default(&f)
	spec, err := Validate(f)
	if err != nil {
		t.Fatal(err)
	}
	var named []vpc.Named
	for _, e := range spec.Existing {
		named = append(named, vpc.Named{Name: "existing " + e.Prefix.String(), Prefix: e.Prefix})
	}
	for _, s := range res.Subnets {
		p := netip.MustParsePrefix(s.CIDR)
		if s.Existing {
			continue
		}
		named = append(named, vpc.Named{Name: fmt.Sprintf("%s %s %s", s.AZ, s.Role, p), Prefix: p})
		if p != p.Masked() {
			t.Errorf("%s is not aligned", p)
		}
		// The result's own blocks: "auto" may have taken more /16s than the file's one.
		parents := spec.Blocks
		if pods := parsePrefixes(t, res.SecondaryCIDRs); s.Role == RolePod && len(pods) > 0 {
			parents = pods
		}
		if !slices.ContainsFunc(parents, func(b netip.Prefix) bool { return vpc.Within(p, b) }) {
			t.Errorf("%s subnet %s lies outside %v", s.Role, p, parents)
		}
		if s.UsableAddresses != int(vpc.BlockSize(p.Bits()))-5 {
			t.Errorf("%s: usable %d, want size − 5", p, s.UsableAddresses)
		}
		future := subnet.Need{Addresses: s.AddressesNeededFuture - 16*s.PrefixesNeededFuture, Blocks: s.PrefixesNeededFuture}
		if !future.FitsIn(subnet.PrefixLen(p.Bits())) || s.AddressesNeededFuture > s.UsableAddresses || s.AddressesNeeded > s.AddressesNeededFuture {
			t.Errorf("%s: needs %d now and %d in future, holds %d", p, s.AddressesNeeded, s.AddressesNeededFuture, s.UsableAddresses)
		}
		reserved := 0
		for _, r := range res.Reservations {
			if r.SubnetCIDR != s.CIDR {
				continue
			}
			rp := netip.MustParsePrefix(r.CIDR)
			head := netip.PrefixFrom(p.Addr(), 28)
			if !vpc.Within(rp, p) || rp.Overlaps(head) || rp != rp.Masked() || rp.Bits() > 28 {
				t.Errorf("reservation %s misplaced in %s", rp, p)
			}
			reserved += int(vpc.BlockSize(rp.Bits()) / 16)
		}
		if reserved != s.PrefixesNeededFuture {
			t.Errorf("%s: %d /28s reserved, %d needed", p, reserved, s.PrefixesNeededFuture)
		}
		// What is not delegated as prefixes must fit beside the reservation.
		if s.AddressesNeededFuture-16*s.PrefixesNeededFuture > s.UsableAddresses-16*reserved {
			t.Errorf("%s: %d other addresses do not fit beside %d reserved /28s", p, s.AddressesNeededFuture-16*s.PrefixesNeededFuture, reserved)
		}
	}
	if a, b, ok := vpc.FirstOverlap(named); ok {
		t.Errorf("%s overlaps %s", a.Name, b.Name)
	}
	if res.PodSubnets == PodSubnetsDiscovered {
		checkDiscovered(t, res)
	}
	if spec.CNI.IsIPv6() {
		seen := map[int]bool{}
		for _, s := range res.Subnets {
			if s.IPv6Index == nil || seen[*s.IPv6Index] || *s.IPv6Index >= res.IPv6.SubnetsInBlock {
				t.Errorf("%s: IPv6 index %v repeated or missing", s.Name, s.IPv6Index)
				continue
			}
			seen[*s.IPv6Index] = true
		}
	}
	var resv []vpc.Named
	for _, r := range res.Reservations {
		resv = append(resv, vpc.Named{Name: r.CIDR, Prefix: netip.MustParsePrefix(r.CIDR)})
	}
	if a, b, ok := vpc.FirstOverlap(resv); ok {
		t.Errorf("reservations %s and %s overlap", a.Name, b.Name)
	}
}

// checkDiscovered asserts what subnet discovery needs of a plan: every pod
// subnet tagged for discovery; and, as ipamd puts each secondary ENI in the
// candidate subnet with the most free addresses, every pod subnet with more
// free addresses than its AZ's node subnet, empty and at the future size.
func checkDiscovered(t *testing.T, res *Result) {
	t.Helper()
	node := map[string]Subnet{}
	for _, s := range res.Subnets {
		if s.Role == RoleNode {
			node[s.AZ] = s
		}
	}
	names := map[string]bool{}
	for _, s := range res.Subnets {
		if names[s.Name] {
			t.Errorf("subnet name %s used twice", s.Name)
		}
		names[s.Name] = true
		if s.Role != RolePod || s.Existing {
			continue
		}
		if s.Tags[cni.SubnetDiscoveryTag] != "1" {
			t.Errorf("pod subnet %s has tags %v, want %s=1", s.CIDR, s.Tags, cni.SubnetDiscoveryTag)
		}
		n := node[s.AZ]
		if s.UsableAddresses <= n.UsableAddresses || s.UsableAddresses-s.AddressesNeededFuture <= n.UsableAddresses-n.AddressesNeededFuture {
			t.Errorf("pod subnet %s (%d usable, %d at future) does not draw ENIs from node subnet %s (%d usable, %d at future)",
				s.CIDR, s.UsableAddresses, s.AddressesNeededFuture, n.CIDR, n.UsableAddresses, n.AddressesNeededFuture)
		}
	}
}

func parsePrefixes(t *testing.T, cidrs []string) []netip.Prefix {
	t.Helper()
	var out []netip.Prefix
	for _, c := range cidrs {
		out = append(out, netip.MustParsePrefix(c))
	}
	return out
}

// Property: random VPCs, existing subnets and node groups; every plan that
// is laid out keeps the invariants, and every one that is not says by how much.
func TestBuildProperties(t *testing.T) {
	r := rand.New(rand.NewPCG(11, 12))
	laid, missed := 0, 0
	for trial := range 300 {
		f := randomPlan(r)
		res, err := buildFile(t, f)
		var nofit *NoFitError
		switch {
		case errors.As(err, &nofit):
			missed++
			if nofit.Short <= 0 || !strings.Contains(err.Error(), " short") {
				t.Errorf("trial %d: no fit without a shortfall: %v", trial, err)
			}
			continue
		case err != nil:
			t.Fatalf("trial %d: %v", trial, err)
		}
		laid++
		checkResult(t, f, res)
	}
	if laid < 50 || missed < 20 {
		t.Errorf("only %d plans laid out and %d that do not fit: the generator needs tuning", laid, missed)
	}
}

func randomPlan(r *rand.Rand) File {
	bits := 16 + r.IntN(7)
	base := netip.AddrFrom4([4]byte{10, byte(r.IntN(256)), 0, 0})
	block, _ := base.Prefix(bits)
	azs := []string{"us-west-2a", "us-west-2b", "us-west-2c", "us-west-2d"}[:2+r.IntN(3)]
	f := File{Region: "us-west-2", AZs: azs, VPC: VPC{CIDRs: []string{block.String()}}, CNI: CNI{Config: cni.DefaultConfig()}}
	// Existing subnets: a few random aligned ones inside the block.
	space, _ := vpc.NewSpace([]netip.Prefix{block}, nil)
	for range r.IntN(6) {
		if p, ok := space.Allocate(bits + 2 + r.IntN(28-bits-1)); ok {
			f.VPC.ExistingSubnets = append(f.VPC.ExistingSubnets, ExistingSubnet{CIDR: p.String(), AZ: azs[r.IntN(len(azs))]})
		}
	}
	f.CNI.PrefixDelegation = r.IntN(2) == 0
	switch r.IntN(4) {
	case 3: // IPv6: Nitro types only, no pod subnets
		f.CNI.IPFamily = cni.IPv6
	case 0: // custom networking
		f.CNI.CustomNetworking = true
		f.CNI.SecondaryCIDR = []string{Auto, "100.64.0.0/16", "100.70.0.0/17", "100.99.128.0/20"}[r.IntN(4)]
	case 1: // subnet discovery: tagged pod subnets in the secondary block
		f.CNI.SecondaryCIDR = []string{Auto, "100.64.0.0/16", "100.70.0.0/17", "100.99.128.0/20"}[r.IntN(4)]
	}
	types := []string{"m5.large", "m5.xlarge", "c5.4xlarge", "t3.medium", "m4.xlarge"}
	if f.CNI.IsIPv6() {
		types = types[:4]
	}
	for i := range 1 + r.IntN(3) {
		nodes := 1 + r.IntN(60)
		f.NodeGroups = append(f.NodeGroups, NodeGroup{
			Name: fmt.Sprintf("g%d", i), InstanceTypes: []string{types[r.IntN(len(types))]},
			Nodes: nodes, FutureNodes: nodes + r.IntN(200),
		})
	}
	f.Headroom = fmt.Sprintf("%d%%", r.IntN(50))
	return f
}

func TestBuildDoesNotFit(t *testing.T) {
	f := exampleFile(t)
	// 202 nodes per AZ (600/3 + 2 surge), 7 /28s and 1 address each: 1414 +
	// ceil((202 − 27)/16) = 1425 /28s, a /17 each even without headroom:
	// 3 × 32768 in a /16. With 25% headroom a /18 (1022 free /28s) holds 115
	// nodes per AZ (ceil(8.75 × 115) + ceil((144 − 27)/16) = 1007 + 8 = 1015;
	// 116 need 1023): ceil(F/3) + 2 ≤ 115, F ≤ 339.
	f.NodeGroups[0].FutureNodes = 600
	_, err := buildFile(t, f)
	var nofit *NoFitError
	if !errors.As(err, &nofit) {
		t.Fatalf("err = %v, want a NoFitError", err)
	}
	want := "the plan does not fit: the subnets to carve from the secondary blocks (100.64.0.0/16) take 98304 addresses, 65536 are free: 32768 short; " +
		"changes that fit: pod subnets in 2 secondary blocks (cni.secondaryCIDRs: [100.64.0.0/16, 100.65.0.0/16]); " +
		"or fewer nodes (general: 339 future nodes instead of 600)"
	if err.Error() != want {
		t.Errorf("err =\n%s\nwant\n%s", err, want)
	}
	if nofit.Short != 32768 {
		t.Errorf("Short = %d", nofit.Short)
	}
}

// Subnets that fall short alike in every AZ are one sentence, not one per AZ.
func TestBuildDoesNotFitAlike(t *testing.T) {
	file := func(yaml string) File {
		f, err := Decode([]byte(yaml), "yaml")
		if err != nil {
			t.Fatal(err)
		}
		return f
	}
	// c5.18xlarge with custom networking: max pods 250 (14 ENIs × 49 + 2 = 688,
	// capped), 248 pods: min(ceil(248/49) + 1, 14, ceil(250/49)) = 6 pool ENIs,
	// 294 IPs + 6 primaries = 300 pod-subnet addresses a node. 600/3 + 2 = 202
	// nodes per AZ: 60600, with 25% headroom 75750, 10219 more than a /16's 65531.
	// 123 nodes (41 + 2 per AZ, 16125 with headroom, a /18 each) is the most that fits.
	_, err := buildFile(t, file(`
region: us-west-2
vpc: {cidrs: [10.0.0.0/16]}
azs: [us-west-2a, us-west-2b, us-west-2c]
cni: {customNetworking: true, secondaryCIDR: 100.64.0.0/16}
nodeGroups: [{name: general, instanceTypes: [c5.18xlarge], nodes: 600}]
`))
	want := "the plan does not fit: the pod subnet of each AZ needs 75750 addresses with 25% headroom, more than a /16 holds (65531 usable): 10219 short; " +
		"changes that fit: fewer nodes (general: 123 nodes instead of 600)"
	if err == nil || err.Error() != want {
		t.Errorf("err =\n%v\nwant\n%s", err, want)
	}
	// m5.large adopted node subnets of a /26 (59 usable): 30/3 + 2 = 12 nodes of
	// 30 addresses, 360 in each AZ, 301 short; with custom networking 12.
	_, err = buildFile(t, file(`
region: us-west-2
vpc:
  cidrs: [10.0.0.0/16]
  existingSubnets:
    - {cidr: 10.0.0.0/26, az: us-west-2a, role: node}
    - {cidr: 10.0.1.0/26, az: us-west-2b, role: node}
    - {cidr: 10.0.2.0/26, az: us-west-2c, role: node}
azs: [us-west-2a, us-west-2b, us-west-2c]
nodeGroups: [{name: general, instanceTypes: [m5.large], nodes: 30}]
`))
	want = "the plan does not fit: the existing node subnets 10.0.0.0/26 (us-west-2a), 10.0.1.0/26 (us-west-2b) and 10.0.2.0/26 (us-west-2c) " +
		"have 59 usable addresses each, the plan needs 360 in each at the future size: 301 short each; " +
		"changes that fit: custom networking with pod subnets in CG-NAT space (cni.customNetworking: true, cni.secondaryCIDR: auto; max pods drop by one ENI)"
	if err == nil || err.Error() != want {
		t.Errorf("err =\n%v\nwant\n%s", err, want)
	}
}

// Adding a node group to a plan whose subnets were created (listed with
// their roles) moves nothing: each existing subnet stays as it is.
func TestAdoptedSubnetsStayPut(t *testing.T) {
	f := exampleFile(t)
	first, err := buildFile(t, f)
	if err != nil {
		t.Fatal(err)
	}
	g := exampleFile(t)
	for _, s := range first.Subnets {
		g.VPC.ExistingSubnets = append(g.VPC.ExistingSubnets, ExistingSubnet{CIDR: s.CIDR, AZ: s.AZ, Role: s.Role})
	}
	g.NodeGroups = append(g.NodeGroups, NodeGroup{Name: "batch", InstanceTypes: []string{"c5.4xlarge"}, Nodes: 3, FutureNodes: 6, AZs: []string{"us-west-2a"}})
	second, err := buildFile(t, g)
	if err != nil {
		t.Fatal(err)
	}
	for i, s := range second.Subnets {
		if s.CIDR != first.Subnets[i].CIDR || !s.Existing {
			t.Errorf("%s %s moved from %s to %s (existing %v)", s.AZ, s.Role, first.Subnets[i].CIDR, s.CIDR, s.Existing)
		}
	}
	if second.Subnets[9].AddressesNeededFuture <= first.Subnets[9].AddressesNeededFuture {
		t.Error("the new node group added no demand in us-west-2a")
	}
	// A node group too large for an adopted subnet is a shortfall, not a move.
	g.NodeGroups[1].FutureNodes = 100
	_, err = buildFile(t, g)
	if err == nil || !strings.Contains(err.Error(), "the existing pod subnet 100.64.0.0/19 of us-west-2a has 8187 usable addresses, the plan needs") {
		t.Errorf("err = %v", err)
	}
}

// Without custom networking, pods share the node subnets and the prefix
// reservations sit there; no pod subnets, no secondary blocks.
func TestBuildWithoutCustomNetworking(t *testing.T) {
	f := exampleFile(t)
	f.CNI.CustomNetworking, f.CNI.SecondaryCIDR = false, ""
	res, err := buildFile(t, f)
	if err != nil {
		t.Fatal(err)
	}
	for _, s := range res.Subnets {
		if s.Role == RolePod {
			t.Errorf("pod subnet %s without custom networking", s.CIDR)
		}
	}
	if len(res.SecondaryCIDRs) != 0 || len(res.Reservations) == 0 || !strings.HasPrefix(res.Reservations[0].SubnetCIDR, "10.0.") {
		t.Errorf("secondary %v, reservations %v", res.SecondaryCIDRs, res.Reservations)
	}
	checkResult(t, f, res)
}

func TestBuildErrors(t *testing.T) {
	f := exampleFile(t)
	f.NodeGroups[0].InstanceTypes = []string{"m5.lrge"}
	if _, err := buildFile(t, f); err == nil || !strings.Contains(err.Error(), `nodeGroups[0] (general).instanceTypes: unknown instance type "m5.lrge" (did you mean m5.large?)`) {
		t.Errorf("unknown type: %v", err)
	}
	f = exampleFile(t)
	f.NodeGroups[0].PodsPerNode = 200
	if _, err := buildFile(t, f); err == nil || err.Error() != "nodeGroups[0] (general).podsPerNode: 200 pods and 0 security-group pods exceed max pods 110 (set by m5.large): at most 108 pods, as aws-node and kube-proxy take 2" {
		t.Errorf("too many pods: %v", err)
	}
	f = exampleFile(t)
	f.VPC.SubnetQuota = 10
	if _, err := buildFile(t, f); err == nil || err.Error() != "the VPC would have 14 subnets (2 existing + 12 new), over its quota of 10: set vpc.subnetQuota once it is raised" {
		t.Errorf("subnet quota: %v", err)
	}
}

func FuzzBuild(f *testing.F) {
	f.Add(uint64(1), uint64(2))
	f.Fuzz(func(t *testing.T, a, b uint64) {
		defer fuzzbound.Start(t)()
		file := randomPlan(rand.New(rand.NewPCG(a, b)))
		res, err := buildFile(t, file)
		if err == nil {
			checkResult(t, file, res)
		}
	})
}

// Adding a node group whose demand stays within the sizes already chosen
// moves nothing: in us-west-2a one more node (and its 2 surge nodes) brings
// the pod subnet to 55 addresses and 385 /28s, 482 + ceil((69 − 27)/16) = 485
// free /28s with headroom, still a /19; the node subnet to 69 planned
// addresses, still a /25.
func TestNodeGroupWithinHeadroomMovesNothing(t *testing.T) {
	before, err := buildFile(t, exampleFile(t))
	if err != nil {
		t.Fatal(err)
	}
	f := exampleFile(t)
	f.NodeGroups = append(f.NodeGroups, NodeGroup{Name: "extra", InstanceTypes: []string{"m5.large"}, Nodes: 1, AZs: []string{"us-west-2a"}})
	after, err := buildFile(t, f)
	if err != nil {
		t.Fatal(err)
	}
	for i, s := range after.Subnets {
		if s.CIDR != before.Subnets[i].CIDR {
			t.Errorf("%s %s moved from %s to %s", s.AZ, s.Role, before.Subnets[i].CIDR, s.CIDR)
		}
	}
	if pod := after.Subnets[9]; pod.PrefixesNeededFuture != 385 || pod.AddressesPlanned != 69+482*16 {
		t.Errorf("us-west-2a pod subnet %+v", pod)
	}
}

// The large cluster: 3,000 future m5.large nodes in 3 AZs fit by
// taking a second CG-NAT /16 for the pod subnets, with subnet discovery or
// with custom networking, instead of refusing. Worked by hand: 1,002 nodes
// per AZ (1,000 + 2 surge).
//   - Discovery: 9 primary-ENI pool addresses + the node's own = 10 per node
//     in the node subnet (10,020; 12,525 with 25% headroom: a /18), the two
//     secondary ENIs' 18 pool addresses + their 2 primaries = 20 in the pod
//     subnet (20,040; 25,050: a /17). The /17 keeps more free than the /18
//     both empty (32,763 > 16,379) and full (12,723 > 6,359), so ipamd puts
//     every secondary ENI there.
//   - Custom networking: max pods 2 × 9 + 2 = 20, so 18 pods on 2 ENIs: 1
//     address per node in the node subnet (1,002; 1,253: a /21), 18 + 2 = 20
//     in the pod subnet (a /17, as above).
//
// Three /17s are one and a half /16s: two blocks.
func TestBuildLargeClusterTakesMoreBlocks(t *testing.T) {
	for _, tt := range []struct {
		name                    string
		custom                  bool
		nodeBits, podBits       int
		nodePerNode, podPerNode int
		env                     string
	}{
		{"discovery", false, 18, 17, 10, 20, "kubectl set env daemonset aws-node -n kube-system WARM_ENI_TARGET=1 ENABLE_SUBNET_DISCOVERY=true"},
		{"custom networking", true, 21, 17, 1, 20, "kubectl set env daemonset aws-node -n kube-system AWS_VPC_K8S_CNI_CUSTOM_NETWORK_CFG=true ENI_CONFIG_LABEL_DEF=topology.kubernetes.io/zone WARM_ENI_TARGET=1"},
	} {
		t.Run(tt.name, func(t *testing.T) {
			f := File{
				Region: "us-west-2", AZs: []string{"us-west-2a", "us-west-2b", "us-west-2c"},
				VPC: VPC{CIDRs: []string{"10.0.0.0/16"}}, CNI: CNI{Config: cni.DefaultConfig(), SecondaryCIDR: Auto},
				NodeGroups: []NodeGroup{{Name: "general", InstanceTypes: []string{"m5.large"}, Nodes: 300, FutureNodes: 3000}},
			}
			f.CNI.CustomNetworking = tt.custom
			res, err := buildFile(t, f)
			if err != nil {
				t.Fatal(err)
			}
			if !slices.Equal(res.SecondaryCIDRs, []string{"100.64.0.0/16", "100.65.0.0/16"}) || !slices.Equal(res.CIDRBlocksToAssociate, res.SecondaryCIDRs) {
				t.Errorf("secondary blocks %v, to associate %v", res.SecondaryCIDRs, res.CIDRBlocksToAssociate)
			}
			if g := res.NodeGroups[0].PerNode; g.NodeSubnetAddresses != tt.nodePerNode || g.PodSubnetAddresses != tt.podPerNode {
				t.Errorf("per node %+v", g)
			}
			if res.CNI.KubectlSetEnv != tt.env {
				t.Errorf("env %q", res.CNI.KubectlSetEnv)
			}
			var pods []string
			for _, s := range res.Subnets {
				bits := netip.MustParsePrefix(s.CIDR).Bits()
				switch s.Role {
				case RoleNode:
					if bits != tt.nodeBits || s.AddressesNeededFuture != 1002*tt.nodePerNode {
						t.Errorf("node subnet %s: /%d holding %d", s.CIDR, bits, s.AddressesNeededFuture)
					}
				case RolePod:
					pods = append(pods, s.CIDR)
					if bits != tt.podBits || s.AddressesNeededFuture != 20040 {
						t.Errorf("pod subnet %s: /%d holding %d", s.CIDR, bits, s.AddressesNeededFuture)
					}
					if got := s.Tags[cni.SubnetDiscoveryTag]; (got == "1") == tt.custom {
						t.Errorf("pod subnet %s tags %v", s.CIDR, s.Tags)
					}
				}
			}
			if !slices.Equal(pods, []string{"100.64.0.0/17", "100.64.128.0/17", "100.65.0.0/17"}) {
				t.Errorf("pod subnets %v", pods)
			}
			checkResult(t, f, res)
		})
	}
}

// With subnet discovery an AZ whose pod demand is beyond a /16 gets several
// pod subnets, which ipamd fills evenly: 2,000 c5.4xlarge nodes take 90
// pod-subnet addresses each, 30,105 per subnet at 669 nodes per AZ (37,632
// with headroom: a /16 each, two per AZ).
func TestBuildSeveralDiscoveredSubnetsPerAZ(t *testing.T) {
	f := File{
		Region: "us-west-2", AZs: []string{"us-west-2a", "us-west-2b", "us-west-2c"},
		VPC: VPC{CIDRs: []string{"10.0.0.0/16", "10.1.0.0/16"}, CIDRBlockQuota: 10}, CNI: CNI{Config: cni.DefaultConfig(), SecondaryCIDR: Auto},
		NodeGroups: []NodeGroup{{Name: "big", InstanceTypes: []string{"c5.4xlarge"}, Nodes: 300, FutureNodes: 2000}},
	}
	res, err := buildFile(t, f)
	if err != nil {
		t.Fatal(err)
	}
	var names []string
	for _, s := range res.Subnets {
		if s.Role != RolePod {
			continue
		}
		names = append(names, s.Name+" "+s.CIDR)
		if s.AddressesNeededFuture != 30105 || s.UsableAddresses != 65531 {
			t.Errorf("%s: %d of %d", s.Name, s.AddressesNeededFuture, s.UsableAddresses)
		}
	}
	want := []string{"us-west-2a-pod 100.64.0.0/16", "us-west-2a-pod-2 100.65.0.0/16", "us-west-2b-pod 100.66.0.0/16",
		"us-west-2b-pod-2 100.67.0.0/16", "us-west-2c-pod 100.68.0.0/16", "us-west-2c-pod-2 100.69.0.0/16"}
	if !slices.Equal(names, want) {
		t.Errorf("pod subnets %v\nwant %v", names, want)
	}
	checkResult(t, f, res)

	// At the default quota of 5 blocks, 2 VPC blocks leave room for 3 /16s:
	// the message names the quota to ask for.
	f.VPC.CIDRBlockQuota = 0
	_, err = buildFile(t, f)
	if err == nil || !strings.Contains(err.Error(), "pod subnets in 6 secondary blocks once the VPC's CIDR block quota is raised to 8") {
		t.Errorf("err = %v", err)
	}
}

// An IPv6 cluster: pods take no IPv4, so 3,000 future m5.large nodes need
// only their own address each in the node subnets (1,002 per AZ, 1,253
// with headroom: a /21), and every subnet takes a /64 of the VPC's IPv6
// block, in the order the subnets are listed (cluster, public, node; by AZ).
func TestBuildIPv6(t *testing.T) {
	f := File{
		Region: "us-west-2", AZs: []string{"us-west-2a", "us-west-2b", "us-west-2c"},
		VPC: VPC{CIDRs: []string{"10.0.0.0/16"}, IPv6CIDR: "2600:1f14:abc:de00::/56", ExistingSubnets: []ExistingSubnet{
			{CIDR: "10.0.200.0/24", AZ: "us-west-2a", IPv6CIDR: "2600:1f14:abc:de01::/64"}, // an existing dual-stack subnet keeps its /64
		}},
		CNI:        CNI{Config: cni.DefaultConfig()},
		NodeGroups: []NodeGroup{{Name: "general", InstanceTypes: []string{"m5.large"}, Nodes: 60, FutureNodes: 3000}},
	}
	f.CNI.IPFamily = cni.IPv6
	res, err := buildFile(t, f)
	if err != nil {
		t.Fatal(err)
	}
	var got []string
	for _, s := range res.Subnets {
		got = append(got, fmt.Sprintf("%s %s %s %d", s.Name, s.CIDR, s.IPv6CIDR, *s.IPv6Index))
		if s.Role == RoleNode && (s.AddressesNeededFuture != 1002 || s.IPv6PrefixesNeededFuture != 1002 || netip.MustParsePrefix(s.CIDR).Bits() != 21) {
			t.Errorf("node subnet %+v", s)
		}
	}
	want := []string{
		"us-west-2a-cluster 10.0.201.0/28 2600:1f14:abc:de00::/64 0", "us-west-2b-cluster 10.0.201.16/28 2600:1f14:abc:de02::/64 2",
		"us-west-2c-cluster 10.0.201.32/28 2600:1f14:abc:de03::/64 3", "us-west-2a-public 10.0.204.0/24 2600:1f14:abc:de04::/64 4",
		"us-west-2b-public 10.0.205.0/24 2600:1f14:abc:de05::/64 5", "us-west-2c-public 10.0.206.0/24 2600:1f14:abc:de06::/64 6",
		"us-west-2a-node 10.0.224.0/21 2600:1f14:abc:de07::/64 7", "us-west-2b-node 10.0.232.0/21 2600:1f14:abc:de08::/64 8",
		"us-west-2c-node 10.0.240.0/21 2600:1f14:abc:de09::/64 9",
	}
	if !slices.Equal(got, want) {
		t.Errorf("subnets\n%s\nwant\n%s", strings.Join(got, "\n"), strings.Join(want, "\n"))
	}
	if res.ServiceCIDR != "" || res.CNI.KubectlSetEnv != "kubectl set env daemonset aws-node -n kube-system ENABLE_IPv6=true ENABLE_IPv4=false ENABLE_PREFIX_DELEGATION=true" {
		t.Errorf("service %q, env %q", res.ServiceCIDR, res.CNI.KubectlSetEnv)
	}
	v6 := res.IPv6
	if v6 == nil || v6.VPCBlock != "2600:1f14:abc:de00::/56" || v6.AmazonProvided || v6.SubnetsInBlock != 256 || v6.NodePrefixLength != 80 {
		t.Fatalf("ipv6 %+v", v6)
	}
	if want := []IPv4Need{{RoleNode, 1002, IPv4ForNodes}, {RoleCluster, 6, IPv4ForControlPlane}, {RolePublic, 0, IPv4ForEdge}}; !slices.Equal(v6.IPv4StillNeeded, want) {
		t.Errorf("IPv4 still needed %+v", v6.IPv4StillNeeded)
	}

	// Amazon's /56, not associated yet: the same subnets by index only.
	f.VPC.IPv6CIDR, f.VPC.ExistingSubnets = "", nil
	res, err = buildFile(t, f)
	if err != nil {
		t.Fatal(err)
	}
	for i, s := range res.Subnets {
		if s.IPv6CIDR != "" || *s.IPv6Index != i {
			t.Errorf("%s: %q #%d", s.Name, s.IPv6CIDR, *s.IPv6Index)
		}
	}
	if !res.IPv6.AmazonProvided || res.IPv6.VPCBlock != "" {
		t.Errorf("ipv6 %+v", res.IPv6)
	}

	// IPv6 needs Nitro: a Xen type is refused, naming it.
	xen := f
	xen.NodeGroups = []NodeGroup{{Name: "old", InstanceTypes: []string{"m4.large"}, Nodes: 3}}
	if _, err := buildFile(t, xen); err == nil || err.Error() != "nodeGroups[0] (old): no instance type in the node group (m4.large) can run ipv6 pods: the VPC CNI needs Nitro or bare metal with IPv6" {
		t.Errorf("xen: %v", err)
	}

	// A /60 from IPAM holds 16 /64s: 3 AZs × 3 roles fit; 6 AZs with 3 roles do not.
	f.VPC.IPv6CIDR = "2600:1f14:abc:de00::/60"
	f.AZs = []string{"us-west-2a", "us-west-2b", "us-west-2c", "us-west-2d", "us-west-2e", "us-west-2f"}
	f.NodeGroups[0].AZs = nil
	_, err = buildFile(t, f)
	if err == nil || err.Error() != "the VPC's IPv6 block (a /60) holds 16 /64 subnets, 0 of them taken: the plan needs 18 more, 2 short (a larger block from IPAM: vpc.ipv6CIDR)" {
		t.Errorf("err = %v", err)
	}
}

// 3,000 future m5.large nodes in one /16 without pod subnets: each AZ's
// node subnet needs a /16 (1,002 nodes × 30 addresses = 30,060, 37,575 with
// headroom, past a /17's 32,763), so the subnets take 3 × 65,536 + 3 × 16
// (cluster) + 3 × 256 (public) = 197,424 addresses of the 65,536: 131,888
// short. Three more /16s fit; so do subnet discovery or custom networking
// into CG-NAT space; or fewer nodes: a /18 per AZ holds 16,379 / 37.5 = 436
// nodes, 434 and the 2 surge, 3 × 434 = 1,302 future nodes.
func TestBuildDoesNotFitSuggestsPodSubnets(t *testing.T) {
	f := File{
		Region: "us-west-2", AZs: []string{"us-west-2a", "us-west-2b", "us-west-2c"},
		VPC: VPC{CIDRs: []string{"10.0.0.0/16"}}, CNI: CNI{Config: cni.DefaultConfig()},
		NodeGroups: []NodeGroup{{Name: "general", InstanceTypes: []string{"m5.large"}, Nodes: 300, FutureNodes: 3000}},
	}
	_, err := buildFile(t, f)
	want := "the plan does not fit: the subnets to carve from the VPC's blocks (10.0.0.0/16) take 197424 addresses, 65536 are free: 131888 short; changes that fit: " +
		"associate 10.1.0.0/16, 10.2.0.0/16 and 10.3.0.0/16 with the VPC (vpc.cidrs: [10.0.0.0/16, 10.1.0.0/16, 10.2.0.0/16, 10.3.0.0/16]); " +
		"or subnet discovery with pod subnets in CG-NAT space, tagged kubernetes.io/role/cni=1 (cni.secondaryCIDR: auto; max pods stay); " +
		"or custom networking with pod subnets in CG-NAT space (cni.customNetworking: true, cni.secondaryCIDR: auto; max pods drop by one ENI); " +
		"or fewer nodes (general: 1302 future nodes instead of 3000)"
	if err == nil || err.Error() != want {
		t.Errorf("err =\n%v\nwant\n%s", err, want)
	}
}

// Custom networking gives each AZ one ENIConfig, so one pod subnet: past a
// /16 the advice is subnet discovery, which spreads an AZ over several.
// c5.4xlarge under custom networking: 7 ENIs for pods of 29 slots, max pods
// 110, 108 pods: min(ceil(108/29) + 1, 7, ceil(110/29)) = 4 pool ENIs, 116
// pool addresses + 4 ENI primaries = 120 per node; 669 nodes per AZ take
// 80,280, 100,350 with headroom: 34,819 past a /16's 65,531. A /16 holds
// 65,531 / 150 = 436 nodes with headroom, 434 and the 2 surge: 1,302 nodes.
func TestBuildCustomNetworkingBeyondASixteen(t *testing.T) {
	f := File{
		Region: "us-west-2", AZs: []string{"us-west-2a", "us-west-2b", "us-west-2c"},
		VPC: VPC{CIDRs: []string{"10.0.0.0/16", "10.1.0.0/16"}, CIDRBlockQuota: 12}, CNI: CNI{Config: cni.DefaultConfig(), SecondaryCIDR: Auto},
		NodeGroups: []NodeGroup{{Name: "big", InstanceTypes: []string{"c5.4xlarge"}, Nodes: 300, FutureNodes: 2000}},
	}
	f.CNI.CustomNetworking = true
	_, err := buildFile(t, f)
	want := "the plan does not fit: the pod subnet of each AZ needs 100350 addresses with 25% headroom, more than a /16 holds (65531 usable): 34819 short; changes that fit: " +
		"subnet discovery instead of custom networking, with several pod subnets per AZ tagged kubernetes.io/role/cni=1 (cni.customNetworking: false; max pods rise by one ENI); " +
		"or fewer nodes (big: 1302 future nodes instead of 2000)"
	if err == nil || err.Error() != want {
		t.Errorf("err =\n%v\nwant\n%s", err, want)
	}
}

// Windows nodes: 10 addresses per m5.large (9 pods and the ENI's own), the
// VPC resource controller's settings as an amazon-vpc-cni ConfigMap patch,
// and no aws-node env.
func TestBuildWindows(t *testing.T) {
	f := File{
		Region: "us-west-2", AZs: []string{"us-west-2a", "us-west-2b"}, VPC: VPC{CIDRs: []string{"10.0.0.0/16"}},
		CNI: CNI{Config: cni.DefaultConfig()}, NodeGroups: []NodeGroup{{Name: "win", InstanceTypes: []string{"m5.large"}, Nodes: 20}},
	}
	f.CNI.OS = cni.Windows
	res, err := buildFile(t, f)
	if err != nil {
		t.Fatal(err)
	}
	g := res.NodeGroups[0]
	if g.MaxPods != 9 || g.PodsPerNode != 9 || g.PerNode.NodeSubnetAddresses != 10 {
		t.Errorf("node group %+v", g)
	}
	want := `kubectl patch configmap/amazon-vpc-cni -n kube-system --type merge -p '{"data":{"enable-windows-ipam":"true","enable-windows-prefix-delegation":"false"}}'`
	if res.CNI.KubectlSetEnv != "" || len(res.CNI.Env) != 0 || res.CNI.KubectlPatchConfigMap != want {
		t.Errorf("cni %+v", res.CNI)
	}
	for _, s := range res.Subnets {
		if s.Role == RoleNode && (s.AddressesNeededFuture != 120 || netip.MustParsePrefix(s.CIDR).Bits() != 24) {
			t.Errorf("node subnet %+v", s)
		}
	}
}

// BenchmarkBuildDiscoverySplit lays out the plan of several discovered pod
// subnets per AZ (2,000 c5.4xlarge nodes, six CG-NAT /16s taken by auto).
func BenchmarkBuildDiscoverySplit(b *testing.B) {
	table := embedded(b)
	f := File{
		Region: "us-west-2", AZs: []string{"us-west-2a", "us-west-2b", "us-west-2c"},
		VPC: VPC{CIDRs: []string{"10.0.0.0/16", "10.1.0.0/16"}, CIDRBlockQuota: 10}, CNI: CNI{Config: cni.DefaultConfig(), SecondaryCIDR: Auto},
		NodeGroups: []NodeGroup{{Name: "big", InstanceTypes: []string{"c5.4xlarge"}, Nodes: 300, FutureNodes: 2000}},
	}
	Default(&f)
	for b.Loop() {
		spec, err := Validate(f)
		if err != nil {
			b.Fatal(err)
		}
		if _, err := Build(spec, table); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkExplainNoFit is the no-fit advice at the block quota's limit:
// a million future nodes that no change but fewer nodes fits.
func BenchmarkExplainNoFit(b *testing.B) {
	table := embedded(b)
	f := File{
		Region: "us-west-2", AZs: []string{"us-west-2a", "us-west-2b", "us-west-2c"},
		VPC: VPC{CIDRs: []string{"10.0.0.0/16"}, CIDRBlockQuota: 50}, CNI: CNI{Config: cni.DefaultConfig(), SecondaryCIDR: Auto},
		NodeGroups: []NodeGroup{{Name: "g", InstanceTypes: []string{"m5.large"}, Nodes: 1000, FutureNodes: 1_000_000}},
	}
	Default(&f)
	for b.Loop() {
		spec, err := Validate(f)
		if err != nil {
			b.Fatal(err)
		}
		var nofit *NoFitError
		if _, err := Build(spec, table); !errors.As(err, &nofit) {
			b.Fatalf("err = %v", err)
		}
	}
}

// An existing subnet tagged for subnet discovery draws secondary ENIs the
// plan does not count: it says so (the sizes hold the demand without it).
func TestBuildWarnsOfTaggedSubnets(t *testing.T) {
	f := File{
		Region: "us-west-2", AZs: []string{"us-west-2a", "us-west-2b"}, VPC: VPC{CIDRs: []string{"10.0.0.0/16"}},
		CNI: CNI{Config: cni.DefaultConfig()}, NodeGroups: []NodeGroup{{Name: "g", InstanceTypes: []string{"m5.large"}, Nodes: 10}},
	}
	data, err := os.ReadFile("../subnet/testdata/describe-subnets.json")
	if err != nil {
		t.Fatal(err)
	}
	subnets, vpcID, err := SubnetsFromDescribe(data, "")
	if err != nil {
		t.Fatal(err)
	}
	if err := MergeExisting(&f, subnets, vpcID, "the subnets file"); err != nil {
		t.Fatal(err)
	}
	res, err := buildFile(t, f)
	if err != nil {
		t.Fatal(err)
	}
	want := "1 existing subnet 10.0.64.0/24 (us-west-2b) tagged kubernetes.io/role/cni: subnet discovery may create the nodes' secondary ENIs there, which this plan does not count; the node and pod subnets it sizes hold the demand without them"
	if !slices.Contains(res.Warnings, want) {
		t.Errorf("warnings %q", res.Warnings)
	}
	f.CNI.CustomNetworking, f.CNI.SecondaryCIDR = true, Auto // custom networking takes precedence: nothing to say
	if res, err = buildFile(t, f); err != nil {
		t.Fatal(err)
	}
	if slices.ContainsFunc(res.Warnings, func(w string) bool { return strings.Contains(w, "tagged") }) {
		t.Errorf("custom networking: warnings %q", res.Warnings)
	}
}
