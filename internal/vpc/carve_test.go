package vpc

import (
	"math/rand/v2"
	"net/netip"
	"slices"
	"testing"

	"go4.org/netipx"
)

func pfx(s string) netip.Prefix { return netip.MustParsePrefix(s) }

func pfxs(ss ...string) []netip.Prefix {
	out := make([]netip.Prefix, len(ss))
	for i, s := range ss {
		out[i] = pfx(s)
	}
	return out
}

// The example VPC: 10.0.0.0/16 less 10.0.0.0/20 and 10.0.64.0/24
// leaves the free blocks 10.0.16.0/20, 10.0.32.0/19, 10.0.65.0/24,
// 10.0.66.0/23, 10.0.68.0/22, 10.0.72.0/21, 10.0.80.0/20, 10.0.96.0/19 and
// 10.0.128.0/17. Best fit takes each request from the smallest of them.
func TestAllocateBestFit(t *testing.T) {
	s, err := NewSpace(pfxs("10.0.0.0/16"), pfxs("10.0.0.0/20", "10.0.64.0/24"))
	if err != nil {
		t.Fatal(err)
	}
	if got, want := s.Free(), uint64(65536-4096-256); got != want {
		t.Fatalf("Free() = %d, want %d", got, want)
	}
	steps := []struct {
		bits int
		want string // "" when it must not fit
	}{
		{28, "10.0.65.0/28"},  // from the /24, the smallest free block
		{28, "10.0.65.16/28"}, // the /28 left over from the first split
		{24, "10.0.66.0/24"},  // the /23 is the smallest block holding a /24
		{20, "10.0.16.0/20"},  // two free /20s: the lower one
		{19, "10.0.32.0/19"},  // two free /19s: the lower one
		{17, "10.0.128.0/17"}, // only the /17 holds it
		{16, ""},              // nothing that large is left
		{19, "10.0.96.0/19"},
		{19, ""},
	}
	for i, st := range steps {
		got, ok := s.Allocate(st.bits)
		if st.want == "" {
			if ok {
				t.Errorf("step %d: Allocate(%d) = %s, want no fit", i, st.bits, got)
			}
			continue
		}
		if !ok || got != pfx(st.want) {
			t.Errorf("step %d: Allocate(%d) = %s, %v; want %s", i, st.bits, got, ok, st.want)
		}
	}
	if largest, ok := s.Largest(); !ok || largest != 20 {
		t.Errorf("Largest() = /%d, %v; want /20 (10.0.80.0/20)", largest, ok)
	}
}

func TestAllocateLowestFindsFirstFreeCGNATSlash16(t *testing.T) {
	tests := []struct {
		taken []netip.Prefix
		want  string
	}{
		{nil, "100.64.0.0/16"},
		{pfxs("100.64.0.0/16"), "100.65.0.0/16"},
		{pfxs("100.64.0.0/16", "100.65.128.0/20", "100.66.0.0/16"), "100.67.0.0/16"},
		{pfxs("100.64.0.0/11"), "100.96.0.0/16"},
	}
	for _, tt := range tests {
		s, err := NewSpace([]netip.Prefix{CGNAT}, tt.taken)
		if err != nil {
			t.Fatal(err)
		}
		if got, ok := s.AllocateLowest(16); !ok || got != pfx(tt.want) {
			t.Errorf("taken %v: AllocateLowest(16) = %s, %v; want %s", tt.taken, got, ok, tt.want)
		}
	}
	full, _ := NewSpace([]netip.Prefix{CGNAT}, []netip.Prefix{CGNAT})
	if got, ok := full.AllocateLowest(16); ok {
		t.Errorf("full space gave %s", got)
	}
}

func TestNewSpaceRejectsIPv6(t *testing.T) {
	if _, err := NewSpace(pfxs("2001:db8::/56"), nil); err == nil {
		t.Error("IPv6 block accepted")
	}
	if _, err := NewSpace(pfxs("10.0.0.0/16"), pfxs("2001:db8::/64")); err == nil {
		t.Error("IPv6 subnet accepted")
	}
}

