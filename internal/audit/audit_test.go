package audit

import (
	"fmt"
	"maps"
	"net/netip"
	"slices"
	"testing"

	"github.com/eksnet/eksnet/internal/cni"
	"github.com/eksnet/eksnet/internal/formula"
	"github.com/eksnet/eksnet/internal/kube"
	"github.com/eksnet/eksnet/internal/limits"
	"github.com/eksnet/eksnet/internal/subnet"
)

func table(t testing.TB) *limits.Table {
	t.Helper()
	tab, err := limits.Embedded()
	if err != nil {
		t.Fatal(err)
	}
	return tab
}

// node is a healthy m5.large in us-west-2a at maxPods, its allocatable as
// nodeadm leaves it.
func node(name string, maxPods int) kube.Node {
	capacity := int64(7_800_000) << 10
	return kube.Node{
		Name: name, InstanceType: "m5.large", Zone: "us-west-2a", OS: "linux", InstanceID: "i-0aaaaaaaaaaaaaaa1",
		InternalIP: netip.MustParseAddr("10.0.0.10"), Labels: map[string]string{kube.LabelZone: "us-west-2a"},
		CapacityPods: maxPods, CapacityMemory: capacity,
		AllocatableMemory: capacity - int64(formula.KubeReservedMemoryMiB(maxPods)+formula.EvictionHardMemoryMiB)<<20,
	}
}

var podSubnet = subnet.Existing{ID: "subnet-0bbbbbbbbbbbbbbb1", AZ: "us-west-2a", CIDR: netip.MustParsePrefix("100.64.0.0/24"), Available: 200}
var nodeSubnet = subnet.Existing{ID: "subnet-0aaaaaaaaaaaaaaa1", AZ: "us-west-2a", CIDR: netip.MustParsePrefix("10.0.0.0/24"), Available: 200}

func eni(id, subnetID string, device int, primary string, secondaries int, prefixes ...string) subnet.ENI {
	e := subnet.ENI{ID: id, SubnetID: subnetID, InstanceID: "i-0aaaaaaaaaaaaaaa1", DeviceIdx: device, Primary: netip.MustParseAddr(primary)}
	ip := e.Primary
	for range secondaries {
		ip = ip.Next()
		e.Secondary = append(e.Secondary, ip)
	}
	for _, p := range prefixes {
		e.Prefixes = append(e.Prefixes, netip.MustParsePrefix(p))
	}
	return e
}

type kindObject struct {
	Kind     Kind
	Severity Severity
	Object   string
}

func findings(t *testing.T, in Input) []kindObject {
	t.Helper()
	r, err := Run(in)
	if err != nil {
		t.Fatal(err)
	}
	var out []kindObject
	for _, f := range r.Findings {
		out = append(out, kindObject{f.Kind, f.Severity, f.Object})
	}
	return out
}

