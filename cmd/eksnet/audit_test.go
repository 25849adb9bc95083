package main

import (
	"context"
	"encoding/json"
	"fmt"
	"net/netip"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
)

// The audit fixtures are a cluster of 3 zones and 40 nodes of 4 types with
// custom networking and prefix delegation (testdata/audit/aws-node.yaml),
// written as kubectl and the AWS CLI print them: healthy/, and drift/ with
// three planted faults. go test -update rewrites them from fixtureCluster.

type fixtureNodeType struct {
	name              string
	count             int
	memoryGiB         int64
	maxPods           int // what a healthy node runs: eksnet maxpods under the fixture's CNI
	driftMaxPods      int // what a drifted node runs (0: as healthy)
	prefixes, singles int // what a pod ENI holds now: /28 prefixes, or secondary addresses (Xen)
}

var fixtureTypes = []fixtureNodeType{
	{name: "m5.large", count: 15, memoryGiB: 8, maxPods: 110, prefixes: 2},
	{name: "m5.xlarge", count: 12, memoryGiB: 16, maxPods: 110, prefixes: 2},
	{name: "c5.2xlarge", count: 8, memoryGiB: 16, maxPods: 110, prefixes: 2},
	// Xen: no prefix delegation, secondary IPs on the one pod ENI. The
	// drifted group kept the table's 20 after custom networking came on.
	{name: "m4.large", count: 5, memoryGiB: 8, maxPods: 11, driftMaxPods: 20, singles: 9},
}

var fixtureZones = []string{"us-west-2a", "us-west-2b", "us-west-2c"}

// fixtureSubnet allocates addresses in a subnet: prefixes from the bottom
// block up, single addresses from the top block down, as a free-form pool.
type fixtureSubnet struct {
	id, zone   string
	cidr       netip.Prefix
	nextBlock  int
	singles    []netip.Addr
	nextSingle netip.Addr
	used       int
}

func newFixtureSubnet(id, zone, cidr string) *fixtureSubnet {
	p := netip.MustParsePrefix(cidr)
	last := p.Addr()
	for range 1<<(32-p.Bits()) - 2 { // the address before the broadcast
		last = last.Next()
	}
	return &fixtureSubnet{id: id, zone: zone, cidr: p, nextBlock: 1, nextSingle: last}
}

func (s *fixtureSubnet) prefix() string {
	a := s.cidr.Addr()
	for range s.nextBlock * 16 {
		a = a.Next()
	}
	s.nextBlock++
	s.used += 16
	return netip.PrefixFrom(a, 28).String()
}

func (s *fixtureSubnet) single() string {
	a := s.nextSingle
	s.nextSingle = a.Prev()
	s.used++
	return a.String()
}

// singleInBlock takes one address in block k: scattered use that leaves no
// block whole.
func (s *fixtureSubnet) singleInBlock(k int) string {
	a := s.cidr.Addr()
	for range k*16 + 7 {
		a = a.Next()
	}
	s.used++
	return a.String()
}

func (s *fixtureSubnet) available() int { return 1<<(32-s.cidr.Bits()) - 5 - s.used }

type jsonObject = map[string]any

