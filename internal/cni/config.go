package cni

import (
	"encoding/json"
	"errors"
	"fmt"
	"strconv"
	"strings"

	"github.com/eksnet/eksnet/internal/enum"
	"github.com/eksnet/eksnet/internal/subnet"
)

// Mode is how the VPC CNI hands addresses to pods on a node.
type Mode string

const (
	ModeSecondaryIP      Mode = "secondary-ip"
	ModePrefixDelegation Mode = "prefix-delegation"
	ModeIPv6             Mode = "ipv6"
)

// IPFamily is the cluster's pod address family.
type IPFamily string

const (
	IPv4 IPFamily = "ipv4"
	IPv6 IPFamily = "ipv6"
)

// IPFamilies are the cluster IP families the VPC CNI runs, in the order
// help and completion list them.
var IPFamilies = []IPFamily{IPv4, IPv6}

// ParseIPFamily reads an IP family: ipv4 or ipv6, in any case (enum.Parse).
func ParseIPFamily(s string) (IPFamily, error) { return enum.Parse("IP family", s, IPFamilies) }

// UnmarshalText reads an IP family in a plan or config file.
func (f *IPFamily) UnmarshalText(b []byte) error {
	parsed, err := ParseIPFamily(string(b))
	if err != nil {
		return err
	}
	*f = parsed
	return nil
}

// OS is the operating system of the nodes: Linux nodes run the aws-node
// DaemonSet; on Windows nodes the VPC resource controller hands out the
// addresses (docs/max-pods.md "Windows nodes").
type OS string

const (
	Linux   OS = "linux"
	Windows OS = "windows"
)

// OSes are the node operating systems eksnet models.
var OSes = []OS{Linux, Windows}

// ParseOS reads --os: linux or windows, in any case.
func ParseOS(s string) (OS, error) { return enum.Parse("node OS", s, OSes) }

// UnmarshalText reads an OS in a plan or config file.
func (o *OS) UnmarshalText(b []byte) error {
	parsed, err := ParseOS(string(b))
	if err != nil {
		return err
	}
	*o = parsed
	return nil
}

// Facts of the VPC CNI that several packages need, declared once
// (docs/node-addresses.md).
const (
	// AddressesPerPrefix is the size of the /28 an ENI slot holds in prefix
	// mode: one aligned block of a subnet (subnet.BlockSize).
	AddressesPerPrefix = subnet.BlockSize
	// HostNetworkPods are aws-node and kube-proxy: they count against max pods
	// but take no pool address. Windows nodes run neither as a pod (host
	// networking is not supported there): HostNetworkPodsOn.
	HostNetworkPods = 2
	// DefaultENIConfigLabel is the node label that picks an ENIConfig named
	// after the node's zone.
	DefaultENIConfigLabel = "topology.kubernetes.io/zone"
)

