package subnet

import (
	"fmt"
	"net/netip"
	"os"
	"strings"
	"testing"

	"github.com/eksnet/eksnet/internal/fuzzbound"
)

func TestParseCIDR(t *testing.T) {
	tests := []struct {
		in, want, err string
	}{
		{"10.0.0.0/18", "10.0.0.0/18", ""},
		{" 10.0.64.0/18 ", "10.0.64.0/18", ""},
		{"100.64.0.0/10", "100.64.0.0/10", ""},
		{"2001:db8::/56", "2001:db8::/56", ""},
		{"10.0.0.18/18", "", "10.0.0.18/18 has host bits set; did you mean 10.0.0.0/18?"},
		{"10.0.255.1/16", "", "10.0.255.1/16 has host bits set; did you mean 10.0.0.0/16?"},
		{"2001:db8::1/64", "", "2001:db8::1/64 has host bits set; did you mean 2001:db8::/64?"},
		{"10.0.0.0", "", `invalid CIDR "10.0.0.0": want an address and a prefix length, such as 10.0.0.0/19`},
		{"10.0.0/18", "", `invalid CIDR "10.0.0/18": want an address and a prefix length, such as 10.0.0.0/19`},
		{"10.0.0.0/33", "", `invalid CIDR "10.0.0.0/33": want an address and a prefix length, such as 10.0.0.0/19`},
		{"", "", `invalid CIDR "": want an address and a prefix length, such as 10.0.0.0/19`},
	}
	for _, tt := range tests {
		got, err := ParseCIDR(tt.in)
		if tt.err != "" {
			if err == nil || err.Error() != tt.err {
				t.Errorf("ParseCIDR(%q) error %v, want %q", tt.in, err, tt.err)
			}
			continue
		}
		if err != nil || got.String() != tt.want {
			t.Errorf("ParseCIDR(%q) = %v, %v; want %s", tt.in, got, err, tt.want)
		}
	}
}

func TestParseSubnetCIDR(t *testing.T) {
	tests := []struct {
		in  string
		len PrefixLen
		err string
	}{
		{"10.0.0.0/16", 16, ""},
		{"10.0.32.0/19", 19, ""},
		{"10.0.0.16/28", 28, ""},
		{"10.0.0.0/12", 0, "10.0.0.0/12 is not a valid subnet size: AWS allows /16 to /28"},
		{"10.0.0.0/29", 0, "10.0.0.0/29 is not a valid subnet size: AWS allows /16 to /28"},
		{"2001:db8::/64", 0, "2001:db8::/64 is IPv6: an IPv4 subnet CIDR is needed here, /16 to /28"},
		{"10.0.0.18/18", 0, "10.0.0.18/18 has host bits set; did you mean 10.0.0.0/18?"},
	}
	for _, tt := range tests {
		got, err := ParseSubnetCIDR(tt.in)
		if tt.err != "" {
			if err == nil || err.Error() != tt.err {
				t.Errorf("ParseSubnetCIDR(%q) error %v, want %q", tt.in, err, tt.err)
			}
			continue
		}
		if err != nil || LenOf(got) != tt.len {
			t.Errorf("ParseSubnetCIDR(%q) = %v (%s), %v; want %s", tt.in, got, LenOf(got), err, tt.len)
		}
	}
	if LenOf(netip.MustParsePrefix("2001:db8::/64")) != 0 || LenOf(netip.MustParsePrefix("10.0.0.0/8")) != 0 {
		t.Error("LenOf accepts what is not an IPv4 subnet")
	}
}

