// Package ipam models the addresses one EKS node takes from its subnets in
// steady state: the VPC CNI's warm pool (whole ENIs, single IPs or /28
// prefixes), each ENI's own primary address, the trunk ENI and branch ENIs.
//
// Every rule is from ipam.md ("How many addresses a node really takes from its
// subnet"); the package is pure: no I/O, no globals, no AWS SDK.
package ipam

import (
	"errors"
	"fmt"
)

// Settings are the aws-node DaemonSet settings that shape the warm pool
// (ipam.md "Settings"). The zero value is not the shipped default: start
// from DefaultSettings. A zero target means unset, as in the VPC CNI.
type Settings struct {
	WarmENITarget         int  // WARM_ENI_TARGET: whole ENIs of free IPs (secondary-IP mode)
	WarmIPTarget          int  // WARM_IP_TARGET: free IPs; overrides WARM_ENI_TARGET and WARM_PREFIX_TARGET
	MinimumIPTarget       int  // MINIMUM_IP_TARGET: floor on total IPs
	WarmPrefixTarget      int  // WARM_PREFIX_TARGET: free /28s (prefix mode)
	PrefixDelegation      bool // ENABLE_PREFIX_DELEGATION
	CustomNetworking      bool // AWS_VPC_K8S_CNI_CUSTOM_NETWORK_CFG
	SecurityGroupsForPods bool // ENABLE_POD_ENI
	IPv6                  bool // ENABLE_IPv6
	MaxENI                int  // MAX_ENI; 0 means unset
	SGPods                int  // pods per node with their own security groups (one branch ENI each)
}

// DefaultSettings returns the settings of the shipped aws-node manifest:
// WARM_ENI_TARGET=1 and WARM_PREFIX_TARGET=1, everything else unset (ipam.md "Settings").
func DefaultSettings() Settings {
	return Settings{WarmENITarget: 1, WarmPrefixTarget: 1}
}

// WarmIPTargets reports whether WARM_IP_TARGET or MINIMUM_IP_TARGET is set,
// which switches ipamd to counting single IPs (ipam.md: warmIP).
func (s Settings) WarmIPTargets() bool {
	return s.WarmIPTarget > 0 || s.MinimumIPTarget > 0
}

// Validate rejects settings the VPC CNI cannot run (ipam.md "Settings"), one
// line each, naming the value and what is allowed.
func (s Settings) Validate() error {
	targets := []struct {
		name  string
		value int
	}{
		{"WARM_ENI_TARGET", s.WarmENITarget},
		{"WARM_IP_TARGET", s.WarmIPTarget},
		{"MINIMUM_IP_TARGET", s.MinimumIPTarget},
		{"WARM_PREFIX_TARGET", s.WarmPrefixTarget},
	}
	for _, t := range targets {
		if t.value < 0 {
			return fmt.Errorf("invalid %s %d: must be 0 or more", t.name, t.value)
		}
	}
	if s.MaxENI < 0 {
		return fmt.Errorf("invalid MAX_ENI %d: must be at least 1 (0 leaves it unset)", s.MaxENI)
	}
	if s.SGPods < 0 {
		return fmt.Errorf("invalid security-group pods per node %d: must be 0 or more", s.SGPods)
	}
	if s.SGPods > 0 && !s.SecurityGroupsForPods {
		return fmt.Errorf("%d security-group pods per node need security groups for pods (ENABLE_POD_ENI=true)", s.SGPods)
	}
	if s.IPv6 && s.CustomNetworking {
		return errors.New("custom networking cannot be combined with IPv6: the VPC CNI refuses to start with both")
	}
	return nil
}
