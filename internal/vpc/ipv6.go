package vpc

import (
	"encoding/binary"
	"fmt"
	"net/netip"
)

// IPv6 rules of a VPC and of an EKS IPv6 cluster (docs/vpc-rules.md "IPv6").
const (
	// AmazonIPv6Bits is the size of the block Amazon provides a VPC.
	AmazonIPv6Bits = 56
	// MinIPv6BlockBits and MaxIPv6BlockBits bound a VPC's IPv6 block from
	// IPAM or BYOIP, in steps of IPv6BlockStep bits.
	MinIPv6BlockBits = 44
	MaxIPv6BlockBits = 60
	IPv6BlockStep    = 4
	// IPv6SubnetBits is the size of every IPv6 subnet eksnet plans.
	IPv6SubnetBits = 64
	// IPv6NodePrefixBits is the prefix the VPC CNI gives each IPv6 node.
	IPv6NodePrefixBits = 80
	// NodePrefixesPerIPv6Subnet is the /80s of a /64 that may be delegated:
	// all but the first and the last, which hold the addresses AWS reserves.
	NodePrefixesPerIPv6Subnet = 1<<(IPv6NodePrefixBits-IPv6SubnetBits) - 2
)

// GlobalUnicast is 2000::/3: a VPC's IPv6 block is global unicast space
// (Amazon's, or BYOIP), never unique local addresses.
var GlobalUnicast = netip.MustParsePrefix("2000::/3")

// CheckIPv6Block checks a VPC IPv6 block given as a CIDR: IPv6, global
// unicast, no host bits, /44 to /60 in steps of 4.
func CheckIPv6Block(p netip.Prefix) error {
	switch {
	case !p.IsValid() || !p.Addr().Is6() || p.Addr().Is4In6():
		return fmt.Errorf("%s is not an IPv6 CIDR", p)
	case p != p.Masked():
		return fmt.Errorf("%s has host bits set: the block would be %s", p, p.Masked())
	case !GlobalUnicast.Contains(p.Addr()):
		return fmt.Errorf("%s is not global unicast (2000::/3): a VPC takes no unique local or other IPv6 space", p)
	case p.Bits() < MinIPv6BlockBits || p.Bits() > MaxIPv6BlockBits || p.Bits()%IPv6BlockStep != 0:
		return fmt.Errorf("/%d is not a VPC IPv6 block size: /%d to /%d in steps of %d (Amazon provides a /%d)", p.Bits(), MinIPv6BlockBits, MaxIPv6BlockBits, IPv6BlockStep, AmazonIPv6Bits)
	}
	return nil
}

// IPv6SubnetsIn is the number of /64 subnets a block of bits holds.
func IPv6SubnetsIn(bits int) int { return 1 << (IPv6SubnetBits - bits) }

// NthIPv6Subnet is the i-th /64 of block (from 0).
func NthIPv6Subnet(block netip.Prefix, i int) (netip.Prefix, bool) {
	if i < 0 || i >= IPv6SubnetsIn(block.Bits()) {
		return netip.Prefix{}, false
	}
	a := block.Masked().Addr().As16()
	binary.BigEndian.PutUint64(a[:8], binary.BigEndian.Uint64(a[:8])+uint64(i))
	return netip.PrefixFrom(netip.AddrFrom16(a), IPv6SubnetBits), true
}

// IPv6SubnetIndexes are the /64 indexes of block that sub covers: one for a
// /64, more for a larger subnet; false when sub lies outside block.
func IPv6SubnetIndexes(block, sub netip.Prefix) (first, count int, ok bool) {
	if !block.Contains(sub.Addr()) || sub.Bits() < block.Bits() || sub.Bits() > IPv6SubnetBits {
		return 0, 0, false
	}
	b, s := block.Masked().Addr().As16(), sub.Masked().Addr().As16()
	first = int(binary.BigEndian.Uint64(s[:8]) - binary.BigEndian.Uint64(b[:8]))
	return first, 1 << (IPv6SubnetBits - sub.Bits()), true
}
