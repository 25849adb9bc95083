package limits

// Hypervisor values as EC2 reports them. Bare metal types have none.
const (
	HypervisorNitro = "nitro"
	HypervisorXen   = "xen"
)

// NetworkCard is one network card of an instance type and the ENIs it can hold.
type NetworkCard struct {
	Index   int `json:"index"`
	MaxENIs int `json:"maxENIs"`
}

// Instance is the networking facts of one EC2 instance type.
//
// Trunking and BranchInterfaces come from no public API; they are nil when
// unknown (a type the embedded table lacks, read live from EC2).
type Instance struct {
	Name                    string        `json:"-"`
	VCPUs                   int           `json:"vcpus"`
	MaxENIs                 int           `json:"maxENIs"`
	IPv4PerENI              int           `json:"ipv4PerENI"`
	IPv6PerENI              int           `json:"ipv6PerENI"`
	Hypervisor              string        `json:"hypervisor"`
	BareMetal               bool          `json:"bareMetal"`
	NetworkCards            []NetworkCard `json:"networkCards"`
	DefaultNetworkCardIndex int           `json:"defaultNetworkCardIndex"`
	Trunking                *bool         `json:"trunking,omitempty"`
	BranchInterfaces        *int          `json:"branchInterfaces,omitempty"`
	IPv6Supported           bool          `json:"ipv6Supported"`
	MemoryMiB               int           `json:"memoryMiB"`
}

// NitroOrBareMetal reports whether the type passes the VPC CNI's own test for
// prefix delegation and IPv6: the Nitro hypervisor or bare metal (docs/max-pods.md).
func (i Instance) NitroOrBareMetal() bool {
	return i.Hypervisor == HypervisorNitro || i.BareMetal
}

// RunsIPv6 reports whether the VPC CNI can run IPv6 pods on the type: Nitro
// or bare metal, with IPv6 addresses on its ENIs (docs/max-pods.md).
func (i Instance) RunsIPv6() bool { return i.NitroOrBareMetal() && i.IPv6Supported }

// HypervisorName is the hypervisor as messages show it: nitro, xen, or
// unknown where EC2 reports none (bare metal, and two old types).
func (i Instance) HypervisorName() string {
	if i.Hypervisor == "" {
		return "unknown"
	}
	return i.Hypervisor
}

// SupportsTrunking reports whether security groups for pods can attach a trunk
// ENI on this type, and whether that is known at all (docs/max-pods.md: no public
// API reports it; nil in the table means unknown).
func (i Instance) SupportsTrunking() (supported, known bool) {
	if i.Trunking == nil {
		return false, false
	}
	return *i.Trunking, true
}

// DefaultCard returns the network card the VPC CNI manages, the only one
// whose ENIs count (docs/max-pods.md: NetworkCards[DefaultNetworkCardIndex]).
func (i Instance) DefaultCard() (NetworkCard, bool) {
	for _, card := range i.NetworkCards {
		if card.Index == i.DefaultNetworkCardIndex {
			return card, true
		}
	}
	return NetworkCard{}, false
}

// TotalENIs is the ENI count across all network cards: what
// NetworkInfo.MaximumNetworkInterfaces reports, and what the CNI must not use.
func (i Instance) TotalENIs() int {
	total := 0
	for _, card := range i.NetworkCards {
		total += card.MaxENIs
	}
	return total
}
