package cni

import (
	"fmt"
	"strconv"

	"github.com/eksnet/eksnet/internal/subnet"
)

// Environment variable names of the aws-node container, as the VPC CNI reads
// them (pkg/ipamd/ipamd.go).
const (
	EnvPrefixDelegation = "ENABLE_PREFIX_DELEGATION"
	EnvCustomNetworking = "AWS_VPC_K8S_CNI_CUSTOM_NETWORK_CFG"
	EnvPodENI           = "ENABLE_POD_ENI"
	EnvIPv6             = "ENABLE_IPv6"
	EnvIPv4             = "ENABLE_IPv4"
	EnvMaxENI           = "MAX_ENI"
	EnvWarmENITarget    = "WARM_ENI_TARGET"
	EnvWarmIPTarget     = "WARM_IP_TARGET"
	EnvMinimumIPTarget  = "MINIMUM_IP_TARGET"
	EnvWarmPrefixTarget = "WARM_PREFIX_TARGET"
	EnvENIConfigLabel   = "ENI_CONFIG_LABEL_DEF"
	EnvSubnetDiscovery  = "ENABLE_SUBNET_DISCOVERY"
)

// SubnetDiscoveryTag is the subnet tag ipamd's subnet discovery reads
// (subnet.DiscoveryTag).
const SubnetDiscoveryTag = subnet.DiscoveryTag

// FromEnv returns the configuration an aws-node container with this
// environment runs, with version as its release. A variable that is absent
// takes the CNI's code default, not the manifest's: WARM_ENI_TARGET 1,
// WARM_PREFIX_TARGET 0, ENABLE_SUBNET_DISCOVERY true (defaultWarmENITarget,
// defaultWarmPrefixTarget and UseSubnetDiscovery in pkg/ipamd/ipamd.go). A value the CNI would not parse is an error naming
// the variable, where the CNI would silently use its default.
func FromEnv(env map[string]string, version Version) (Config, error) {
	c := Config{Version: version, IPFamily: IPv4, WarmENITarget: 1, SubnetDiscovery: true}
	var err error
	flag := func(name string, dst *bool) {
		v, ok := env[name]
		if !ok || v == "" || err != nil {
			return
		}
		b, perr := strconv.ParseBool(v)
		if perr != nil {
			err = fmt.Errorf("%s=%q is not true or false", name, v)
		}
		*dst = b
	}
	count := func(name string, dst *int) {
		v, ok := env[name]
		if !ok || v == "" || err != nil {
			return
		}
		n, perr := strconv.Atoi(v)
		if perr != nil || n < 0 {
			err = fmt.Errorf("%s=%q is not a whole number, 0 or more", name, v)
		}
		*dst = n
	}
	var ipv6 bool
	flag(EnvIPv6, &ipv6)
	flag(EnvPrefixDelegation, &c.PrefixDelegation)
	flag(EnvCustomNetworking, &c.CustomNetworking)
	flag(EnvPodENI, &c.SecurityGroupsForPods)
	flag(EnvSubnetDiscovery, &c.SubnetDiscovery)
	count(EnvWarmENITarget, &c.WarmENITarget)
	count(EnvWarmIPTarget, &c.WarmIPTarget)
	count(EnvMinimumIPTarget, &c.MinimumIPTarget)
	count(EnvWarmPrefixTarget, &c.WarmPrefixTarget)
	count(EnvMaxENI, &c.MaxENI)
	if ipv6 {
		c.IPFamily = IPv6
	}
	c.ENIConfigLabel = env[EnvENIConfigLabel]
	if err != nil {
		return c, err
	}
	return c, nil
}

// EnvVar is one variable of the aws-node container.
type EnvVar struct {
	Name  string `json:"name"`
	Value string `json:"value"`
}

// ManifestEnv is the environment the VPC CNI's manifest ships with (and the
// EKS add-on renders before its configurationValues), for the variables
// eksnet reads: DefaultConfig's warm targets, where an absent variable
// would take the code's other default.
func ManifestEnv() map[string]string {
	d := DefaultConfig()
	return map[string]string{
		EnvWarmENITarget:    strconv.Itoa(d.WarmENITarget),
		EnvWarmPrefixTarget: strconv.Itoa(d.WarmPrefixTarget),
	}
}

// Env is the aws-node environment that sets c where it differs from an
// unset variable, in a fixed order: custom networking and its label, prefix
// delegation and its warm target (or the warm ENI target), the warm IP
// targets, MAX_ENI, security groups for pods and subnet discovery; for IPv6,
// IPv6 on, IPv4 off and prefix delegation, as the CNI requires. Subnet
// discovery is written out when it is off, and also when pod addresses come
// from discovered subnets, since the layout then depends on it.
func (c Config) Env() []EnvVar {
	var env []EnvVar
	add := func(name, value string) { env = append(env, EnvVar{Name: name, Value: value}) }
	if c.IsWindows() {
		return nil // Windows nodes take the ConfigMap's settings (WindowsConfigMap), not aws-node's
	}
	if c.IsIPv6() {
		// The CNI runs IPv6 only in prefix mode and with IPv4 off; the warm
		// targets do not apply to the one /80 (isConfigValid in pkg/ipamd/ipamd.go).
		add(EnvIPv6, "true")
		add(EnvIPv4, "false")
		add(EnvPrefixDelegation, "true")
		if c.SecurityGroupsForPods {
			add(EnvPodENI, "true")
		}
		return env
	}
	if c.CustomNetworking {
		add(EnvCustomNetworking, "true")
		add(EnvENIConfigLabel, c.ENIConfigLabel)
	}
	switch {
	case c.PrefixDelegation:
		add(EnvPrefixDelegation, "true")
		if !c.WarmIPTargets() {
			add(EnvWarmPrefixTarget, strconv.Itoa(c.WarmPrefixTarget))
		}
	case !c.WarmIPTargets():
		add(EnvWarmENITarget, strconv.Itoa(c.WarmENITarget))
	}
	if c.WarmIPTarget > 0 {
		add(EnvWarmIPTarget, strconv.Itoa(c.WarmIPTarget))
	}
	if c.MinimumIPTarget > 0 {
		add(EnvMinimumIPTarget, strconv.Itoa(c.MinimumIPTarget))
	}
	if c.MaxENI > 0 {
		add(EnvMaxENI, strconv.Itoa(c.MaxENI))
	}
	if c.SecurityGroupsForPods {
		add(EnvPodENI, "true")
	}
	switch {
	case c.PodsInDiscoveredSubnets():
		add(EnvSubnetDiscovery, "true")
	case !c.SubnetDiscovery && c.Version.AtLeast(SubnetDiscoverySince):
		add(EnvSubnetDiscovery, "false")
	}
	return env
}