// Each kind is planted once and shown absent on the same cluster healthy.
func TestFindingKinds(t *testing.T) {
	tab := table(t)
	def := cni.DefaultConfig()
	custom := def
	custom.CustomNetworking = true
	prefix := def
	prefix.PrefixDelegation = true
	withNode := func(n kube.Node) Input { return Input{CNI: def, Table: tab, Nodes: []kube.Node{n}} }
	unknown := node("n1", 29)
	unknown.InstanceType = "m9z.large"
	otherReserved := node("n1", 29)
	otherReserved.AllocatableMemory = node("n1", 110).AllocatableMemory
	windows := node("w1", 9) // the primary ENI's secondary addresses
	windows.OS = "windows"
	windows.AllocatableMemory = 0 // Windows reserves otherwise: not checked

	// Secondary-IP m5.large at 29 pods: 3 ENIs (one warm) of 10 addresses.
	full := []subnet.ENI{eni("eni-0000000000000001", nodeSubnet.ID, 0, "10.0.0.10", 9), eni("eni-0000000000000002", nodeSubnet.ID, 1, "10.0.0.30", 9), eni("eni-0000000000000003", nodeSubnet.ID, 2, "10.0.0.50", 9)}
	half := full[:1]
	tight := nodeSubnet
	tight.Available = 5
	snug := nodeSubnet
	snug.Available = 25 // the 20 the node still takes, not the 30 of one more
	tiny := nodeSubnet
	tiny.CIDR, tiny.Available = netip.MustParsePrefix("10.0.0.0/27"), 27

	// Prefix mode in a /24 (16 blocks, 14 free): scattered singles leave 2.
	prefixSubnet := nodeSubnet
	prefixSubnet.Available = 251 - 17
	scatteredSubnet := nodeSubnet
	scatteredSubnet.Available = 251 - 17 - 12
	prefixENIs := []subnet.ENI{eni("eni-0000000000000001", nodeSubnet.ID, 0, "10.0.0.10", 0, "10.0.0.16/28")}
	scattered := slices.Clone(prefixENIs)
	for k := 2; k < 14; k++ {
		scattered = append(scattered, subnet.ENI{ID: fmt.Sprintf("eni-00000000000001%02d", k), SubnetID: nodeSubnet.ID, Primary: netip.MustParseAddr(fmt.Sprintf("10.0.0.%d", 16*k+3))})
	}

	customNode := node("n1", 20)
	eniConfigs := []kube.ENIConfig{{Name: "us-west-2a", Subnet: podSubnet.ID}}
	wrongZone := []kube.ENIConfig{{Name: "us-west-2a", Subnet: "subnet-0ccccccccccccccc1"}}
	otherZone := subnet.Existing{ID: "subnet-0ccccccccccccccc1", AZ: "us-west-2b", CIDR: netip.MustParsePrefix("100.64.1.0/24"), Available: 250}
	unlabelled := customNode
	unlabelled.Labels = map[string]string{}

	tests := []struct {
		name string
		in   Input
		want []kindObject
	}{
		{"healthy node", withNode(node("n1", 29)), nil},
		{"over the ENI limit", withNode(node("n1", 40)), []kindObject{{MaxPodsOverLimit, Error, "node/n1"}}},
		{"under the limit", withNode(node("n1", 20)), []kindObject{{MaxPodsUnderLimit, Warning, "node/n1"}}},
		{"kube-reserved for 110", withNode(otherReserved), []kindObject{{KubeReservedMismatch, Warning, "node/n1"}}},
		{"unknown type", withNode(unknown), []kindObject{{UnknownInstanceType, Warning, "node/n1"}}},
		{"windows at its primary ENI", withNode(windows), nil},
		{"windows over", withNode(func() kube.Node { w := windows; w.CapacityPods = 110; return w }()), []kindObject{{MaxPodsOverLimit, Error, "node/w1"}}},

		{"subnet with room", Input{CNI: def, Table: tab, Nodes: []kube.Node{node("n1", 29)}, Subnets: []subnet.Existing{nodeSubnet}, HasSubnets: true, ENIs: half, HasENIs: true}, nil},
		{"warm pool in use", Input{CNI: def, Table: tab, Nodes: []kube.Node{node("n1", 29)}, Subnets: []subnet.Existing{nodeSubnet}, HasSubnets: true, ENIs: full, HasENIs: true,
			Pods: map[string]kube.PodCounts{"n1": {Pool: 26, HostNetwork: 2}}, HasPods: true}, nil},
		{"warm pool idle", Input{CNI: def, Table: tab, Nodes: []kube.Node{node("n1", 29)}, Subnets: []subnet.Existing{nodeSubnet}, HasSubnets: true, ENIs: full, HasENIs: true,
			Pods: map[string]kube.PodCounts{"n1": {Pool: 5, HostNetwork: 2}}, HasPods: true},
			[]kindObject{{WarmPoolExcess, Info, "subnet/" + nodeSubnet.ID}}},
		{"subnet runs out", Input{CNI: def, Table: tab, Nodes: []kube.Node{node("n1", 29)}, Subnets: []subnet.Existing{tight}, HasSubnets: true, ENIs: half, HasENIs: true},
			[]kindObject{{SubnetRunsOut, Error, "subnet/" + nodeSubnet.ID}}},
		{"subnet full after growth", Input{CNI: def, Table: tab, Nodes: []kube.Node{node("n1", 29)}, Subnets: []subnet.Existing{snug}, HasSubnets: true, ENIs: half, HasENIs: true},
			[]kindObject{{SubnetRunsOut, Warning, "subnet/" + nodeSubnet.ID}}},
		{"node at full, subnet snug", Input{CNI: def, Table: tab, Nodes: []kube.Node{node("n1", 29)}, Subnets: []subnet.Existing{snug}, HasSubnets: true, ENIs: full, HasENIs: true},
			[]kindObject{{SubnetRunsOut, Warning, "subnet/" + nodeSubnet.ID}}},
		{"subnet smaller than the demand", Input{CNI: def, Table: tab, Nodes: []kube.Node{node("n1", 29)}, Subnets: []subnet.Existing{tiny}, HasSubnets: true},
			[]kindObject{{SubnetRunsOut, Error, "subnet/" + nodeSubnet.ID}}},
		{"node outside the subnets", Input{CNI: def, Table: tab, Nodes: []kube.Node{node("n1", 29)}, Subnets: []subnet.Existing{podSubnet}, HasSubnets: true},
			[]kindObject{{NodeSubnetUnknown, Info, "node/n1"}}},

		{"prefix subnet whole", Input{CNI: prefix, Table: tab, Nodes: []kube.Node{node("n1", 110)}, Subnets: []subnet.Existing{prefixSubnet}, HasSubnets: true, ENIs: prefixENIs, HasENIs: true}, nil},
		{"prefix subnet fragmented", Input{CNI: prefix, Table: tab, Nodes: []kube.Node{node("n1", 110)}, Subnets: []subnet.Existing{scatteredSubnet}, HasSubnets: true, ENIs: scattered, HasENIs: true},
			[]kindObject{{SubnetFragmented, Error, "subnet/" + nodeSubnet.ID}}},

		{"eniconfig present", Input{CNI: custom, Table: tab, Nodes: []kube.Node{customNode}, ENIConfigs: eniConfigs, HasENIConfigs: true, Subnets: []subnet.Existing{nodeSubnet, podSubnet}, HasSubnets: true}, nil},
		{"eniconfig missing", Input{CNI: custom, Table: tab, Nodes: []kube.Node{customNode}, HasENIConfigs: true},
			[]kindObject{{ENIConfigMissing, Error, "eniconfig/us-west-2a"}}},
		{"node without the label", Input{CNI: custom, Table: tab, Nodes: []kube.Node{unlabelled}, ENIConfigs: eniConfigs, HasENIConfigs: true},
			[]kindObject{{ENIConfigMissing, Error, "node/n1"}}},
		{"eniconfig in another zone", Input{CNI: custom, Table: tab, Nodes: []kube.Node{customNode}, ENIConfigs: wrongZone, HasENIConfigs: true, Subnets: []subnet.Existing{nodeSubnet, otherZone}, HasSubnets: true},
			[]kindObject{{ENIConfigWrongZone, Error, "eniconfig/us-west-2a"}}},
		{"eniconfig's subnet unknown", Input{CNI: custom, Table: tab, Nodes: []kube.Node{customNode}, ENIConfigs: wrongZone, HasENIConfigs: true, Subnets: []subnet.Existing{nodeSubnet, podSubnet}, HasSubnets: true},
			[]kindObject{{ENIConfigUnknownSubnet, Error, "eniconfig/us-west-2a"}}},
		{"custom networking, table's max pods", Input{CNI: custom, Table: tab, Nodes: []kube.Node{node("n1", 29)}, ENIConfigs: eniConfigs, HasENIConfigs: true},
			[]kindObject{{MaxPodsOverLimit, Error, "node/n1"}}},
	}
	for _, tt := range tests {
		if got := findings(t, tt.in); !slices.Equal(got, tt.want) {
			t.Errorf("%s: findings %+v, want %+v", tt.name, got, tt.want)
		}
	}
}

