package main

import (
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"

	"github.com/spf13/cobra"
	"github.com/spf13/pflag"
	"github.com/spf13/viper"

	"github.com/eksnet/eksnet/internal/ec2limits"
	"github.com/eksnet/eksnet/internal/limits"
	"github.com/eksnet/eksnet/internal/prose"
	"github.com/eksnet/eksnet/internal/render"
)

// factory carries what every command needs: the streams, the configuration
// and a lazily loaded instance table, in the manner of gh's cmdutil.Factory.
type factory struct {
	streams    *Streams
	config     *viper.Viper
	limitsFile string // --limits-file: a table file instead of the embedded one
	table      *limits.Table
	// loadConfig applies the environment and config file to cmd's flags;
	// completion calls it, since cobra runs no PersistentPreRunE there.
	loadConfig func(cmd *cobra.Command) error
}

// BaseTable returns the offline instance table, loading it once: the
// --limits-file if one is given, else the embedded table.
func (f *factory) BaseTable() (*limits.Table, error) {
	if f.table != nil {
		return f.table, nil
	}
	var src limits.Source = limits.EmbeddedSource{}
	if f.limitsFile != "" {
		src = limits.FileSource{Path: f.limitsFile}
	}
	table, err := src.Load(context.Background(), limits.Selection{All: true})
	if err != nil {
		return nil, err
	}
	f.table = table
	return table, nil
}

// Table returns the table holding the selected types: read live from EC2
// with --live (trunking data still from the offline table), else the
// offline table.
func (f *factory) Table(ctx context.Context, sel limits.Selection, aws *awsFlags) (*limits.Table, error) {
	base, err := f.BaseTable()
	if err != nil || aws == nil || !aws.live {
		return base, err
	}
	ctx, cancel := ec2limits.WithTimeout(ctx, aws.timeout)
	defer cancel()
	cfg, err := ec2limits.LoadConfig(ctx, aws.options())
	if err != nil {
		return nil, err
	}
	src := ec2limits.Source{API: ec2limits.NewClient(cfg, aws.options(), ""), Region: cfg.Region, Known: base}
	return src.Load(ctx, sel)
}

// Main runs eksnet with args and returns the process exit status. Errors are
// printed once, on one line, here.
func Main(ctx context.Context, args []string, streams *Streams) int {
	root := newRootCmd(streams)
	root.SetArgs(args)
	if err := root.ExecuteContext(ctx); err != nil {
		msg := err.Error()
		if errors.Is(err, context.Canceled) {
			msg = "interrupted"
		}
		fmt.Fprintln(streams.Err, errorLine(msg))
		var coded *exitError
		if errors.As(err, &coded) {
			return coded.code
		}
		return 1
	}
	return 0
}

// maxErrorBytes bounds the error line: an endpoint's or a file's text may
// be megabytes, and the line must stay one line a person can read.
const maxErrorBytes = 1000

// errorLine is the one line an error is printed as: one line, bounded, and
// safe for a terminal (no escape sequences or hidden controls from a file,
// EC2 or a flag value reach it).
func errorLine(msg string) string {
	return "eksnet: " + prose.Truncate(prose.Printable(prose.OneLine(msg)), maxErrorBytes)
}

func newRootCmd(streams *Streams) *cobra.Command {
	f := &factory{streams: streams, config: viper.New()}
	var configFile string
	root := &cobra.Command{
		Use:   "eksnet",
		Short: "Pod networking capacity planner for Amazon EKS",
		Long: `eksnet computes how many pods an EKS node can run in every Amazon VPC CNI
mode, writes node user data that carries the value, and plans the subnets
the pods' addresses come from. It works offline from an embedded table.`,
		SilenceErrors: true,
		SilenceUsage:  true,
		PersistentPreRunE: func(cmd *cobra.Command, _ []string) error {
			return f.loadConfig(cmd)
		},
	}
	f.loadConfig = func(cmd *cobra.Command) error { return loadConfig(f.config, configFile, cmd) }
	root.SetOut(streams.Out)
	root.SetErr(streams.Err)
	root.SetIn(streams.In)
	root.PersistentFlags().StringVar(&configFile, "config", "", "config file (default $EKSNET_CONFIG, else $XDG_CONFIG_HOME/eksnet/config.yaml if present)")
	root.PersistentFlags().StringVar(&f.limitsFile, "limits-file", "", "instance table file (written by eksnet limits update) to use instead of the embedded table")
	root.AddCommand(
		newMaxPodsCmd(f, nil),
		newLimitsCmd(f),
		newUserDataCmd(f, nil),
		newSubnetCmd(f),
		newPlanCmd(f, nil),
		newAuditCmd(f, nil),
		newVersionCmd(f),
	)
	// --version prints what `eksnet version` prints, computed only when asked.
	root.Version = "-"
	cobra.AddTemplateFunc("eksnetVersion", func() string {
		table, err := f.BaseTable()
		if err != nil {
			return err.Error()
		}
		var b strings.Builder
		if err := render.Write(&b, render.Table, versionView(buildVersion(table))); err != nil {
			return err.Error()
		}
		return b.String()
	})
	root.SetVersionTemplate(`{{eksnetVersion}}`)
	finishTree(root)
	return root
}

