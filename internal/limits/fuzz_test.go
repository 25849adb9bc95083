package limits_test

import (
	"reflect"
	"strings"
	"testing"

	"github.com/eksnet/eksnet/internal/fuzzbound"

	"github.com/eksnet/eksnet/internal/cni"
	"github.com/eksnet/eksnet/internal/formula"
	"github.com/eksnet/eksnet/internal/limits"
)

// A small table in the instance-limits.json format, and its bad variants.
const (
	card       = `"networkCards":[{"index":0,"maxENIs":3}],"defaultNetworkCardIndex":0`
	smallTable = `{"header":{"generatedAt":"2026-08-31","instanceTypes":2,"sources":["test"]},"instances":{` +
		`"m5.large":{"vcpus":2,"maxENIs":3,"ipv4PerENI":10,"ipv6PerENI":10,"hypervisor":"nitro","bareMetal":false,` + card + `,"trunking":true,"branchInterfaces":9,"ipv6Supported":true,"memoryMiB":8192},` +
		`"c3.large":{"vcpus":2,"maxENIs":3,"ipv4PerENI":10,"hypervisor":"xen",` + card + `}}}`
)

// FuzzParse: the table parser (limits.Parse, behind --limits-file) either
// refuses a file with an error that says so, or returns a table whose every
// type is valid, can be looked up by its name, gives sane max pods in every
// mode, and encodes to a file that parses back to the same table.
func FuzzParse(f *testing.F) {
	f.Add(smallTable)
	for _, bad := range []string{
		`{`, `{}`, `{"header":{},"instances":{}}`,
		`{"header":{},"instances":{"x.large":{"maxENI":3}}}`,
		`{"header":{},"instances":{"x.large":{"maxENIs":0,"ipv4PerENI":10,` + card + `}}}`,
		`{"header":{},"instances":{"x.large":{"maxENIs":3,"ipv4PerENI":10,"networkCards":[{"index":1,"maxENIs":3}]}}}`,
		`{"header":{},"instances":{"X.Large":{"maxENIs":3,"ipv4PerENI":10,` + card + `}}}`,
		`{"header":{},"instances":{"x.large":{"maxENIs":3,"ipv4PerENI":9999999999,` + card + `}}}`,
		`{"header":{"instanceTypes":2},"instances":{"x.large":{"maxENIs":3,"ipv4PerENI":10,` + card + `}}}`,
		`{"header":{},"instances":{"x.large":{"maxENIs":3,"ipv4PerENI":10,` + card + `}}} trailing`,
	} {
		f.Add(bad)
	}
	modes := []formula.Query{formula.DefaultQuery()}
	for _, change := range []func(*formula.Query){
		func(c *formula.Query) { c.PrefixDelegation = true; c.Uncapped = true },
		func(c *formula.Query) { c.CustomNetworking = true; c.SecurityGroupsForPods = true },
		func(c *formula.Query) { c.IPFamily = cni.IPv6 },
	} {
		cfg := formula.DefaultQuery()
		change(&cfg)
		modes = append(modes, cfg)
	}
	f.Fuzz(func(t *testing.T, data string) {
		defer fuzzbound.Start(t)()
		table, err := limits.Parse([]byte(data))
		if err != nil {
			if table != nil || !strings.HasPrefix(err.Error(), "instance table") {
				t.Fatalf("Parse = %v, %v", table, err)
			}
			return
		}
		for _, inst := range table.All() {
			if err := limits.Validate(inst); err != nil {
				t.Fatalf("Parse returned an invalid type: %v", err)
			}
			if got, err := table.Lookup(strings.ToUpper(inst.Name)); err != nil || got.Name != inst.Name {
				t.Fatalf("Lookup(%q) = %q, %v", strings.ToUpper(inst.Name), got.Name, err)
			}
			for _, cfg := range modes {
				r, err := formula.Compute(inst, cfg)
				if err != nil {
					t.Fatal(err)
				}
				if r.MaxPods < 0 || r.ENILimitedPods < 2 || (r.Supported && r.MaxPods < 2) {
					t.Fatalf("%s under %+v: max pods %d, ENI limit %d", inst.Name, cfg, r.MaxPods, r.ENILimitedPods)
				}
			}
		}
		encoded, err := table.Encode()
		if err != nil {
			t.Fatal(err)
		}
		again, err := limits.Parse(encoded)
		if err != nil {
			t.Fatalf("the encoded table does not parse: %v\n%s", err, encoded)
		}
		if !reflect.DeepEqual(again.All(), table.All()) || !reflect.DeepEqual(again.Header(), table.Header()) {
			t.Fatalf("the table does not survive Encode and Parse")
		}
	})
}

// FuzzLookup: a type name typed by the user (maxpods TYPE, limits show TYPE)
// is found, case and blanks aside, or refused with one line that quotes it
// and suggests only names close to it.
func FuzzLookup(f *testing.F) {
	table, err := limits.Embedded()
	if err != nil {
		f.Fatal(err)
	}
	for _, s := range []string{"m5.large", " M5.LARGE ", "m5.lrge", "", "zz9.nothing-like-it", "m5", ".", "\xff", "p5.48xlarge\n"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, name string) {
		inst, err := table.Lookup(name)
		if err == nil {
			if inst.Name != strings.ToLower(strings.TrimSpace(name)) {
				t.Fatalf("Lookup(%q) = %s", name, inst.Name)
			}
			return
		}
		unknown, ok := err.(*limits.UnknownTypeError)
		if !ok || unknown.Name != name || len(unknown.Suggestions) > 3 || strings.Contains(err.Error(), "\n") {
			t.Fatalf("Lookup(%q) error = %#v", name, err)
		}
		for _, s := range unknown.Suggestions {
			if _, ok := table.Get(s); !ok {
				t.Fatalf("Lookup(%q) suggests %q, which the table lacks", name, s)
			}
		}
	})
}
