package subnet

import (
	"fmt"
	"net/netip"
	"strings"

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

type describeENIs struct {
	NetworkInterfaces *[]struct {
		NetworkInterfaceID string `json:"NetworkInterfaceId"`
		SubnetID           string `json:"SubnetId"`
		Attachment         *struct {
			InstanceID  string `json:"InstanceId"`
			DeviceIndex int    `json:"DeviceIndex"`
		} `json:"Attachment"`
		PrivateIPAddresses []struct {
			PrivateIPAddress string `json:"PrivateIpAddress"`
			Primary          bool   `json:"Primary"`
		} `json:"PrivateIpAddresses"`
		IPv4Prefixes []struct {
			IPv4Prefix string `json:"Ipv4Prefix"`
		} `json:"Ipv4Prefixes"`
	} `json:"NetworkInterfaces"`
}

// MaxENIs bounds a describe-network-interfaces file.
const MaxENIs = 1_000_000

// ParseDescribeNetworkInterfaces reads the JSON of `aws ec2
// describe-network-interfaces --output json`. Every address and prefix must
// parse: a guessed one would make the free /28 count wrong.
func ParseDescribeNetworkInterfaces(data []byte) ([]ENI, error) {
	var doc describeENIs
	if err := json.Unmarshal(data, &doc); err != nil {
		return nil, fmt.Errorf("describe-network-interfaces JSON: %s", strings.Join(strings.Fields(err.Error()), " "))
	}
	if doc.NetworkInterfaces == nil {
		return nil, fmt.Errorf("describe-network-interfaces JSON: no NetworkInterfaces: give the output of `aws ec2 describe-network-interfaces --output json`")
	}
	if len(*doc.NetworkInterfaces) > MaxENIs {
		return nil, fmt.Errorf("describe-network-interfaces JSON: %d interfaces, more than the %d eksnet reads", len(*doc.NetworkInterfaces), MaxENIs)
	}
	out := make([]ENI, 0, len(*doc.NetworkInterfaces))
	seen := make(map[string]bool, len(*doc.NetworkInterfaces))
	for i, n := range *doc.NetworkInterfaces {
		e := ENI{ID: n.NetworkInterfaceID, SubnetID: n.SubnetID}
		switch {
		case !isID(e.ID, "eni-"):
			return nil, fmt.Errorf("describe-network-interfaces JSON: interface %d: NetworkInterfaceId %q is not an ENI ID such as eni-0123456789abcdef0", i, e.ID)
		case !isID(e.SubnetID, "subnet-"):
			return nil, fmt.Errorf("describe-network-interfaces JSON: %s: SubnetId %q is not a subnet ID", e.ID, e.SubnetID)
		case seen[e.ID]:
			return nil, fmt.Errorf("describe-network-interfaces JSON: %s is listed twice", e.ID)
		}
		seen[e.ID] = true
		if a := n.Attachment; a != nil {
			if a.InstanceID != "" && !isID(a.InstanceID, "i-") {
				return nil, fmt.Errorf("describe-network-interfaces JSON: %s: InstanceId %q is not an instance ID", e.ID, a.InstanceID)
			}
			e.InstanceID, e.DeviceIdx = a.InstanceID, a.DeviceIndex
		}
		for _, a := range n.PrivateIPAddresses {
			ip, err := netip.ParseAddr(a.PrivateIPAddress)
			if err != nil || !ip.Is4() {
				return nil, fmt.Errorf("describe-network-interfaces JSON: %s: PrivateIpAddress %q is not an IPv4 address", e.ID, a.PrivateIPAddress)
			}
			if a.Primary && !e.Primary.IsValid() {
				e.Primary = ip
			} else {
				e.Secondary = append(e.Secondary, ip)
			}
		}
		if !e.Primary.IsValid() {
			return nil, fmt.Errorf("describe-network-interfaces JSON: %s has no primary private address", e.ID)
		}
		for _, p := range n.IPv4Prefixes {
			pfx, err := netip.ParsePrefix(p.IPv4Prefix)
			if err != nil || !pfx.Addr().Is4() || pfx.Bits() != BlockLen || pfx.Masked() != pfx {
				return nil, fmt.Errorf("describe-network-interfaces JSON: %s: Ipv4Prefix %q is not an aligned IPv4 /28", e.ID, p.IPv4Prefix)
			}
			e.Prefixes = append(e.Prefixes, pfx)
		}
		out = append(out, e)
	}
	return out, nil
}
