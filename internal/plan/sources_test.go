package plan

import (
	"net/netip"
	"os"
	"reflect"
	"slices"
	"strings"
	"testing"

	"github.com/eksnet/eksnet/internal/fuzzbound"
	"github.com/eksnet/eksnet/internal/kube"

	"github.com/eksnet/eksnet/internal/cni"
	"github.com/eksnet/eksnet/internal/subnet"
)

func readFixture(t *testing.T, name string) []byte {
	t.Helper()
	data, err := os.ReadFile("testdata/" + name)
	if err != nil {
		t.Fatal(err)
	}
	return data
}

func TestSubnetsFromDescribe(t *testing.T) {
	data := readFixture(t, "describe-subnets.json")
	got, vpcID, err := SubnetsFromDescribe(data, "vpc-0123456789abcdef0")
	if err != nil {
		t.Fatal(err)
	}
	want := []ExistingSubnet{
		{CIDR: "10.0.0.0/20", AZ: "us-west-2a", ID: "subnet-0a1b2c3d4e5f60718", Origin: "subnets file: subnet-0a1b2c3d4e5f60718"},
		{CIDR: "10.0.64.0/24", AZ: "us-west-2b", ID: "subnet-0f9e8d7c6b5a40312", Origin: "subnets file: subnet-0f9e8d7c6b5a40312"},
	}
	if vpcID != "vpc-0123456789abcdef0" || !reflect.DeepEqual(got, want) {
		t.Errorf("got %+v in %s", got, vpcID)
	}
	if _, _, err := SubnetsFromDescribe(data, ""); err == nil || err.Error() != "subnets file: it holds the subnets of 2 VPCs (vpc-0123456789abcdef0, vpc-0fedcba9876543210): set vpc.id in the plan to choose one" {
		t.Errorf("two VPCs without vpc.id: %v", err)
	}
	if _, _, err := SubnetsFromDescribe(data, "vpc-00000000000000000"); err == nil || !strings.Contains(err.Error(), "no subnet of vpc-00000000000000000 in it") {
		t.Errorf("unknown VPC: %v", err)
	}
	for _, bad := range []string{`[]`, `{"Vpcs": []}`, `not json`} {
		if _, _, err := SubnetsFromDescribe([]byte(bad), ""); err == nil {
			t.Errorf("%q accepted", bad)
		}
	}
	one, id, err := SubnetsFromDescribe([]byte(`{"Subnets": [{"SubnetId": "subnet-00000001", "VpcId": "vpc-00000001", "CidrBlock": "10.0.0.0/24", "AvailabilityZone": "a", "AvailableIpAddressCount": 200}]}`), "")
	if err != nil || id != "vpc-00000001" || len(one) != 1 {
		t.Errorf("one VPC: %v %s %v", one, id, err)
	}
}

// The example plan with its existing subnets from describe-subnets instead:
// the file's subnets merge with the plan's by CIDR and take their IDs.
func TestMergeExisting(t *testing.T) {
	f, err := Decode(readFixture(t, "valid-example.yaml"), "yaml")
	if err != nil {
		t.Fatal(err)
	}
	subnets, vpcID, _ := SubnetsFromDescribe(readFixture(t, "describe-subnets.json"), "vpc-0123456789abcdef0")
	if err := MergeExisting(&f, subnets, vpcID, "the subnets file"); err != nil {
		t.Fatal(err)
	}
	if f.VPC.ID != "vpc-0123456789abcdef0" || len(f.VPC.ExistingSubnets) != 2 || f.VPC.ExistingSubnets[1].ID != "subnet-0f9e8d7c6b5a40312" {
		t.Errorf("merged %+v", f.VPC)
	}
	f.VPC.ExistingSubnets[0].AZ = "us-west-2c"
	if err := MergeExisting(&f, subnets, vpcID, "the subnets file"); err == nil || err.Error() != "vpc.existingSubnets[0]: 10.0.0.0/20 is in us-west-2c in the plan but in us-west-2a in the subnets file" {
		t.Errorf("AZ conflict: %v", err)
	}
	// A subnet the plan does not list is added, and named by its ID in errors.
	f2, _ := Decode(readFixture(t, "valid-example.yaml"), "yaml")
	f2.VPC.ExistingSubnets = nil
	f2.VPC.CIDRs = []string{"10.1.0.0/16"}
	if err := MergeExisting(&f2, subnets, vpcID, "the subnets file"); err != nil {
		t.Fatal(err)
	}
	Default(&f2)
	if _, err := Validate(f2); err == nil || !strings.HasPrefix(err.Error(), "subnets file: subnet-0a1b2c3d4e5f60718: 10.0.0.0/20 lies outside the VPC's blocks (10.1.0.0/16, 100.64.0.0/16)") {
		t.Errorf("outside: %v", err)
	}
}

