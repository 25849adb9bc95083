package main

import (
	"context"
	"errors"
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/spf13/cobra"

	"github.com/eksnet/eksnet/internal/ec2limits"
	"github.com/eksnet/eksnet/internal/formula"
	"github.com/eksnet/eksnet/internal/limits"
	"github.com/eksnet/eksnet/internal/render"
)

type maxPodsOptions struct {
	factory       *factory
	types         []string
	legacyTypes   []string // --instance-type, the legacy calculator's spelling
	all           bool
	nodeGroup     bool
	output        string
	cni           cniFlags
	aws           awsFlags
	outputChanged bool
	legacyNotes   []string // what the legacy spelling changed, for stderr
	fromIMDS      bool     // --instance-type-from-imds
}

// legacy reports the removed calculator's spelling: --instance-type or
// --instance-type-from-imds.
func (o *maxPodsOptions) legacy() bool { return len(o.legacyTypes) > 0 || o.fromIMDS }

func newMaxPodsCmd(f *factory, runF func(*maxPodsOptions) error) *cobra.Command {
	opts := &maxPodsOptions{factory: f}
	cmd := &cobra.Command{
		Use:   "maxpods [TYPE|GLOB]... [--all]",
		Short: "Max pods per instance type in every VPC CNI mode",
		Long: `Print how many pods a node of each instance type can run, with the formula
and its numbers, for the VPC CNI configuration given by the flags.

TYPE may be a glob such as 'm5.*' or 'c7g*' (quote it from the shell).
The flags of the removed AL2 max-pods-calculator.sh are accepted as well:
--instance-type, --cni-custom-networking-enabled, --cni-prefix-delegation-enabled,
--cni-max-eni; with --instance-type the bare number is printed, as it did.`,
		Example: `  eksnet maxpods c3.large
  eksnet maxpods m5.large --prefix-delegation -o value
  eksnet maxpods 'm5.*' --custom-networking -o wide
  eksnet maxpods m5.large c5.xlarge t3.medium --node-group
  eksnet maxpods m7i.large --live --region eu-west-1`,
		RunE: func(cmd *cobra.Command, args []string) error {
			if opts.fromIMDS {
				if len(args) > 0 || len(opts.legacyTypes) > 0 || opts.all {
					return errors.New("--instance-type-from-imds reads the node's own type: give no other type, and no --all")
				}
				name, err := ec2limits.InstanceTypeFromIMDS(cmd.Context())
				if err != nil {
					return err
				}
				opts.legacyTypes = []string{name}
			}
			opts.types = append(args, opts.legacyTypes...)
			opts.outputChanged = cmd.Flags().Changed("output")
			query := opts.cni.query
			if opts.legacy() {
				query = func(cmd *cobra.Command) (formula.Query, error) {
					q, notes, err := opts.cni.legacyQuery(cmd)
					opts.legacyNotes = notes
					return q, err
				}
			}
			cfg, err := query(cmd)
			if err != nil {
				return err
			}
			if runF != nil {
				return runF(opts)
			}
			return runMaxPods(cmd.Context(), opts, cfg)
		},
	}
	opts.cni.bind(cmd)
	opts.aws.bind(cmd, liveLimits, 30*time.Second)
	fs := cmd.Flags()
	fs.BoolVar(&opts.all, "all", false, "every instance type in the table")
	fs.BoolVar(&opts.nodeGroup, "node-group", false, "one value for a node group of these types: the smallest")
	outputFlag(cmd, &opts.output, render.StandardFormats)
	fs.StringArrayVar(&opts.legacyTypes, "instance-type", nil, "instance type (the legacy calculator's spelling of TYPE)")
	_ = cmd.RegisterFlagCompletionFunc("instance-type", completeInstanceTypes(f))
	fs.BoolVar(&opts.fromIMDS, "instance-type-from-imds", false, "take the instance type from this node's instance metadata (IMDSv2), as the legacy calculator did")
	cmd.ValidArgsFunction = completeInstanceTypes(f)
	return cmd
}

func runMaxPods(ctx context.Context, opts *maxPodsOptions, cfg formula.Query) error {
	format, err := render.ParseFormat(opts.output)
	if err != nil {
		return err
	}
	if opts.legacy() && !opts.outputChanged {
		format = render.Value
	}
	if err := checkSelection(opts.types, opts.all); err != nil {
		return err
	}
	table, err := opts.factory.Table(ctx, limits.Selection{Args: opts.types, All: opts.all}, &opts.aws)
	if err != nil {
		return err
	}
	instances, err := selectInstances(table, opts.types, opts.all)
	if err != nil {
		return err
	}
	// One named type that cannot run the mode is an error, except in the
	// legacy spelling, which prints what the CNI would apply, as the script
	// did, with the fallback on stderr: launch templates shared by several
	// types run it in node bootstrap.
	results, err := computeAll(instances, cfg, singleNamedType(opts.types, opts.all) && !opts.legacy())
	if err != nil {
		return err
	}
	if opts.legacy() {
		for _, n := range opts.legacyNotes {
			fmt.Fprintln(opts.factory.streams.Err, "eksnet: note: "+n)
		}
		for _, r := range results {
			if err := formula.Strict(r); err != nil { // the typed fallback, rendered
				fmt.Fprintln(opts.factory.streams.Err, "eksnet: note: "+err.Error())
			}
		}
	}
	if opts.nodeGroup {
		group, err := formula.NodeGroup(results)
		if err != nil {
			return err
		}
		return render.Write(opts.factory.streams.Out, format, nodeGroupView(group))
	}
	return render.Write(opts.factory.streams.Out, format, maxPodsView(results))
}

