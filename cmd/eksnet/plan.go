package main

import (
	"context"
	"errors"
	"fmt"
	"maps"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/spf13/cobra"

	"github.com/eksnet/eksnet/internal/cni"
	"github.com/eksnet/eksnet/internal/ec2limits"
	"github.com/eksnet/eksnet/internal/inputs"
	"github.com/eksnet/eksnet/internal/manifest"
	"github.com/eksnet/eksnet/internal/plan"
	"github.com/eksnet/eksnet/internal/prose"
	"github.com/eksnet/eksnet/internal/render"
	"github.com/eksnet/eksnet/internal/vpcmap"
)

// Output formats of `eksnet plan` beyond the standard ones.
const (
	formatTFVars    render.Format = "tfvars"
	formatTerraform render.Format = "terraform"
	formatSVG       render.Format = "svg"
	formatHTML      render.Format = "html"
	formatENIConfig render.Format = "eniconfig"
)

var planFormats = []render.Format{render.Table, render.Wide, render.JSON, render.YAML, formatTFVars, formatTerraform, formatENIConfig, formatSVG, formatHTML}

type planOptions struct {
	factory      *factory
	file         string
	subnetsFile  string
	cniFrom      string
	aws          awsFlags // --live and the AWS settings it uses
	output       string
	placeholders bool
}

func newPlanCmd(f *factory, runF func(*planOptions) error) *cobra.Command {
	opts := &planOptions{factory: f}
	cmd := &cobra.Command{
		Use:   "plan -f PLAN.yaml",
		Short: "Carve a VPC for an EKS cluster: subnets per AZ, CG-NAT pod blocks, ENIConfigs, prefix reservations",
		Long: `Lay out the subnets an EKS cluster needs in every Availability Zone of a
plan file: a node subnet, pod subnets carved from CG-NAT secondary blocks (one
per AZ for custom networking's ENIConfigs, or, without custom networking, one or
more per AZ tagged kubernetes.io/role/cni=1 for the VPC CNI's subnet discovery),
a /28 cluster subnet and a public subnet, each sized from the VPC CNI's per-node
address demand at the future node count with headroom, carved around the
existing subnets (each role in one aligned block by default), with the prefix
reservations prefix delegation needs. An IPv6 cluster (cni.ipFamily: ipv6) gets
a /64 per subnet and the IPv4 it still needs. Checks the VPC rules (block sizes
and association, quotas, overlaps, AZs, service CIDR, IPv6 blocks) and, when the
plan does not fit, says by how much and which change fits.

The existing subnets come from the plan file, from --subnets-file (the JSON
of aws ec2 describe-subnets), or with --live from EC2: the subnets and CIDR
blocks of the plan's vpc.id, in --region or else the plan's region.`,
		Example: `  eksnet plan -f plan.yaml
  eksnet plan -f plan.yaml -o eniconfig | kubectl apply -f -
  eksnet plan -f plan.yaml --subnets-file subnets.json --cni-from aws-node.yaml -o json
  eksnet plan -f plan.yaml --live --profile prod`,
		Args: noArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			if runF != nil {
				return runF(opts)
			}
			return runPlan(cmd.Context(), opts)
		},
	}
	fs := cmd.Flags()
	fs.StringVarP(&opts.file, "file", "f", "", "plan file, YAML or JSON (- for standard input)")
	_ = cmd.RegisterFlagCompletionFunc("file", completePlanFiles)
	fs.StringVar(&opts.subnetsFile, "subnets-file", "", "existing subnets: the JSON of aws ec2 describe-subnets --output json")
	fs.StringVar(&opts.cniFrom, "cni-from", "", "CNI settings from the aws-node DaemonSet (kubectl get ds aws-node -n kube-system -o yaml, or json) or the EKS add-on (aws eks describe-addon --addon-name vpc-cni, or its configurationValues)")
	opts.aws.bind(cmd, livePlan, 30*time.Second)
	outputFlag(cmd, &opts.output, planFormats)
	fs.BoolVar(&opts.placeholders, "placeholders", false, "-o eniconfig: write PLACEHOLDER values where a pod subnet has no ID yet or no security group is set")
	return cmd
}

