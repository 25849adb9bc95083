package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/spf13/cobra"

	"github.com/eksnet/eksnet/internal/audit"
	"github.com/eksnet/eksnet/internal/ec2limits"
	"github.com/eksnet/eksnet/internal/inputs"
	"github.com/eksnet/eksnet/internal/kube"
	"github.com/eksnet/eksnet/internal/prose"
	"github.com/eksnet/eksnet/internal/render"
	"github.com/eksnet/eksnet/internal/subnet"
)

var auditFormats = []render.Format{render.Table, render.Wide, render.JSON, render.YAML}

type auditOptions struct {
	factory      *factory
	nodes        string
	awsNode      string
	eniConfigs   string
	cniConfigMap string
	subnetsFile  string
	enisFile     string
	pods         string
	growth       string
	aws          awsFlags // --live and the AWS settings it uses
	output       string
	failOn       string
}

func newAuditCmd(f *factory, runF func(*auditOptions) error) *cobra.Command {
	opts := &auditOptions{factory: f}
	cmd := &cobra.Command{
		Use:   "audit --nodes NODES.json --aws-node AWS-NODE.yaml",
		Short: "Hold a running cluster against the model: max pods, kube-reserved, subnets, ENIConfigs",
		Long: `Audit a running cluster from what kubectl and the AWS CLI print, with no
cluster credentials needed: each node's max pods against what its ENIs give
under the aws-node DaemonSet's CNI settings, its kube-reserved against its
max pods, each subnet's free addresses (and, with prefix delegation, its
aligned free /28 blocks) against its nodes' demand at max pods, and custom
networking's ENIConfigs against the nodes' zones and the subnets.

Exit status: 0 when no finding is at or above --fail-on, 1 when one is,
2 when an input is bad. The README lists the finding kinds.`,
		Example: `  kubectl get nodes -o json > nodes.json
  kubectl get ds aws-node -n kube-system -o yaml > aws-node.yaml
  kubectl get eniconfigs -o json > eniconfigs.json
  aws ec2 describe-subnets --filters Name=vpc-id,Values=$VPC --output json > subnets.json
  aws ec2 describe-network-interfaces --filters Name=vpc-id,Values=$VPC --output json > enis.json
  kubectl get pods -A -o json > pods.json
  eksnet audit --nodes nodes.json --aws-node aws-node.yaml --eniconfigs eniconfigs.json \
    --subnets-file subnets.json --enis-file enis.json --pods pods.json`,
		Args: noArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			if runF != nil {
				return runF(opts)
			}
			return runAudit(cmd.Context(), opts)
		},
	}
	fs := cmd.Flags()
	fs.StringVar(&opts.nodes, "nodes", "", "the nodes: kubectl get nodes -o json (- for standard input)")
	fs.StringVar(&opts.awsNode, "aws-node", "", "the CNI's settings: kubectl get ds aws-node -n kube-system -o yaml (or json), or the EKS add-on's: aws eks describe-addon --addon-name vpc-cni (or its configurationValues)")
	fs.StringVar(&opts.eniConfigs, "eniconfigs", "", "custom networking's ENIConfigs: kubectl get eniconfigs -o json")
	fs.StringVar(&opts.cniConfigMap, "cni-configmap", "", "Windows nodes' settings: kubectl get configmap amazon-vpc-cni -n kube-system -o yaml (default: the VPC resource controller's)")
	fs.StringVar(&opts.subnetsFile, "subnets-file", "", "the VPC's subnets: aws ec2 describe-subnets --output json")
	fs.StringVar(&opts.enisFile, "enis-file", "", "the VPC's network interfaces: aws ec2 describe-network-interfaces --output json")
	opts.aws.bind(cmd, liveAudit, 60*time.Second)
	fs.StringVar(&opts.growth, "growth", "", "node growth per month (5%/month or +10/month): warn of the month a subnet runs out")
	fs.StringVar(&opts.pods, "pods", "", "the pods, for the warm pools: kubectl get pods -A -o json")
	fs.StringVar(&opts.failOn, "fail-on", string(audit.Error), "exit 1 when a finding is at least this severe: error, warning or info")
	_ = cmd.RegisterFlagCompletionFunc("fail-on", cobra.FixedCompletions([]string{"error", "warning", "info"}, cobra.ShellCompDirectiveNoFileComp))
	outputFlag(cmd, &opts.output, auditFormats)
	return cmd
}

