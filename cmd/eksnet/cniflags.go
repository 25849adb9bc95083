package main

import (
	"github.com/spf13/cobra"
	"github.com/spf13/pflag"

	"github.com/eksnet/eksnet/internal/formula"
)

// cniFlags are the VPC CNI settings shared by every command that computes max
// pods (maxpods, userdata, subnet size).
type cniFlags struct {
	version               string
	prefixDelegation      bool
	customNetworking      bool
	securityGroupsForPods bool
	ipFamily              string
	maxENI                int
	showMaxAllowed        bool
}

// legacyFlagNames maps the removed AL2 max-pods-calculator.sh's flag names to
// eksnet's, so that scripts written for it keep working unchanged.
var legacyFlagNames = map[string]string{
	"cni-custom-networking-enabled": "custom-networking",
	"cni-prefix-delegation-enabled": "prefix-delegation",
	"cni-max-eni":                   "max-eni",
}

func (c *cniFlags) bind(cmd *cobra.Command) {
	fs := cmd.Flags()
	fs.StringVar(&c.version, "cni-version", formula.LatestCNIVersion.String(), "VPC CNI version running on the nodes")
	fs.BoolVar(&c.prefixDelegation, "prefix-delegation", false, "ENABLE_PREFIX_DELEGATION: /28 prefixes instead of single IPs")
	fs.BoolVar(&c.customNetworking, "custom-networking", false, "AWS_VPC_K8S_CNI_CUSTOM_NETWORK_CFG: pods use ENIConfig subnets, the primary ENI carries none")
	fs.BoolVar(&c.securityGroupsForPods, "security-groups-for-pods", false, "ENABLE_POD_ENI: a trunk ENI takes one ENI on trunking types")
	fs.StringVar(&c.ipFamily, "ip-family", string(formula.IPv4), "cluster IP family: ipv4 or ipv6")
	fs.IntVar(&c.maxENI, "max-eni", 0, "MAX_ENI: cap on ENIs per node (at least 1)")
	fs.BoolVar(&c.showMaxAllowed, "show-max-allowed", false, "report the ENI limit instead of the recommended 110/250 cap")
	fs.SetNormalizeFunc(func(_ *pflag.FlagSet, name string) pflag.NormalizedName {
		if modern, ok := legacyFlagNames[name]; ok {
			return pflag.NormalizedName(modern)
		}
		return pflag.NormalizedName(name)
	})
}

// config validates the flags and returns the CNI configuration they describe.
func (c *cniFlags) config(cmd *cobra.Command) (formula.CNIConfig, error) {
	cfg := formula.DefaultCNIConfig()
	version, err := formula.ParseVersion(c.version)
	if err != nil {
		return cfg, err
	}
	family, err := formula.ParseIPFamily(c.ipFamily)
	if err != nil {
		return cfg, err
	}
	if cmd.Flags().Changed("max-eni") {
		if err := formula.ValidateMaxENI(c.maxENI); err != nil {
			return cfg, err
		}
	}
	cfg.Version = version
	cfg.IPFamily = family
	cfg.PrefixDelegation = c.prefixDelegation
	cfg.CustomNetworking = c.customNetworking
	cfg.SecurityGroupsForPods = c.securityGroupsForPods
	cfg.MaxENI = c.maxENI
	cfg.Uncapped = c.showMaxAllowed
	return cfg, cfg.Validate()
}
