package vpc

import (
	"net/netip"
	"strings"
	"testing"
)

// The association table of docs/vpc-rules.md, row by row, keyed on the primary
// block; primary is the VPC's blocks, the primary first, separated by spaces.
func TestCheckAssociation(t *testing.T) {
	tests := []struct {
		primary, block string
		err            string // "" when allowed
	}{
		// VPC in 10.0.0.0/8
		{"10.0.0.0/16", "100.64.0.0/16", ""},
		{"10.0.0.0/16", "10.1.0.0/16", ""},
		{"10.0.0.0/16", "52.95.0.0/16", ""},
		{"10.0.0.0/16", "198.19.0.0/16", "198.19.0.0/16 cannot be associated with a VPC whose primary block 10.0.0.0/16 is in 10.0.0.0/8: the VPC CIDR block association rules forbid blocks from 198.19.0.0/16 there (forbidden: 172.16.0.0/12, 192.168.0.0/16, 198.19.0.0/16 and 10.0.0.0/16 (as the VPC's 10.0.0.0/16 is in 10.0.0.0/15); allowed: other 10.0.0.0/8 blocks, public ranges and 100.64.0.0/10)"},
		{"10.0.0.0/16", "198.19.128.0/20", "forbid"},
		{"10.0.0.0/16", "172.16.0.0/16", "forbid"},
		{"10.0.0.0/16", "192.168.0.0/16", "forbid"},
		{"10.1.0.0/16", "10.0.128.0/17", "forbid blocks from 10.0.0.0/16 there"}, // a primary in 10.0.0.0/15 bars 10.0.0.0/16
		{"10.2.0.0/16", "10.0.0.0/16", ""},                                       // 10.2.0.0/16 is outside 10.0.0.0/15
		// "if a block is in 10.0.0.0/15": any block of the VPC, not only the primary.
		{"10.2.0.0/16 10.1.0.0/16", "10.0.0.0/16", "10.0.0.0/16 cannot be associated with a VPC whose primary block 10.2.0.0/16 is in 10.0.0.0/8: the VPC CIDR block association rules forbid blocks from 10.0.0.0/16 there (forbidden: 172.16.0.0/12, 192.168.0.0/16, 198.19.0.0/16 and 10.0.0.0/16 (as the VPC's 10.1.0.0/16 is in 10.0.0.0/15); allowed"},
		{"10.2.0.0/16 10.1.0.0/16", "10.0.64.0/18", "forbid blocks from 10.0.0.0/16 there"},
		{"10.2.0.0/16 10.3.0.0/16", "10.0.0.0/16", ""},
		{"10.2.0.0/16 100.64.0.0/16", "10.0.0.0/16", ""},
		{"10.2.0.0/16 10.1.0.0/16", "10.4.0.0/16", ""},
		// VPC in 172.16.0.0/12
		{"172.20.0.0/16", "172.21.0.0/16", ""},
		{"172.20.0.0/16", "100.64.0.0/16", ""},
		{"172.20.0.0/16", "172.31.0.0/16", "forbid blocks from 172.31.0.0/16 there (forbidden: 10.0.0.0/8, 192.168.0.0/16, 172.31.0.0/16 and 198.19.0.0/16; allowed: other 172.16.0.0/12 blocks"},
		{"172.20.0.0/16", "10.0.0.0/16", "forbid"},
		{"172.20.0.0/16", "198.19.0.0/16", "forbid"},
		// VPC in 192.168.0.0/16
		{"192.168.0.0/20", "192.168.16.0/20", ""},
		{"192.168.0.0/20", "100.64.0.0/16", ""},
		{"192.168.0.0/20", "10.0.0.0/16", "forbid"},
		{"192.168.0.0/20", "198.19.0.0/16", "forbid"},
		// VPC in 198.19.0.0/16
		{"198.19.0.0/16", "100.64.0.0/16", ""},
		{"198.19.0.0/16", "52.95.0.0/16", ""},
		{"198.19.0.0/16", "10.0.0.0/16", "is in 198.19.0.0/16: the VPC CIDR block association rules forbid blocks from 10.0.0.0/8 there (forbidden: 10.0.0.0/8, 172.16.0.0/12 and 192.168.0.0/16; allowed: public ranges and 100.64.0.0/10)"},
		// VPC in public space or 100.64.0.0/10
		{"100.64.0.0/16", "100.65.0.0/16", ""},
		{"100.64.0.0/16", "52.95.0.0/16", ""},
		{"100.64.0.0/16", "10.0.0.0/16", "is a public range or 100.64.0.0/10: the VPC CIDR block association rules forbid blocks from 10.0.0.0/8"},
		{"52.95.0.0/16", "198.19.0.0/16", "forbid"},
		// never
		{"10.0.0.0/16", "169.254.0.0/16", "169.254.0.0/16 is link-local (169.254.0.0/16): it can never be used in a VPC"},
	}
	for _, tt := range tests {
		err := CheckAssociation(pfxs(strings.Fields(tt.primary)...), pfx(tt.block))
		switch {
		case tt.err == "" && err != nil:
			t.Errorf("%s beside %s: %v, want allowed", tt.block, tt.primary, err)
		case tt.err != "" && (err == nil || !strings.Contains(err.Error(), tt.err)):
			t.Errorf("%s beside %s: %v, want %q", tt.block, tt.primary, err, tt.err)
		}
	}
}

