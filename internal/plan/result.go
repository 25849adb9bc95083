package plan

import "github.com/eksnet/eksnet/internal/cni"

// Result is a laid-out plan: eksnet's JSON contract for `eksnet plan -o json`.
// Field names are stable; new fields may be added.
type Result struct {
	Region string `json:"region,omitempty"`
	VPCID  string `json:"vpcId,omitempty"`
	// VPCCIDRs are the VPC's blocks as given; SecondaryCIDRs the blocks pod
	// subnets are carved from with custom networking; CIDRBlocksToAssociate
	// those of them the VPC does not have yet.
	VPCCIDRs              []string `json:"vpcCIDRs"`
	SecondaryCIDRs        []string `json:"secondaryCIDRs"`
	CIDRBlocksToAssociate []string `json:"cidrBlocksToAssociate"`
	ServiceCIDR           string   `json:"serviceCIDR,omitempty"` // absent for an IPv6 cluster
	AZs                   []string `json:"azs"`
	// PodSubnets is how nodes find the pod subnets: "eniconfig" (custom
	// networking) or "discovered" (subnet discovery, tagged subnets); absent
	// when pods take their addresses from the node subnets.
	PodSubnets PodSubnetSource `json:"podSubnets,omitempty"`
	Subnets    []Subnet        `json:"subnets"`
	// OtherSubnets are the VPC's existing subnets the plan carves around
	// without using them (those with a role are in Subnets).
	OtherSubnets []OtherSubnet `json:"otherSubnets"`
	Reservations []Reservation `json:"reservations"`
	// SummaryRoutes are the aligned blocks that hold each role's subnets
	// (layout aligned): one route or firewall rule per role.
	SummaryRoutes   []SummaryRoute    `json:"summaryRoutes"`
	NodeGroups      []NodeGroupResult `json:"nodeGroups"`
	CNI             CNIResult         `json:"cni"`
	Growth          string            `json:"growth,omitempty"`
	HeadroomPercent int               `json:"headroomPercent"`
	// IPv6 is an IPv6 cluster's IPv6 layout and the IPv4 it still needs.
	IPv6     *IPv6Result `json:"ipv6,omitempty"`
	Warnings []string    `json:"warnings"`
	Notes    []string    `json:"notes"`
}

// PodSubnetSource is how nodes find their pod subnets.
type PodSubnetSource string

// The pod subnet sources of a plan.
const (
	PodSubnetsENIConfig  PodSubnetSource = "eniconfig"
	PodSubnetsDiscovered PodSubnetSource = "discovered"
)

// String names the source in sentences.
func (p PodSubnetSource) String() string {
	switch p {
	case PodSubnetsENIConfig:
		return "custom networking"
	case PodSubnetsDiscovered:
		return "subnet discovery"
	}
	return string(p)
}

// SummaryRoute is the one block a role's subnets were carved in.
type SummaryRoute struct {
	Role Role   `json:"role"`
	CIDR string `json:"cidr"`
}

// Subnet is one subnet of the plan: carved, or an existing one adopted.
type Subnet struct {
	// Name is unique in the plan: AZ-role, and AZ-role-N for an AZ's N-th
	// discovered pod subnet.
	Name     string `json:"name"`
	AZ       string `json:"az"`
	Role     Role   `json:"role"`
	CIDR     string `json:"cidr"`
	ID       string `json:"id,omitempty"` // existing subnets only
	Existing bool   `json:"existing"`     // adopted from vpc.existingSubnets, not to be created
	// UsableAddresses is the size less the 5 addresses AWS reserves.
	UsableAddresses int `json:"usableAddresses"`
	// AddressesNeeded and AddressesNeededFuture are what the AZ's nodes take
	// from this subnet at today's and at the future node count (surge
	// included); the subnet is sized for the future with headroom.
	AddressesNeeded       int `json:"addressesNeeded"`
	AddressesNeededFuture int `json:"addressesNeededFuture"`
	AddressesPlanned      int `json:"addressesPlanned"` // future with headroom
	// PrefixesNeededFuture is the aligned /28 blocks among them (prefix mode).
	PrefixesNeededFuture int `json:"prefixesNeededFuture"`
	Nodes                int `json:"nodes"`       // nodes in the AZ today, surge included
	FutureNodes          int `json:"futureNodes"` // at the future size
	// RunwayMonths is the number of whole months until today's demand,
	// growing at the plan's growth rate, outgrows the subnet; absent without
	// growth or when it is more than 10 years away.
	RunwayMonths *int              `json:"runwayMonths,omitempty"`
	Tags         map[string]string `json:"tags,omitempty"`
	// IPv6 clusters: the subnet's /64, by index in the VPC's IPv6 block
	// (IPv6CIDR once that block is known), and the /80 prefixes its future
	// nodes take, one each.
	IPv6Index                *int   `json:"ipv6Index,omitempty"`
	IPv6CIDR                 string `json:"ipv6CIDR,omitempty"`
	IPv6PrefixesNeededFuture int    `json:"ipv6PrefixesNeededFuture,omitempty"`
}

