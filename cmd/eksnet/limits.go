package main

import (
	"context"
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/spf13/cobra"

	"github.com/eksnet/eksnet/internal/limits"
	"github.com/eksnet/eksnet/internal/render"
)

func newLimitsCmd(f *factory) *cobra.Command {
	cmd := &cobra.Command{
		Use:   "limits",
		Short: "The instance facts eksnet computes from",
	}
	cmd.AddCommand(newLimitsListCmd(f), newLimitsShowCmd(f), newLimitsUpdateCmd(f))
	return cmd
}

// limitsQuery is what limits list and show share: the output format and
// where the facts come from (the offline table, or EC2 with --live).
type limitsQuery struct {
	factory *factory
	output  string
	aws     awsFlags
}

func (q *limitsQuery) bind(cmd *cobra.Command) {
	outputFlag(cmd, &q.output, render.StandardFormats)
	q.aws.bind(cmd, liveLimits, 30*time.Second)
}

// load checks -o, then returns the table holding the selected types.
func (q *limitsQuery) load(ctx context.Context, sel limits.Selection) (*limits.Table, render.Format, error) {
	format, err := render.ParseFormat(q.output)
	if err != nil {
		return nil, "", err
	}
	table, err := q.factory.Table(ctx, sel, &q.aws)
	return table, format, err
}

type limitsListOptions struct {
	limitsQuery
	pattern string
}

func newLimitsListCmd(f *factory) *cobra.Command {
	opts := &limitsListOptions{limitsQuery: limitsQuery{factory: f}}
	cmd := &cobra.Command{
		Use:   "list [GLOB]",
		Short: "List instance types and their network limits",
		Example: `  eksnet limits list 'm5.*'
  eksnet limits list -o json
  eksnet limits list 'm7i.*' --live`,
		Args: maxArgs(1, "GLOB"),
		RunE: func(cmd *cobra.Command, args []string) error {
			if len(args) == 1 {
				opts.pattern = args[0]
			}
			return runLimitsList(cmd.Context(), opts)
		},
	}
	opts.bind(cmd)
	return cmd
}

func runLimitsList(ctx context.Context, opts *limitsListOptions) error {
	sel := limits.Selection{All: opts.pattern == ""}
	if opts.pattern != "" {
		sel.Args = []string{opts.pattern}
	}
	table, format, err := opts.load(ctx, sel)
	if err != nil {
		return err
	}
	instances := table.All()
	if opts.pattern != "" {
		if instances, err = table.Resolve([]string{opts.pattern}); err != nil {
			return err
		}
	}
	return render.Write(opts.factory.streams.Out, format, newInstancesView(instances))
}

type limitsShowOptions struct {
	limitsQuery
	name string
}

func newLimitsShowCmd(f *factory) *cobra.Command {
	opts := &limitsShowOptions{limitsQuery: limitsQuery{factory: f}}
	cmd := &cobra.Command{
		Use:   "show TYPE",
		Short: "Show one instance type's network limits",
		Example: `  eksnet limits show p5.48xlarge
  eksnet limits show m8g.large --live --region us-west-2`,
		Args: exactArgs(1, "TYPE"),
		RunE: func(cmd *cobra.Command, args []string) error {
			opts.name = args[0]
			return runLimitsShow(cmd.Context(), opts)
		},
		ValidArgsFunction: func(cmd *cobra.Command, args []string, toComplete string) ([]string, cobra.ShellCompDirective) {
			if len(args) > 0 {
				return nil, cobra.ShellCompDirectiveNoFileComp
			}
			return completeInstanceTypes(f)(cmd, args, toComplete)
		},
	}
	opts.bind(cmd)
	return cmd
}

func runLimitsShow(ctx context.Context, opts *limitsShowOptions) error {
	if limits.IsPattern(opts.name) {
		return fmt.Errorf("limits show takes one instance type, not the pattern %q: use eksnet limits list %q", opts.name, opts.name)
	}
	table, format, err := opts.load(ctx, limits.Selection{Args: []string{opts.name}})
	if err != nil {
		return err
	}
	inst, err := table.Lookup(opts.name)
	if err != nil {
		return err
	}
	return render.Write(opts.factory.streams.Out, format, instanceDetail(newInstanceFacts(inst)))
}

// instanceFacts is an instance type as eksnet's JSON shows it: the table's
// fields with the type's name first.
type instanceFacts struct {
	InstanceType string `json:"instanceType"`
	limits.Instance
	TotalENIs int `json:"totalENIs"`
}

