package ipam

import (
	"fmt"
	"math/rand/v2"
	"testing"

	"github.com/eksnet/eksnet/internal/cni"
	"github.com/eksnet/eksnet/internal/limits"
)

// shapes returns one instance type per distinct set of facts the model reads,
// from the embedded table.
func shapes(t testing.TB) []limits.Instance {
	t.Helper()
	instance(t, "m5.large") // loads the table
	type shape struct {
		enis, ipv4, branches int
		nitro, trunk, large  bool
	}
	seen := map[shape]bool{}
	var out []limits.Instance
	for _, inst := range table.All() {
		trunk, _ := inst.SupportsTrunking()
		branches := 0
		if inst.BranchInterfaces != nil {
			branches = *inst.BranchInterfaces
		}
		k := shape{inst.MaxENIs, inst.IPv4PerENI, branches, inst.NitroOrBareMetal(), trunk, inst.VCPUs > 30}
		if !seen[k] {
			seen[k] = true
			out = append(out, inst)
		}
	}
	return out
}

func pick[T any](r *rand.Rand, values ...T) T { return values[r.IntN(len(values))] }

func randomSettings(r *rand.Rand) setup {
	s := setup{Config: cni.Config{
		Version:          cni.LatestVersion,
		WarmENITarget:    pick(r, 0, 1, 1, 1, 2, 3),
		WarmIPTarget:     pick(r, 0, 0, 0, 0, 1, 2, 5, 16, 30, 64),
		MinimumIPTarget:  pick(r, 0, 0, 0, 0, 1, 10, 17, 40, 120, 300),
		WarmPrefixTarget: pick(r, 0, 1, 1, 1, 2, 4, 10),
		PrefixDelegation: r.IntN(2) == 0,
		CustomNetworking: r.IntN(4) == 0,
		MaxENI:           pick(r, 0, 0, 0, 1, 2, 3, 5),
	}}
	if r.IntN(4) == 0 {
		s.SecurityGroupsForPods = true
		s.SGPods = pick(r, 0, 0, 1, 3)
	}
	return s
}

// kubeletMaxPods picks a max pods for the kubelet: the ENI limit, the
// recommended cap, or something else a user might set.
func kubeletMaxPods(r *rand.Rand, inst limits.Instance, d Demand) int {
	perSlot := 1
	if d.Mode == cni.ModePrefixDelegation {
		perSlot = cni.AddressesPerPrefix
	}
	eniLimited := d.PodENIs*d.SlotsPerENI*perSlot + 2
	capped := 110
	if inst.VCPUs > 30 {
		capped = 250
	}
	return pick(r, eniLimited, min(eniLimited, capped), max(1, min(eniLimited, capped)-r.IntN(20)), 110, 1+r.IntN(250))
}

func simInputs(inst limits.Instance, s setup, d Demand) (slots, maxENI int, prefix, trunk bool) {
	maxENI = inst.MaxENIs
	if s.MaxENI >= 1 && s.MaxENI < maxENI {
		maxENI = s.MaxENI
	}
	return d.SlotsPerENI, maxENI, d.Mode == cni.ModePrefixDelegation, d.TrunkENI
}

func poolUnitsOf(d Demand) int {
	if d.Mode == cni.ModePrefixDelegation {
		return d.Prefixes
	}
	return d.PoolAddresses
}

// TestClosedFormEqualsSimulation grows nodes pod by pod through the port of
// ipamd's decisions (sim_test.go) and checks, at every pod count, that the
// closed form gives the same pool, ENIs and unaddressed pods (docs/node-addresses.md: the
// closed forms were checked against a step-by-step port).
func TestClosedFormEqualsSimulation(t *testing.T) {
	all := shapes(t)
	cases := 600
	if testing.Short() {
		cases = 150
	}
	r := rand.New(rand.NewPCG(5, 28))
	checked := 0
	for range cases {
		inst, s := pick(r, all...), randomSettings(r)
		d0, err := demand(inst, s, 1000, 0)
		if err != nil {
			continue // settings this type cannot run (SG pods without a trunk ...)
		}
		maxPods := kubeletMaxPods(r, inst, d0)
		if maxPods < s.SGPods {
			continue
		}
		slots, maxENI, prefix, trunk := simInputs(inst, s, d0)
		name := fmt.Sprintf("%s %+v max pods %d", inst.Name, s, maxPods)
		grow(slots, maxENI, maxPods, s, prefix, trunk, maxPods-s.SGPods, nil, func(st simState) {
			d, err := demand(inst, s, maxPods, st.pods)
			if err != nil {
				t.Fatalf("%s, %d pods: %v", name, st.pods, err)
			}
			checked++
			if worstCaseCounted(s, d) {
				// Packed pods ask for the fewest /28s: at most the worst case.
				if st.units > poolUnitsOf(d) {
					t.Fatalf("%s, %d pods: packed simulation pool %d above the worst case %d", name, st.pods, st.units, poolUnitsOf(d))
				}
				return
			}
			if poolUnitsOf(d) != st.units || d.ENIs != st.enis || d.PodsWithoutAddress != st.waiting {
				t.Fatalf("%s, %d pods: closed form pool %d, ENIs %d, unaddressed %d; simulation %d, %d, %d\n%v",
					name, st.pods, poolUnitsOf(d), d.ENIs, d.PodsWithoutAddress, st.units, st.enis, st.waiting, d.Explain())
			}
		})
	}
	t.Logf("%d pod counts checked", checked)
}

