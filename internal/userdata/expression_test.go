package userdata

import (
	"fmt"
	"math"
	"strings"
	"testing"

	"cel.dev/cel-go/cel"

	"github.com/eksnet/eksnet/internal/cni"
	"github.com/eksnet/eksnet/internal/formula"
	"github.com/eksnet/eksnet/internal/limits"
)

func embedded(t testing.TB) *limits.Table {
	t.Helper()
	table, err := limits.Embedded()
	if err != nil {
		t.Fatal(err)
	}
	return table
}

func lookup(t testing.TB, name string) limits.Instance {
	t.Helper()
	inst, err := embedded(t).Lookup(name)
	if err != nil {
		t.Fatal(err)
	}
	return inst
}

// query builds a CNI configuration from the default with changes applied.
func query(changes ...func(*formula.Query)) formula.Query {
	cfg := formula.DefaultQuery()
	for _, change := range changes {
		change(&cfg)
	}
	return cfg
}

var (
	prefix   = func(c *formula.Query) { c.PrefixDelegation = true }
	custom   = func(c *formula.Query) { c.CustomNetworking = true }
	sgp      = func(c *formula.Query) { c.SecurityGroupsForPods = true }
	ipv6     = func(c *formula.Query) { c.IPFamily = cni.IPv6 }
	uncapped = func(c *formula.Query) { c.Uncapped = true }
	maxENI   = func(n int) func(*formula.Query) { return func(c *formula.Query) { c.MaxENI = n } }
)

// Every mode eksnet computes (IPv6 without custom networking, which the CNI refuses).
var expressionModes = []struct {
	name string
	cfg  formula.Query
}{
	{"default", query()},
	{"prefix", query(prefix)},
	{"custom", query(custom)},
	{"sgp", query(sgp)},
	{"custom+sgp", query(custom, sgp)},
	{"prefix+custom+sgp", query(prefix, custom, sgp)},
	{"max-eni 1", query(maxENI(1))},
	{"max-eni 1 sgp", query(maxENI(1), sgp)},
	{"max-eni 2 custom", query(maxENI(2), custom)},
	{"max-eni 1 custom+sgp", query(maxENI(1), custom, sgp)},
	{"prefix max-eni 3", query(prefix, maxENI(3))},
	{"ipv6", query(ipv6)},
	{"ipv6+sgp", query(ipv6, sgp)},
	{"uncapped", query(uncapped)},
	{"prefix uncapped", query(prefix, uncapped)},
	{"ipv6 uncapped", query(ipv6, uncapped)},
	{"prefix+custom uncapped", query(prefix, custom, uncapped)},
}

// compileCEL compiles expr in the environment nodeadm gives it: int
// variables default_enis, ips_per_eni and max_pods, and vcpus only when the
// nodeadm is new enough (withVCPUs).
func compileCEL(t *testing.T, expr string, withVCPUs bool) cel.Program {
	t.Helper()
	opts := []cel.EnvOption{
		cel.Variable("default_enis", cel.IntType),
		cel.Variable("ips_per_eni", cel.IntType),
		cel.Variable("max_pods", cel.IntType),
	}
	if withVCPUs {
		opts = append(opts, cel.Variable("vcpus", cel.IntType), cel.Variable("physical_memory_mib", cel.IntType))
	}
	env, err := cel.NewEnv(opts...)
	if err != nil {
		t.Fatal(err)
	}
	ast, issues := env.Compile(expr)
	if issues != nil && issues.Err() != nil {
		t.Fatalf("compile %q: %v", expr, issues.Err())
	}
	if ast.OutputType() != cel.IntType {
		t.Fatalf("%q has type %v, want int", expr, ast.OutputType())
	}
	prg, err := env.Program(ast)
	if err != nil {
		t.Fatal(err)
	}
	return prg
}