// fixtureCluster builds the files of one cluster: nodes.json,
// eniconfigs.json, subnets.json and enis.json.
func fixtureCluster(drift bool) map[string]any {
	nodeSubnets := map[string]*fixtureSubnet{}
	podSubnets := map[string]*fixtureSubnet{}
	for i, z := range fixtureZones {
		nodeSubnets[z] = newFixtureSubnet(fmt.Sprintf("subnet-0a%015x", i+1), z, fmt.Sprintf("10.0.%d.0/24", i))
		podSubnets[z] = newFixtureSubnet(fmt.Sprintf("subnet-0b%015x", i+1), z, fmt.Sprintf("100.64.%d.0/20", 16*i))
	}
	var eniConfigs []jsonObject
	for _, z := range fixtureZones {
		if drift && z == "us-west-2c" {
			continue // planted: a zone without an ENIConfig
		}
		eniConfigs = append(eniConfigs, jsonObject{
			"apiVersion": "crd.k8s.amazonaws.com/v1alpha1", "kind": "ENIConfig",
			"metadata": jsonObject{"name": z},
			"spec":     jsonObject{"subnet": podSubnets[z].id, "securityGroups": []string{"sg-0123456789abcdef0"}},
		})
	}
	hasENIConfig := func(z string) bool { return !drift || z != "us-west-2c" }

	var nodes, enis []jsonObject
	eniSeq := 0
	newENI := func(s *fixtureSubnet, instance string, device int, primary string, secondaries, prefixes []string) {
		eniSeq++
		addrs := []jsonObject{{"PrivateIpAddress": primary, "Primary": true}}
		for _, a := range secondaries {
			addrs = append(addrs, jsonObject{"PrivateIpAddress": a, "Primary": false})
		}
		pfx := []jsonObject{}
		for _, p := range prefixes {
			pfx = append(pfx, jsonObject{"Ipv4Prefix": p})
		}
		eni := jsonObject{
			"NetworkInterfaceId": fmt.Sprintf("eni-0c%015x", eniSeq), "SubnetId": s.id, "VpcId": "vpc-0123456789abcdef0",
			"AvailabilityZone": s.zone, "InterfaceType": "interface", "Status": "in-use",
			"PrivateIpAddress": primary, "PrivateIpAddresses": addrs, "Ipv4Prefixes": pfx,
		}
		if instance != "" {
			eni["Attachment"] = jsonObject{"InstanceId": instance, "DeviceIndex": device, "Status": "attached"}
		} else {
			eni["InterfaceType"], eni["Status"] = "lambda", "in-use"
		}
		enis = append(enis, eni)
	}
	seq := 0
	for _, typ := range fixtureTypes {
		for range typ.count {
			zone := fixtureZones[seq%len(fixtureZones)]
			seq++
			instance := fmt.Sprintf("i-0d%015x", seq)
			maxPods := typ.maxPods
			if drift && typ.driftMaxPods != 0 {
				maxPods = typ.driftMaxPods
			}
			capacityKi := typ.memoryGiB<<20 - 300_000
			reservedKi := int64(11*maxPods+255+100) << 10 // nodeadm's kube-reserved and eviction threshold
			ip := nodeSubnets[zone].single()
			name := "ip-" + strings.ReplaceAll(ip, ".", "-") + ".us-west-2.compute.internal"
			nodes = append(nodes, jsonObject{
				"apiVersion": "v1", "kind": "Node",
				"metadata": jsonObject{"name": name, "labels": map[string]string{
					"kubernetes.io/arch": "amd64", "kubernetes.io/os": "linux", "kubernetes.io/hostname": name,
					"node.kubernetes.io/instance-type": typ.name, "topology.kubernetes.io/region": "us-west-2",
					"topology.kubernetes.io/zone": zone, "eks.amazonaws.com/nodegroup": strings.ReplaceAll(typ.name, ".", "-"),
				}},
				"spec": jsonObject{"providerID": "aws:///" + zone + "/" + instance},
				"status": jsonObject{
					"capacity":    map[string]string{"cpu": "2", "memory": fmt.Sprintf("%dKi", capacityKi), "pods": fmt.Sprint(maxPods)},
					"allocatable": map[string]string{"cpu": "1930m", "memory": fmt.Sprintf("%dKi", capacityKi-reservedKi), "pods": fmt.Sprint(maxPods)},
					"addresses":   []jsonObject{{"type": "InternalIP", "address": ip}, {"type": "Hostname", "address": name}},
				},
			})
			newENI(nodeSubnets[zone], instance, 0, ip, nil, nil)
			if !hasENIConfig(zone) {
				continue // pods stuck: custom networking gives them no subnet
			}
			pod := podSubnets[zone]
			var secondaries, prefixes []string
			for range typ.singles {
				secondaries = append(secondaries, pod.single())
			}
			for range typ.prefixes {
				prefixes = append(prefixes, pod.prefix())
			}
			newENI(pod, instance, 1, pod.single(), secondaries, prefixes)
		}
	}
	if drift {
		// Planted: us-west-2b's pod subnet has scattered addresses (Lambda
		// ENIs, one per /28) that leave 2 whole /28 blocks.
		s := podSubnets["us-west-2b"]
		blocks := 1 << (28 - s.cidr.Bits())
		for k := s.nextBlock; k < blocks-3; k++ {
			newENI(s, "", 0, s.singleInBlock(k), nil, nil)
		}
	}
	var subnets []jsonObject
	for _, group := range []map[string]*fixtureSubnet{nodeSubnets, podSubnets} {
		for _, z := range fixtureZones {
			s := group[z]
			subnets = append(subnets, jsonObject{
				"SubnetId": s.id, "VpcId": "vpc-0123456789abcdef0", "AvailabilityZone": z, "AvailabilityZoneId": "usw2-az" + z[len(z)-1:],
				"CidrBlock": s.cidr.String(), "AvailableIpAddressCount": s.available(), "State": "available", "MapPublicIpOnLaunch": false,
			})
		}
	}
	return map[string]any{
		"nodes.json":      jsonObject{"apiVersion": "v1", "kind": "List", "items": nodes, "metadata": jsonObject{"resourceVersion": ""}},
		"eniconfigs.json": jsonObject{"apiVersion": "v1", "kind": "List", "items": eniConfigs, "metadata": jsonObject{"resourceVersion": ""}},
		"subnets.json":    jsonObject{"Subnets": subnets},
		"enis.json":       jsonObject{"NetworkInterfaces": enis},
	}
}

