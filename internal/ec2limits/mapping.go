package ec2limits

import (
	"fmt"
	"slices"
	"strings"

	"github.com/aws/aws-sdk-go-v2/aws"
	ec2types "github.com/aws/aws-sdk-go-v2/service/ec2/types"

	"github.com/eksnet/eksnet/internal/limits"
)

// ToInstance maps one DescribeInstanceTypes record to a table entry, as
// docs/max-pods.md "Inputs per instance type" says:
//   - maxENIs is the default network card's MaximumNetworkInterfaces
//     (NetworkCards[DefaultNetworkCardIndex]), never NetworkInfo's total;
//   - ipv4PerENI is Ipv4AddressesPerInterface, the ENI's primary included;
//   - the hypervisor is EC2's, empty for bare metal (the API omits it);
//   - vcpus is DefaultVCpus, memoryMiB SizeInMiB (0: not reported);
//   - trunking and branch interfaces come from no API: they are taken from
//     known (the embedded table) and left nil (unknown) for types it lacks.
func ToInstance(r ec2types.InstanceTypeInfo, known *limits.Table) (limits.Instance, error) {
	name := string(r.InstanceType)
	n := r.NetworkInfo
	if n == nil {
		return limits.Instance{}, fmt.Errorf("EC2 record for %s has no networkInfo", name)
	}
	inst := limits.Instance{
		Name:                    name,
		IPv4PerENI:              int(aws.ToInt32(n.Ipv4AddressesPerInterface)),
		IPv6PerENI:              int(aws.ToInt32(n.Ipv6AddressesPerInterface)),
		IPv6Supported:           aws.ToBool(n.Ipv6Supported),
		Hypervisor:              string(r.Hypervisor),
		BareMetal:               aws.ToBool(r.BareMetal),
		DefaultNetworkCardIndex: int(aws.ToInt32(n.DefaultNetworkCardIndex)),
	}
	if r.VCpuInfo != nil {
		inst.VCPUs = int(aws.ToInt32(r.VCpuInfo.DefaultVCpus))
	}
	if r.MemoryInfo != nil {
		inst.MemoryMiB = int(aws.ToInt64(r.MemoryInfo.SizeInMiB))
	}
	for _, card := range n.NetworkCards {
		inst.NetworkCards = append(inst.NetworkCards, limits.NetworkCard{
			Index:   int(aws.ToInt32(card.NetworkCardIndex)),
			MaxENIs: int(aws.ToInt32(card.MaximumNetworkInterfaces)),
		})
	}
	if len(inst.NetworkCards) == 0 {
		// Without per-card limits the total is the default card's only when
		// there is one card.
		if aws.ToInt32(n.MaximumNetworkCards) > 1 {
			return limits.Instance{}, fmt.Errorf("EC2 record for %s has %d network cards but no per-card limits", name, aws.ToInt32(n.MaximumNetworkCards))
		}
		inst.NetworkCards = []limits.NetworkCard{{Index: inst.DefaultNetworkCardIndex, MaxENIs: int(aws.ToInt32(n.MaximumNetworkInterfaces))}}
	}
	slices.SortFunc(inst.NetworkCards, func(a, b limits.NetworkCard) int { return a.Index - b.Index })
	card, ok := inst.DefaultCard()
	if !ok {
		return limits.Instance{}, fmt.Errorf("EC2 record for %s: default network card %d is not among its network cards", name, inst.DefaultNetworkCardIndex)
	}
	inst.MaxENIs = card.MaxENIs
	if known != nil {
		if k, ok := known.Get(name); ok {
			inst.Trunking, inst.BranchInterfaces = k.Trunking, k.BranchInterfaces
		}
	}
	if err := limits.Validate(inst); err != nil {
		return limits.Instance{}, fmt.Errorf("EC2 record: %w", err)
	}
	return inst, nil
}

// ToInstances maps records with ToInstance, in name order.
func ToInstances(records []ec2types.InstanceTypeInfo, known *limits.Table) ([]limits.Instance, error) {
	instances := make([]limits.Instance, 0, len(records))
	for _, r := range records {
		inst, err := ToInstance(r, known)
		if err != nil {
			return nil, err
		}
		instances = append(instances, inst)
	}
	slices.SortFunc(instances, func(a, b limits.Instance) int { return strings.Compare(a.Name, b.Name) })
	return instances, nil
}