// exitError is an error with its own exit status: audit exits 1 for
// findings and 2 when it could not audit (bad input, EC2 failing), so that
// CI tells the two apart.
type exitError struct {
	code int
	err  error
}

func (e *exitError) Error() string { return e.err.Error() }
func (e *exitError) Unwrap() error { return e.err }

func notAudited(err error) error { return &exitError{code: 2, err: err} }

func runAudit(ctx context.Context, opts *auditOptions) error {
	in, format, failOn, err := readAuditInput(opts)
	if err != nil {
		return notAudited(err)
	}
	if opts.aws.live {
		if err := readLiveVPC(ctx, &in, &opts.aws); err != nil {
			return notAudited(err)
		}
	}
	report, err := audit.Run(in)
	if err != nil {
		return notAudited(err)
	}
	view := auditView{report}
	out := opts.factory.streams.Out
	if len(report.Findings) == 0 && (format == render.Table || format == render.Wide) {
		// No table of nothing: the summary says it.
		for _, line := range view.Footnotes() {
			if _, err := fmt.Fprintln(out, prose.Printable(line)); err != nil {
				return err
			}
		}
	} else if err := render.Write(out, format, view); err != nil {
		return err
	}
	if format == render.Wide {
		if err := view.writeFigures(out); err != nil {
			return err
		}
	}
	failing := 0
	for _, f := range report.Findings {
		if f.Severity.AtLeast(failOn) {
			failing++
		}
	}
	if failing > 0 {
		return &exitError{code: 1, err: fmt.Errorf("%s at or above %s", prose.Count(failing, "finding", "findings"), failOn)}
	}
	return nil
}

// auditFile is one input of the audit: its flag, its file, its bound and
// its parser; given records that it was read.
type auditFile struct {
	flag, path string
	limit      int64
	parse      func([]byte) error
	given      *bool
}

