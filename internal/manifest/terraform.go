package manifest

import (
	"errors"
	"fmt"
	"maps"
	"slices"
	"strconv"

	"github.com/eksnet/eksnet/internal/plan"
	"github.com/eksnet/eksnet/internal/prose"
)

// TerraformVPC is a plan as the input variables of the
// terraform-aws-modules/vpc module (its variables.tf: cidr,
// secondary_cidr_blocks, azs, private_subnets, public_subnets,
// intra_subnets, their _names and _tags, and for IPv6 enable_ipv6 or
// ipv6_cidr with each list's _ipv6_prefixes), written as
// *.auto.tfvars.json. The module maps the i-th subnet of each list to
// azs[i % len(azs)], so every list holds its subnets in the order of azs:
// node subnets first, then pod subnets, as private subnets.
type TerraformVPC struct {
	CIDR                string            `json:"cidr"`
	SecondaryCIDRBlocks []string          `json:"secondary_cidr_blocks"`
	AZs                 []string          `json:"azs"`
	PrivateSubnets      []string          `json:"private_subnets"`
	PrivateSubnetNames  []string          `json:"private_subnet_names"`
	PrivateSubnetTags   map[string]string `json:"private_subnet_tags"`
	PublicSubnets       []string          `json:"public_subnets"`
	PublicSubnetNames   []string          `json:"public_subnet_names"`
	PublicSubnetTags    map[string]string `json:"public_subnet_tags"`
	IntraSubnets        []string          `json:"intra_subnets"`
	IntraSubnetNames    []string          `json:"intra_subnet_names"`
	// An IPv6 cluster's: the Amazon-provided /56 (enable_ipv6) or a block
	// from IPAM (ipv6_cidr), each list's /64s by index in it, and IPv6
	// addresses on the subnets' new ENIs.
	EnableIPv6                *bool    `json:"enable_ipv6,omitempty"`
	IPv6CIDR                  string   `json:"ipv6_cidr,omitempty"`
	PrivateSubnetIPv6Prefixes []string `json:"private_subnet_ipv6_prefixes,omitempty"`
	PublicSubnetIPv6Prefixes  []string `json:"public_subnet_ipv6_prefixes,omitempty"`
	IntraSubnetIPv6Prefixes   []string `json:"intra_subnet_ipv6_prefixes,omitempty"`
	PrivateSubnetAssignIPv6   *bool    `json:"private_subnet_assign_ipv6_address_on_creation,omitempty"`
	PublicSubnetAssignIPv6    *bool    `json:"public_subnet_assign_ipv6_address_on_creation,omitempty"`
	IntraSubnetAssignIPv6     *bool    `json:"intra_subnet_assign_ipv6_address_on_creation,omitempty"`
}

// TerraformLeftOut is what the module's inputs cannot say, for the caller
// to tell the user: the prefix reservations, which are not module inputs,
// and whether the node and pod subnets, both private, share one set of tags
// (the module tags every private subnet alike).
type TerraformLeftOut struct {
	Reservations      []plan.Reservation
	PrivateTagsShared bool
	// IPv6FromIPAM: the VPC's IPv6 block comes from an IPAM pool, whose ID
	// (ipv6_ipam_pool_id) the plan does not know.
	IPv6FromIPAM bool
}

