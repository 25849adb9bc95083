package capacity

import (
	"encoding/json"
	"net/netip"
	"strings"
	"sync"
	"testing"

	"github.com/eksnet/eksnet/internal/cni"
	"github.com/eksnet/eksnet/internal/formula"
	"github.com/eksnet/eksnet/internal/limits"
	"github.com/eksnet/eksnet/internal/subnet"
)

var (
	tableOnce sync.Once
	table     *limits.Table
	tableErr  error
)

func request(t testing.TB, typ string, nodes int, change func(*Request)) Request {
	t.Helper()
	tableOnce.Do(func() { table, tableErr = limits.Embedded() })
	if tableErr != nil {
		t.Fatal(tableErr)
	}
	inst, err := table.Lookup(typ)
	if err != nil {
		t.Fatal(err)
	}
	r := NewRequest(inst, nodes)
	// The cases below were worked by hand with one spare node per AZ;
	// TestDefaultSurge checks the default itself.
	r.Surge = 1
	if change != nil {
		change(&r)
	}
	return r
}

func growth(t testing.TB, s string) subnet.Growth {
	t.Helper()
	g, err := subnet.ParseGrowth(s)
	if err != nil {
		t.Fatal(err)
	}
	return g
}

// azWant is the part of the first AZ the cases pin.
type azWant struct {
	nodes, future, needed, neededFuture, blocks, minimum, recommended int
}

func azOf(n SubnetNeed, nodes, future int) azWant {
	return azWant{nodes, future, n.AddressesNeeded, n.AddressesNeededFuture, n.PrefixesNeededFuture, n.MinimumPrefixLength, n.RecommendedPrefixLength}
}

func TestSize(t *testing.T) {
	tests := []struct {
		name    string
		req     Request
		perNode int // node subnet addresses per node
		pods    int
		node    azWant
		pod     *azWant
	}{
		// The issue's "done when": 30 per node, 34 nodes per AZ, 1020 addresses, /21 (a /22 has 1019).
		{"issue example", request(t, "m5.large", 100, func(r *Request) { r.Surge = 0 }), 30, 27,
			azWant{34, 34, 1020, 1020, 0, 21, 21}, nil},
		{"5 pods per node", request(t, "m5.large", 100, func(r *Request) { r.Surge, r.PodsPerNode = 0, 5 }), 20, 5,
			azWant{34, 34, 680, 680, 0, 22, 22}, nil}, // 680 × 1.25 = 850 ≤ 1019
		// Prefix mode: 35 nodes × (3 /28s + 1) = 105 blocks + 35 singles: 105 + ceil(8 / 16) = 106 ≤ 126 free in a /21;
		// with 25% headroom 132 blocks + 44 singles: 134 > 126, a /20.
		{"m5.xlarge prefix 20 pods", request(t, "m5.xlarge", 100, func(r *Request) { r.CNI.PrefixDelegation, r.PodsPerNode = true, 20 }), 49, 20,
			azWant{35, 35, 35 * 49, 35 * 49, 105, 21, 20}, nil},
		// 40% more nodes: 140, ceil(140 / 3) + 1 = 48 per AZ.
		{"growth 40%", request(t, "m5.large", 100, func(r *Request) { r.Growth = growth(t, "40%") }), 30, 27,
			azWant{35, 48, 1050, 1440, 0, 21, 21}, nil}, // 1800 ≤ 2043
		// 5%/month for 12 months: ⌈100 × 1.05^12⌉ = 180, 61 per AZ: 1830, a /21; 2288 with headroom, a /20.
		{"growth 5%/month", request(t, "m5.large", 100, func(r *Request) { r.Growth = growth(t, "5%/month") }), 30, 27,
			azWant{35, 61, 1050, 1830, 0, 21, 20}, nil},
		{"future nodes", request(t, "m5.large", 100, func(r *Request) { r.FutureNodes = 300 }), 30, 27,
			azWant{35, 101, 1050, 3030, 0, 20, 20}, nil}, // 3788 ≤ 4091
		// Custom networking: max pods 20, 18 pods; 1 address per node in the node subnet, 20 in the pod subnet.
		{"custom networking", request(t, "m5.large", 100, func(r *Request) { r.CNI.CustomNetworking = true }), 1, 18,
			azWant{35, 35, 35, 35, 0, 26, 26}, &azWant{35, 35, 700, 700, 0, 22, 22}}, // 44 ≤ 59; 875 ≤ 1019
		// IPv6: the node's IPv4 address only.
		{"ipv6", request(t, "m5.large", 100, func(r *Request) { r.CNI.IPFamily = cni.IPv6 }), 1, 108,
			azWant{35, 35, 35, 35, 0, 26, 26}, nil},
		// A kubelet max pods above what the pool holds: the default pods per node follows it.
		{"max pods 110 on m5.large", request(t, "m5.large", 30, func(r *Request) { r.MaxPods, r.Surge = 110, 0 }), 30, 108,
			azWant{10, 10, 300, 300, 0, 23, 23}, nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			p, err := Size(tt.req)
			if err != nil {
				t.Fatal(err)
			}
			if !p.Fits || p.Err() != nil {
				t.Fatalf("does not fit: %v", p.Err())
			}
			if p.PerNode.NodeSubnetAddresses != tt.perNode || p.PodsPerNode != tt.pods {
				t.Errorf("per node %d addresses, %d pods; want %d, %d", p.PerNode.NodeSubnetAddresses, p.PodsPerNode, tt.perNode, tt.pods)
			}
			if len(p.AZs) != tt.req.AZs {
				t.Fatalf("%d AZs, want %d", len(p.AZs), tt.req.AZs)
			}
			for _, az := range p.AZs {
				if got := azOf(az.SubnetNeed, az.Nodes, az.FutureNodes); got != tt.node || az.Role != RoleNode {
					t.Errorf("AZ %d node subnet %+v, want %+v", az.AZ, got, tt.node)
				}
				switch {
				case tt.pod == nil && az.PodSubnet != nil:
					t.Errorf("AZ %d has a pod subnet without custom networking", az.AZ)
				case tt.pod != nil && (az.PodSubnet == nil || azOf(*az.PodSubnet, az.Nodes, az.FutureNodes) != *tt.pod):
					t.Errorf("AZ %d pod subnet %+v, want %+v", az.AZ, az.PodSubnet, tt.pod)
				}
			}
		})
	}
}

