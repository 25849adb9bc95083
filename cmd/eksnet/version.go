package main

import (
	"runtime"
	"runtime/debug"
	"strconv"

	"github.com/spf13/cobra"

	"github.com/eksnet/eksnet/internal/cni"
	"github.com/eksnet/eksnet/internal/limits"
	"github.com/eksnet/eksnet/internal/render"
)

// versionInfo is what `eksnet version` reports: the build, and the facts a
// number pasted into production rests on. It is eksnet's JSON contract for
// `eksnet version -o json`.
type versionInfo struct {
	Version      string        `json:"version"` // the module version, or (devel) for a build from a clone
	Revision     string        `json:"revision,omitempty"`
	RevisionTime string        `json:"revisionTime,omitempty"`
	Modified     bool          `json:"modified"` // built from a work tree with changes
	GoVersion    string        `json:"goVersion"`
	Table        limits.Header `json:"instanceTable"`
	VPCCNI       string        `json:"vpcCNI"` // the newest VPC CNI release whose behaviour eksnet encodes
}

var versionFormats = []render.Format{render.Table, render.JSON, render.YAML, render.Value}

func newVersionCmd(f *factory) *cobra.Command {
	var output string
	cmd := &cobra.Command{
		Use:   "version",
		Short: "Show eksnet's version, the instance table's date and sources, and the newest VPC CNI it knows",
		Example: `  eksnet version
  eksnet version -o json`,
		Args: noArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			format, err := render.ParseFormat(output, versionFormats...)
			if err != nil {
				return err
			}
			table, err := f.BaseTable()
			if err != nil {
				return err
			}
			return render.Write(f.streams.Out, format, versionView(buildVersion(table)))
		},
	}
	outputFlag(cmd, &output, versionFormats)
	return cmd
}

// buildVersion reads the build from runtime/debug.ReadBuildInfo.
func buildVersion(table *limits.Table) versionInfo {
	v := versionInfo{Version: "(devel)", GoVersion: runtime.Version(), Table: table.Header(), VPCCNI: cni.LatestVersion.String()}
	info, ok := debug.ReadBuildInfo()
	if !ok {
		return v
	}
	if info.Main.Version != "" {
		v.Version = info.Main.Version
	}
	for _, s := range info.Settings {
		switch s.Key {
		case "vcs.revision":
			v.Revision = s.Value
		case "vcs.time":
			v.RevisionTime = s.Value
		case "vcs.modified":
			v.Modified = s.Value == "true"
		}
	}
	return v
}

type versionView versionInfo

func (v versionView) TableHeader(bool) []string { return []string{"WHAT", "VALUE"} }

func (v versionView) TableRows(bool) [][]string {
	rev := v.Revision
	if rev == "" {
		rev = "unknown"
	}
	if v.Modified {
		rev += " (modified)"
	}
	rows := [][]string{
		{"eksnet", v.Version},
		{"revision", rev},
		{"go", v.GoVersion},
		{"instance table", v.Table.GeneratedAt + ", " + strconv.Itoa(v.Table.InstanceTypes) + " types"},
	}
	for _, s := range v.Table.Sources {
		rows = append(rows, []string{"table source", s})
	}
	return append(rows, []string{"newest VPC CNI known", v.VPCCNI})
}

// Values is the version alone, for scripts.
func (v versionView) Values() []string { return []string{v.Version} }
