package plan

import (
	"fmt"
	"slices"

	"github.com/eksnet/eksnet/internal/capacity"
	"github.com/eksnet/eksnet/internal/cni"
	"github.com/eksnet/eksnet/internal/vpc"
)

// Defaults of a plan file beside those of the capacity engine (surge,
// headroom: capacity.DefaultSurge, capacity.DefaultHeadroomPercent) and of
// the CNI (cni.DefaultConfig, applied as the file is decoded).
const (
	DefaultPublicBits  = 24 // a public subnet per AZ for load balancers
	DefaultClusterBits = 28 // a dedicated /28 per AZ for the control plane's ENIs (docs/vpc-rules.md)
	Auto               = "auto"
	AmazonIPv6         = "amazon" // vpc.ipv6CIDR: the /56 Amazon provides
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
	if c := &f.CNI; c.CustomNetworking && c.ENIConfigLabel == "" {
		c.ENIConfigLabel = cni.DefaultENIConfigLabel
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
	if f.Layout == "" {
		f.Layout = LayoutAligned
	}
	if f.Surge == nil {
		f.Surge = ptr(capacity.DefaultSurge)
	}
	if f.Headroom == "" {
		f.Headroom = fmt.Sprintf("%d%%", capacity.DefaultHeadroomPercent)
	}
	if f.Subnets.Public == nil {
		f.Subnets.Public = ptr(DefaultPublicBits)
	}
	if f.Subnets.Cluster == nil {
		f.Subnets.Cluster = ptr(DefaultClusterBits)
	}
}

func ptr[T any](v T) *T { return &v }