// Config is every VPC CNI setting eksnet models, named as the aws-node
// DaemonSet's environment names them. Flags, the config file, plan files
// and the DaemonSet reader all decode into it. A zero WarmIPTarget,
// MinimumIPTarget or MaxENI is unset, as in the CNI.
type Config struct {
	Version               Version  `yaml:"version" json:"version"`
	PrefixDelegation      bool     `yaml:"prefixDelegation" json:"prefixDelegation"`           // ENABLE_PREFIX_DELEGATION
	CustomNetworking      bool     `yaml:"customNetworking" json:"customNetworking"`           // AWS_VPC_K8S_CNI_CUSTOM_NETWORK_CFG
	SecurityGroupsForPods bool     `yaml:"securityGroupsForPods" json:"securityGroupsForPods"` // ENABLE_POD_ENI
	IPFamily              IPFamily `yaml:"ipFamily" json:"ipFamily"`                           // ENABLE_IPv6
	MaxENI                int      `yaml:"maxENI" json:"maxENI,omitempty"`                     // MAX_ENI
	WarmENITarget         int      `yaml:"warmENITarget" json:"warmENITarget"`                 // WARM_ENI_TARGET
	WarmIPTarget          int      `yaml:"warmIPTarget" json:"warmIPTarget,omitempty"`         // WARM_IP_TARGET
	MinimumIPTarget       int      `yaml:"minimumIPTarget" json:"minimumIPTarget,omitempty"`   // MINIMUM_IP_TARGET
	WarmPrefixTarget      int      `yaml:"warmPrefixTarget" json:"warmPrefixTarget"`           // WARM_PREFIX_TARGET
	ENIConfigLabel        string   `yaml:"eniConfigLabel" json:"eniConfigLabel,omitempty"`     // ENI_CONFIG_LABEL_DEF
	SubnetDiscovery       bool     `yaml:"subnetDiscovery" json:"subnetDiscovery"`             // ENABLE_SUBNET_DISCOVERY
	// DiscoveredSubnets reports that the nodes' AZs have subnets tagged
	// kubernetes.io/role/cni=1: with subnet discovery (and without custom
	// networking) ipamd creates secondary ENIs there (PodsInDiscoveredSubnets).
	// It is a fact of the VPC, not an aws-node variable.
	DiscoveredSubnets bool `yaml:"discoveredSubnets" json:"discoveredSubnets,omitempty"`
	// OS is the nodes' OS. On Windows, PrefixDelegation is the VPC resource
	// controller's enable-windows-prefix-delegation (the amazon-vpc-cni
	// ConfigMap in kube-system), not ENABLE_PREFIX_DELEGATION.
	OS OS `yaml:"os" json:"os,omitempty"`
}

// IsWindows reports whether the nodes run Windows.
func (c Config) IsWindows() bool { return c.OS == Windows }

// DefaultConfig is the CNI as the shipped aws-node manifest runs it: the
// newest release eksnet knows, IPv4, secondary IPs, WARM_ENI_TARGET=1,
// WARM_PREFIX_TARGET=1 and ENABLE_SUBNET_DISCOVERY=true
// (config/master/aws-k8s-cni.yaml of amazon-vpc-cni-k8s).
func DefaultConfig() Config {
	return Config{Version: LatestVersion, IPFamily: IPv4, WarmENITarget: 1, WarmPrefixTarget: 1, SubnetDiscovery: true}
}

// DiscoversSubnets reports whether ipamd looks for subnets tagged
// kubernetes.io/role/cni when it creates a secondary ENI: ENABLE_SUBNET_DISCOVERY
// on a release that has it (UseSubnetDiscovery in pkg/ipamd/ipamd.go).
func (c Config) DiscoversSubnets() bool {
	return c.SubnetDiscovery && c.Version.AtLeast(SubnetDiscoverySince)
}

// PodsInDiscoveredSubnets reports whether the node's secondary ENIs, and
// the pod addresses they hold, come from the tagged subnets of its AZ: subnet
// discovery with such subnets present, on Linux IPv4 nodes without custom
// networking, which takes precedence (createENI in pkg/awsutils/awsutils.go;
// docs/node-addresses.md "Subnet discovery"). IPv6 nodes use the primary ENI
// alone, so they create no secondary ENI.
func (c Config) PodsInDiscoveredSubnets() bool {
	return c.DiscoveredSubnets && c.DiscoversSubnets() && !c.CustomNetworking && !c.IsIPv6() && !c.IsWindows()
}

// HasPodSubnet reports whether some of a node's pod addresses come from
// another subnet than the node's own: the ENIConfig subnet of custom
// networking, or the discovered subnets.
func (c Config) HasPodSubnet() bool { return c.CustomNetworking || c.PodsInDiscoveredSubnets() }

// WarmIPTargets reports whether WARM_IP_TARGET or MINIMUM_IP_TARGET is set,
// which makes ipamd count single IPs and ignore the ENI and prefix targets
// (warmIPTargetsDefined in pkg/ipamd/ipamd.go).
func (c Config) WarmIPTargets() bool { return c.WarmIPTarget > 0 || c.MinimumIPTarget > 0 }

// IsIPv6 reports whether the cluster runs IPv6 pods.
func (c Config) IsIPv6() bool { return c.IPFamily == IPv6 }