func TestIssueExampleJSON(t *testing.T) {
	p, err := Size(request(t, "m5.large", 100, func(r *Request) { r.Surge = 0 }))
	if err != nil {
		t.Fatal(err)
	}
	b, err := json.Marshal(p)
	if err != nil {
		t.Fatal(err)
	}
	var doc struct {
		InstanceType string `json:"instanceType"`
		MaxPods      int    `json:"maxPods"`
		PodsPerNode  int    `json:"podsPerNode"`
		PerNode      struct {
			ENIs, PoolAddresses, Prefixes, NodeSubnetAddresses, PodSubnetAddresses, BranchENIs *int
		} `json:"perNode"`
		AZs []struct {
			Nodes, AddressesNeeded, AddressesNeededFuture, MinimumPrefixLength, RecommendedPrefixLength *int
		} `json:"azs"`
	}
	if err := json.Unmarshal(b, &doc); err != nil {
		t.Fatal(err)
	}
	pn := doc.PerNode
	if doc.InstanceType != "m5.large" || doc.MaxPods != 29 || doc.PodsPerNode != 27 || pn.ENIs == nil || *pn.ENIs != 3 ||
		*pn.PoolAddresses != 27 || *pn.Prefixes != 0 || *pn.NodeSubnetAddresses != 30 || *pn.PodSubnetAddresses != 0 || *pn.BranchENIs != 0 {
		t.Errorf("JSON %s", b)
	}
	if len(doc.AZs) != 3 || doc.AZs[0].Nodes == nil || *doc.AZs[0].Nodes != 34 || *doc.AZs[0].AddressesNeeded != 1020 ||
		*doc.AZs[0].AddressesNeededFuture != 1020 || *doc.AZs[0].MinimumPrefixLength != 21 || *doc.AZs[0].RecommendedPrefixLength != 21 {
		t.Errorf("JSON azs %s", b)
	}
}