// IPv6Result is the IPv6 side of an IPv6 cluster's plan.
type IPv6Result struct {
	// VPCBlock is the VPC's IPv6 block; "" when Amazon provides it and it
	// is not associated yet (AmazonProvided).
	VPCBlock           string `json:"vpcBlock,omitempty"`
	AmazonProvided     bool   `json:"amazonProvided"`
	BlockPrefixLength  int    `json:"blockPrefixLength"`
	SubnetPrefixLength int    `json:"subnetPrefixLength"` // 64
	NodePrefixLength   int    `json:"nodePrefixLength"`   // 80
	SubnetsInBlock     int    `json:"subnetsInBlock"`
	// IPv4StillNeeded is the IPv4 an IPv6 cluster keeps needing, by role.
	IPv4StillNeeded []IPv4Need `json:"ipv4StillNeeded"`
}

// IPv4Need is IPv4 that an IPv6 cluster's subnets of a role still need.
type IPv4Need struct {
	Role Role `json:"role"`
	// AddressesFuture is the most any AZ's subnet of the role needs at the
	// future size; 0 where it depends on what else runs there.
	AddressesFuture int        `json:"addressesFuture"`
	Reason          IPv4Reason `json:"reason"`
}

// IPv4Reason says why an IPv6 cluster still needs IPv4 (docs/vpc-rules.md "IPv6").
type IPv4Reason string

const (
	// IPv4ForNodes: nodes are dual-stack; pods reach IPv4 destinations
	// through the node's IPv4 address, which the VPC CNI translates to.
	IPv4ForNodes IPv4Reason = "nodes"
	// IPv4ForControlPlane: the control plane's ENIs in the cluster subnets.
	IPv4ForControlPlane IPv4Reason = "control-plane"
	// IPv4ForEdge: NAT gateways and load balancers in the public subnets.
	IPv4ForEdge IPv4Reason = "nat-and-load-balancers"
)

// Sentence renders the reason.
func (r IPv4Reason) Sentence() string {
	switch r {
	case IPv4ForNodes:
		return "each node's primary ENI and its trunk and branch ENIs: nodes are dual-stack, and pods reach IPv4 destinations through the node's address"
	case IPv4ForControlPlane:
		return "the EKS control plane's ENIs"
	case IPv4ForEdge:
		return "NAT gateways (the nodes' IPv4 egress) and load balancers"
	}
	return string(r)
}

// OtherSubnet is an existing subnet that only takes space from the plan.
type OtherSubnet struct {
	CIDR string `json:"cidr"`
	AZ   string `json:"az,omitempty"`
	ID   string `json:"id,omitempty"`
}

// Reservation is a subnet CIDR reservation (CreateSubnetCidrReservation).
type Reservation struct {
	AZ         string `json:"az"`
	SubnetCIDR string `json:"subnetCidr"`
	CIDR       string `json:"cidr"`
	Type       string `json:"type"` // "prefix": only prefix delegation takes addresses from it
}

// NodeGroupResult is what the plan computed for one node group.
type NodeGroupResult struct {
	Name          string   `json:"name"`
	InstanceTypes []string `json:"instanceTypes"`
	// MaxPods is the kubelet value to set: the smallest over the types, one
	// ENI fewer with custom networking (docs/max-pods.md); SetBy the type giving it.
	MaxPods     int      `json:"maxPods"`
	SetBy       string   `json:"setBy"`
	PodsPerNode int      `json:"podsPerNode"`
	PerNode     PerNode  `json:"perNode"`
	Nodes       int      `json:"nodes"`
	FutureNodes int      `json:"futureNodes"`
	AZs         []string `json:"azs"`
}

// PerNode is the addresses one node takes, the most over the group's types.
type PerNode struct {
	NodeSubnetAddresses int    `json:"nodeSubnetAddresses"`
	PodSubnetAddresses  int    `json:"podSubnetAddresses"`
	Prefixes            int    `json:"prefixes"`
	SizedBy             string `json:"sizedBy"` // the type taking the most
}

// CNIResult is the aws-node configuration the plan assumes.
type CNIResult struct {
	Env            []cni.EnvVar `json:"env"`
	KubectlSetEnv  string       `json:"kubectlSetEnv"`
	ENIConfigLabel string       `json:"eniConfigLabel,omitempty"`
	// Windows nodes: the amazon-vpc-cni ConfigMap data the VPC resource
	// controller reads, and the kubectl command that sets it.
	WindowsConfigMap      map[string]string `json:"windowsConfigMap,omitempty"`
	KubectlPatchConfigMap string            `json:"kubectlPatchConfigMap,omitempty"`
}