func TestParseGrowth(t *testing.T) {
	tests := []struct {
		in      string
		str     string
		monthly bool
		// nodes after 0, 1, 2 and 12 months, from 100
		after [4]int
	}{
		{"40%", "40%", false, [4]int{140, 140, 140, 140}},
		{"+50", "+50", false, [4]int{150, 150, 150, 150}},
		{"0%", "0%", false, [4]int{100, 100, 100, 100}},
		{"5%/month", "5%/month", true, [4]int{100, 105, 111, 180}},   // 110.25; 179.59
		{"10%/month", "10%/month", true, [4]int{100, 110, 121, 314}}, // exact: 110, 121; 313.84
		{"+10/month", "+10/month", true, [4]int{100, 110, 120, 220}},
		{"5.5%/mo", "5.5%/month", true, [4]int{100, 106, 112, 191}},          // 105.5; 111.30; 190.12
		{" 2.50 % / Month ", "2.5%/month", true, [4]int{100, 103, 106, 135}}, // 102.5; 105.06; 134.49
		{"0.25%", "0.25%", false, [4]int{101, 101, 101, 101}},
		{"1000%", "1000%", false, [4]int{1100, 1100, 1100, 1100}},
		{"+0/month", "+0/month", true, [4]int{100, 100, 100, 100}},
	}
	for _, tt := range tests {
		g, err := ParseGrowth(tt.in)
		if err != nil {
			t.Errorf("ParseGrowth(%q): %v", tt.in, err)
			continue
		}
		after := [4]int{g.After(100, 0), g.After(100, 1), g.After(100, 2), g.After(100, 12)}
		if g.String() != tt.str || g.Monthly() != tt.monthly || after != tt.after {
			t.Errorf("ParseGrowth(%q) = %s monthly %v, after %v; want %s %v %v", tt.in, g, g.Monthly(), after, tt.str, tt.monthly, tt.after)
		}
	}
	// Exact arithmetic: 10 × 1.1 is 11, not 12 as a float ceiling would say.
	if g, _ := ParseGrowth("10%"); g.After(10, 1) != 11 {
		t.Errorf("10 nodes + 10%% = %d, want 11", g.After(10, 1))
	}
	var zero Growth
	if !zero.IsZero() || zero.After(7, 5) != 7 || zero.String() != "0%" {
		t.Errorf("zero growth: %s, %d", zero, zero.After(7, 5))
	}
}

func TestParseGrowthErrors(t *testing.T) {
	const help = "want a percentage once (40%) or per month (5%/month), or nodes once (+50) or per month (+10/month)"
	tests := []struct{ in, err string }{
		{"", `invalid growth "": ` + help},
		{"abc", `invalid growth "abc": ` + help},
		{"10", `invalid growth "10": ` + help},
		{"10/month", `invalid growth "10/month": ` + help},
		{"5%/year", `invalid growth "5%/year": ` + help},
		{"+", `invalid growth "+": ` + help},
		{"++5", `invalid growth "++5": ` + help},
		{"+-5", `invalid growth "+-5": ` + help},
		{"+5.5", `invalid growth "+5.5": ` + help},
		{"%", `invalid growth "%": no number; ` + help},
		{"1e3%", `invalid growth "1e3%": not a number; ` + help},
		{"5.555%", `invalid growth "5.555%": at most two decimals; ` + help},
		{"-5%", `invalid growth "-5%": it cannot be negative; ` + help},
		{"-10/month", `invalid growth "-10/month": it cannot be negative; ` + help},
		{"1000.01%", `invalid growth "1000.01%": at most 1000%`},
		{"99999999999%/month", `invalid growth "99999999999%/month": at most 1000%`},
		{"+1000001/month", `invalid growth "+1000001/month": at most +1000000 nodes`},
	}
	for _, tt := range tests {
		_, err := ParseGrowth(tt.in)
		if err == nil || err.Error() != tt.err {
			t.Errorf("ParseGrowth(%q) error %v, want %q", tt.in, err, tt.err)
		}
	}
}

func mustGrowth(t testing.TB, s string) Growth {
	t.Helper()
	g, err := ParseGrowth(s)
	if err != nil {
		t.Fatal(err)
	}
	return g
}