func TestDoesNotFitASlash16(t *testing.T) {
	// c5.18xlarge: 248 pods, 6 ENIs of 49: 300 addresses a node; 700 nodes: 235 per AZ, 70500 addresses.
	p, err := Size(request(t, "c5.18xlarge", 700, nil))
	if err != nil {
		t.Fatal(err)
	}
	if p.Fits || p.AZs[0].Fits || p.AZs[0].OverBy != 70500-65531 || p.AZs[0].MinimumPrefixLength != 0 {
		t.Fatalf("plan fits: %+v", p.AZs[0])
	}
	want := []Change{
		// WARM_IP_TARGET=49: the pool stops at max pods 250, on 6 ENIs: 256 a node, 60160 per AZ.
		{Flags: "--warm-ip-target 49", Setting: "WARM_IP_TARGET=49", AddressesNeededFuture: 235 * 256, MinimumPrefixLength: 16},
		// Prefix delegation: 16 /28s (capped at max pods 250) + 1 ENI: 3760 blocks and 235 singles.
		{Flags: "--prefix-delegation", Setting: "ENABLE_PREFIX_DELEGATION=true", AddressesNeededFuture: 235 * 257, MinimumPrefixLength: 16},
		// 4 AZs: 176 nodes, 52800 addresses.
		{Flags: "--azs 4", Setting: "4 AZs", AddressesNeededFuture: 176 * 300, MinimumPrefixLength: 16},
	}
	if len(p.Changes) != len(want) {
		t.Fatalf("changes %+v, want %+v", p.Changes, want)
	}
	for i, c := range p.Changes {
		c.Note = ""
		if c != want[i] {
			t.Errorf("change %d = %+v, want %+v", i, c, want[i])
		}
	}
	const msg = "the node subnet of each AZ needs 70500 addresses at 235 nodes: 4969 addresses more than a /16 holds; smallest change that fits: --warm-ip-target 49 (WARM_IP_TARGET=49)"
	if err := p.Err(); err == nil || err.Error() != msg {
		t.Errorf("Err() = %v, want %q", err, msg)
	}
}

func TestExistingSubnet(t *testing.T) {
	cidr := netip.MustParsePrefix("10.0.0.0/21")
	// 100 nodes, 3 AZs, surge 1: 35 per AZ, 1050 used of 2043; room for 33 more nodes, 68 in all.
	// +10 nodes a month: ceil(210 / 3) + 1 = 71 > 68 in month 11.
	p, err := Size(request(t, "m5.large", 100, func(r *Request) {
		r.Growth = growth(t, "+10/month")
		r.Existing = []Existing{{ID: "subnet-1", AZ: "us-west-2a", CIDR: cidr, Used: 1050}}
	}))
	if err != nil {
		t.Fatal(err)
	}
	es := p.ExistingSubnets[0]
	// In 12 months: 220 nodes, 74 + 1 = 75 per AZ: 1050 + 40 × 30 = 2250 > 2043.
	if p.FutureNodes != 220 || es.AddressesAtFuture != 2250 || es.FitsFuture || es.OverByFuture != 207 || es.Role != RoleNode {
		t.Errorf("existing subnet %+v", es)
	}
	if es.Runway == nil || *es.Runway != (subnet.Runway{MaxNodes: 68, RunsOut: true, Month: 11, Nodes: 210, NodesInSubnet: 71, HorizonMonths: 120}) {
		t.Errorf("runway %+v", es.Runway)
	}
	if p.Fits {
		t.Error("a subnet that runs out fits")
	}
	// The advice judges the subnet by the model: 4 AZs: 55 + 1 = 56 nodes × 30 = 1680.
	if len(p.Changes) == 0 || p.Changes[len(p.Changes)-1].Flags != "--azs 4" || p.Changes[len(p.Changes)-1].AddressesNeededFuture != 1680 {
		t.Errorf("changes %+v", p.Changes)
	}
}

func TestExistingSubnetTooSmallForPods(t *testing.T) {
	// 34 nodes of 30 addresses: 1020 > 1019 of a /22. Custom networking moves the pods out: 1 address a node.
	p, err := Size(request(t, "m5.large", 100, func(r *Request) {
		r.Surge = 0
		r.Existing = []Existing{{CIDR: netip.MustParsePrefix("10.0.0.0/22"), Used: -1}}
	}))
	if err != nil {
		t.Fatal(err)
	}
	es := p.ExistingSubnets[0]
	if !es.UsedFromModel || es.UsedAddresses != 1020 || es.FitsFuture || es.OverByFuture != 1 {
		t.Errorf("existing subnet %+v", es)
	}
	var flags []string
	for _, c := range p.Changes {
		flags = append(flags, c.Flags)
	}
	if strings.Join(flags, ", ") != "--custom-networking, --azs 4" {
		t.Errorf("changes %+v", p.Changes)
	}
	if c := p.Changes[0]; c.AddressesNeededFuture != 34 || c.MinimumPrefixLength != 26 || !strings.Contains(c.Note, "fewer pods per node") {
		t.Errorf("custom networking change %+v", c)
	}
	const msg = "subnet 10.0.0.0/22 (1019 usable) needs 1020 addresses at 34 nodes: 1 address more than it holds; smallest change that fits: --custom-networking (AWS_VPC_K8S_CNI_CUSTOM_NETWORK_CFG=true)"
	if err := p.Err(); err == nil || err.Error() != msg {
		t.Errorf("Err() = %v, want %q", err, msg)
	}
}

