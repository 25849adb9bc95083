package ipam

import (
	"strings"
	"testing"

	"github.com/eksnet/eksnet/internal/cni"
)

// FuzzNodeDemand checks over any settings that NodeDemand never panics, never
// returns a negative count, never holds more than the ENIs can, and accounts
// for every address: node + pod subnet = pool + one primary per ENI + one per
// branch ENI (docs/node-addresses.md "Closed form").
func FuzzNodeDemand(f *testing.F) {
	f.Add(uint16(0), 1, 0, 0, 1, uint8(0), 0, 0, 29, 5)                    // m5.large-like defaults
	f.Add(uint16(1), 1, 2, 10, 1, uint8(0), 0, 0, 29, 20)                  // warm IP targets
	f.Add(uint16(2), 1, 0, 0, 1, uint8(1), 0, 0, 110, 20)                  // prefix delegation
	f.Add(uint16(3), 1, 0, 0, 1, uint8(4), 0, 3, 20, 5)                    // security groups for pods
	f.Add(uint16(4), 1, 0, 0, 1, uint8(8), 0, 0, 110, 50)                  // IPv6
	f.Add(uint16(0), 1, 0, 0, 1, uint8(17), 0, 0, 250, 248)                // discovered subnets, prefixes on two ENIs
	f.Add(uint16(0), 1, 0, 0, 1, uint8(33), 0, 0, 110, 108)                // Windows with prefixes
	f.Add(uint16(5), 0, 1<<62, 1<<62, 1<<62, uint8(3), 1, 0, 1<<62, 1<<61) // huge values
	all := shapes(f)
	f.Fuzz(func(t *testing.T, typ uint16, wet, wit, minIP, wpt int, flags uint8, maxENI, sgPods, maxPods, pods int) {
		inst := all[int(typ)%len(all)]
		s := setup{Config: cni.Config{
			WarmENITarget: wet, WarmIPTarget: wit, MinimumIPTarget: minIP, WarmPrefixTarget: wpt,
			PrefixDelegation: flags&1 != 0, CustomNetworking: flags&2 != 0,
			SecurityGroupsForPods: flags&4 != 0, MaxENI: maxENI, SubnetDiscovery: true, DiscoveredSubnets: flags&16 != 0,
		}, IPv6: flags&8 != 0, SGPods: sgPods}
		if flags&32 != 0 {
			s.OS = cni.Windows
		}
		d, err := demand(inst, s, maxPods, pods)
		if err != nil {
			if msg := err.Error(); msg == "" || strings.Contains(msg, "\n") {
				t.Fatalf("error is not one line: %q", msg)
			}
			return
		}
		for name, v := range map[string]int{
			"enis": d.ENIs, "poolENIs": d.PoolENIs, "podENIs": d.PodENIs, "poolAddresses": d.PoolAddresses,
			"prefixes": d.Prefixes, "node": d.NodeSubnetAddresses, "pod": d.PodSubnetAddresses,
			"branch": d.BranchENIs, "without": d.PodsWithoutAddress,
		} {
			if v < 0 {
				t.Fatalf("%s = %d < 0: %+v", name, v, d)
			}
		}
		perSlot := 1
		if d.Mode == cni.ModePrefixDelegation {
			perSlot = cni.AddressesPerPrefix
		}
		limit := inst.MaxENIs
		if maxENI >= 1 {
			limit = min(limit, maxENI)
		}
		if d.TrunkENI {
			limit = min(inst.MaxENIs, limit+1) // the trunk attaches beside a MAX_ENI of 1
		}
		switch {
		case d.ENIs < 1 || d.ENIs > limit:
			t.Fatalf("%d ENIs attached, allowed 1..%d", d.ENIs, limit)
		case d.PoolENIs > d.PodENIs:
			t.Fatalf("%d pool ENIs of %d for pods", d.PoolENIs, d.PodENIs)
		case d.PoolAddresses > d.PoolENIs*d.SlotsPerENI*perSlot:
			t.Fatalf("pool %d does not fit %d ENIs × %d slots × %d", d.PoolAddresses, d.PoolENIs, d.SlotsPerENI, perSlot)
		case d.NodeSubnetAddresses+d.PodSubnetAddresses != d.PoolAddresses+d.ENIs+d.BranchENIs:
			t.Fatalf("addresses %d + %d, want pool %d + ENIs %d + branch %d", d.NodeSubnetAddresses, d.PodSubnetAddresses, d.PoolAddresses, d.ENIs, d.BranchENIs)
		case d.Prefixes*cni.AddressesPerPrefix != d.PoolAddresses && d.Mode == cni.ModePrefixDelegation:
			t.Fatalf("%d prefixes for %d addresses", d.Prefixes, d.PoolAddresses)
		case d.PodsWithoutAddress > pods:
			t.Fatalf("%d of %d pods without an address", d.PodsWithoutAddress, pods)
		}
	})
}
