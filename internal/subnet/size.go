package subnet

import (
	"fmt"
	"math"
	"strconv"
	"strings"

	"github.com/eksnet/eksnet/internal/satint"
)

// The limits AWS puts on a subnet (docs/vpc-rules.md "Sizes and reserved addresses").
const (
	// Largest is the largest subnet: a /16.
	Largest PrefixLen = 16
	// Smallest is the smallest subnet: a /28.
	Smallest PrefixLen = 28
	// Reserved is how many addresses every subnet loses: network, router,
	// DNS, one reserved for future use, and the last.
	Reserved = 5
	// BlockLen is the prefix length of the blocks prefix delegation hands
	// out; BlockSize their addresses.
	BlockLen  = 28
	BlockSize = 16
	// edgeAddresses are the usable addresses of a subnet's first and last
	// /28 blocks, which are never free for a prefix: 16 − 4 reserved at the
	// start, 16 − 1 (the broadcast) at the end.
	edgeAddresses = (BlockSize - 4) + (BlockSize - 1)
)

// PrefixLen is the prefix length of an IPv4 subnet, /16 to /28. Its methods
// return 0 for lengths outside that range; Valid checks it.
type PrefixLen int

// Valid reports whether p is /16 to /28 (docs/vpc-rules.md).
func (p PrefixLen) Valid() bool { return p >= Largest && p <= Smallest }

// String is the length as written after a CIDR's slash: "/21".
func (p PrefixLen) String() string { return fmt.Sprintf("/%d", int(p)) }

// Addresses is the size of the subnet: 2^(32 − p).
func (p PrefixLen) Addresses() int {
	if !p.Valid() {
		return 0
	}
	return 1 << (32 - p)
}

// Usable is the subnet's size minus the 5 addresses AWS reserves in every
// subnet (docs/vpc-rules.md): a /28 has 11, a /19 8187.
func (p PrefixLen) Usable() int {
	if !p.Valid() {
		return 0
	}
	return p.Addresses() - Reserved
}

// Blocks is the number of aligned /28 blocks in the subnet.
func (p PrefixLen) Blocks() int {
	if !p.Valid() {
		return 0
	}
	return 1 << (BlockLen - p)
}

// FreeBlocks is the number of /28 blocks that can be whole prefixes: all but
// the first (it holds the network address and three reserved ones) and the
// last (it holds the broadcast address) (docs/node-addresses.md, docs/vpc-rules.md).
func (p PrefixLen) FreeBlocks() int { return max(p.Blocks()-2, 0) }

// Need is what some nodes take from one subnet: single addresses (ENI
// primaries, secondary IPs, node and branch ENI addresses) and, in prefix
// mode, aligned /28 blocks that must be wholly free (docs/node-addresses.md).
type Need struct {
	Addresses int `json:"addresses"` // single addresses, anywhere in the subnet
	Blocks    int `json:"blocks"`    // aligned, fully free /28 blocks
}

// Total is every address the need takes: singles plus 16 per block.
func (n Need) Total() int { return satint.Add(n.Addresses, satint.Mul(n.Blocks, BlockSize)) }

// Plus is the need of both.
func (n Need) Plus(m Need) Need {
	return Need{Addresses: satint.Add(n.Addresses, m.Addresses), Blocks: satint.Add(n.Blocks, m.Blocks)}
}

// Times is the need of k nodes that each need n.
func (n Need) Times(k int) Need {
	return Need{Addresses: satint.Mul(n.Addresses, k), Blocks: satint.Mul(n.Blocks, k)}
}

// Share is one of k subnets' part of n when ipamd spreads it over them
// evenly: each count divided by k, rounding up (k below 1 counts as 1).
func (n Need) Share(k int) Need {
	if k <= 1 {
		return n
	}
	return Need{Addresses: satint.CeilDiv(n.Addresses, k), Blocks: satint.CeilDiv(n.Blocks, k)}
}

// blocksNeeded is the free /28 blocks n takes in a subnet of at least a /27:
// its blocks, plus whole blocks for the single addresses that do not fit the
// first and last blocks' 27 usable addresses (docs/node-addresses.md: aligned free /28s).
func (n Need) blocksNeeded() int {
	return satint.Add(n.Blocks, satint.CeilDiv(max(n.Addresses-edgeAddresses, 0), BlockSize))
}

// FitsIn reports whether n fits a subnet of length p: the single addresses
// within its usable ones (docs/vpc-rules.md) and, with /28 blocks, every block
// aligned and wholly free, outside the first and last (docs/node-addresses.md).
func (n Need) FitsIn(p PrefixLen) bool {
	switch {
	case !p.Valid() || n.Addresses < 0 || n.Blocks < 0:
		return false
	case n.Blocks == 0:
		return n.Addresses <= p.Usable()
	default:
		return n.blocksNeeded() <= p.FreeBlocks()
	}
}

