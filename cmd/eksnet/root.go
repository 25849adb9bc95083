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

	"github.com/eksnet/eksnet/internal/limits"
)

// factory carries what every command needs: the streams, the configuration
// and a lazily loaded instance table, in the manner of gh's cmdutil.Factory.
type factory struct {
	streams *Streams
	config  *viper.Viper
	table   *limits.Table
}

// Table returns the instance table, loading it once.
func (f *factory) Table() (*limits.Table, error) {
	if f.table != nil {
		return f.table, nil
	}
	table, err := limits.Embedded()
	if err != nil {
		return nil, err
	}
	f.table = table
	return table, nil
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
		fmt.Fprintln(streams.Err, "eksnet: "+strings.ReplaceAll(msg, "\n", " "))
		return 1
	}
	return 0
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
			return loadConfig(f.config, configFile, cmd)
		},
	}
	root.SetOut(streams.Out)
	root.SetErr(streams.Err)
	root.SetIn(streams.In)
	root.PersistentFlags().StringVar(&configFile, "config", "", "config file (default $XDG_CONFIG_HOME/eksnet/config.yaml, if present)")
	root.AddCommand(
		newMaxPodsCmd(f, nil),
		newLimitsCmd(f),
		newUserDataCmd(f, nil),
		newSubnetCmd(f),
		newPlanCmd(f, nil),
	)
	return root
}

// loadConfig fills every flag the user did not set from the environment
// (EKSNET_CNI_VERSION for --cni-version) or the config file (cni-version:),
// in that order of precedence, so all three spell a setting the same way.
func loadConfig(v *viper.Viper, configFile string, cmd *cobra.Command) error {
	v.SetEnvPrefix("EKSNET")
	v.SetEnvKeyReplacer(strings.NewReplacer("-", "_"))
	v.AutomaticEnv()
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
			return fmt.Errorf("config file %s: %w", configFile, err)
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
			firstErr = fmt.Errorf("setting %s from the environment or config file: invalid value %q: %v", fl.Name, value, err)
		}
	})
	return firstErr
}
