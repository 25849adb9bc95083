package vpc

import (
	"net/netip"
	"testing"
)

func TestCheckIPv6Block(t *testing.T) {
	for _, tt := range []struct {
		cidr, err string
	}{
		{"2600:1f14:abc:de00::/56", ""},
		{"2600:1f14::/44", ""},
		{"2600:1f14:abc:de00::/60", ""},
		{"2600:1f14:abc:d000::/52", ""},
		{"2600:1f14:abc:dc00::/54", "/54 is not a VPC IPv6 block size: /44 to /60 in steps of 4 (Amazon provides a /56)"},
		{"2600:1f14:abc:de00::/64", "/64 is not a VPC IPv6 block size: /44 to /60 in steps of 4 (Amazon provides a /56)"},
		{"2600:1f14:abc:de01::/56", "2600:1f14:abc:de01::/56 has host bits set: the block would be 2600:1f14:abc:de00::/56"},
		{"fd00:1::/56", "fd00:1::/56 is not global unicast (2000::/3): a VPC takes no unique local or other IPv6 space"},
		{"10.0.0.0/16", "10.0.0.0/16 is not an IPv6 CIDR"},
	} {
		err := CheckIPv6Block(netip.MustParsePrefix(tt.cidr))
		if got := errString(err); got != tt.err {
			t.Errorf("%s: %q, want %q", tt.cidr, got, tt.err)
		}
	}
}

func errString(err error) string {
	if err == nil {
		return ""
	}
	return err.Error()
}

func TestIPv6Subnets(t *testing.T) {
	block := netip.MustParsePrefix("2600:1f14:abc:de00::/56")
	if n := IPv6SubnetsIn(56); n != 256 {
		t.Errorf("a /56 holds %d /64s", n)
	}
	for _, tt := range []struct {
		i    int
		want string
	}{{0, "2600:1f14:abc:de00::/64"}, {1, "2600:1f14:abc:de01::/64"}, {255, "2600:1f14:abc:deff::/64"}} {
		p, ok := NthIPv6Subnet(block, tt.i)
		if !ok || p.String() != tt.want {
			t.Errorf("subnet %d = %s, want %s", tt.i, p, tt.want)
		}
		first, count, ok := IPv6SubnetIndexes(block, p)
		if !ok || first != tt.i || count != 1 {
			t.Errorf("%s: index %d count %d", p, first, count)
		}
	}
	if _, ok := NthIPv6Subnet(block, 256); ok {
		t.Error("a /56 has no 257th /64")
	}
	if first, count, ok := IPv6SubnetIndexes(block, netip.MustParsePrefix("2600:1f14:abc:de10::/60")); !ok || first != 16 || count != 16 {
		t.Errorf("a /60 covers %d from %d", count, first)
	}
	if _, _, ok := IPv6SubnetIndexes(block, netip.MustParsePrefix("2600:1f14:abc:df00::/64")); ok {
		t.Error("a /64 outside the block has an index")
	}
	if NodePrefixesPerIPv6Subnet != 65534 {
		t.Errorf("%d /80s per /64", NodePrefixesPerIPv6Subnet)
	}
}
