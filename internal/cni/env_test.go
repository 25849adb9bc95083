package cni

import (
	"reflect"
	"testing"
)

// ENABLE_SUBNET_DISCOVERY is on unless set to false (UseSubnetDiscovery in
// pkg/ipamd/ipamd.go), and written out only where it matters.
func TestSubnetDiscoveryEnv(t *testing.T) {
	for _, tt := range []struct {
		env  map[string]string
		want bool
		err  string
	}{
		{map[string]string{}, true, ""},
		{map[string]string{EnvSubnetDiscovery: "true"}, true, ""},
		{map[string]string{EnvSubnetDiscovery: "false"}, false, ""},
		{map[string]string{EnvSubnetDiscovery: ""}, true, ""},
		{map[string]string{EnvSubnetDiscovery: "maybe"}, true, `ENABLE_SUBNET_DISCOVERY="maybe" is not true or false`},
	} {
		c, err := FromEnv(tt.env, LatestVersion)
		switch {
		case tt.err != "":
			if err == nil || err.Error() != tt.err {
				t.Errorf("%v: err = %v, want %q", tt.env, err, tt.err)
			}
		case err != nil:
			t.Errorf("%v: %v", tt.env, err)
		case c.SubnetDiscovery != tt.want:
			t.Errorf("%v: SubnetDiscovery = %v, want %v", tt.env, c.SubnetDiscovery, tt.want)
		}
	}

	off := DefaultConfig()
	off.SubnetDiscovery = false
	old := DefaultConfig()
	old.SubnetDiscovery, old.Version = false, Version{1, 17, 1}
	tagged := DefaultConfig()
	tagged.DiscoveredSubnets = true
	custom := tagged
	custom.CustomNetworking, custom.ENIConfigLabel = true, DefaultENIConfigLabel
	for _, tt := range []struct {
		name string
		c    Config
		want []EnvVar
	}{
		{"default", DefaultConfig(), []EnvVar{{EnvWarmENITarget, "1"}}},
		{"off", off, []EnvVar{{EnvWarmENITarget, "1"}, {EnvSubnetDiscovery, "false"}}},
		{"before 1.18 the variable does not exist", old, []EnvVar{{EnvWarmENITarget, "1"}}},
		{"pods in discovered subnets rely on it", tagged, []EnvVar{{EnvWarmENITarget, "1"}, {EnvSubnetDiscovery, "true"}}},
		{"IPv6", func() Config { c := DefaultConfig(); c.IPFamily = IPv6; return c }(), []EnvVar{{EnvIPv6, "true"}, {EnvIPv4, "false"}, {EnvPrefixDelegation, "true"}}},
		{"custom networking takes precedence", custom, []EnvVar{{EnvCustomNetworking, "true"}, {EnvENIConfigLabel, DefaultENIConfigLabel}, {EnvWarmENITarget, "1"}}},
	} {
		if got := tt.c.Env(); !reflect.DeepEqual(got, tt.want) {
			t.Errorf("%s: Env() = %v, want %v", tt.name, got, tt.want)
		}
	}
}

func TestPodsInDiscoveredSubnets(t *testing.T) {
	base := DefaultConfig()
	base.DiscoveredSubnets = true
	for _, tt := range []struct {
		name string
		edit func(*Config)
		want bool
	}{
		{"tagged subnets, discovery on", func(*Config) {}, true},
		{"no tagged subnets", func(c *Config) { c.DiscoveredSubnets = false }, false},
		{"discovery off", func(c *Config) { c.SubnetDiscovery = false }, false},
		{"VPC CNI 1.17", func(c *Config) { c.Version = Version{1, 17, 1} }, false},
		{"VPC CNI 1.18.0", func(c *Config) { c.Version = SubnetDiscoverySince }, true},
		{"custom networking", func(c *Config) { c.CustomNetworking = true }, false},
		{"IPv6: the primary ENI alone", func(c *Config) { c.IPFamily = IPv6 }, false},
		{"Windows", func(c *Config) { c.OS = Windows }, false},
	} {
		c := base
		tt.edit(&c)
		if got := c.PodsInDiscoveredSubnets(); got != tt.want {
			t.Errorf("%s: %v, want %v", tt.name, got, tt.want)
		}
	}
}