// Subnets short by the same numbers, one per AZ, are one sentence: 30 nodes,
// 5%/month for 12 months: ceil(30 × 1.05^12) = 54, 19 per AZ (11 today).
// Each /24 has 251 − 100 = 151 in use; 151 + 8 × 30 = 391, 140 over 251.
// A fourth subnet, fuller, is short by more and gets its own sentence.
func TestExistingSubnetsShortAlike(t *testing.T) {
	used := func(cidr, id string, available int) Existing {
		return Existing{ID: id, CIDR: netip.MustParsePrefix(cidr), Used: 251 - available}
	}
	p, err := Size(request(t, "m5.large", 30, func(r *Request) {
		r.Growth = growth(t, "5%/month")
		r.Existing = []Existing{
			used("10.0.0.0/24", "subnet-a", 100), used("10.0.1.0/24", "subnet-b", 100),
			used("10.0.2.0/24", "subnet-c", 100), used("10.0.3.0/24", "subnet-d", 99),
		}
	}))
	if err != nil {
		t.Fatal(err)
	}
	want := []string{
		"subnets subnet-a 10.0.0.0/24, subnet-b 10.0.1.0/24 and subnet-c 10.0.2.0/24 (251 usable each) need 391 addresses each at 19 nodes: 140 addresses more than each holds",
		"subnet subnet-d 10.0.3.0/24 (251 usable) needs 392 addresses at 19 nodes: 141 addresses more than it holds",
	}
	if strings.Join(p.Problems, "\n") != strings.Join(want, "\n") {
		t.Errorf("problems\n%s\nwant\n%s", strings.Join(p.Problems, "\n"), strings.Join(want, "\n"))
	}
}

func TestErrors(t *testing.T) {
	tests := []struct {
		name string
		req  Request
		err  string
	}{
		{"no nodes", request(t, "m5.large", 0, nil), "invalid node count 0: must be 1 to 1000000"},
		{"negative nodes", request(t, "m5.large", -3, nil), "invalid node count -3: must be 1 to 1000000"},
		{"no AZs", request(t, "m5.large", 10, func(r *Request) { r.AZs = 0 }), "invalid AZ count 0: must be 1 to 16"},
		{"negative surge", request(t, "m5.large", 10, func(r *Request) { r.Surge = -1 }), "invalid surge -1: must be 0 to 1000000"},
		{"future below now", request(t, "m5.large", 10, func(r *Request) { r.FutureNodes = 5 }), "future nodes 5 are fewer than the 10 nodes now"},
		{"future and one-off growth", request(t, "m5.large", 10, func(r *Request) { r.FutureNodes, r.Growth = 20, growth(t, "40%") }), "give future nodes or a growth of 40%, not both"},
		{"too many pods", request(t, "m5.large", 10, func(r *Request) { r.PodsPerNode = 28 }), "28 pods per node do not fit max pods 29: at most 27, as aws-node and kube-proxy take 2 and SG pods 0"},
		{"negative pods", request(t, "m5.large", 10, func(r *Request) { r.PodsPerNode = -2 }), "invalid pods per node -2: must be 0 or more"},
		{"IPv6 on Xen", request(t, "c3.large", 10, func(r *Request) { r.CNI.IPFamily = cni.IPv6 }), "c3.large: IPv6 unsupported"},
		{"prefixes on Xen", request(t, "m4.xlarge", 10, func(r *Request) { r.CNI.PrefixDelegation = true }), "m4.xlarge: prefix delegation unsupported"},
		{"SG pods without trunk", request(t, "t3.micro", 10, func(r *Request) { r.CNI.SecurityGroupsForPods, r.SGPodsPerNode = true, 1 }), "t3.micro has no trunk ENI"},
		{"negative warm IP target", request(t, "m5.large", 10, func(r *Request) { r.CNI.WarmIPTarget = -1 }), "invalid WARM_IP_TARGET -1: must be 0 or more"},
		{"negative headroom", request(t, "m5.large", 10, func(r *Request) { r.HeadroomPercent = -1 }), "invalid headroom -1%: must be 0% to 1000%"},
		{"used over usable", request(t, "m5.large", 10, func(r *Request) {
			r.Existing = []Existing{{CIDR: netip.MustParsePrefix("10.0.0.0/24"), Used: 300}}
		}), "subnet 10.0.0.0/24: 300 addresses in use, but a /24 has 251 usable"},
		{"pod subnet without custom networking", request(t, "m5.large", 10, func(r *Request) {
			r.Existing = []Existing{{CIDR: netip.MustParsePrefix("10.0.0.0/24"), Used: 3, Role: RolePod}}
		}), "subnet 10.0.0.0/24: a pod subnet needs custom networking"},
	}
	for _, tt := range tests {
		_, err := Size(tt.req)
		if err == nil || !strings.HasPrefix(err.Error(), tt.err) {
			t.Errorf("%s: error %v, want %q", tt.name, err, tt.err)
		}
	}
}

