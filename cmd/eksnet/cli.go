package main

import (
	"errors"
	"fmt"
	"strconv"
	"strings"

	"github.com/spf13/cobra"
	"github.com/spf13/pflag"
)

// The house rule for bad input (README "Errors"): one line on stderr that
// names the value and what is allowed, exit status 1, nothing on stdout.
// cobra's and pflag's own messages name the value but not what is allowed,
// and some of them span lines; the functions here say both.

// finishTree makes every command that only groups others (eksnet itself,
// limits, subnet, completion) print its help when called alone and refuse
// anything else, where cobra would print the help and exit 0; makes help
// refuse an unknown topic; and gives flag errors the house form.
func finishTree(root *cobra.Command) {
	root.InitDefaultHelpCmd()
	root.InitDefaultCompletionCmd()
	root.SetFlagErrorFunc(flagError)
	var walk func(*cobra.Command)
	walk = func(c *cobra.Command) {
		if c.HasSubCommands() && !c.Runnable() {
			c.Args = cobra.ArbitraryArgs
			c.RunE = runGroup
		}
		if c.Name() == "help" && c.Parent() == root {
			c.Run = nil
			c.RunE = runHelp
		}
		for _, sub := range c.Commands() {
			walk(sub)
		}
	}
	walk(root)
}

// runGroup is the RunE of a command that only groups others.
func runGroup(cmd *cobra.Command, args []string) error {
	if len(args) == 0 {
		return cmd.Help()
	}
	return unknownCommand(cmd, args[0])
}

// runHelp is `eksnet help [COMMAND]...`.
func runHelp(cmd *cobra.Command, args []string) error {
	target, rest, err := cmd.Root().Find(args)
	if err != nil {
		return err
	}
	if len(rest) > 0 {
		return unknownCommand(target, rest[0])
	}
	return target.Help()
}

// unknownCommand says that name is none of cmd's subcommands, and which
// ones it has.
func unknownCommand(cmd *cobra.Command, name string) error {
	var names []string
	for _, sub := range cmd.Commands() {
		if sub.IsAvailableCommand() {
			names = append(names, sub.Name())
		}
	}
	msg := fmt.Sprintf("unknown command %q for %q: want %s", name, cmd.CommandPath(), strings.Join(names, ", "))
	if cmd.SuggestionsMinimumDistance <= 0 {
		cmd.SuggestionsMinimumDistance = 2 // cobra's default, set only on the root
	}
	if suggestions := cmd.SuggestionsFor(name); len(suggestions) > 0 {
		msg += " (did you mean " + strings.Join(suggestions, " or ") + "?)"
	}
	return errors.New(msg)
}

// flagError rewrites pflag's errors: a bad value names what the flag takes,
// and an unknown or empty flag points at the command's help. Under a group
// (eksnet subnet sise --nodes 3) the mistyped subcommand is the error, not
// the flags meant for it.
func flagError(cmd *cobra.Command, err error) error {
	var invalid *pflag.InvalidValueError
	var required *pflag.ValueRequiredError
	var notExist *pflag.NotExistError
	switch {
	case cmd.HasSubCommands() && len(cmd.Flags().Args()) > 0:
		return unknownCommand(cmd, cmd.Flags().Arg(0))
	case errors.As(err, &invalid):
		return badFlagValue("--"+invalid.GetFlag().Name, invalid.GetValue(), "", invalid.GetFlag())
	case errors.As(err, &required):
		fl := required.GetFlag()
		return fmt.Errorf("flag --%s needs a value: %s", fl.Name, fl.Usage)
	case errors.As(err, &notExist):
		return fmt.Errorf("%s (see %s --help for its flags)", err, cmd.CommandPath())
	}
	return err
}

// badFlagValue says that value, given as what (--max-eni, EKSNET_MAX_ENI or
// a config file key) and found where ("" or " in FILE"), is not what the
// flag takes.
func badFlagValue(what, value, where string, fl *pflag.Flag) error {
	want := fl.Usage
	switch fl.Value.Type() {
	case "int":
		want = "a whole number"
	case "uint":
		want = "a whole number, 0 or more"
	case "stringSlice":
		want = "values separated by commas"
	case "bool":
		want = "true or false"
	case "duration":
		want = "a duration such as 30s, 5m or 1h30m"
	case "float64":
		want = "a number"
	}
	return fmt.Errorf("invalid %s %s%s: want %s", what, strconv.Quote(value), where, want)
}

// exactArgs accepts exactly n arguments, each a what (TYPE).
func exactArgs(n int, what string) cobra.PositionalArgs {
	return func(cmd *cobra.Command, args []string) error {
		if len(args) != n {
			return argCountError(cmd, args, "takes "+count(n, what))
		}
		return nil
	}
}

// maxArgs accepts at most n arguments, each a what (GLOB).
func maxArgs(n int, what string) cobra.PositionalArgs {
	return func(cmd *cobra.Command, args []string) error {
		if len(args) > n {
			return argCountError(cmd, args, "takes at most "+count(n, what))
		}
		return nil
	}
}

// noArgs accepts no argument: every setting is a flag.
func noArgs(cmd *cobra.Command, args []string) error {
	if len(args) > 0 {
		return argCountError(cmd, args, "takes no arguments, only flags")
	}
	return nil
}

func argCountError(cmd *cobra.Command, args []string, takes string) error {
	got := "none"
	if len(args) > 0 {
		quoted := make([]string, len(args))
		for i, a := range args {
			quoted[i] = strconv.Quote(a)
		}
		got = strings.Join(quoted, " ")
	}
	return fmt.Errorf("%s %s, not %s (see %s --help)", commandName(cmd), takes, got, cmd.CommandPath())
}

// commandName is the command as the user typed it after eksnet (limits show).
func commandName(cmd *cobra.Command) string {
	return strings.TrimPrefix(cmd.CommandPath(), cmd.Root().Name()+" ")
}

func count(n int, what string) string {
	if n == 1 {
		return "one " + what
	}
	return strconv.Itoa(n) + " " + what + "s"
}
