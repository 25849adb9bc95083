package ipam

import (
	"encoding/binary"
	"math/rand/v2"

	"github.com/eksnet/eksnet/internal/cni"
)

// This file is a step-by-step port of ipamd's pool decisions (amazon-vpc-cni-k8s
// v1.23.1, pkg/ipamd/ipamd.go and pkg/ipamd/datastore), written independently
// of the closed form in demand.go so that one checks the other. Function names
// follow ipamd's. Only the decisions are ported: there are no timers, no EC2
// errors, no cooldown (freed IPs still count as free, docs/node-addresses.md).

// simENI is one attached ENI. units holds, per secondary IP (or per /28 in
// prefix mode), the number of pods assigned to it.
type simENI struct {
	primary, trunk bool
	young          bool // attached in this pass: younger than minENILifeTime, never freed
	units          []int
}

func (e *simENI) assigned() int {
	n := 0
	for _, u := range e.units {
		n += u
	}
	return n
}

// simNode is ipamd's view of one node.
type simNode struct {
	// configuration
	slots, maxENI, maxPods             int
	warmENI, warmIP, minIP, warmPrefix int
	prefix, custom                     bool
	perUnit                            int // addresses per unit: 1, or 16 with prefixes
	random                             *rand.Rand
	spreadFrom                         int // from this many placed pods on, place on the emptiest unit (-1: never)
	placed                             int
	enis                               []*simENI
	pending                            int // pods waiting for an address
}

func newSimNode(slots, maxENI, maxPods int, s setup, prefix, trunk bool, random *rand.Rand) *simNode {
	n := &simNode{
		slots: slots, maxENI: maxENI, maxPods: maxPods,
		warmENI: s.WarmENITarget, warmIP: s.WarmIPTarget, minIP: s.MinimumIPTarget, warmPrefix: s.WarmPrefixTarget,
		prefix: prefix, custom: s.CustomNetworking, perUnit: 1, random: random, spreadFrom: -1,
		enis: []*simENI{{primary: true}},
	}
	if prefix {
		n.perUnit = cni.AddressesPerPrefix
	}
	if trunk {
		n.enis = append(n.enis, &simENI{trunk: true})
	}
	return n
}

// stats: DataStoreStats in addresses.
func (n *simNode) stats() (total, assigned int) {
	for _, e := range n.enis {
		total += len(e.units) * n.perUnit
		assigned += e.assigned()
	}
	return total, assigned
}

func (n *simNode) available() int {
	total, assigned := n.stats()
	return total - assigned
}

// freePrefixes: GetFreePrefixes, units with no pod.
func (n *simNode) freePrefixes() int {
	free := 0
	for _, e := range n.enis {
		for _, u := range e.units {
			if u == 0 {
				free++
			}
		}
	}
	return free
}

func (n *simNode) totalPrefixes() int {
	total := 0
	for _, e := range n.enis {
		total += len(e.units)
	}
	return total
}

func (n *simNode) warmIPTargetsDefined() bool { return n.warmIP >= 1 || n.minIP >= 1 }

// datastoreTargetState: short and over the warm IP targets, in IPs, or in
// prefixes with prefix delegation.
func (n *simNode) datastoreTargetState() (short, over int, enabled bool) {
	if !n.warmIPTargetsDefined() {
		return 0, 0, false
	}
	total, assigned := n.stats()
	available := total - assigned
	short = max(n.warmIP-available, 0)
	short = max(short, n.minIP-total)
	over = max(available-n.warmIP, 0)
	over = max(min(over, total-n.minIP), 0)
	if n.prefix {
		neededForWarmIP := divCeil(assigned+n.warmIP, cni.AddressesPerPrefix)
		neededForMinIP := divCeil(n.minIP, cni.AddressesPerPrefix)
		prefixes := n.totalPrefixes()
		overPrefix := max(min(n.freePrefixes(), prefixes-neededForWarmIP), 0)
		overPrefix = max(min(overPrefix, prefixes-neededForMinIP), 0)
		short = divCeil(short, cni.AddressesPerPrefix)
		over = overPrefix
	}
	return short, over, true
}

// datastorePrefixTargetState: prefixes short of WARM_PREFIX_TARGET.
func (n *simNode) datastorePrefixTargetState() (short int, enabled bool) {
	if !n.prefix {
		return 0, false
	}
	return max(n.warmPrefix-n.freePrefixes(), 0), true
}