// Validate rejects settings the VPC CNI cannot run on any type, one line
// each naming the setting and what is allowed: negative counts, IPv6 with
// custom networking (isConfigValid in pkg/ipamd/ipamd.go), and features the
// release predates.
func (c Config) Validate() error {
	for _, t := range []struct {
		name  string
		value int
	}{
		{EnvWarmENITarget, c.WarmENITarget}, {EnvWarmIPTarget, c.WarmIPTarget},
		{EnvMinimumIPTarget, c.MinimumIPTarget}, {EnvWarmPrefixTarget, c.WarmPrefixTarget},
	} {
		if t.value < 0 {
			return &NegativeTargetError{Env: t.name, Value: t.value}
		}
	}
	if c.MaxENI < 0 {
		return fmt.Errorf("invalid MAX_ENI %d: must be at least 1 (0 leaves it unset)", c.MaxENI)
	}
	switch c.IPFamily {
	case "", IPv4:
	case IPv6:
		if c.CustomNetworking {
			return errors.New("custom networking cannot be combined with IPv6: the VPC CNI refuses to start with both")
		}
		if !c.Version.AtLeast(IPv6Since) {
			return fmt.Errorf("IPv6 needs VPC CNI %s or later, not %s", IPv6Since, c.Version)
		}
	default:
		return fmt.Errorf("invalid IP family %q: want %s", c.IPFamily, enum.List(IPFamilies))
	}
	if c.PrefixDelegation && !c.IsWindows() && !c.Version.AtLeast(PrefixDelegationSince) {
		return fmt.Errorf("prefix delegation needs VPC CNI %s or later, not %s", PrefixDelegationSince, c.Version)
	}
	switch c.OS {
	case "", Linux:
	case Windows:
		switch {
		case c.CustomNetworking:
			return errors.New("custom networking does not apply to Windows nodes: they take pod addresses from the primary ENI's subnet (drop --custom-networking for --os windows)")
		case c.SecurityGroupsForPods:
			return errors.New("security groups for pods do not apply to Windows nodes (drop --security-groups-for-pods for --os windows)")
		case c.IsIPv6():
			return errors.New("IPv6 does not apply to Windows nodes: EKS runs IPv6 pods on Linux only (drop --ip-family ipv6 for --os windows)")
		case c.MaxENI > 0:
			return errors.New("MAX_ENI does not apply to Windows nodes: they use the primary ENI only (drop --max-eni for --os windows)")
		}
	default:
		return fmt.Errorf("invalid node OS %q: want %s", c.OS, enum.List(OSes))
	}
	if c.ENIConfigLabel != "" && !IsLabelKey(c.ENIConfigLabel) {
		return fmt.Errorf("invalid ENI_CONFIG_LABEL_DEF %q: want a Kubernetes label key such as topology.kubernetes.io/zone", c.ENIConfigLabel)
	}
	return nil
}

// NegativeTargetError is a warm pool target below 0, named by its aws-node
// variable; a command may name it by its flag instead.
type NegativeTargetError struct {
	Env   string // EnvWarmENITarget, ...
	Value int
}

func (e *NegativeTargetError) Error() string {
	return fmt.Sprintf("invalid %s %d: must be 0 or more", e.Env, e.Value)
}

// IsLabelKey reports whether s is a Kubernetes label key: an optional DNS
// subdomain prefix (at most 253 characters) and "/", then a name of at most
// 63 characters, alphanumeric at both ends, with '-', '_' and '.' inside
// (the API server's qualified-name rule). Only such a key can name a node
// label, so no other string reaches a shell line or a document.
func IsLabelKey(s string) bool {
	prefix, name, hasPrefix := strings.Cut(s, "/")
	if !hasPrefix {
		prefix, name = "", s
	}
	if hasPrefix && (prefix == "" || len(prefix) > 253 || strings.Contains(name, "/")) {
		return false
	}
	for _, label := range strings.Split(prefix, ".") {
		if hasPrefix && !isDNSLabel(label) {
			return false
		}
	}
	if name == "" || len(name) > 63 || !isAlnum(name[0]) || !isAlnum(name[len(name)-1]) {
		return false
	}
	for i := 0; i < len(name); i++ {
		if c := name[i]; !isAlnum(c) && c != '-' && c != '_' && c != '.' {
			return false
		}
	}
	return true
}