// Every kind is planted by some case above, and documented in Kinds.
func TestKindsAreListed(t *testing.T) {
	if len(Kinds) != 11 || len(slices.Compact(slices.Clone(Kinds))) != len(Kinds) {
		t.Errorf("Kinds = %v", Kinds)
	}
}

func TestFreeBlocks(t *testing.T) {
	cidr := netip.MustParsePrefix("10.0.0.0/24") // 16 blocks, 14 whole ones
	at := func(s string) subnet.ENI { return subnet.ENI{Primary: netip.MustParseAddr(s)} }
	tests := []struct {
		enis []subnet.ENI
		want int
	}{
		{nil, 14},
		{[]subnet.ENI{at("10.0.0.4")}, 14}, // in the first block, never whole
		{[]subnet.ENI{at("10.0.0.16"), at("10.0.0.31")}, 13}, // one block, twice
		{[]subnet.ENI{at("10.0.0.16"), at("10.0.0.32")}, 12}, // two blocks
		{[]subnet.ENI{at("10.0.1.16")}, 14},                  // another subnet's address
		{[]subnet.ENI{{Primary: netip.MustParseAddr("10.0.0.250"), Prefixes: []netip.Prefix{netip.MustParsePrefix("10.0.0.48/28")}}}, 13},
	}
	for i, tt := range tests {
		if got := FreeBlocks(cidr, tt.enis); got != tt.want {
			t.Errorf("case %d: FreeBlocks = %d, want %d", i, got, tt.want)
		}
	}
	if got := FreeBlocks(netip.MustParsePrefix("10.0.0.0/28"), nil); got != 0 {
		t.Errorf("a /28 has no whole block for a prefix: %d", got)
	}
}

