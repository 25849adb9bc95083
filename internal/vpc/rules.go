package vpc

import (
	"cmp"
	"fmt"
	"net/netip"
	"regexp"
	"slices"
	"sync"

	"github.com/eksnet/eksnet/internal/subnet"

	"github.com/eksnet/eksnet/internal/prose"
)

// Limits from docs/vpc-rules.md.
const (
	// LargestBits and SmallestBits bound a VPC CIDR block or subnet: /16 to
	// /28, the one rule of internal/subnet (subnet.Largest, subnet.Smallest).
	LargestBits        = int(subnet.Largest)
	SmallestBits       = int(subnet.Smallest)
	DefaultBlockQuota  = 5   // IPv4 CIDR blocks per VPC, the primary included
	MaxBlockQuota      = 50  // the quota can be raised to this
	DefaultSubnetQuota = 200 // subnets per VPC
	MinClusterAZs      = 2   // EKS cluster subnets in at least two AZs
	MinClusterFree     = 6   // free addresses a cluster subnet needs (16 recommended)
	serviceLargestBits = 12  // a service CIDR is /12 to /24
	serviceSmallest    = 24  //
)

// Named address ranges of the association table (docs/vpc-rules.md).
var (
	RFC1918Ten    = netip.MustParsePrefix("10.0.0.0/8")
	RFC1918OneSev = netip.MustParsePrefix("172.16.0.0/12")
	RFC1918Nine   = netip.MustParsePrefix("192.168.0.0/16")
	Benchmark     = netip.MustParsePrefix("198.19.0.0/16")
	CGNAT         = netip.MustParsePrefix("100.64.0.0/10")
	LinkLocal     = netip.MustParsePrefix("169.254.0.0/16")
	DockerBridge  = netip.MustParsePrefix("172.17.0.0/16")
	tenSlash15    = netip.MustParsePrefix("10.0.0.0/15")
	tenSlash16    = netip.MustParsePrefix("10.0.0.0/16")
	oneSevTwo31   = netip.MustParsePrefix("172.31.0.0/16")
)

// DefaultServiceCIDRs are the service ranges EKS picks from when none is given.
var DefaultServiceCIDRs = []netip.Prefix{netip.MustParsePrefix("10.100.0.0/16"), netip.MustParsePrefix("172.20.0.0/16")}

// RangeClass is the row of the association table a block belongs to.
type RangeClass string

const (
	ClassTen       RangeClass = "10.0.0.0/8"
	ClassOneSevTwo RangeClass = "172.16.0.0/12"
	ClassNineTwo   RangeClass = "192.168.0.0/16"
	ClassBenchmark RangeClass = "198.19.0.0/16"
	ClassCGNAT     RangeClass = "100.64.0.0/10"
	ClassPublic    RangeClass = "public"
	ClassLinkLocal RangeClass = "169.254.0.0/16"
)

// Classify returns the row of the association table (docs/vpc-rules.md) a block
// belongs to (p is /16 or smaller, so it lies wholly inside or outside each
// named range).
func Classify(p netip.Prefix) RangeClass {
	switch {
	case within(p, RFC1918Ten):
		return ClassTen
	case within(p, RFC1918OneSev):
		return ClassOneSevTwo
	case within(p, RFC1918Nine):
		return ClassNineTwo
	case within(p, Benchmark):
		return ClassBenchmark
	case within(p, CGNAT):
		return ClassCGNAT
	case within(p, LinkLocal):
		return ClassLinkLocal
	}
	return ClassPublic
}

func (c RangeClass) rfc1918() bool {
	return c == ClassTen || c == ClassOneSevTwo || c == ClassNineTwo
}

// within reports whether p lies inside parent.
func within(p, parent netip.Prefix) bool {
	return p.Bits() >= parent.Bits() && parent.Contains(p.Addr())
}

// Within reports whether p lies wholly inside parent.
func Within(p, parent netip.Prefix) bool { return within(p.Masked(), parent.Masked()) }

// CheckBlockSize checks that a VPC CIDR block is /16 to /28 (docs/vpc-rules.md).
func CheckBlockSize(p netip.Prefix) error {
	return checkSize(p, "a VPC CIDR block")
}