func evalCEL(t *testing.T, prg cel.Program, inst limits.Instance) int64 {
	t.Helper()
	out, _, err := prg.Eval(map[string]any{
		"default_enis": int64(inst.MaxENIs),
		"ips_per_eni":  int64(inst.IPv4PerENI),
		"max_pods":     int64(inst.MaxENIs*(inst.IPv4PerENI-1) + 2),
		"vcpus":        int64(inst.VCPUs),
		// nodeadm's memory variable; the expression never reads it.
		"physical_memory_mib": int64(inst.MemoryMiB),
	})
	if err != nil {
		t.Fatalf("%s: %v", inst.Name, err)
	}
	v, ok := out.Value().(int64)
	if !ok {
		t.Fatalf("%s: result %v is not an int", inst.Name, out)
	}
	return v
}

// The expression, run by the CEL engine nodeadm uses, gives eksnet's max pods
// on every type of the table in every mode, except exactly on the types
// Differences lists, each with a reason.
func TestExpressionAgreesWithMaxPods(t *testing.T) {
	all := embedded(t).All()
	for _, mode := range expressionModes {
		for _, withVCPUs := range []bool{false, true} {
			opts := ExpressionOptions{VCPUs: withVCPUs}
			t.Run(fmt.Sprintf("%s vcpus=%v", mode.name, withVCPUs), func(t *testing.T) {
				expr, err := Expression(mode.cfg, opts)
				if err != nil {
					t.Fatal(err)
				}
				prg := compileCEL(t, expr, withVCPUs)
				diffs, err := Differences(all, mode.cfg, opts)
				if err != nil {
					t.Fatal(err)
				}
				listed := map[string]Difference{}
				for _, d := range diffs {
					listed[d.InstanceType] = d
					if d.Reason == "" {
						t.Errorf("%s differs (%d vs %d) with no reason", d.InstanceType, d.Expression, d.MaxPods)
					}
				}
				for _, inst := range all {
					got := evalCEL(t, prg, inst)
					if got < 1 || got > math.MaxInt32 {
						t.Fatalf("%s: %d is outside (0, 2^31-1]: nodeadm would ignore it", inst.Name, got)
					}
					if int(got) != ExpressionValue(inst, mode.cfg, opts) {
						t.Fatalf("%s: CEL gives %d, ExpressionValue %d", inst.Name, got, ExpressionValue(inst, mode.cfg, opts))
					}
					r, err := formula.Compute(inst, mode.cfg)
					if err != nil {
						t.Fatal(err)
					}
					d, isListed := listed[inst.Name]
					switch {
					case isListed && (int(got) == r.MaxPods || d.MaxPods != r.MaxPods || d.Expression != int(got)):
						t.Errorf("%s listed as %+v, but CEL gives %d and eksnet %d", inst.Name, d, got, r.MaxPods)
					case !isListed && int(got) != r.MaxPods:
						t.Errorf("%s: CEL gives %d, eksnet %d, and it is not listed", inst.Name, got, r.MaxPods)
					}
				}
				// With the 250 cap known, only the hypervisor and trunking can differ.
				if withVCPUs || mode.cfg.Uncapped {
					for _, d := range diffs {
						if strings.Contains(d.Reason, "vCPUs") {
							t.Errorf("%s: %s", d.InstanceType, d.Reason)
						}
					}
				}
			})
		}
	}
}

// Without the vcpus variable, an expression that read it would not compile
// in an older nodeadm.
func TestExpressionReadsVCPUsOnlyWhenAllowed(t *testing.T) {
	for _, mode := range expressionModes {
		expr, err := Expression(mode.cfg, ExpressionOptions{})
		if err != nil {
			t.Fatal(err)
		}
		if strings.Contains(expr, "vcpus") {
			t.Errorf("%s: %q reads vcpus", mode.name, expr)
		}
		compileCEL(t, expr, false)
	}
}

