package main

import (
	"errors"
	"fmt"
	"strconv"
	"strings"

	"github.com/spf13/cobra"
	"github.com/spf13/pflag"

	"github.com/eksnet/eksnet/internal/capacity"
	"github.com/eksnet/eksnet/internal/cni"
	"github.com/eksnet/eksnet/internal/inputs"
	"github.com/eksnet/eksnet/internal/ipam"
	"github.com/eksnet/eksnet/internal/limits"
	"github.com/eksnet/eksnet/internal/prose"
	"github.com/eksnet/eksnet/internal/render"
	"github.com/eksnet/eksnet/internal/subnet"
)

func newSubnetCmd(f *factory) *cobra.Command {
	cmd := &cobra.Command{
		Use:   "subnet",
		Short: "Subnet sizes for EKS nodes, from the VPC CNI's warm pool",
	}
	cmd.AddCommand(newSubnetSizeCmd(f, nil))
	return cmd
}

type subnetSizeOptions struct {
	factory      *factory
	instanceType string
	nodes        int
	podsPerNode  int
	azs          int
	surge        int
	futureNodes  int
	growth       string
	months       int
	headroom     string
	maxPods      int
	sgPods       int
	subnet       string
	used         int
	subnetsFile  string
	explain      bool
	output       string
	cni          cniFlags
	changed      map[string]bool // flags given on the command line, the environment or the config file
}

func newSubnetSizeCmd(f *factory, runF func(*subnetSizeOptions) error) *cobra.Command {
	opts := &subnetSizeOptions{factory: f}
	cmd := &cobra.Command{
		Use:   "size --instance-type TYPE --nodes N",
		Short: "Addresses per node and the subnet each AZ needs, now and as the cluster grows",
		Long: `Compute how many addresses one node takes from its subnets under the VPC CNI
(whole spare ENIs by default, /28 prefixes with prefix delegation, one primary
address per ENI, trunk and branch ENIs), then the subnet each AZ needs for the
nodes now and at the future size: the smallest prefix (5 addresses reserved per
subnet; with prefixes, whole aligned /28 blocks, never the first or last of the
subnet), a recommended prefix with headroom, and how full it is.

Pods per node default to the high-water mark, max pods − 2: ipamd rarely gives
pool addresses back, so a node keeps its peak. Nodes spread evenly over the AZs,
rounding up, plus --surge spare nodes per AZ for rolling updates.

With --subnet CIDR (and --used N) or --subnets-file (the JSON of
aws ec2 describe-subnets), each subnet is checked against its AZ's demand, and
with a monthly --growth, eksnet says in which month it runs out.

When the demand does not fit a /16 or the given subnet, eksnet says by how much
and which single change fits (WARM_IP_TARGET, prefix delegation, custom
networking, more AZs), and exits 1.`,
		Example: `  eksnet subnet size --instance-type m5.large --nodes 100 --azs 3 --surge 0
  eksnet subnet size --instance-type m5.xlarge --nodes 60 --prefix-delegation --growth 40% --explain
  eksnet subnet size --instance-type m5.large --nodes 100 --subnet 10.0.0.0/21 --used 1050 --growth 5%/month
  eksnet subnet size --instance-type m5.large --nodes 100 --subnets-file subnets.json --growth +10/month -o json`,
		Args: noArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			opts.changed = map[string]bool{}
			cmd.Flags().Visit(func(fl *pflag.Flag) { opts.changed[fl.Name] = true })
			if runF != nil {
				return runF(opts)
			}
			cfg, err := opts.cni.config(cmd)
			if err != nil {
				return err
			}
			return runSubnetSize(opts, cfg)
		},
	}
	opts.cni.bind(cmd)
	fs := cmd.Flags()
	fs.StringVar(&opts.instanceType, "instance-type", "", "EC2 instance type of the nodes (required)")
	_ = cmd.RegisterFlagCompletionFunc("instance-type", completeInstanceTypes(f))
	fs.IntVar(&opts.nodes, "nodes", 0, "nodes in the cluster now (required, at least 1)")
	fs.IntVar(&opts.podsPerNode, "pods-per-node", 0, "pods per node that need a VPC address (default: max pods − 2 − SG pods, the high-water mark)")
	fs.IntVar(&opts.azs, "azs", capacity.DefaultAZs, "availability zones the nodes spread over")
	fs.IntVar(&opts.surge, "surge", capacity.DefaultSurge, "spare nodes per AZ during rolling updates")
	fs.IntVar(&opts.futureNodes, "future-nodes", 0, "nodes to plan for (default: --nodes grown by --growth)")
	fs.StringVar(&opts.growth, "growth", "", "growth: 40% or +50 once, 5%/month or +10/month (runway)")
	fs.IntVar(&opts.months, "months", capacity.DefaultGrowthMonths, "months of a monthly --growth to plan for")
	fs.StringVar(&opts.headroom, "headroom", strconv.Itoa(capacity.DefaultHeadroomPercent)+"%", "room on top of the future demand for the recommended prefix")
	fs.IntVar(&opts.maxPods, "max-pods", 0, "the kubelet's max pods, if not eksnet's value for the type")
	opts.cni.bindWarmPool(cmd)
	fs.IntVar(&opts.sgPods, "sg-pods-per-node", 0, "pods per node with security groups for pods (a branch ENI each)")
	fs.StringVar(&opts.subnet, "subnet", "", "an existing subnet (CIDR) to check, in one AZ")
	fs.IntVar(&opts.used, "used", 0, "addresses in use in --subnet now (default: the model's demand now)")
	fs.StringVar(&opts.subnetsFile, "subnets-file", "", "existing subnets to check: the JSON of aws ec2 describe-subnets")
	fs.BoolVar(&opts.explain, "explain", false, "show how the per-node numbers were reached, step by step")
	outputFlag(cmd, &opts.output, render.StandardFormats)
	return cmd
}