func (n *simNode) isDatastorePoolTooLow() bool {
	total, _ := n.stats()
	if total >= n.maxPods {
		return false
	}
	if short, _, ok := n.datastoreTargetState(); ok {
		return short > 0
	}
	available := n.available()
	warmTarget, perChunk := n.warmENI, n.slots
	if n.prefix {
		warmTarget, perChunk = n.warmPrefix, cni.AddressesPerPrefix
	}
	return available < perChunk*warmTarget || (warmTarget == 0 && available == 0)
}

func (n *simNode) isDatastorePoolTooHigh() bool {
	if _, over, ok := n.datastoreTargetState(); ok {
		return over > 0
	}
	if n.prefix {
		return n.freePrefixes() > n.warmPrefix
	}
	return false // secondary IPs are not given back without warm IP targets
}

// getPrefixesNeeded: at least one; the warm IP shortfall, else the warm prefix one.
func (n *simNode) getPrefixesNeeded() int {
	toAllocate := 1
	short, _, warmIP := n.datastoreTargetState()
	shortPrefixes, warmPrefix := n.datastorePrefixTargetState()
	if warmIP {
		toAllocate = max(toAllocate, short)
	} else if warmPrefix {
		toAllocate = max(toAllocate, shortPrefixes)
	}
	return toAllocate
}

// allocatable: GetAllocatableENIs, ENIs that may take more units.
func (n *simNode) allocatable() []*simENI {
	var out []*simENI
	for _, e := range n.enis {
		if e.trunk || (e.primary && n.custom) || len(e.units) >= n.slots {
			continue
		}
		out = append(out, e)
	}
	return out
}

// tryAssignCidrs: tryAssignIPs or tryAssignPrefixes, on the first ENI with room.
func (n *simNode) tryAssignCidrs() bool {
	var toAllocate int
	if n.prefix {
		toAllocate = n.getPrefixesNeeded()
	} else {
		short, _, warm := n.datastoreTargetState()
		if warm && short == 0 {
			return false
		}
		toAllocate = n.slots
		if warm {
			toAllocate = short
		}
	}
	for _, e := range n.allocatable() {
		add := min(n.slots-len(e.units), toAllocate)
		e.units = append(e.units, make([]int, add)...)
		return true
	}
	return false
}

// getENIResourcesToAllocate: what a new ENI comes with.
func (n *simNode) getENIResourcesToAllocate() int {
	if n.prefix {
		return n.getPrefixesNeeded()
	}
	if short, _, warm := n.datastoreTargetState(); warm {
		return min(short, n.slots)
	}
	return n.slots
}

func (n *simNode) tryAllocateENI() bool {
	if len(n.enis) >= n.maxENI {
		return false
	}
	resources := min(n.getENIResourcesToAllocate(), n.slots)
	if resources <= 0 {
		return false
	}
	n.enis = append(n.enis, &simENI{young: true, units: make([]int, resources)})
	return true
}

func (n *simNode) increaseDatastorePool() {
	if !n.tryAssignCidrs() {
		n.tryAllocateENI()
	}
}

// decreaseDatastorePool gives back free units, last ENI first.
func (n *simNode) decreaseDatastorePool() {
	var over int
	if _, o, warm := n.datastoreTargetState(); warm {
		over = o
	} else if n.prefix {
		over = max(n.freePrefixes()-n.warmPrefix, 0)
	}
	for i := len(n.enis) - 1; i >= 0 && over > 0; i-- {
		e := n.enis[i]
		kept := e.units[:0]
		for _, u := range e.units {
			if u == 0 && over > 0 {
				over--
				continue
			}
			kept = append(kept, u)
		}
		e.units = kept
	}
}

func (n *simNode) shouldRemoveExtraENIs() bool {
	warmTarget := n.warmENI + 1
	if n.prefix {
		warmTarget = n.warmPrefix + 1
	}
	return n.available() >= warmTarget*n.slots
}

// tryFreeENI: RemoveUnusedENIFromStore, getDeletableENI's checks.
func (n *simNode) tryFreeENI() {
	for i := len(n.enis) - 1; i >= 0; i-- {
		e := n.enis[i]
		if e.primary || e.trunk || e.young || e.assigned() > 0 {
			continue
		}
		if n.warmIP != 0 && n.otherWarmIPs(e) < n.warmIP {
			continue
		}
		if n.minIP != 0 && n.otherIPs(e) < n.minIP {
			continue
		}
		if n.prefix && n.warmPrefix != 0 && n.otherFreePrefixes(e) < n.warmPrefix {
			continue
		}
		n.enis = append(n.enis[:i], n.enis[i+1:]...)
		return
	}
}

func (n *simNode) otherWarmIPs(skip *simENI) int {
	warm := 0
	for _, e := range n.enis {
		if e != skip {
			warm += len(e.units)*n.perUnit - e.assigned()
		}
	}
	return warm
}

