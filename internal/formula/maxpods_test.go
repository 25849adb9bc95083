package formula

import (
	"strings"
	"testing"

	"github.com/eksnet/eksnet/internal/cni"
	"github.com/eksnet/eksnet/internal/limits"
)

func table(t testing.TB) *limits.Table {
	t.Helper()
	tbl, err := limits.Embedded()
	if err != nil {
		t.Fatal(err)
	}
	return tbl
}

func lookup(t testing.TB, name string) limits.Instance {
	t.Helper()
	inst, err := table(t).Lookup(name)
	if err != nil {
		t.Fatal(err)
	}
	return inst
}

// Every worked example of docs/max-pods.md, plus the "Done when" values of the maxpods issue.
func TestWorkedExamples(t *testing.T) {
	def := DefaultQuery()
	with := func(f func(*Query)) Query { c := def; f(&c); return c }
	custom := with(func(c *Query) { c.CustomNetworking = true })
	prefix := with(func(c *Query) { c.PrefixDelegation = true })
	prefixUncapped := with(func(c *Query) { c.PrefixDelegation = true; c.Uncapped = true })
	uncapped := with(func(c *Query) { c.Uncapped = true })
	tests := []struct {
		name       string
		typ        string
		cfg        Query
		eniLimited int
		maxPods    int
		mode       cni.Mode
		formula    string
	}{
		{"c3.large", "c3.large", def, 29, 29, cni.ModeSecondaryIP, "3 × (10 − 1) + 2 = 29"},
		{"c3.large custom networking", "c3.large", custom, 20, 20, cni.ModeSecondaryIP, "(3 − 1) × (10 − 1) + 2 = 20"},
		{"m5.large", "m5.large", def, 29, 29, cni.ModeSecondaryIP, "3 × (10 − 1) + 2 = 29"},
		{"m5.large custom networking", "m5.large", custom, 20, 20, cni.ModeSecondaryIP, "(3 − 1) × (10 − 1) + 2 = 20"},
		{"m5.large prefix capped", "m5.large", prefix, 434, 110, cni.ModePrefixDelegation, "3 × (10 − 1) × 16 + 2 = 434"},
		{"m5.large prefix uncapped (not 460)", "m5.large", prefixUncapped, 434, 434, cni.ModePrefixDelegation, "3 × (10 − 1) × 16 + 2 = 434"},
		{"t3.medium", "t3.medium", def, 17, 17, cni.ModeSecondaryIP, "3 × (6 − 1) + 2 = 17"},
		{"m4.xlarge", "m4.xlarge", def, 58, 58, cni.ModeSecondaryIP, "4 × (15 − 1) + 2 = 58"},
		{"m4.xlarge prefix falls back on Xen", "m4.xlarge", prefix, 58, 58, cni.ModeSecondaryIP, "4 × (15 − 1) + 2 = 58"},
		{"m5.8xlarge", "m5.8xlarge", def, 234, 234, cni.ModeSecondaryIP, "8 × (30 − 1) + 2 = 234"},
		{"m5.8xlarge prefix uncapped", "m5.8xlarge", prefixUncapped, 3714, 3714, cni.ModePrefixDelegation, "8 × (30 − 1) × 16 + 2 = 3714"},
		{"m5.8xlarge prefix capped at 250 (32 vCPUs)", "m5.8xlarge", prefix, 3714, 250, cni.ModePrefixDelegation, "8 × (30 − 1) × 16 + 2 = 3714"},
		{"c6in.32xlarge uses card 0 only", "c6in.32xlarge", def, 394, 250, cni.ModeSecondaryIP, "8 × (50 − 1) + 2 = 394"},
		{"c6in.32xlarge uncapped", "c6in.32xlarge", uncapped, 394, 394, cni.ModeSecondaryIP, "8 × (50 − 1) + 2 = 394"},
		{"p5.48xlarge: 2 ENIs on card 0, not 64", "p5.48xlarge", def, 100, 100, cni.ModeSecondaryIP, "2 × (50 − 1) + 2 = 100"},
		{"c5.18xlarge capped", "c5.18xlarge", def, 737, 250, cni.ModeSecondaryIP, "15 × (50 − 1) + 2 = 737"},
		{"c5.18xlarge uncapped", "c5.18xlarge", uncapped, 737, 737, cni.ModeSecondaryIP, "15 × (50 − 1) + 2 = 737"},
		{"m5.metal prefix (bare metal qualifies)", "m5.metal", prefix, 15*49*16 + 2, 250, cni.ModePrefixDelegation, "15 × (50 − 1) × 16 + 2 = 11762"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r, err := Compute(lookup(t, tt.typ), tt.cfg)
			if err != nil {
				t.Fatal(err)
			}
			if r.ENILimitedPods != tt.eniLimited || r.MaxPods != tt.maxPods || r.Mode != tt.mode || r.Formula != tt.formula {
				t.Errorf("got eniLimited %d, maxPods %d, mode %s, formula %q; want %d, %d, %s, %q",
					r.ENILimitedPods, r.MaxPods, r.Mode, r.Formula, tt.eniLimited, tt.maxPods, tt.mode, tt.formula)
			}
		})
	}
}

