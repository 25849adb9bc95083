package kube

import (
	"net/netip"
	"strconv"
	"strings"
	"testing"

	"github.com/eksnet/eksnet/internal/fuzzbound"
)

const oneNode = `{"apiVersion":"v1","kind":"List","items":[{"apiVersion":"v1","kind":"Node",
 "metadata":{"name":"ip-10-0-0-5.ec2.internal","labels":{"node.kubernetes.io/instance-type":"m5.large","topology.kubernetes.io/zone":"us-east-1a","kubernetes.io/os":"linux"}},
 "spec":{"providerID":"aws:///us-east-1a/i-0123456789abcdef0"},
 "status":{"capacity":{"cpu":"2","memory":"7869560Ki","pods":"29"},"allocatable":{"cpu":"1930m","memory":"7179384Ki","pods":"29"},
  "addresses":[{"type":"InternalIP","address":"10.0.0.5"},{"type":"Hostname","address":"ip-10-0-0-5.ec2.internal"}]}}]}`

func TestParseNodes(t *testing.T) {
	nodes, err := ParseNodes([]byte(oneNode))
	if err != nil || len(nodes) != 1 {
		t.Fatalf("%+v %v", nodes, err)
	}
	n := nodes[0]
	if n.Name != "ip-10-0-0-5.ec2.internal" || n.InstanceType != "m5.large" || n.Zone != "us-east-1a" || n.OS != "linux" ||
		n.InstanceID != "i-0123456789abcdef0" || n.InternalIP != netip.MustParseAddr("10.0.0.5") || n.CapacityPods != 29 ||
		n.CapacityMemory != 7869560<<10 || n.AllocatableMemory != 7179384<<10 {
		t.Errorf("%+v", n)
	}
	// 7869560Ki − 7179384Ki = 674Mi = 11 × 29 + 255 + 100 (eviction).
	if got := (n.CapacityMemory - n.AllocatableMemory) >> 20; got != 11*29+255+100 {
		t.Errorf("reserved %d MiB", got)
	}
	beta := strings.NewReplacer(`"node.kubernetes.io/instance-type"`, `"beta.kubernetes.io/instance-type"`, `"topology.kubernetes.io/zone"`, `"failure-domain.beta.kubernetes.io/zone"`).Replace(oneNode)
	if nodes, err := ParseNodes([]byte(beta)); err != nil || nodes[0].InstanceType != "m5.large" || nodes[0].Zone != "us-east-1a" {
		t.Errorf("beta labels: %+v %v", nodes, err)
	}
}

func TestParseNodesErrors(t *testing.T) {
	item := oneNode[strings.Index(oneNode, `{"apiVersion":"v1","kind":"Node"`) : len(oneNode)-2]
	twice := `{"kind":"List","items":[` + item + "," + item + "]}"
	tests := []struct{ doc, want string }{
		{`{"kind":"PodList","items":[]}`, `nodes: the file holds kind "PodList", not a List of Nodes: give the output of kubectl get nodes -o json`},
		{strings.Replace(oneNode, `"pods":"29"}`, `"pods":"lots"}`, 1), `nodes: ip-10-0-0-5.ec2.internal: status.capacity.pods: "lots" is not a pod count (0 to 100000)`},
		{strings.Replace(oneNode, `"7869560Ki"`, `"7.5Gi"`, 1), `nodes: ip-10-0-0-5.ec2.internal: status.capacity.memory: "7.5Gi" is not a memory quantity such as 7869560Ki`},
		{strings.Replace(oneNode, `"node.kubernetes.io/instance-type":"m5.large",`, ``, 1), `nodes: ip-10-0-0-5.ec2.internal: no node.kubernetes.io/instance-type label: not an EC2 node`},
		{strings.Replace(oneNode, `aws:///us-east-1a/i-0123456789abcdef0`, `gce://p/z/n`, 1), `nodes: ip-10-0-0-5.ec2.internal: spec.providerID "gce://p/z/n" is not aws:///ZONE/INSTANCE-ID`},
		{strings.Replace(oneNode, `"7179384Ki"`, `"9000000Ki"`, 1), `nodes: ip-10-0-0-5.ec2.internal: allocatable memory 9216000000 is more than capacity 8058429440`},
		{twice, `nodes: ip-10-0-0-5.ec2.internal is listed twice`},
	}
	for _, tt := range tests {
		if _, err := ParseNodes([]byte(tt.doc)); err == nil || err.Error() != tt.want {
			t.Errorf("got %v\nwant %s", err, tt.want)
		}
	}
}