// checkSelection rejects a selection that names nothing, or both types and --all.
func checkSelection(args []string, all bool) error {
	switch {
	case all && len(args) > 0:
		return errors.New("give instance types or --all, not both")
	case !all && len(args) == 0:
		return errors.New("no instance type given: name one or more types (m5.large, 'm5.*') or use --all")
	}
	return nil
}

// selectInstances resolves the TYPE and GLOB arguments, or takes every type.
func selectInstances(table *limits.Table, args []string, all bool) ([]limits.Instance, error) {
	if err := checkSelection(args, all); err != nil {
		return nil, err
	}
	if all {
		return table.All(), nil
	}
	return table.Resolve(args)
}

// singleNamedType reports whether the user named exactly one type, without a
// glob: then a mode that type cannot run is an error, not a fallback.
func singleNamedType(args []string, all bool) bool {
	return !all && len(args) == 1 && !limits.IsPattern(args[0])
}

// computeAll computes max pods for each instance, in order.
func computeAll(instances []limits.Instance, cfg formula.Query, strict bool) ([]formula.Result, error) {
	results := make([]formula.Result, 0, len(instances))
	for _, inst := range instances {
		r, err := formula.Compute(inst, cfg)
		if err != nil {
			return nil, err
		}
		if strict {
			if err := formula.Strict(r); err != nil {
				return nil, err
			}
		}
		results = append(results, r)
	}
	return results, nil
}

// maxPodsView is the table and value view of max pods results.
type maxPodsView []formula.Result

func (v maxPodsView) TableHeader(wide bool) []string {
	if wide {
		return []string{"TYPE", "VCPUS", "HYPERVISOR", "ENIS", "IPV4/ENI", "MODE", "POD ENIS", "FORMULA", "CAP", "MAX PODS", "KUBE-RESERVED MEM", "KUBE-RESERVED CPU"}
	}
	return []string{"TYPE", "MODE", "FORMULA", "CAP", "MAX PODS"}
}

func (v maxPodsView) TableRows(wide bool) [][]string {
	rows := make([][]string, 0, len(v))
	for _, r := range v {
		maxPods := strconv.Itoa(r.MaxPods)
		if !r.Supported {
			maxPods = "unsupported"
		}
		if wide {
			rows = append(rows, []string{
				r.InstanceType, strconv.Itoa(r.VCPUs), orDash(r.Hypervisor), strconv.Itoa(r.MaxENIs), strconv.Itoa(r.IPv4PerENI),
				string(r.Mode), strconv.Itoa(r.PodENIs), r.Formula, strconv.Itoa(r.RecommendedCap), maxPods,
				fmt.Sprintf("%dMi", r.KubeReservedMemoryMiB), fmt.Sprintf("%dm", r.KubeReservedCPUMillicores),
			})
			continue
		}
		rows = append(rows, []string{r.InstanceType, string(r.Mode), r.Formula, strconv.Itoa(r.RecommendedCap), maxPods})
	}
	return rows
}

func (v maxPodsView) Footnotes() []string {
	var lines []string
	for _, r := range v {
		for _, n := range r.Notes {
			lines = append(lines, fmt.Sprintf("note: %s: %s", r.InstanceType, n))
		}
	}
	if len(lines) > 0 {
		lines = append([]string{""}, lines...)
	}
	return lines
}

func (v maxPodsView) Values() []string {
	values := make([]string, len(v))
	for i, r := range v {
		values[i] = strconv.Itoa(r.MaxPods)
	}
	return values
}

// nodeGroupView shows the types' table and then the group's one value.
type nodeGroupView formula.NodeGroupValue

func (g nodeGroupView) TableHeader(wide bool) []string {
	return maxPodsView(g.InstanceTypes).TableHeader(wide)
}

func (g nodeGroupView) TableRows(wide bool) [][]string {
	return maxPodsView(g.InstanceTypes).TableRows(wide)
}

func (g nodeGroupView) Footnotes() []string {
	return append(maxPodsView(g.InstanceTypes).Footnotes(), "",
		fmt.Sprintf("node group max pods: %d (set by %s, the smallest); kube-reserved memory %dMi", g.MaxPods, g.SetBy, g.KubeReservedMemoryMiB))
}

func (g nodeGroupView) Values() []string { return []string{strconv.Itoa(g.MaxPods)} }

func orDash(s string) string {
	if strings.TrimSpace(s) == "" {
		return "-"
	}
	return s
}