func TestRunway(t *testing.T) {
	tests := []struct {
		name    string
		p       PrefixLen
		used    Need
		nodes   int
		perNode Need
		spread  Spread
		growth  string
		want    Runway
	}{
		// 600 + 30k ≤ 2043: 48 more nodes, 68 in all; +10/month passes 68 in month 5.
		{"linear", 21, Need{Addresses: 600}, 20, Need{Addresses: 30}, Spread{}, "+10/month", Runway{MaxNodes: 68, RunsOut: true, Month: 5, Nodes: 70, NodesInSubnet: 70, HorizonMonths: 120}},
		// 20 × 1.05^25 = 67.7 → 68 fits; 20 × 1.05^26 = 71.1 → 72 does not.
		{"compound", 21, Need{Addresses: 600}, 20, Need{Addresses: 30}, Spread{}, "5%/month", Runway{MaxNodes: 68, RunsOut: true, Month: 26, Nodes: 72, NodesInSubnet: 72, HorizonMonths: 120}},
		{"no growth", 21, Need{Addresses: 600}, 20, Need{Addresses: 30}, Spread{}, "0%/month", Runway{MaxNodes: 68, HorizonMonths: 120}},
		{"beyond the horizon", 16, Need{Addresses: 600}, 20, Need{Addresses: 30}, Spread{}, "+1/month", Runway{MaxNodes: 20 + (65531-600)/30, HorizonMonths: 120}},
		{"already over", 22, Need{Addresses: 1020}, 34, Need{Addresses: 30}, Spread{}, "5%/month", Runway{RunsOut: true, Month: 0, Nodes: 34, NodesInSubnet: 34, HorizonMonths: 120}},
		{"full now", 22, Need{Addresses: 1019}, 34, Need{Addresses: 30}, Spread{}, "+1/month", Runway{MaxNodes: 34, RunsOut: true, Month: 1, Nodes: 35, NodesInSubnet: 35, HorizonMonths: 120}},
		// Prefix mode, a /22 (62 free /28s): 18 more nodes take 54 blocks + ceil((118 − 27) / 16) = 6; 19 take 63.
		{"prefix blocks", 22, Need{Addresses: 100}, 10, Need{Addresses: 1, Blocks: 3}, Spread{}, "+5/month", Runway{MaxNodes: 28, RunsOut: true, Month: 4, Nodes: 30, NodesInSubnet: 30, HorizonMonths: 120}},
		{"nothing per node", 24, Need{Addresses: 10}, 5, Need{}, Spread{}, "+5/month", Runway{MaxNodes: int(^uint(0) >> 1), HorizonMonths: 120}},
		// 100 nodes over 3 AZs with a surge node: 35 in this subnet, 1050 of a /21's 2043: room for 33 more, 68 in all.
		// +10 nodes a month for the cluster: ceil(210 / 3) + 1 = 71 > 68 in month 11; ceil(200 / 3) + 1 = 68 in month 10 still fits.
		{"spread over AZs", 21, Need{Addresses: 1050}, 100, Need{Addresses: 30}, Spread{AZs: 3, Surge: 1}, "+10/month", Runway{MaxNodes: 68, RunsOut: true, Month: 11, Nodes: 210, NodesInSubnet: 71, HorizonMonths: 120}},
	}
	for _, tt := range tests {
		got, err := RunwayFor(tt.p, tt.used, tt.perNode, tt.nodes, tt.spread, mustGrowth(t, tt.growth), 120)
		if err != nil || got != tt.want {
			t.Errorf("%s: RunwayFor = %+v, %v; want %+v", tt.name, got, err, tt.want)
		}
	}
}

func TestRunwayErrors(t *testing.T) {
	g := mustGrowth(t, "5%/month")
	tests := []struct {
		p       PrefixLen
		used    Need
		nodes   int
		perNode Need
		g       Growth
		horizon int
		err     string
	}{
		{15, Need{}, 1, Need{Addresses: 1}, g, 12, "invalid subnet size /15: AWS allows /16 to /28"},
		{20, Need{Addresses: -1}, 1, Need{Addresses: 1}, g, 12, "addresses in use and per node cannot be negative"},
		{20, Need{}, -1, Need{Addresses: 1}, g, 12, "invalid node count -1: must be 0 or more"},
		{20, Need{}, 1, Need{Addresses: 1}, mustGrowth(t, "40%"), 12, "a runway needs growth per month, such as 5%/month or +10/month, not 40%"},
		{20, Need{}, 1, Need{Addresses: 1}, g, 0, "invalid horizon of 0 months: must be 1 to 1200"},
		{20, Need{}, 1, Need{Addresses: 1}, g, 1201, "invalid horizon of 1201 months: must be 1 to 1200"},
	}
	for _, tt := range tests {
		_, err := RunwayFor(tt.p, tt.used, tt.perNode, tt.nodes, Spread{}, tt.g, tt.horizon)
		if err == nil || err.Error() != tt.err {
			t.Errorf("RunwayFor error %v, want %q", err, tt.err)
		}
	}
}