// Subnets from EC2 take the same path as those of a file, named by source.
func TestSubnetsOfVPC(t *testing.T) {
	all := []subnet.Existing{
		{ID: "subnet-00000001", VPCID: "vpc-0123456789abcdef0", AZ: "us-west-2a", CIDR: netip.MustParsePrefix("10.0.0.0/20"), Available: 4000},
		{ID: "subnet-00000002", VPCID: "vpc-0123456789abcdef0", AZ: "us-west-2b", CIDR: netip.MustParsePrefix("10.0.64.0/24"), Available: 250},
	}
	got, vpcID, err := SubnetsOfVPC(all, "vpc-0123456789abcdef0", "EC2")
	want := []ExistingSubnet{
		{CIDR: "10.0.0.0/20", AZ: "us-west-2a", ID: "subnet-00000001", Origin: "EC2: subnet-00000001"},
		{CIDR: "10.0.64.0/24", AZ: "us-west-2b", ID: "subnet-00000002", Origin: "EC2: subnet-00000002"},
	}
	if err != nil || vpcID != "vpc-0123456789abcdef0" || !reflect.DeepEqual(got, want) {
		t.Errorf("got %+v in %s, %v", got, vpcID, err)
	}
	// A VPC without subnets yet is a VPC to plan, not an error.
	if got, vpcID, err := SubnetsOfVPC(nil, "vpc-0123456789abcdef0", "EC2"); err != nil || got != nil || vpcID != "vpc-0123456789abcdef0" {
		t.Errorf("no subnets: %v %s %v", got, vpcID, err)
	}
	if _, _, err := SubnetsOfVPC(all, "vpc-0fedcba9876543210", "EC2"); err == nil || err.Error() != "EC2: no subnet of vpc-0fedcba9876543210 in it (it has vpc-0123456789abcdef0)" {
		t.Errorf("other VPC: %v", err)
	}
	f := File{VPC: VPC{ExistingSubnets: []ExistingSubnet{{CIDR: "10.0.0.0/20", AZ: "us-west-2c"}}}}
	if err := MergeExisting(&f, got, vpcID, "EC2"); err == nil || err.Error() != "vpc.existingSubnets[0]: 10.0.0.0/20 is in us-west-2c in the plan but in us-west-2a in EC2" {
		t.Errorf("AZ conflict: %v", err)
	}
}

func TestMergeVPCBlocks(t *testing.T) {
	ec2 := []string{"10.0.0.0/16", "100.64.0.0/16"}
	tests := []struct {
		plan []string
		want []string
		err  string
	}{
		{nil, []string{"10.0.0.0/16", "100.64.0.0/16"}, ""},
		{[]string{"10.0.0.0/16"}, []string{"10.0.0.0/16", "100.64.0.0/16"}, ""},
		{[]string{"10.0.0.0/16", "100.64.0.0/16"}, []string{"10.0.0.0/16", "100.64.0.0/16"}, ""},
		// A block the plan means to associate stays; EC2's order of the rest does not matter.
		{[]string{"10.0.0.0/16", "10.1.0.0/16"}, []string{"10.0.0.0/16", "10.1.0.0/16", "100.64.0.0/16"}, ""},
		{[]string{" 10.0.0.0/16", "100.64.0.0/16 "}, []string{" 10.0.0.0/16", "100.64.0.0/16 "}, ""},
		// Host bits and bad CIDRs are left to Validate, which names them.
		{[]string{"10.0.0.7/16"}, []string{"10.0.0.7/16", "100.64.0.0/16"}, ""},
		{[]string{"10.0.0.0"}, []string{"10.0.0.0"}, ""},
		{[]string{"100.64.0.0/16", "10.0.0.0/16"}, nil, "vpc.cidrs[0]: 100.64.0.0/16 is not the primary block of vpc-0123456789abcdef0, which EC2 says is 10.0.0.0/16: list the primary block first, or leave vpc.cidrs out to take EC2's"},
	}
	for _, tt := range tests {
		f := File{VPC: VPC{ID: "vpc-0123456789abcdef0", CIDRs: slices.Clone(tt.plan)}}
		err := MergeVPCBlocks(&f, ec2)
		if tt.err != "" {
			if err == nil || err.Error() != tt.err {
				t.Errorf("%v: error %v, want %s", tt.plan, err, tt.err)
			}
			continue
		}
		if err != nil || !slices.Equal(f.VPC.CIDRs, tt.want) {
			t.Errorf("%v: %v %v, want %v", tt.plan, f.VPC.CIDRs, err, tt.want)
		}
	}
	f := File{VPC: VPC{CIDRs: []string{"10.0.0.0/16"}}}
	if err := MergeVPCBlocks(&f, nil); err != nil || !slices.Equal(f.VPC.CIDRs, []string{"10.0.0.0/16"}) {
		t.Errorf("no blocks from EC2: %v %v", f.VPC.CIDRs, err)
	}
}

