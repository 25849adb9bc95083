package capacity

import (
	"strings"
	"testing"

	"github.com/eksnet/eksnet/internal/subnet"
)

// FuzzSize checks over node counts, spreads, pods and growth that Size never
// panics, errors in one line, and that a plan that fits holds its demand:
// the minimum prefix fits the future demand, the next smaller does not, the
// recommended prefix is at least as large, and the future is never below now.
func FuzzSize(f *testing.F) {
	f.Add(uint8(0), 100, 3, 0, -1, "")
	f.Add(uint8(1), 60, 3, 1, 20, "40%")
	f.Add(uint8(2), 700, 3, 1, -1, "5%/month")
	f.Add(uint8(3), 1, 1, 0, 0, "+10/month")
	f.Add(uint8(0x22), 4000, 3, 2, -1, "")
	types := []string{"m5.large", "m5.xlarge", "c5.18xlarge", "t3.micro", "m4.xlarge", "p5.48xlarge"}
	f.Fuzz(func(t *testing.T, pick uint8, nodes, azs, surge, pods int, growthSpec string) {
		req := request(t, types[int(pick)%len(types)], nodes%5000, func(r *Request) {
			r.AZs, r.Surge, r.PodsPerNode = azs%8, surge%10, pods%300
			r.CNI.PrefixDelegation = pick&0x40 != 0 && r.Instance.NitroOrBareMetal()
			r.CNI.CustomNetworking = pick&0x80 != 0
			r.CNI.DiscoveredSubnets = pick&0x20 != 0
		})
		if g, err := subnet.ParseGrowth(growthSpec); err == nil {
			req.Growth = g
		}
		p, err := Size(req)
		if err != nil {
			if strings.Contains(err.Error(), "\n") {
				t.Fatalf("error spans lines: %q", err)
			}
			return
		}
		if p.FutureNodes < p.Nodes || len(p.AZs) != req.AZs {
			t.Fatalf("future %d < now %d, or %d AZs", p.FutureNodes, p.Nodes, len(p.AZs))
		}
		for _, az := range p.AZs {
			for _, n := range []*SubnetNeed{&az.SubnetNeed, az.PodSubnet} {
				if n == nil {
					continue
				}
				if n.AddressesNeededFuture < n.AddressesNeeded {
					t.Fatalf("%s subnet: future %d < now %d", n.Role, n.AddressesNeededFuture, n.AddressesNeeded)
				}
				if !n.Fits {
					if p.Fits || p.Err() == nil {
						t.Fatal("a subnet does not fit, yet the plan does")
					}
					continue
				}
				minimum := subnet.PrefixLen(n.MinimumPrefixLength)
				if !n.future.FitsIn(minimum) || (minimum < subnet.Smallest && n.future.FitsIn(minimum+1)) ||
					n.RecommendedPrefixLength > n.MinimumPrefixLength || n.UsableAddresses != subnet.PrefixLen(n.RecommendedPrefixLength).Usable() {
					t.Fatalf("%s subnet %+v", n.Role, n)
				}
			}
		}
	})
}