// The fixture files are what fixtureCluster builds (go test -update).
func TestAuditFixturesAreCurrent(t *testing.T) {
	for dir, drift := range map[string]bool{"healthy": false, "drift": true} {
		for name, doc := range fixtureCluster(drift) {
			data, err := json.MarshalIndent(doc, "", "    ")
			if err != nil {
				t.Fatal(err)
			}
			data = append(data, '\n')
			path := filepath.Join("testdata", "audit", dir, name)
			if *update {
				if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
					t.Fatal(err)
				}
				if err := os.WriteFile(path, data, 0o644); err != nil {
					t.Fatal(err)
				}
				continue
			}
			if got, err := os.ReadFile(path); err != nil || string(got) != string(data) {
				t.Errorf("%s is not what fixtureCluster builds (%v): run go test ./cmd/eksnet -update", path, err)
			}
		}
	}
}

func auditArgs(dir string, extra ...string) []string {
	d := filepath.Join("testdata", "audit", dir)
	return append([]string{"audit", "--nodes", filepath.Join(d, "nodes.json"), "--aws-node", filepath.Join("testdata", "audit", "aws-node.yaml"),
		"--eniconfigs", filepath.Join(d, "eniconfigs.json"), "--subnets-file", filepath.Join(d, "subnets.json"),
		"--enis-file", filepath.Join(d, "enis.json")}, extra...)
}