func newInstanceFacts(inst limits.Instance) instanceFacts {
	return instanceFacts{InstanceType: inst.Name, Instance: inst, TotalENIs: inst.TotalENIs()}
}

type instancesView []instanceFacts

func newInstancesView(instances []limits.Instance) instancesView {
	view := make(instancesView, len(instances))
	for i, inst := range instances {
		view[i] = newInstanceFacts(inst)
	}
	return view
}

func (v instancesView) TableHeader(wide bool) []string {
	header := []string{"TYPE", "VCPUS", "MEMORY MIB", "HYPERVISOR", "BARE METAL", "ENIS", "IPV4/ENI", "TRUNKING", "BRANCH ENIS"}
	if wide {
		header = append(header, "IPV6/ENI", "IPV6", "NETWORK CARDS", "TOTAL ENIS")
	}
	return header
}

func (v instancesView) TableRows(wide bool) [][]string {
	rows := make([][]string, len(v))
	for i, f := range v {
		trunking, branches := trunkingCells(f.Instance)
		rows[i] = []string{
			f.InstanceType, unknownIfZero(f.VCPUs), unknownIfZero(f.MemoryMiB), orDash(f.Hypervisor), strconv.FormatBool(f.BareMetal),
			strconv.Itoa(f.MaxENIs), strconv.Itoa(f.IPv4PerENI), trunking, branches,
		}
		if wide {
			rows[i] = append(rows[i], strconv.Itoa(f.IPv6PerENI), strconv.FormatBool(f.IPv6Supported),
				strconv.Itoa(len(f.NetworkCards)), strconv.Itoa(f.TotalENIs))
		}
	}
	return rows
}

func (v instancesView) Values() []string {
	names := make([]string, len(v))
	for i, f := range v {
		names[i] = f.InstanceType
	}
	return names
}

// instanceDetail shows one type as FIELD VALUE lines.
type instanceDetail instanceFacts

func (d instanceDetail) TableHeader(bool) []string { return []string{"FIELD", "VALUE"} }

func (d instanceDetail) TableRows(bool) [][]string {
	trunking, branches := trunkingCells(d.Instance)
	cards := make([]string, len(d.NetworkCards))
	sameSize := true
	for i, c := range d.NetworkCards {
		cards[i] = strconv.Itoa(c.Index) + ":" + strconv.Itoa(c.MaxENIs)
		sameSize = sameSize && c.MaxENIs == d.NetworkCards[0].MaxENIs
	}
	cardsCell := strings.Join(cards, " ") + " (card:ENIs)"
	if sameSize && len(cards) > 1 {
		cardsCell = strconv.Itoa(len(cards)) + " cards of " + strconv.Itoa(d.NetworkCards[0].MaxENIs) + " ENIs"
	}
	return [][]string{
		{"instanceType", d.InstanceType},
		{"vcpus", unknownIfZero(d.VCPUs)},
		{"memoryMiB", unknownIfZero(d.MemoryMiB)},
		{"hypervisor", orDash(d.Hypervisor)},
		{"bareMetal", strconv.FormatBool(d.BareMetal)},
		{"maxENIs", strconv.Itoa(d.MaxENIs) + " (default network card " + strconv.Itoa(d.DefaultNetworkCardIndex) + ")"},
		{"totalENIs", strconv.Itoa(d.TotalENIs) + " (all cards; the VPC CNI uses only the default card)"},
		{"networkCards", cardsCell},
		{"ipv4PerENI", strconv.Itoa(d.IPv4PerENI)},
		{"ipv6PerENI", strconv.Itoa(d.IPv6PerENI)},
		{"ipv6Supported", strconv.FormatBool(d.IPv6Supported)},
		{"trunking", trunking},
		{"branchInterfaces", branches},
	}
}

func (d instanceDetail) Values() []string { return []string{d.InstanceType} }

func trunkingCells(inst limits.Instance) (trunking, branches string) {
	supported, known := inst.SupportsTrunking()
	if !known {
		return "unknown", "unknown"
	}
	branches = "0"
	if inst.BranchInterfaces != nil {
		branches = strconv.Itoa(*inst.BranchInterfaces)
	}
	return strconv.FormatBool(supported), branches
}

func unknownIfZero(n int) string {
	if n == 0 {
		return "unknown"
	}
	return strconv.Itoa(n)
}
