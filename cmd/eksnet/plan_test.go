package main

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"io"
	"os"
	"path/filepath"
	"reflect"
	"slices"
	"strings"
	"testing"
	"time"

	"gopkg.in/yaml.v3"

	"github.com/eksnet/eksnet/internal/cni"
	"github.com/eksnet/eksnet/internal/ec2fake"
	"github.com/eksnet/eksnet/internal/plan"
)

// sampleResult is a small laid-out plan for the output formats' own tests.
func sampleResult() *plan.Result {
	months := 23
	return &plan.Result{
		Region: "us-west-2", VPCCIDRs: []string{"10.0.0.0/16"}, SecondaryCIDRs: []string{"100.64.0.0/16"},
		CIDRBlocksToAssociate: []string{"100.64.0.0/16"}, ServiceCIDR: "10.100.0.0/16", AZs: []string{"us-west-2a", "us-west-2b"},
		Subnets: []plan.Subnet{
			{AZ: "us-west-2a", Role: plan.RoleNode, CIDR: "10.0.1.0/24", UsableAddresses: 251, AddressesNeeded: 10, AddressesNeededFuture: 20, AddressesPlanned: 24, Tags: map[string]string{"kubernetes.io/role/internal-elb": "1"}},
			{AZ: "us-west-2b", Role: plan.RoleNode, CIDR: "10.0.2.0/24", UsableAddresses: 251, AddressesNeeded: 10, AddressesNeededFuture: 20, AddressesPlanned: 24},
			{AZ: "us-west-2a", Role: plan.RolePod, CIDR: "100.64.0.0/19", UsableAddresses: 8187, AddressesNeeded: 1000, AddressesNeededFuture: 2000, AddressesPlanned: 2400, PrefixesNeededFuture: 100, RunwayMonths: &months},
			{AZ: "us-west-2b", Role: plan.RolePod, CIDR: "100.64.32.0/19", ID: "subnet-0123456789abcdef0", Existing: true, UsableAddresses: 8187},
		},
		Reservations: []plan.Reservation{{AZ: "us-west-2a", SubnetCIDR: "100.64.0.0/19", CIDR: "100.64.8.0/22", Type: "prefix"}},
		NodeGroups:   []plan.NodeGroupResult{{Name: "general", MaxPods: 110, SetBy: "m5.large", PodsPerNode: 108}},
		CNI:          plan.CNIResult{KubectlSetEnv: "kubectl set env daemonset aws-node -n kube-system AWS_VPC_K8S_CNI_CUSTOM_NETWORK_CFG=true", ENIConfigLabel: cni.DefaultENIConfigLabel},
		Warnings:     []string{},
	}
}

// ENIConfigs: one document per pod subnet, named after the AZ, that a YAML
// reader (kubectl's) parses; IDs from the plan, else placeholders.
func TestENIConfigsParse(t *testing.T) {
	var buf bytes.Buffer
	if err := writeENIConfigs(&buf, sampleResult(), nil); err != nil {
		t.Fatal(err)
	}
	dec := yaml.NewDecoder(&buf)
	var names, subnets []string
	for {
		var doc struct {
			APIVersion string `yaml:"apiVersion"`
			Kind       string `yaml:"kind"`
			Metadata   struct{ Name string }
			Spec       struct {
				SecurityGroups []string `yaml:"securityGroups"`
				Subnet         string
			}
		}
		err := dec.Decode(&doc)
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			t.Fatal(err)
		}
		if doc.APIVersion != "crd.k8s.amazonaws.com/v1alpha1" || doc.Kind != "ENIConfig" || len(doc.Spec.SecurityGroups) != 1 {
			t.Errorf("document %+v", doc)
		}
		names = append(names, doc.Metadata.Name)
		subnets = append(subnets, doc.Spec.Subnet)
	}
	if strings.Join(names, ",") != "us-west-2a,us-west-2b" ||
		strings.Join(subnets, ",") != "PLACEHOLDER-subnet-id-of-100.64.0.0-19,subnet-0123456789abcdef0" {
		t.Errorf("names %v, subnets %v", names, subnets)
	}
	buf.Reset()
	if err := writeENIConfigs(&buf, sampleResult(), []string{"sg-0123456789abcdef0"}); err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(buf.String(), "  securityGroups:\n    - sg-0123456789abcdef0\n") || strings.Contains(buf.String(), "PLACEHOLDER-security-group") {
		t.Errorf("security groups not used:\n%s", buf.String())
	}
	noPods := sampleResult()
	noPods.Subnets = noPods.Subnets[:2]
	if err := writeENIConfigs(&buf, noPods, nil); err == nil || !strings.Contains(err.Error(), "the plan has no pod subnets") {
		t.Errorf("no pod subnets: %v", err)
	}
}

