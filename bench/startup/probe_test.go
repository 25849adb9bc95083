package main

import (
	"os/exec"
	"slices"
	"strings"
	"testing"
)

// The probe must link what eksnet links, or the ratio measures nothing:
// its blank imports are the third-party packages eksnet's own packages import.
func TestProbeImports(t *testing.T) {
	out, err := exec.Command("go", "list", "-deps", "github.com/eksnet/eksnet/cmd/eksnet").CombinedOutput()
	if err != nil {
		t.Fatalf("go list: %v\n%s", err, out)
	}
	var own []string
	for _, p := range strings.Fields(string(out)) {
		if strings.HasPrefix(p, "github.com/eksnet/eksnet/") {
			own = append(own, p)
		}
	}
	out, err = exec.Command("go", append([]string{"list", "-f", `{{join .Imports "\n"}}`}, own...)...).CombinedOutput()
	if err != nil {
		t.Fatalf("go list: %v\n%s", err, out)
	}
	var want []string
	for _, p := range strings.Fields(string(out)) {
		if strings.Contains(strings.SplitN(p, "/", 2)[0], ".") && !strings.HasPrefix(p, "github.com/eksnet/eksnet") && !slices.Contains(want, p) {
			want = append(want, p)
		}
	}
	slices.Sort(want)
	out, err = exec.Command("go", "list", "-f", `{{join .Imports "\n"}}`, "github.com/eksnet/eksnet/bench/probe").CombinedOutput()
	if err != nil {
		t.Fatalf("go list: %v\n%s", err, out)
	}
	var got []string
	for _, p := range strings.Fields(string(out)) {
		if strings.Contains(strings.SplitN(p, "/", 2)[0], ".") {
			got = append(got, p)
		}
	}
	slices.Sort(got)
	if !slices.Equal(got, want) {
		t.Errorf("bench/probe imports %v\neksnet imports %v\n(update bench/probe/main.go)", got, want)
	}
}
