package crdtest

import (
	"strings"
	"testing"
)

const crds = "../../testdata/crds/"

func load(t *testing.T, file, version string) *Validator {
	t.Helper()
	v, err := Load(crds+file, version)
	if err != nil {
		t.Fatal(err)
	}
	return v
}

const nodeClass = `apiVersion: karpenter.k8s.aws/v1
kind: EC2NodeClass
metadata:
  name: default
spec:
  role: KarpenterNodeRole-demo
  amiSelectorTerms:
    - alias: al2023@latest
  subnetSelectorTerms:
    - tags:
        karpenter.sh/discovery: demo
  securityGroupSelectorTerms:
    - tags:
        karpenter.sh/discovery: demo
  kubelet:
    maxPods: 110
`

// The validator accepts a document Karpenter's guide shows, and refuses an
// unknown field (schema), a wrong type (schema) and a rule's violation (CEL).
// spec.kubelet is free-form in the v1.15 CRD (Karpenter validates it itself
// and reports on status), so its fields are not the schema's to check.
func TestValidator(t *testing.T) {
	v := load(t, "karpenter.k8s.aws_ec2nodeclasses.yaml", "v1")
	// The CRD has 44 rules; 6 call Kubernetes' regex library (find()),
	// and none compares with oldSelf.
	if v.Evaluated != 38 || v.Skipped != 6 {
		t.Errorf("%d CEL rules evaluated, %d skipped; want 38 and 6", v.Evaluated, v.Skipped)
	}
	// NodePool: 20 rules, 3 transition rules (oldSelf) and 4 that call find().
	if pool := load(t, "karpenter.sh_nodepools.yaml", "v1"); pool.Evaluated != 13 || pool.Skipped != 7 {
		t.Errorf("NodePool: %d CEL rules evaluated, %d skipped; want 13 and 7", pool.Evaluated, pool.Skipped)
	}
	if n, err := v.ValidateYAML([]byte(nodeClass)); err != nil || n != 1 {
		t.Errorf("valid EC2NodeClass: %d, %v", n, err)
	}
	tests := []struct{ doc, want string }{
		{strings.Replace(nodeClass, "  role: KarpenterNodeRole-demo", "  roles: KarpenterNodeRole-demo", 1), "roles"},
		{strings.Replace(nodeClass, "  amiSelectorTerms:\n    - alias: al2023@latest", "  amiSelectorTerms: al2023@latest", 1), "amiSelectorTerms"},
		{strings.Replace(nodeClass, "    - alias: al2023@latest", "    - alias: al2023@latest\n      id: ami-0123456789abcdef0", 1), "alias"},
		{strings.Replace(nodeClass, "apiVersion: karpenter.k8s.aws/v1", "apiVersion: karpenter.k8s.aws/v1beta1", 1), "want karpenter.k8s.aws/v1 EC2NodeClass"},
	}
	for _, tt := range tests {
		if _, err := v.ValidateYAML([]byte(tt.doc)); err == nil || !strings.Contains(err.Error(), tt.want) {
			t.Errorf("%v, want an error naming %q for\n%s", err, tt.want, tt.doc)
		}
	}
}
