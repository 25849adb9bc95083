// Package archtest keeps the layering of the design: pure packages never
// import the AWS SDK or the command-line libraries.
package archtest

import (
	"os/exec"
	"slices"
	"strings"
	"testing"
)

// pure lists the packages that compute and must stay free of I/O libraries.
// A package that does not exist yet is skipped.
var pure = []string{
	"github.com/eksnet/eksnet/internal/formula",
	"github.com/eksnet/eksnet/internal/limits",
	"github.com/eksnet/eksnet/internal/render",
	"github.com/eksnet/eksnet/internal/ipam",
	"github.com/eksnet/eksnet/internal/subnet",
	"github.com/eksnet/eksnet/internal/capacity",
	"github.com/eksnet/eksnet/internal/userdata",
	"github.com/eksnet/eksnet/internal/vpc",
	"github.com/eksnet/eksnet/internal/enum",
	"github.com/eksnet/eksnet/internal/atomicfile",
	"github.com/eksnet/eksnet/internal/plan",
	"github.com/eksnet/eksnet/internal/satint",
	"github.com/eksnet/eksnet/internal/prose",
}

var forbidden = []string{
	"github.com/aws/aws-sdk-go-v2",
	"github.com/spf13/cobra",
	"github.com/eksnet/eksnet/cmd/",
}

func TestPurePackagesStayPure(t *testing.T) {
	for _, pkg := range pure {
		out, err := exec.Command("go", "list", "-deps", pkg).CombinedOutput()
		if err != nil {
			if strings.Contains(string(out), "is not in std") || strings.Contains(string(out), "cannot find package") ||
				strings.Contains(string(out), "no required module provides package") || strings.Contains(string(out), "matched no packages") {
				continue
			}
			t.Fatalf("go list -deps %s: %v\n%s", pkg, err, out)
		}
		for _, dep := range strings.Fields(string(out)) {
			for _, bad := range forbidden {
				if strings.HasPrefix(dep, bad) {
					t.Errorf("%s imports %s; it must stay pure (design.md)", pkg, dep)
				}
			}
		}
	}
}

// sdkAllowed are the only internal packages that may import the AWS SDK: the
// EC2 adapter and the fake EC2 endpoint its tests talk to (design.md).
var sdkAllowed = []string{
	"github.com/eksnet/eksnet/internal/ec2limits",
	"github.com/eksnet/eksnet/internal/ec2fake",
}

func TestOnlyTheEC2AdapterImportsTheSDK(t *testing.T) {
	out, err := exec.Command("go", "list", "-f", `{{.ImportPath}} {{join .Imports " "}}`, "github.com/eksnet/eksnet/internal/...").CombinedOutput()
	if err != nil {
		t.Fatalf("go list: %v\n%s", err, out)
	}
	for _, line := range strings.Split(strings.TrimSpace(string(out)), "\n") {
		fields := strings.Fields(line)
		pkg := fields[0]
		for _, imp := range fields[1:] {
			if strings.HasPrefix(imp, "github.com/aws/") && !slices.Contains(sdkAllowed, pkg) {
				t.Errorf("%s imports %s; only %v may import the AWS SDK", pkg, imp, sdkAllowed)
			}
		}
	}
}
