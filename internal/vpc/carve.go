package vpc

import (
	"fmt"
	"net/netip"
	"slices"

	"go4.org/netipx"
)

// Space is the free IPv4 space of some CIDR blocks, less the prefixes already
// used, kept as a buddy free list: every free address lies in exactly one
// aligned free block, and free[b] holds the start addresses of the free /b
// blocks. The blocks are the minimal CIDR cover of the free set that netipx
// computes, so no two free buddies are ever left unmerged.
type Space struct {
	free [33]addrHeap
	size uint64 // free addresses
}

// NewSpace returns the free space of blocks minus used: the VPC's CIDR blocks
// minus its existing subnets, for example. Prefixes must be IPv4. Each block's
// free space is kept apart, never merged with a neighbouring block's: a
// subnet lies inside one of the VPC's CIDR blocks, so two adjacent /17
// blocks hold two /17 subnets, never one /16 across both.
func NewSpace(blocks, used []netip.Prefix) (*Space, error) {
	for _, p := range append(slices.Clone(blocks), used...) {
		if !p.IsValid() || !p.Addr().Is4() {
			return nil, fmt.Errorf("%s is not an IPv4 CIDR: only IPv4 space is carved", p)
		}
	}
	s := &Space{}
	var before []netip.Prefix
	for _, block := range blocks {
		var b netipx.IPSetBuilder
		b.AddPrefix(block.Masked())
		for _, p := range append(before, used...) { // a block given twice, or inside another, counts once
			b.RemovePrefix(p.Masked())
		}
		set, err := b.IPSet()
		if err != nil {
			return nil, err
		}
		for _, p := range set.Prefixes() {
			s.put(addr32(p.Addr()), p.Bits())
		}
		before = append(before, block)
	}
	return s, nil
}

func (s *Space) put(start uint32, bits int) {
	s.free[bits].push(start)
	s.size += blockSize(bits)
}

// Allocate takes a /bits block from the free space, best fit: from the
// smallest free block that can hold it, the lowest such block on a tie, and
// at its start. What is left of that block stays free as its aligned halves.
// Best fit keeps large blocks whole for large requests; together with a fixed
// request order it makes the result a function of the free space and the
// earlier requests only (the planner's stability rule).
func (s *Space) Allocate(bits int) (netip.Prefix, bool) {
	if bits < 0 || bits > 32 {
		return netip.Prefix{}, false
	}
	for b := bits; b >= 0; b-- {
		if s.free[b].len() == 0 {
			continue
		}
		start := s.free[b].pop()
		s.size -= blockSize(b)
		s.split(start, b, bits)
		return prefixOf(start, bits), true
	}
	return netip.Prefix{}, false
}

// AllocateLowest takes the /bits block with the lowest address (first fit),
// for choices that must read "the first free /16 in 100.64.0.0/10".
func (s *Space) AllocateLowest(bits int) (netip.Prefix, bool) {
	if bits < 0 || bits > 32 {
		return netip.Prefix{}, false
	}
	best, bestBits := uint32(0), -1
	for b := bits; b >= 0; b-- {
		if s.free[b].len() == 0 {
			continue
		}
		if start := s.free[b].min(); bestBits < 0 || start < best {
			best, bestBits = start, b
		}
	}
	if bestBits < 0 {
		return netip.Prefix{}, false
	}
	s.free[bestBits].remove(best)
	s.size -= blockSize(bestBits)
	s.split(best, bestBits, bits)
	return prefixOf(best, bits), true
}

// split frees the upper halves left over when a /want is taken from the start
// of a free /from block.
func (s *Space) split(start uint32, from, want int) {
	for l := from + 1; l <= want; l++ {
		s.put(start+uint32(blockSize(l)), l)
	}
}

// Largest returns the prefix length of the largest free aligned block
// (the smallest number), and false when nothing is free.
func (s *Space) Largest() (int, bool) {
	for b := 0; b <= 32; b++ {
		if s.free[b].len() > 0 {
			return b, true
		}
	}
	return 0, false
}

// Free returns the number of free addresses.
func (s *Space) Free() uint64 { return s.size }

// FreeBlocks returns how many free aligned /bits blocks the space holds in
// all (counting each larger free block as the /bits blocks it splits into).
func (s *Space) FreeBlocks(bits int) uint64 {
	var n uint64
	for b := 0; b <= bits && b <= 32; b++ {
		n += uint64(s.free[b].len()) << (bits - b)
	}
	return n
}

// blockSize is the number of addresses in a /bits block.
func blockSize(bits int) uint64 { return 1 << (32 - bits) }

// BlockSize is the number of addresses in an IPv4 /bits prefix.
func BlockSize(bits int) uint64 { return blockSize(bits) }

// Offset is how far the IPv4 address a lies from the start of block, in
// addresses; a must be in block.
func Offset(block netip.Prefix, a netip.Addr) uint32 {
	return addr32(a) - addr32(block.Masked().Addr())
}

func addr32(a netip.Addr) uint32 {
	b := a.As4()
	return uint32(b[0])<<24 | uint32(b[1])<<16 | uint32(b[2])<<8 | uint32(b[3])
}

func addrOf(v uint32) netip.Addr {
	return netip.AddrFrom4([4]byte{byte(v >> 24), byte(v >> 16), byte(v >> 8), byte(v)})
}

func prefixOf(start uint32, bits int) netip.Prefix {
	return netip.PrefixFrom(addrOf(start), bits)
}

// addrHeap is a min-heap of block start addresses.
type addrHeap []uint32

func (h addrHeap) len() int    { return len(h) }
func (h addrHeap) min() uint32 { return h[0] }
func (h *addrHeap) push(v uint32) {
	*h = append(*h, v)
	h.up(len(*h) - 1)
}

func (h *addrHeap) pop() uint32 {
	old := *h
	v := old[0]
	n := len(old) - 1
	old[0] = old[n]
	*h = old[:n]
	h.down(0)
	return v
}

// remove deletes v; it is used for the minimum only, which sits at the root.
func (h *addrHeap) remove(v uint32) {
	for i, x := range *h {
		if x != v {
			continue
		}
		old := *h
		n := len(old) - 1
		old[i] = old[n]
		*h = old[:n]
		if i < n {
			h.down(i)
			h.up(i)
		}
		return
	}
}

func (h addrHeap) up(i int) {
	for i > 0 {
		parent := (i - 1) / 2
		if h[parent] <= h[i] {
			return
		}
		h[parent], h[i] = h[i], h[parent]
		i = parent
	}
}

func (h addrHeap) down(i int) {
	n := len(h)
	for {
		smallest, l, r := i, 2*i+1, 2*i+2
		if l < n && h[l] < h[smallest] {
			smallest = l
		}
		if r < n && h[r] < h[smallest] {
			smallest = r
		}
		if smallest == i {
			return
		}
		h[i], h[smallest] = h[smallest], h[i]
		i = smallest
	}
}