func TestParseBytes(t *testing.T) {
	for s, want := range map[string]int64{"0": 0, "1024": 1024, "7869560Ki": 7869560 << 10, "8Gi": 8 << 30, "16M": 16e6, "1Ti": 1 << 40} {
		if got, err := ParseBytes(s); err != nil || got != want {
			t.Errorf("ParseBytes(%q) = %d, %v, want %d", s, got, err, want)
		}
	}
	for _, s := range []string{"", "Ki", "-1Ki", "+5", "1.5Gi", "1e9", "9223372036854775807Ki", "5 Mi", "5mi"} {
		if _, err := ParseBytes(s); err == nil {
			t.Errorf("ParseBytes(%q) accepted", s)
		}
	}
}

func TestParseENIConfigs(t *testing.T) {
	doc := `{"apiVersion":"v1","kind":"List","items":[{"apiVersion":"crd.k8s.amazonaws.com/v1alpha1","kind":"ENIConfig","metadata":{"name":"us-east-1a"},"spec":{"subnet":"subnet-0123456789abcdef0","securityGroups":["sg-0123456789abcdef0"]}}]}`
	got, err := ParseENIConfigs([]byte(doc))
	if err != nil || len(got) != 1 || got[0].Name != "us-east-1a" || got[0].Subnet != "subnet-0123456789abcdef0" || len(got[0].SecurityGroups) != 1 {
		t.Errorf("%+v %v", got, err)
	}
	if _, err := ParseENIConfigs([]byte(`{"kind":"List","items":[{"kind":"ConfigMap","metadata":{"name":"x"}}]}`)); err == nil || err.Error() != `ENIConfigs: item 0 is kind "ConfigMap", not an ENIConfig` {
		t.Errorf("ConfigMap: %v", err)
	}
}

// FuzzParseNodes, FuzzParseENIConfigs: no panic, one-line errors, and a
// node read has its type, zone and memory in order.
func FuzzParseNodes(f *testing.F) {
	f.Add([]byte(oneNode))
	f.Add([]byte(`{"kind":"Node","metadata":{"name":"x"}}`))
	f.Fuzz(func(t *testing.T, data []byte) {
		defer fuzzbound.Start(t)()
		nodes, err := ParseNodes(data)
		if err != nil {
			if strings.Contains(err.Error(), "\n") {
				t.Fatalf("error spans lines: %q", err)
			}
			return
		}
		for _, n := range nodes {
			if n.InstanceType == "" || n.Zone == "" || n.AllocatableMemory > n.CapacityMemory || n.AllocatableMemory < 0 || n.CapacityPods < 0 {
				t.Fatalf("read %+v", n)
			}
		}
	})
}

func FuzzParseENIConfigs(f *testing.F) {
	f.Add([]byte(`{"kind":"List","items":[{"kind":"ENIConfig","metadata":{"name":"a"},"spec":{"subnet":"subnet-1"}}]}`))
	f.Fuzz(func(t *testing.T, data []byte) {
		defer fuzzbound.Start(t)()
		cs, err := ParseENIConfigs(data)
		if err != nil {
			if strings.Contains(err.Error(), "\n") {
				t.Fatalf("error spans lines: %q", err)
			}
			return
		}
		for _, c := range cs {
			if c.Name == "" {
				t.Fatalf("read %+v", c)
			}
		}
	})
}

