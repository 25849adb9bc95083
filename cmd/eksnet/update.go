package main

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"strconv"
	"strings"
	"time"

	"github.com/schollz/progressbar/v3"
	"github.com/spf13/cobra"

	"github.com/eksnet/eksnet/internal/atomicfile"
	"github.com/eksnet/eksnet/internal/ec2limits"
	"github.com/eksnet/eksnet/internal/formula"
	"github.com/eksnet/eksnet/internal/limits"
	"github.com/eksnet/eksnet/internal/prose"
	"github.com/eksnet/eksnet/internal/render"
)

type limitsUpdateOptions struct {
	factory *factory
	regions string
	out     string
	prune   bool
	output  string
	aws     awsFlags
	now     func() time.Time
}

// updateFormats are the formats of the update summary.
var updateFormats = []render.Format{render.Table, render.JSON, render.YAML}

func newLimitsUpdateCmd(f *factory) *cobra.Command {
	opts := &limitsUpdateOptions{factory: f, now: time.Now}
	cmd := &cobra.Command{
		Use:   "update [--regions r1,r2|all] [--out FILE]",
		Short: "Refresh the instance table from EC2 (DescribeInstanceTypes in every region)",
		Long: `Ask EC2 in each region for every instance type it offers, concurrently, merge
the answers over the current table and write it, in the embedded table's
format, atomically: on any failure the old file is left as it was.

The current table is FILE if it exists, else --limits-file, else the embedded
table. Trunking and branch interfaces come from no API: they are kept from it,
and unknown for new types. A type whose numbers differ between regions is
reported and keeps its old entry. Types that no region returned are kept
unless --prune is given. Use the file with --limits-file (or
EKSNET_LIMITS_FILE, or limits-file: in the config file).`,
		Example: `  eksnet limits update --regions all --out instance-limits.json
  eksnet limits update --regions us-east-1,eu-west-1 --out limits.json
  eksnet maxpods --all --limits-file limits.json`,
		Args: noArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			return runLimitsUpdate(cmd.Context(), opts)
		},
	}
	fs := cmd.Flags()
	fs.StringVar(&opts.regions, "regions", ec2limits.AllRegions, "regions to ask, separated by commas, or all (every region enabled for the account)")
	fs.StringVar(&opts.out, "out", "", "table file to write (default: the --limits-file, else instance-limits.json)")
	fs.BoolVar(&opts.prune, "prune", false, "remove the types that no region returned")
	outputFlag(cmd, &opts.output, updateFormats)
	opts.aws.bind(cmd, "", 5*time.Minute)
	return cmd
}

func runLimitsUpdate(ctx context.Context, opts *limitsUpdateOptions) error {
	format, err := render.ParseFormat(opts.output, updateFormats...)
	if err != nil {
		return err
	}
	regions, err := ec2limits.ParseRegions(opts.regions)
	if err != nil {
		return err
	}
	out := opts.out
	if out == "" {
		out = opts.factory.limitsFile
	}
	if out == "" {
		out = "instance-limits.json"
	}
	if err := atomicfile.Check(out); err != nil {
		return err // before asking EC2 for anything
	}
	base, err := updateBase(opts.factory, out)
	if err != nil {
		return err
	}

	ctx, cancel := ec2limits.WithTimeout(ctx, opts.aws.timeout)
	defer cancel()
	awsOpts := opts.aws.options()
	cfg, err := ec2limits.LoadConfig(ctx, awsOpts)
	if err != nil {
		return err
	}
	clientFor := func(region string) ec2limits.API { return ec2limits.NewClient(cfg, awsOpts, region) }
	streams := opts.factory.streams
	bar := newUpdateProgress(streams, len(regions))
	table, summary, err := ec2limits.Update(ctx, clientFor, ec2limits.UpdateOptions{
		Regions:  regions,
		Base:     base,
		Header:   updatedHeader(base.Header(), regions, opts.now()),
		Prune:    opts.prune,
		MaxPods:  defaultMaxPods,
		Progress: bar.update,
	})
	bar.done()
	if err != nil {
		return err
	}
	// The file goes in place only once the summary is out: a summary that
	// cannot be written (stdout on a full disk, closed) leaves the file as
	// it was, never a replaced file and exit 1.
	pending, err := limits.PrepareFile(out, table)
	if err != nil {
		return err
	}
	var b bytes.Buffer
	if err := render.Write(&b, format, updateView{Out: out, Summary: summary}); err != nil {
		pending.Abort()
		return err
	}
	if _, err := streams.Out.Write(b.Bytes()); err != nil {
		pending.Abort()
		return fmt.Errorf("writing the summary: %w; %s left as it was", err, out)
	}
	return pending.Commit(ctx)
}

