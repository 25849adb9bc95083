package ipam

import (
	"encoding/json"
	"slices"
	"strings"
	"sync"
	"testing"

	"github.com/eksnet/eksnet/internal/cni"
	"github.com/eksnet/eksnet/internal/limits"
	"github.com/eksnet/eksnet/internal/subnet"
)

var (
	tableOnce sync.Once
	table     *limits.Table
	tableErr  error
)

func instance(t testing.TB, name string) limits.Instance {
	t.Helper()
	tableOnce.Do(func() { table, tableErr = limits.Embedded() })
	if tableErr != nil {
		t.Fatal(tableErr)
	}
	inst, err := table.Lookup(name)
	if err != nil {
		t.Fatal(err)
	}
	return inst
}

// with returns the shipped defaults changed by f.
func with(f func(*setup)) setup {
	s := defaults()
	if f != nil {
		f(&s)
	}
	return s
}

func TestInstanceFacts(t *testing.T) {
	// The worked examples of docs/node-addresses.md assume these facts.
	for _, tt := range []struct {
		name        string
		enis, ipv4  int
		nitro, trnk bool
	}{
		{"m5.large", 3, 10, true, true},
		{"m5.xlarge", 4, 15, true, true},
		{"m4.xlarge", 4, 15, false, false},
		{"t3.micro", 2, 2, true, false},
	} {
		inst := instance(t, tt.name)
		trunking, _ := inst.SupportsTrunking()
		if inst.MaxENIs != tt.enis || inst.IPv4PerENI != tt.ipv4 || inst.NitroOrBareMetal() != tt.nitro || trunking != tt.trnk {
			t.Errorf("%s = %+v", tt.name, inst)
		}
	}
}

// want is the part of a Demand the examples pin.
type want struct {
	enis, pool, prefixes, node, pod, branch, without int
}

func got(d Demand) want {
	return want{d.ENIs, d.PoolAddresses, d.Prefixes, d.NodeSubnetAddresses, d.PodSubnetAddresses, d.BranchENIs, d.PodsWithoutAddress}
}