func runPlan(ctx context.Context, opts *planOptions) error {
	format, err := render.ParseFormat(opts.output, planFormats...)
	if err != nil {
		return err
	}
	if opts.file == "" {
		return errors.New("no plan file given: eksnet plan -f plan.yaml (the README describes the format)")
	}
	if opts.aws.live && opts.subnetsFile != "" {
		return errors.New("--live and --subnets-file both give the existing subnets: use one of them")
	}
	in := plan.Inputs{FileName: opts.file, FileFormat: planFormat(opts.file)}
	if opts.file == "-" {
		in.FileName = "standard input"
	}
	stdin := opts.factory.streams.In
	if in.File, err = inputs.Read(opts.file, stdin, inputs.MaxPlanFile, "plan file"); err != nil {
		return err
	}
	if opts.subnetsFile != "" {
		if in.Subnets, err = inputs.Read(opts.subnetsFile, stdin, inputs.MaxSubnetsFile, "--subnets-file"); err != nil {
			return err
		}
		in.SubnetsName = opts.subnetsFile
	}
	if opts.cniFrom != "" {
		if in.DaemonSet, err = inputs.Read(opts.cniFrom, stdin, inputs.MaxDaemonSet, "--cni-from"); err != nil {
			return err
		}
		in.DaemonSetName = opts.cniFrom
	}
	if opts.aws.live {
		in.Live = func(f *plan.File) error { return mergeLiveVPC(ctx, f, &opts.aws) }
	}
	table, err := opts.factory.BaseTable()
	if err != nil {
		return err
	}
	res, spec, err := plan.Plan(in, table)
	if err != nil {
		return err
	}
	out := opts.factory.streams.Out
	switch format {
	case formatSVG:
		return vpcmap.WriteSVG(out, res)
	case formatHTML:
		return vpcmap.WriteHTML(out, res)
	case formatTerraform:
		inputs, left, err := manifest.TerraformVPCOf(res)
		if err != nil {
			return err
		}
		if err := render.Write(out, render.JSON, inputs); err != nil {
			return err
		}
		if n := len(left.Reservations); n > 0 {
			fmt.Fprintf(opts.factory.streams.Err, "note: %s not inputs of terraform-aws-modules/vpc: create them with aws_ec2_subnet_cidr_reservation (-o tfvars lists them as prefix_reservations)\n",
				prose.Count(n, "prefix reservation is", "prefix reservations are"))
		}
		if left.IPv6FromIPAM {
			fmt.Fprintf(opts.factory.streams.Err, "note: ipv6_cidr %s comes from an IPAM pool: set ipv6_ipam_pool_id to it as well\n", inputs.IPv6CIDR)
		}
		if left.PrivateTagsShared {
			fmt.Fprintf(opts.factory.streams.Err, "note: the module gives every private subnet the same tags, so the node and pod subnets all carry %s (-o tfvars tags each subnet on its own)\n",
				joinTags(inputs.PrivateSubnetTags))
		}
		return nil
	case formatTFVars:
		return render.Write(out, render.JSON, manifest.TFVarsOf(res))
	case formatENIConfig:
		return manifest.WriteENIConfigs(out, res, manifest.ENIConfigOptions{SecurityGroups: spec.File.CNI.SecurityGroups, Placeholders: opts.placeholders})
	}
	return render.Write(out, format, planView{res})
}

