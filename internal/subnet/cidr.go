package subnet

import (
	"fmt"
	"net/netip"
	"strings"
)

// ParseCIDR parses an IPv4 or IPv6 CIDR block and rejects one with host bits
// set, showing the block it may have meant (docs/vpc-rules.md: say which, never
// guess silently): "10.0.0.18/18 has host bits set; did you mean 10.0.0.0/18?".
func ParseCIDR(s string) (netip.Prefix, error) {
	s = strings.TrimSpace(s)
	p, err := netip.ParsePrefix(s)
	if err != nil {
		return netip.Prefix{}, fmt.Errorf("invalid CIDR %q: want an address and a prefix length, such as 10.0.0.0/19", s)
	}
	if masked := p.Masked(); masked != p {
		return netip.Prefix{}, &HostBitsError{Given: s, Masked: masked}
	}
	return p, nil
}

// HostBitsError is a CIDR block with host bits set, and the block it may
// have meant (docs/vpc-rules.md: say which, never guess silently).
type HostBitsError struct {
	Given  string       // the block as typed
	Masked netip.Prefix // the block with the host bits cleared
}

func (e *HostBitsError) Error() string {
	return fmt.Sprintf("%s has host bits set; did you mean %s?", e.Given, e.Masked)
}

// ParseSubnetCIDR parses the CIDR of an IPv4 subnet: no host bits, and a
// size AWS allows, /16 to /28 (docs/vpc-rules.md).
func ParseSubnetCIDR(s string) (netip.Prefix, error) {
	p, err := ParseCIDR(s)
	if err != nil {
		return netip.Prefix{}, err
	}
	if !p.Addr().Is4() {
		return netip.Prefix{}, fmt.Errorf("%s is IPv6: an IPv4 subnet CIDR is needed here, /16 to /28", p)
	}
	if !PrefixLen(p.Bits()).Valid() {
		return netip.Prefix{}, fmt.Errorf("%s is not a valid subnet size: AWS allows /16 to /28", p)
	}
	return p, nil
}

// LenOf is the prefix length of a subnet CIDR (0 if it is not /16 to /28).
func LenOf(p netip.Prefix) PrefixLen {
	if !p.Addr().Is4() || !PrefixLen(p.Bits()).Valid() {
		return 0
	}
	return PrefixLen(p.Bits())
}