func TestTFVars(t *testing.T) {
	data, err := json.Marshal(tfvarsView(sampleResult()))
	if err != nil {
		t.Fatal(err)
	}
	var got map[string]any
	if err := json.Unmarshal(data, &got); err != nil {
		t.Fatal(err)
	}
	subnets := got["subnets"].(map[string]any)
	pod := subnets["us-west-2b-pod"].(map[string]any)
	if pod["create"] != false || pod["id"] != "subnet-0123456789abcdef0" || pod["cidr"] != "100.64.32.0/19" {
		t.Errorf("adopted pod subnet %v", pod)
	}
	if got["node_subnets"].(map[string]any)["us-west-2b"] != "10.0.2.0/24" || len(got["cluster_subnets"].(map[string]any)) != 0 {
		t.Errorf("by role: %v %v", got["node_subnets"], got["cluster_subnets"])
	}
	r := got["prefix_reservations"].([]any)[0].(map[string]any)
	if r["key"] != "us-west-2a-pod" || r["cidr"] != "100.64.8.0/22" || r["reservation_type"] != "prefix" {
		t.Errorf("reservation %v", r)
	}
}

func TestPlanFlagsParse(t *testing.T) {
	var got *planOptions
	cmd := newPlanCmd(&factory{}, func(o *planOptions) error { got = o; return nil })
	cmd.SetArgs([]string{"-f", "p.yaml", "--subnets-file", "s.json", "--cni-from", "ds.yaml", "-o", "eniconfig"})
	if err := cmd.Execute(); err != nil {
		t.Fatal(err)
	}
	if got.file != "p.yaml" || got.subnetsFile != "s.json" || got.cniFrom != "ds.yaml" || got.output != "eniconfig" || got.aws.live ||
		got.aws.timeout != 30*time.Second {
		t.Errorf("parsed %+v", got)
	}
	cmd = newPlanCmd(&factory{}, func(o *planOptions) error { got = o; return nil })
	cmd.SetArgs([]string{"-f", "p.yaml", "--live", "--region", "eu-west-1", "--profile", "prod", "--endpoint-url", "http://127.0.0.1:4566", "--timeout", "5s"})
	if err := cmd.Execute(); err != nil {
		t.Fatal(err)
	}
	want := awsFlags{live: true, region: "eu-west-1", profile: "prod", endpointURL: "http://127.0.0.1:4566", timeout: 5 * time.Second}
	if got.aws != want {
		t.Errorf("AWS flags %+v, want %+v", got.aws, want)
	}
}

// The example plan in every output format.
func TestPlanGolden(t *testing.T) {
	example := "testdata/plan/example.yaml"
	tests := []goldenCase{
		{"plan-example.txt", []string{"plan", "-f", example}, 0, ""},
		{"plan-example-wide.txt", []string{"plan", "-f", example, "-o", "wide"}, 0, ""},
		{"plan-example.json", []string{"plan", "-f", example, "-o", "json"}, 0, ""},
		{"plan-example.yaml", []string{"plan", "-f", example, "-o", "yaml"}, 0, ""},
		{"plan-example.tfvars.json", []string{"plan", "-f", example, "-o", "tfvars"}, 0, ""},
		{"plan-example-eniconfig.yaml", []string{"plan", "-f", example, "-o", "eniconfig"}, 0, ""},
		{"plan-live-eniconfig.yaml", []string{"plan", "-f", "testdata/plan/live.yaml", "--subnets-file", "testdata/plan/describe-subnets.json",
			"--cni-from", "testdata/plan/aws-node.yaml", "-o", "eniconfig"}, 0, ""},
	}
	runGoldenCases(t, tests)
}