func readAuditInput(opts *auditOptions) (audit.Input, render.Format, audit.Severity, error) {
	var in audit.Input
	format, err := render.ParseFormat(opts.output, auditFormats...)
	if err != nil {
		return in, "", "", err
	}
	failOn, err := audit.ParseSeverity(opts.failOn)
	if err != nil {
		return in, "", "", fmt.Errorf("--fail-on: %w", err)
	}
	if opts.growth != "" {
		if in.Growth, err = subnet.ParseGrowth(opts.growth); err != nil {
			return in, "", "", fmt.Errorf("--growth: %w", err)
		}
	}
	switch {
	case opts.nodes == "":
		return in, "", "", errors.New("no --nodes given: eksnet audit --nodes nodes.json (kubectl get nodes -o json)")
	case opts.awsNode == "":
		return in, "", "", errors.New("no --aws-node given: eksnet audit reads the CNI's settings from kubectl get ds aws-node -n kube-system -o yaml")
	}
	if opts.aws.live && (opts.subnetsFile != "" || opts.enisFile != "") {
		return in, "", "", errors.New("--live reads the subnets and network interfaces from EC2: give --live, or --subnets-file and --enis-file, not both")
	}
	// An empty optional path is an input not given.
	files := []auditFile{
		{"--nodes", opts.nodes, inputs.MaxClusterFile, func(d []byte) (err error) { in.Nodes, err = kube.ParseNodes(d); return }, nil},
		{"--aws-node", opts.awsNode, inputs.MaxDaemonSet, func(d []byte) (err error) { in.CNI, _, err = kube.DaemonSetCNI(d); return }, nil},
		{"--eniconfigs", opts.eniConfigs, inputs.MaxClusterFile, func(d []byte) (err error) { in.ENIConfigs, err = kube.ParseENIConfigs(d); return }, &in.HasENIConfigs},
		// After --aws-node, whose version it takes.
		{"--cni-configmap", opts.cniConfigMap, inputs.MaxDaemonSet, func(d []byte) error {
			cfg, err := kube.WindowsCNI(d, in.CNI.Version)
			in.WindowsCNI = &cfg
			return err
		}, nil},
		{"--subnets-file", opts.subnetsFile, inputs.MaxSubnetsFile, func(d []byte) (err error) { in.Subnets, err = subnet.ParseDescribeSubnets(d); return }, &in.HasSubnets},
		{"--enis-file", opts.enisFile, inputs.MaxClusterFile, func(d []byte) (err error) { in.ENIs, err = subnet.ParseDescribeNetworkInterfaces(d); return }, &in.HasENIs},
		{"--pods", opts.pods, inputs.MaxClusterFile, func(d []byte) (err error) { in.Pods, err = kube.ParsePods(d); return }, &in.HasPods},
	}
	if stdin := slices.IndexFunc(files, func(f auditFile) bool { return f.path == "-" }); stdin >= 0 &&
		slices.ContainsFunc(files[stdin+1:], func(f auditFile) bool { return f.path == "-" }) {
		return in, "", "", errors.New("standard input (-) can feed one file only: give the others as paths")
	}
	for _, f := range files {
		if f.path == "" {
			continue
		}
		data, err := inputs.Read(f.path, opts.factory.streams.In, f.limit, f.flag)
		if err != nil {
			return in, "", "", err
		}
		if err := f.parse(data); err != nil {
			return in, "", "", fmt.Errorf("%s %s: %w", f.flag, f.path, err)
		}
		if f.given != nil {
			*f.given = true
		}
	}
	if in.Table, err = opts.factory.BaseTable(); err != nil {
		return in, "", "", err
	}
	return in, format, failOn, nil
}

// readLiveVPC reads the nodes' VPC from EC2: the VPC of the first node's
// interfaces (DescribeNetworkInterfaces by instance), then its subnets
// (DescribeSubnets) and every interface in it (DescribeNetworkInterfaces by
// VPC), paged and bounded as every EC2 read is.
func readLiveVPC(ctx context.Context, in *audit.Input, a *awsFlags) error {
	i := slices.IndexFunc(in.Nodes, func(n kube.Node) bool { return n.InstanceID != "" })
	if i < 0 {
		return errors.New("--live finds the VPC from the nodes' instance IDs, and no node has an aws:/// spec.providerID")
	}
	ctx, cancel := ec2limits.WithTimeout(ctx, a.timeout)
	defer cancel()
	cfg, err := ec2limits.LoadConfig(ctx, a.options())
	if err != nil {
		return err
	}
	api := ec2limits.NewClient(cfg, a.options(), "")
	_, vpcs, err := ec2limits.DescribeNetworkInterfaces(ctx, api, "attachment.instance-id", in.Nodes[i].InstanceID)
	switch {
	case err != nil:
		return fmt.Errorf("EC2 in %s: %w", cfg.Region, err)
	case len(vpcs) != 1:
		return fmt.Errorf("EC2 in %s: node %s (%s) has interfaces in %d VPCs: is --region the cluster's?", cfg.Region, in.Nodes[i].Name, in.Nodes[i].InstanceID, len(vpcs))
	}
	vpc, err := ec2limits.DescribeVPC(ctx, api, vpcs[0])
	if err != nil {
		return fmt.Errorf("EC2 in %s: %w", cfg.Region, err)
	}
	enis, _, err := ec2limits.DescribeNetworkInterfaces(ctx, api, "vpc-id", vpcs[0])
	if err != nil {
		return fmt.Errorf("EC2 in %s: %w", cfg.Region, err)
	}
	in.Subnets, in.ENIs, in.HasSubnets, in.HasENIs = vpc.Subnets, enis, true, true
	return nil
}