// TestWorkedExamples reproduces every worked example of docs/node-addresses.md, and a few
// derived from the same closed form.
func TestWorkedExamples(t *testing.T) {
	defaults := with(nil)
	warmIP := with(func(s *setup) { s.WarmIPTarget, s.MinimumIPTarget = 2, 10 })
	prefix := with(func(s *setup) { s.PrefixDelegation = true })
	sgp := func(n int) setup {
		return with(func(s *setup) { s.SecurityGroupsForPods, s.SGPods = true, n })
	}
	ipv6 := with(func(s *setup) { s.IPv6, s.PrefixDelegation = true, true })
	custom := with(func(s *setup) { s.CustomNetworking = true })
	discovered := with(func(s *setup) { s.DiscoveredSubnets = true })
	windows := with(func(s *setup) { s.OS = cni.Windows })

	tests := []struct {
		name     string
		inst     string
		s        setup
		maxPods  int
		pods     int
		want     want
		poolENIs int
	}{
		// m5.large (3 ENIs x 10), defaults: 5 pods 2 ENIs, 18 IPs, 20; 0 pods 10; 10 or more 30.
		{"m5.large defaults 5 pods", "m5.large", defaults, 29, 5, want{2, 18, 0, 20, 0, 0, 0}, 2},
		{"m5.large defaults 0 pods", "m5.large", defaults, 29, 0, want{1, 9, 0, 10, 0, 0, 0}, 1},
		{"m5.large defaults 9 pods", "m5.large", defaults, 29, 9, want{2, 18, 0, 20, 0, 0, 0}, 2},
		{"m5.large defaults 10 pods", "m5.large", defaults, 29, 10, want{3, 27, 0, 30, 0, 0, 0}, 3},
		{"m5.large defaults 27 pods", "m5.large", defaults, 29, 27, want{3, 27, 0, 30, 0, 0, 0}, 3},
		{"m5.large defaults 29 pods: 2 without address", "m5.large", defaults, 29, 29, want{3, 27, 0, 30, 0, 0, 2}, 3},
		// WARM_IP_TARGET=2, MINIMUM_IP_TARGET=10: 0-8 pods 10 IPs on 2 ENIs = 12; 20 pods 22 on 3 = 25.
		{"warm IP 0 pods", "m5.large", warmIP, 29, 0, want{2, 10, 0, 12, 0, 0, 0}, 2},
		{"warm IP 8 pods", "m5.large", warmIP, 29, 8, want{2, 10, 0, 12, 0, 0, 0}, 2},
		{"warm IP 9 pods", "m5.large", warmIP, 29, 9, want{2, 11, 0, 13, 0, 0, 0}, 2},
		{"warm IP 20 pods", "m5.large", warmIP, 29, 20, want{3, 22, 0, 25, 0, 0, 0}, 3},
		{"warm IP 27 pods: the ENIs are full", "m5.large", warmIP, 29, 27, want{3, 27, 0, 30, 0, 0, 0}, 3},
		// m5.xlarge (4 x 15), prefix delegation, WARM_PREFIX_TARGET=1, 20 pods: 3 /28s = 48 + 1 = 49.
		{"m5.xlarge prefix 20 pods", "m5.xlarge", prefix, 110, 20, want{1, 48, 3, 49, 0, 0, 0}, 1},
		{"m5.xlarge prefix 0 pods", "m5.xlarge", prefix, 110, 0, want{1, 16, 1, 17, 0, 0, 0}, 1},
		{"m5.xlarge prefix 108 pods: capped at the kubelet's 110", "m5.xlarge", prefix, 110, 108, want{1, 112, 7, 113, 0, 0, 0}, 1},
		// m5.large with security groups for pods, 5 pods: pool 18, 3 ENIs, 21, plus 1 per SG pod.
		{"m5.large SGP 5 pods", "m5.large", sgp(0), 20, 5, want{3, 18, 0, 21, 0, 0, 0}, 2},
		{"m5.large SGP 5 pods 4 SG pods", "m5.large", sgp(4), 20, 5, want{3, 18, 0, 25, 0, 4, 0}, 2},
		{"m5.large SGP 18 pods fit", "m5.large", sgp(0), 20, 18, want{3, 18, 0, 21, 0, 0, 0}, 2},
		{"m5.large SGP 27 pods with max pods 29: only 18 addressed", "m5.large", sgp(0), 29, 27, want{3, 18, 0, 21, 0, 0, 9}, 2},
		// IPv6: 1 IPv4 (the node) + 1 if a trunk ENI; one /80.
		{"m5.large IPv6", "m5.large", ipv6, 110, 50, want{1, 0, 0, 1, 0, 0, 0}, 0},
		{"m5.xlarge IPv6 with SGP", "m5.xlarge", with(func(s *setup) { s.IPv6, s.SecurityGroupsForPods = true, true }), 110, 50, want{2, 0, 0, 2, 0, 0, 0}, 0},
		{"m5.xlarge IPv6 with 3 SG pods", "m5.xlarge", with(func(s *setup) { s.IPv6, s.SecurityGroupsForPods, s.SGPods = true, true, 3 }), 110, 50, want{2, 0, 0, 5, 0, 3, 0}, 0},
		// Derived: custom networking takes the node address only from the node subnet.
		{"m5.large custom 5 pods", "m5.large", custom, 20, 5, want{3, 18, 0, 1, 20, 0, 0}, 2},
		{"m5.large custom 0 pods", "m5.large", custom, 20, 0, want{2, 9, 0, 1, 10, 0, 0}, 1},
		{"m5.large custom SGP 2 SG pods", "m5.large", with(func(s *setup) { s.CustomNetworking, s.SecurityGroupsForPods, s.SGPods = true, true, 2 }), 11, 5, want{3, 9, 0, 1, 13, 2, 0}, 1},
		{"m5.xlarge custom prefix 20 pods", "m5.xlarge", with(func(s *setup) { s.CustomNetworking, s.PrefixDelegation = true, true }), 110, 20, want{2, 48, 3, 1, 49, 0, 0}, 1},
		// Derived: subnet discovery with tagged subnets: the primary ENI (its pool
		// and the node's address) stays in the node subnet, with the trunk and
		// branch ENIs; each secondary ENI, its pool and primary, goes to a pod subnet.
		{"m5.large discovered 27 pods", "m5.large", discovered, 29, 27, want{3, 27, 0, 10, 20, 0, 0}, 3},
		{"m5.large discovered 5 pods", "m5.large", discovered, 29, 5, want{2, 18, 0, 10, 10, 0, 0}, 2},
		{"m5.large discovered 0 pods: one ENI, nothing in the pod subnet", "m5.large", discovered, 29, 0, want{1, 9, 0, 10, 0, 0, 0}, 1},
		{"m5.large discovered SGP 4 SG pods", "m5.large", with(func(s *setup) { s.DiscoveredSubnets, s.SecurityGroupsForPods, s.SGPods = true, true, 4 }), 20, 5, want{3, 18, 0, 15, 10, 4, 0}, 2},
		{"m5.large discovered prefix 248 pods: 9 /28s on the primary, 7 on the next", "m5.large", with(func(s *setup) { s.DiscoveredSubnets, s.PrefixDelegation = true, true }), 250, 248, want{2, 256, 16, 145, 113, 0, 0}, 2},
		{"m5.large discovered without subnet discovery: all in the node subnet", "m5.large", with(func(s *setup) { s.DiscoveredSubnets, s.SubnetDiscovery = true, false }), 29, 27, want{3, 27, 0, 30, 0, 0, 0}, 3},
		{"m5.large discovered on VPC CNI 1.17: all in the node subnet", "m5.large", with(func(s *setup) { s.DiscoveredSubnets, s.Version = true, cni.Version{Major: 1, Minor: 17, Patch: 1} }), 29, 27, want{3, 27, 0, 30, 0, 0, 0}, 3},
		{"m5.large custom networking wins over discovery", "m5.large", with(func(s *setup) { s.DiscoveredSubnets, s.CustomNetworking = true, true }), 20, 5, want{3, 18, 0, 1, 20, 0, 0}, 2},
		// Windows: the VPC resource controller, the primary ENI alone; by default
		// 3 warm IPs beyond the pods and 3 in all, or with prefixes 1 and 3 in /28s.
		{"m5.large Windows 9 pods: the ENI's 9 slots", "m5.large", windows, 9, 9, want{1, 9, 0, 10, 0, 0, 0}, 1},
		{"m5.large Windows 5 pods", "m5.large", windows, 9, 5, want{1, 8, 0, 9, 0, 0, 0}, 1},
		{"m5.large Windows 0 pods: the minimum of 3", "m5.large", windows, 9, 0, want{1, 3, 0, 4, 0, 0, 0}, 1},
		{"m5.large Windows warm-ip-target 1", "m5.large", with(func(s *setup) { s.OS, s.WarmIPTarget = cni.Windows, 1 }), 9, 5, want{1, 6, 0, 7, 0, 0, 0}, 1},
		{"m5.large Windows prefixes 108 pods", "m5.large", with(func(s *setup) { s.OS, s.PrefixDelegation = cni.Windows, true }), 110, 108, want{1, 112, 7, 113, 0, 0, 0}, 1},
		{"m5.large Windows prefixes 0 pods", "m5.large", with(func(s *setup) { s.OS, s.PrefixDelegation = cni.Windows, true }), 110, 0, want{1, 16, 1, 17, 0, 0, 0}, 1},
		// Derived: MAX_ENI, WARM_ENI_TARGET=0 and 2, MINIMUM_IP_TARGET alone.
		{"m5.large MAX_ENI=2", "m5.large", with(func(s *setup) { s.MaxENI = 2 }), 20, 18, want{2, 18, 0, 20, 0, 0, 0}, 2},
		{"m5.large WARM_ENI_TARGET=0 9 pods", "m5.large", with(func(s *setup) { s.WarmENITarget = 0 }), 29, 9, want{2, 18, 0, 20, 0, 0, 0}, 2},
		{"m5.large WARM_ENI_TARGET=0 8 pods", "m5.large", with(func(s *setup) { s.WarmENITarget = 0 }), 29, 8, want{1, 9, 0, 10, 0, 0, 0}, 1},
		{"m5.large WARM_ENI_TARGET=2 0 pods", "m5.large", with(func(s *setup) { s.WarmENITarget = 2 }), 29, 0, want{2, 18, 0, 20, 0, 0, 0}, 2},
		{"m5.large MINIMUM_IP_TARGET=5 alone, 8 pods", "m5.large", with(func(s *setup) { s.MinimumIPTarget = 5 }), 29, 8, want{1, 5, 0, 6, 0, 0, 3}, 1},
		{"m5.xlarge prefix WARM_PREFIX_TARGET=0 16 pods", "m5.xlarge", with(func(s *setup) { s.PrefixDelegation, s.WarmPrefixTarget = true, 0 }), 110, 16, want{1, 32, 2, 33, 0, 0, 0}, 1},
		{"m5.xlarge prefix WARM_IP_TARGET=5 20 pods", "m5.xlarge", with(func(s *setup) { s.PrefixDelegation, s.WarmIPTarget = true, 5 }), 110, 20, want{1, 32, 2, 33, 0, 0, 0}, 1},
		// Derived: prefix delegation on Xen falls back to secondary IPs, as the CNI does.
		{"m4.xlarge prefix falls back", "m4.xlarge", prefix, 58, 20, want{3, 42, 0, 45, 0, 0, 0}, 3},
		// Derived: WARM_IP_TARGET past a capped kubelet max pods stops at it.
		{"m5.4xlarge warm IP stops at max pods", "m5.4xlarge", with(func(s *setup) { s.WarmIPTarget = 5 }), 110, 108, want{4, 110, 0, 114, 0, 0, 0}, 4},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			d, err := demand(instance(t, tt.inst), tt.s, tt.maxPods, tt.pods)
			if err != nil {
				t.Fatal(err)
			}
			if got(d) != tt.want || d.PoolENIs != tt.poolENIs {
				t.Errorf("got %+v pool ENIs %d, want %+v pool ENIs %d\n%s", got(d), d.PoolENIs, tt.want, tt.poolENIs, strings.Join(d.Explain(), "\n"))
			}
			if d.Mode == cni.ModePrefixDelegation && d.NodeSubnetPrefixes+d.PodSubnetPrefixes != d.Prefixes {
				t.Errorf("prefixes split %d + %d, want %d", d.NodeSubnetPrefixes, d.PodSubnetPrefixes, d.Prefixes)
			}
			if n, p := d.NodeSubnetNeed(), d.PodSubnetNeed(); n.Total() != d.NodeSubnetAddresses || p.Total() != d.PodSubnetAddresses || n.Blocks+p.Blocks != d.Prefixes {
				t.Errorf("subnet needs %+v and %+v, want %d and %d addresses with %d /28s", n, p, d.NodeSubnetAddresses, d.PodSubnetAddresses, d.Prefixes)
			}
		})
	}
}