// mergeLiveVPC reads the plan's VPC (vpc.id) from EC2, in --region or else
// the plan's region: its CIDR blocks (plan.MergeVPCBlocks) and its subnets,
// merged as --subnets-file merges those of a file.
func mergeLiveVPC(ctx context.Context, f *plan.File, a *awsFlags) error {
	if f.VPC.ID == "" {
		return errors.New("--live needs vpc.id in the plan file: the ID of the VPC whose subnets to read, such as vpc-0123456789abcdef0")
	}
	if err := plan.CheckVPCID(f.VPC.ID); err != nil {
		return err
	}
	opts := a.options()
	switch {
	case opts.Region == "":
		opts.Region = f.Region
	case f.Region != "" && opts.Region != f.Region:
		return fmt.Errorf("--region %s is not the plan's region %s: give the region of vpc.id %s once, or both the same", opts.Region, f.Region, f.VPC.ID)
	}
	ctx, cancel := ec2limits.WithTimeout(ctx, a.timeout)
	defer cancel()
	cfg, err := ec2limits.LoadConfig(ctx, opts)
	if err != nil {
		return err
	}
	vpc, err := ec2limits.DescribeVPC(ctx, ec2limits.NewClient(cfg, opts, ""), f.VPC.ID)
	if err != nil {
		return fmt.Errorf("EC2 in %s: %w", cfg.Region, err)
	}
	if err := plan.MergeVPCBlocks(f, vpc.CIDRs); err != nil {
		return err
	}
	plan.MergeVPCIPv6(f, vpc.IPv6CIDR, vpc.IPv6AmazonProvided)
	subnets, vpcID, err := plan.SubnetsOfVPC(vpc.Subnets, vpc.ID, "EC2")
	if err != nil {
		return err
	}
	return plan.MergeExisting(f, subnets, vpcID, "EC2")
}

// planFormat is the plan file's format by its extension: JSON or YAML.
func planFormat(path string) string {
	if strings.EqualFold(filepath.Ext(path), ".json") {
		return "json"
	}
	return "yaml"
}

// planView is the table view of a plan: one row per subnet, AZ by AZ, then
// the blocks, reservations, aws-node settings and max pods.
type planView struct{ *plan.Result }

func (v planView) TableHeader(wide bool) []string {
	h := []string{"AZ", "ROLE", "CIDR", "USABLE", "NOW", "FUTURE", "PLANNED", "USED", "RUNWAY"}
	if v.IPv6 != nil {
		h = append(h, "IPV6")
	}
	if wide {
		h = append(h, "NODES", "FUTURE NODES", "/28S", "SUBNET ID")
	}
	return h
}

func (v planView) TableRows(wide bool) [][]string {
	var rows [][]string
	for _, az := range v.AZs {
		for _, s := range v.Subnets {
			if s.AZ != az {
				continue
			}
			cidr := s.CIDR
			if s.Existing {
				cidr += " (existing)"
			}
			row := []string{s.AZ, string(s.Role), cidr, strconv.Itoa(s.UsableAddresses), dashIfZero(s.AddressesNeeded),
				dashIfZero(s.AddressesNeededFuture), dashIfZero(s.AddressesPlanned), used(s), runway(s)}
			if v.IPv6 != nil {
				row = append(row, ipv6Column(s))
			}
			if wide {
				row = append(row, dashIfZero(s.Nodes), dashIfZero(s.FutureNodes), dashIfZero(s.PrefixesNeededFuture), orDash(s.ID))
			}
			rows = append(rows, row)
		}
	}
	return rows
}

