package main

import (
	"fmt"
	"io"
	"strings"

	"gopkg.in/yaml.v3"

	"github.com/eksnet/eksnet/internal/cni"
	"github.com/eksnet/eksnet/internal/plan"
)

// tfvars is the plan as Terraform variables (write it to a .tfvars.json
// file): snake_case names, subnets keyed "AZ-ROLE" for for_each, and maps
// of CIDRs by AZ for each role.
type tfvars struct {
	VPCID                 string                  `json:"vpc_id,omitempty"`
	VPCCIDRBlocks         []string                `json:"vpc_cidr_blocks"`
	SecondaryCIDRBlocks   []string                `json:"secondary_cidr_blocks"`
	CIDRBlocksToAssociate []string                `json:"cidr_blocks_to_associate"`
	ServiceCIDR           string                  `json:"service_cidr"`
	AZs                   []string                `json:"azs"`
	Subnets               map[string]tfvarsSubnet `json:"subnets"`
	NodeSubnets           map[string]string       `json:"node_subnets"`
	PodSubnets            map[string]string       `json:"pod_subnets"`
	ClusterSubnets        map[string]string       `json:"cluster_subnets"`
	PublicSubnets         map[string]string       `json:"public_subnets"`
	PrefixReservations    []tfvarsReservation     `json:"prefix_reservations"`
}

type tfvarsSubnet struct {
	AZ     string            `json:"az"`
	Role   string            `json:"role"`
	CIDR   string            `json:"cidr"`
	Create bool              `json:"create"` // false for existing subnets the plan adopts
	ID     string            `json:"id,omitempty"`
	Tags   map[string]string `json:"tags"`
}

type tfvarsReservation struct {
	Key        string `json:"key"` // the subnet's key in subnets
	SubnetCIDR string `json:"subnet_cidr"`
	CIDR       string `json:"cidr"`
	Type       string `json:"reservation_type"`
}

func tfvarsView(r *plan.Result) tfvars {
	t := tfvars{
		VPCID: r.VPCID, VPCCIDRBlocks: r.VPCCIDRs, SecondaryCIDRBlocks: r.SecondaryCIDRs,
		CIDRBlocksToAssociate: r.CIDRBlocksToAssociate, ServiceCIDR: r.ServiceCIDR, AZs: r.AZs,
		Subnets: map[string]tfvarsSubnet{}, NodeSubnets: map[string]string{}, PodSubnets: map[string]string{},
		ClusterSubnets: map[string]string{}, PublicSubnets: map[string]string{}, PrefixReservations: []tfvarsReservation{},
	}
	byRole := map[plan.Role]map[string]string{
		plan.RoleNode: t.NodeSubnets, plan.RolePod: t.PodSubnets, plan.RoleCluster: t.ClusterSubnets, plan.RolePublic: t.PublicSubnets,
	}
	keys := map[string]string{}
	for _, s := range r.Subnets {
		key := s.AZ + "-" + string(s.Role)
		tags := map[string]string{}
		for k, v := range s.Tags {
			tags[k] = v
		}
		t.Subnets[key] = tfvarsSubnet{AZ: s.AZ, Role: string(s.Role), CIDR: s.CIDR, Create: !s.Existing, ID: s.ID, Tags: tags}
		byRole[s.Role][s.AZ] = s.CIDR
		keys[s.CIDR] = key
	}
	for _, res := range r.Reservations {
		t.PrefixReservations = append(t.PrefixReservations, tfvarsReservation{Key: keys[res.SubnetCIDR], SubnetCIDR: res.SubnetCIDR, CIDR: res.CIDR, Type: res.Type})
	}
	return t
}

// writeENIConfigs writes one ENIConfig per pod subnet, named after its AZ so
// that ENI_CONFIG_LABEL_DEF=topology.kubernetes.io/zone selects it
// (docs/vpc-rules.md), as multi-document YAML for kubectl apply -f -. A subnet
// the plan creates has no ID yet and security groups may be unknown: those
// values are placeholders marked in a comment, and kubectl refuses them.
func writeENIConfigs(w io.Writer, r *plan.Result, securityGroups []string) error {
	var docs []*yaml.Node
	for _, az := range r.AZs {
		for _, s := range r.Subnets {
			if s.AZ != az || s.Role != plan.RolePod {
				continue
			}
			docs = append(docs, eniConfig(r, s, securityGroups))
		}
	}
	if len(docs) == 0 {
		return fmt.Errorf("-o eniconfig: the plan has no pod subnets: ENIConfigs are for custom networking (cni.customNetworking: true)")
	}
	for i, doc := range docs {
		if i > 0 {
			if _, err := io.WriteString(w, "---\n"); err != nil {
				return err
			}
		}
		enc := yaml.NewEncoder(w)
		enc.SetIndent(2)
		if err := enc.Encode(doc); err != nil {
			return err
		}
		if err := enc.Close(); err != nil {
			return err
		}
	}
	return nil
}

func eniConfig(r *plan.Result, s plan.Subnet, securityGroups []string) *yaml.Node {
	str := func(v string) *yaml.Node { return &yaml.Node{Kind: yaml.ScalarNode, Tag: "!!str", Value: v} }
	mapping := func(pairs ...*yaml.Node) *yaml.Node { return &yaml.Node{Kind: yaml.MappingNode, Content: pairs} }

	subnet := str(s.ID)
	if s.ID == "" {
		subnet = str("PLACEHOLDER-subnet-id-of-" + strings.ReplaceAll(s.CIDR, "/", "-"))
		subnet.LineComment = fmt.Sprintf("placeholder: create the subnet %s in %s, then put its ID here", s.CIDR, s.AZ)
	}
	groups := &yaml.Node{Kind: yaml.SequenceNode}
	for _, sg := range securityGroups {
		groups.Content = append(groups.Content, str(sg))
	}
	if len(securityGroups) == 0 {
		sg := str("PLACEHOLDER-security-group-id")
		sg.LineComment = "placeholder: the security group(s) for pods, usually the cluster security group (or set cni.securityGroups)"
		groups.Content = append(groups.Content, sg)
	}
	doc := mapping(
		str("apiVersion"), str("crd.k8s.amazonaws.com/v1alpha1"),
		str("kind"), str("ENIConfig"),
		str("metadata"), mapping(str("name"), str(s.AZ)),
		str("spec"), mapping(str("securityGroups"), groups, str("subnet"), subnet),
	)
	doc.HeadComment = fmt.Sprintf("Pods' ENIs in %s come from %s (%d usable addresses).", s.AZ, s.CIDR, s.UsableAddresses)
	if r.CNI.ENIConfigLabel != "" && r.CNI.ENIConfigLabel != cni.DefaultENIConfigLabel {
		doc.HeadComment += fmt.Sprintf("\nNodes select it with the label %s=%s.", r.CNI.ENIConfigLabel, s.AZ)
	}
	return &yaml.Node{Kind: yaml.DocumentNode, Content: []*yaml.Node{doc}}
}
