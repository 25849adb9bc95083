// Command startup measures eksnet's start-up against its floor: a probe
// binary (bench/probe) that links the same third-party packages and prints
// one number. It builds both, runs them alternately, and prints the median
// wall time of each command and its ratio to the probe's. Run it with
// `make bench-startup` or `go run ./bench/startup [-runs N]`.
package main

import (
	"flag"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"time"
)

func main() {
	runs := flag.Int("runs", 22, "runs of each command")
	writeProbe := flag.Bool("write-probe", false, "rewrite bench/probe/main.go to import what eksnet imports, and exit")
	flag.Parse()
	if *writeProbe {
		if err := writeProbeSource("bench/probe/main.go"); err != nil {
			fmt.Fprintln(os.Stderr, "startup:", err)
			os.Exit(1)
		}
		return
	}
	if err := run(*runs, os.Stdout); err != nil {
		fmt.Fprintln(os.Stderr, "startup:", err)
		os.Exit(1)
	}
}

// commands are what is measured: the probe first, then eksnet's most
// common invocations.
var commands = [][]string{
	{"probe"},
	{"eksnet", "maxpods", "c3.large"},
	{"eksnet", "maxpods", "--all", "-o", "json"},
	{"eksnet", "maxpods", "--all", "-o", "table"},
}

func run(runs int, out io.Writer) error {
	if runs < 1 {
		return fmt.Errorf("-runs %d: must be at least 1", runs)
	}
	dir, err := os.MkdirTemp("", "eksnet-startup-")
	if err != nil {
		return err
	}
	defer os.RemoveAll(dir)
	bins := map[string]string{"probe": filepath.Join(dir, "probe"), "eksnet": filepath.Join(dir, "eksnet")}
	for name, pkg := range map[string]string{"probe": "./bench/probe", "eksnet": "./cmd/eksnet"} {
		build := exec.Command("go", "build", "-o", bins[name], pkg)
		build.Stderr = os.Stderr
		if err := build.Run(); err != nil {
			return fmt.Errorf("go build %s: %w", pkg, err)
		}
	}
	devNull, err := os.OpenFile(os.DevNull, os.O_WRONLY, 0)
	if err != nil {
		return err
	}
	defer devNull.Close()
	times := make([][]time.Duration, len(commands))
	for range runs {
		for i, c := range commands { // alternated, so that load hits all alike
			cmd := exec.Command(bins[c[0]], c[1:]...)
			cmd.Stdout = devNull // a file, not a pipe: no copying goroutine in the measurement
			start := time.Now()
			if err := cmd.Run(); err != nil {
				return fmt.Errorf("%v: %w", c, err)
			}
			times[i] = append(times[i], time.Since(start))
		}
	}
	floor := median(times[0])
	fmt.Fprintf(out, "%-36s %10s %8s\n", "command", "median", "ratio")
	for i, c := range commands {
		m := median(times[i])
		fmt.Fprintf(out, "%-36s %10s %7.2fx\n", fmt.Sprint(c), m.Round(10*time.Microsecond), float64(m)/float64(floor))
	}
	return nil
}

func median(d []time.Duration) time.Duration {
	s := slices.Clone(d)
	slices.Sort(s)
	return s[len(s)/2]
}

// eksnetImports are the third-party packages eksnet's own packages import.
func eksnetImports() ([]string, error) {
	out, err := exec.Command("go", "list", "-deps", "github.com/eksnet/eksnet/cmd/eksnet").Output()
	if err != nil {
		return nil, fmt.Errorf("go list: %w", err)
	}
	var own []string
	for _, p := range strings.Fields(string(out)) {
		if strings.HasPrefix(p, "github.com/eksnet/eksnet/") {
			own = append(own, p)
		}
	}
	out, err = exec.Command("go", append([]string{"list", "-f", `{{join .Imports "\n"}}`}, own...)...).Output()
	if err != nil {
		return nil, fmt.Errorf("go list: %w", err)
	}
	return thirdParty(strings.Fields(string(out))), nil
}

// thirdParty keeps the import paths of other modules, sorted, once each.
func thirdParty(paths []string) []string {
	var out []string
	for _, p := range paths {
		if strings.Contains(strings.SplitN(p, "/", 2)[0], ".") && !strings.HasPrefix(p, "github.com/eksnet/eksnet") && !slices.Contains(out, p) {
			out = append(out, p)
		}
	}
	slices.Sort(out)
	return out
}

// writeProbeSource writes the probe: every third-party import of eksnet,
// blank, and a main that prints one number.
func writeProbeSource(path string) error {
	imports, err := eksnetImports()
	if err != nil {
		return err
	}
	var b strings.Builder
	b.WriteString("// Command probe links the same third-party packages as eksnet and prints one\n" +
		"// number: the floor eksnet's start-up is measured against (bench/startup).\n" +
		"// Written by `go run ./bench/startup -write-probe`; TestProbeImports keeps\n" +
		"// its imports equal to eksnet's.\n" +
		"package main\n\nimport (\n\t\"fmt\"\n\n")
	for _, p := range imports {
		fmt.Fprintf(&b, "\t_ %q\n", p)
	}
	b.WriteString(")\n\nfunc main() { fmt.Println(29) }\n")
	return os.WriteFile(path, []byte(b.String()), 0o644)
}
