package capacity

import "github.com/eksnet/eksnet/internal/subnet"

// MaxDiscoveredSubnetsPerAZ bounds the pod subnets one AZ gets with subnet
// discovery: each at most a /16, so 8 hold over half a million addresses per
// AZ, far beyond any EKS cluster.
const MaxDiscoveredSubnetsPerAZ = 8

// DiscoveredShape is how many discovered pod subnets an AZ gets, and their
// size: each holds an even share of the AZ's pod demand.
type DiscoveredShape struct {
	Subnets int
	Prefix  subnet.PrefixLen
}

// DiscoveredShortfall says why no shape was found: the demand is beyond
// MaxDiscoveredSubnetsPerAZ /16s (Usable their addresses), or DrawsFrom: no
// pod subnet up to a /16 keeps more free addresses than the node subnet
// (Usable its addresses), which would then take the secondary ENIs itself.
type DiscoveredShortfall struct {
	Usable, Needed, Short, Subnets int
	DrawsFrom                      bool
}

// DiscoveredSubnets sizes an AZ's discovered pod subnets for pod, the AZ's
// pod-subnet demand, beside a node subnet of nodeUsable addresses whose
// nodes take nodeFuture at the future size: the fewest subnets, then the
// smallest size, whose even shares of the future demand fit with headroom
// and that draw every secondary ENI away from the node subnet. ipamd creates
// a secondary ENI in the candidate subnet with the most free addresses, the
// node's own subnet included (GetVpcSubnets and createENI in
// pkg/awsutils/awsutils.go), so each pod subnet must keep more free
// addresses than the node subnet both empty and at the future size; free
// addresses fall linearly with the nodes in both, so the two ends cover
// every size between (docs/node-addresses.md "Subnet discovery").
func DiscoveredSubnets(pod RoleDemand, nodeUsable int, nodeFuture subnet.Need, headroomPercent int) (DiscoveredShape, *DiscoveredShortfall) {
	for k := 1; k <= MaxDiscoveredSubnetsPerAZ; k++ {
		share := pod.Future.Share(k)
		p, err := share.Recommend(headroomPercent)
		if err != nil {
			continue
		}
		for ; p >= subnet.Largest; p-- {
			if u := p.Usable(); u > nodeUsable && u-share.Total() > nodeUsable-nodeFuture.Total() {
				return DiscoveredShape{Subnets: k, Prefix: p}, nil
			}
		}
	}
	planned := pod.Future.WithHeadroom(headroomPercent)
	k := MaxDiscoveredSubnetsPerAZ
	if over := planned.Share(k).Over(subnet.Largest); over > 0 {
		return DiscoveredShape{}, &DiscoveredShortfall{Usable: subnet.Largest.Usable() * k, Needed: planned.Total(), Short: over * k, Subnets: k}
	}
	share, largest := pod.Future.Share(k), subnet.Largest.Usable()
	short := max(nodeUsable+1-largest, (nodeUsable-nodeFuture.Total())+1-(largest-share.Total()), 1)
	return DiscoveredShape{}, &DiscoveredShortfall{Usable: nodeUsable, Needed: planned.Total(), Short: short, Subnets: k, DrawsFrom: true}
}
