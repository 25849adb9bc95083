package enum

import (
	"strings"
	"testing"
)

type color string

func TestParse(t *testing.T) {
	three := []color{"red", "green", "blue"}
	tests := []struct {
		s       string
		allowed []color
		want    color
		err     string
	}{
		{"red", three, "red", ""},
		{" Green ", three, "green", ""},
		{"BLUE", three, "blue", ""},
		{"pink", three, "", `invalid color "pink": want one of red, green, blue`},
		{"", three, "", `invalid color "": want one of red, green, blue`},
		{"a\nb", three, "", `invalid color "a\nb": want one of red, green, blue`},
		{"blue", three[1:], "blue", ""},
		{"red", three[1:], "", `invalid color "red": want green or blue`},
	}
	for _, tt := range tests {
		got, err := Parse("color", tt.s, tt.allowed)
		switch {
		case tt.err == "" && (err != nil || got != tt.want):
			t.Errorf("Parse(%q) = %q, %v; want %q", tt.s, got, err, tt.want)
		case tt.err != "" && (err == nil || err.Error() != tt.err || got != ""):
			t.Errorf("Parse(%q) = %q, %v; want error %q", tt.s, got, err, tt.err)
		}
	}
}

// FuzzParse: a value is accepted exactly when, lower-cased and trimmed, it
// is one of the allowed; a refusal is one line that quotes the value.
func FuzzParse(f *testing.F) {
	for _, s := range []string{"json", " JSON ", "", "xml", "ipv6\n", "\xff"} {
		f.Add(s)
	}
	allowed := []color{"table", "wide", "json", "yaml", "value"}
	f.Fuzz(func(t *testing.T, s string) {
		got, err := Parse("format", s, allowed)
		if err != nil {
			if got != "" || strings.Contains(err.Error(), "\n") || !strings.Contains(err.Error(), "want one of table, wide, json, yaml, value") {
				t.Fatalf("Parse(%q) = %q, %v", s, got, err)
			}
			return
		}
		if string(got) != strings.ToLower(strings.TrimSpace(s)) {
			t.Fatalf("Parse(%q) = %q", s, got)
		}
	})
}
