package limits

import (
	"bytes"
	"errors"
	"reflect"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/eksnet/eksnet/data"
)

func embedded(t testing.TB) *Table {
	t.Helper()
	table, err := Embedded()
	if err != nil {
		t.Fatalf("Embedded: %v", err)
	}
	return table
}

func TestEmbeddedTableHoldsEveryType(t *testing.T) {
	table := embedded(t)
	if got := table.Len(); got != 1420 {
		t.Fatalf("embedded table has %d types, want 1420", got)
	}
	h := table.Header()
	if _, err := time.Parse(time.DateOnly, h.GeneratedAt); err != nil || len(h.Sources) == 0 || h.InstanceTypes != 1420 {
		t.Errorf("header lacks its date (YYYY-MM-DD), sources or count: %+v", h)
	}
}

func TestEmbeddedFacts(t *testing.T) {
	table := embedded(t)
	tests := []struct {
		name                        string
		vcpus, maxENIs, ipv4, total int
		hypervisor                  string
		bareMetal, trunking         bool
	}{
		{"c3.large", 2, 3, 10, 3, "xen", false, false},
		{"m5.large", 2, 3, 10, 3, "nitro", false, true},
		{"p5.48xlarge", 192, 2, 50, 64, "nitro", false, true},
		{"c6in.32xlarge", 128, 8, 50, 16, "nitro", false, true},
		{"c5.18xlarge", 72, 15, 50, 15, "nitro", false, true},
		{"m5.metal", 96, 15, 50, 15, "", true, true},
	}
	for _, tt := range tests {
		inst, err := table.Lookup(tt.name)
		if err != nil {
			t.Fatal(err)
		}
		trunking, known := inst.SupportsTrunking()
		if inst.VCPUs != tt.vcpus || inst.MaxENIs != tt.maxENIs || inst.IPv4PerENI != tt.ipv4 ||
			inst.TotalENIs() != tt.total || inst.Hypervisor != tt.hypervisor || inst.BareMetal != tt.bareMetal ||
			trunking != tt.trunking || !known {
			t.Errorf("%s = %+v (total ENIs %d)", tt.name, inst, inst.TotalENIs())
		}
	}
}

// The file must stay in the exact format Encode writes, so regenerating it
// (eksnet limits update) only changes the lines of types that changed.
func TestEncodeRoundTripsTheEmbeddedFile(t *testing.T) {
	out, err := embedded(t).Encode()
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(out, data.InstanceLimits) {
		t.Fatal("Encode(Parse(data/instance-limits.json)) differs from the file")
	}
}

// The generated table is the JSON file, validated: the run-time path
// (Embedded) skips the checks Parse makes, so this test makes them.
func TestEmbeddedEqualsTheValidatedFile(t *testing.T) {
	parsed, err := Parse(data.InstanceLimits)
	if err != nil {
		t.Fatal(err)
	}
	got := embedded(t)
	if !reflect.DeepEqual(got.All(), parsed.All()) || !reflect.DeepEqual(got.Header(), parsed.Header()) {
		t.Fatal("the generated table differs from data/instance-limits.json: run go generate ./internal/limits")
	}
	for _, inst := range got.All() {
		if err := Validate(inst); err != nil {
			t.Error(err)
		}
	}
}

// A tampered table file does not load (security: docs/security.md).
func TestParseRejectsTamperedTables(t *testing.T) {
	const good = `"m5.large":{"vcpus":2,"maxENIs":3,"ipv4PerENI":10,"networkCards":[{"index":0,"maxENIs":3}],"defaultNetworkCardIndex":0,"hypervisor":"nitro"}`
	tests := []struct{ name, json, want string }{
		{"duplicate type", `{"header":{},"instances":{` + good + `,` + good + `}}`, `instance type "m5.large" appears twice`},
		{"duplicate header", `{"header":{},"header":{},"instances":{` + good + `}}`, `key "header" appears twice`},
		{"trailing garbage", `{"header":{},"instances":{` + good + `}} {}`, "data after the table's closing brace"},
		{"two cards of index 0", `{"header":{},"instances":{"m5.large":{"maxENIs":3,"ipv4PerENI":10,"networkCards":[{"index":0,"maxENIs":3},{"index":0,"maxENIs":3}],"defaultNetworkCardIndex":0}}}`, "network card index 0 is negative or given twice"},
		{"card index -1", `{"header":{},"instances":{"m5.large":{"maxENIs":3,"ipv4PerENI":10,"networkCards":[{"index":0,"maxENIs":3},{"index":-1,"maxENIs":1}],"defaultNetworkCardIndex":0}}}`, "network card index -1 is negative or given twice"},
		{"invalid UTF-8", "{\"header\":{\"notes\":\"\xff\"},\"instances\":{" + good + "}}", "not valid UTF-8"},
		{"hypervisor injection", `{"header":{},"instances":{"m5.large":{"maxENIs":3,"ipv4PerENI":10,"networkCards":[{"index":0,"maxENIs":3}],"defaultNetworkCardIndex":0,"hypervisor":"xen; rm -rf /"}}}`, `hypervisor "xen; rm -rf /": want nitro, xen or none`},
		{"unknown top-level key", `{"header":{},"instances":{` + good + `},"extra":1}`, `unknown key "extra"`},
	}
	for _, tt := range tests {
		_, err := Parse([]byte(tt.json))
		if err == nil || !strings.Contains(err.Error(), tt.want) || strings.Contains(err.Error(), "\n") {
			t.Errorf("%s: %v, want %q", tt.name, err, tt.want)
		}
	}
	if _, err := Parse([]byte(`{"header":{},"instances":{` + good + `}}`)); err != nil {
		t.Errorf("the good table: %v", err)
	}
}