func runSubnetSize(opts *subnetSizeOptions, cfg cni.Config) error {
	format, err := render.ParseFormat(opts.output)
	if err != nil {
		return err
	}
	req, err := opts.request(cfg)
	if err != nil {
		return err
	}
	plan, err := capacity.Size(req)
	if err != nil {
		return sizeFlagError(err)
	}
	if !opts.explain {
		plan.PerNode.Steps = nil
	}
	if err := render.Write(opts.factory.streams.Out, format, subnetSizeView(plan)); err != nil {
		return err
	}
	return plan.Err()
}

// request checks the flags, naming them in errors, and builds the sizing request.
func (o *subnetSizeOptions) request(cfg cni.Config) (capacity.Request, error) {
	var req capacity.Request
	switch {
	case strings.TrimSpace(o.instanceType) == "":
		return req, errors.New("no instance type given: use --instance-type, such as --instance-type m5.large")
	case limits.IsPattern(o.instanceType):
		return req, fmt.Errorf("--instance-type takes one type, not a pattern like %q", o.instanceType)
	case !o.changed["nodes"]:
		return req, errors.New("--nodes is required: the nodes in the cluster now, at least 1")
	case o.changed["pods-per-node"] && o.podsPerNode < 0:
		return req, fmt.Errorf("invalid --pods-per-node %d: must be 0 or more", o.podsPerNode)
	case o.months < 1 || o.months > subnet.MaxHorizonMonths:
		return req, fmt.Errorf("invalid --months %d: must be 1 to %d", o.months, subnet.MaxHorizonMonths)
	case o.sgPods > 0 && !cfg.SecurityGroupsForPods:
		return req, fmt.Errorf("--sg-pods-per-node %d needs --security-groups-for-pods", o.sgPods)
	case o.subnet != "" && o.subnetsFile != "":
		return req, errors.New("give --subnet or --subnets-file, not both")
	case o.changed["used"] && o.subnet == "":
		return req, errors.New("--used needs --subnet: the addresses in use in that subnet")
	case o.changed["used"] && o.used < 0:
		return req, fmt.Errorf("invalid --used %d: must be 0 or more", o.used)
	}
	// A flag given as 0 is not the engine's "unset" 0: refused here, where
	// it is known to be given. The other bounds are the engine's (size),
	// named as flags by sizeFlagError.
	for _, c := range []struct {
		flag      string
		v, lo, hi int
		given     bool
	}{
		{"--future-nodes", o.futureNodes, 1, capacity.MaxNodes, o.changed["future-nodes"]},
		{"--max-pods", o.maxPods, 1, capacity.MaxMaxPods, o.changed["max-pods"]},
		{"--pods-per-node", o.podsPerNode, 0, capacity.MaxMaxPods, o.changed["pods-per-node"]},
		{"--sg-pods-per-node", o.sgPods, 0, capacity.MaxMaxPods, true},
	} {
		if c.given {
			if err := capacity.CheckRange(c.flag, c.v, c.lo, c.hi); err != nil {
				return req, err
			}
		}
	}
	headroom, err := subnet.ParseHeadroom(o.headroom)
	if err != nil {
		return req, fmt.Errorf("invalid --headroom %q: %w", o.headroom, err)
	}

	table, err := o.factory.BaseTable()
	if err != nil {
		return req, err
	}
	inst, err := table.Lookup(o.instanceType)
	if err != nil {
		return req, err
	}
	req = capacity.NewRequest(inst, o.nodes)
	req.CNI, req.SGPodsPerNode = cfg, o.sgPods
	req.AZs, req.Surge, req.HeadroomPercent, req.GrowthMonths = o.azs, o.surge, headroom, o.months
	req.MaxPods = o.maxPods
	if o.changed["pods-per-node"] {
		req.PodsPerNode = o.podsPerNode
	}
	if o.changed["future-nodes"] {
		req.FutureNodes = o.futureNodes
	}
	if o.growth != "" {
		if req.Growth, err = subnet.ParseGrowth(o.growth); err != nil {
			return req, err
		}
		if req.FutureNodes != 0 && !req.Growth.Monthly() {
			return req, fmt.Errorf("give --future-nodes or --growth %s, not both (a monthly --growth may go with --future-nodes, for the runway)", req.Growth)
		}
	}
	switch {
	case o.subnet != "":
		cidr, err := subnet.ParseSubnetCIDR(o.subnet)
		if err != nil {
			return req, fmt.Errorf("invalid --subnet: %w", err)
		}
		used := -1
		if o.changed["used"] {
			used = o.used
		}
		req.Existing = []capacity.Existing{{CIDR: cidr, Used: used}}
	case o.subnetsFile != "":
		data, err := inputs.Read(o.subnetsFile, o.factory.streams.In, inputs.MaxSubnetsFile, "--subnets-file")
		if err != nil {
			return req, err
		}
		existing, err := subnet.ParseDescribeSubnets(data)
		if err != nil {
			return req, fmt.Errorf("--subnets-file %s: %w", o.subnetsFile, err)
		}
		if len(existing) == 0 {
			return req, fmt.Errorf("--subnets-file %s holds no IPv4 subnet", o.subnetsFile)
		}
		for _, e := range existing {
			req.Existing = append(req.Existing, capacity.Existing{ID: e.ID, AZ: e.AZ, CIDR: e.CIDR, Used: e.Used()})
		}
	}
	return req, nil
}

