package plan

import (
	"errors"
	"fmt"

	"github.com/eksnet/eksnet/internal/cni"
	"github.com/eksnet/eksnet/internal/strictyaml"
)

// APIVersion and Kind may head a plan file; both are optional.
const (
	APIVersion = "eksnet.io/v1alpha1"
	Kind       = "Plan"
)

// File is a plan file as written: strings for CIDRs, so that Validate can
// name the field holding a bad one.
type File struct {
	APIVersion  string      `yaml:"apiVersion"`
	Kind        string      `yaml:"kind"`
	Region      string      `yaml:"region"`
	VPC         VPC         `yaml:"vpc"`
	AZs         []string    `yaml:"azs"`
	CNI         CNI         `yaml:"cni"`
	NodeGroups  []NodeGroup `yaml:"nodeGroups"`
	Growth      string      `yaml:"growth"`   // "5%/month"
	Headroom    string      `yaml:"headroom"` // "20%"
	Surge       *int        `yaml:"surge"`    // spare nodes per AZ during rolling updates
	ServiceCIDR string      `yaml:"serviceCIDR"`
	Subnets     Subnets     `yaml:"subnets"`
	// Layout is how subnets are carved: aligned (the default), each role's
	// subnets in one aligned block that one route covers, or bestFit, each
	// subnet on its own in the smallest free block.
	Layout string `yaml:"layout"`
}

// The layouts of a plan.
const (
	LayoutAligned = "aligned"
	LayoutBestFit = "bestFit"
)

// VPC is the VPC the cluster goes into.
type VPC struct {
	ID              string           `yaml:"id"`
	CIDRs           []string         `yaml:"cidrs"` // the primary block first
	ExistingSubnets []ExistingSubnet `yaml:"existingSubnets"`
	CIDRBlockQuota  int              `yaml:"cidrBlockQuota"`
	SubnetQuota     int              `yaml:"subnetQuota"`
	// IPv6CIDR is the VPC's IPv6 block for an IPv6 cluster: a CIDR (from
	// IPAM or BYOIP), or "amazon" (the default) for the /56 Amazon provides,
	// whose addresses are known only once it is associated.
	IPv6CIDR string `yaml:"ipv6CIDR"`
	// LiveIPv6 is the IPv6 block EC2 says the VPC has (--live; MergeVPCIPv6).
	LiveIPv6 *LiveIPv6Block `yaml:"-"`
}

// LiveIPv6Block is a VPC's associated IPv6 block as EC2 reports it.
type LiveIPv6Block struct {
	CIDR           string
	AmazonProvided bool
}

// ExistingSubnet is a subnet already in the VPC. With a role it is adopted:
// the plan uses it as that role's subnet in its AZ instead of carving one.
type ExistingSubnet struct {
	CIDR string `yaml:"cidr"`
	AZ   string `yaml:"az"`
	ID   string `yaml:"id"`
	Role Role   `yaml:"role"`
	// IPv6CIDR is the subnet's IPv6 block, if it has one.
	IPv6CIDR string `yaml:"ipv6CIDR"`
	// DiscoveryTagged: the subnet carries kubernetes.io/role/cni (not 0),
	// so subnet discovery may create secondary ENIs in it (from EC2's tags).
	DiscoveryTagged bool `yaml:"-"`
	// Origin names where the subnet came from when not the plan file, for errors.
	Origin string `yaml:"-"`
}

// CNI is the VPC CNI's configuration on the nodes, decoded straight into
// the one CNI model (cni.Config: version, prefixDelegation, warmENITarget,
// ...), plus what the plan needs beside it: where pod subnets come from
// with custom networking and the ENIConfigs' security groups.
type CNI struct {
	cni.Config     `yaml:",inline"`
	SecondaryCIDR  string   `yaml:"secondaryCIDR"`  // a CIDR or "auto"
	SecondaryCIDRs []string `yaml:"secondaryCIDRs"` // several, for larger clusters
	SecurityGroups []string `yaml:"securityGroups"` // for the ENIConfigs
}

// NodeGroup is a group of nodes spread over some of the plan's AZs.
type NodeGroup struct {
	Name          string   `yaml:"name"`
	InstanceTypes []string `yaml:"instanceTypes"`
	Nodes         int      `yaml:"nodes"`
	FutureNodes   int      `yaml:"futureNodes"`
	PodsPerNode   int      `yaml:"podsPerNode"`   // default: max pods − 2, the high-water mark
	SGPodsPerNode int      `yaml:"sgPodsPerNode"` // pods with their own branch ENI
	AZs           []string `yaml:"azs"`           // default: all of the plan's
}

// Subnets sets the sizes of the subnets that do not follow the node count.
type Subnets struct {
	Public  *int `yaml:"public"`  // prefix length of each public subnet; 0: none
	Cluster *int `yaml:"cluster"` // prefix length of each cluster subnet
}

// Role is what a subnet is for.
type Role string

const (
	RoleNode    Role = "node"    // the nodes' primary ENIs (and pods, without custom networking)
	RolePod     Role = "pod"     // pods' ENIs with custom networking: the ENIConfig subnet
	RoleCluster Role = "cluster" // the EKS control plane's ENIs
	RolePublic  Role = "public"  // internet-facing load balancers
)

// Roles in the order the planner carves them.
var Roles = []Role{RoleCluster, RolePublic, RoleNode, RolePod}

// Decode reads a plan file strictly (strictyaml): YAML or JSON, keys
// spelled exactly, none unknown or given twice, one document, every value of
// its type. The CNI settings are decoded onto the shipped defaults
// (cni.DefaultConfig), so a setting left out keeps the manifest's value;
// Default fills in the rest. format is "yaml" or "json" (from the file's
// extension) and only names the format in errors.
func Decode(data []byte, format string) (File, error) {
	f := File{CNI: CNI{Config: cni.DefaultConfig()}}
	switch format {
	case "", "yaml", "yml", "json":
	default:
		return File{}, fmt.Errorf("invalid plan file format %q: want yaml or json", format)
	}
	if err := strictyaml.Decode(data, &f); err != nil {
		if errors.Is(err, strictyaml.ErrEmpty) {
			return File{}, errors.New("the plan file is empty")
		}
		return File{}, fmt.Errorf("plan file: %w", err)
	}
	return f, nil
}
