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

// TerraformLeftOut is what the module's inputs cannot say, for the caller
// to tell the user: the prefix reservations, which are not module inputs,
// and whether the node and pod subnets, both private, share one set of tags
// (the module tags every private subnet alike).
type TerraformLeftOut struct {
	Reservations      []plan.Reservation
	PrivateTagsShared bool
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
	add := func(role plan.Role, cidrs, names *[]string, tags map[string]string) error {
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
				if tags != nil {
					maps.Copy(tags, s.Tags)
				}
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
		{plan.RolePod, &t.PrivateSubnets, &t.PrivateSubnetNames, t.PrivateSubnetTags},
		{plan.RolePublic, &t.PublicSubnets, &t.PublicSubnetNames, t.PublicSubnetTags},
		{plan.RoleCluster, &t.IntraSubnets, &t.IntraSubnetNames, nil},
	} {
		if err := add(part.role, part.cidrs, part.names, part.tags); err != nil {
			return t, left, err
		}
	}
	left.Reservations = slices.Clone(r.Reservations)
	left.PrivateTagsShared = len(byRole[plan.RolePod]) > 0 && len(t.PrivateSubnetTags) > 0
	return t, left, nil
}