func TestSecurityGroupsForPods(t *testing.T) {
	cfg := DefaultQuery()
	cfg.SecurityGroupsForPods = true
	// m5.large trunks: (3 - 1) x 9 + 2 = 20 (docs/node-addresses.md: "only 20 ordinary pods fit, not 29").
	r, err := Compute(lookup(t, "m5.large"), cfg)
	if err != nil {
		t.Fatal(err)
	}
	if r.MaxPods != 20 || r.PodENIs != 2 || r.Formula != "(3 − 1) × (10 − 1) + 2 = 20" {
		t.Errorf("m5.large with SGP: %+v", r)
	}
	// c3.large has no trunking: it keeps all three ENIs.
	r, _ = Compute(lookup(t, "c3.large"), cfg)
	if r.MaxPods != 29 || !strings.Contains(r.Notes[0], "no trunk ENI") {
		t.Errorf("c3.large with SGP: %d %v", r.MaxPods, r.Notes)
	}
	// Custom networking and trunk together: (3 - 1 - 1) x 9 + 2 = 11.
	cfg.CustomNetworking = true
	r, _ = Compute(lookup(t, "m5.large"), cfg)
	if r.MaxPods != 11 || r.Formula != "(3 − 1 − 1) × (10 − 1) + 2 = 11" {
		t.Errorf("m5.large with SGP and custom networking: %d %q", r.MaxPods, r.Formula)
	}
	// Unknown trunking (a type read live that the embedded table lacks): counted, and said.
	inst := lookup(t, "m5.large")
	inst.Trunking, inst.BranchInterfaces = nil, nil
	cfg.CustomNetworking = false
	r, _ = Compute(inst, cfg)
	if r.MaxPods != 20 || !strings.Contains(strings.Join(r.Notes, " "), "unknown") {
		t.Errorf("unknown trunking: %d %v", r.MaxPods, r.Notes)
	}
}

func TestMaxENI(t *testing.T) {
	cfg := DefaultQuery()
	cfg.MaxENI = 2
	r, _ := Compute(lookup(t, "m5.large"), cfg)
	if r.MaxPods != 2*9+2 || r.Formula != "2 × (10 − 1) + 2 = 20" {
		t.Errorf("MAX_ENI=2: %d %q", r.MaxPods, r.Formula)
	}
	// Applied before custom networking's minus one, as the legacy calculator does.
	cfg.CustomNetworking = true
	r, _ = Compute(lookup(t, "m5.large"), cfg)
	if r.MaxPods != 1*9+2 || r.Formula != "(2 − 1) × (10 − 1) + 2 = 11" {
		t.Errorf("MAX_ENI=2 with custom networking: %d %q", r.MaxPods, r.Formula)
	}
	// Larger than the type's ENIs: no effect.
	cfg = DefaultQuery()
	cfg.MaxENI = 99
	if r, _ := Compute(lookup(t, "m5.large"), cfg); r.MaxPods != 29 {
		t.Errorf("MAX_ENI=99: %d", r.MaxPods)
	}
	// One ENI with custom networking leaves only host-network pods.
	cfg.MaxENI, cfg.CustomNetworking = 1, true
	if r, _ := Compute(lookup(t, "m5.large"), cfg); r.MaxPods != 2 || r.PodENIs != 0 {
		t.Errorf("MAX_ENI=1 with custom networking: %d pods on %d ENIs", r.MaxPods, r.PodENIs)
	}
}

