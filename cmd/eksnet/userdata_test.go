package main

import (
	"bytes"
	"io"
	"mime"
	"mime/multipart"
	"net/mail"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"gopkg.in/yaml.v3"

	"github.com/eksnet/eksnet/internal/userdata"
)

// The cluster flags of the examples: a made-up endpoint and CA.
var clusterFlags = []string{
	"--cluster-name", "demo",
	"--api-server-endpoint", "https://ABCD1234.gr7.us-west-2.eks.amazonaws.com",
	"--certificate-authority", "LS0tLS1CRUdJTiBDRVJUSUZJQ0FURS0tLS0tCg==",
	"--service-cidr", "10.100.0.0/16",
}

func withCluster(args ...string) []string { return append(args, clusterFlags...) }

func TestUserDataGolden(t *testing.T) {
	tests := []goldenCase{
		{"userdata-al2023-m5.large-prefix.txt", withCluster("userdata", "m5.large", "--prefix-delegation"), 0, ""},
		{"userdata-al2023-mixed.txt", withCluster("userdata", "m5.xlarge", "t3.medium", "m5.large"), 0, ""},
		{"userdata-al2023-expression-prefix.txt", withCluster("userdata", "--format", "al2023-expression", "--prefix-delegation", "m5.large", "m5.8xlarge", "m4.xlarge"), 0, "eksnet: note: the expression differs from eksnet maxpods on 2 of the types given (see the comment in the user data)\n"},
		{"userdata-al2023-expression-vcpus.txt", withCluster("userdata", "--format", "al2023-expression", "--prefix-delegation", "--vcpus-variable"), 0, "eksnet: warning: " + userdata.VCPUsWarning + "\n"},
		{"userdata-al2023-expression-custom-sgp.txt", withCluster("userdata", "--format", "al2023-expression", "--custom-networking", "--security-groups-for-pods", "--max-eni", "4", "t3.medium", "m5.large"), 0, "eksnet: note: the expression differs from eksnet maxpods on 1 of the types given (see the comment in the user data)\n"},
		{"userdata-al2-prefix-mixed.sh", withCluster("userdata", "--format", "al2", "--prefix-delegation", "m5.large", "m5.8xlarge", "m4.xlarge"), 0, ""},
		{"userdata-al2-ipv6.sh", []string{"userdata", "--format", "al2", "--ip-family", "ipv6", "m5.large", "--cluster-name", "demo", "--service-cidr", "fd00:10:100::/108"}, 0, ""},
		{"userdata-bottlerocket-prefix.toml", withCluster("userdata", "--format", "bottlerocket", "--prefix-delegation", "m5.large", "c5.xlarge"), 0, ""},
		{"userdata-windows.ps1", withCluster("userdata", "--format", "windows", "m5.large"), 0, ""},
		{"userdata-karpenter-prefix.yaml", []string{"userdata", "--format", "karpenter", "--prefix-delegation", "m5.large", "m5.xlarge", "c5.xlarge", "--cluster-name", "demo"}, 0, ""},
		{"userdata-eksctl-custom.yaml", []string{"userdata", "--format", "eksctl", "--custom-networking", "m5.large", "c5.large", "--cluster-name", "demo", "--region", "us-west-2", "--name", "pods"}, 0, ""},
		{"userdata-list-differences-m5.txt", []string{"userdata", "--format", "al2023-expression", "--prefix-delegation", "--list-differences", "m5.*"}, 0, ""},
	}
	runGoldenCases(t, tests)
}