func TestParsePods(t *testing.T) {
	doc := `{"apiVersion":"v1","kind":"List","items":[
 {"metadata":{"name":"a"},"spec":{"nodeName":"n1"},"status":{"phase":"Running"}},
 {"metadata":{"name":"b"},"spec":{"nodeName":"n1","hostNetwork":true},"status":{"phase":"Running"}},
 {"metadata":{"name":"c","annotations":{"vpc.amazonaws.com/pod-eni":"[{\"eniId\":\"eni-1\"}]"}},"spec":{"nodeName":"n1"},"status":{"phase":"Running"}},
 {"metadata":{"name":"d"},"spec":{"nodeName":"n1"},"status":{"phase":"Succeeded"}},
 {"metadata":{"name":"e"},"spec":{},"status":{"phase":"Pending"}},
 {"metadata":{"name":"f"},"spec":{"nodeName":"n2"},"status":{"phase":"Pending"}}]}`
	got, err := ParsePods([]byte(doc))
	if err != nil || len(got) != 2 || got["n1"] != (PodCounts{Pool: 1, Branch: 1, HostNetwork: 1}) || got["n2"] != (PodCounts{Pool: 1}) {
		t.Errorf("%+v %v", got, err)
	}
	if _, err := ParsePods([]byte(`{"kind":"NodeList","items":[]}`)); err == nil || err.Error() != `pods: the file holds kind "NodeList", not a List of Pods: give the output of kubectl get pods -A -o json` {
		t.Errorf("NodeList: %v", err)
	}
}

func FuzzParsePods(f *testing.F) {
	f.Add([]byte(`{"kind":"List","items":[{"spec":{"nodeName":"n"},"status":{"phase":"Running"}}]}`))
	f.Fuzz(func(t *testing.T, data []byte) {
		defer fuzzbound.Start(t)()
		counts, err := ParsePods(data)
		if err != nil {
			if strings.Contains(err.Error(), "\n") {
				t.Fatalf("error spans lines: %q", err)
			}
			return
		}
		for node, c := range counts {
			if node == "" || c.Pool+c.Branch+c.HostNetwork == 0 {
				t.Fatalf("%q: %+v", node, c)
			}
		}
	})
}

// The EKS add-on's configurationValues, alone or inside describe-addon's
// answer, read as the DaemonSet's environment would be.
func TestAddonCNI(t *testing.T) {
	values := `{"env":{"ENABLE_PREFIX_DELEGATION":"true","WARM_PREFIX_TARGET":"1","AWS_VPC_K8S_CNI_CUSTOM_NETWORK_CFG":"true"}}`
	cfg, hasVersion, err := DaemonSetCNI([]byte(values))
	if err != nil || hasVersion || !cfg.PrefixDelegation || !cfg.CustomNetworking || cfg.WarmPrefixTarget != 1 {
		t.Errorf("configurationValues: %+v %v %v", cfg, hasVersion, err)
	}
	described := `{"addon":{"addonName":"vpc-cni","clusterName":"demo","status":"ACTIVE","addonVersion":"v1.19.2-eksbuild.1","configurationValues":` + strconv.Quote(values) + `}}`
	cfg, hasVersion, err = DaemonSetCNI([]byte(described))
	if err != nil || !hasVersion || cfg.Version.String() != "1.19.2" || !cfg.PrefixDelegation {
		t.Errorf("describe-addon: %+v %v %v", cfg, hasVersion, err)
	}
	// An env that sets neither warm target keeps the manifest's (1 and 1),
	// as the add-on renders it, where an aws-node without the variables
	// would run WARM_PREFIX_TARGET 0.
	cfg, _, err = DaemonSetCNI([]byte(`{"env":{"ENABLE_PREFIX_DELEGATION":"true"}}`))
	if err != nil || cfg.WarmPrefixTarget != 1 || cfg.WarmENITarget != 1 {
		t.Errorf("manifest defaults: %+v %v", cfg, err)
	}
	if _, _, err := DaemonSetCNI([]byte(`{"addon":{"addonName":"coredns","addonVersion":"v1.11.4-eksbuild.2"}}`)); err == nil ||
		err.Error() != `EKS add-on "coredns": give the vpc-cni add-on (aws eks describe-addon --addon-name vpc-cni)` {
		t.Errorf("coredns: %v", err)
	}
	if _, _, err := DaemonSetCNI([]byte(`{"env":{"WARM_IP_TARGET":"-1"}}`)); err == nil || !strings.HasPrefix(err.Error(), "vpc-cni add-on configurationValues: ") {
		t.Errorf("bad env: %v", err)
	}
}