func TestParseDescribeSubnets(t *testing.T) {
	data, err := os.ReadFile("testdata/describe-subnets.json")
	if err != nil {
		t.Fatal(err)
	}
	subnets, err := ParseDescribeSubnets(data)
	if err != nil {
		t.Fatal(err)
	}
	want := []Existing{
		{ID: "subnet-0a1b2c3d4e5f60001", VPCID: "vpc-0123456789abcdef0", AZ: "us-west-2a", AZID: "usw2-az1", CIDR: netip.MustParsePrefix("10.0.0.0/20"), Available: 3091},
		{ID: "subnet-0a1b2c3d4e5f60002", VPCID: "vpc-0123456789abcdef0", AZ: "us-west-2b", AZID: "usw2-az2", CIDR: netip.MustParsePrefix("10.0.64.0/24"), Available: 11,
			IPv6CIDR: netip.MustParsePrefix("2600:1f14:abc:de01::/64"), DiscoveryTagged: true},
	}
	if len(subnets) != len(want) {
		t.Fatalf("got %d subnets, want %d (the IPv6-only one left out): %+v", len(subnets), len(want), subnets)
	}
	for i := range want {
		if subnets[i] != want[i] {
			t.Errorf("subnet %d = %+v, want %+v", i, subnets[i], want[i])
		}
	}
	if subnets[0].Used() != 4091-3091 || subnets[1].Used() != 251-11 {
		t.Errorf("used %d and %d, want 1000 and 240", subnets[0].Used(), subnets[1].Used())
	}

	errs := []struct{ in, err string }{
		{`{`, "describe-subnets JSON: unexpected end of JSON input"},
		{`[]`, "describe-subnets JSON: unexpected array: give the output of `aws ec2 describe-subnets --output json`"},
		{`{"Subnets": [{"CidrBlock": "10.0.0.0/24", "AvailableIpAddressCount": "3"}]}`, "describe-subnets JSON: unexpected string in Subnets.AvailableIpAddressCount: give the output of `aws ec2 describe-subnets --output json`"},
		{`{"Vpcs": []}`, "describe-subnets JSON has no Subnets: give the output of `aws ec2 describe-subnets --output json`"},
		{`{"Subnets": [{"SubnetId": "subnet-00000001", "CidrBlock": "10.0.0.18/18", "AvailableIpAddressCount": 5}]}`, "describe-subnets JSON, subnet-00000001: 10.0.0.18/18 has host bits set; did you mean 10.0.0.0/18?"},
		{`{"Subnets": [{"SubnetId": "subnet-00000001", "CidrBlock": "10.0.0.0/24", "AvailableIpAddressCount": 252}]}`, "describe-subnets JSON, subnet-00000001: 252 available addresses, but a /24 has 251 usable"},
		{`{"Subnets": [{"SubnetId": "subnet-00000001", "CidrBlock": "10.0.0.0/24"}]}`, "describe-subnets JSON, subnet-00000001: no AvailableIpAddressCount"},
		{`{"Subnets": [{"SubnetId": "subnet-00000001", "AvailableIpAddressCount": 5}]}`, "describe-subnets JSON, subnet-00000001: no CidrBlock, and not an IPv6-only subnet (Ipv6Native)"},
		{`{"Subnets": [{"SubnetId": "subnet-00000001", "CidrBlock": "10.0.0.0/24", "AvailableIpAddressCount": 5}, {"SubnetId": "subnet-00000001", "CidrBlock": "10.0.1.0/24", "AvailableIpAddressCount": 5}]}`, "describe-subnets JSON, subnet-00000001: listed twice, under 10.0.0.0/24 and 10.0.1.0/24"},
		{`{"Subnets": [{"SubnetId": "subnet-\u001b[2J", "CidrBlock": "10.0.0.0/24", "AvailableIpAddressCount": 5}]}`, `describe-subnets JSON, subnet 1: SubnetId "subnet-\x1b[2J" is not a subnet ID such as subnet-0123456789abcdef0`},
		{`{"Subnets": [{"SubnetId": "subnet-00000001", "AvailabilityZone": "us-west-2a\u202e", "CidrBlock": "10.0.0.0/24", "AvailableIpAddressCount": 5}]}`, `describe-subnets JSON, subnet-00000001: AvailabilityZone "us-west-2a\u202e" or AvailabilityZoneId "" is not a zone's name`},
	}
	for _, tt := range errs {
		_, err := ParseDescribeSubnets([]byte(tt.in))
		if err == nil || err.Error() != tt.err {
			t.Errorf("ParseDescribeSubnets(%s) error %v, want %q", tt.in, err, tt.err)
		}
	}
}

