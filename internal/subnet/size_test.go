package subnet

import (
	"errors"
	"fmt"
	"math"
	"net/netip"
	"testing"

	"go4.org/netipx"
)

func TestPrefixLen(t *testing.T) {
	tests := []struct {
		p                                    PrefixLen
		addresses, usable, blocks, freeBlock int
	}{
		{16, 65536, 65531, 4096, 4094},
		{17, 32768, 32763, 2048, 2046},
		{18, 16384, 16379, 1024, 1022},
		{19, 8192, 8187, 512, 510},
		{20, 4096, 4091, 256, 254},
		{21, 2048, 2043, 128, 126},
		{22, 1024, 1019, 64, 62},
		{23, 512, 507, 32, 30},
		{24, 256, 251, 16, 14},
		{25, 128, 123, 8, 6},
		{26, 64, 59, 4, 2},
		{27, 32, 27, 2, 0},
		{28, 16, 11, 1, 0},
		{15, 0, 0, 0, 0},
		{29, 0, 0, 0, 0},
		{0, 0, 0, 0, 0},
	}
	for _, tt := range tests {
		if got := [4]int{tt.p.Addresses(), tt.p.Usable(), tt.p.Blocks(), tt.p.FreeBlocks()}; got != [4]int{tt.addresses, tt.usable, tt.blocks, tt.freeBlock} {
			t.Errorf("%s: addresses, usable, blocks, free blocks = %v, want %d %d %d %d", tt.p, got, tt.addresses, tt.usable, tt.blocks, tt.freeBlock)
		}
	}
}

// TestPrefixLenAgainstAddressSets counts, with netipx address sets, the
// addresses left once AWS's five are taken out of a subnet, and the /28
// blocks left wholly free, and compares them with the arithmetic.
func TestPrefixLenAgainstAddressSets(t *testing.T) {
	for p := Largest; p <= Smallest; p++ {
		cidr := netip.PrefixFrom(netip.MustParseAddr("10.20.0.0"), int(p))
		var b netipx.IPSetBuilder
		b.AddPrefix(cidr)
		first := cidr.Addr()
		b.RemoveRange(netipx.IPRangeFrom(first, first.Next().Next().Next())) // network, router, DNS, reserved
		b.Remove(netipx.PrefixLastIP(cidr))                                  // broadcast
		set, err := b.IPSet()
		if err != nil {
			t.Fatal(err)
		}
		usable, blocks := 0, 0
		for _, pfx := range set.Prefixes() {
			usable += 1 << (32 - pfx.Bits())
			if pfx.Bits() <= BlockLen {
				blocks += 1 << (BlockLen - pfx.Bits())
			}
		}
		if usable != p.Usable() || blocks != p.FreeBlocks() {
			t.Errorf("%s: address set has %d usable and %d free /28s; arithmetic says %d and %d", p, usable, blocks, p.Usable(), p.FreeBlocks())
		}
	}
}

func TestMinPrefixLen(t *testing.T) {
	tests := []struct {
		name string
		need Need
		want PrefixLen
	}{
		// The example: m5.large, 100 nodes, 3 AZs, surge 0: 34 × 30 = 1020 > 1019 of a /22.
		{"issue example", Need{Addresses: 34 * 30}, 21},
		{"a /22 holds 1019", Need{Addresses: 1019}, 22},
		{"nothing", Need{}, 28},
		{"a /28 holds 11", Need{Addresses: 11}, 28},
		{"12", Need{Addresses: 12}, 27},
		{"a /27 holds 27", Need{Addresses: 27}, 27},
		{"28", Need{Addresses: 28}, 26},
		{"a /19 holds 8187", Need{Addresses: 8187}, 19},
		{"8188", Need{Addresses: 8188}, 18},
		{"a /16 holds 65531", Need{Addresses: 65531}, 16},
		// Prefix mode: blocks, never the first or last of the subnet.
		{"one block needs a /26", Need{Blocks: 1}, 26},
		{"two blocks and 27 singles in the edge blocks", Need{Blocks: 2, Addresses: 27}, 26},
		{"a 28th single takes a block", Need{Blocks: 2, Addresses: 28}, 25},
		{"m5.xlarge prefix 20 pods × 34 nodes: 102 blocks + 34 singles", Need{Blocks: 3 * 34, Addresses: 34}, 21},
		{"126 blocks fill a /21", Need{Blocks: 126, Addresses: 27}, 21},
		{"127 blocks need a /20", Need{Blocks: 127}, 20},
		{"4094 blocks fill a /16", Need{Blocks: 4094}, 16},
	}
	for _, tt := range tests {
		got, err := tt.need.MinPrefixLen()
		if err != nil || got != tt.want {
			t.Errorf("%s: MinPrefixLen(%+v) = %s, %v; want %s", tt.name, tt.need, got, err, tt.want)
		}
		if !tt.need.FitsIn(got) || (got < Smallest && tt.need.FitsIn(got+1)) {
			t.Errorf("%s: %s is not the smallest that fits", tt.name, got)
		}
	}
}