// MAX_ENI with security groups for pods: the trunk takes one of the usable
// ENIs, and the primary keeps its pods beside it (cni.Config.ENIsOn).
func TestMaxENIWithTrunk(t *testing.T) {
	for _, tt := range []struct {
		maxENI, podENIs, maxPods int
		formula                  string
	}{
		{1, 1, 11, "1 × (10 − 1) + 2 = 11"},
		{2, 1, 11, "(2 − 1) × (10 − 1) + 2 = 11"},
		{3, 2, 20, "(3 − 1) × (10 − 1) + 2 = 20"},
	} {
		q := DefaultQuery()
		q.MaxENI, q.SecurityGroupsForPods = tt.maxENI, true
		r, err := Compute(lookup(t, "m5.large"), q)
		if err != nil {
			t.Fatal(err)
		}
		if r.PodENIs != tt.podENIs || r.MaxPods != tt.maxPods || r.Formula != tt.formula {
			t.Errorf("MAX_ENI=%d with SG pods: %d pod ENIs, %d pods, %q; want %d, %d, %q", tt.maxENI, r.PodENIs, r.MaxPods, r.Formula, tt.podENIs, tt.maxPods, tt.formula)
		}
	}
}

func TestIPv6(t *testing.T) {
	cfg := DefaultQuery()
	cfg.IPFamily = cni.IPv6
	r, err := Compute(lookup(t, "m5.large"), cfg)
	if err != nil {
		t.Fatal(err)
	}
	if r.Mode != cni.ModeIPv6 || r.ENILimitedPods != 434 || r.MaxPods != 110 || !r.Supported {
		t.Errorf("m5.large IPv6: %+v", r)
	}
	r, _ = Compute(lookup(t, "c3.large"), cfg)
	if r.Supported || r.MaxPods != 0 || Strict(r) == nil {
		t.Errorf("c3.large IPv6 should be unsupported: %+v", r)
	}
	if err := Strict(r); !strings.Contains(err.Error(), "c3.large: IPv6 unsupported (needs Nitro or bare metal") {
		t.Errorf("Strict error: %v", err)
	}
}

func TestPrefixDelegationFallback(t *testing.T) {
	cfg := DefaultQuery()
	cfg.PrefixDelegation = true
	r, _ := Compute(lookup(t, "c3.large"), cfg)
	if r.Mode != cni.ModeSecondaryIP || r.MaxPods != 29 || !strings.Contains(r.Notes[0], "falls back to secondary IPs") {
		t.Errorf("c3.large prefix: %+v", r)
	}
	if err := Strict(r); err == nil || !strings.HasPrefix(err.Error(), "c3.large: prefix delegation unsupported (needs Nitro or bare metal, hypervisor is xen)") {
		t.Errorf("Strict = %v", err)
	}
	m5, _ := Compute(lookup(t, "m5.large"), cfg)
	if err := Strict(m5); err != nil {
		t.Errorf("m5.large supports prefixes: %v", err)
	}
}

func TestConfigErrors(t *testing.T) {
	old := func(v string, f func(*Query)) Query {
		c := DefaultQuery()
		c.Version, _ = cni.ParseVersion(v)
		f(&c)
		return c
	}
	tests := []struct {
		cfg  Query
		want string
	}{
		{old("1.8.0", func(c *Query) { c.PrefixDelegation = true }), "prefix delegation needs VPC CNI 1.9.0 or later, not 1.8.0"},
		{old("1.10.0", func(c *Query) { c.IPFamily = cni.IPv6 }), "IPv6 needs VPC CNI 1.10.1 or later, not 1.10.0"},
		{old("1.19.0", func(c *Query) { c.IPFamily = cni.IPv6; c.CustomNetworking = true }), "custom networking cannot be combined with IPv6: the VPC CNI refuses to start with both"},
		{old("1.19.0", func(c *Query) { c.MaxENI = -1 }), "invalid MAX_ENI -1: must be at least 1 (0 leaves it unset)"},
		{old("1.19.0", func(c *Query) { c.IPFamily = "ipv5" }), `invalid IP family "ipv5": want ipv4 or ipv6`},
	}
	for _, tt := range tests {
		_, err := Compute(lookup(t, "m5.large"), tt.cfg)
		if err == nil || err.Error() != tt.want {
			t.Errorf("error = %v, want %q", err, tt.want)
		}
	}
	// Exactly at the gates works.
	for _, c := range []Query{
		old("1.9.0", func(c *Query) { c.PrefixDelegation = true }),
		old("1.10.1", func(c *Query) { c.IPFamily = cni.IPv6 }),
	} {
		if _, err := Compute(lookup(t, "m5.large"), c); err != nil {
			t.Errorf("gate version rejected: %v", err)
		}
	}
}

