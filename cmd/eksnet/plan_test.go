package main

import (
	"context"
	"encoding/json"
	"os"
	"path/filepath"
	"reflect"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/eksnet/eksnet/internal/ec2fake"
	"github.com/eksnet/eksnet/internal/plan"
)

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
		{"plan-example-terraform.auto.tfvars.json", []string{"plan", "-f", example, "-o", "terraform"}, 0,
			"note: 18 prefix reservations are not inputs of terraform-aws-modules/vpc: create them with aws_ec2_subnet_cidr_reservation (-o tfvars lists them as prefix_reservations)\n" +
				"note: the module gives every private subnet the same tags, so the node and pod subnets all carry kubernetes.io/role/internal-elb=1 (-o tfvars tags each subnet on its own)\n"},
		{"plan-example.svg", []string{"plan", "-f", example, "-o", "svg"}, 0, ""},
		{"plan-example.html", []string{"plan", "-f", example, "-o", "html"}, 0, ""},
		{"plan-example-eniconfig.yaml", []string{"plan", "-f", example, "-o", "eniconfig", "--placeholders"}, 0, ""},
		{"plan-discovery.txt", []string{"plan", "-f", "testdata/plan/discovery.yaml"}, 0, ""},
		{"plan-discovery.json", []string{"plan", "-f", "testdata/plan/discovery.yaml", "-o", "json"}, 0, ""},
		{"plan-discovery-split.txt", []string{"plan", "-f", "testdata/plan/discovery-split.yaml"}, 0, ""},
		{"plan-discovery-split-terraform.auto.tfvars.json", []string{"plan", "-f", "testdata/plan/discovery-split.yaml", "-o", "terraform"}, 0,
			"note: the module gives every private subnet the same tags, so the node and pod subnets all carry kubernetes.io/role/cni=1, kubernetes.io/role/internal-elb=1 (-o tfvars tags each subnet on its own)\n"},
		{"plan-ipv6.txt", []string{"plan", "-f", "testdata/plan/ipv6.yaml"}, 0, ""},
		{"plan-ipv6.json", []string{"plan", "-f", "testdata/plan/ipv6.yaml", "-o", "json"}, 0, ""},
		{"plan-ipv6-terraform.auto.tfvars.json", []string{"plan", "-f", "testdata/plan/ipv6.yaml", "-o", "terraform"}, 0, ""},
		{"plan-ipv6.svg", []string{"plan", "-f", "testdata/plan/ipv6.yaml", "-o", "svg"}, 0, ""},
		{"plan-discovery-split.tfvars.json", []string{"plan", "-f", "testdata/plan/discovery-split.yaml", "-o", "tfvars"}, 0, ""},
		{"plan-live-eniconfig.yaml", []string{"plan", "-f", "testdata/plan/live.yaml", "--subnets-file", "testdata/plan/describe-subnets.json",
			"--cni-from", "testdata/plan/aws-node.yaml", "-o", "eniconfig", "--placeholders"}, 0, ""},
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