func isDNSLabel(s string) bool {
	if s == "" || len(s) > 63 || !isLowerAlnum(s[0]) || !isLowerAlnum(s[len(s)-1]) {
		return false
	}
	for i := 0; i < len(s); i++ {
		if c := s[i]; !isLowerAlnum(c) && c != '-' {
			return false
		}
	}
	return true
}

func isAlnum(c byte) bool      { return isLowerAlnum(c) || c >= 'A' && c <= 'Z' }
func isLowerAlnum(c byte) bool { return c >= 'a' && c <= 'z' || c >= '0' && c <= '9' }

// CheckMaxENI checks a MAX_ENI that was given: at least 1. The CNI ignores
// a smaller value (getMaxENI in pkg/ipamd/ipamd.go), so eksnet refuses it
// rather than guess what was meant.
func CheckMaxENI(n int) error {
	if n < 1 {
		return fmt.Errorf("invalid MAX_ENI %d: must be at least 1", n)
	}
	return nil
}

// RequestedMode is the mode the configuration asks for, before the
// instance type has its say (ModeOn).
func (c Config) RequestedMode() Mode {
	switch {
	case c.IsIPv6():
		return ModeIPv6
	case c.PrefixDelegation:
		return ModePrefixDelegation
	}
	return ModeSecondaryIP
}

// HostNetworkPodsOn is the pods that count against max pods without a pool
// address: aws-node and kube-proxy on Linux, none on Windows.
func (c Config) HostNetworkPodsOn() int {
	if c.IsWindows() {
		return 0
	}
	return HostNetworkPods
}

// The amazon-vpc-cni ConfigMap in kube-system, whose keys the VPC resource
// controller reads for Windows nodes (pkg/config/type.go and
// ParseWinIPTargetConfigs in pkg/config/loader.go of
// amazon-vpc-resource-controller-k8s; each target also under a windows-
// spelling, read when the plain one is absent).
const (
	ConfigMapName                    = "amazon-vpc-cni"
	ConfigMapWindowsIPAM             = "enable-windows-ipam"
	ConfigMapWindowsPrefixDelegation = "enable-windows-prefix-delegation"
	ConfigMapWarmIPTarget            = "warm-ip-target"
	ConfigMapMinimumIPTarget         = "minimum-ip-target"
	ConfigMapWarmPrefixTarget        = "warm-prefix-target"
	ConfigMapWindowsKeyPrefix        = "windows-"
)

// WindowsPrefixDelegationSwitch is how Windows prefix delegation is turned
// on: a key of the amazon-vpc-cni ConfigMap (built when asked for, not at
// start-up).
func WindowsPrefixDelegationSwitch() string {
	return ConfigMapPatch(map[string]string{ConfigMapWindowsPrefixDelegation: "true"})
}

// WindowsConfigMap is the amazon-vpc-cni ConfigMap data that sets c for
// Windows nodes: Windows IPAM on, prefix delegation as c has it, and the
// warm IP targets c sets (unset ones take the controller's defaults).
func (c Config) WindowsConfigMap() map[string]string {
	data := map[string]string{ConfigMapWindowsIPAM: "true", ConfigMapWindowsPrefixDelegation: strconv.FormatBool(c.PrefixDelegation)}
	if c.WarmIPTarget > 0 {
		data[ConfigMapWarmIPTarget] = strconv.Itoa(c.WarmIPTarget)
	}
	if c.MinimumIPTarget > 0 {
		data[ConfigMapMinimumIPTarget] = strconv.Itoa(c.MinimumIPTarget)
	}
	return data
}

// ConfigMapPatch is the kubectl command that merges data into the
// amazon-vpc-cni ConfigMap. The keys are the controller's and the values
// numbers or booleans, so the JSON needs no shell quoting inside its
// single quotes.
func ConfigMapPatch(data map[string]string) string {
	doc, _ := json.Marshal(map[string]map[string]string{"data": data}) // a map of strings always marshals
	return "kubectl patch configmap/" + ConfigMapName + " -n kube-system --type merge -p '" + string(doc) + "'"
}