// Done when: the drifted cluster reports exactly the planted findings, with
// the right objects, exit 1; the healthy one none, exit 0.
func TestAuditPlantedDrift(t *testing.T) {
	type finding struct{ Kind, Severity, Object string }
	decode := func(out string) []finding {
		var report struct{ Findings []finding }
		if err := json.Unmarshal([]byte(out), &report); err != nil {
			t.Fatalf("%v\n%s", err, out)
		}
		return report.Findings
	}
	out, errOut, code := run(t, auditArgs("healthy", "-o", "json")...)
	if got := decode(out); code != 0 || len(got) != 0 || errOut != "" {
		t.Errorf("healthy: exit %d, findings %+v, stderr %q", code, got, errOut)
	}
	out, errOut, code = run(t, auditArgs("drift", "-o", "json")...)
	want := []finding{
		{"eniconfig-missing", "error", "eniconfig/us-west-2c"},
		{"max-pods-over-limit", "error", "node/ip-10-0-0-241.us-west-2.compute.internal"},
		{"max-pods-over-limit", "error", "node/ip-10-0-0-242.us-west-2.compute.internal"},
		{"max-pods-over-limit", "error", "node/ip-10-0-1-242.us-west-2.compute.internal"},
		{"max-pods-over-limit", "error", "node/ip-10-0-2-242.us-west-2.compute.internal"},
		{"max-pods-over-limit", "error", "node/ip-10-0-2-243.us-west-2.compute.internal"},
		{"subnet-fragmented", "error", "subnet/subnet-0b000000000000002"},
	}
	got := decode(out)
	slices.SortFunc(want, func(a, b finding) int { return strings.Compare(a.Kind+a.Object, b.Kind+b.Object) })
	if code != 1 || !slices.Equal(got, want) || errOut != "eksnet: 7 findings at or above error\n" {
		t.Errorf("drift: exit %d, stderr %q, findings\n%+v\nwant\n%+v", code, errOut, got, want)
	}
}

// Bad input exits 2 with one line on stderr and nothing on stdout; findings
// under --fail-on exit 0; --fail-on warning counts warnings.
func TestAuditExitStatus(t *testing.T) {
	d := filepath.Join("testdata", "audit")
	tests := []struct {
		args   []string
		code   int
		stderr string
	}{
		{[]string{"audit"}, 2, "eksnet: no --nodes given: eksnet audit --nodes nodes.json (kubectl get nodes -o json)\n"},
		{[]string{"audit", "--nodes", filepath.Join(d, "healthy", "nodes.json")}, 2, "eksnet: no --aws-node given: eksnet audit reads the CNI's settings from kubectl get ds aws-node -n kube-system -o yaml\n"},
		{[]string{"audit", "--nodes", filepath.Join(d, "healthy", "nodes.json"), "--aws-node", filepath.Join(d, "aws-node.yaml")}, 2,
			"eksnet: the aws-node DaemonSet runs custom networking: give --eniconfigs (kubectl get eniconfigs -o json) to audit the ENIConfigs\n"},
		{[]string{"audit", "--nodes", filepath.Join(d, "aws-node.yaml"), "--aws-node", filepath.Join(d, "aws-node.yaml")}, 2, ""},
		{[]string{"audit", "--nodes", "-", "--aws-node", "-"}, 2, "eksnet: standard input (-) can feed one file only: give the others as paths\n"},
		{auditArgs("healthy", "--fail-on", "fatal"), 2, "eksnet: --fail-on: invalid severity \"fatal\": want one of error, warning, info\n"},
		{auditArgs("healthy", "-o", "xml"), 2, "eksnet: invalid output format \"xml\": want one of table, wide, json, yaml\n"},
		{auditArgs("healthy", "--fail-on", "info"), 0, ""},
	}
	for _, tt := range tests {
		out, errOut, code := run(t, tt.args...)
		if code != tt.code || (tt.stderr != "" && errOut != tt.stderr) || strings.Count(errOut, "\n") > 1 || (code == 2 && out != "") {
			t.Errorf("%q: exit %d, stdout %q, stderr %q; want exit %d, stderr %q", tt.args, code, out, errOut, tt.code, tt.stderr)
		}
	}
}