// WARM_PREFIX_TARGET >= 2 is counted at the worst case over pod
// placements (docs/node-addresses.md), with a note; the cases from
// ipamd's own decision functions: m5.large, 20 pods: 5 /28s, not 4; 110 pods
// under max pods 112: 8 /28s, past ceil(112/16) = 7.
func TestWarmPrefixTargetWorstCase(t *testing.T) {
	wpt := func(n int) setup { return with(func(s *setup) { s.PrefixDelegation, s.WarmPrefixTarget = true, n }) }
	for _, tt := range []struct {
		inst               string
		wpt, maxPods, pods int
		prefixes           int
	}{
		{"m5.large", 2, 110, 20, 5},
		{"m5.large", 2, 112, 110, 8},
		{"m5.large", 2, 110, 2, 3}, // the first pod's growth finds a free /28, so asks for one
		{"m5.xlarge", 3, 110, 20, 7},
		{"m5.large", 1, 110, 20, 3}, // one /28 at a time: the closed form
	} {
		d, err := demand(instance(t, tt.inst), wpt(tt.wpt), tt.maxPods, tt.pods)
		if err != nil {
			t.Fatal(err)
		}
		note := slices.ContainsFunc(d.Notes, func(n string) bool { return strings.Contains(n, "worst case") })
		if d.Prefixes != tt.prefixes || note != (tt.wpt >= 2) {
			t.Errorf("%s WARM_PREFIX_TARGET=%d, max pods %d, %d pods: %d /28s (worst-case note %v), want %d; notes %q",
				tt.inst, tt.wpt, tt.maxPods, tt.pods, d.Prefixes, note, tt.prefixes, d.Notes)
		}
	}
}