func TestCheckSizes(t *testing.T) {
	tests := []struct {
		p, err string
	}{
		{"10.0.0.0/16", ""},
		{"10.0.0.0/28", ""},
		{"10.0.0.0/15", "10.0.0.0/15 is larger than a /16: a VPC CIDR block is /16 to /28"},
		{"10.0.0.0/29", "10.0.0.0/29 is smaller than a /28: a VPC CIDR block is /16 to /28"},
		{"2001:db8::/56", "not IPv4"},
	}
	for _, tt := range tests {
		err := CheckBlockSize(pfx(tt.p))
		if tt.err == "" && err != nil || tt.err != "" && (err == nil || !strings.Contains(err.Error(), tt.err)) {
			t.Errorf("CheckBlockSize(%s) = %v, want %q", tt.p, err, tt.err)
		}
	}
	if err := CheckSubnetSize(pfx("10.0.0.0/30")); err == nil || err.Error() != "10.0.0.0/30 is smaller than a /28: a subnet is /16 to /28" {
		t.Errorf("CheckSubnetSize(/30) = %v", err)
	}
}

func TestClassify(t *testing.T) {
	for p, want := range map[string]RangeClass{
		"10.200.0.0/16": ClassTen, "172.31.0.0/16": ClassOneSevTwo, "192.168.4.0/24": ClassNineTwo,
		"198.19.0.0/16": ClassBenchmark, "100.127.0.0/16": ClassCGNAT, "169.254.0.0/16": ClassLinkLocal,
		"100.128.0.0/16": ClassPublic, "198.18.0.0/16": ClassPublic, "52.0.0.0/16": ClassPublic,
	} {
		if got := Classify(pfx(p)); got != want {
			t.Errorf("Classify(%s) = %s, want %s", p, got, want)
		}
	}
}

func TestCheckQuotas(t *testing.T) {
	if err := CheckBlockQuota(4, 1, 5); err != nil {
		t.Errorf("5 of 5: %v", err)
	}
	err := CheckBlockQuota(5, 1, 5)
	if err == nil || err.Error() != "the VPC would have 6 IPv4 CIDR blocks (5 existing + 1 new), over its quota of 5 (the primary counts; the default of 5 can be raised to 50 on request)" {
		t.Errorf("6 of 5: %v", err)
	}
	if err := CheckBlockQuota(1, 1, 51); err == nil || !strings.Contains(err.Error(), "invalid CIDR block quota 51: it is 1 to 50") {
		t.Errorf("quota 51: %v", err)
	}
	if err := CheckSubnetQuota(190, 12, 200); err == nil || err.Error() != "the VPC would have 202 subnets (190 existing + 12 new), over its quota of 200" {
		t.Errorf("subnets: %v", err)
	}
}

func TestCheckAZs(t *testing.T) {
	tests := []struct {
		azs []string
		err string
	}{
		{[]string{"us-west-2a", "us-west-2b"}, ""},
		{[]string{"us-west-2a"}, "1 availability zone given: an EKS cluster needs subnets in at least 2 different availability zones"},
		{nil, "0 availability zone given"},
		{[]string{"us-west-2a", "us-west-2a"}, "availability zone us-west-2a is listed twice"},
		{[]string{"use1-az1", "use1-az3"}, "availability zone use1-az3 cannot host the EKS control plane's network interfaces (nor can usw1-az2 or cac1-az3): choose another"},
	}
	for _, tt := range tests {
		err := CheckAZs(tt.azs)
		if tt.err == "" && err != nil || tt.err != "" && (err == nil || !strings.Contains(err.Error(), tt.err)) {
			t.Errorf("CheckAZs(%v) = %v, want %q", tt.azs, err, tt.err)
		}
	}
}