func TestCheckVPCID(t *testing.T) {
	for id, ok := range map[string]bool{
		"vpc-0123456789abcdef0": true, "vpc-01234567": true, "vpc-0123456789abcdef": false,
		"vpc-0123456789ABCDEF0": false, "0123456789abcdef0": false, "": false,
	} {
		if err := CheckVPCID(id); (err == nil) != ok {
			t.Errorf("CheckVPCID(%q) = %v", id, err)
		}
	}
}

func TestCNIFromDaemonSet(t *testing.T) {
	tests := []struct {
		file string
		want cni.Config
	}{
		{"aws-node.yaml", cni.Config{
			Version: cni.Version{Major: 1, Minor: 19, Patch: 2}, IPFamily: cni.IPv4, PrefixDelegation: true, WarmPrefixTarget: 1, WarmENITarget: 1,
			CustomNetworking: true, ENIConfigLabel: "topology.kubernetes.io/zone", SubnetDiscovery: true,
		}},
		{"aws-node-default.json", cni.Config{
			Version: cni.Version{Major: 1, Minor: 18, Patch: 5}, IPFamily: cni.IPv4, WarmIPTarget: 2, MinimumIPTarget: 10, WarmENITarget: 1, MaxENI: 2,
			SecurityGroupsForPods: true, SubnetDiscovery: true,
		}},
	}
	for _, tt := range tests {
		got, hasVersion, err := kube.DaemonSetCNI(readFixture(t, tt.file))
		if err != nil {
			t.Fatalf("%s: %v", tt.file, err)
		}
		if !hasVersion || !reflect.DeepEqual(got, tt.want) {
			t.Errorf("%s: got %+v\nwant %+v", tt.file, got, tt.want)
		}
	}
}

func TestCNIFromDaemonSetErrors(t *testing.T) {
	ds := func(env string) string {
		return "kind: DaemonSet\nmetadata: {name: aws-node}\nspec:\n  template:\n    spec:\n      containers:\n      - name: aws-node\n        image: amazon-k8s-cni:v1.19.0\n        env:\n" + env
	}
	tests := []struct {
		doc, err string
	}{
		{ds("        - {name: WARM_IP_TARGET, value: \"two\"}\n"), `aws-node DaemonSet: WARM_IP_TARGET="two" is not a whole number, 0 or more`},
		{ds("        - {name: ENABLE_PREFIX_DELEGATION, value: \"yes please\"}\n"), `aws-node DaemonSet: ENABLE_PREFIX_DELEGATION="yes please" is not true or false`},
		{"kind: Deployment\n", `the file holds kind "Deployment", not a DaemonSet`},
		{"kind: DaemonSet\nmetadata: {name: aws-node}\nspec: {template: {spec: {containers: [{name: other}]}}}\n", "aws-node has no container named aws-node"},
		{"kind: List\nitems: []\n", "the file is a List of 0 objects"},
		{`{"kind": "DaemonSet"}`, "aws-node DaemonSet: the DaemonSet has no container named aws-node"},
		{"{{{", "aws-node DaemonSet: not YAML or JSON"},
	}
	for _, tt := range tests {
		_, _, err := kube.DaemonSetCNI([]byte(tt.doc))
		if err == nil || !strings.Contains(err.Error(), tt.err) {
			t.Errorf("%q: %v, want %q", tt.doc, err, tt.err)
		}
	}
	// A List with the one DaemonSet, as kubectl get ds -l k8s-app=aws-node -o yaml prints.
	list := "apiVersion: v1\nkind: List\nitems:\n- kind: DaemonSet\n  metadata: {name: aws-node}\n  spec: {template: {spec: {containers: [{name: aws-node, image: x/amazon-k8s-cni:v1.20.0, env: [{name: MAX_ENI, value: '3'}]}]}}}\n"
	got, _, err := kube.DaemonSetCNI([]byte(list))
	if err != nil || got.MaxENI != 3 || got.Version.String() != "1.20.0" || got.WarmENITarget != 1 {
		t.Errorf("list: %+v %v", got, err)
	}
}