// updateBase is the table being refreshed: the output file when it exists
// (refusing to overwrite a file that is not a table), else the offline table.
func updateBase(f *factory, out string) (*limits.Table, error) {
	if _, err := os.Stat(out); err == nil {
		base, err := limits.ReadFile(out)
		if err != nil {
			return nil, fmt.Errorf("--out %s exists but is not an instance table, so it is left alone (%v)", out, err)
		}
		return base, nil
	} else if !errors.Is(err, fs.ErrNotExist) {
		return nil, fmt.Errorf("--out %s: %w", out, err)
	}
	return f.BaseTable()
}

// updatedHeader dates the new table and names EC2 among its sources, in
// place of an earlier update's line.
func updatedHeader(old limits.Header, regions []string, now time.Time) limits.Header {
	asked := "all regions"
	if len(regions) > 0 {
		asked = strings.Join(regions, ", ")
	}
	h := limits.Header{GeneratedAt: now.UTC().Format(time.DateOnly), Notes: old.Notes}
	for _, s := range old.Sources {
		if !strings.HasPrefix(s, "EC2 DescribeInstanceTypes") {
			h.Sources = append(h.Sources, s)
		}
	}
	h.Sources = append(h.Sources, "EC2 DescribeInstanceTypes ("+asked+"), eksnet limits update")
	return h
}

// defaultMaxPods is the max pods the update summary shows: the VPC CNI's
// defaults (secondary IPs, capped), as `eksnet maxpods TYPE` prints it.
func defaultMaxPods(inst limits.Instance) int {
	r, err := formula.Compute(inst, formula.DefaultQuery())
	if err != nil {
		return 0
	}
	return r.MaxPods
}

// updateView is the update's summary: JSON and YAML give it whole; the
// table lists the types added, removed, changed or in conflict.
type updateView struct {
	Out string `json:"out"`
	limits.Summary
}

func (v updateView) TableHeader(bool) []string {
	if len(v.Added)+len(v.Removed)+len(v.Changed)+len(v.Conflicts) == 0 {
		return nil
	}
	return []string{"TYPE", "CHANGE", "OLD MAX PODS", "NEW MAX PODS", "DETAIL"}
}

func (v updateView) TableRows(bool) [][]string {
	var rows [][]string
	for _, c := range v.Added {
		rows = append(rows, []string{c.InstanceType, "added", "-", strconv.Itoa(c.NewMaxPods), ""})
	}
	for _, c := range v.Removed {
		rows = append(rows, []string{c.InstanceType, "removed", strconv.Itoa(c.OldMaxPods), "-", ""})
	}
	for _, c := range v.Changed {
		rows = append(rows, []string{c.InstanceType, "changed", strconv.Itoa(c.OldMaxPods), strconv.Itoa(c.NewMaxPods), strings.Join(c.Fields, ",")})
	}
	for _, c := range v.Conflicts {
		kept := "left out"
		if c.Kept {
			kept = "old entry kept"
		}
		rows = append(rows, []string{c.InstanceType, "conflict", "-", "-",
			fmt.Sprintf("%s differ between regions %s; %s", strings.Join(c.Fields, ","), strings.Join(c.Regions, " / "), kept)})
	}
	return rows
}

func (v updateView) Footnotes() []string {
	var lines []string
	if v.TableHeader(false) != nil {
		lines = append(lines, "")
	}
	lines = append(lines,
		fmt.Sprintf("wrote %s: %s; EC2 returned %d from %s (%s)", v.Out, prose.Count(v.Instances, "instance type", "instance types"), v.Fetched,
			prose.Count(len(v.Regions), "region", "regions"), strings.Join(v.Regions, ", ")),
		fmt.Sprintf("%d added, %d removed, %d changed, %d unchanged, %d in conflict (max pods: default VPC CNI settings)",
			len(v.Added), len(v.Removed), len(v.Changed), v.Unchanged, len(v.Conflicts)))
	if n := len(v.NotReturned); n > 0 {
		lines = append(lines, prose.Count(n, "type that no region returned was kept", "types that no region returned were kept")+" (--prune removes them)")
	}
	return lines
}

// updateProgress draws the refresh's progress on stderr, only when stderr
// is a terminal (schollz/progressbar): regions done of all, and pages read.
type updateProgress struct{ bar *progressbar.ProgressBar }

func newUpdateProgress(streams *Streams, regions int) updateProgress {
	if !streams.ErrIsTerminal {
		return updateProgress{}
	}
	return updateProgress{bar: progressbar.NewOptions(regions,
		progressbar.OptionSetWriter(streams.Err),
		progressbar.OptionSetDescription("asking EC2"),
		progressbar.OptionShowCount(),
		progressbar.OptionSetWidth(20),
		progressbar.OptionClearOnFinish(),
		progressbar.OptionSetRenderBlankState(true),
	)}
}

func (u updateProgress) update(p ec2limits.UpdateProgress) {
	if u.bar == nil {
		return
	}
	u.bar.Describe(fmt.Sprintf("asking EC2: %s read", prose.Count(p.Pages, "page", "pages")))
	_ = u.bar.Set(p.RegionsDone)
}

func (u updateProgress) done() {
	if u.bar != nil {
		_ = u.bar.Clear()
	}
}
