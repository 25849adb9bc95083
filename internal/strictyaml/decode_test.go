package strictyaml

import (
	"errors"
	"strings"
	"testing"

	"github.com/eksnet/eksnet/internal/fuzzbound"
)

type inner struct {
	Count int    `yaml:"count"`
	Name  string `yaml:"name"`
}

type doc struct {
	Items  []inner           `yaml:"items"`
	Flag   bool              `yaml:"flag"`
	Labels map[string]string `yaml:"labels"`
	Base   `yaml:",inline"`
}

type Base struct {
	Version string `yaml:"version"`
}

func TestDecode(t *testing.T) {
	var d doc
	d.Version = "default"
	if err := Decode([]byte("items: [{count: 2, name: a}]\nflag: true\nlabels: {x: y}\n"), &d); err != nil {
		t.Fatal(err)
	}
	if len(d.Items) != 1 || d.Items[0].Count != 2 || !d.Flag || d.Labels["x"] != "y" || d.Version != "default" {
		t.Errorf("decoded %+v", d)
	}
	if err := Decode([]byte(`{"version": "1", "items": []}`), &d); err != nil || d.Version != "1" {
		t.Errorf("JSON: %+v %v", d, err)
	}
}

func TestErrors(t *testing.T) {
	for _, tt := range []struct{ in, want string }{
		{"", "the document is empty"},
		{"# only a comment\n", "the document is empty"},
		{"itemz: []\n", `line 1: unknown key "itemz" (allowed: flag, items, labels, version)`},
		{"ITEMS: []\n", `line 1: unknown key "ITEMS": keys are case-sensitive, did you mean "items"?`},
		{"flag: true\nflag: false\n", "line 2: flag: duplicate key (first at line 1)"},
		{"labels: {a: b, a: c}\n", "line 1: labels.a: duplicate key (first at line 1)"},
		{"items: [{count: 2.5}]\n", `line 1: items[0].count: "2.5" is not a whole number`},
		{"items: [{count: 9223372036854775808}]\n", `line 1: items[0].count: "9223372036854775808" is not a whole number from -9223372036854775808 to 9223372036854775807`},
		{"items: [{count: 1e300}]\n", `line 1: items[0].count: "1e300" is not a whole number`},
		{"items: [{count: 99999999999999999999}]\n", `line 1: items[0].count: "99999999999999999999" is not a whole number`},
		{"flag: yes please\n", `line 1: flag: "yes please" is not true or false`},
		{"items: {count: 1}\n", "line 1: items: want a list"},
		{"items: [[1]]\n", "line 1: items[0]: want a mapping of keys to values"},
		{"flag: [true]\n", "line 1: flag: want a single value, not a list or mapping"},
		{"flag: true\n---\nflag: false\n", "line 2: a second YAML document: the file holds one document"},
		{"version: &v x\nitems: []\n", "line 1: version: YAML anchors and aliases are not accepted: write the value out"},
		{"{{{", "not YAML or JSON"},
		{"- a\n", "want a mapping of keys to values"},
	} {
		var d doc
		err := Decode([]byte(tt.in), &d)
		if err == nil || !strings.Contains(err.Error(), tt.want) {
			t.Errorf("Decode(%q) = %v, want %q", tt.in, err, tt.want)
		}
		if err != nil && strings.Contains(err.Error(), "\n") {
			t.Errorf("Decode(%q): error spans lines: %q", tt.in, err)
		}
	}
	var d doc
	if err := Decode(nil, &d); !errors.Is(err, ErrEmpty) {
		t.Errorf("empty: %v", err)
	}
}

// Deep nesting is refused at MaxDepth, quickly, whatever the input's depth.
func TestDepthBound(t *testing.T) {
	deep := strings.Repeat("[", 5000) + strings.Repeat("]", 5000)
	var d doc
	err := Decode([]byte("items: "+deep), &d)
	if err == nil {
		t.Fatal("accepted")
	}
}

// FuzzDecode: any input decodes or fails in one line, without panic, in
// bounded time.
func FuzzDecode(f *testing.F) {
	for _, s := range []string{"items: [{count: 1, name: x}]", "flag: true\nflag: true", "labels: {a: b}", "---\n---", "{\"items\": null}"} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		defer fuzzbound.Start(t)()
		var d doc
		err := Decode(data, &d)
		if err != nil && strings.Contains(err.Error(), "\n") {
			t.Fatalf("error spans lines: %q", err)
		}
	})
}
