package subnet

import (
	"encoding/json"
	"errors"
	"fmt"
	"net/netip"
	"strings"
)

// Existing is a subnet that exists already, as describe-subnets reports it.
type Existing struct {
	ID        string       `json:"subnetId"`
	VPCID     string       `json:"vpcId"`
	AZ        string       `json:"availabilityZone"`
	AZID      string       `json:"availabilityZoneId"`
	CIDR      netip.Prefix `json:"cidr"`
	Available int          `json:"availableAddresses"`
	// IPv6CIDR is the subnet's associated IPv6 block; invalid without one.
	IPv6CIDR netip.Prefix `json:"ipv6Cidr"`
	// DiscoveryTagged and DiscoveryExcluded read its kubernetes.io/role/cni
	// tag as the VPC CNI does (isSubnetValidForENICreation): any value but
	// "0" makes it a subnet discovery candidate, "0" excludes it.
	DiscoveryTagged   bool `json:"discoveryTagged,omitempty"`
	DiscoveryExcluded bool `json:"discoveryExcluded,omitempty"`
}

// Len is the subnet's prefix length.
func (e Existing) Len() PrefixLen { return LenOf(e.CIDR) }

// Used is the addresses in use: usable (size − 5, docs/vpc-rules.md) minus available.
func (e Existing) Used() int { return max(e.Len().Usable()-e.Available, 0) }

// Described is one subnet as DescribeSubnets gives it, the fields eksnet
// reads: from the AWS CLI's JSON (ParseDescribeSubnets) or from EC2 itself.
type Described struct {
	SubnetID                string `json:"SubnetId"`
	VpcID                   string `json:"VpcId"`
	AvailabilityZone        string `json:"AvailabilityZone"`
	AvailabilityZoneID      string `json:"AvailabilityZoneId"`
	CidrBlock               string `json:"CidrBlock"`
	AvailableIPAddressCount *int   `json:"AvailableIpAddressCount"`
	// IPv6Native marks an IPv6-only subnet, the one kind without CidrBlock.
	IPv6Native bool                 `json:"Ipv6Native"`
	IPv6Blocks []DescribedIPv6Block `json:"Ipv6CidrBlockAssociationSet"`
	Tags       []Tag                `json:"Tags"`
}

// DescribedIPv6Block is one IPv6 block association of a subnet.
type DescribedIPv6Block struct {
	CIDR  string `json:"Ipv6CidrBlock"`
	State struct {
		State string `json:"State"`
	} `json:"Ipv6CidrBlockState"`
}

// Tag is an EC2 tag.
type Tag struct {
	Key   string `json:"Key"`
	Value string `json:"Value"`
}

// DiscoveryTag is the subnet tag the VPC CNI's subnet discovery reads: any
// value but "0" makes a subnet of the node's VPC and AZ a candidate for
// secondary ENIs, "0" excludes it (subnetDiscoveryTagKey and
// isSubnetValidForENICreation in pkg/awsutils/awsutils.go). The cni package
// names it too, as cni.SubnetDiscoveryTag.
const DiscoveryTag = "kubernetes.io/role/cni"

// describeSubnets is the part of `aws ec2 describe-subnets --output json` eksnet reads.
type describeSubnets struct {
	Subnets *[]Described `json:"Subnets"`
}

// ParseDescribeSubnets reads the JSON of `aws ec2 describe-subnets --output
// json` and checks its subnets as FromDescribed does.
func ParseDescribeSubnets(data []byte) ([]Existing, error) {
	var doc describeSubnets
	if err := json.Unmarshal(data, &doc); err != nil {
		var typeErr *json.UnmarshalTypeError
		if errors.As(err, &typeErr) {
			where := ""
			if typeErr.Field != "" {
				where = " in " + typeErr.Field
			}
			return nil, fmt.Errorf("describe-subnets JSON: unexpected %s%s: give the output of `aws ec2 describe-subnets --output json`", typeErr.Value, where)
		}
		return nil, fmt.Errorf("describe-subnets JSON: %v", err)
	}
	if doc.Subnets == nil {
		return nil, errors.New("describe-subnets JSON has no Subnets: give the output of `aws ec2 describe-subnets --output json`")
	}
	return FromDescribed("describe-subnets JSON", *doc.Subnets)
}