// FromDescribed checks records from any source the same way, naming it.
func TestFromDescribed(t *testing.T) {
	n := func(v int) *int { return &v }
	got, err := FromDescribed("EC2 DescribeSubnets", []Described{
		{SubnetID: "subnet-00000001", VpcID: "vpc-00000001", AvailabilityZone: "us-west-2a", AvailabilityZoneID: "usw2-az1", CidrBlock: "10.0.0.0/24", AvailableIPAddressCount: n(250)},
		{SubnetID: "subnet-00000002", VpcID: "vpc-00000001", AvailabilityZone: "us-west-2b", IPv6Native: true}, // IPv6-only
	})
	want := []Existing{{ID: "subnet-00000001", VPCID: "vpc-00000001", AZ: "us-west-2a", AZID: "usw2-az1", CIDR: netip.MustParsePrefix("10.0.0.0/24"), Available: 250}}
	if err != nil || len(got) != 1 || got[0] != want[0] {
		t.Errorf("FromDescribed = %+v, %v", got, err)
	}
	if got, err := FromDescribed("EC2 DescribeSubnets", nil); got != nil || err != nil {
		t.Errorf("none: %v %v", got, err)
	}
	errs := []struct {
		in  Described
		err string
	}{
		{Described{SubnetID: "subnet-00000001", CidrBlock: "10.0.0.0/24", AvailableIPAddressCount: n(252)}, "EC2 DescribeSubnets, subnet-00000001: 252 available addresses, but a /24 has 251 usable"},
		{Described{SubnetID: "subnet-00000001", CidrBlock: "10.0.0.0/24", AvailableIPAddressCount: n(-1)}, "EC2 DescribeSubnets, subnet-00000001: -1 available addresses, but a /24 has 251 usable"},
		{Described{SubnetID: "subnet-00000001", CidrBlock: "10.0.0.0/29", AvailableIPAddressCount: n(3)}, "EC2 DescribeSubnets, subnet-00000001: 10.0.0.0/29 is not a valid subnet size: AWS allows /16 to /28"},
		{Described{SubnetID: "subnet-00000001", CidrBlock: "10.0.0.0/24"}, "EC2 DescribeSubnets, subnet-00000001: no AvailableIpAddressCount"},
	}
	for _, tt := range errs {
		if _, err := FromDescribed("EC2 DescribeSubnets", []Described{tt.in}); err == nil || err.Error() != tt.err {
			t.Errorf("FromDescribed(%+v) error %v, want %q", tt.in, err, tt.err)
		}
	}
}

// FuzzParseCIDR: no panic; a parsed block has no host bits; a host-bits
// error suggests a block that parses and is the input masked.
func FuzzParseCIDR(f *testing.F) {
	for _, s := range []string{"10.0.0.0/18", "10.0.0.18/18", "2001:db8::1/64", "10.0.0.0", "::ffff:10.0.0.0/104", "1.2.3.4/0"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		p, err := ParseCIDR(s)
		if err != nil {
			msg := err.Error()
			if strings.Contains(msg, "\n") {
				t.Fatalf("error spans lines: %q", msg)
			}
			if _, suggestion, ok := strings.Cut(msg, "did you mean "); ok {
				q, err := ParseCIDR(strings.TrimSuffix(suggestion, "?"))
				if err != nil {
					t.Fatalf("suggestion in %q does not parse: %v", msg, err)
				}
				if orig, err := netip.ParsePrefix(strings.TrimSpace(s)); err == nil && orig.Masked() != q {
					t.Fatalf("suggestion %s is not %s masked", q, orig)
				}
			}
			return
		}
		if p != p.Masked() {
			t.Fatalf("%q parsed to %s with host bits", s, p)
		}
		if sp, err := ParseSubnetCIDR(s); err == nil && !LenOf(sp).Valid() {
			t.Fatalf("subnet %s has an invalid length", sp)
		}
	})
}

// FuzzParseGrowth: no panic; a parsed growth prints as a spec that parses
// back to it; nodes never shrink with time.
func FuzzParseGrowth(f *testing.F) {
	for _, s := range []string{"40%", "5%/month", "+10/month", "+50", "5.5%/mo", "0.25%", "-5%", "1e3%", "+", "%/month"} {
		f.Add(s, 100, 12)
	}
	f.Fuzz(func(t *testing.T, s string, nodes, months int) {
		g, err := ParseGrowth(s)
		if err != nil {
			if strings.Contains(err.Error(), "\n") {
				t.Fatalf("error spans lines: %q", err)
			}
			return
		}
		back, err := ParseGrowth(g.String())
		if err != nil || back != g {
			t.Fatalf("%q → %s → %v, %v", s, g, back, err)
		}
		nodes, months = nodes%100000, months%MaxHorizonMonths
		if nodes < 0 || months < 0 {
			return
		}
		if a, b := g.After(nodes, months), g.After(nodes, months+1); a < nodes || b < a {
			t.Fatalf("%s from %d nodes: %d after %d months, %d after one more", g, nodes, a, months, b)
		}
	})
}