func TestRunRefuses(t *testing.T) {
	custom := cni.DefaultConfig()
	custom.CustomNetworking = true
	if _, err := Run(Input{CNI: custom, Table: table(t)}); err == nil || err.Error() != "the aws-node DaemonSet runs custom networking: give --eniconfigs (kubectl get eniconfigs -o json) to audit the ENIConfigs" {
		t.Errorf("custom networking without ENIConfigs: %v", err)
	}
	if _, err := ParseSeverity("fatal"); err == nil || err.Error() != `invalid severity "fatal": want one of error, warning, info` {
		t.Errorf("ParseSeverity: %v", err)
	}
}

// BenchmarkAudit10kNodes100kENIs: 10,000 nodes of four types over three
// zones, ten ENIs each, in prefix mode.
func BenchmarkAudit10kNodes100kENIs(b *testing.B) {
	tab := table(b)
	cfg := cni.DefaultConfig()
	cfg.PrefixDelegation = true
	types := []string{"m5.large", "m5.xlarge", "c5.2xlarge", "r5.4xlarge"}
	zones := []string{"us-west-2a", "us-west-2b", "us-west-2c"}
	in := Input{CNI: cfg, Table: tab, HasSubnets: true, HasENIs: true}
	for z, zone := range zones {
		in.Subnets = append(in.Subnets, subnet.Existing{ID: fmt.Sprintf("subnet-0a%015x", z), AZ: zone, CIDR: netip.MustParsePrefix(fmt.Sprintf("10.%d.0.0/16", z)), Available: 60000})
	}
	for i := range 10_000 {
		z := i % 3
		ip := netip.AddrFrom4([4]byte{10, byte(z), byte(i / 3 / 256), byte(i / 3 % 256)})
		n := node(fmt.Sprintf("n%d", i), 110)
		n.InstanceType, n.Zone, n.InstanceID, n.InternalIP = types[i%4], zones[z], fmt.Sprintf("i-0%016x", i), ip
		in.Nodes = append(in.Nodes, n)
		for d := range 10 {
			in.ENIs = append(in.ENIs, subnet.ENI{ID: fmt.Sprintf("eni-%017x", i*10+d), SubnetID: in.Subnets[z].ID, InstanceID: n.InstanceID, DeviceIdx: d, Primary: ip})
		}
	}
	b.ResetTimer()
	for b.Loop() {
		if _, err := Run(in); err != nil {
			b.Fatal(err)
		}
	}
}

// An m5.large holding three full ENIs (27 pool addresses) for 5 pods:
// WARM_IP_TARGET=2, MINIMUM_IP_TARGET=5 keeps max(5 + 2, 5) = 7, so 20
// return to the subnet.
func TestWarmPoolFigures(t *testing.T) {
	full := []subnet.ENI{eni("eni-0000000000000001", nodeSubnet.ID, 0, "10.0.0.10", 9), eni("eni-0000000000000002", nodeSubnet.ID, 1, "10.0.0.30", 9), eni("eni-0000000000000003", nodeSubnet.ID, 2, "10.0.0.50", 9)}
	r, err := Run(Input{CNI: cni.DefaultConfig(), Table: table(t), Nodes: []kube.Node{node("n1", 29)}, Subnets: []subnet.Existing{nodeSubnet}, HasSubnets: true,
		ENIs: full, HasENIs: true, Pods: map[string]kube.PodCounts{"n1": {Pool: 5, HostNetwork: 2}}, HasPods: true})
	if err != nil {
		t.Fatal(err)
	}
	s, n := r.Subnets[0], r.Nodes[0]
	if s.UnusedPoolAddresses != 22 || s.Freeable != 20 || s.SuggestedWarmIPTarget != 2 || s.SuggestedMinimumIPTarget != 5 || n.PoolPods != 5 || n.UnusedPoolAddresses != 22 {
		t.Errorf("subnet %+v\nnode %+v", s, n)
	}
	if got := r.Findings[0].Message; got != "22 pool addresses on its 1 node are used by no pod; WARM_IP_TARGET=2 and MINIMUM_IP_TARGET=5 (the busiest node's pods) would return 20 of them to the subnet" {
		t.Errorf("message %q", got)
	}
}

