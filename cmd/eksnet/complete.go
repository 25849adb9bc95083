package main

import (
	"strings"

	"github.com/spf13/cobra"

	"github.com/eksnet/eksnet/internal/limits"
	"github.com/eksnet/eksnet/internal/prose"
	"github.com/eksnet/eksnet/internal/render"
)

// enumFlag binds a string flag whose values are allowed, declared once: the
// help text lists them and shell completion offers them.
func enumFlag[T ~string](cmd *cobra.Command, dst *string, name, short string, def T, allowed []T, usage string) {
	values := make([]string, len(allowed))
	for i, a := range allowed {
		values[i] = string(a)
	}
	cmd.Flags().StringVarP(dst, name, short, string(def), usage+": "+prose.JoinOr(values))
	_ = cmd.RegisterFlagCompletionFunc(name, func(*cobra.Command, []string, string) ([]string, cobra.ShellCompDirective) {
		return values, cobra.ShellCompDirectiveNoFileComp
	})
}

// outputFlag binds -o with the formats a command's view renders: the one
// declaration that parsing (render.ParseFormat), help and completion read.
func outputFlag(cmd *cobra.Command, dst *string, formats []render.Format) {
	enumFlag(cmd, dst, "output", "o", formats[0], formats, "output format")
}

// completeInstanceTypes completes instance type names from the active table
// (--limits-file, EKSNET_LIMITS_FILE or the config file's, else the
// embedded one). A glob is left alone, and files are never offered.
func completeInstanceTypes(f *factory) func(*cobra.Command, []string, string) ([]string, cobra.ShellCompDirective) {
	return func(cmd *cobra.Command, _ []string, toComplete string) ([]string, cobra.ShellCompDirective) {
		if limits.IsPattern(toComplete) {
			return nil, cobra.ShellCompDirectiveNoFileComp
		}
		if f.loadConfig != nil {
			_ = f.loadConfig(cmd) // completion runs no PersistentPreRunE: apply --limits-file from the environment or config
		}
		table, err := f.BaseTable()
		if err != nil {
			return nil, cobra.ShellCompDirectiveNoFileComp | cobra.ShellCompDirectiveError
		}
		prefix := strings.ToLower(toComplete)
		var out []string
		for _, name := range table.Names() {
			if strings.HasPrefix(name, prefix) {
				out = append(out, name)
			}
		}
		return out, cobra.ShellCompDirectiveNoFileComp
	}
}

// completePlanFiles offers YAML and JSON files for -f.
func completePlanFiles(*cobra.Command, []string, string) ([]string, cobra.ShellCompDirective) {
	return []string{"yaml", "yml", "json"}, cobra.ShellCompDirectiveFilterFileExt
}
