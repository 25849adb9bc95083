package archtest

import (
	"os/exec"
	"slices"
	"strings"
	"testing"
)

// pure lists the packages that compute and must stay free of I/O
// libraries. Every one must exist: a renamed package fails the test instead
// of escaping it.
var pure = []string{
	"github.com/eksnet/eksnet/internal/atomicfile",
	"github.com/eksnet/eksnet/internal/audit",
	"github.com/eksnet/eksnet/internal/capacity",
	"github.com/eksnet/eksnet/internal/cni",
	"github.com/eksnet/eksnet/internal/enum",
	"github.com/eksnet/eksnet/internal/formula",
	"github.com/eksnet/eksnet/internal/fuzzbound",
	"github.com/eksnet/eksnet/internal/inputs",
	"github.com/eksnet/eksnet/internal/ipam",
	"github.com/eksnet/eksnet/internal/kube",
	"github.com/eksnet/eksnet/internal/limits",
	"github.com/eksnet/eksnet/internal/manifest",
	"github.com/eksnet/eksnet/internal/plan",
	"github.com/eksnet/eksnet/internal/prose",
	"github.com/eksnet/eksnet/internal/render",
	"github.com/eksnet/eksnet/internal/satint",
	"github.com/eksnet/eksnet/internal/strictyaml",
	"github.com/eksnet/eksnet/internal/subnet",
	"github.com/eksnet/eksnet/internal/userdata",
	"github.com/eksnet/eksnet/internal/vpc",
	"github.com/eksnet/eksnet/internal/vpcmap",
}

// forbidden are the import paths (and their subpackages) a pure package may
// not depend on, directly or not: the AWS SDK, the command-line libraries,
// the network client and the commands.
var forbidden = []string{
	"github.com/aws/aws-sdk-go-v2",
	"github.com/spf13/cobra",
	"github.com/spf13/viper",
	"github.com/spf13/pflag",
	"net/http",
	"github.com/eksnet/eksnet/cmd/",
}

func TestPurePackagesStayPure(t *testing.T) {
	for _, pkg := range pure {
		out, err := exec.Command("go", "list", "-deps", pkg).CombinedOutput()
		if err != nil {
			t.Fatalf("go list -deps %s: %v\n%s", pkg, err, out)
		}
		for _, dep := range strings.Fields(string(out)) {
			for _, bad := range forbidden {
				if dep == bad || strings.HasPrefix(dep, strings.TrimSuffix(bad, "/")+"/") {
					t.Errorf("%s depends on %s; it must stay pure (docs/design.md)", pkg, dep)
				}
			}
		}
	}
}

// Every package under internal/ that is not an adapter is listed as pure,
// so a new package is classified when it is added.
func TestEveryPackageIsClassified(t *testing.T) {
	out, err := exec.Command("go", "list", "github.com/eksnet/eksnet/internal/...").CombinedOutput()
	if err != nil {
		t.Fatalf("go list: %v\n%s", err, out)
	}
	adapters := append(slices.Clone(sdkAllowed),
		"github.com/eksnet/eksnet/internal/archtest",        // these tests
		"github.com/eksnet/eksnet/internal/limits/gentable", // go generate's writer of the embedded table
		"github.com/eksnet/eksnet/internal/crdtest",         // tests' CRD validator, reads CRD files
	)
	for _, pkg := range strings.Fields(string(out)) {
		if !slices.Contains(pure, pkg) && !slices.Contains(adapters, pkg) {
			t.Errorf("%s is neither in pure nor an adapter: add it to one list", pkg)
		}
	}
}

// sdkAllowed are the only internal packages that may import the AWS SDK: the
// EC2 adapter and the fake EC2 endpoint its tests talk to (docs/design.md).
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
