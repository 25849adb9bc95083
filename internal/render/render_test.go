package render

import (
	"bytes"
	"strings"
	"testing"
)

type row struct {
	Name  string   `json:"name"`
	Count int      `json:"count"`
	Tag   string   `json:"tag"`
	Notes []string `json:"notes"`
}

type rows []row

func (r rows) TableHeader(wide bool) []string {
	if wide {
		return []string{"NAME", "COUNT", "TAG"}
	}
	return []string{"NAME", "COUNT"}
}

func (r rows) TableRows(wide bool) [][]string {
	var out [][]string
	for _, x := range r {
		cells := []string{x.Name, strings.Repeat("#", x.Count)}
		if wide {
			cells = append(cells, x.Tag)
		}
		out = append(out, cells)
	}
	return out
}

func (r rows) Footnotes() []string { return []string{"", "total: 2"} }
func (r rows) Values() []string    { return []string{"a", "bb"} }

var sample = rows{{"a", 1, "110", nil}, {"bb", 3, "yes", []string{"x: y"}}}

func TestWriteEveryFormat(t *testing.T) {
	tests := []struct {
		format Format
		want   string
	}{
		{Table, "NAME   COUNT\na      #\nbb     ###\n\ntotal: 2\n"},
		{Wide, "NAME   COUNT   TAG\na      #       110\nbb     ###     yes\n\ntotal: 2\n"},
		{Value, "a\nbb\n"},
		{JSON, `[
  {
    "name": "a",
    "count": 1,
    "tag": "110",
    "notes": null
  },
  {
    "name": "bb",
    "count": 3,
    "tag": "yes",
    "notes": [
      "x: y"
    ]
  }
]
`},
		// Keys in JSON order, camelCase as tagged; strings that would read as
		// numbers or booleans stay strings.
		{YAML, `- name: a
  count: 1
  tag: "110"
  notes: null
- name: bb
  count: 3
  tag: "yes"
  notes:
    - 'x: y'
`},
	}
	for _, tt := range tests {
		var b bytes.Buffer
		if err := Write(&b, tt.format, sample); err != nil {
			t.Fatalf("%s: %v", tt.format, err)
		}
		if b.String() != tt.want {
			t.Errorf("%s output:\n%s\nwant:\n%s", tt.format, b.String(), tt.want)
		}
	}
}

func TestWriteRejectsFormatsAResultLacks(t *testing.T) {
	var b bytes.Buffer
	if err := Write(&b, Table, struct{}{}); err == nil || err.Error() != `output format "table" is not available here` {
		t.Errorf("Write(table, struct{}) = %v", err)
	}
	if b.Len() != 0 {
		t.Errorf("wrote %q before failing", b.String())
	}
}

func TestParseFormat(t *testing.T) {
	if f, err := ParseFormat(" JSON "); err != nil || f != JSON {
		t.Errorf("ParseFormat(JSON) = %q, %v", f, err)
	}
	_, err := ParseFormat("xml")
	if err == nil || err.Error() != `invalid output format "xml": want one of table, wide, json, yaml, value` {
		t.Errorf("ParseFormat(xml) = %v", err)
	}
	_, err = ParseFormat("wide", Table, JSON)
	if err == nil || err.Error() != `invalid output format "wide": want table or json` {
		t.Errorf("restricted ParseFormat = %v", err)
	}
}

func FuzzParseFormat(f *testing.F) {
	for _, s := range []string{"table", "JSON", " yaml", "", "xml", "va\x00lue"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		got, err := ParseFormat(s)
		if err == nil {
			for _, known := range StandardFormats {
				if got == known {
					return
				}
			}
			t.Fatalf("ParseFormat(%q) = %q, not a known format", s, got)
		}
		if strings.Contains(err.Error(), "\n") && !strings.Contains(s, "\n") {
			t.Fatalf("error is not one line: %q", err)
		}
	})
}
