package main

import (
	"context"
	"encoding/json"
	"strings"
	"testing"
)

func TestSubnetSizeGolden(t *testing.T) {
	tests := []goldenCase{
		{"subnet-size-m5.large.txt", []string{"subnet", "size", "--instance-type", "m5.large", "--nodes", "100", "--azs", "3", "--surge", "0"}, 0, ""},
		{"subnet-size-m5.large.json", []string{"subnet", "size", "--instance-type", "m5.large", "--nodes", "100", "--azs", "3", "--surge", "0", "-o", "json"}, 0, ""},
		{"subnet-size-prefix-explain.txt", []string{"subnet", "size", "--instance-type", "m5.xlarge", "--nodes", "60", "--prefix-delegation", "--pods-per-node", "20", "--growth", "40%", "--explain"}, 0, ""},
		{"subnet-size-custom-wide.txt", []string{"subnet", "size", "--instance-type", "m5.large", "--nodes", "100", "--custom-networking", "--growth", "5%/month", "-o", "wide"}, 0, ""},
		{"subnet-size-sgp.yaml", []string{"subnet", "size", "--instance-type", "m5.large", "--nodes", "10", "--security-groups-for-pods", "--sg-pods-per-node", "3", "-o", "yaml"}, 0, ""},
		{"subnet-size-runway.txt", []string{"subnet", "size", "--instance-type", "m5.large", "--nodes", "100", "--subnet", "10.0.0.0/20", "--used", "1050", "--growth", "+10/month"}, 0, ""},
		{"subnet-size-runs-out.txt", []string{"subnet", "size", "--instance-type", "m5.large", "--nodes", "100", "--subnet", "10.0.0.0/21", "--used", "1050", "--growth", "+10/month"}, 1,
			"eksnet: subnet 10.0.0.0/21 (2043 usable) needs 2250 addresses at 76 nodes: 207 addresses more than it holds; smallest change that fits: --custom-networking (AWS_VPC_K8S_CNI_CUSTOM_NETWORK_CFG=true)\n"},
		{"subnet-size-does-not-fit.txt", []string{"subnet", "size", "--instance-type", "c5.18xlarge", "--nodes", "700"}, 1,
			"eksnet: the node subnet of each AZ needs 70800 addresses at 236 nodes: 5269 addresses more than a /16 holds; smallest change that fits: --warm-ip-target 49 (WARM_IP_TARGET=49)\n"},
	}
	runGoldenCases(t, tests)
}

// The subnet sizing issue's "done when", through the whole command.
func TestSubnetSizeDoneWhen(t *testing.T) {
	stdout, stderr, code := run(t, "subnet", "size", "--instance-type", "m5.large", "--nodes", "100", "--azs", "3", "--surge", "0", "-o", "json")
	if code != 0 {
		t.Fatalf("exit %d: %s", code, stderr)
	}
	var plan struct {
		InstanceType string `json:"instanceType"`
		MaxPods      int    `json:"maxPods"`
		PodsPerNode  int    `json:"podsPerNode"`
		PerNode      struct {
			ENIs                int `json:"enis"`
			PoolAddresses       int `json:"poolAddresses"`
			Prefixes            int `json:"prefixes"`
			NodeSubnetAddresses int `json:"nodeSubnetAddresses"`
			PodSubnetAddresses  int `json:"podSubnetAddresses"`
			BranchENIs          int `json:"branchENIs"`
		} `json:"perNode"`
		AZs []struct {
			Nodes                   int `json:"nodes"`
			AddressesNeeded         int `json:"addressesNeeded"`
			AddressesNeededFuture   int `json:"addressesNeededFuture"`
			MinimumPrefixLength     int `json:"minimumPrefixLength"`
			RecommendedPrefixLength int `json:"recommendedPrefixLength"`
		} `json:"azs"`
	}
	if err := json.Unmarshal([]byte(stdout), &plan); err != nil {
		t.Fatal(err)
	}
	if plan.InstanceType != "m5.large" || plan.MaxPods != 29 || plan.PodsPerNode != 27 || plan.PerNode.NodeSubnetAddresses != 30 || len(plan.AZs) != 3 {
		t.Errorf("plan %+v", plan)
	}
	for _, az := range plan.AZs {
		if az.Nodes != 34 || az.AddressesNeeded != 1020 || az.AddressesNeededFuture != 1020 || az.MinimumPrefixLength != 21 {
			t.Errorf("AZ %+v, want 34 nodes, 1020 addresses, /21", az)
		}
	}

	for _, tt := range []struct {
		args []string
		want string
	}{
		{[]string{"--instance-type", "m5.large", "--pods-per-node", "5"}, `"nodeSubnetAddresses": 20`},
		{[]string{"--instance-type", "m5.xlarge", "--prefix-delegation", "--pods-per-node", "20"}, `"prefixes": 3`},
		{[]string{"--instance-type", "m5.xlarge", "--prefix-delegation", "--pods-per-node", "20"}, `"nodeSubnetAddresses": 49`},
	} {
		args := append([]string{"subnet", "size", "--nodes", "10", "-o", "json"}, tt.args...)
		stdout, stderr, code := run(t, args...)
		if code != 0 || !strings.Contains(stdout, tt.want) {
			t.Errorf("eksnet %s: exit %d, stderr %q, lacks %s", strings.Join(args, " "), code, stderr, tt.want)
		}
	}
}

func TestSubnetSizeFlagsParse(t *testing.T) {
	var got *subnetSizeOptions
	cmd := newSubnetSizeCmd(&factory{}, func(o *subnetSizeOptions) error { got = o; return nil })
	cmd.SetArgs([]string{"--instance-type", "m5.large", "--nodes", "40", "--azs", "2", "--surge", "0", "--growth", "5%/month",
		"--warm-ip-target", "3", "--minimum-ip-target", "12", "--sg-pods-per-node", "2", "--subnet", "10.0.0.0/22", "--used", "300",
		"--cni-custom-networking-enabled", "--explain", "-o", "yaml"})
	if err := cmd.Execute(); err != nil {
		t.Fatal(err)
	}
	if got.instanceType != "m5.large" || got.nodes != 40 || got.azs != 2 || got.surge != 0 || got.growth != "5%/month" ||
		got.cni.cfg.WarmIPTarget != 3 || got.cni.cfg.MinimumIPTarget != 12 || got.sgPods != 2 || got.cni.cfg.WarmENITarget != 1 ||
		got.cni.cfg.WarmPrefixTarget != 1 || got.subnet != "10.0.0.0/22" || got.used != 300 || !got.cni.cfg.CustomNetworking ||
		!got.explain || got.output != "yaml" || !got.changed["used"] || got.changed["pods-per-node"] {
		t.Errorf("parsed options = %+v", got)
	}
}

func TestSubnetSizeFromEnvironment(t *testing.T) {
	t.Setenv("EKSNET_NODES", "100")
	t.Setenv("EKSNET_SURGE", "0")
	stdout, stderr, code := run(t, "subnet", "size", "--instance-type", "m5.large", "-o", "value")
	if code != 0 || stdout != "/21\n/21\n/21\n" {
		t.Errorf("EKSNET_NODES: exit %d, %q, stderr %q", code, stdout, stderr)
	}
}

func BenchmarkSubnetSizeJSON(b *testing.B) {
	for b.Loop() {
		streams, _, _, _ := TestStreams()
		if code := Main(context.Background(), []string{"subnet", "size", "--instance-type", "m5.xlarge", "--nodes", "300", "--prefix-delegation", "--growth", "5%/month", "-o", "json"}, streams); code != 0 {
			b.Fatal("exit", code)
		}
	}
}
