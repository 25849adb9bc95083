package manifest

import (
	"strings"

	"github.com/eksnet/eksnet/internal/plan"
)

// TFVars is the plan as Terraform variables (write it to a .tfvars.json
// file): snake_case names, subnets keyed by name ("AZ-ROLE", and
// "AZ-pod-N" for an AZ's N-th discovered pod subnet) for for_each, and maps
// of CIDRs by AZ for each role ("AZ-N" for the N-th).
type TFVars struct {
	VPCID                 string                  `json:"vpc_id,omitempty"`
	VPCCIDRBlocks         []string                `json:"vpc_cidr_blocks"`
	SecondaryCIDRBlocks   []string                `json:"secondary_cidr_blocks"`
	CIDRBlocksToAssociate []string                `json:"cidr_blocks_to_associate"`
	ServiceCIDR           string                  `json:"service_cidr,omitempty"` // absent for an IPv6 cluster, whose range EKS assigns
	AZs                   []string                `json:"azs"`
	Subnets               map[string]TFVarsSubnet `json:"subnets"`
	NodeSubnets           map[string]string       `json:"node_subnets"`
	PodSubnets            map[string]string       `json:"pod_subnets"`
	ClusterSubnets        map[string]string       `json:"cluster_subnets"`
	PublicSubnets         map[string]string       `json:"public_subnets"`
	PrefixReservations    []TFVarsReservation     `json:"prefix_reservations"`
	// IPv6CIDRBlock is an IPv6 cluster's VPC IPv6 block; "" while Amazon's
	// is not associated yet (the subnets' ipv6_index place them in it).
	IPv6CIDRBlock string `json:"ipv6_cidr_block,omitempty"`
}

// TFVarsSubnet is one subnet of TFVars.
type TFVarsSubnet struct {
	AZ     string            `json:"az"`
	Role   string            `json:"role"`
	CIDR   string            `json:"cidr"`
	Create bool              `json:"create"` // false for existing subnets the plan adopts
	ID     string            `json:"id,omitempty"`
	Tags   map[string]string `json:"tags"`
	// IPv6 clusters: the subnet's /64 by index in the VPC's IPv6 block,
	// and as a CIDR once the block is known.
	IPv6Index *int   `json:"ipv6_index,omitempty"`
	IPv6CIDR  string `json:"ipv6_cidr,omitempty"`
}

// TFVarsReservation is one prefix reservation of TFVars.
type TFVarsReservation struct {
	Key        string `json:"key"` // the subnet's key in subnets
	SubnetCIDR string `json:"subnet_cidr"`
	CIDR       string `json:"cidr"`
	Type       string `json:"reservation_type"`
}

// TFVarsOf lays out r as TFVars.
func TFVarsOf(r *plan.Result) TFVars {
	t := TFVars{
		VPCID: r.VPCID, VPCCIDRBlocks: r.VPCCIDRs, SecondaryCIDRBlocks: r.SecondaryCIDRs,
		CIDRBlocksToAssociate: r.CIDRBlocksToAssociate, ServiceCIDR: r.ServiceCIDR, AZs: r.AZs,
		Subnets: map[string]TFVarsSubnet{}, NodeSubnets: map[string]string{}, PodSubnets: map[string]string{},
		ClusterSubnets: map[string]string{}, PublicSubnets: map[string]string{}, PrefixReservations: []TFVarsReservation{},
	}
	byRole := map[plan.Role]map[string]string{
		plan.RoleNode: t.NodeSubnets, plan.RolePod: t.PodSubnets, plan.RoleCluster: t.ClusterSubnets, plan.RolePublic: t.PublicSubnets,
	}
	if r.IPv6 != nil {
		t.IPv6CIDRBlock = r.IPv6.VPCBlock
	}
	keys := map[string]string{}
	for _, s := range r.Subnets {
		key := s.Name
		tags := map[string]string{}
		for k, v := range s.Tags {
			tags[k] = v
		}
		t.Subnets[key] = TFVarsSubnet{AZ: s.AZ, Role: string(s.Role), CIDR: s.CIDR, Create: !s.Existing, ID: s.ID, Tags: tags, IPv6Index: s.IPv6Index, IPv6CIDR: s.IPv6CIDR}
		// By AZ; an AZ's second and later discovered pod subnets by AZ-N.
		byRole[s.Role][s.AZ+strings.TrimPrefix(s.Name, s.AZ+"-"+string(s.Role))] = s.CIDR
		keys[s.CIDR] = key
	}
	for _, res := range r.Reservations {
		t.PrefixReservations = append(t.PrefixReservations, TFVarsReservation{Key: keys[res.SubnetCIDR], SubnetCIDR: res.SubnetCIDR, CIDR: res.CIDR, Type: res.Type})
	}
	return t
}
