// Package plan reads an eksnet plan file (a VPC, its existing subnets, the
// cluster's Availability Zones, VPC CNI settings and node groups with their
// growth), and lays out the subnets, secondary CIDR blocks and prefix
// reservations the cluster needs.
//
// As in kind's configuration: Decode reads strictly (unknown keys are
// errors), Default fills what was left out, Validate checks the rules, each a
// separate step. The package does no I/O: callers hand it bytes.
package plan

import (
	"bytes"
	"errors"
	"fmt"
	"math"
	"reflect"
	"regexp"
	"slices"
	"strings"

	"github.com/go-viper/mapstructure/v2"
	"github.com/spf13/viper"
)

// APIVersion and Kind may head a plan file; both are optional.
const (
	APIVersion = "eksnet.io/v1alpha1"
	Kind       = "Plan"
)

// File is a plan file as written: strings for CIDRs, so that Validate can
// name the field holding a bad one.
type File struct {
	APIVersion  string      `mapstructure:"apiVersion" json:"apiVersion,omitempty"`
	Kind        string      `mapstructure:"kind" json:"kind,omitempty"`
	Region      string      `mapstructure:"region" json:"region,omitempty"`
	VPC         VPC         `mapstructure:"vpc" json:"vpc"`
	AZs         []string    `mapstructure:"azs" json:"azs"`
	CNI         CNI         `mapstructure:"cni" json:"cni"`
	NodeGroups  []NodeGroup `mapstructure:"nodeGroups" json:"nodeGroups"`
	Growth      string      `mapstructure:"growth" json:"growth,omitempty"`     // "5%/month"
	Headroom    string      `mapstructure:"headroom" json:"headroom,omitempty"` // "20%"
	Surge       *int        `mapstructure:"surge" json:"surge,omitempty"`       // spare nodes per AZ during rolling updates
	ServiceCIDR string      `mapstructure:"serviceCIDR" json:"serviceCIDR,omitempty"`
	Subnets     Subnets     `mapstructure:"subnets" json:"subnets"`
}

// VPC is the VPC the cluster goes into.
type VPC struct {
	ID              string           `mapstructure:"id" json:"id,omitempty"`
	CIDRs           []string         `mapstructure:"cidrs" json:"cidrs"` // the primary block first
	ExistingSubnets []ExistingSubnet `mapstructure:"existingSubnets" json:"existingSubnets,omitempty"`
	CIDRBlockQuota  int              `mapstructure:"cidrBlockQuota" json:"cidrBlockQuota,omitempty"`
	SubnetQuota     int              `mapstructure:"subnetQuota" json:"subnetQuota,omitempty"`
}

// ExistingSubnet is a subnet already in the VPC. With a role it is adopted:
// the plan uses it as that role's subnet in its AZ instead of carving one.
type ExistingSubnet struct {
	CIDR string `mapstructure:"cidr" json:"cidr"`
	AZ   string `mapstructure:"az" json:"az,omitempty"`
	ID   string `mapstructure:"id" json:"id,omitempty"`
	Role Role   `mapstructure:"role" json:"role,omitempty"`
	// Origin names where the subnet came from when not the plan file, for errors.
	Origin string `mapstructure:"-" json:"-"`
}

// CNI is the VPC CNI's configuration on the nodes (the aws-node DaemonSet's
// environment), plus where pod subnets come from with custom networking.
type CNI struct {
	Version               string   `mapstructure:"version" json:"version,omitempty"`
	PrefixDelegation      bool     `mapstructure:"prefixDelegation" json:"prefixDelegation"`
	WarmPrefixTarget      *int     `mapstructure:"warmPrefixTarget" json:"warmPrefixTarget,omitempty"`
	WarmIPTarget          *int     `mapstructure:"warmIPTarget" json:"warmIPTarget,omitempty"`
	MinimumIPTarget       *int     `mapstructure:"minimumIPTarget" json:"minimumIPTarget,omitempty"`
	WarmENITarget         *int     `mapstructure:"warmENITarget" json:"warmENITarget,omitempty"`
	MaxENI                int      `mapstructure:"maxENI" json:"maxENI,omitempty"`
	CustomNetworking      bool     `mapstructure:"customNetworking" json:"customNetworking"`
	SecurityGroupsForPods bool     `mapstructure:"securityGroupsForPods" json:"securityGroupsForPods"`
	SecondaryCIDR         string   `mapstructure:"secondaryCIDR" json:"secondaryCIDR,omitempty"`   // a CIDR or "auto"
	SecondaryCIDRs        []string `mapstructure:"secondaryCIDRs" json:"secondaryCIDRs,omitempty"` // several, for larger clusters
	SecurityGroups        []string `mapstructure:"securityGroups" json:"securityGroups,omitempty"` // for the ENIConfigs
	ENIConfigLabel        string   `mapstructure:"eniConfigLabel" json:"eniConfigLabel,omitempty"` // ENI_CONFIG_LABEL_DEF
}

// NodeGroup is a group of nodes spread over some of the plan's AZs.
type NodeGroup struct {
	Name          string   `mapstructure:"name" json:"name"`
	InstanceTypes []string `mapstructure:"instanceTypes" json:"instanceTypes"`
	Nodes         int      `mapstructure:"nodes" json:"nodes"`
	FutureNodes   int      `mapstructure:"futureNodes" json:"futureNodes,omitempty"`
	PodsPerNode   int      `mapstructure:"podsPerNode" json:"podsPerNode,omitempty"`     // default: max pods − 2, the high-water mark
	SGPodsPerNode int      `mapstructure:"sgPodsPerNode" json:"sgPodsPerNode,omitempty"` // pods with their own branch ENI
	AZs           []string `mapstructure:"azs" json:"azs,omitempty"`                     // default: all of the plan's
}