func BenchmarkSize(b *testing.B) {
	req := request(b, "m5.xlarge", 300, func(r *Request) { r.CNI.PrefixDelegation, r.Growth = true, growth(b, "5%/month") })
	for b.Loop() {
		if _, err := Size(req); err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkSizeWithAdvice(b *testing.B) {
	req := request(b, "c5.18xlarge", 700, nil)
	for b.Loop() {
		if _, err := Size(req); err != nil {
			b.Fatal(err)
		}
	}
}

// maxpods and subnet size agree on the ENIs for pods and the max pods of
// every type, with MAX_ENI 1 and 2 and security groups for pods: both read
// them from the one CNI model.
func TestMaxPodsAndSubnetSizeAgree(t *testing.T) {
	table, err := limits.Embedded()
	if err != nil {
		t.Fatal(err)
	}
	checked := 0
	for _, inst := range table.All() {
		for _, maxENI := range []int{1, 2} {
			q := formula.DefaultQuery()
			q.MaxENI, q.SecurityGroupsForPods = maxENI, true
			mp, err := formula.Compute(inst, q)
			if err != nil {
				t.Fatal(err)
			}
			req := NewRequest(inst, 10)
			req.CNI = q.Config
			p, err := Size(req)
			if err != nil {
				if mp.MaxPods <= cni.HostNetworkPods {
					continue // no pod can take an address: subnet size has nothing to size
				}
				t.Fatalf("%s MAX_ENI=%d: subnet size: %v", inst.Name, maxENI, err)
			}
			if p.PerNode.PodENIs != mp.PodENIs || p.MaxPods != mp.MaxPods {
				t.Errorf("%s MAX_ENI=%d with SG pods: maxpods %d pod ENIs, %d pods; subnet size %d, %d",
					inst.Name, maxENI, mp.PodENIs, mp.MaxPods, p.PerNode.PodENIs, p.MaxPods)
			}
			checked++
		}
	}
	if checked < 2000 {
		t.Errorf("only %d checked", checked)
	}
}

// The default surge is 2 nodes per AZ: EKS managed node group updates
// launch up to two instances per AZ (docs/vpc-rules.md "Surge"). m5.large,
// 81 nodes, 3 AZs: 27 + 2 = 29 nodes of 30 addresses, 870 per AZ.
func TestDefaultSurge(t *testing.T) {
	tableOnce.Do(func() { table, tableErr = limits.Embedded() })
	if tableErr != nil {
		t.Fatal(tableErr)
	}
	inst, err := table.Lookup("m5.large")
	if err != nil {
		t.Fatal(err)
	}
	req := NewRequest(inst, 81)
	p, err := Size(req)
	if err != nil {
		t.Fatal(err)
	}
	if req.Surge != 2 || p.AZs[0].Nodes != 29 || p.AZs[0].AddressesNeeded != 870 {
		t.Errorf("surge %d: %d nodes, %d addresses per AZ", req.Surge, p.AZs[0].Nodes, p.AZs[0].AddressesNeeded)
	}
}
