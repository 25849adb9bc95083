package manifest

import (
	"errors"
	"fmt"
	"io"
	"strings"

	"gopkg.in/yaml.v3"

	"github.com/eksnet/eksnet/internal/cni"
	"github.com/eksnet/eksnet/internal/plan"
	"github.com/eksnet/eksnet/internal/prose"
)

// ENIConfigOptions are the choices of WriteENIConfigs.
type ENIConfigOptions struct {
	SecurityGroups []string // cni.securityGroups of the plan
	// Placeholders allows PLACEHOLDER-... values where a subnet has no ID
	// yet or no security group is known. The ENIConfig CRD only requires
	// strings, so the API server accepts them and pods then fail to start:
	// without Placeholders such a plan is refused.
	Placeholders bool
}

// WriteENIConfigs writes one ENIConfig per pod subnet, named after its AZ so
// that ENI_CONFIG_LABEL_DEF=topology.kubernetes.io/zone selects it
// (docs/vpc-rules.md), as multi-document YAML for kubectl apply -f -.
func WriteENIConfigs(w io.Writer, r *plan.Result, opts ENIConfigOptions) error {
	if r.PodSubnets == plan.PodSubnetsDiscovered {
		return fmt.Errorf("-o eniconfig: the plan's pod subnets are found by subnet discovery, through their %s=1 tag, and need no ENIConfigs (ENIConfigs are for cni.customNetworking: true)", cni.SubnetDiscoveryTag)
	}
	var docs []*yaml.Node
	var missing []string
	for _, az := range r.AZs {
		for _, s := range r.Subnets {
			if s.AZ != az || s.Role != plan.RolePod {
				continue
			}
			if s.ID == "" {
				missing = append(missing, s.AZ)
			}
			docs = append(docs, eniConfig(r, s, opts.SecurityGroups))
		}
	}
	if len(docs) == 0 {
		return fmt.Errorf("-o eniconfig: the plan has no pod subnets: ENIConfigs are for custom networking (cni.customNetworking: true)")
	}
	if !opts.Placeholders {
		switch {
		case len(missing) > 0:
			return fmt.Errorf("-o eniconfig: the pod subnets of %s have no subnet ID yet: create them and give their IDs (vpc.existingSubnets with role pod, --subnets-file or --live), or pass --placeholders for PLACEHOLDER values to edit", prose.JoinAnd(missing))
		case len(opts.SecurityGroups) == 0:
			return errors.New("-o eniconfig: no security group for the pods' ENIs: set cni.securityGroups (usually the cluster security group), or pass --placeholders for a PLACEHOLDER value to edit")
		}
	}
	return WriteYAML(w, docs...)
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