func TestRecommendedCap(t *testing.T) {
	for vcpus, want := range map[int]int{0: 110, 2: 110, 30: 110, 31: 250, 32: 250, 192: 250} {
		if got := RecommendedCap(vcpus); got != want {
			t.Errorf("RecommendedCap(%d) = %d, want %d", vcpus, got, want)
		}
	}
}

func TestKubeReserved(t *testing.T) {
	// 11 x maxPods + 255: the AL2023 "done when" value is 1465 MiB for 110 pods.
	for pods, want := range map[int]int{110: 1465, 29: 574, 17: 442, 250: 3005, 0: 255} {
		if got := KubeReservedMemoryMiB(pods); got != want {
			t.Errorf("KubeReservedMemoryMiB(%d) = %d, want %d", pods, got, want)
		}
	}
	// 60 + 10 + 2 x 5 + (n - 4) x 2.5, each range floored.
	cpu := map[int]int{1: 60, 2: 70, 3: 75, 4: 80, 5: 82, 8: 90, 16: 110, 48: 190, 96: 310, 0: 0}
	for vcpus, want := range cpu {
		if got := KubeReservedCPUMillicores(vcpus); got != want {
			t.Errorf("KubeReservedCPUMillicores(%d) = %d, want %d", vcpus, got, want)
		}
	}
}

func TestNodeGroupTakesTheSmallest(t *testing.T) {
	cfg := DefaultQuery()
	var results []Result
	for _, name := range []string{"m5.xlarge", "t3.medium", "m5.large"} {
		r, _ := Compute(lookup(t, name), cfg)
		results = append(results, r)
	}
	g, err := NodeGroup(results)
	if err != nil {
		t.Fatal(err)
	}
	if g.MaxPods != 17 || g.SetBy != "t3.medium" || g.KubeReservedMemoryMiB != 442 {
		t.Errorf("NodeGroup = %d set by %s (%d MiB)", g.MaxPods, g.SetBy, g.KubeReservedMemoryMiB)
	}
	if _, err := NodeGroup(nil); err == nil || err.Error() != "no instance type in the node group" {
		t.Errorf("an empty node group must be an error, not %v", err)
	}
	// A group where no type can run the mode names them.
	ipv6 := cfg
	ipv6.IPFamily = cni.IPv6
	results = nil
	for _, name := range []string{"c3.large", "c4.large", "m4.xlarge", "c3.xlarge"} {
		r, _ := Compute(lookup(t, name), ipv6)
		results = append(results, r)
	}
	const want = "no instance type in the node group (c3.large, c4.large, m4.xlarge, ... 4 types) can run ipv6 pods: the VPC CNI needs Nitro or bare metal with IPv6"
	if _, err := NodeGroup(results); err == nil || err.Error() != want {
		t.Errorf("NodeGroup of Xen types under IPv6 = %v, want %q", err, want)
	}
	if _, err := NodeGroup(results[:2]); err == nil || !strings.HasPrefix(err.Error(), "no instance type in the node group (c3.large, c4.large) can run ipv6 pods") {
		t.Errorf("NodeGroup of two Xen types under IPv6 = %v", err)
	}
}

