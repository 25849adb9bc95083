package manifest

import (
	"bytes"
	"encoding/json"
	"errors"
	"io"
	"os"
	"reflect"
	"strings"
	"testing"

	"github.com/eksnet/eksnet/internal/cni"
	"github.com/eksnet/eksnet/internal/crdtest"
	"github.com/eksnet/eksnet/internal/plan"
	"gopkg.in/yaml.v3"
)

// sampleResult is a small laid-out plan for the output formats' own tests.
func sampleResult() *plan.Result {
	months := 23
	return &plan.Result{
		Region: "us-west-2", VPCCIDRs: []string{"10.0.0.0/16"}, SecondaryCIDRs: []string{"100.64.0.0/16"},
		CIDRBlocksToAssociate: []string{"100.64.0.0/16"}, ServiceCIDR: "10.100.0.0/16", AZs: []string{"us-west-2a", "us-west-2b"},
		Subnets: []plan.Subnet{
			{Name: "us-west-2a-node", AZ: "us-west-2a", Role: plan.RoleNode, CIDR: "10.0.1.0/24", UsableAddresses: 251, AddressesNeeded: 10, AddressesNeededFuture: 20, AddressesPlanned: 24, Tags: map[string]string{"kubernetes.io/role/internal-elb": "1"}},
			{Name: "us-west-2b-node", AZ: "us-west-2b", Role: plan.RoleNode, CIDR: "10.0.2.0/24", UsableAddresses: 251, AddressesNeeded: 10, AddressesNeededFuture: 20, AddressesPlanned: 24},
			{Name: "us-west-2a-pod", AZ: "us-west-2a", Role: plan.RolePod, CIDR: "100.64.0.0/19", UsableAddresses: 8187, AddressesNeeded: 1000, AddressesNeededFuture: 2000, AddressesPlanned: 2400, PrefixesNeededFuture: 100, RunwayMonths: &months},
			{Name: "us-west-2b-pod", AZ: "us-west-2b", Role: plan.RolePod, CIDR: "100.64.32.0/19", ID: "subnet-0123456789abcdef0", Existing: true, UsableAddresses: 8187},
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
	if err := WriteENIConfigs(&buf, sampleResult(), ENIConfigOptions{Placeholders: true}); err != nil {
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
	if err := WriteENIConfigs(&buf, sampleResult(), ENIConfigOptions{SecurityGroups: []string{"sg-0123456789abcdef0"}, Placeholders: true}); err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(buf.String(), "  securityGroups:\n    - sg-0123456789abcdef0\n") || strings.Contains(buf.String(), "PLACEHOLDER-security-group") {
		t.Errorf("security groups not used:\n%s", buf.String())
	}
	noPods := sampleResult()
	noPods.Subnets = noPods.Subnets[:2]
	if err := WriteENIConfigs(&buf, noPods, ENIConfigOptions{}); err == nil || !strings.Contains(err.Error(), "the plan has no pod subnets") {
		t.Errorf("no pod subnets: %v", err)
	}
}

func TestTFVars(t *testing.T) {
	data, err := json.Marshal(TFVarsOf(sampleResult()))
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

// Without --placeholders a pod subnet with no ID, or no security group, is
// refused in one line naming the AZs: the ENIConfig CRD only requires
// strings, so kubectl apply would accept the placeholders.
func TestENIConfigsRefusePlaceholders(t *testing.T) {
	var buf bytes.Buffer
	err := WriteENIConfigs(&buf, sampleResult(), ENIConfigOptions{SecurityGroups: []string{"sg-0123456789abcdef0"}})
	want := "-o eniconfig: the pod subnets of us-west-2a have no subnet ID yet: create them and give their IDs (vpc.existingSubnets with role pod, --subnets-file or --live), or pass --placeholders for PLACEHOLDER values to edit"
	if err == nil || err.Error() != want || buf.Len() != 0 {
		t.Errorf("err = %v, %d bytes written", err, buf.Len())
	}
	r := sampleResult()
	r.Subnets[2].ID = "subnet-0fedcba9876543210"
	err = WriteENIConfigs(&buf, r, ENIConfigOptions{})
	if err == nil || !strings.HasPrefix(err.Error(), "-o eniconfig: no security group for the pods' ENIs: set cni.securityGroups") || buf.Len() != 0 {
		t.Errorf("no security group: %v", err)
	}
	if err := WriteENIConfigs(&buf, r, ENIConfigOptions{SecurityGroups: []string{"sg-0123456789abcdef0"}}); err != nil || strings.Contains(buf.String(), "PLACEHOLDER") {
		t.Errorf("complete plan: %v\n%s", err, buf.String())
	}
}

// The ENIConfigs pass the VPC CNI's CRD (v1.23.1, testdata/crds).
func TestENIConfigsPassTheCRD(t *testing.T) {
	v, err := crdtest.Load("../../testdata/crds/crd.k8s.amazonaws.com_eniconfigs.yaml", "v1alpha1")
	if err != nil {
		t.Fatal(err)
	}
	res := sampleResult()
	res.Subnets[2].ID = "subnet-0fedcba9876543210"
	var buf bytes.Buffer
	if err := WriteENIConfigs(&buf, res, ENIConfigOptions{SecurityGroups: []string{"sg-0123456789abcdef0"}}); err != nil {
		t.Fatal(err)
	}
	if n, err := v.ValidateYAML(buf.Bytes()); err != nil || n != 2 {
		t.Errorf("%d ENIConfigs validated: %v\n%s", n, err, buf.String())
	}
	if _, err := v.ValidateYAML([]byte("apiVersion: crd.k8s.amazonaws.com/v1alpha1\nkind: ENIConfig\nmetadata: {name: a}\nspec: {subnet: 5}\n")); err == nil {
		t.Error("a numeric subnet passed the CRD")
	}
}

// terraform-aws-modules/vpc inputs: every list in the order of azs (the
// module maps the i-th subnet to azs[i % len(azs)]), node then pod subnets
// as private ones; a plan that adopts existing subnets is refused.
func TestTerraformVPC(t *testing.T) {
	res := sampleResult()
	if _, _, err := TerraformVPCOf(res); err == nil || err.Error() != "-o terraform writes terraform-aws-modules/vpc inputs, and that module creates the VPC and all its subnets; the plan adopts existing subnets 100.64.32.0/19: use -o tfvars" {
		t.Errorf("existing subnet: %v", err)
	}
	res.Subnets[3].Existing, res.Subnets[3].ID = false, ""
	got, left, err := TerraformVPCOf(res)
	if err != nil {
		t.Fatal(err)
	}
	data, err := json.Marshal(got)
	if err != nil {
		t.Fatal(err)
	}
	want := `{"cidr":"10.0.0.0/16","secondary_cidr_blocks":["100.64.0.0/16"],"azs":["us-west-2a","us-west-2b"],` +
		`"private_subnets":["10.0.1.0/24","10.0.2.0/24","100.64.0.0/19","100.64.32.0/19"],` +
		`"private_subnet_names":["us-west-2a-node","us-west-2b-node","us-west-2a-pod","us-west-2b-pod"],` +
		`"private_subnet_tags":{"kubernetes.io/role/internal-elb":"1"},"public_subnets":[],"public_subnet_names":[],"public_subnet_tags":{},` +
		`"intra_subnets":[],"intra_subnet_names":[]}`
	if string(data) != want || len(left.Reservations) != 1 || !left.PrivateTagsShared {
		t.Errorf("got %s\nwant %s\nleft out %+v", data, want, left)
	}
	missing := sampleResult()
	missing.Subnets = missing.Subnets[:3] // us-west-2b has no pod subnet
	missing.Subnets[2].Existing = false
	if _, _, err := TerraformVPCOf(missing); err == nil || err.Error() != "-o terraform: us-west-2a has 1 pod subnet and us-west-2b has 0, and the module maps each list to the AZs in turn" {
		t.Errorf("missing pod subnet: %v", err)
	}
}

// Every name -o terraform writes is one of the module's input variables
// (testdata/terraform-aws-vpc-variables.txt, from its variables.tf).
func TestTerraformNames(t *testing.T) {
	data, err := os.ReadFile("testdata/terraform-aws-vpc-variables.txt")
	if err != nil {
		t.Fatal(err)
	}
	known := map[string]bool{}
	for _, line := range strings.Split(string(data), "\n") {
		if line = strings.TrimSpace(line); line != "" && !strings.HasPrefix(line, "#") {
			known[line] = true
		}
	}
	typ := reflect.TypeOf(TerraformVPC{})
	for i := range typ.NumField() {
		name, _, _ := strings.Cut(typ.Field(i).Tag.Get("json"), ",")
		if !known[name] {
			t.Errorf("field %s is written as %q, which is not a terraform-aws-modules/vpc variable", typ.Field(i).Name, name)
		}
	}
}