// WARM_ENI_TARGET=0 with exactly full ENIs flaps: the peak is counted and
// the churn is a field and a note.
func TestWarmENITargetZeroChurn(t *testing.T) {
	zero := with(func(s *setup) { s.WarmENITarget = 0 })
	d, err := demand(instance(t, "c5.4xlarge"), zero, 110, 29)
	if err != nil {
		t.Fatal(err)
	}
	if !d.ENIChurn || d.PoolENIs != 2 {
		t.Errorf("c5.4xlarge 29 pods: churn %v, pool ENIs %d; want churn at 2", d.ENIChurn, d.PoolENIs)
	}
	d, err = demand(instance(t, "c5.4xlarge"), zero, 110, 28)
	if err != nil {
		t.Fatal(err)
	}
	if d.ENIChurn {
		t.Errorf("c5.4xlarge 28 pods: churn reported")
	}
}

// The /28s of prefix mode are whole aligned blocks of the subnet the pool
// ENIs use; the rest are single addresses (docs/node-addresses.md).
func TestSubnetNeeds(t *testing.T) {
	// m5.xlarge, prefixes, 20 pods: 3 /28s and the ENI's primary, 49 addresses.
	d, err := demand(instance(t, "m5.xlarge"), with(func(s *setup) { s.PrefixDelegation = true }), 110, 20)
	if err != nil {
		t.Fatal(err)
	}
	if n, p := d.NodeSubnetNeed(), d.PodSubnetNeed(); n != (subnet.Need{Addresses: 1, Blocks: 3}) || p != (subnet.Need{}) {
		t.Errorf("needs %+v %+v", n, p)
	}
	// With custom networking: the node address in the node subnet; 3 /28s and
	// the pool ENI's primary in the pod subnet.
	d, err = demand(instance(t, "m5.xlarge"), with(func(s *setup) { s.PrefixDelegation, s.CustomNetworking = true, true }), 110, 20)
	if err != nil {
		t.Fatal(err)
	}
	if n, p := d.NodeSubnetNeed(), d.PodSubnetNeed(); n != (subnet.Need{Addresses: 1}) || p != (subnet.Need{Addresses: 1, Blocks: 3}) {
		t.Errorf("custom networking needs %+v %+v", n, p)
	}
}

