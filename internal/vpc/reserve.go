package vpc

import (
	"fmt"
	"math/bits"
	"net/netip"

	"github.com/eksnet/eksnet/internal/subnet"
)

// PrefixBlockBits is the prefix length of one delegated prefix: a /28 of 16
// addresses (subnet.BlockLen).
const PrefixBlockBits = int(subnet.BlockLen)

// ReservePrefixes returns `prefix` subnet CIDR reservations inside subnet that
// together hold exactly blocks aligned /28s (docs/vpc-rules.md: nodes × prefixes
// held per node × 16 addresses), avoiding taken (earlier reservations).
//
// A subnet's first /28 holds the network, router, DNS and reserved
// addresses and its last /28 the broadcast address, so the VPC never
// delegates either: both stay outside the reservation. The /28s are taken as
// the fewest aligned blocks the free space allows (the binary digits of the
// count, largest first, each placed best fit), so a reservation is a handful
// of CIDRs, never one per node. Reservations never overlap each other.
func ReservePrefixes(cidr netip.Prefix, blocks int, taken []netip.Prefix) ([]netip.Prefix, error) {
	if !cidr.IsValid() || !cidr.Addr().Is4() {
		return nil, fmt.Errorf("%s is not an IPv4 cidr", cidr)
	}
	if blocks < 0 {
		return nil, fmt.Errorf("invalid reservation of %d /28 prefixes: must not be negative", blocks)
	}
	if blocks == 0 {
		return nil, nil
	}
	cidr = cidr.Masked()
	if cidr.Bits() > PrefixBlockBits-1 {
		return nil, fmt.Errorf("subnet %s is too small for prefix reservations: its only /28s are its first and last, which hold reserved addresses", cidr)
	}
	start := addr32(cidr.Addr())
	last := start + uint32(blockSize(cidr.Bits())) - uint32(blockSize(PrefixBlockBits))
	used := append([]netip.Prefix{prefixOf(start, PrefixBlockBits), prefixOf(last, PrefixBlockBits)}, taken...)
	space, err := NewSpace([]netip.Prefix{cidr}, used)
	if err != nil {
		return nil, err
	}
	if have := space.FreeBlocks(PrefixBlockBits); have < uint64(blocks) {
		return nil, fmt.Errorf("subnet %s has %d free aligned /28s outside its first and last, the reservation needs %d: %d short",
			cidr, have, blocks, uint64(blocks)-have)
	}
	var out []netip.Prefix
	remaining := uint64(blocks)
	for remaining > 0 {
		largest, _ := space.Largest()
		// The largest power of two not above what is left, no larger than
		// the largest free block: 2^k /28s make a /(28-k).
		k := bits.Len64(remaining) - 1
		want := max(PrefixBlockBits-k, largest)
		p, ok := space.Allocate(want)
		if !ok { // cannot happen: FreeBlocks counted the space
			return nil, fmt.Errorf("subnet %s: no free /%d left for the reservation", cidr, want)
		}
		out = append(out, p)
		remaining -= blockSize(want) / blockSize(PrefixBlockBits)
	}
	return out, nil
}
