package vpc

import (
	"math/rand/v2"
	"net/netip"
	"slices"
	"strings"
	"testing"
)

func TestReservePrefixes(t *testing.T) {
	tests := []struct {
		name   string
		subnet string
		blocks int
		taken  []netip.Prefix
		want   []string
		err    string
	}{
		{
			// 51 nodes × 7 prefixes in a /19 (512 /28s, 510 usable for
			// prefixes): 357 = 128 + 128 + 64 + 32 + 4 + 1, the largest free
			// block being a /21 once the first and last /28 are kept out.
			name: "example pod subnet", subnet: "100.64.0.0/19", blocks: 357,
			want: []string{"100.64.8.0/21", "100.64.16.0/21", "100.64.4.0/22", "100.64.2.0/23", "100.64.0.64/26", "100.64.0.16/28"},
		},
		{name: "one block", subnet: "10.0.0.0/24", blocks: 1, want: []string{"10.0.0.16/28"}},
		{name: "every free /28 of a /24", subnet: "10.0.0.0/24", blocks: 14,
			want: []string{"10.0.0.64/26", "10.0.0.128/26", "10.0.0.32/27", "10.0.0.192/27", "10.0.0.16/28", "10.0.0.224/28"}},
		{name: "around an earlier reservation", subnet: "10.0.0.0/24", blocks: 2, taken: pfxs("10.0.0.64/26"),
			want: []string{"10.0.0.32/27"}},
		{name: "zero", subnet: "10.0.0.0/24", blocks: 0},
		{name: "too many", subnet: "10.0.0.0/24", blocks: 15, err: "subnet 10.0.0.0/24 has 14 free aligned /28s outside its first and last, the reservation needs 15: 1 short"},
		{name: "a /28 subnet", subnet: "10.0.0.0/28", blocks: 1, err: "subnet 10.0.0.0/28 is too small for prefix reservations"},
		{name: "a /27 subnet has none free", subnet: "10.0.0.0/27", blocks: 1, err: "has 0 free aligned /28s"},
		{name: "negative", subnet: "10.0.0.0/24", blocks: -1, err: "must not be negative"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := ReservePrefixes(pfx(tt.subnet), tt.blocks, tt.taken)
			if tt.err != "" {
				if err == nil || !strings.Contains(err.Error(), tt.err) {
					t.Fatalf("err = %v, want %q", err, tt.err)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			var gotS []string
			for _, p := range got {
				gotS = append(gotS, p.String())
			}
			if !slices.Equal(gotS, tt.want) {
				t.Errorf("got %v, want %v", gotS, tt.want)
			}
		})
	}
}

// Property: a reservation holds exactly the /28s asked for, inside the
// subnet, aligned, clear of the first and last /28 and of earlier ones.
func TestReservePrefixesProperties(t *testing.T) {
	r := rand.New(rand.NewPCG(7, 8))
	for range 500 {
		bits := 16 + r.IntN(12)
		subnet, _ := netip.AddrFrom4([4]byte{100, 64, byte(r.IntN(256)), 0}).Prefix(bits)
		slots := int(BlockSize(bits)/16) - 2
		first := r.IntN(slots/2 + 1)
		taken, err := ReservePrefixes(subnet, first, nil)
		if err != nil {
			t.Fatalf("%s, %d blocks: %v", subnet, first, err)
		}
		second := r.IntN(slots - first + 1)
		got, err := ReservePrefixes(subnet, second, taken)
		if err != nil {
			t.Fatalf("%s, %d then %d blocks: %v", subnet, first, second, err)
		}
		count := 0
		head := netip.PrefixFrom(subnet.Addr(), 28)
		tail := netip.PrefixFrom(addrOf(addr32(subnet.Addr())+uint32(BlockSize(bits))-16), 28)
		for i, p := range got {
			count += int(BlockSize(p.Bits()) / 16)
			if p != p.Masked() || p.Bits() > 28 || !Within(p, subnet) || p.Overlaps(head) || p.Overlaps(tail) {
				t.Fatalf("%s: reservation %s misplaced", subnet, p)
			}
			for _, q := range append(slices.Clone(taken), got[:i]...) {
				if q.Overlaps(p) {
					t.Fatalf("%s: %s overlaps %s", subnet, p, q)
				}
			}
		}
		if count != second {
			t.Fatalf("%s: reserved %d /28s, want %d", subnet, count, second)
		}
	}
}