// FuzzParseDescribeSubnets: no panic, and every subnet read is a valid IPv4
// subnet with no more available than usable addresses.
func FuzzParseDescribeSubnets(f *testing.F) {
	data, err := os.ReadFile("testdata/describe-subnets.json")
	if err != nil {
		f.Fatal(err)
	}
	f.Add(data)
	f.Add([]byte(`{"Subnets": [{"CidrBlock": "10.0.0.0/24", "AvailableIpAddressCount": 3}]}`))
	f.Add([]byte(dualStack))
	f.Fuzz(func(t *testing.T, data []byte) {
		defer fuzzbound.Start(t)()
		subnets, err := ParseDescribeSubnets(data)
		if err != nil {
			return
		}
		for _, s := range subnets {
			if !s.Len().Valid() || s.Available < 0 || s.Available > s.Len().Usable() || s.Used() < 0 {
				t.Fatalf("invalid subnet %+v", s)
			}
			if s.IPv6CIDR.IsValid() && (!s.IPv6CIDR.Addr().Is6() || s.IPv6CIDR != s.IPv6CIDR.Masked()) || s.DiscoveryTagged && s.DiscoveryExcluded {
				t.Fatalf("invalid IPv6 block or discovery tag %+v", s)
			}
		}
	})
}

// dualStack is a describe-subnets record with an IPv6 block (one
// disassociated before it) and the subnet discovery tag.
const dualStack = `{"Subnets": [{"SubnetId": "subnet-0123456789abcdef0", "VpcId": "vpc-0123456789abcdef0", "AvailabilityZone": "us-west-2a",
  "CidrBlock": "100.64.0.0/17", "AvailableIpAddressCount": 32763,
  "Ipv6CidrBlockAssociationSet": [
    {"Ipv6CidrBlock": "2600:1f14:abc:de05::/64", "Ipv6CidrBlockState": {"State": "disassociated"}},
    {"Ipv6CidrBlock": "2600:1f14:abc:de07::/64", "Ipv6CidrBlockState": {"State": "associated"}}],
  "Tags": [{"Key": "Name", "Value": "pods-a"}, {"Key": "kubernetes.io/role/cni", "Value": "1"}]}]}`

// The IPv6 block in use and the subnet discovery tag are read as EC2 and
// the VPC CNI mean them: the associated block; any tag value but "0"
// includes the subnet, "0" excludes it.
func TestDescribeSubnetsIPv6AndDiscoveryTag(t *testing.T) {
	got, err := ParseDescribeSubnets([]byte(dualStack))
	if err != nil {
		t.Fatal(err)
	}
	if s := got[0]; s.IPv6CIDR.String() != "2600:1f14:abc:de07::/64" || !s.DiscoveryTagged || s.DiscoveryExcluded {
		t.Errorf("%+v", s)
	}
	for _, tt := range []struct {
		value            string
		tagged, excluded bool
	}{{"1", true, false}, {"true", true, false}, {"0", false, true}, {"", false, false}} {
		doc := strings.Replace(dualStack, `"Value": "1"`, `"Value": "`+tt.value+`"`, 1)
		got, err := ParseDescribeSubnets([]byte(doc))
		if err != nil {
			t.Fatal(err)
		}
		if s := got[0]; s.DiscoveryTagged != tt.tagged || s.DiscoveryExcluded != tt.excluded {
			t.Errorf("tag %q: tagged %v excluded %v", tt.value, s.DiscoveryTagged, s.DiscoveryExcluded)
		}
	}
	bad := strings.Replace(dualStack, "2600:1f14:abc:de07::/64", "2600:1f14:abc:de07::1/64", 1)
	if _, err := ParseDescribeSubnets([]byte(bad)); err == nil || err.Error() != `describe-subnets JSON, subnet-0123456789abcdef0: Ipv6CidrBlock "2600:1f14:abc:de07::1/64" is not an IPv6 CIDR such as 2600:1f14:abc:de00::/64` {
		t.Errorf("host bits: %v", err)
	}
}