// With growth, a subnet that holds today's nodes at max pods warns of the
// month it no longer does: 10 m5.large at 29 pods (30 addresses each at
// max pods, holding 10 now) in a /24 with 151 free addresses: 200 more to
// reach max pods do not fit... so a /23 with 403 free: 200 + 30 per new node
// fits 6 more nodes; at +2 nodes a month, month 4 brings 8.
func TestGrowthRunway(t *testing.T) {
	tab := table(t)
	var nodes []kube.Node
	var enis []subnet.ENI
	for i := range 10 {
		n := node(fmt.Sprintf("n%d", i), 29)
		n.InstanceID = fmt.Sprintf("i-0aaaaaaaaaaaaa%03d", i)
		n.InternalIP = netip.AddrFrom4([4]byte{10, 0, 0, byte(10 + i)})
		nodes = append(nodes, n)
		e := eni(fmt.Sprintf("eni-00000000000000%02d", i), nodeSubnet.ID, 0, n.InternalIP.String(), 9)
		e.InstanceID = n.InstanceID
		enis = append(enis, e)
	}
	s := subnet.Existing{ID: nodeSubnet.ID, AZ: "us-west-2a", CIDR: netip.MustParsePrefix("10.0.0.0/23"), Available: 507 - 100 - 4}
	g, err := subnet.ParseGrowth("+2/month")
	if err != nil {
		t.Fatal(err)
	}
	r, err := Run(Input{CNI: cni.DefaultConfig(), Table: tab, Nodes: nodes, Subnets: []subnet.Existing{s}, HasSubnets: true, ENIs: enis, HasENIs: true, Growth: g})
	if err != nil {
		t.Fatal(err)
	}
	fig := r.Subnets[0]
	if fig.MoreAddresses != 200 || fig.RunsOutMonth != 4 || len(r.Findings) != 1 || r.Findings[0].Message != "growing +2/month, its 10 nodes become 18 in month 4, and their addresses at max pods no longer fit the /23: plan the next subnet before then" {
		t.Errorf("%+v\n%+v", fig, r.Findings)
	}
	if _, err := Run(Input{CNI: cni.DefaultConfig(), Table: tab, Growth: func() subnet.Growth { g, _ := subnet.ParseGrowth("40%"); return g }()}); err == nil ||
		err.Error() != "invalid growth 40%: the month a subnet runs out needs growth per month, such as 5%/month or +10/month" {
		t.Errorf("growth once: %v", err)
	}
}

// FuzzRun: whatever the counts a cluster reports, the audit ends without a
// panic, and its summary counts its findings.
func FuzzRun(f *testing.F) {
	tab := table(f)
	f.Add(29, int64(7_800_000<<10), int64(7_100_000<<10), 9, 0, 24, 200, false, false)
	f.Add(100000, int64(1<<40), int64(0), 50, 60, 28, 0, true, true)
	f.Fuzz(func(t *testing.T, pods int, capacity, allocatable int64, secondaries, prefixes, bits, available int, prefixMode, custom bool) {
		if pods < 0 || pods > 100_000 || capacity < allocatable || allocatable < 0 || secondaries < 0 || secondaries > 64 || prefixes < 0 || prefixes > 64 || bits < 16 || bits > 28 || available < 0 {
			t.Skip()
		}
		cfg := cni.DefaultConfig()
		cfg.PrefixDelegation, cfg.CustomNetworking = prefixMode, custom
		n := node("n1", pods)
		n.CapacityMemory, n.AllocatableMemory = capacity, allocatable
		cidr := netip.PrefixFrom(netip.MustParseAddr("10.0.0.0"), bits)
		s := subnet.Existing{ID: nodeSubnet.ID, AZ: "us-west-2a", CIDR: cidr, Available: min(available, subnet.LenOf(cidr).Usable())}
		e := eni("eni-0000000000000001", nodeSubnet.ID, 0, "10.0.0.10", secondaries)
		for k := range prefixes {
			e.Prefixes = append(e.Prefixes, netip.PrefixFrom(netip.AddrFrom4([4]byte{10, 0, byte(k / 16), byte(k % 16 * 16)}), 28))
		}
		in := Input{CNI: cfg, Table: tab, Nodes: []kube.Node{n}, Subnets: []subnet.Existing{s}, HasSubnets: true, ENIs: []subnet.ENI{e}, HasENIs: true,
			ENIConfigs: []kube.ENIConfig{{Name: "us-west-2a", Subnet: nodeSubnet.ID}}, HasENIConfigs: true,
			Pods: map[string]kube.PodCounts{"n1": {Pool: pods / 2}}, HasPods: true}
		r, err := Run(in)
		if err != nil {
			t.Fatal(err)
		}
		if got := r.Summary.Errors + r.Summary.Warnings + r.Summary.Infos; got != len(r.Findings) {
			t.Fatalf("summary %+v for %d findings", r.Summary, len(r.Findings))
		}
	})
}