// Invariants over every type in the table (the maxpods issue, item 7).
func TestInvariantsOverAllTypes(t *testing.T) {
	def := DefaultQuery()
	pd := def
	pd.PrefixDelegation = true
	cn := def
	cn.CustomNetworking = true
	unc := def
	unc.Uncapped = true
	for _, inst := range table(t).All() {
		base, err := Compute(inst, def)
		if err != nil {
			t.Fatal(err)
		}
		prefix, _ := Compute(inst, pd)
		custom, _ := Compute(inst, cn)
		raw, _ := Compute(inst, unc)
		if want := inst.MaxENIs*(inst.IPv4PerENI-1) + 2; base.ENILimitedPods != want || raw.MaxPods != want {
			t.Errorf("%s: eniLimitedPods %d (uncapped %d), want maxENIs × (ipv4PerENI − 1) + 2 = %d", inst.Name, base.ENILimitedPods, raw.MaxPods, want)
		}
		if prefix.MaxPods < base.MaxPods || prefix.ENILimitedPods < base.ENILimitedPods {
			t.Errorf("%s: prefix delegation %d below secondary IPs %d", inst.Name, prefix.MaxPods, base.MaxPods)
		}
		if custom.MaxPods > base.MaxPods {
			t.Errorf("%s: custom networking %d above default %d", inst.Name, custom.MaxPods, base.MaxPods)
		}
		for _, r := range []Result{base, prefix, custom} {
			if r.MaxPods > r.RecommendedCap {
				t.Errorf("%s: maxPods %d above the cap %d", inst.Name, r.MaxPods, r.RecommendedCap)
			}
		}
		if (prefix.Mode == cni.ModePrefixDelegation) != inst.NitroOrBareMetal() {
			t.Errorf("%s: prefix mode %s but Nitro-or-metal %v", inst.Name, prefix.Mode, inst.NitroOrBareMetal())
		}
	}
}

func BenchmarkComputeAllTypesAllModes(b *testing.B) {
	all := table(b).All()
	configs := []Query{DefaultQuery()}
	for _, f := range []func(*Query){
		func(c *Query) { c.PrefixDelegation = true },
		func(c *Query) { c.CustomNetworking = true },
		func(c *Query) { c.SecurityGroupsForPods = true },
		func(c *Query) { c.IPFamily = cni.IPv6 },
	} {
		c := DefaultQuery()
		f(&c)
		configs = append(configs, c)
	}
	b.ResetTimer()
	for b.Loop() {
		for _, cfg := range configs {
			for _, inst := range all {
				if _, err := Compute(inst, cfg); err != nil {
					b.Fatal(err)
				}
			}
		}
	}
	b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(b.N*len(all)*len(configs)), "ns/type")
}

// Windows nodes: the primary ENI alone, no host-network pods
// (docs/max-pods.md "Windows nodes"); prefix delegation is the VPC resource
// controller's switch, × 16 per slot, on Nitro.
func TestWindows(t *testing.T) {
	win := func(prefix bool) Query {
		q := DefaultQuery()
		q.OS, q.PrefixDelegation = cni.Windows, prefix
		return q
	}
	for _, tt := range []struct {
		typ              string
		prefix           bool
		eniLimited, pods int
		formula          string
		fallback         cni.Reason
	}{
		{"m5.large", false, 9, 9, "1 × (10 − 1) = 9", ""},
		{"c5.18xlarge", false, 49, 49, "1 × (50 − 1) = 49", ""},
		{"m5.large", true, 144, 110, "1 × (10 − 1) × 16 = 144", ""},
		{"m4.xlarge", true, 14, 14, "1 × (15 − 1) = 14", cni.ReasonPrefixNeedsNitro},
	} {
		r, err := Compute(lookup(t, tt.typ), win(tt.prefix))
		if err != nil {
			t.Fatal(err)
		}
		if r.ENILimitedPods != tt.eniLimited || r.MaxPods != tt.pods || r.Formula != tt.formula || r.Fallback != tt.fallback || r.PodENIs != 1 {
			t.Errorf("%s Windows prefix %v: %d/%d %q fallback %q, want %d/%d %q %q", tt.typ, tt.prefix, r.ENILimitedPods, r.MaxPods, r.Formula, r.Fallback, tt.eniLimited, tt.pods, tt.formula, tt.fallback)
		}
	}
	for _, bad := range []func(*Query){
		func(q *Query) { q.CustomNetworking = true },
		func(q *Query) { q.SecurityGroupsForPods = true },
		func(q *Query) { q.IPFamily = cni.IPv6 },
		func(q *Query) { q.MaxENI = 2 },
	} {
		q := win(false)
		bad(&q)
		if _, err := Compute(lookup(t, "m5.large"), q); err == nil || !strings.Contains(err.Error(), "Windows nodes") {
			t.Errorf("%+v: %v", q, err)
		}
	}
}