func BenchmarkParseSubnetCIDR(b *testing.B) {
	for b.Loop() {
		if _, err := ParseSubnetCIDR("10.0.32.0/19"); err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkParseGrowth(b *testing.B) {
	for b.Loop() {
		if _, err := ParseGrowth("5.5%/month"); err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkRunway(b *testing.B) {
	g := mustGrowth(b, "0.5%/month")
	for b.Loop() {
		if _, err := RunwayFor(19, Need{Addresses: 2000}, Need{Addresses: 30}, 60, Spread{AZs: 3, Surge: 1}, g, MaxHorizonMonths); err != nil {
			b.Fatal(err)
		}
	}
}

func TestParseHeadroom(t *testing.T) {
	for s, want := range map[string]int{"25%": 25, "0%": 0, " 20 % ": 20, "1000%": 1000} {
		if got, err := ParseHeadroom(s); err != nil || got != want {
			t.Errorf("ParseHeadroom(%q) = %d, %v; want %d", s, got, err, want)
		}
	}
	for _, s := range []string{"25", "", "%", "-5%", "+5%", "1001%", "2.5%", "lots", "25%%", "0x10%"} {
		if got, err := ParseHeadroom(s); err == nil {
			t.Errorf("ParseHeadroom(%q) = %d, want an error", s, got)
		} else if err.Error() != "want a whole percentage from 0% to 1000%, such as 20%" {
			t.Errorf("ParseHeadroom(%q): %v", s, err)
		}
	}
}

// FuzzParseHeadroom: no panic; a headroom read is 0 to 1000 and prints back
// as a spec that reads the same.
func FuzzParseHeadroom(f *testing.F) {
	for _, s := range []string{"25%", "0%", "1000%", "25", "-1%", " 7 %", "99999999999999999999%"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		n, err := ParseHeadroom(s)
		if err != nil {
			return
		}
		if n < 0 || n > MaxHeadroomPercent {
			t.Fatalf("%q read as %d%%", s, n)
		}
		if back, err := ParseHeadroom(fmt.Sprintf("%d%%", n)); err != nil || back != n {
			t.Fatalf("%q → %d → %d, %v", s, n, back, err)
		}
	})
}

// Two groups grow at +3 nodes a month in a /24 (251 usable): 30 nodes over
// 3 AZs with a surge node take 11 + m in month m, 10 addresses each; 9 nodes
// without surge 3 + m, 10 each. Today 110 + 30 = 140; month m 140 + 20m:
// 240 in month 5 fits, 260 in month 6 does not.
func TestFirstMonthOver(t *testing.T) {
	g := mustGrowth(t, "+3/month")
	parts := []Part{
		{Nodes: 30, Spread: Spread{AZs: 3, Surge: 1}, PerNode: Need{Addresses: 10}},
		{Nodes: 9, Spread: Spread{AZs: 3}, PerNode: Need{Addresses: 10}},
	}
	if month, ok := FirstMonthOver(24, Need{Addresses: 140}, parts, g, 120); !ok || month != 6 {
		t.Errorf("FirstMonthOver = %d, %v; want month 6", month, ok)
	}
	if month, ok := FirstMonthOver(24, Need{Addresses: 140}, parts, g, 5); ok {
		t.Errorf("FirstMonthOver within 5 months = %d; want none", month)
	}
	// Already over today: month 0.
	if month, ok := FirstMonthOver(24, Need{Addresses: 252}, parts, g, 120); !ok || month != 0 {
		t.Errorf("FirstMonthOver over today = %d, %v", month, ok)
	}
	// In prefix mode the /28s must stay whole: a /24 has 14 free; 2 nodes of
	// 3 /28s and 1 address each take 6 /28s, 3 more a month per node at +1/month:
	// 6 + 3m ≤ 14 holds until month 2, not month 3.
	one := []Part{{Nodes: 2, PerNode: Need{Addresses: 1, Blocks: 3}}}
	if month, ok := FirstMonthOver(24, Need{Addresses: 2, Blocks: 6}, one, mustGrowth(t, "+1/month"), 120); !ok || month != 3 {
		t.Errorf("prefix mode: FirstMonthOver = %d, %v; want month 3", month, ok)
	}
}
