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
	want, err := eksnetImports()
	if err != nil {
		t.Fatal(err)
	}
	out, err := exec.Command("go", "list", "-f", `{{join .Imports "\n"}}`, "github.com/eksnet/eksnet/bench/probe").CombinedOutput()
	if err != nil {
		t.Fatalf("go list: %v\n%s", err, out)
	}
	if got := thirdParty(strings.Fields(string(out))); !slices.Equal(got, want) {
		t.Errorf("bench/probe imports %v\neksnet imports %v\n(run go run ./bench/startup -write-probe)", got, want)
	}
}
