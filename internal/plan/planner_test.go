package plan

import (
	"errors"
	"fmt"
	"math/rand/v2"
	"net/netip"
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
		parents := spec.Blocks
		if s.Role == RolePod && len(spec.PodBlocks) > 0 {
			parents = spec.PodBlocks
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
	var resv []vpc.Named
	for _, r := range res.Reservations {
		resv = append(resv, vpc.Named{Name: r.CIDR, Prefix: netip.MustParsePrefix(r.CIDR)})
	}
	if a, b, ok := vpc.FirstOverlap(resv); ok {
		t.Errorf("reservations %s and %s overlap", a.Name, b.Name)
	}
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
	if r.IntN(2) == 0 {
		f.CNI.CustomNetworking = true
		f.CNI.SecondaryCIDR = []string{Auto, "100.64.0.0/16", "100.70.0.0/17", "100.99.128.0/20"}[r.IntN(4)]
	}
	types := []string{"m5.large", "m5.xlarge", "c5.4xlarge", "t3.medium", "m4.xlarge"}
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