// auditSourceFlags are the flags that give each audit input.
var auditSourceFlags = map[audit.Source]string{
	audit.SourceSubnets: "--subnets-file",
	audit.SourceENIs:    "--enis-file",
	audit.SourcePods:    "--pods",
}

// auditView renders a report: one row per finding, most severe first, then
// the summary line and the checks skipped; -o wide adds the figures behind
// them, a table of the subnets and one of the nodes.
type auditView struct{ *audit.Report }

// writeFigures writes -o wide's subnet and node tables.
func (v auditView) writeFigures(w io.Writer) error {
	count := func(n int, known bool) string {
		if !known {
			return "-"
		}
		return strconv.Itoa(n)
	}
	var subnets [][]string
	for _, s := range v.Subnets {
		runsOut := "-"
		if s.RunsOutMonth > 0 {
			runsOut = fmt.Sprintf("month %d", s.RunsOutMonth)
		}
		subnets = append(subnets, []string{s.ID, s.AZ, s.CIDR, strconv.Itoa(s.Available), strconv.Itoa(s.Nodes),
			strconv.Itoa(s.DemandAddresses), strconv.Itoa(s.DemandBlocks), count(s.MoreAddresses, s.HeldKnown), count(s.FreeBlocks, s.FreeBlocks >= 0), runsOut})
	}
	var nodes [][]string
	for _, n := range v.Nodes {
		pod := n.PodSubnet
		if len(n.DiscoveredSubnets) > 1 {
			pod = strings.Join(n.DiscoveredSubnets, ",")
		}
		nodes = append(nodes, []string{n.Name, n.InstanceType, n.Zone, n.OS, strconv.Itoa(n.CapacityPods), strconv.Itoa(n.ENILimitedPods),
			strconv.Itoa(n.RecommendedMaxPods), orDash(n.NodeSubnet), orDash(pod), strconv.Itoa(n.ENIs), strconv.Itoa(n.HeldAddresses), strconv.Itoa(n.HeldPrefixes)})
	}
	for _, t := range []struct {
		header []string
		rows   [][]string
	}{
		{[]string{"SUBNET", "AZ", "CIDR", "AVAILABLE", "NODES", "DEMAND", "DEMAND /28S", "MORE", "FREE /28S", "RUNS OUT"}, subnets},
		{[]string{"NODE", "TYPE", "ZONE", "OS", "MAX PODS", "ENI LIMIT", "RECOMMENDED", "NODE SUBNET", "POD SUBNET", "ENIS", "HELD", "HELD /28S"}, nodes},
	} {
		if len(t.rows) == 0 {
			continue
		}
		if _, err := fmt.Fprintln(w); err != nil {
			return err
		}
		if err := render.WriteTable(w, t.header, t.rows); err != nil {
			return err
		}
	}
	return nil
}

func (v auditView) TableHeader(bool) []string {
	return []string{"SEVERITY", "KIND", "OBJECT", "MESSAGE"}
}

func (v auditView) TableRows(bool) [][]string {
	rows := make([][]string, 0, len(v.Findings))
	for _, f := range v.Findings {
		rows = append(rows, []string{string(f.Severity), string(f.Kind), f.Object, f.Message})
	}
	return rows
}

func (v auditView) Footnotes() []string {
	s := v.Summary
	lines := []string{fmt.Sprintf("%s and %s audited: %s, %s, %s.", prose.Count(s.Nodes, "node", "nodes"), prose.Count(s.Subnets, "subnet", "subnets"),
		prose.Count(s.Errors, "error", "errors"), prose.Count(s.Warnings, "warning", "warnings"), strconv.Itoa(s.Infos)+" info")}
	for _, skipped := range v.Skipped {
		var flags []string
		for _, src := range skipped.Needs {
			flags = append(flags, auditSourceFlags[src])
		}
		lines = append(lines, fmt.Sprintf("not checked: %s (needs %s)", skipped.Kind, prose.JoinAnd(flags)))
	}
	return lines
}