func TestModes(t *testing.T) {
	tests := []struct {
		inst string
		s    setup
		mode cni.Mode
		note string
	}{
		{"m5.large", with(nil), cni.ModeSecondaryIP, ""},
		{"m5.large", with(func(s *setup) { s.PrefixDelegation = true }), cni.ModePrefixDelegation, ""},
		{"m5.metal", with(func(s *setup) { s.PrefixDelegation = true }), cni.ModePrefixDelegation, ""},
		{"m4.xlarge", with(func(s *setup) { s.PrefixDelegation = true }), cni.ModeSecondaryIP, "falls back to secondary IPs"},
		{"m5.large", with(func(s *setup) { s.IPv6 = true }), cni.ModeIPv6, ""},
		{"t3.micro", with(func(s *setup) { s.SecurityGroupsForPods = true }), cni.ModeSecondaryIP, "no trunk ENI"},
	}
	for _, tt := range tests {
		d, err := demand(instance(t, tt.inst), tt.s, 10, 0)
		if err != nil {
			t.Fatalf("%s: %v", tt.inst, err)
		}
		if d.Mode != tt.mode || (tt.note != "" && !strings.Contains(strings.Join(d.Notes, "\n"), tt.note)) {
			t.Errorf("%s %+v: mode %s notes %q, want %s with %q", tt.inst, tt.s, d.Mode, d.Notes, tt.mode, tt.note)
		}
	}
}

