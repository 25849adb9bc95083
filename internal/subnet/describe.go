package subnet

import (
	"encoding/json"
	"errors"
	"fmt"
	"net/netip"
)

// Existing is a subnet that exists already, as describe-subnets reports it.
type Existing struct {
	ID        string       `json:"subnetId"`
	VPCID     string       `json:"vpcId"`
	AZ        string       `json:"availabilityZone"`
	AZID      string       `json:"availabilityZoneId"`
	CIDR      netip.Prefix `json:"cidr"`
	Available int          `json:"availableAddresses"`
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
}

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
// order: each IPv4 CIDR is a subnet's (no host bits, /16 to /28;
// docs/vpc-rules.md) and its available addresses fit it (at most size − 5).
// IPv6-only subnets, which have no IPv4 CIDR, are left out. source heads
// the errors ("describe-subnets JSON, subnet-1: ...").
func FromDescribed(source string, subnets []Described) ([]Existing, error) {
	var out []Existing
	for i, s := range subnets {
		name := s.SubnetID
		if name == "" {
			name = fmt.Sprintf("subnet %d", i+1)
		}
		if s.CidrBlock == "" {
			continue
		}
		cidr, err := ParseSubnetCIDR(s.CidrBlock)
		if err != nil {
			return nil, fmt.Errorf("%s, %s: %v", source, name, err)
		}
		if s.AvailableIPAddressCount == nil {
			return nil, fmt.Errorf("%s, %s: no AvailableIpAddressCount", source, name)
		}
		e := Existing{ID: s.SubnetID, VPCID: s.VpcID, AZ: s.AvailabilityZone, AZID: s.AvailabilityZoneID, CIDR: cidr, Available: *s.AvailableIPAddressCount}
		if e.Available < 0 || e.Available > e.Len().Usable() {
			return nil, fmt.Errorf("%s, %s: %d available addresses, but a %s has %d usable", source, name, e.Available, e.Len(), e.Len().Usable())
		}
		out = append(out, e)
	}
	return out, nil
}