// FuzzCNIFromDaemonSet: no panic on any YAML or JSON; an error is one line;
// settings read are never negative.
func FuzzCNIFromDaemonSet(f *testing.F) {
	for _, name := range []string{"aws-node.yaml", "aws-node-default.json"} {
		data, err := os.ReadFile("testdata/" + name)
		if err != nil {
			f.Fatal(err)
		}
		f.Add(data)
	}
	f.Add([]byte("kind: List\nitems:\n- kind: DaemonSet\n  spec: {template: {spec: {containers: [{name: aws-node, image: 'a:b:c', env: [{name: MAX_ENI, value: '-1'}]}]}}}\n"))
	f.Add([]byte("kind: List\nitems: [null]\n"))
	f.Fuzz(func(t *testing.T, data []byte) {
		defer fuzzbound.Start(t)()
		d, _, err := kube.DaemonSetCNI(data)
		if err != nil {
			if strings.Contains(err.Error(), "\n") {
				t.Fatalf("error spans lines: %q", err)
			}
			return
		}
		if err := d.Validate(); err != nil {
			t.Fatalf("read %+v, which does not validate: %v", d, err)
		}
	})
}

// FuzzSubnetsFromDescribe: no panic; every subnet returned belongs to the VPC
// returned and parses as a subnet CIDR, named by its source.
func FuzzSubnetsFromDescribe(f *testing.F) {
	data, err := os.ReadFile("testdata/describe-subnets.json")
	if err != nil {
		f.Fatal(err)
	}
	f.Add(data, "vpc-0123456789abcdef0")
	f.Add(data, "")
	f.Add([]byte(`{"Subnets": [{"CidrBlock": "10.0.0.0/24", "AvailableIpAddressCount": 3, "VpcId": ""}]}`), "")
	f.Fuzz(func(t *testing.T, data []byte, vpcID string) {
		defer fuzzbound.Start(t)()
		subnets, got, err := SubnetsFromDescribe(data, vpcID)
		if err != nil {
			if strings.Contains(err.Error(), "\n") {
				t.Fatalf("error spans lines: %q", err)
			}
			return
		}
		if vpcID != "" && got != vpcID {
			t.Fatalf("asked for %q, got %q", vpcID, got)
		}
		for _, s := range subnets {
			if _, err := subnet.ParseSubnetCIDR(s.CIDR); err != nil || !strings.HasPrefix(s.Origin, "subnets file: ") {
				t.Fatalf("subnet %+v: %v", s, err)
			}
		}
	})
}

// The DaemonSet replaces the plan's CNI settings; absent variables take the
// CNI's code defaults (WARM_PREFIX_TARGET 0), and the pod blocks stay.
func TestApplyDaemonSet(t *testing.T) {
	f, _ := Decode(readFixture(t, "valid-example.yaml"), "yaml")
	d, hasVersion, _ := kube.DaemonSetCNI(readFixture(t, "aws-node-default.json"))
	ApplyDaemonSet(&f, d, hasVersion)
	c := f.CNI
	if c.PrefixDelegation || c.CustomNetworking || !c.SecurityGroupsForPods || c.WarmPrefixTarget != 0 || c.WarmIPTarget != 2 ||
		c.MinimumIPTarget != 10 || c.MaxENI != 2 || c.Version.String() != "1.18.5" || c.SecondaryCIDR != "100.64.0.0/16" {
		t.Errorf("applied: %+v", c)
	}
}