// configSource names where loadConfig found a setting: its environment
// variable if that is set, else its key in the config file.
func configSource(name, configFile string) (what, where string) {
	env := "EKSNET_" + strings.ToUpper(strings.ReplaceAll(name, "-", "_"))
	if os.Getenv(env) != "" { // viper, too, takes an empty variable as unset
		return env, ""
	}
	return name, " in " + configFile
}

// loadConfig fills every flag the user did not set from the environment
// (EKSNET_CNI_VERSION for --cni-version) or the config file (cni-version:),
// in that order of precedence, so all three spell a setting the same way.
//
// The config file is named by --config, else EKSNET_CONFIG, else the user's
// config directory; its keys are flag names of any eksnet command, and any
// other key is an error naming it.
func loadConfig(v *viper.Viper, configFile string, cmd *cobra.Command) error {
	v.SetEnvPrefix("EKSNET")
	v.SetEnvKeyReplacer(strings.NewReplacer("-", "_"))
	v.AutomaticEnv()
	if configFile == "" {
		configFile = os.Getenv("EKSNET_CONFIG")
	}
	if configFile == "" {
		if dir, err := os.UserConfigDir(); err == nil {
			candidate := filepath.Join(dir, "eksnet", "config.yaml")
			if _, err := os.Stat(candidate); err == nil {
				configFile = candidate
			}
		}
	}
	if configFile != "" {
		v.SetConfigFile(configFile)
		if err := v.ReadInConfig(); err != nil {
			return fmt.Errorf("config file %s: %s", configFile, prose.OneLine(err.Error()))
		}
		if err := checkConfigKeys(v, configFile, cmd.Root()); err != nil {
			return err
		}
	}
	var firstErr error
	cmd.Flags().VisitAll(func(fl *pflag.Flag) {
		if fl.Changed || fl.Name == "config" || fl.Name == "help" || !v.IsSet(fl.Name) || firstErr != nil {
			return
		}
		var value string
		switch raw := v.Get(fl.Name).(type) {
		case []any:
			parts := make([]string, len(raw))
			for i, p := range raw {
				parts[i] = fmt.Sprint(p)
			}
			value = strings.Join(parts, ",")
		default:
			value = fmt.Sprint(raw)
		}
		if err := cmd.Flags().Set(fl.Name, value); err != nil {
			what, where := configSource(fl.Name, configFile)
			firstErr = badFlagValue(what, value, where, fl)
		}
	})
	return firstErr
}

// checkConfigKeys refuses a config file key that is no flag of any eksnet
// command: a typo would otherwise be ignored with exit 0.
func checkConfigKeys(v *viper.Viper, configFile string, root *cobra.Command) error {
	known := map[string]bool{}
	var names []string
	var walk func(*cobra.Command)
	walk = func(c *cobra.Command) {
		for _, fs := range []*pflag.FlagSet{c.PersistentFlags(), c.LocalFlags()} {
			fs.VisitAll(func(fl *pflag.Flag) {
				if !known[fl.Name] && fl.Name != "config" && fl.Name != "help" {
					known[fl.Name] = true
					names = append(names, fl.Name)
				}
			})
		}
		for _, sub := range c.Commands() {
			walk(sub)
		}
	}
	walk(root)
	for _, key := range v.AllKeys() {
		if known[key] {
			continue
		}
		msg := fmt.Sprintf("config file %s: unknown key %q: keys are eksnet's flag names, such as cni-version", configFile, key)
		if near := prose.Suggest(key, names, 1); len(near) > 0 {
			msg = fmt.Sprintf("config file %s: unknown key %q (did you mean %s?)", configFile, key, near[0])
		}
		return errors.New(msg)
	}
	return nil
}