func TestDoesNotFit(t *testing.T) {
	tests := []struct {
		need Need
		over int
		msg  string
	}{
		{Need{Addresses: 65532}, 1, "65532 addresses do not fit a /16 (65531 usable): 1 too many"},
		{Need{Addresses: 100000}, 34469, "100000 addresses do not fit a /16 (65531 usable): 34469 too many"},
		{Need{Blocks: 4095}, 16, "4095 aligned /28 blocks and 0 addresses do not fit a /16 (4094 free /28 blocks): 1 blocks (16 addresses) too many"},
		{Need{Blocks: 4000, Addresses: 2000}, 16 * (4000 + 124 - 4094), "4000 aligned /28 blocks and 2000 addresses do not fit a /16 (4094 free /28 blocks): 30 blocks (480 addresses) too many"},
	}
	for _, tt := range tests {
		_, err := tt.need.MinPrefixLen()
		var dnf *DoesNotFitError
		if !errors.As(err, &dnf) || err.Error() != tt.msg {
			t.Errorf("%+v: error %v, want %q", tt.need, err, tt.msg)
			continue
		}
		if got := tt.need.Over(Largest); got != tt.over {
			t.Errorf("%+v: Over(/16) = %d, want %d", tt.need, got, tt.over)
		}
	}
	if got := (Need{Addresses: 1020}).Over(22); got != 1 {
		t.Errorf("1020 over a /22 by %d, want 1", got)
	}
	if got := (Need{Addresses: 1020}).Over(21); got != 0 {
		t.Errorf("1020 over a /21 by %d, want 0", got)
	}
}

func TestRecommendAndUtilisation(t *testing.T) {
	tests := []struct {
		need     Need
		headroom int
		want     PrefixLen
		util     string
	}{
		{Need{Addresses: 1020}, 0, 21, "0.4993"},
		{Need{Addresses: 1020}, 25, 21, "0.4993"},            // 1275
		{Need{Addresses: 1700}, 25, 20, "0.4155"},            // 2125 > 2043
		{Need{Addresses: 1634}, 25, 21, "0.7998"},            // 2042.5 → 2043
		{Need{Addresses: 1635}, 25, 20, "0.3997"},            // 2043.75 → 2044
		{Need{Blocks: 100, Addresses: 40}, 25, 20, "0.4009"}, // 125 + ceil((50 − 27) / 16) = 127 > 126
		{Need{Blocks: 100, Addresses: 30}, 25, 21, "0.7978"}, // 125 + ceil((38 − 27) / 16) = 126
	}
	for _, tt := range tests {
		got, err := tt.need.Recommend(tt.headroom)
		if err != nil || got != tt.want {
			t.Errorf("Recommend(%+v, %d%%) = %s, %v; want %s", tt.need, tt.headroom, got, err, tt.want)
		}
		if u := tt.need.Utilisation(got); fmt.Sprintf("%.4f", u) != tt.util {
			t.Errorf("Utilisation(%+v, %s) = %v, want %s", tt.need, got, u, tt.util)
		}
	}
	if _, err := (Need{Addresses: 1}).Recommend(-1); err == nil || err.Error() != "invalid headroom -1%: must be 0% or more" {
		t.Errorf("negative headroom: %v", err)
	}
	if u := (Need{Addresses: 1}).Utilisation(0); !math.IsInf(u, 1) {
		t.Errorf("utilisation of an invalid length = %v", u)
	}
}