// CheckSubnetSize checks that a subnet is /16 to /28 (docs/vpc-rules.md).
func CheckSubnetSize(p netip.Prefix) error {
	return checkSize(p, "a subnet")
}

func checkSize(p netip.Prefix, what string) error {
	switch {
	case !p.Addr().Is4():
		return fmt.Errorf("%s is not IPv4: %s here is an IPv4 CIDR", p, what)
	case p.Bits() < LargestBits:
		return fmt.Errorf("%s is larger than a /%d: %s is /%d to /%d", p, LargestBits, what, LargestBits, SmallestBits)
	case p.Bits() > SmallestBits:
		return fmt.Errorf("%s is smaller than a /%d: %s is /%d to /%d", p, SmallestBits, what, LargestBits, SmallestBits)
	}
	return nil
}

// CheckPrimary checks what no VPC block may be: link-local space
// (docs/vpc-rules.md: "169.254.0.0/16 can never be used"), or any range
// that is not unicast host space: this network (0.0.0.0/8), loopback
// (127.0.0.0/8), multicast (224.0.0.0/4), reserved and broadcast
// (240.0.0.0/4).
func CheckPrimary(p netip.Prefix) error {
	if Classify(p) == ClassLinkLocal {
		return fmt.Errorf("%s is link-local (169.254.0.0/16): it can never be used in a VPC", p)
	}
	for _, r := range nonUnicast {
		if r.prefix.Overlaps(p) {
			return fmt.Errorf("%s is %s (%s): a VPC holds unicast addresses only", p, r.name, r.prefix)
		}
	}
	return nil
}

// nonUnicast are the IPv4 ranges no VPC block may touch.
var nonUnicast = []struct {
	name   string
	prefix netip.Prefix
}{
	{"this network", netip.MustParsePrefix("0.0.0.0/8")},
	{"loopback", netip.MustParsePrefix("127.0.0.0/8")},
	{"multicast", netip.MustParsePrefix("224.0.0.0/4")},
	{"reserved", netip.MustParsePrefix("240.0.0.0/4")},
}

// associationRule is one row of the association table: for a VPC whose
// primary block is in Range, the ranges a secondary block may not come from.
type associationRule struct {
	Range      RangeClass
	Restricted []netip.Prefix
	Allowed    string
	// because names the VPC block in 10.0.0.0/15 that bars 10.0.0.0/16.
	because netip.Prefix
}

// restrictedFor returns the row of the association table for a VPC with
// blocks, the primary first (docs/vpc-rules.md).
func restrictedFor(blocks []netip.Prefix) associationRule {
	switch c := Classify(blocks[0]); c {
	case ClassTen:
		r := associationRule{Range: c, Restricted: []netip.Prefix{RFC1918OneSev, RFC1918Nine, Benchmark},
			Allowed: "other 10.0.0.0/8 blocks, public ranges and 100.64.0.0/10"}
		// docs/vpc-rules.md: "and 10.0.0.0/16 if a block is in 10.0.0.0/15", any
		// block of the VPC, not only the primary.
		if i := slices.IndexFunc(blocks, func(b netip.Prefix) bool { return within(b, tenSlash15) }); i >= 0 {
			r.Restricted = append(r.Restricted, tenSlash16)
			r.because = blocks[i]
		}
		return r
	case ClassOneSevTwo:
		return associationRule{Range: c, Restricted: []netip.Prefix{RFC1918Ten, RFC1918Nine, oneSevTwo31, Benchmark},
			Allowed: "other 172.16.0.0/12 blocks, public ranges and 100.64.0.0/10"}
	case ClassNineTwo:
		return associationRule{Range: c, Restricted: []netip.Prefix{RFC1918Ten, RFC1918OneSev, Benchmark},
			Allowed: "other 192.168.0.0/16 blocks, public ranges and 100.64.0.0/10"}
	case ClassBenchmark:
		return associationRule{Range: c, Restricted: []netip.Prefix{RFC1918Ten, RFC1918OneSev, RFC1918Nine},
			Allowed: "public ranges and 100.64.0.0/10"}
	}
	return associationRule{Range: "a public range or 100.64.0.0/10", Restricted: []netip.Prefix{RFC1918Ten, RFC1918OneSev, RFC1918Nine, Benchmark},
		Allowed: "public ranges and 100.64.0.0/10"}
}