func (v planView) Footnotes() []string {
	lines := []string{""}
	if len(v.SecondaryCIDRs) > 0 {
		line := "secondary CIDR blocks for pods: " + strings.Join(v.SecondaryCIDRs, ", ")
		if len(v.CIDRBlocksToAssociate) > 0 {
			line += fmt.Sprintf(" (associate %s with the VPC first; EKS can take up to five hours to see a new block)", strings.Join(v.CIDRBlocksToAssociate, ", "))
		}
		lines = append(lines, line)
	}
	if v.ServiceCIDR != "" {
		lines = append(lines, "service CIDR: "+v.ServiceCIDR)
	}
	if r := v.IPv6; r != nil {
		block := r.VPCBlock
		switch {
		case r.AmazonProvided && r.VPCBlock == "":
			block = fmt.Sprintf("(Amazon's /%d, not associated yet: the IPV6 column gives each subnet's /%d by index, #N the N-th)", r.BlockPrefixLength, r.SubnetPrefixLength)
		case r.AmazonProvided:
			block += fmt.Sprintf(" (Amazon's /%d)", r.BlockPrefixLength)
		}
		lines = append(lines, fmt.Sprintf("IPv6 block %s: %d /%d subnets; each node takes a /%d of its node subnet's /%d",
			block, r.SubnetsInBlock, r.SubnetPrefixLength, r.NodePrefixLength, r.SubnetPrefixLength))
		for _, n := range r.IPv4StillNeeded {
			need := "some addresses"
			if n.AddressesFuture > 0 {
				need = prose.Count(n.AddressesFuture, "address", "addresses") + " per AZ at the future size"
			}
			lines = append(lines, fmt.Sprintf("IPv4 still needed in the %s subnets: %s, for %s", n.Role, need, n.Reason.Sentence()))
		}
	}
	if len(v.SummaryRoutes) > 0 {
		var routes []string
		for _, r := range v.SummaryRoutes {
			routes = append(routes, fmt.Sprintf("%s %s", r.Role, r.CIDR))
		}
		lines = append(lines, "summary routes (each role's subnets in one aligned block): "+strings.Join(routes, ", "))
	}
	if len(v.Reservations) > 0 {
		lines = append(lines, "prefix reservations (subnet CIDR reservations of type prefix):")
		for _, s := range v.Subnets {
			var cidrs []string
			for _, r := range v.Reservations {
				if r.SubnetCIDR == s.CIDR {
					cidrs = append(cidrs, r.CIDR)
				}
			}
			if len(cidrs) > 0 {
				lines = append(lines, fmt.Sprintf("  %s %s %s: %s", s.AZ, s.Role, s.CIDR, strings.Join(cidrs, " ")))
			}
		}
	}
	lines = append(lines, "")
	if v.CNI.KubectlSetEnv != "" {
		lines = append(lines, v.CNI.KubectlSetEnv)
	}
	if v.CNI.KubectlPatchConfigMap != "" {
		lines = append(lines, v.CNI.KubectlPatchConfigMap+"    # Windows nodes: the VPC resource controller's settings")
	}
	for _, g := range v.NodeGroups {
		line := fmt.Sprintf("node group %s: max pods %d (set by %s", g.Name, g.MaxPods, g.SetBy)
		if v.PodSubnets == plan.PodSubnetsENIConfig {
			line += "; custom networking: one ENI fewer"
		}
		line += fmt.Sprintf("), %d pods per node sized, %d node-subnet and %d pod-subnet addresses per node", g.PodsPerNode, g.PerNode.NodeSubnetAddresses, g.PerNode.PodSubnetAddresses)
		lines = append(lines, line)
	}
	switch v.PodSubnets {
	case plan.PodSubnetsENIConfig:
		lines = append(lines, "ENIConfigs: eksnet plan -f PLAN -o eniconfig | kubectl apply -f -")
	case plan.PodSubnetsDiscovered:
		lines = append(lines, fmt.Sprintf("pod subnets: tag each %s=1 (subnet discovery finds them in the node's AZ; no ENIConfigs)", cni.SubnetDiscoveryTag))
	}
	for _, n := range v.Notes {
		lines = append(lines, "note: "+n)
	}
	for _, w := range v.Warnings {
		lines = append(lines, "warning: "+w)
	}
	return lines
}

func used(s plan.Subnet) string {
	if s.UsableAddresses == 0 || s.AddressesNeededFuture == 0 {
		return "-"
	}
	return percent(float64(s.AddressesNeededFuture) / float64(s.UsableAddresses))
}

func runway(s plan.Subnet) string {
	if s.RunwayMonths == nil {
		return "-"
	}
	return fmt.Sprintf("%d mo", *s.RunwayMonths)
}

func dashIfZero(n int) string {
	if n == 0 {
		return "-"
	}
	return strconv.Itoa(n)
}

// joinTags writes tags as k=v, sorted by key.
func joinTags(tags map[string]string) string {
	parts := make([]string, 0, len(tags))
	for _, k := range slices.Sorted(maps.Keys(tags)) {
		parts = append(parts, k+"="+tags[k])
	}
	return strings.Join(parts, ", ")
}

// ipv6Column is a subnet's /64: its CIDR, or its index in the VPC's block
// until that block is known.
func ipv6Column(s plan.Subnet) string {
	switch {
	case s.IPv6CIDR != "":
		return s.IPv6CIDR
	case s.IPv6Index != nil:
		return "#" + strconv.Itoa(*s.IPv6Index)
	}
	return "-"
}