func TestFreeBlocksAndClone(t *testing.T) {
	s, _ := NewSpace(pfxs("10.0.0.0/24"), pfxs("10.0.0.0/28", "10.0.0.240/28"))
	if got := s.FreeBlocks(28); got != 14 {
		t.Errorf("FreeBlocks(28) = %d, want 14", got)
	}
	if got := s.FreeBlocks(26); got != 2 { // 10.0.0.64/26 and 10.0.0.128/26
		t.Errorf("FreeBlocks(26) = %d, want 2", got)
	}
	s.Allocate(26) // 10.0.0.64/26, four /28s
	if got := s.FreeBlocks(28); got != 10 {
		t.Errorf("after a /26: FreeBlocks(28) = %d, want 10", got)
	}
}

// referenceBestFit is the allocator written the slow, obvious way with
// netipx: recompute the free set's CIDR cover, take the smallest block that
// holds the request (lowest on a tie), and its first /bits.
func referenceBestFit(free *netipx.IPSet, bits int) (netip.Prefix, *netipx.IPSet, bool) {
	var best netip.Prefix
	for _, p := range free.Prefixes() {
		if p.Bits() > bits {
			continue
		}
		if !best.IsValid() || p.Bits() > best.Bits() || p.Bits() == best.Bits() && p.Addr().Less(best.Addr()) {
			best = p
		}
	}
	if !best.IsValid() {
		return netip.Prefix{}, free, false
	}
	got := netip.PrefixFrom(best.Addr(), bits)
	var b netipx.IPSetBuilder
	b.AddSet(free)
	b.RemovePrefix(got)
	next, _ := b.IPSet()
	return got, next, true
}

// randomVPC draws one to three blocks (/16 to /22) and some existing subnets inside them.
func randomVPC(r *rand.Rand) (blocks, existing []netip.Prefix) {
	var b netipx.IPSetBuilder
	for range 1 + r.IntN(3) {
		bits := 16 + r.IntN(7)
		p, _ := netip.AddrFrom4([4]byte{10, byte(r.IntN(256)), byte(r.IntN(256)), 0}).Prefix(bits)
		set, _ := b.IPSet()
		if set.OverlapsPrefix(p) {
			continue
		}
		blocks = append(blocks, p)
		b.AddPrefix(p)
	}
	var used netipx.IPSetBuilder
	for range r.IntN(40) {
		parent := blocks[r.IntN(len(blocks))]
		bits := parent.Bits() + 1 + r.IntN(28-parent.Bits())
		off := uint32(r.Uint32N(uint32(BlockSize(parent.Bits()))))
		p, _ := addrOf(addr32(parent.Addr()) + off).Prefix(bits)
		set, _ := used.IPSet()
		if set.OverlapsPrefix(p) {
			continue
		}
		existing = append(existing, p)
		used.AddPrefix(p)
	}
	return blocks, existing
}

// Property: the buddy allocator gives exactly the reference's answers, and
// every allocation is aligned, inside a block, clear of the existing subnets
// and of every earlier allocation; a request fails only when no free block
// is large enough.
func TestAllocateMatchesReference(t *testing.T) {
	r := rand.New(rand.NewPCG(1, 2))
	for trial := range 300 {
		blocks, existing := randomVPC(r)
		checkAgainstReference(t, trial, blocks, existing, randomRequests(r))
	}
}

func randomRequests(r *rand.Rand) []int {
	req := make([]int, 1+r.IntN(30))
	for i := range req {
		req[i] = 17 + r.IntN(12)
	}
	return req
}