func TestCheckServiceCIDR(t *testing.T) {
	vpc := pfxs("10.0.0.0/16", "100.64.0.0/16")
	tests := []struct {
		svc, err string
	}{
		{"172.20.0.0/16", ""},
		{"10.100.0.0/16", ""},
		{"192.168.0.0/24", ""},
		{"10.0.0.0/16", "service CIDR 10.0.0.0/16 overlaps the VPC block 10.0.0.0/16: services and the VPC must not share addresses"},
		{"10.0.0.0/12", "overlaps the VPC block 10.0.0.0/16"},
		{"100.64.0.0/16", "service CIDR 100.64.0.0/16 is outside 10.0.0.0/8, 172.16.0.0/12 and 192.168.0.0/16, where EKS requires it"},
		{"10.0.0.0/8", "service CIDR 10.0.0.0/8 is a /8: EKS accepts /12 to /24"},
		{"172.20.0.0/25", "is a /25: EKS accepts /12 to /24"},
	}
	for _, tt := range tests {
		err := CheckServiceCIDR(pfx(tt.svc), vpc)
		if tt.err == "" && err != nil || tt.err != "" && (err == nil || !strings.Contains(err.Error(), tt.err)) {
			t.Errorf("CheckServiceCIDR(%s) = %v, want %q", tt.svc, err, tt.err)
		}
	}
	if got, _ := DefaultServiceCIDR(pfxs("10.100.0.0/16")); got != pfx("172.20.0.0/16") {
		t.Errorf("default beside 10.100.0.0/16 = %s", got)
	}
	if got, _ := DefaultServiceCIDR(pfxs("192.168.0.0/16")); got != pfx("10.100.0.0/16") {
		t.Errorf("default beside 192.168.0.0/16 = %s", got)
	}
	if _, ok := DefaultServiceCIDR(pfxs("10.100.0.0/16", "172.20.0.0/16")); ok {
		t.Error("default found though both overlap")
	}
}

func TestFirstOverlap(t *testing.T) {
	items := []Named{
		{"a", pfx("10.0.0.0/20")},
		{"b", pfx("10.0.64.0/24")},
		{"c", pfx("10.0.16.0/24")},
	}
	if a, b, ok := FirstOverlap(items); ok {
		t.Errorf("disjoint items overlap: %v %v", a, b)
	}
	items = append(items, Named{"d", pfx("10.0.0.0/16")})
	a, b, ok := FirstOverlap(items)
	if !ok || a.Name != "d" || b.Name != "a" {
		t.Errorf("FirstOverlap = %v %v %v, want d and a", a, b, ok)
	}
	// A large block early on still catches a late small one.
	a, b, ok = FirstOverlap([]Named{{"big", pfx("10.0.0.0/16")}, {"x", pfx("10.0.1.0/24")}, {"y", pfx("10.0.200.0/24")}})
	if !ok || a.Name != "big" || b.Name != "x" {
		t.Errorf("FirstOverlap = %v %v %v", a, b, ok)
	}
	a, b, ok = FirstOverlap([]Named{{"x", pfx("10.0.0.0/24")}, {"y", pfx("10.0.0.255/32")}, {"z", pfx("10.0.1.0/24")}})
	if !ok || a.Name != "x" || b.Name != "y" {
		t.Errorf("FirstOverlap = %v %v %v", a, b, ok)
	}
}

func TestCheckDockerRange(t *testing.T) {
	if w, ok := CheckDockerRange(pfx("172.17.0.0/16")); !ok || w != "172.17.0.0/16 is the range some AWS services use: AWS advises against it for a VPC" {
		t.Errorf("172.17.0.0/16: %q %v", w, ok)
	}
	if w, ok := CheckDockerRange(pfx("172.17.128.0/20")); !ok || w != "172.17.128.0/20 overlaps 172.17.0.0/16, which some AWS services use: AWS advises against it for a VPC" {
		t.Errorf("172.17.128.0/20: %q %v", w, ok)
	}
	if _, ok := CheckDockerRange(pfx("172.18.0.0/16")); ok {
		t.Error("172.18.0.0/16 flagged")
	}
}

// Blocks that are not unicast host space are refused, whatever the table of
// association rules says.
func TestCheckPrimaryRefusesNonUnicast(t *testing.T) {
	for _, c := range []string{"127.0.0.0/16", "224.1.0.0/16", "240.0.0.0/16", "0.0.0.0/16", "169.254.0.0/16", "255.255.255.240/28"} {
		if err := CheckPrimary(netip.MustParsePrefix(c)); err == nil {
			t.Errorf("CheckPrimary(%s) = nil", c)
		}
	}
	for _, c := range []string{"10.0.0.0/16", "100.64.0.0/16", "198.19.0.0/16", "52.0.0.0/16"} {
		if err := CheckPrimary(netip.MustParsePrefix(c)); err != nil {
			t.Errorf("CheckPrimary(%s) = %v", c, err)
		}
	}
}