func TestNeedArithmetic(t *testing.T) {
	perNode := Need{Addresses: 1, Blocks: 3}
	if got := perNode.Times(34); got != (Need{Addresses: 34, Blocks: 102}) {
		t.Errorf("Times = %+v", got)
	}
	if got := perNode.Times(34).Total(); got != 34+102*16 {
		t.Errorf("Total = %d", got)
	}
	if got := perNode.Plus(Need{Addresses: 5}); got != (Need{Addresses: 6, Blocks: 3}) {
		t.Errorf("Plus = %+v", got)
	}
	huge := Need{Addresses: math.MaxInt / 2, Blocks: math.MaxInt / 2}
	if got := huge.Times(4); got.Addresses != math.MaxInt || got.Blocks != math.MaxInt || got.Total() != math.MaxInt {
		t.Errorf("Times does not saturate: %+v", got)
	}
	if (Need{Addresses: -1}).FitsIn(28) || (Need{Blocks: -1}).FitsIn(16) || (Need{}).FitsIn(29) {
		t.Error("negative needs or invalid lengths fit")
	}
}

func TestNodesPerAZ(t *testing.T) {
	tests := []struct {
		nodes, azs, surge, want int
		err                     string
	}{
		{100, 3, 0, 34, ""},
		{100, 3, 1, 35, ""},
		{300, 3, 1, 101, ""},
		{1, 3, 0, 1, ""},
		{99, 3, 2, 35, ""},
		{0, 3, 1, 0, "invalid node count 0: must be at least 1"},
		{-5, 3, 1, 0, "invalid node count -5: must be at least 1"},
		{10, 0, 1, 0, "invalid AZ count 0: must be at least 1"},
		{10, 3, -1, 0, "invalid surge -1: must be 0 or more nodes per AZ"},
	}
	for _, tt := range tests {
		got, err := NodesPerAZ(tt.nodes, tt.azs, tt.surge)
		if tt.err != "" {
			if err == nil || err.Error() != tt.err {
				t.Errorf("NodesPerAZ(%d, %d, %d) error %v, want %q", tt.nodes, tt.azs, tt.surge, err, tt.err)
			}
			continue
		}
		if err != nil || got != tt.want {
			t.Errorf("NodesPerAZ(%d, %d, %d) = %d, %v; want %d", tt.nodes, tt.azs, tt.surge, got, err, tt.want)
		}
	}
}

// FuzzNeed checks that the smallest subnet fits and the next smaller does not,
// and that fitting only gets easier with a larger subnet.
func FuzzNeed(f *testing.F) {
	f.Add(1020, 0)
	f.Add(34, 102)
	f.Add(0, 4094)
	f.Add(65531, 0)
	f.Fuzz(func(t *testing.T, addresses, blocks int) {
		if addresses < 0 || blocks < 0 {
			return
		}
		n := Need{Addresses: addresses, Blocks: blocks}
		for p := Smallest; p > Largest; p-- {
			if n.FitsIn(p) && !n.FitsIn(p-1) {
				t.Fatalf("%+v fits a %s but not a %s", n, p, p-1)
			}
			if n.FitsIn(p) != (n.Over(p) == 0) {
				t.Fatalf("%+v in a %s: fits %v, over by %d", n, p, n.FitsIn(p), n.Over(p))
			}
		}
		p, err := n.MinPrefixLen()
		if err != nil {
			if n.FitsIn(Largest) || n.Over(Largest) <= 0 {
				t.Fatalf("%+v: %v, yet it fits a /16", n, err)
			}
			return
		}
		if !n.FitsIn(p) || (p < Smallest && n.FitsIn(p+1)) || n.Total() > p.Usable() {
			t.Fatalf("%+v: MinPrefixLen %s is wrong", n, p)
		}
	})
}

func BenchmarkMinPrefixLen(b *testing.B) {
	for b.Loop() {
		if _, err := (Need{Addresses: 34, Blocks: 102}).MinPrefixLen(); err != nil {
			b.Fatal(err)
		}
	}
}