// Subnets sets the sizes of the subnets that do not follow the node count.
type Subnets struct {
	Public  *int `mapstructure:"public" json:"public,omitempty"`   // prefix length of each public subnet; 0: none
	Cluster *int `mapstructure:"cluster" json:"cluster,omitempty"` // prefix length of each cluster subnet
}

// Role is what a subnet is for.
type Role string

const (
	RoleNode    Role = "node"    // the nodes' primary ENIs (and pods, without custom networking)
	RolePod     Role = "pod"     // pods' ENIs with custom networking: the ENIConfig subnet
	RoleCluster Role = "cluster" // the EKS control plane's ENIs
	RolePublic  Role = "public"  // internet-facing load balancers
)

// Roles in the order the planner carves them.
var Roles = []Role{RoleCluster, RolePublic, RoleNode, RolePod}

// Decode reads a plan file strictly: YAML (or JSON, which is YAML too) with
// no unknown keys, no duplicate keys, and no value of the wrong type. format
// is "yaml" or "json" (from the file's extension); it reads through its own
// viper instance, never the global one.
func Decode(data []byte, format string) (File, error) {
	var f File
	switch format {
	case "", "yaml", "yml":
		format = "yaml"
	case "json":
	default:
		return f, fmt.Errorf("invalid plan file format %q: want yaml or json", format)
	}
	if len(bytes.TrimSpace(data)) == 0 {
		return f, errors.New("the plan file is empty")
	}
	v := viper.New()
	v.SetConfigType(format)
	if err := v.ReadConfig(bytes.NewReader(data)); err != nil {
		return f, fmt.Errorf("reading the plan file: %s", strings.TrimPrefix(oneLine(err.Error()), "While parsing config: "))
	}
	if len(v.AllKeys()) == 0 {
		return f, errors.New("the plan file is empty")
	}
	err := v.UnmarshalExact(&f, func(c *mapstructure.DecoderConfig) {
		c.WeaklyTypedInput = false
		c.DecodeHook = wholeNumbers
	})
	if err != nil {
		return f, decodeError(err)
	}
	return f, nil
}

// wholeNumbers refuses 2.5 nodes, which mapstructure would truncate to 2.
func wholeNumbers(from, to reflect.Type, data any) (any, error) {
	if to.Kind() != reflect.Int || (from.Kind() != reflect.Float64 && from.Kind() != reflect.Float32) {
		return data, nil
	}
	f := reflect.ValueOf(data).Float()
	if f != math.Trunc(f) {
		return nil, fmt.Errorf("%v is not a whole number", data)
	}
	return data, nil
}

var (
	unknownKeysRe = regexp.MustCompile(`^'([^']*)' has invalid keys: (.*)$`)
	typeRe        = regexp.MustCompile(`^'([^']*)' (.*)$`)
)

// decodeError turns mapstructure's multi-line report into one line naming
// the key and, for an unknown key, the keys allowed there.
func decodeError(err error) error {
	var msgs []string
	for line := range strings.SplitSeq(err.Error(), "\n") {
		line = strings.TrimSpace(strings.TrimPrefix(strings.TrimSpace(line), "* "))
		if line == "" || strings.HasPrefix(line, "decoding failed") {
			continue
		}
		if m := unknownKeysRe.FindStringSubmatch(line); m != nil {
			where := m[1]
			loc := "at the top level"
			if where != "" {
				loc = "in " + where
			}
			msgs = append(msgs, fmt.Sprintf("unknown key %s %s (allowed: %s)", m[2], loc, strings.Join(allowedKeys(where), ", ")))
			continue
		}
		if m := typeRe.FindStringSubmatch(line); m != nil {
			msgs = append(msgs, fmt.Sprintf("%s: %s", m[1], m[2]))
			continue
		}
		msgs = append(msgs, line)
	}
	if len(msgs) == 0 {
		return fmt.Errorf("plan file: %s", oneLine(err.Error()))
	}
	slices.Sort(msgs)
	return fmt.Errorf("plan file: %s", strings.Join(msgs, "; "))
}

// allowedKeys lists the keys of the struct at path ("vpc.existingSubnets[0]").
func allowedKeys(path string) []string {
	t := reflect.TypeFor[File]()
	for seg := range strings.SplitSeq(path, ".") {
		if seg == "" {
			continue
		}
		name, _, _ := strings.Cut(seg, "[")
		found := false
		for i := range t.NumField() {
			if strings.EqualFold(t.Field(i).Tag.Get("mapstructure"), name) {
				t = t.Field(i).Type
				for t.Kind() == reflect.Slice || t.Kind() == reflect.Pointer {
					t = t.Elem()
				}
				found = true
				break
			}
		}
		if !found || t.Kind() != reflect.Struct {
			return nil
		}
	}
	var keys []string
	for i := range t.NumField() {
		if key := t.Field(i).Tag.Get("mapstructure"); key != "-" {
			keys = append(keys, key)
		}
	}
	return keys
}

func oneLine(s string) string {
	return strings.Join(strings.Fields(s), " ")
}