// FromDescribed checks described subnets and returns them as Existing, in
// order: IDs, VPC IDs and AZs have EC2's shapes (no free text reaches a
// terminal or a document), an ID appears once, each IPv4 CIDR is a
// subnet's (no host bits, /16 to /28; docs/vpc-rules.md) and its available
// addresses fit it (at most size − 5). IPv6-only subnets (Ipv6Native), which
// have no IPv4 CIDR, are left out; any other record without one is an
// error. source heads the errors ("describe-subnets JSON, subnet-1: ...").
func FromDescribed(source string, subnets []Described) ([]Existing, error) {
	var out []Existing
	seen := make(map[string]string, len(subnets))
	for i, s := range subnets {
		name := fmt.Sprintf("subnet %d", i+1)
		if isID(s.SubnetID, "subnet-") {
			name = s.SubnetID
		}
		switch {
		case !isID(s.SubnetID, "subnet-"):
			return nil, fmt.Errorf("%s, %s: SubnetId %q is not a subnet ID such as subnet-0123456789abcdef0", source, name, s.SubnetID)
		case s.VpcID != "" && !isID(s.VpcID, "vpc-"):
			return nil, fmt.Errorf("%s, %s: VpcId %q is not a VPC ID such as vpc-0123456789abcdef0", source, name, s.VpcID)
		case !isZoneName(s.AvailabilityZone) || !isZoneName(s.AvailabilityZoneID):
			return nil, fmt.Errorf("%s, %s: AvailabilityZone %q or AvailabilityZoneId %q is not a zone's name", source, name, s.AvailabilityZone, s.AvailabilityZoneID)
		case s.CidrBlock == "" && s.IPv6Native:
			continue
		case s.CidrBlock == "":
			return nil, fmt.Errorf("%s, %s: no CidrBlock, and not an IPv6-only subnet (Ipv6Native)", source, name)
		}
		if other, dup := seen[s.SubnetID]; dup {
			return nil, fmt.Errorf("%s, %s: listed twice, under %s and %s", source, name, other, s.CidrBlock)
		}
		seen[s.SubnetID] = s.CidrBlock
		cidr, err := ParseSubnetCIDR(s.CidrBlock)
		if err != nil {
			return nil, fmt.Errorf("%s, %s: %v", source, name, err)
		}
		if s.AvailableIPAddressCount == nil {
			return nil, fmt.Errorf("%s, %s: no AvailableIpAddressCount", source, name)
		}
		e := Existing{ID: s.SubnetID, VPCID: s.VpcID, AZ: s.AvailabilityZone, AZID: s.AvailabilityZoneID, CIDR: cidr, Available: *s.AvailableIPAddressCount}
		for _, b := range s.IPv6Blocks {
			if b.State.State != "" && b.State.State != "associated" {
				continue
			}
			p, err := netip.ParsePrefix(b.CIDR)
			if err != nil || !p.Addr().Is6() || p.Addr().Is4In6() || p != p.Masked() {
				return nil, fmt.Errorf("%s, %s: Ipv6CidrBlock %q is not an IPv6 CIDR such as 2600:1f14:abc:de00::/64", source, name, b.CIDR)
			}
			e.IPv6CIDR = p
			break
		}
		for _, t := range s.Tags {
			if t.Key == DiscoveryTag && t.Value != "" {
				e.DiscoveryExcluded = t.Value == "0"
				e.DiscoveryTagged = !e.DiscoveryExcluded
			}
		}
		if e.Available < 0 || e.Available > e.Len().Usable() {
			return nil, fmt.Errorf("%s, %s: %d available addresses, but a %s has %d usable", source, name, e.Available, e.Len(), e.Len().Usable())
		}
		out = append(out, e)
	}
	return out, nil
}

// isID reports whether s is prefix and 8 to 17 lower-case hexadecimal
// digits, as EC2's resource IDs are.
func isID(s, prefix string) bool {
	hex, ok := strings.CutPrefix(s, prefix)
	if !ok || len(hex) < 8 || len(hex) > 17 {
		return false
	}
	return strings.Trim(hex, "0123456789abcdef") == ""
}

// isZoneName reports whether s is empty or shaped as an AZ name or ID
// (us-west-2a, usw2-az1, us-west-2-lax-1a): lower-case letters, digits and
// '-', starting with a letter, at most 64 characters.
func isZoneName(s string) bool {
	if s == "" {
		return true
	}
	if len(s) > 64 || s[0] < 'a' || s[0] > 'z' {
		return false
	}
	return strings.Trim(s, "abcdefghijklmnopqrstuvwxyz0123456789-") == ""
}
