package plan

import (
	"slices"

	"github.com/eksnet/eksnet/internal/formula"
	"github.com/eksnet/eksnet/internal/vpc"
)

// Defaults of a plan file. The CNI's are the shipped manifest's (ipam.md).
const (
	DefaultSurge            = 1  // spare nodes per AZ while a node group rolls
	DefaultPublicBits       = 24 // a public subnet per AZ for load balancers
	DefaultClusterBits      = 28 // a dedicated /28 per AZ for the control plane's ENIs (vpc-rules.md)
	DefaultWarmENITarget    = 1
	DefaultWarmPrefixTarget = 1
	DefaultENIConfigLabel   = "topology.kubernetes.io/zone"
	DefaultHeadroom         = "20%"
	Auto                    = "auto"
)

// Default fills in what the file left out, in place. It never fails and
// never overrides a value that was given; Validate runs after it.
func Default(f *File) {
	if f.VPC.CIDRBlockQuota == 0 {
		f.VPC.CIDRBlockQuota = vpc.DefaultBlockQuota
	}
	if f.VPC.SubnetQuota == 0 {
		f.VPC.SubnetQuota = vpc.DefaultSubnetQuota
	}
	c := &f.CNI
	if c.Version == "" {
		c.Version = formula.LatestCNIVersion.String()
	}
	warmIP := c.WarmIPTarget != nil && *c.WarmIPTarget > 0 || c.MinimumIPTarget != nil && *c.MinimumIPTarget > 0
	if !warmIP {
		if c.PrefixDelegation && c.WarmPrefixTarget == nil {
			c.WarmPrefixTarget = ptr(DefaultWarmPrefixTarget)
		}
		if !c.PrefixDelegation && c.WarmENITarget == nil {
			c.WarmENITarget = ptr(DefaultWarmENITarget)
		}
	}
	if c.CustomNetworking && c.ENIConfigLabel == "" {
		c.ENIConfigLabel = DefaultENIConfigLabel
	}
	for i := range f.NodeGroups {
		g := &f.NodeGroups[i]
		if g.FutureNodes == 0 {
			g.FutureNodes = g.Nodes
		}
		if len(g.AZs) == 0 {
			g.AZs = slices.Clone(f.AZs)
		}
	}
	if f.Surge == nil {
		f.Surge = ptr(DefaultSurge)
	}
	if f.Headroom == "" {
		f.Headroom = DefaultHeadroom
	}
	if f.Subnets.Public == nil {
		f.Subnets.Public = ptr(DefaultPublicBits)
	}
	if f.Subnets.Cluster == nil {
		f.Subnets.Cluster = ptr(DefaultClusterBits)
	}
}

func ptr[T any](v T) *T { return &v }