// sizeFlags are the flags that set the engine's fields.
var sizeFlags = map[string]string{
	capacity.FieldNodes: "--nodes", capacity.FieldAZs: "--azs", capacity.FieldSurge: "--surge",
	capacity.FieldMaxPods: "--max-pods", capacity.FieldFutureNodes: "--future-nodes",
}

// sizeFlagError names the engine's field errors by their flags.
func sizeFlagError(err error) error {
	var rangeErr *capacity.RangeError
	var future *capacity.FutureNodesError
	switch {
	case errors.As(err, &rangeErr) && sizeFlags[rangeErr.Field] != "":
		named := *rangeErr
		named.Field = sizeFlags[rangeErr.Field]
		return &named
	case errors.As(err, &future):
		return fmt.Errorf("invalid --future-nodes %d: must be at least --nodes %d", future.Future, future.Now)
	}
	return err
}

// subnetSizeView is the table and value view of a sizing plan; JSON and YAML
// are the plan itself.
type subnetSizeView capacity.Plan

func (v subnetSizeView) TableHeader(wide bool) []string {
	header := []string{"AZ", "SUBNET", "NODES", "ADDRESSES", "FUTURE NODES", "FUTURE ADDRESSES", "MINIMUM", "RECOMMENDED", "USED"}
	if wide {
		header = append(header, "USABLE", "/28 BLOCKS", "FUTURE /28 BLOCKS", "USED NOW")
	}
	return header
}