// CheckAssociation checks that block may be associated with a VPC that has
// blocks, the primary first: the association table of docs/vpc-rules.md, keyed on
// the range of the primary block, as AWS keys it, with its one rule on the
// other blocks: none from 10.0.0.0/16 once any block is in 10.0.0.0/15.
// 169.254.0.0/16 can never be used.
func CheckAssociation(blocks []netip.Prefix, block netip.Prefix) error {
	if Classify(block) == ClassLinkLocal {
		return fmt.Errorf("%s is link-local (169.254.0.0/16): it can never be used in a VPC", block)
	}
	if len(blocks) == 0 {
		return nil // block is the primary: any range but link-local
	}
	primary := blocks[0]
	rule := restrictedFor(blocks)
	for _, r := range rule.Restricted {
		if !r.Overlaps(block) {
			continue
		}
		names := make([]string, len(rule.Restricted))
		for i, p := range rule.Restricted {
			names[i] = p.String()
			if p == tenSlash16 {
				names[i] += fmt.Sprintf(" (as the VPC's %s is in 10.0.0.0/15)", rule.because)
			}
		}
		rangeName := string(rule.Range)
		if rule.Range != "a public range or 100.64.0.0/10" {
			rangeName = "in " + rangeName
		}
		return fmt.Errorf("%s cannot be associated with a VPC whose primary block %s is %s: the VPC CIDR block association rules forbid blocks from %s there (forbidden: %s; allowed: %s)",
			block, primary, rangeName, r, prose.JoinAnd(names), rule.Allowed)
	}
	return nil
}

// CheckDockerRange warns about a block in or around 172.17.0.0/16
// (docs/vpc-rules.md: "Don't use 172.17.0.0/16 for a VPC (some AWS services use it)").
func CheckDockerRange(p netip.Prefix) (warning string, ok bool) {
	switch {
	case !p.Overlaps(DockerBridge):
		return "", false
	case p.Masked() == DockerBridge:
		return fmt.Sprintf("%s is the range some AWS services use: AWS advises against it for a VPC", p), true
	}
	return fmt.Sprintf("%s overlaps 172.17.0.0/16, which some AWS services use: AWS advises against it for a VPC", p), true
}

// CheckBlockQuota checks the number of IPv4 CIDR blocks against the quota
// (docs/vpc-rules.md: 5 by default, the primary included, adjustable to 50).
func CheckBlockQuota(existing, added, quota int) error {
	if quota < 1 || quota > MaxBlockQuota {
		return fmt.Errorf("invalid CIDR block quota %d: it is 1 to %d (default %d)", quota, MaxBlockQuota, DefaultBlockQuota)
	}
	if existing+added > quota {
		return fmt.Errorf("the VPC would have %d IPv4 CIDR blocks (%d existing + %d new), over its quota of %d (the primary counts; the default of %d can be raised to %d on request)",
			existing+added, existing, added, quota, DefaultBlockQuota, MaxBlockQuota)
	}
	return nil
}

// CheckSubnetQuota checks the number of subnets against the quota
// (docs/vpc-rules.md: 200 subnets per VPC by default).
func CheckSubnetQuota(existing, added, quota int) error {
	if existing+added > quota {
		return fmt.Errorf("the VPC would have %d subnets (%d existing + %d new), over its quota of %d", existing+added, existing, added, quota)
	}
	return nil
}

// BlockedControlPlaneAZIDs are AZ IDs that cannot host the EKS control plane's ENIs.
var BlockedControlPlaneAZIDs = []string{"use1-az3", "usw1-az2", "cac1-az3"}

// CheckAZs checks the Availability Zones of a cluster (docs/vpc-rules.md "EKS"):
// at least two, none twice, none whose AZ ID cannot host the control plane's
// ENIs (use1-az3, usw1-az2, cac1-az3).
func CheckAZs(azs []string) error {
	seen := map[string]bool{}
	for _, az := range azs {
		if seen[az] {
			return fmt.Errorf("availability zone %s is listed twice", az)
		}
		seen[az] = true
		if slices.Contains(BlockedControlPlaneAZIDs, az) {
			return fmt.Errorf("availability zone %s cannot host the EKS control plane's network interfaces (nor can %s): choose another",
				az, prose.JoinOr(slices.DeleteFunc(slices.Clone(BlockedControlPlaneAZIDs), func(s string) bool { return s == az })))
		}
	}
	if len(azs) < MinClusterAZs {
		return fmt.Errorf("%d availability zone given: an EKS cluster needs subnets in at least %d different availability zones", len(azs), MinClusterAZs)
	}
	return nil
}