// With a subnet of the node's zone tagged kubernetes.io/role/cni, subnet
// discovery puts the secondary ENIs there: an m5.large at 29 max pods takes
// 10 addresses from its node subnet (the primary ENI's 9 and its own) and
// 20 from the tagged one, as `eksnet subnet size --discovered-subnets`
// says; it holds its primary ENI (10) and one secondary ENI (10) now.
func TestDiscoveredSubnets(t *testing.T) {
	tagged := podSubnet
	tagged.DiscoveryTagged = true
	enis := []subnet.ENI{eni("eni-0000000000000001", nodeSubnet.ID, 0, "10.0.0.10", 9), eni("eni-0000000000000002", tagged.ID, 1, "100.64.0.10", 9)}
	in := Input{CNI: cni.DefaultConfig(), Table: table(t), Nodes: []kube.Node{node("n1", 29)}, Subnets: []subnet.Existing{nodeSubnet, tagged}, HasSubnets: true, ENIs: enis, HasENIs: true}
	r, err := Run(in)
	if err != nil {
		t.Fatal(err)
	}
	if n := r.Nodes[0]; n.PodSubnet != tagged.ID || !slices.Equal(n.DiscoveredSubnets, []string{tagged.ID}) {
		t.Errorf("node %+v", n)
	}
	got := map[string][2]int{}
	for _, s := range r.Subnets {
		got[s.ID] = [2]int{s.DemandAddresses, s.MoreAddresses}
	}
	if want := map[string][2]int{nodeSubnet.ID: {10, 0}, tagged.ID: {20, 10}}; !maps.Equal(got, want) {
		t.Errorf("demand and more by subnet %v, want %v", got, want)
	}

	// Subnet discovery off: everything counts in the node subnet.
	in.CNI.SubnetDiscovery = false
	if r, err = Run(in); err != nil {
		t.Fatal(err)
	}
	if n := r.Nodes[0]; n.PodSubnet != nodeSubnet.ID || n.DiscoveredSubnets != nil {
		t.Errorf("without discovery: node %+v", n)
	}
	for _, s := range r.Subnets {
		if s.ID == nodeSubnet.ID && s.DemandAddresses != 30 {
			t.Errorf("without discovery: node subnet demand %d, want 30", s.DemandAddresses)
		}
	}
}

// Windows nodes take their addresses as the VPC resource controller holds
// them on the primary ENI: an m5.large at its 9 pods 9 + 1 = 10 by default;
// with the ConfigMap's prefix delegation (warm-ip-target 1, minimum 3 by
// default) at max pods 110, 7 /28s and its own address.
func TestWindowsNodes(t *testing.T) {
	win := node("w1", 9)
	win.OS = "windows"
	in := Input{CNI: cni.DefaultConfig(), Table: table(t), Nodes: []kube.Node{win}, Subnets: []subnet.Existing{nodeSubnet}, HasSubnets: true}
	r, err := Run(in)
	if err != nil {
		t.Fatal(err)
	}
	if s := r.Subnets[0]; s.DemandAddresses != 10 || s.DemandBlocks != 0 || s.Nodes != 1 {
		t.Errorf("default: %+v", s)
	}
	pd := cni.Config{Version: cni.LatestVersion, OS: cni.Windows, PrefixDelegation: true}
	in.WindowsCNI = &pd
	win.CapacityPods = 110
	in.Nodes = []kube.Node{win}
	if r, err = Run(in); err != nil {
		t.Fatal(err)
	}
	if s := r.Subnets[0]; s.DemandAddresses != 1 || s.DemandBlocks != 7 {
		t.Errorf("prefix delegation: %+v", s)
	}
}