func checkAgainstReference(t *testing.T, trial int, blocks, existing []netip.Prefix, requests []int) {
	t.Helper()
	s, err := NewSpace(blocks, existing)
	if err != nil {
		t.Fatal(err)
	}
	var b netipx.IPSetBuilder
	for _, p := range blocks {
		b.AddPrefix(p)
	}
	for _, p := range existing {
		b.RemovePrefix(p)
	}
	ref, _ := b.IPSet()
	taken := slices.Clone(existing)
	for i, bits := range requests {
		hadRoom := s.FreeBlocks(bits) > 0
		got, ok := s.Allocate(bits)
		want, next, wantOK := referenceBestFit(ref, bits)
		ref = next
		if ok != wantOK || got != want {
			t.Fatalf("trial %d request %d (/%d) in %v around %v: got %s %v, reference %s %v", trial, i, bits, blocks, existing, got, ok, want, wantOK)
		}
		if ok != hadRoom {
			t.Fatalf("trial %d: /%d fit=%v but free /%d blocks before: %v", trial, bits, ok, bits, hadRoom)
		}
		if !ok {
			continue
		}
		if got != got.Masked() || got.Bits() != bits {
			t.Fatalf("trial %d: %s is not an aligned /%d", trial, got, bits)
		}
		if !slices.ContainsFunc(blocks, func(p netip.Prefix) bool { return Within(got, p) }) {
			t.Fatalf("trial %d: %s lies outside %v", trial, got, blocks)
		}
		for _, p := range taken {
			if p.Overlaps(got) {
				t.Fatalf("trial %d: %s overlaps %s", trial, got, p)
			}
		}
		taken = append(taken, got)
	}
	var free uint64
	for _, p := range ref.Prefixes() {
		free += BlockSize(p.Bits())
	}
	if s.Free() != free {
		t.Fatalf("trial %d: Free() = %d, reference %d", trial, s.Free(), free)
	}
}

// Property (stability): carving a longer request list never moves the
// allocations of its prefix; the allocator never looks ahead.
func TestAllocateIsStableUnderAppendedRequests(t *testing.T) {
	r := rand.New(rand.NewPCG(3, 4))
	for range 200 {
		blocks, existing := randomVPC(r)
		req := randomRequests(r)
		cut := r.IntN(len(req) + 1)
		short, _ := NewSpace(blocks, existing)
		long, _ := NewSpace(blocks, existing)
		for i, bits := range req {
			b, okb := long.Allocate(bits)
			if i >= cut {
				continue
			}
			a, oka := short.Allocate(bits)
			if a != b || oka != okb {
				t.Fatalf("request %d moved from %s to %s when requests were appended", i, a, b)
			}
		}
	}
}

func FuzzAllocate(f *testing.F) {
	f.Add(uint64(1), uint64(2))
	f.Add(uint64(42), uint64(7))
	f.Fuzz(func(t *testing.T, a, b uint64) {
		r := rand.New(rand.NewPCG(a, b))
		blocks, existing := randomVPC(r)
		checkAgainstReference(t, 0, blocks, existing, randomRequests(r))
	})
}

// The benchmark of the issue: 1,000 subnets carved in 10.0.0.0/8 around
// 10,000 existing ones, the free list built from scratch each time.
func BenchmarkCarve1000Around10000(b *testing.B) {
	r := rand.New(rand.NewPCG(5, 6))
	existing := make([]netip.Prefix, 0, 10000)
	// One existing subnet of /22 to /28 at the start of each of 10,000
	// distinct /22s, scattered over the lower three quarters of the /8.
	for _, slot := range r.Perm(12288)[:10000] {
		base := addr32(RFC1918Ten.Addr()) + uint32(slot)<<10
		p, _ := addrOf(base).Prefix(22 + r.IntN(7))
		existing = append(existing, p)
	}
	requests := make([]int, 1000)
	for i := range requests {
		requests[i] = 20 + r.IntN(9)
	}
	b.ResetTimer()
	for b.Loop() {
		s, err := NewSpace([]netip.Prefix{RFC1918Ten}, existing)
		if err != nil {
			b.Fatal(err)
		}
		for _, bits := range requests {
			if _, ok := s.Allocate(bits); !ok {
				b.Fatal("no fit")
			}
		}
	}
}
