package plan

import (
	"errors"
	"fmt"
	"net/netip"
	"strconv"
	"testing"

	"github.com/eksnet/eksnet/internal/capacity"
	"github.com/eksnet/eksnet/internal/cni"
)

// TestPlanAgreesWithSubnetSize: one node group planned with `eksnet plan`
// and sized with `eksnet subnet size` (capacity.Size) gets the same
// addresses now and at the future size and the same recommended prefix per
// AZ and role, over a grid of types, node counts, AZ counts and CNI modes.
func TestPlanAgreesWithSubnetSize(t *testing.T) {
	table := embedded(t)
	type mode struct {
		name                       string
		prefix, custom, discovered bool
	}
	modes := []mode{{"secondary-ip", false, false, false}, {"prefix", true, false, false}, {"custom", false, true, false}, {"custom+prefix", true, true, false},
		{"discovered", false, false, true}, {"discovered+prefix", true, false, true}}
	allAZs := []string{"us-west-2a", "us-west-2b", "us-west-2c", "us-west-2d"}
	compared, discoveredSplits := 0, 0
	for _, typ := range []string{"m5.large", "m5.xlarge", "t3.medium", "c5.4xlarge", "m4.xlarge", "c5.18xlarge"} {
		inst, err := table.Lookup(typ)
		if err != nil {
			t.Fatal(err)
		}
		for _, nodes := range []int{1, 7, 40, 81, 200, 1000} {
			for _, azCount := range []int{2, 3, 4} {
				for _, m := range modes {
					if m.prefix && !inst.NitroOrBareMetal() {
						continue // subnet size refuses a named type that falls back
					}
					name := fmt.Sprintf("%s %d nodes %d AZs %s", typ, nodes, azCount, m.name)
					req := capacity.NewRequest(inst, nodes)
					req.AZs = azCount
					req.FutureNodes = nodes * 2
					req.CNI.PrefixDelegation, req.CNI.CustomNetworking, req.CNI.DiscoveredSubnets = m.prefix, m.custom, m.discovered
					sized, err := capacity.Size(req)
					if err != nil {
						t.Fatalf("%s: subnet size: %v", name, err)
					}

					f := File{
						Region: "us-west-2", AZs: allAZs[:azCount],
						VPC: VPC{CIDRs: []string{"10.0.0.0/16", "10.1.0.0/16", "10.2.0.0/16", "10.3.0.0/16"}},
						CNI: CNI{Config: cni.DefaultConfig()},
						NodeGroups: []NodeGroup{{
							Name: "g", InstanceTypes: []string{typ}, Nodes: nodes, FutureNodes: nodes * 2,
						}},
						Subnets: Subnets{Public: ptr(0)},
					}
					f.CNI.PrefixDelegation, f.CNI.CustomNetworking = m.prefix, m.custom
					switch {
					case m.custom:
						f.CNI.SecondaryCIDRs = []string{"100.64.0.0/16", "100.65.0.0/16", "100.66.0.0/16", "100.67.0.0/16"}
						f.VPC.CIDRs = f.VPC.CIDRs[:1]
					case m.discovered: // node subnets keep the primary ENIs' pods: two VPC blocks
						f.CNI.SecondaryCIDRs = []string{"100.64.0.0/16", "100.65.0.0/16", "100.66.0.0/16", "100.67.0.0/16", "100.68.0.0/16", "100.69.0.0/16", "100.70.0.0/16", "100.71.0.0/16"}
						f.VPC.CIDRs, f.VPC.CIDRBlockQuota = f.VPC.CIDRs[:2], 10
					}
					Default(&f)
					spec, err := Validate(f)
					if err != nil {
						t.Fatalf("%s: %v", name, err)
					}
					res, err := Build(spec, table)
					var nofit *NoFitError
					if errors.As(err, &nofit) {
						// The plan carves every AZ's subnets from the blocks given, which
						// may not hold what one /16 per AZ would; nothing to compare.
						continue
					}
					if err != nil {
						t.Fatalf("%s: plan: %v", name, err)
					}
					if !sized.Fits {
						t.Fatalf("%s: plan laid out what subnet size says does not fit", name)
					}
					for _, sub := range res.Subnets {
						if sub.Role != RoleNode && sub.Role != RolePod {
							continue
						}
						az := sized.AZs[0]
						want := az.SubnetNeed
						if sub.Role == RolePod {
							if az.PodSubnet == nil {
								t.Fatalf("%s: plan has a pod subnet, subnet size none", name)
							}
							want = *az.PodSubnet
						}
						if sub.Role == RolePod && want.Subnets > 1 && sub.Name == sub.AZ+"-pod" {
							discoveredSplits++
						}
						got := "/" + strconv.Itoa(prefixBits(sub.CIDR))
						if sub.AddressesNeeded != want.AddressesNeeded || sub.AddressesNeededFuture != want.AddressesNeededFuture ||
							got != fmt.Sprintf("/%d", want.RecommendedPrefixLength) || sub.Nodes != az.Nodes || sub.FutureNodes != az.FutureNodes {
							t.Errorf("%s, %s %s subnet: plan %d/%d addresses on %d/%d nodes in a %s; subnet size %d/%d on %d/%d in a /%d",
								name, sub.AZ, sub.Role, sub.AddressesNeeded, sub.AddressesNeededFuture, sub.Nodes, sub.FutureNodes, got,
								want.AddressesNeeded, want.AddressesNeededFuture, az.Nodes, az.FutureNodes, want.RecommendedPrefixLength)
						}
						compared++
					}
				}
			}
		}
	}
	if compared < 500 {
		t.Errorf("only %d subnets compared", compared)
	}
	if discoveredSplits == 0 {
		t.Error("no AZ got several discovered pod subnets: the grid needs a larger cluster")
	}
	t.Logf("%d subnets compared, %d AZs with several discovered pod subnets", compared, discoveredSplits)
}

// The example: m5.large, 81 nodes, 3 AZs. Both need 870 addresses
// per AZ (27 nodes + the default surge of 2, 30 each), and with the one 25%
// headroom both recommend a /21 (1088 addresses; a /22 holds 1019).
func TestAgreementExample(t *testing.T) {
	table := embedded(t)
	inst, _ := table.Lookup("m5.large")
	sized, err := capacity.Size(capacity.NewRequest(inst, 81))
	if err != nil {
		t.Fatal(err)
	}
	f := File{
		Region: "us-west-2", AZs: []string{"us-west-2a", "us-west-2b", "us-west-2c"},
		VPC: VPC{CIDRs: []string{"10.0.0.0/16"}}, CNI: CNI{Config: cni.DefaultConfig()},
		NodeGroups: []NodeGroup{{Name: "g", InstanceTypes: []string{"m5.large"}, Nodes: 81}},
	}
	Default(&f)
	spec, err := Validate(f)
	if err != nil {
		t.Fatal(err)
	}
	res, err := Build(spec, table)
	if err != nil {
		t.Fatal(err)
	}
	if az := sized.AZs[0]; az.AddressesNeeded != 870 || az.RecommendedPrefixLength != 21 {
		t.Errorf("subnet size: %d addresses, /%d", az.AddressesNeeded, az.RecommendedPrefixLength)
	}
	for _, sub := range res.Subnets {
		if sub.Role == RoleNode && (sub.AddressesNeeded != 870 || prefixBits(sub.CIDR) != 21) {
			t.Errorf("plan %s: %d addresses in %s", sub.AZ, sub.AddressesNeeded, sub.CIDR)
		}
	}
}

func prefixBits(cidr string) int { return netip.MustParsePrefix(cidr).Bits() }
