package cni

import (
	"fmt"

	"github.com/eksnet/eksnet/internal/limits"
)

// Reason is why a type does not run what the configuration asks: a stable
// code for JSON and tests, rendered to a sentence by Sentence.
type Reason string

const (
	// ReasonPrefixNeedsNitro: prefix delegation on a type that is neither
	// Nitro nor bare metal; the CNI falls back to secondary IPs.
	ReasonPrefixNeedsNitro Reason = "prefix-delegation-needs-nitro"
	// ReasonIPv6NeedsNitro: IPv6 on a type that is neither Nitro nor bare
	// metal with IPv6; the CNI cannot run pods at all.
	ReasonIPv6NeedsNitro Reason = "ipv6-needs-nitro"
	// ReasonNoTrunking: security groups for pods on a type without trunking.
	ReasonNoTrunking Reason = "no-trunking"
	// ReasonOneENI: security groups for pods on a type of one ENI, which
	// leaves no room for a trunk ENI.
	ReasonOneENI Reason = "one-eni"
)

// Sentence renders the reason for the type it applies to.
func (r Reason) Sentence(inst limits.Instance) string {
	switch r {
	case ReasonPrefixNeedsNitro:
		return fmt.Sprintf("prefix delegation unsupported (needs Nitro or bare metal, hypervisor is %s): the CNI falls back to secondary IPs", inst.HypervisorName())
	case ReasonIPv6NeedsNitro:
		return fmt.Sprintf("IPv6 unsupported (needs Nitro or bare metal with IPv6, hypervisor is %s): the CNI cannot run pods on this type", inst.HypervisorName())
	case ReasonNoTrunking:
		return "security groups for pods: this type has no trunk ENI, so it cannot run security-group pods and keeps all its ENIs"
	case ReasonOneENI:
		return "security groups for pods: this type has one ENI, which leaves no room for a trunk ENI, so it cannot run security-group pods"
	}
	return string(r)
}

// Run is the mode a configuration runs on one instance type.
type Run struct {
	Requested Mode
	Mode      Mode // what the CNI really runs
	// Fallback is why Mode differs from Requested ("" when it does not).
	Fallback Reason
	// Unsupported is why no pod can run at all ("" when pods run).
	Unsupported Reason
}

// On returns the mode cfg runs on inst. The CNI's own test for prefixes and
// IPv6 is Nitro or bare metal (IsNitroInstance and the prefix checks of
// pkg/awsutils/awsutils.go); prefix delegation elsewhere falls back to
// secondary IPs with a warning, IPv6 elsewhere cannot run.
func (c Config) On(inst limits.Instance) Run {
	r := Run{Requested: c.RequestedMode()}
	r.Mode = r.Requested
	switch r.Requested {
	case ModePrefixDelegation:
		if !inst.NitroOrBareMetal() {
			r.Mode, r.Fallback = ModeSecondaryIP, ReasonPrefixNeedsNitro
		}
	case ModeIPv6:
		if !inst.RunsIPv6() {
			r.Unsupported = ReasonIPv6NeedsNitro
		}
	}
	return r
}

// ENIs is how the ENIs of one node are used under a configuration.
type ENIs struct {
	// Usable are the ENIs the CNI may attach: MAX_ENI when it is at least 1
	// and below the type's limit, else the limit (getMaxENI).
	Usable int
	// MaxENILimited reports that MAX_ENI lowered Usable.
	MaxENILimited bool
	// Trunk reports that a trunk ENI attaches (security groups for pods).
	Trunk bool
	// TrunkUnknown reports that the type's trunking is unknown (a type read
	// live that the embedded table lacks): the trunk is counted, the safe side.
	TrunkUnknown bool
	// NoTrunk is why security groups for pods get no trunk on this type.
	NoTrunk Reason
	// PrimaryCarriesPods is false under custom networking.
	PrimaryCarriesPods bool
	// ForPods are the ENIs that may hold pool addresses.
	ForPods int
}

// ENIsOn returns how inst's ENIs are used under cfg, the one rule that max
// pods and the per-node demand share (docs/max-pods.md "ENIs for pods"):
//
//	ForPods = Usable − trunk − (custom networking ? 1 : 0)
//
// The trunk ENI counts against Usable: ipamd reserves a slot for it before
// it attaches and counts it once attached (hasRoomForEni in
// pkg/ipamd/ipamd.go). The primary ENI always holds pool addresses without
// custom networking, so ForPods is at least 1 there: with MAX_ENI=1 and a
// trunk, pods still get the primary ENI's addresses. Under custom networking
// the primary holds none (GetAllocatableENIs skips it), so ForPods may be 0.
//
// Windows nodes use the primary ENI alone: the VPC resource controller
// assigns only its secondary addresses or prefixes (getCapacity in
// pkg/provider/ip/provider.go and pkg/provider/prefix/provider.go of
// amazon-vpc-resource-controller-k8s).
func (c Config) ENIsOn(inst limits.Instance) ENIs {
	if c.IsWindows() {
		return ENIs{Usable: 1, PrimaryCarriesPods: true, ForPods: min(1, inst.MaxENIs)}
	}
	e := ENIs{Usable: inst.MaxENIs, PrimaryCarriesPods: !c.CustomNetworking}
	if c.MaxENI >= 1 && c.MaxENI < inst.MaxENIs {
		e.Usable, e.MaxENILimited = c.MaxENI, true
	}
	if c.SecurityGroupsForPods {
		switch trunking, known := inst.SupportsTrunking(); {
		case known && !trunking:
			e.NoTrunk = ReasonNoTrunking
		case inst.MaxENIs < 2:
			e.NoTrunk = ReasonOneENI
		default:
			e.Trunk, e.TrunkUnknown = true, !known
		}
	}
	e.ForPods = e.Usable
	if e.Trunk {
		e.ForPods--
	}
	if c.CustomNetworking {
		e.ForPods--
	}
	floor := 0
	if e.PrimaryCarriesPods && inst.MaxENIs >= 1 {
		floor = 1
	}
	e.ForPods = max(e.ForPods, floor)
	return e
}