func (n *simNode) otherIPs(skip *simENI) int {
	total := 0
	for _, e := range n.enis {
		if e != skip {
			total += len(e.units) * n.perUnit
		}
	}
	return total
}

func (n *simNode) otherFreePrefixes(skip *simENI) int {
	free := 0
	for _, e := range n.enis {
		if e == skip {
			continue
		}
		for _, u := range e.units {
			if u == 0 {
				free++
			}
		}
	}
	return free
}

// updateIPPoolIfRequired is one pass of ipamd's reconcile loop.
func (n *simNode) updateIPPoolIfRequired() {
	for _, e := range n.enis {
		e.young = false // ENIs of earlier passes have aged (ipamd's passes are seconds apart, the lifetime a minute: a simplification)
	}
	if n.isDatastorePoolTooLow() {
		n.increaseDatastorePool()
	} else if n.isDatastorePoolTooHigh() {
		n.decreaseDatastorePool()
	}
	if n.shouldRemoveExtraENIs() {
		n.tryFreeENI()
	}
}

// assignPending gives waiting pods an address: the first free one in ENI
// order (packed), or a random one when the node has a random source, as
// ipamd's map iteration does.
func (n *simNode) assignPending() {
	for n.pending > 0 {
		type slot struct{ eni, unit int }
		var free []slot
		for i, e := range n.enis {
			for j, u := range e.units {
				if u < n.perUnit {
					free = append(free, slot{i, j})
				}
			}
		}
		if len(free) == 0 {
			return
		}
		pick := free[0]
		switch {
		case n.spreadFrom >= 0 && n.placed >= n.spreadFrom:
			for _, f := range free {
				if n.enis[f.eni].units[f.unit] < n.enis[pick.eni].units[pick.unit] {
					pick = f
				}
			}
		case n.random != nil:
			pick = free[n.random.IntN(len(free))]
		}
		n.enis[pick.eni].units[pick.unit]++
		n.pending--
		n.placed++
	}
}

// key encodes the node's state: per ENI its units and their pods (a unit
// holds at most 16 pods, an ENI at most a few dozen units), then the waiting pods.
func (n *simNode) key() string {
	b := make([]byte, 0, 64)
	for _, e := range n.enis {
		b = append(b, byte(len(e.units)))
		for _, u := range e.units {
			b = append(b, byte(u))
		}
	}
	return string(binary.AppendUvarint(b, uint64(n.pending)))
}

// settle runs the reconcile loop until the node repeats a state, and returns
// the peak of the cycle it settles in: a node that flaps between two states
// (WARM_ENI_TARGET=0 exactly at an ENI boundary) holds the higher one at times.
func (n *simNode) settle() (peakUnits, peakENIs int) {
	seen := map[string]int{}
	var history [][2]int
	for step := 0; ; step++ {
		n.assignPending()
		k := n.key()
		if first, ok := seen[k]; ok {
			for _, h := range history[first:] {
				peakUnits, peakENIs = max(peakUnits, h[0]), max(peakENIs, h[1])
			}
			return peakUnits, peakENIs
		}
		seen[k] = step
		history = append(history, [2]int{n.totalPrefixes(), len(n.enis)})
		n.updateIPPoolIfRequired()
		if step > 10000 {
			panic("simulation does not settle")
		}
	}
}

// simState is what the simulation reports after the node settles.
type simState struct{ pods, units, enis, waiting int }

// grow starts a node with no pods and adds pods one at a time up to pods,
// settling after each, and reports every settled state.
func grow(slots, maxENI, maxPods int, s setup, prefix, trunk bool, pods int, random *rand.Rand, report func(simState)) {
	growPlaced(newSimNode(slots, maxENI, maxPods, s, prefix, trunk, random), pods, report)
}

// growSpreading is grow with the first spreadFrom pods packed and the rest
// spread over the emptiest units, a placement ipamd's random order can take.
func growSpreading(slots, maxENI, maxPods int, s setup, prefix, trunk bool, pods, spreadFrom int, report func(simState)) {
	n := newSimNode(slots, maxENI, maxPods, s, prefix, trunk, nil)
	n.spreadFrom = spreadFrom
	growPlaced(n, pods, report)
}

func growPlaced(n *simNode, pods int, report func(simState)) {
	units, enis := n.settle()
	report(simState{0, units, enis, n.pending})
	for p := 1; p <= pods; p++ {
		n.pending++
		units, enis = n.settle()
		report(simState{p, units, enis, n.pending})
	}
}

func divCeil(x, y int) int { return (x + y - 1) / y }