func (v subnetSizeView) TableRows(wide bool) [][]string {
	var rows [][]string
	for _, az := range v.AZs {
		for _, n := range []*capacity.SubnetNeed{&az.SubnetNeed, az.PodSubnet} {
			if n == nil {
				continue
			}
			row := []string{strconv.Itoa(az.AZ), n.Role, strconv.Itoa(az.Nodes), strconv.Itoa(n.AddressesNeeded),
				strconv.Itoa(az.FutureNodes), strconv.Itoa(n.AddressesNeededFuture), prefixOrNone(n.MinimumPrefixLength),
				prefixOrNone(n.RecommendedPrefixLength), percentOrNone(n.UtilisationFuture, n.Fits)}
			if wide {
				row = append(row, strconv.Itoa(n.UsableAddresses), strconv.Itoa(n.PrefixesNeeded), strconv.Itoa(n.PrefixesNeededFuture),
					percentOrNone(n.Utilisation, n.Fits))
			}
			rows = append(rows, row)
		}
	}
	return rows
}

func (v subnetSizeView) Footnotes() []string {
	lines := []string{"", fmt.Sprintf("%s, %s: max pods %d, %d pods per node%s", v.InstanceType, v.Mode, v.MaxPods, v.PodsPerNode, sgPodsTerm(v.SGPodsPerNode)),
		perNodeLine(v.PerNode)}
	first := v.AZs[0]
	for _, n := range []*capacity.SubnetNeed{&first.SubnetNeed, first.PodSubnet} {
		if n != nil {
			lines = append(lines, v.summary(*n))
		}
	}
	for _, es := range v.ExistingSubnets {
		lines = append(lines, existingLine(es, v.FutureNodes, first.FutureNodes, v.Growth))
	}
	if len(v.PerNode.Steps) > 0 {
		lines = append(lines, "", "how one node's addresses add up (docs/node-addresses.md):")
		for _, s := range v.PerNode.Steps {
			lines = append(lines, "  "+s.String())
		}
	}
	if len(v.Notes) > 0 {
		lines = append(lines, "")
		for _, n := range v.Notes {
			lines = append(lines, "note: "+n)
		}
	}
	if !v.Fits {
		lines = append(lines, "", "does not fit: "+strings.Join(v.Problems, "; "))
		if len(v.Changes) == 0 {
			lines = append(lines, "no single change fits")
		} else {
			lines = append(lines, "changes that fit, the least disruptive first:")
			for _, c := range v.Changes {
				lines = append(lines, fmt.Sprintf("  %s (%s): %d addresses, a %s; %s", c.Flags, c.Setting, c.AddressesNeededFuture, prefixOrNone(c.MinimumPrefixLength), c.Note))
			}
		}
	}
	return lines
}

// summary is the one-line answer: "/19 per AZ: 8187 usable, 61% used at 300 nodes".
func (v subnetSizeView) summary(n capacity.SubnetNeed) string {
	if !n.Fits {
		return fmt.Sprintf("%s subnet: more than a /16 per AZ: %d addresses too many", n.Role, n.OverBy)
	}
	size := fmt.Sprintf("/%d", n.RecommendedPrefixLength)
	if n.Subnets > 1 {
		size = fmt.Sprintf("%d × /%d (discovered, each with an even share)", n.Subnets, n.RecommendedPrefixLength)
	}
	line := fmt.Sprintf("%s subnet: %s per AZ: %d usable, %s used at %s", n.Role, size, n.UsableAddresses, percent(n.Utilisation), prose.Count(v.Nodes, "node", "nodes"))
	if v.FutureNodes != v.Nodes {
		line += fmt.Sprintf(", %s at %s", percent(n.UtilisationFuture), prose.Count(v.FutureNodes, "node", "nodes"))
	}
	return line + fmt.Sprintf(" (at least a /%d; %d%% headroom)", n.MinimumPrefixLength, v.HeadroomPercent)
}

