package subnet

import (
	"fmt"
	"net/netip"

	"github.com/eksnet/eksnet/internal/prose"
	json "github.com/go-json-experiment/json"
)

// ENI is one network interface as describe-network-interfaces reports it:
// the addresses and /28 prefixes it holds in its subnet.
type ENI struct {
	ID         string         `json:"networkInterfaceId"`
	SubnetID   string         `json:"subnetId"`
	InstanceID string         `json:"instanceId,omitempty"` // empty when not attached to an instance
	DeviceIdx  int            `json:"deviceIndex"`
	Primary    netip.Addr     `json:"primaryAddress"`
	Secondary  []netip.Addr   `json:"secondaryAddresses,omitempty"`
	Prefixes   []netip.Prefix `json:"prefixes,omitempty"`
}

// DescribedENI is one network interface as DescribeNetworkInterfaces gives
// it, the fields eksnet reads: from the AWS CLI's JSON
// (ParseDescribeNetworkInterfaces) or from EC2 itself.
type DescribedENI struct {
	NetworkInterfaceID string               `json:"NetworkInterfaceId"`
	SubnetID           string               `json:"SubnetId"`
	VpcID              string               `json:"VpcId"`
	Attachment         *DescribedAttachment `json:"Attachment"`
	PrivateIPAddresses []DescribedAddress   `json:"PrivateIpAddresses"`
	IPv4Prefixes       []DescribedPrefix    `json:"Ipv4Prefixes"`
}

// DescribedAttachment is an interface's attachment to an instance.
type DescribedAttachment struct {
	InstanceID  string `json:"InstanceId"`
	DeviceIndex int    `json:"DeviceIndex"`
}

// DescribedAddress is one private address of an interface.
type DescribedAddress struct {
	PrivateIPAddress string `json:"PrivateIpAddress"`
	Primary          bool   `json:"Primary"`
}

// DescribedPrefix is one /28 prefix delegated to an interface.
type DescribedPrefix struct {
	IPv4Prefix string `json:"Ipv4Prefix"`
}

type describeENIs struct {
	NetworkInterfaces *[]DescribedENI `json:"NetworkInterfaces"`
}

// MaxENIs bounds a describe-network-interfaces file.
const MaxENIs = 1_000_000

// ParseDescribeNetworkInterfaces reads the JSON of `aws ec2
// describe-network-interfaces --output json`. Every address and prefix must
// parse: a guessed one would make the free /28 count wrong.
func ParseDescribeNetworkInterfaces(data []byte) ([]ENI, error) {
	var doc describeENIs
	if err := json.Unmarshal(data, &doc); err != nil {
		return nil, fmt.Errorf("describe-network-interfaces JSON: %s", prose.OneLine(err.Error()))
	}
	if doc.NetworkInterfaces == nil {
		return nil, fmt.Errorf("describe-network-interfaces JSON: no NetworkInterfaces: give the output of `aws ec2 describe-network-interfaces --output json`")
	}
	return FromDescribedENIs("describe-network-interfaces JSON", *doc.NetworkInterfaces)
}

// FromDescribedENIs checks the interfaces and maps them to ENIs; source
// names where they came from in errors.
func FromDescribedENIs(source string, described []DescribedENI) ([]ENI, error) {
	if len(described) > MaxENIs {
		return nil, fmt.Errorf("%s: %d interfaces, more than the %d eksnet reads", source, len(described), MaxENIs)
	}
	out := make([]ENI, 0, len(described))
	seen := make(map[string]bool, len(described))
	for i, n := range described {
		e := ENI{ID: n.NetworkInterfaceID, SubnetID: n.SubnetID}
		switch {
		case !isID(e.ID, "eni-"):
			return nil, fmt.Errorf("%s: interface %d: NetworkInterfaceId %q is not an ENI ID such as eni-0123456789abcdef0", source, i, e.ID)
		case !isID(e.SubnetID, "subnet-"):
			return nil, fmt.Errorf("%s: %s: SubnetId %q is not a subnet ID", source, e.ID, e.SubnetID)
		case seen[e.ID]:
			return nil, fmt.Errorf("%s: %s is listed twice", source, e.ID)
		}
		seen[e.ID] = true
		if a := n.Attachment; a != nil {
			if a.InstanceID != "" && !isID(a.InstanceID, "i-") {
				return nil, fmt.Errorf("%s: %s: InstanceId %q is not an instance ID", source, e.ID, a.InstanceID)
			}
			e.InstanceID, e.DeviceIdx = a.InstanceID, a.DeviceIndex
		}
		for _, a := range n.PrivateIPAddresses {
			ip, err := netip.ParseAddr(a.PrivateIPAddress)
			if err != nil || !ip.Is4() {
				return nil, fmt.Errorf("%s: %s: PrivateIpAddress %q is not an IPv4 address", source, e.ID, a.PrivateIPAddress)
			}
			if a.Primary && !e.Primary.IsValid() {
				e.Primary = ip
			} else {
				e.Secondary = append(e.Secondary, ip)
			}
		}
		if !e.Primary.IsValid() {
			return nil, fmt.Errorf("%s: %s has no primary private address", source, e.ID)
		}
		for _, p := range n.IPv4Prefixes {
			pfx, err := netip.ParsePrefix(p.IPv4Prefix)
			if err != nil || !pfx.Addr().Is4() || pfx.Bits() != BlockLen || pfx.Masked() != pfx {
				return nil, fmt.Errorf("%s: %s: Ipv4Prefix %q is not an aligned IPv4 /28", source, e.ID, p.IPv4Prefix)
			}
			e.Prefixes = append(e.Prefixes, pfx)
		}
		out = append(out, e)
	}
	return out, nil
}
