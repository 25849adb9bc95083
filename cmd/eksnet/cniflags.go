package main

import (
	"errors"
	"fmt"

	"github.com/spf13/cobra"
	"github.com/spf13/pflag"

	"github.com/eksnet/eksnet/internal/cni"
	"github.com/eksnet/eksnet/internal/formula"
)

// cniFlags bind the VPC CNI settings of every command that computes max
// pods (maxpods, userdata, subnet size) straight into the one CNI model;
// only the version and the IP family are read as text and parsed.
type cniFlags struct {
	cfg            cni.Config
	version        string
	ipFamily       string
	os             string
	showMaxAllowed bool
}

// legacyFlagNames maps the removed AL2 max-pods-calculator.sh's flag names to
// eksnet's, so that scripts written for it keep working unchanged.
var legacyFlagNames = map[string]string{
	"cni-custom-networking-enabled": "custom-networking",
	"cni-prefix-delegation-enabled": "prefix-delegation",
	"cni-max-eni":                   "max-eni",
}

// legacyQuery is the query of the removed calculator's spelling
// (--instance-type): as the script did, the value the CNI would really
// apply on the node, never an error for a mode the node cannot run. Prefix
// delegation before VPC CNI 1.9.0 is ignored by the CNI, so it is dropped
// here; the notes say so (and Compute's Fallback says the rest).
func (c *cniFlags) legacyQuery(cmd *cobra.Command) (formula.Query, []string, error) {
	var notes []string
	if c.cfg.PrefixDelegation {
		if v, err := cni.ParseVersion(c.version); err == nil && !v.AtLeast(cni.PrefixDelegationSince) && !c.cfg.IsWindows() {
			c.cfg.PrefixDelegation = false
			notes = append(notes, fmt.Sprintf("VPC CNI %s has no prefix delegation (it came in %s): the value is for secondary IPs", v, cni.PrefixDelegationSince))
		}
	}
	q, err := c.query(cmd)
	return q, notes, err
}

func (c *cniFlags) bind(cmd *cobra.Command) {
	c.cfg = cni.DefaultConfig()
	fs := cmd.Flags()
	fs.StringVar(&c.version, "cni-version", cni.LatestVersion.String(), "VPC CNI version running on the nodes")
	fs.BoolVar(&c.cfg.PrefixDelegation, "prefix-delegation", false, "ENABLE_PREFIX_DELEGATION: /28 prefixes instead of single IPs")
	fs.BoolVar(&c.cfg.CustomNetworking, "custom-networking", false, "AWS_VPC_K8S_CNI_CUSTOM_NETWORK_CFG: pods use ENIConfig subnets, the primary ENI carries none")
	fs.BoolVar(&c.cfg.SecurityGroupsForPods, "security-groups-for-pods", false, "ENABLE_POD_ENI: a trunk ENI takes one ENI on trunking types")
	enumFlag(cmd, &c.ipFamily, "ip-family", "", cni.IPv4, cni.IPFamilies, "cluster IP family")
	enumFlag(cmd, &c.os, "os", "", cni.Linux, cni.OSes, "node OS (windows: the primary ENI only; --prefix-delegation is then the VPC resource controller's enable-windows-prefix-delegation)")
	fs.IntVar(&c.cfg.MaxENI, "max-eni", 0, "MAX_ENI: cap on ENIs per node (at least 1)")
	fs.BoolVar(&c.showMaxAllowed, "show-max-allowed", false, "report the ENI limit instead of the recommended 110/250 cap")
	fs.SetNormalizeFunc(func(_ *pflag.FlagSet, name string) pflag.NormalizedName {
		if modern, ok := legacyFlagNames[name]; ok {
			return pflag.NormalizedName(modern)
		}
		return pflag.NormalizedName(name)
	})
}

// bindWarmPool adds the warm-pool targets and subnet discovery, which shape
// a node's address demand but not its max pods (subnet size).
func (c *cniFlags) bindWarmPool(cmd *cobra.Command) {
	fs := cmd.Flags()
	fs.BoolVar(&c.cfg.SubnetDiscovery, "subnet-discovery", c.cfg.SubnetDiscovery, "ENABLE_SUBNET_DISCOVERY: secondary ENIs may go to subnets tagged "+cni.SubnetDiscoveryTag+" (VPC CNI 1.18+)")
	fs.BoolVar(&c.cfg.DiscoveredSubnets, "discovered-subnets", false, "the AZs have subnets tagged "+cni.SubnetDiscoveryTag+"=1: secondary ENIs and their pods' addresses come from them (the pod subnet)")
	fs.IntVar(&c.cfg.WarmENITarget, warmPoolFlags[cni.EnvWarmENITarget], c.cfg.WarmENITarget, "WARM_ENI_TARGET: spare ENIs' worth of IPs (secondary-IP mode)")
	fs.IntVar(&c.cfg.WarmIPTarget, warmPoolFlags[cni.EnvWarmIPTarget], 0, "WARM_IP_TARGET: spare IPs; overrides the ENI and prefix targets (0: unset)")
	fs.IntVar(&c.cfg.MinimumIPTarget, warmPoolFlags[cni.EnvMinimumIPTarget], 0, "MINIMUM_IP_TARGET: IPs kept in all (0: unset)")
	fs.IntVar(&c.cfg.WarmPrefixTarget, warmPoolFlags[cni.EnvWarmPrefixTarget], c.cfg.WarmPrefixTarget, "WARM_PREFIX_TARGET: spare /28 prefixes (prefix delegation)")
}

// config validates the flags and returns the CNI configuration they describe.
func (c *cniFlags) config(cmd *cobra.Command) (cni.Config, error) {
	cfg := c.cfg
	version, err := cni.ParseVersion(c.version)
	if err != nil {
		return cfg, err
	}
	family, err := cni.ParseIPFamily(c.ipFamily)
	if err != nil {
		return cfg, err
	}
	if cfg.OS, err = cni.ParseOS(c.os); err != nil {
		return cfg, err
	}
	if cmd.Flags().Changed("max-eni") {
		if err := cni.CheckMaxENI(cfg.MaxENI); err != nil {
			return cfg, fmt.Errorf("invalid --max-eni %d: must be at least 1", cfg.MaxENI)
		}
	}
	cfg.Version, cfg.IPFamily = version, family
	err = cfg.Validate()
	var negative *cni.NegativeTargetError
	if errors.As(err, &negative) {
		return cfg, fmt.Errorf("invalid --%s %d: must be 0 or more", warmPoolFlags[negative.Env], negative.Value)
	}
	return cfg, err
}

// warmPoolFlags name the warm pool targets' flags by their aws-node variables.
var warmPoolFlags = map[string]string{
	cni.EnvWarmENITarget: "warm-eni-target", cni.EnvWarmIPTarget: "warm-ip-target",
	cni.EnvMinimumIPTarget: "minimum-ip-target", cni.EnvWarmPrefixTarget: "warm-prefix-target",
}

// query is the max-pods question the flags ask.
func (c *cniFlags) query(cmd *cobra.Command) (formula.Query, error) {
	cfg, err := c.config(cmd)
	return formula.Query{Config: cfg, Uncapped: c.showMaxAllowed}, err
}