// Over is by how many addresses n exceeds a subnet of length p (0 if it
// fits); with /28 blocks, 16 per block short (docs/vpc-rules.md, docs/node-addresses.md).
func (n Need) Over(p PrefixLen) int {
	if n.Blocks == 0 {
		return max(n.Addresses-p.Usable(), 0)
	}
	return satint.Mul(max(n.blocksNeeded()-p.FreeBlocks(), 0), BlockSize)
}

// MinPrefixLen is the smallest subnet that holds n: the longest prefix
// length from /28 up to /16 that fits (docs/vpc-rules.md: 5 reserved; docs/node-addresses.md:
// whole /28 blocks in prefix mode). A need beyond a /16 is a *DoesNotFitError.
func (n Need) MinPrefixLen() (PrefixLen, error) {
	for p := Smallest; p >= Largest; p-- {
		if n.FitsIn(p) {
			return p, nil
		}
	}
	return 0, &DoesNotFitError{Need: n, Prefix: Largest}
}

// Recommend is the smallest subnet that holds n with headroomPercent more
// of everything (25 for a quarter more), so that the subnet keeps room for
// spikes, surge nodes and fragmentation.
func (n Need) Recommend(headroomPercent int) (PrefixLen, error) {
	if headroomPercent < 0 {
		return 0, fmt.Errorf("invalid headroom %d%%: must be 0%% or more", headroomPercent)
	}
	return n.WithHeadroom(headroomPercent).MinPrefixLen()
}

// MaxHeadroomPercent is the most headroom a plan may ask for: ten times the demand.
const MaxHeadroomPercent = 1000

// ParseHeadroom reads a headroom as users write it, a whole percentage with
// its sign ("25%"), 0% to MaxHeadroomPercent%: the room Recommend adds on
// top of the demand. A bare number is refused, never guessed to be a percentage.
func ParseHeadroom(s string) (int, error) {
	digits, ok := strings.CutSuffix(strings.TrimSpace(s), "%")
	digits = strings.TrimSpace(digits)
	n, err := strconv.Atoi(digits)
	if !ok || err != nil || strings.HasPrefix(digits, "+") || n < 0 || n > MaxHeadroomPercent {
		return 0, fmt.Errorf("want a whole percentage from 0%% to %d%%, such as 20%%", MaxHeadroomPercent)
	}
	return n, nil
}

// WithHeadroom is n with headroomPercent more of everything, rounded up.
func (n Need) WithHeadroom(headroomPercent int) Need {
	grow := func(v int) int {
		if v > math.MaxInt/(100+headroomPercent) {
			return math.MaxInt
		}
		return satint.CeilDiv(v*(100+headroomPercent), 100)
	}
	return Need{Addresses: grow(n.Addresses), Blocks: grow(n.Blocks)}
}

// Utilisation is the share of a subnet's usable addresses that n takes
// (1 is full; more than 1 does not fit).
func (n Need) Utilisation(p PrefixLen) float64 {
	if !p.Valid() {
		return math.Inf(1)
	}
	return float64(n.Total()) / float64(p.Usable())
}

// DoesNotFitError says that a need exceeds a subnet, and by how much.
type DoesNotFitError struct {
	Need   Need
	Prefix PrefixLen
}

func (e *DoesNotFitError) Error() string {
	if e.Need.Blocks == 0 {
		return fmt.Sprintf("%d addresses do not fit a %s (%d usable): %d too many",
			e.Need.Addresses, e.Prefix, e.Prefix.Usable(), e.Need.Over(e.Prefix))
	}
	return fmt.Sprintf("%d aligned /28 blocks and %d addresses do not fit a %s (%d free /28 blocks): %d blocks (%d addresses) too many",
		e.Need.Blocks, e.Need.Addresses, e.Prefix, e.Prefix.FreeBlocks(), e.Need.Over(e.Prefix)/BlockSize, e.Need.Over(e.Prefix))
}

// NodesPerAZ is how many nodes one AZ's subnet must hold: the nodes spread
// evenly over the AZs, rounding up, plus the surge nodes of a rolling
// update in that AZ: the one sizing rule of eksnet subnet size and plan.
func NodesPerAZ(nodes, azs, surge int) (int, error) {
	switch {
	case nodes < 1:
		return 0, fmt.Errorf("invalid node count %d: must be at least 1", nodes)
	case azs < 1:
		return 0, fmt.Errorf("invalid AZ count %d: must be at least 1", azs)
	case surge < 0:
		return 0, fmt.Errorf("invalid surge %d: must be 0 or more nodes per AZ", surge)
	}
	return Spread{AZs: azs, Surge: surge}.Share(nodes), nil
}
