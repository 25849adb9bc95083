package cni

import (
	"fmt"
	"strings"
	"testing"
)

func TestParseVersion(t *testing.T) {
	good := map[string]Version{
		"1.19.0": {1, 19, 0}, "v1.23.1": {1, 23, 1}, "v1.19.0-eksbuild.1": {1, 19, 0},
		"1.9": {1, 9, 0}, " 1.10.1 ": {1, 10, 1},
	}
	for in, want := range good {
		if got, err := ParseVersion(in); err != nil || got != want {
			t.Errorf("ParseVersion(%q) = %v, %v; want %v", in, got, err, want)
		}
	}
	for _, in := range []string{"", "1", "1.x.0", "1.2.3.4", "v", "1..2", "+1.2.3", "1.-2.3", "1.2.3-", "latest", "1.2.9999999"} {
		_, err := ParseVersion(in)
		if err == nil || !strings.HasPrefix(err.Error(), "invalid VPC CNI version") {
			t.Errorf("ParseVersion(%q) error = %v", in, err)
		}
	}
	if !(Version{1, 10, 1}).AtLeast(Version{1, 9, 0}) || (Version{1, 8, 9}).AtLeast(Version{1, 9, 0}) {
		t.Error("AtLeast ordering is wrong")
	}
}

func FuzzParseVersion(f *testing.F) {
	for _, s := range []string{"1.19.0", "v1.23.1-eksbuild.2", "1.9", "x", "1..", "v-"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		v, err := ParseVersion(s)
		if err != nil {
			return
		}
		if v.Major < 0 || v.Minor < 0 || v.Patch < 0 {
			t.Fatalf("ParseVersion(%q) = %v: negative part", s, v)
		}
		again, err := ParseVersion(v.String())
		if err != nil || again != v {
			t.Fatalf("ParseVersion(%q) = %v does not round-trip: %v %v", s, v, again, err)
		}
	})
}

func TestParseIPFamily(t *testing.T) {
	for in, want := range map[string]IPFamily{"ipv4": IPv4, "ipv6": IPv6, " IPv6 ": IPv6, "IPV4": IPv4} {
		if got, err := ParseIPFamily(in); err != nil || got != want {
			t.Errorf("ParseIPFamily(%q) = %q, %v; want %q", in, got, err, want)
		}
	}
	for _, in := range []string{"", "ipv5", "4", "dual", "ipv4,ipv6"} {
		if _, err := ParseIPFamily(in); err == nil || err.Error() != fmt.Sprintf("invalid IP family %q: want ipv4 or ipv6", in) {
			t.Errorf("ParseIPFamily(%q) error = %v", in, err)
		}
	}
}

// FuzzParseIPFamily: --ip-family gives ipv4 or ipv6, or one line naming the
// value and both families; and a configuration with what it gives validates.
func FuzzParseIPFamily(f *testing.F) {
	for _, s := range []string{"ipv4", "IPv6", " ipv6\t", "", "ipv5", "\xff"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		family, err := ParseIPFamily(s)
		if err != nil {
			if family != "" || err.Error() != fmt.Sprintf("invalid IP family %q: want ipv4 or ipv6", s) {
				t.Fatalf("ParseIPFamily(%q) = %q, %v", s, family, err)
			}
			return
		}
		if family != IPv4 && family != IPv6 {
			t.Fatalf("ParseIPFamily(%q) = %q", s, family)
		}
		cfg := DefaultConfig()
		cfg.IPFamily = family
		if err := cfg.Validate(); err != nil {
			t.Fatalf("ParseIPFamily(%q) = %q, which does not validate: %v", s, family, err)
		}
	})
}

func TestIsLabelKey(t *testing.T) {
	for _, good := range []string{"topology.kubernetes.io/zone", "k8s.amazonaws.com/eniConfig", "zone", "my-label_1.x", "a/b"} {
		if !IsLabelKey(good) {
			t.Errorf("IsLabelKey(%q) = false", good)
		}
	}
	for _, bad := range []string{"", "x; touch PWNED #", "$(id)", "`id`", "a&&b", "a|b", "a>b", "a\nb", "/zone", "UPPER.io/zone", "-zone", "zone-", "a/b/c", strings.Repeat("a", 64)} {
		if IsLabelKey(bad) {
			t.Errorf("IsLabelKey(%q) = true", bad)
		}
	}
}