func TestUnknownTrunkingCountsTheTrunk(t *testing.T) {
	inst := instance(t, "m5.large")
	inst.Trunking, inst.BranchInterfaces = nil, nil
	d, err := demand(inst, with(func(s *setup) { s.SecurityGroupsForPods, s.SGPods = true, 50 }), 110, 5)
	if err != nil {
		t.Fatal(err)
	}
	if !d.TrunkENI || d.ENIs != 3 || d.NodeSubnetAddresses != 18+3+50 {
		t.Errorf("unknown trunking: %+v", got(d))
	}
	if !strings.Contains(strings.Join(d.Notes, " "), "unknown") {
		t.Errorf("notes %q do not say trunking is unknown", d.Notes)
	}
}

func TestErrors(t *testing.T) {
	m5 := instance(t, "m5.large")
	tests := []struct {
		name    string
		inst    limits.Instance
		s       setup
		maxPods int
		pods    int
		want    string
	}{
		{"negative WARM_ENI_TARGET", m5, with(func(s *setup) { s.WarmENITarget = -1 }), 29, 1, "invalid WARM_ENI_TARGET -1: must be 0 or more"},
		{"negative WARM_IP_TARGET", m5, with(func(s *setup) { s.WarmIPTarget = -2 }), 29, 1, "invalid WARM_IP_TARGET -2: must be 0 or more"},
		{"negative MINIMUM_IP_TARGET", m5, with(func(s *setup) { s.MinimumIPTarget = -3 }), 29, 1, "invalid MINIMUM_IP_TARGET -3: must be 0 or more"},
		{"negative WARM_PREFIX_TARGET", m5, with(func(s *setup) { s.WarmPrefixTarget = -4 }), 29, 1, "invalid WARM_PREFIX_TARGET -4: must be 0 or more"},
		{"negative MAX_ENI", m5, with(func(s *setup) { s.MaxENI = -1 }), 29, 1, "invalid MAX_ENI -1: must be at least 1 (0 leaves it unset)"},
		{"negative SG pods", m5, with(func(s *setup) { s.SecurityGroupsForPods, s.SGPods = true, -1 }), 29, 1, "invalid security-group pods per node -1: must be 0 or more"},
		{"SG pods without SGP", m5, with(func(s *setup) { s.SGPods = 2 }), 29, 1, "2 security-group pods per node need security groups for pods (ENABLE_POD_ENI=true)"},
		{"IPv6 with custom networking", m5, with(func(s *setup) { s.IPv6, s.CustomNetworking = true, true }), 29, 1, "custom networking cannot be combined with IPv6"},
		{"IPv6 on Xen", instance(t, "m4.xlarge"), with(func(s *setup) { s.IPv6 = true }), 29, 1, "m4.xlarge: IPv6 unsupported (needs Nitro or bare metal with IPv6, hypervisor is xen): the CNI cannot run pods on this type"},
		{"SG pods without trunk", instance(t, "t3.micro"), with(func(s *setup) { s.SecurityGroupsForPods, s.SGPods = true, 1 }), 4, 1, "t3.micro has no trunk ENI, so its 1 security-group pods per node cannot run: use a type that supports trunking, or no SG pods"},
		{"too many SG pods", m5, with(func(s *setup) { s.SecurityGroupsForPods, s.SGPods = true, 10 }), 29, 1, "10 security-group pods per node exceed the 9 branch ENIs m5.large can hold"},
		{"zero max pods", m5, with(nil), 0, 0, "invalid kubelet max pods 0: must be at least 1"},
		{"negative pods", m5, with(nil), 29, -1, "invalid pods per node -1: must be 0 or more"},
		{"pods over max pods", m5, with(nil), 29, 30, "30 pods per node exceed the kubelet's max pods 29: use at most 29"},
		{"pods and SG pods over max pods", m5, with(func(s *setup) { s.SecurityGroupsForPods, s.SGPods = true, 5 }), 20, 16, "16 pods and 5 security-group pods per node exceed the kubelet's max pods 20"},
		{"broken instance", limits.Instance{Name: "x1.broken"}, with(nil), 29, 1, "x1.broken has 0 ENIs of 0 addresses: need at least 1 of each"},
	}
	for _, tt := range tests {
		_, err := demand(tt.inst, tt.s, tt.maxPods, tt.pods)
		if err == nil || !strings.HasPrefix(err.Error(), tt.want) {
			t.Errorf("%s: error %v, want %q", tt.name, err, tt.want)
			continue
		}
		if strings.Contains(err.Error(), "\n") {
			t.Errorf("%s: error spans lines: %q", tt.name, err)
		}
	}
}