// The "done when": a NodeConfig with maxPods 110 and kube-reserved
// memory 1465Mi, read back as nodeadm reads it.
func TestUserDataDoneWhen(t *testing.T) {
	stdout, stderr, code := run(t, withCluster("userdata", "m5.large", "--prefix-delegation")...)
	if code != 0 || stderr != "" {
		t.Fatalf("exit %d, stderr %q", code, stderr)
	}
	msg, err := mail.ReadMessage(strings.NewReader(stdout))
	if err != nil {
		t.Fatal(err)
	}
	mediaType, params, err := mime.ParseMediaType(msg.Header.Get("Content-Type"))
	if err != nil || mediaType != "multipart/mixed" {
		t.Fatalf("content type %q: %v", mediaType, err)
	}
	part, err := multipart.NewReader(msg.Body, params["boundary"]).NextPart()
	if err != nil || part.Header.Get("Content-Type") != "application/node.eks.aws" {
		t.Fatalf("part %v: %v", part.Header, err)
	}
	body, err := io.ReadAll(part)
	if err != nil {
		t.Fatal(err)
	}
	dec := yaml.NewDecoder(bytes.NewReader(body))
	dec.KnownFields(true)
	var cfg userdata.NodeConfig
	if err := dec.Decode(&cfg); err != nil {
		t.Fatal(err)
	}
	k := cfg.Spec.Kubelet.Config
	if cfg.Kind != "NodeConfig" || cfg.APIVersion != "node.eks.aws/v1alpha1" || k == nil || k.MaxPods != 110 ||
		k.KubeReserved.Memory != "1465Mi" || k.KubeReserved.CPU != "70m" || cfg.Spec.Cluster.Name != "demo" {
		t.Errorf("NodeConfig %+v, kubelet %+v", cfg, k)
	}
}

// --out replaces the file whole, or leaves it as it was.
func TestUserDataOut(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, "user-data")
	stdout, _, _ := run(t, withCluster("userdata", "m5.large")...)
	if _, stderr, code := run(t, withCluster("userdata", "m5.large", "--out", path)...); code != 0 {
		t.Fatalf("exit %d: %s", code, stderr)
	}
	got, err := os.ReadFile(path)
	if err != nil || string(got) != stdout {
		t.Fatalf("--out wrote %q (%v), stdout was %q", got, err, stdout)
	}
	// A bad value: an error, and the file keeps its content.
	out, stderr, code := run(t, "userdata", "m5.large", "--cluster-name", "demo", "--api-server-endpoint", "https://x.example.com",
		"--certificate-authority", "%%", "--service-cidr", "10.100.0.0/16", "--out", path)
	if code != 1 || out != "" || !strings.Contains(stderr, "invalid certificate authority") {
		t.Errorf("bad CA: exit %d, stdout %q, stderr %q", code, out, stderr)
	}
	if again, _ := os.ReadFile(path); string(again) != stdout {
		t.Errorf("the file changed after an error: %q", again)
	}
	// A directory that does not exist: an error naming it, no file.
	missing := filepath.Join(dir, "no", "user-data")
	if _, stderr, code := run(t, withCluster("userdata", "m5.large", "--out", missing)...); code != 1 || stderr != "eksnet: cannot write "+missing+": directory "+filepath.Dir(missing)+" does not exist\n" {
		t.Errorf("missing directory: exit %d, %q", code, stderr)
	}
	entries, _ := os.ReadDir(dir)
	if len(entries) != 1 {
		t.Errorf("temporary files left behind: %v", entries)
	}
}

func TestUserDataFlagsParse(t *testing.T) {
	var got *userDataOptions
	cmd := newUserDataCmd(&factory{}, func(o *userDataOptions) error { got = o; return nil })
	cmd.SetArgs(withCluster("m5.large", "c5.xlarge", "--format", "karpenter", "--cni-prefix-delegation-enabled", "--cni-max-eni", "2", "--name", "pods", "--out", "f"))
	if err := cmd.Execute(); err != nil {
		t.Fatal(err)
	}
	if strings.Join(got.types, ",") != "m5.large,c5.xlarge" || got.format != "karpenter" || !got.cni.cfg.PrefixDelegation || got.cni.cfg.MaxENI != 2 ||
		got.name != "pods" || got.out != "f" || got.cluster.Name != "demo" || got.cluster.ServiceCIDR != "10.100.0.0/16" {
		t.Errorf("parsed options = %+v", got)
	}
}