func perNodeLine(d ipam.Demand) string {
	parts := []string{prose.Count(d.ENIs, "ENI", "ENIs")}
	if d.TrunkENI {
		parts[0] += " (1 trunk)"
	}
	switch d.Mode {
	case cni.ModeIPv6:
		parts = append(parts, "pods on one IPv6 /80")
	case cni.ModePrefixDelegation:
		parts = append(parts, fmt.Sprintf("%s (%d pool addresses)", prose.Count(d.Prefixes, "/28 prefix", "/28 prefixes"), d.PoolAddresses))
	default:
		parts = append(parts, fmt.Sprintf("%d pool addresses", d.PoolAddresses))
	}
	if d.BranchENIs > 0 {
		parts = append(parts, prose.Count(d.BranchENIs, "branch ENI", "branch ENIs"))
	}
	parts = append(parts, prose.Count(d.NodeSubnetAddresses, "address", "addresses")+" from the node subnet")
	if d.HasPodSubnet() {
		parts = append(parts, fmt.Sprintf("%d from the pod subnet", d.PodSubnetAddresses))
	}
	return "per node: " + strings.Join(parts, ", ")
}

func existingLine(es capacity.ExistingSubnet, futureNodes, futurePerAZ int, growth string) string {
	name := es.CIDR
	if es.ID != "" {
		name = es.ID + " " + es.CIDR
	}
	if es.AZ != "" {
		name += " (" + es.AZ + ")"
	}
	source := ""
	if es.UsedFromModel {
		source = " by the model"
	}
	line := fmt.Sprintf("subnet %s, %s subnet: %d of %d used%s (%s)", name, es.Role, es.UsedAddresses, es.UsableAddresses, source, percent(es.Utilisation))
	if es.FitsFuture {
		line += fmt.Sprintf("; %d at %d nodes, %d in its AZ (%s)", es.AddressesAtFuture, futureNodes, futurePerAZ, percent(es.UtilisationFuture))
	} else {
		line += fmt.Sprintf("; %d at %d nodes, %d in its AZ: %d too many", es.AddressesAtFuture, futureNodes, futurePerAZ, es.OverByFuture)
	}
	switch r := es.Runway; {
	case r == nil:
		line += "; runway: give a monthly --growth"
	case r.RunsOut && r.Month == 0:
		line += "; already full"
	case r.RunsOut:
		line += fmt.Sprintf("; runs out in month %d (%d nodes, %d in its AZ) at %s", r.Month, r.Nodes, r.NodesInSubnet, growth)
	default:
		line += fmt.Sprintf("; lasts past %d months at %s", r.HorizonMonths, growth)
	}
	return line
}

func (v subnetSizeView) Values() []string {
	var values []string
	for _, az := range v.AZs {
		n := az.SubnetNeed
		if az.PodSubnet != nil {
			n = *az.PodSubnet
		}
		values = append(values, prefixOrNone(n.RecommendedPrefixLength))
	}
	return values
}

func prefixOrNone(length int) string {
	if length == 0 {
		return "none"
	}
	return fmt.Sprintf("/%d", length)
}

// percent is a share rounded to the nearest whole percent, the one way every
// table shows how full a subnet is.
func percent(f float64) string { return fmt.Sprintf("%.0f%%", f*100) }

func percentOrNone(f float64, fits bool) string {
	if !fits {
		return "-"
	}
	return percent(f)
}

func sgPodsTerm(n int) string {
	if n == 0 {
		return ""
	}
	return fmt.Sprintf(" and %d SG pods", n)
}
