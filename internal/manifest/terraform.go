package manifest

import (
	"errors"
	"fmt"
	"maps"
	"slices"

	"github.com/eksnet/eksnet/internal/plan"
	"github.com/eksnet/eksnet/internal/prose"
)

// TerraformVPC is a plan as the input variables of the
// terraform-aws-modules/vpc module (its variables.tf: cidr,
// secondary_cidr_blocks, azs, private_subnets, public_subnets,
// intra_subnets, their _names and _tags), written as
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
}

// TerraformVPCOf maps a plan to the module's inputs. The module creates the
// VPC and every subnet, so a plan that adopts an existing VPC or subnets is
// refused (-o tfvars describes those); prefix reservations are not module
// inputs, and are returned for the caller to say so.
func TerraformVPCOf(r *plan.Result) (TerraformVPC, []plan.Reservation, error) {
	t := TerraformVPC{
		SecondaryCIDRBlocks: []string{}, AZs: slices.Clone(r.AZs),
		PrivateSubnets: []string{}, PrivateSubnetNames: []string{}, PrivateSubnetTags: map[string]string{},
		PublicSubnets: []string{}, PublicSubnetNames: []string{}, PublicSubnetTags: map[string]string{},
		IntraSubnets: []string{}, IntraSubnetNames: []string{},
	}
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
		return t, nil, fmt.Errorf("-o terraform writes terraform-aws-modules/vpc inputs, and that module creates the VPC and all its subnets; the plan adopts %s: use -o tfvars", what)
	case len(r.VPCCIDRs) == 0:
		return t, nil, errors.New("-o terraform: the plan has no VPC CIDR")
	}
	t.CIDR = r.VPCCIDRs[0]
	for _, c := range append(slices.Clone(r.VPCCIDRs[1:]), r.SecondaryCIDRs...) {
		if !slices.Contains(t.SecondaryCIDRBlocks, c) {
			t.SecondaryCIDRBlocks = append(t.SecondaryCIDRBlocks, c)
		}
	}
	// One subnet per AZ and role, in the order of azs: what the module's
	// index-to-AZ mapping needs.
	byRole := map[plan.Role]map[string]plan.Subnet{}
	for _, s := range r.Subnets {
		if byRole[s.Role] == nil {
			byRole[s.Role] = map[string]plan.Subnet{}
		}
		if _, twice := byRole[s.Role][s.AZ]; twice {
			return t, nil, fmt.Errorf("-o terraform: %s has two %s subnets, and the module takes one per AZ and list", s.AZ, s.Role)
		}
		byRole[s.Role][s.AZ] = s
	}
	add := func(role plan.Role, cidrs, names *[]string, tags map[string]string) error {
		subnets := byRole[role]
		if len(subnets) == 0 {
			return nil
		}
		for _, az := range r.AZs {
			s, ok := subnets[az]
			if !ok {
				return fmt.Errorf("-o terraform: %s has no %s subnet, and the module maps the list to every AZ", az, role)
			}
			*cidrs = append(*cidrs, s.CIDR)
			*names = append(*names, az+"-"+string(role))
			if tags != nil {
				maps.Copy(tags, s.Tags)
			}
		}
		return nil
	}
	for _, part := range []struct {
		role         plan.Role
		cidrs, names *[]string
		tags         map[string]string
	}{
		{plan.RoleNode, &t.PrivateSubnets, &t.PrivateSubnetNames, t.PrivateSubnetTags},
		{plan.RolePod, &t.PrivateSubnets, &t.PrivateSubnetNames, nil},
		{plan.RolePublic, &t.PublicSubnets, &t.PublicSubnetNames, t.PublicSubnetTags},
		{plan.RoleCluster, &t.IntraSubnets, &t.IntraSubnetNames, nil},
	} {
		if err := add(part.role, part.cidrs, part.names, part.tags); err != nil {
			return t, nil, err
		}
	}
	return t, slices.Clone(r.Reservations), nil
}
