package plan

import (
	"github.com/eksnet/eksnet/internal/cni"
	"github.com/eksnet/eksnet/internal/fuzzbound"

	"os"
	"path/filepath"
	"strings"
	"testing"
)

// decodeFile runs the three steps on a testdata file, as the command does.
func decodeFile(t *testing.T, path string) (*Spec, error) {
	t.Helper()
	data, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	format := "yaml"
	if filepath.Ext(path) == ".json" {
		format = "json"
	}
	f, err := Decode(data, format)
	if err != nil {
		return nil, err
	}
	Default(&f)
	return Validate(f)
}

func TestValidFiles(t *testing.T) {
	files, _ := filepath.Glob("testdata/valid-*")
	if len(files) < 4 {
		t.Fatalf("only %d valid files", len(files))
	}
	for _, path := range files {
		t.Run(filepath.Base(path), func(t *testing.T) {
			if _, err := decodeFile(t, path); err != nil {
				t.Fatal(err)
			}
		})
	}
}

// Each invalid file starts with "# error: TEXT"; the error must contain TEXT.
func TestInvalidFiles(t *testing.T) {
	files, _ := filepath.Glob("testdata/invalid-*")
	if len(files) < 30 {
		t.Fatalf("only %d invalid files", len(files))
	}
	for _, path := range files {
		t.Run(filepath.Base(path), func(t *testing.T) {
			data, _ := os.ReadFile(path)
			first, _, _ := strings.Cut(string(data), "\n")
			want, ok := strings.CutPrefix(first, "# error: ")
			if !ok {
				t.Fatal("the file does not start with # error: TEXT")
			}
			_, err := decodeFile(t, path)
			if err == nil {
				t.Fatalf("accepted; want error %q", want)
			}
			if !strings.Contains(err.Error(), want) {
				t.Errorf("error %q\ndoes not contain %q", err, want)
			}
			if strings.Contains(err.Error(), "\n") {
				t.Errorf("error is not one line: %q", err)
			}
		})
	}
}

// The example, as written, decodes to these values; YAML and JSON agree.
func TestExampleDecodes(t *testing.T) {
	yamlSpec, err := decodeFile(t, "testdata/valid-example.yaml")
	if err != nil {
		t.Fatal(err)
	}
	jsonSpec, err := decodeFile(t, "testdata/valid-example.json")
	if err != nil {
		t.Fatal(err)
	}
	for _, s := range []*Spec{yamlSpec, jsonSpec} {
		f := s.File
		if f.Region != "us-west-2" || len(f.AZs) != 3 || !f.CNI.PrefixDelegation || !f.CNI.CustomNetworking ||
			f.CNI.WarmPrefixTarget != 1 || f.Growth != "5%/month" || len(f.NodeGroups) != 1 {
			t.Errorf("decoded %+v", f)
		}
		g := f.NodeGroups[0]
		if g.Name != "general" || strings.Join(g.InstanceTypes, ",") != "m5.large,m5.xlarge" || g.Nodes != 60 || g.FutureNodes != 150 ||
			strings.Join(g.AZs, ",") != "us-west-2a,us-west-2b,us-west-2c" {
			t.Errorf("node group %+v", g)
		}
		if joinPrefixes(s.Blocks) != "10.0.0.0/16" || joinPrefixes(s.PodBlocks) != "100.64.0.0/16" || joinPrefixes(s.NewBlocks) != "100.64.0.0/16" {
			t.Errorf("blocks %v, pod blocks %v, new %v", s.Blocks, s.PodBlocks, s.NewBlocks)
		}
		if len(s.Existing) != 2 || s.Existing[1].Prefix.String() != "10.0.64.0/24" || s.Existing[1].AZ != "us-west-2b" {
			t.Errorf("existing %+v", s.Existing)
		}
		// Defaults: EKS's service range beside a 10/8 VPC, surge 2, 25% headroom (the capacity engine's), /24 public, /28 cluster.
		if s.ServiceCIDR.String() != "10.100.0.0/16" || s.ServiceGiven || *f.Surge != 2 || s.HeadroomPct != 25 ||
			*f.Subnets.Public != 24 || *f.Subnets.Cluster != 28 || f.CNI.ENIConfigLabel != "topology.kubernetes.io/zone" {
			t.Errorf("defaults: service %s, surge %d, headroom %d, public %d, cluster %d, label %q",
				s.ServiceCIDR, *f.Surge, s.HeadroomPct, *f.Subnets.Public, *f.Subnets.Cluster, f.CNI.ENIConfigLabel)
		}
		if f.CNI.WarmENITarget != 1 || f.CNI.Version != cni.LatestVersion {
			t.Errorf("CNI defaults: WARM_ENI_TARGET %d, version %s", f.CNI.WarmENITarget, f.CNI.Version)
		}
	}
}

func TestAutoTakesFirstFreeCGNATBlock(t *testing.T) {
	s, err := decodeFile(t, "testdata/valid-auto.yaml")
	if err != nil {
		t.Fatal(err)
	}
	if joinPrefixes(s.PodBlocks) != "100.64.0.0/16" {
		t.Errorf("auto gave %v", s.PodBlocks)
	}
	// valid-full has 100.64.0.0/16 associated already, so "auto" is the next /16.
	full, err := decodeFile(t, "testdata/valid-full.yaml")
	if err != nil {
		t.Fatal(err)
	}
	if joinPrefixes(full.PodBlocks) != "100.64.0.0/16, 100.65.0.0/16" || joinPrefixes(full.NewBlocks) != "100.65.0.0/16" {
		t.Errorf("pod blocks %v, new %v", full.PodBlocks, full.NewBlocks)
	}
	if full.CNI.Version.String() != "1.19.2" || full.CNI.MaxENI != 3 || !full.CNI.SecurityGroupsForPods || full.HeadroomPct != 50 || *full.File.Subnets.Public != 0 {
		t.Errorf("full plan parsed as %+v", full)
	}
}

func TestDockerRangeWarns(t *testing.T) {
	f, err := Decode([]byte("vpc: {cidrs: [172.17.0.0/16]}\nazs: [a1-az1, a1-az2]\nnodeGroups: [{name: g, instanceTypes: [m5.large], nodes: 1}]\n"), "yaml")
	if err != nil {
		t.Fatal(err)
	}
	Default(&f)
	s, err := Validate(f)
	if err != nil {
		t.Fatal(err)
	}
	if len(s.Warnings) != 1 || !strings.Contains(s.Warnings[0], "vpc.cidrs[0]: 172.17.0.0/16 is the range some AWS services use: AWS advises against it for a VPC") {
		t.Errorf("warnings %q", s.Warnings)
	}
}

func FuzzDecode(f *testing.F) {
	for _, name := range []string{"valid-example.yaml", "valid-full.yaml", "invalid-unknown-nested-key.yaml", "valid-example.json"} {
		data, _ := os.ReadFile(filepath.Join("testdata", name))
		f.Add(data, strings.HasSuffix(name, ".json"))
	}
	f.Fuzz(func(t *testing.T, data []byte, isJSON bool) {
		defer fuzzbound.Start(t)()
		format := "yaml"
		if isJSON {
			format = "json"
		}
		file, err := Decode(data, format)
		if err != nil {
			if strings.Contains(err.Error(), "\n") {
				t.Fatalf("multi-line error %q", err)
			}
			return
		}
		Default(&file)
		if _, err := Validate(file); err != nil && strings.Contains(err.Error(), "\n") {
			t.Fatalf("multi-line error %q", err)
		}
	})
}