func TestExpressionText(t *testing.T) {
	const guard = "default_enis < 1 || ips_per_eni < 1 ? max_pods : "
	tests := []struct {
		name  string
		cfg   formula.Query
		vcpus bool
		want  string
	}{
		{"default", query(), false, guard + "(default_enis * (ips_per_eni - 1) + 2 < 110 ? default_enis * (ips_per_eni - 1) + 2 : 110)"},
		{"prefix vcpus", query(prefix), true, guard + "(default_enis * (ips_per_eni - 1) * 16 + 2 < (vcpus > 30 ? 250 : 110) ? default_enis * (ips_per_eni - 1) * 16 + 2 : (vcpus > 30 ? 250 : 110))"},
		{"custom uncapped", query(custom, uncapped), false, guard + "((default_enis - 1 > 0 ? default_enis - 1 : 0) * (ips_per_eni - 1) + 2)"},
		{"max-eni 2 ipv6 uncapped", query(maxENI(2), ipv6, uncapped), false, guard + "((default_enis < 2 ? default_enis : 2) * (ips_per_eni - 1) * 16 + 2)"},
	}
	for _, tt := range tests {
		got, err := Expression(tt.cfg, ExpressionOptions{VCPUs: tt.vcpus})
		if err != nil || got != tt.want {
			t.Errorf("%s:\n got %q (%v)\nwant %q", tt.name, got, err, tt.want)
		}
	}
	if _, err := Expression(query(ipv6, custom), ExpressionOptions{}); err == nil {
		t.Error("IPv6 with custom networking: want an error")
	}
}

// Differences on types whose numbers docs/max-pods.md gives.
func TestDifferences(t *testing.T) {
	tests := []struct {
		typ   string
		cfg   formula.Query
		vcpus bool
		want  []Difference // empty: the expression agrees
	}{
		{"m5.large", query(prefix), false, nil},
		{"m5.8xlarge", query(prefix), false, []Difference{{"m5.8xlarge", 250, 110, "32 vCPUs: cap 250, not 110"}}},
		{"m5.8xlarge", query(prefix), true, nil},
		{"c5.18xlarge", query(), false, []Difference{{"c5.18xlarge", 250, 110, "72 vCPUs: cap 250, not 110"}}},
		{"c5.18xlarge", query(uncapped), false, nil},
		{"m4.xlarge", query(prefix), false, []Difference{{"m4.xlarge", 58, 110, "hypervisor xen: no prefix delegation, the CNI uses secondary IPs"}}},
		{"m5.metal", query(prefix), true, nil},
		{"c3.large", query(ipv6), false, []Difference{{"c3.large", 0, 110, "cannot run IPv6 (not Nitro or bare metal with IPv6): eksnet gives 0"}}},
		{"t3.medium", query(sgp), false, []Difference{{"t3.medium", 17, 12, "no trunk ENI on this type"}}},
		{"m5.large", query(sgp), false, nil},
		{"c3.large", query(custom), false, nil},
		{"c3.large", query(prefix, sgp), false, []Difference{{"c3.large", 29, 110, "hypervisor xen: no prefix delegation, the CNI uses secondary IPs; no trunk ENI on this type"}}},
	}
	for _, tt := range tests {
		got, err := Differences([]limits.Instance{lookup(t, tt.typ)}, tt.cfg, ExpressionOptions{VCPUs: tt.vcpus})
		if err != nil {
			t.Fatal(err)
		}
		if fmt.Sprint(got) != fmt.Sprint(tt.want) {
			t.Errorf("%s %+v vcpus=%v:\n got %+v\nwant %+v", tt.typ, tt.cfg, tt.vcpus, got, tt.want)
		}
	}
}

func TestExpressionLimits(t *testing.T) {
	if got := ExpressionLimits(query(uncapped), ExpressionOptions{}); len(got) != 0 {
		t.Errorf("secondary IPs uncapped: %q, want nothing", got)
	}
	if got := ExpressionLimits(query(), ExpressionOptions{VCPUs: true}); len(got) != 1 || got[0] != VCPUsWarning {
		t.Errorf("secondary IPs with vcpus: %q, want the vcpus warning alone", got)
	}
	got := ExpressionLimits(query(prefix, sgp), ExpressionOptions{})
	if len(got) != 3 || !strings.HasPrefix(got[0], "No vCPU count") || !strings.HasPrefix(got[1], "No hypervisor") || !strings.HasPrefix(got[2], "No trunking") {
		t.Errorf("prefix+sgp: %q", got)
	}
}

func BenchmarkDifferencesAllTypes(b *testing.B) {
	all := embedded(b).All()
	cfg := query(prefix, sgp)
	for b.Loop() {
		if _, err := Differences(all, cfg, ExpressionOptions{}); err != nil {
			b.Fatal(err)
		}
	}
}