// BenchmarkAuditCommand10kNodes100kENIs runs the whole command, files read
// and decoded included, on 10,000 m5.xlarge nodes in prefix mode with ten
// ENIs each (100,000), over three /16 subnets.
func BenchmarkAuditCommand10kNodes100kENIs(b *testing.B) {
	dir := b.TempDir()
	var nodes, enis strings.Builder
	nodes.WriteString(`{"apiVersion":"v1","kind":"List","items":[`)
	enis.WriteString(`{"NetworkInterfaces":[`)
	zones := []string{"us-west-2a", "us-west-2b", "us-west-2c"}
	for i := range 10_000 {
		z := i % 3
		ip := fmt.Sprintf("10.%d.%d.%d", z, i/3/256, i/3%256)
		if i > 0 {
			nodes.WriteString(",")
		}
		fmt.Fprintf(&nodes, `{"kind":"Node","metadata":{"name":"n%d","labels":{"node.kubernetes.io/instance-type":"m5.xlarge","topology.kubernetes.io/zone":"%s","kubernetes.io/os":"linux"}},"spec":{"providerID":"aws:///%s/i-0%016x"},"status":{"capacity":{"cpu":"4","memory":"15896988Ki","pods":"110"},"allocatable":{"cpu":"3920m","memory":"14294428Ki","pods":"110"},"addresses":[{"type":"InternalIP","address":"%s"}]}}`,
			i, zones[z], zones[z], i, ip)
		for d := range 10 {
			if i > 0 || d > 0 {
				enis.WriteString(",")
			}
			fmt.Fprintf(&enis, `{"NetworkInterfaceId":"eni-%017x","SubnetId":"subnet-0a%015x","VpcId":"vpc-0123456789abcdef0","Attachment":{"InstanceId":"i-0%016x","DeviceIndex":%d},"PrivateIpAddresses":[{"PrivateIpAddress":"%s","Primary":true}],"Ipv4Prefixes":[]}`,
				i*10+d, z, i, d, ip)
		}
	}
	nodes.WriteString("]}")
	enis.WriteString("]}")
	var subnets strings.Builder
	subnets.WriteString(`{"Subnets":[`)
	for z, zone := range zones {
		if z > 0 {
			subnets.WriteString(",")
		}
		fmt.Fprintf(&subnets, `{"SubnetId":"subnet-0a%015x","VpcId":"vpc-0123456789abcdef0","AvailabilityZone":"%s","CidrBlock":"10.%d.0.0/16","AvailableIpAddressCount":60000}`, z, zone, z)
	}
	subnets.WriteString("]}")
	awsNode := "kind: DaemonSet\nmetadata: {name: aws-node}\nspec: {template: {spec: {containers: [{name: aws-node, image: 'x/amazon-k8s-cni:v1.19.2', env: [{name: ENABLE_PREFIX_DELEGATION, value: 'true'}]}]}}}\n"
	for name, content := range map[string]string{"nodes.json": nodes.String(), "enis.json": enis.String(), "subnets.json": subnets.String(), "aws-node.yaml": awsNode} {
		if err := os.WriteFile(filepath.Join(dir, name), []byte(content), 0o644); err != nil {
			b.Fatal(err)
		}
	}
	args := []string{"audit", "--nodes", filepath.Join(dir, "nodes.json"), "--aws-node", filepath.Join(dir, "aws-node.yaml"),
		"--subnets-file", filepath.Join(dir, "subnets.json"), "--enis-file", filepath.Join(dir, "enis.json"), "-o", "json"}
	b.ResetTimer()
	for b.Loop() {
		streams, _, _, errOut := TestStreams()
		if code := Main(context.Background(), args, streams); code > 1 {
			b.Fatalf("exit %d: %s", code, errOut)
		}
	}
}

// -o wide adds the figures behind the findings: a table of the subnets and
// one of the nodes, pinned by a golden file.
func TestAuditWide(t *testing.T) {
	out, _, code := run(t, auditArgs("drift", "-o", "wide")...)
	if code != 1 {
		t.Fatalf("exit %d", code)
	}
	golden(t, "audit-drift-wide.txt", out)
	table, _, _ := run(t, auditArgs("drift")...)
	if !strings.HasPrefix(out, table) || !strings.Contains(out, "\nSUBNET ") || !strings.Contains(out, "\nNODE ") {
		t.Errorf("-o wide is not the table followed by the subnet and node tables:\n%s", out)
	}
}