// CheckServiceCIDR checks a Kubernetes service CIDR (docs/vpc-rules.md "EKS"):
// inside 10.0.0.0/8, 172.16.0.0/12 or 192.168.0.0/16, /12 to /24,
// overlapping no VPC block.
func CheckServiceCIDR(svc netip.Prefix, blocks []netip.Prefix) error {
	if !Classify(svc).rfc1918() {
		return fmt.Errorf("service CIDR %s is outside 10.0.0.0/8, 172.16.0.0/12 and 192.168.0.0/16, where EKS requires it", svc)
	}
	if svc.Bits() < serviceLargestBits || svc.Bits() > serviceSmallest {
		return fmt.Errorf("service CIDR %s is a /%d: EKS accepts /%d to /%d", svc, svc.Bits(), serviceLargestBits, serviceSmallest)
	}
	for _, b := range blocks {
		if b.Overlaps(svc) {
			return fmt.Errorf("service CIDR %s overlaps the VPC block %s: services and the VPC must not share addresses", svc, b)
		}
	}
	return nil
}

// DefaultServiceCIDR is the service range EKS uses when none is given
// (docs/vpc-rules.md: 10.100.0.0/16 or 172.20.0.0/16): the first that overlaps no
// VPC block.
func DefaultServiceCIDR(blocks []netip.Prefix) (netip.Prefix, bool) {
	for _, svc := range DefaultServiceCIDRs {
		if !slices.ContainsFunc(blocks, svc.Overlaps) {
			return svc, true
		}
	}
	return netip.Prefix{}, false
}

// Named is a prefix and what it is, for reporting overlaps.
type Named struct {
	Name   string
	Prefix netip.Prefix
}

// FirstOverlap returns a pair of overlapping prefixes (the pair whose later
// start is lowest), or false if none overlap. It takes O(n log n).
func FirstOverlap(items []Named) (a, b Named, ok bool) {
	sorted := slices.Clone(items)
	slices.SortStableFunc(sorted, func(x, y Named) int {
		return cmp.Or(x.Prefix.Masked().Addr().Compare(y.Prefix.Masked().Addr()), cmp.Compare(x.Prefix.Bits(), y.Prefix.Bits()))
	})
	// reach is the item reaching furthest so far: a later start at or below
	// its last address overlaps it.
	var reach Named
	for i, it := range sorted {
		if i > 0 && it.Prefix.Masked().Addr().Compare(lastAddr(reach.Prefix)) <= 0 {
			return reach, it, true
		}
		if i == 0 || lastAddr(it.Prefix).Compare(lastAddr(reach.Prefix)) > 0 {
			reach = it
		}
	}
	return Named{}, Named{}, false
}

// lastAddr is the last address of p.
func lastAddr(p netip.Prefix) netip.Addr {
	p = p.Masked()
	if p.Addr().Is4() {
		v := addr32(p.Addr()) | uint32(blockSize(p.Bits())-1)
		return addrOf(v)
	}
	b := p.Addr().As16()
	for i := p.Bits(); i < 128; i++ {
		b[i/8] |= 1 << (7 - uint(i%8))
	}
	return netip.AddrFrom16(b)
}

// regionName is the shape of an AWS region name: us-west-2, eusc-de-east-1,
// us-gov-west-1; compiled on first use.
var regionName = sync.OnceValue(func() *regexp.Regexp { return regexp.MustCompile(`^[a-z]{2,4}(-[a-z]+)+-[0-9]{1,2}$`) })

// IsRegionName reports whether s is shaped as an AWS region name: the one
// check of --region, AWS_REGION, a plan's region and eksctl's metadata.region.
func IsRegionName(s string) bool { return regionName().MatchString(s) }