func TestParseRejectsBadTables(t *testing.T) {
	const card = `"networkCards":[{"index":0,"maxENIs":3}],"defaultNetworkCardIndex":0`
	tests := []struct{ name, json, want string }{
		{"empty", `{"header":{},"instances":{}}`, "no instance types"},
		{"not json", `{`, "instance table"},
		{"unknown field", `{"header":{},"instances":{"x.large":{"maxENI":3}}}`, `unknown field "maxENI"`},
		{"no ENIs", `{"header":{},"instances":{"x.large":{"maxENIs":0,"ipv4PerENI":10,` + card + `}}}`, "x.large: maxENIs is 0"},
		{"no IPs", `{"header":{},"instances":{"x.large":{"maxENIs":3,"ipv4PerENI":0,` + card + `}}}`, "x.large: ipv4PerENI is 0"},
		{"no default card", `{"header":{},"instances":{"x.large":{"maxENIs":3,"ipv4PerENI":10,"networkCards":[{"index":1,"maxENIs":3}]}}}`, "default network card 0 is not among"},
		{"card disagrees", `{"header":{},"instances":{"x.large":{"maxENIs":4,"ipv4PerENI":10,` + card + `}}}`, "maxENIs is 4 but its default network card holds 3"},
		{"count mismatch", `{"header":{"instanceTypes":2},"instances":{"x.large":{"maxENIs":3,"ipv4PerENI":10,` + card + `}}}`, "header says 2 types, file has 1"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := Parse([]byte(tt.json))
			if err == nil || !strings.Contains(err.Error(), tt.want) {
				t.Fatalf("Parse error = %v, want it to contain %q", err, tt.want)
			}
		})
	}
}

func TestLookupSuggestsNearestNames(t *testing.T) {
	table := embedded(t)
	_, err := table.Lookup("m5.lrge")
	var unknown *UnknownTypeError
	if !errors.As(err, &unknown) {
		t.Fatalf("Lookup(m5.lrge) error = %v, want *UnknownTypeError", err)
	}
	if got, want := err.Error(), `unknown instance type "m5.lrge" (did you mean m5.large?)`; got != want {
		t.Errorf("error = %q, want %q", got, want)
	}
	if _, err := table.Lookup("zz9.nothing-like-it"); err == nil || strings.Contains(err.Error(), "did you mean") {
		t.Errorf("a far-off name should get no suggestion, got %v", err)
	}
	if inst, err := table.Lookup(" M5.Large "); err != nil || inst.Name != "m5.large" {
		t.Errorf("case and space should not matter: %v %v", inst.Name, err)
	}
}

func TestResolveExpandsGlobsInNameOrder(t *testing.T) {
	table := embedded(t)
	got, err := table.Resolve([]string{"c3.large", "m5.*", "m5.large"})
	if err != nil {
		t.Fatal(err)
	}
	var names []string
	for _, inst := range got {
		names = append(names, inst.Name)
	}
	want := []string{"c3.large", "m5.12xlarge", "m5.16xlarge", "m5.24xlarge", "m5.2xlarge", "m5.4xlarge", "m5.8xlarge", "m5.large", "m5.metal", "m5.xlarge"}
	if !slices.Equal(names, want) {
		t.Errorf("Resolve = %v, want %v", names, want)
	}
	c7g, err := table.Match("c7g*")
	if err != nil {
		t.Fatal(err)
	}
	for _, inst := range c7g {
		if !strings.HasPrefix(inst.Name, "c7g") {
			t.Errorf("c7g* matched %s", inst.Name)
		}
	}
	if len(c7g) < 20 {
		t.Errorf("c7g* matched only %d types", len(c7g))
	}
	if _, err := table.Resolve([]string{"zz*"}); err == nil || err.Error() != "no instance type matches \"zz*\" (see `eksnet limits list` for the known types)" {
		t.Errorf("empty glob: %v", err)
	}
	if _, err := table.Resolve([]string{"m5.[large"}); err == nil || !strings.Contains(err.Error(), `invalid instance type pattern "m5.[large"`) {
		t.Errorf("bad glob: %v", err)
	}
}

func FuzzMatch(f *testing.F) {
	table, err := Embedded()
	if err != nil {
		f.Fatal(err)
	}
	for _, seed := range []string{"m5.*", "c7g*", "[", "m5.[a-z]large", `\`, "*", "?5.large"} {
		f.Add(seed)
	}
	f.Fuzz(func(t *testing.T, pattern string) {
		matched, err := table.Match(pattern)
		if err != nil {
			return
		}
		if len(matched) == 0 {
			t.Fatalf("Match(%q) returned no types and no error", pattern)
		}
		if !slices.IsSortedFunc(matched, func(a, b Instance) int { return strings.Compare(a.Name, b.Name) }) {
			t.Fatalf("Match(%q) not in name order", pattern)
		}
	})
}

func BenchmarkEmbedded(b *testing.B) {
	for b.Loop() {
		if _, err := Embedded(); err != nil {
			b.Fatal(err)
		}
	}
}

// An argument that is no type name or glob is refused whole: a newline
// inside one ("m5.large\nc5.large") must not silently keep m5.large.
func TestResolveRefusesBadArguments(t *testing.T) {
	table := embedded(t)
	for _, arg := range []string{"m5.large\nc5.large", "m5.large,c5.large", "m5 large", "m5.\x1b[31mlarge", ""} {
		if _, err := table.Resolve([]string{arg}); err == nil || strings.Contains(err.Error(), "\n") {
			t.Errorf("Resolve(%q) = %v", arg, err)
		}
	}
	if got, err := table.Resolve([]string{" M5.Large ", "m5.*"}); err != nil || got[0].Name != "m5.large" {
		t.Errorf("Resolve of a spaced, upper-case name and a glob: %v", err)
	}
}