// The same VPC read from describe-subnets and aws-node gives the same subnets
// as the example that lists them by hand.
func TestPlanFromSubnetsFileAndDaemonSet(t *testing.T) {
	byHand, _, code := run(t, "plan", "-f", "testdata/plan/example.yaml", "-o", "json")
	if code != 0 {
		t.Fatal("example failed")
	}
	live, stderr, code := run(t, "plan", "-f", "testdata/plan/live.yaml", "--subnets-file", "testdata/plan/describe-subnets.json",
		"--cni-from", "testdata/plan/aws-node.yaml", "-o", "json")
	if code != 0 {
		t.Fatal(stderr)
	}
	var a, b plan.Result
	if err := json.Unmarshal([]byte(byHand), &a); err != nil {
		t.Fatal(err)
	}
	if err := json.Unmarshal([]byte(live), &b); err != nil {
		t.Fatal(err)
	}
	if len(a.Subnets) != len(b.Subnets) {
		t.Fatalf("%d subnets by hand, %d live", len(a.Subnets), len(b.Subnets))
	}
	for i := range a.Subnets {
		if a.Subnets[i].CIDR != b.Subnets[i].CIDR || a.Subnets[i].AddressesNeededFuture != b.Subnets[i].AddressesNeededFuture {
			t.Errorf("subnet %d: by hand %+v, live %+v", i, a.Subnets[i], b.Subnets[i])
		}
	}
	if b.VPCID != "vpc-0123456789abcdef0" || b.CNI.KubectlSetEnv != a.CNI.KubectlSetEnv {
		t.Errorf("live plan: VPC %q, %q", b.VPCID, b.CNI.KubectlSetEnv)
	}
}

// --live asks EC2 in --region, else the plan's region, else the SDK's
// (AWS_REGION here): DescribeVpcs for vpc.id, then DescribeSubnets filtered
// on it.
func TestPlanLiveRegion(t *testing.T) {
	ec2fake.SetTestEnv(t)
	s := ec2fake.Start(nil)
	defer s.Close()
	data, err := os.ReadFile("testdata/plan/describe-subnets.json")
	if err != nil {
		t.Fatal(err)
	}
	subnets, err := ec2fake.ParseSubnets(data)
	if err != nil {
		t.Fatal(err)
	}
	s.SetSubnets(subnets...)
	s.SetVPCs(ec2fake.VPC("vpc-0123456789abcdef0", "10.0.0.0/16"))
	noRegion := filepath.Join(t.TempDir(), "plan.yaml")
	if err := os.WriteFile(noRegion, []byte("vpc: {id: vpc-0123456789abcdef0}\nazs: [us-west-2a, us-west-2b]\nnodeGroups: [{name: g, instanceTypes: [m5.large], nodes: 3}]\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		args   []string
		region string
	}{
		{[]string{"-f", "testdata/plan/live.yaml", "--cni-from", "testdata/plan/aws-node.yaml"}, "us-west-2"},
		{[]string{"-f", "testdata/plan/live.yaml", "--cni-from", "testdata/plan/aws-node.yaml", "--region", "us-west-2"}, "us-west-2"},
		{[]string{"-f", noRegion, "--region", "eu-west-1"}, "eu-west-1"},
		{[]string{"-f", noRegion}, "us-east-1"},
	}
	for _, tt := range tests {
		before := len(s.Requests())
		args := append(append([]string{"plan"}, tt.args...), "--live", "--endpoint-url", s.URL(), "-o", "json")
		if _, stderr, code := run(t, args...); code != 0 {
			t.Fatalf("eksnet %s: %s", strings.Join(args, " "), stderr)
		}
		var got []string
		for _, r := range s.Requests()[before:] {
			got = append(got, r.Action+" "+r.Region)
			if r.Action == "DescribeVpcs" && !slices.Equal(r.VPCIDs, []string{"vpc-0123456789abcdef0"}) ||
				r.Action == "DescribeSubnets" && !reflect.DeepEqual(r.Filters, map[string][]string{"vpc-id": {"vpc-0123456789abcdef0"}}) {
				t.Errorf("request %+v", r)
			}
		}
		if want := []string{"DescribeVpcs " + tt.region, "DescribeSubnets " + tt.region}; !slices.Equal(got, want) {
			t.Errorf("%v: requests %v, want %v", tt.args, got, want)
		}
	}
}

func BenchmarkPlanExample(b *testing.B) {
	for b.Loop() {
		streams, _, _, _ := TestStreams()
		if code := Main(context.Background(), []string{"plan", "-f", "testdata/plan/example.yaml", "-o", "json"}, streams); code != 0 {
			b.Fatal("exit", code)
		}
	}
}