// worstCaseCounted reports that d counts the worst case over pod
// placements (prefix mode, WARM_PREFIX_TARGET >= 2, no warm IP target).
func worstCaseCounted(s setup, d Demand) bool {
	return d.Mode == cni.ModePrefixDelegation && !s.WarmIPTargets() && s.WarmPrefixTarget >= 2
}

// TestRandomPlacement places pods at random, as ipamd's map iteration does.
// The pool is the same, except that in prefix mode WARM_PREFIX_TARGET >= 2
// asks for more /28s when pods leave none fully free: the closed form
// counts the worst case, so the simulation never exceeds it.
func TestRandomPlacement(t *testing.T) {
	all := shapes(t)
	cases := 250
	if testing.Short() {
		cases = 60
	}
	r := rand.New(rand.NewPCG(7, 16))
	for range cases {
		inst, s := pick(r, all...), randomSettings(r)
		d0, err := demand(inst, s, 1000, 0)
		if err != nil {
			continue
		}
		maxPods := kubeletMaxPods(r, inst, d0)
		if maxPods < s.SGPods {
			continue
		}
		slots, maxENI, prefix, trunk := simInputs(inst, s, d0)
		name := fmt.Sprintf("%s %+v max pods %d", inst.Name, s, maxPods)
		grow(slots, maxENI, maxPods, s, prefix, trunk, maxPods-s.SGPods, rand.New(rand.NewPCG(r.Uint64(), 1)), func(st simState) {
			d, err := demand(inst, s, maxPods, st.pods)
			if err != nil {
				t.Fatalf("%s, %d pods: %v", name, st.pods, err)
			}
			if worstCaseCounted(s, d) {
				if st.units > poolUnitsOf(d) {
					t.Fatalf("%s, %d pods at random: simulation pool %d above the worst case %d\n%v", name, st.pods, st.units, poolUnitsOf(d), d.Explain())
				}
				return
			}
			if st.units != poolUnitsOf(d) {
				t.Fatalf("%s, %d pods at random: simulation pool %d, closed form %d\n%v", name, st.pods, st.units, poolUnitsOf(d), d.Explain())
			}
		})
	}
}

// TestWorstCaseIsReached runs ipamd's decisions with pods placed at random,
// and packed then spread from every pod count on, and checks that the most
// any run reaches is the worst case the closed form counts: it is neither
// above nor below what ipamd can do.
func TestWorstCaseIsReached(t *testing.T) {
	for _, tt := range []struct {
		inst               string
		wpt, maxPods, pods int
	}{
		{"m5.large", 2, 110, 20},
		{"m5.large", 2, 112, 110},
		{"m5.xlarge", 3, 110, 40},
		{"c5.4xlarge", 4, 250, 70},
	} {
		inst := instance(t, tt.inst)
		s := with(func(s *setup) { s.PrefixDelegation, s.WarmPrefixTarget = true, tt.wpt })
		d, err := demand(inst, s, tt.maxPods, tt.pods)
		if err != nil {
			t.Fatal(err)
		}
		slots, maxENI, prefix, trunk := simInputs(inst, s, d)
		most := 0
		atEnd := func(st simState) {
			if st.pods == tt.pods {
				most = max(most, st.units)
			}
		}
		for seed := range uint64(50) {
			grow(slots, maxENI, tt.maxPods, s, prefix, trunk, tt.pods, rand.New(rand.NewPCG(seed, 3)), atEnd)
		}
		for from := 0; from <= tt.pods; from++ {
			growSpreading(slots, maxENI, tt.maxPods, s, prefix, trunk, tt.pods, from, atEnd)
		}
		if most != d.Prefixes {
			t.Errorf("%s WARM_PREFIX_TARGET=%d, %d pods: random runs reach at most %d /28s, closed form %d", tt.inst, tt.wpt, tt.pods, most, d.Prefixes)
		}
	}
}