func TestExplainMatchesIpamMd(t *testing.T) {
	d, err := demand(instance(t, "m5.large"), defaults(), 29, 5)
	if err != nil {
		t.Fatal(err)
	}
	want := []string{
		"ENIs for pods = 3  (docs/max-pods.md: ENIs for pods = usable − trunk − custom networking, the primary ENI kept)",
		"slots per ENI = 10 − 1 = 9  (docs/node-addresses.md: the ENI's primary address never goes to a pod)",
		"pool ENIs = min(ceil(5 / 9) + 1, 3, ceil(29 / 9)) = 2  (docs/node-addresses.md: keep WARM_ENI_TARGET=1 whole ENIs of free IPs, within the ENIs for pods and the kubelet's max pods)",
		"pool IPs = 2 × 9 = 18  (docs/node-addresses.md: T = k × slots)",
		"attached ENIs = 2 pool = 2  (docs/node-addresses.md: pool ENIs + the primary when it holds no pool + trunk)",
		"node subnet addresses = 18 pool + 2 ENI primaries = 20  (docs/node-addresses.md: T + attached ENIs + 1 per SG pod)",
	}
	if got := d.Explain(); strings.Join(got, "\n") != strings.Join(want, "\n") {
		t.Errorf("Explain:\n%s\nwant:\n%s", strings.Join(got, "\n"), strings.Join(want, "\n"))
	}

	d, err = demand(instance(t, "m5.xlarge"), with(func(s *setup) { s.PrefixDelegation = true }), 110, 20)
	if err != nil {
		t.Fatal(err)
	}
	lines := strings.Join(d.Explain(), "\n")
	for _, part := range []string{
		"prefixes = min(ceil(20 / 16) + 1, 56, ceil(110 / 16)) = 3",
		"pool addresses = 3 × 16 = 48",
		"node subnet addresses = 48 pool + 1 ENI primary = 49",
		"note: the node subnet must have 3 aligned, fully free /28 blocks",
	} {
		if !strings.Contains(lines, part) {
			t.Errorf("Explain lacks %q:\n%s", part, lines)
		}
	}
}

func TestJSONNames(t *testing.T) {
	d, err := demand(instance(t, "m5.large"), defaults(), 29, 5)
	if err != nil {
		t.Fatal(err)
	}
	d.Steps = nil
	b, err := json.Marshal(d)
	if err != nil {
		t.Fatal(err)
	}
	for _, key := range []string{`"enis":2`, `"poolAddresses":18`, `"prefixes":0`, `"nodeSubnetAddresses":20`, `"podSubnetAddresses":0`, `"branchENIs":0`, `"notes":[]`} {
		if !strings.Contains(string(b), key) {
			t.Errorf("JSON %s lacks %s", b, key)
		}
	}
	if strings.Contains(string(b), "steps") {
		t.Errorf("JSON %s has steps though there are none", b)
	}
}

func BenchmarkNodeDemand(b *testing.B) {
	inst := instance(b, "m5.xlarge")
	settings := map[string]setup{
		"defaults": defaults(),
		"warm-ip":  with(func(s *setup) { s.WarmIPTarget, s.MinimumIPTarget = 2, 10 }),
		"prefix":   with(func(s *setup) { s.PrefixDelegation = true }),
	}
	for name, s := range settings {
		b.Run(name, func(b *testing.B) {
			for b.Loop() {
				if _, err := demand(inst, s, 58, 20); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}
