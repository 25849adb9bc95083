package prose

import (
	"strings"
	"testing"
)

func TestJoinAndCount(t *testing.T) {
	for _, tt := range []struct{ got, want string }{
		{JoinAnd(nil), ""},
		{JoinAnd([]string{"a"}), "a"},
		{JoinAnd([]string{"a", "b"}), "a and b"},
		{JoinAnd([]string{"a", "b", "c"}), "a, b and c"},
		{JoinOr([]string{"use1-az3", "usw1-az2", "cac1-az3"}), "use1-az3, usw1-az2 or cac1-az3"},
		{Count(1, "node", "nodes"), "1 node"},
		{Count(0, "node", "nodes"), "0 nodes"},
		{Count(140, "address", "addresses"), "140 addresses"},
	} {
		if tt.got != tt.want {
			t.Errorf("got %q, want %q", tt.got, tt.want)
		}
	}
}

func TestEditDistance(t *testing.T) {
	tests := []struct {
		a, b string
		want int
	}{
		{"", "", 0}, {"m5.large", "m5.large", 0}, {"m5.lrge", "m5.large", 1},
		{"m5.lrage", "m5.large", 1}, {"c5.large", "m5.large", 1}, {"abc", "", 3},
	}
	for _, tt := range tests {
		if got := editDistance(tt.a, tt.b); got != tt.want {
			t.Errorf("editDistance(%q, %q) = %d, want %d", tt.a, tt.b, got, tt.want)
		}
	}
}

// A name past SuggestMaxLen gets no suggestion, whatever it resembles:
// the distance would cost its length times each known name's.
func TestSuggestBounded(t *testing.T) {
	known := []string{"m5.large", "m5.xlarge"}
	if got := Suggest("m5.lrge", known, 3); len(got) != 1 || got[0] != "m5.large" {
		t.Errorf("Suggest(m5.lrge) = %q", got)
	}
	if got := Suggest(strings.Repeat("m5.large", 20000), known, 3); got != nil {
		t.Errorf("a 160k-character name got %q", got)
	}
}

func TestPrintable(t *testing.T) {
	for in, want := range map[string]string{
		"subnet-0123":              "subnet-0123",
		"m5.large × 3 − 1":         "m5.large × 3 − 1",
		"a\x1b[31mred":             `a\u001b[31mred`,
		"nul\x00":                  `nul\u0000`,
		"csi\u009b2J":              `csi\u009b2J`,
		"evil\u202Etxt.exe":        `evil\u202etxt.exe`,
		"bad\xffutf8":              `bad\ufffdutf8`,
		"zero\u200bwidth\u2066iso": `zero\u200bwidth\u2066iso`,
	} {
		if got := Printable(in); got != want {
			t.Errorf("Printable(%q) = %q, want %q", in, got, want)
		}
	}
}

func TestTruncate(t *testing.T) {
	if got := Truncate("short", 10); got != "short" {
		t.Errorf("%q", got)
	}
	if got := Truncate(strings.Repeat("é", 10), 5); got != "éé … (16 more bytes)" {
		t.Errorf("%q", got)
	}
}
