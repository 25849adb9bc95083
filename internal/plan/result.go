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
	ServiceCIDR           string   `json:"serviceCIDR"`
	AZs                   []string `json:"azs"`
	// PodSubnets is how nodes find the pod subnets: "eniconfig" (custom
	// networking) or "discovered" (subnet discovery, tagged subnets); absent
	// when pods take their addresses from the node subnets.
	PodSubnets   PodSubnetSource `json:"podSubnets,omitempty"`
	Subnets      []Subnet        `json:"subnets"`
	Reservations []Reservation   `json:"reservations"`
	// SummaryRoutes are the aligned blocks that hold each role's subnets
	// (layout aligned): one route or firewall rule per role.
	SummaryRoutes   []SummaryRoute    `json:"summaryRoutes"`
	NodeGroups      []NodeGroupResult `json:"nodeGroups"`
	CNI             CNIResult         `json:"cni"`
	Growth          string            `json:"growth,omitempty"`
	HeadroomPercent int               `json:"headroomPercent"`
	Warnings        []string          `json:"warnings"`
	Notes           []string          `json:"notes"`
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
}