// TerraformVPCOf maps a plan to the module's inputs. The module creates the
// VPC and every subnet, so a plan that adopts an existing VPC or subnets is
// refused (-o tfvars describes those). An AZ's several discovered pod
// subnets are listed round by round, each round in the order of azs, which
// the module's index-to-AZ mapping needs; every AZ must have as many.
func TerraformVPCOf(r *plan.Result) (TerraformVPC, TerraformLeftOut, error) {
	t := TerraformVPC{
		SecondaryCIDRBlocks: []string{}, AZs: slices.Clone(r.AZs),
		PrivateSubnets: []string{}, PrivateSubnetNames: []string{}, PrivateSubnetTags: map[string]string{},
		PublicSubnets: []string{}, PublicSubnetNames: []string{}, PublicSubnetTags: map[string]string{},
		IntraSubnets: []string{}, IntraSubnetNames: []string{},
	}
	var left TerraformLeftOut
	var existing []string
	for _, s := range r.Subnets {
		if s.Existing {
			existing = append(existing, s.CIDR)
		}
	}
	switch {
	case r.VPCID != "" || len(existing) > 0:
		what := "vpc.id " + r.VPCID
		if len(existing) > 0 {
			what = "existing subnets " + prose.JoinAnd(existing)
		}
		return t, left, fmt.Errorf("-o terraform writes terraform-aws-modules/vpc inputs, and that module creates the VPC and all its subnets; the plan adopts %s: use -o tfvars", what)
	case len(r.VPCCIDRs) == 0:
		return t, left, errors.New("-o terraform: the plan has no VPC CIDR")
	}
	t.CIDR = r.VPCCIDRs[0]
	for _, c := range append(slices.Clone(r.VPCCIDRs[1:]), r.SecondaryCIDRs...) {
		if !slices.Contains(t.SecondaryCIDRBlocks, c) {
			t.SecondaryCIDRBlocks = append(t.SecondaryCIDRBlocks, c)
		}
	}
	byRole := map[plan.Role]map[string][]plan.Subnet{}
	for _, s := range r.Subnets {
		if byRole[s.Role] == nil {
			byRole[s.Role] = map[string][]plan.Subnet{}
		}
		byRole[s.Role][s.AZ] = append(byRole[s.Role][s.AZ], s)
	}
	add := func(role plan.Role, cidrs, names, ipv6 *[]string, tags map[string]string) error {
		subnets := byRole[role]
		if len(subnets) == 0 {
			return nil
		}
		rounds := len(subnets[r.AZs[0]])
		for _, az := range r.AZs {
			if n := len(subnets[az]); n != rounds {
				return fmt.Errorf("-o terraform: %s has %s and %s has %d, and the module maps each list to the AZs in turn",
					r.AZs[0], prose.Count(rounds, string(role)+" subnet", string(role)+" subnets"), az, n)
			}
		}
		for i := range rounds {
			for _, az := range r.AZs {
				s := subnets[az][i]
				*cidrs = append(*cidrs, s.CIDR)
				*names = append(*names, s.Name)
				if s.IPv6Index != nil {
					*ipv6 = append(*ipv6, strconv.Itoa(*s.IPv6Index))
				}
				if tags != nil {
					maps.Copy(tags, s.Tags)
				}
			}
		}
		return nil
	}
	for _, part := range []struct {
		role               plan.Role
		cidrs, names, ipv6 *[]string
		tags               map[string]string
	}{
		{plan.RoleNode, &t.PrivateSubnets, &t.PrivateSubnetNames, &t.PrivateSubnetIPv6Prefixes, t.PrivateSubnetTags},
		{plan.RolePod, &t.PrivateSubnets, &t.PrivateSubnetNames, &t.PrivateSubnetIPv6Prefixes, t.PrivateSubnetTags},
		{plan.RolePublic, &t.PublicSubnets, &t.PublicSubnetNames, &t.PublicSubnetIPv6Prefixes, t.PublicSubnetTags},
		{plan.RoleCluster, &t.IntraSubnets, &t.IntraSubnetNames, &t.IntraSubnetIPv6Prefixes, nil},
	} {
		if err := add(part.role, part.cidrs, part.names, part.ipv6, part.tags); err != nil {
			return t, left, err
		}
	}
	if v6 := r.IPv6; v6 != nil {
		yes := true
		if v6.AmazonProvided {
			t.EnableIPv6 = &yes
		} else {
			t.IPv6CIDR = v6.VPCBlock
			left.IPv6FromIPAM = true
		}
		for _, list := range []struct {
			subnets []string
			assign  **bool
		}{{t.PrivateSubnets, &t.PrivateSubnetAssignIPv6}, {t.PublicSubnets, &t.PublicSubnetAssignIPv6}, {t.IntraSubnets, &t.IntraSubnetAssignIPv6}} {
			if len(list.subnets) > 0 {
				*list.assign = &yes
			}
		}
	}
	left.Reservations = slices.Clone(r.Reservations)
	left.PrivateTagsShared = len(byRole[plan.RolePod]) > 0 && len(t.PrivateSubnetTags) > 0
	return t, left, nil
}
