package cni

import (
	"fmt"
	"strconv"
	"strings"
)

// Version is a VPC CNI release such as 1.19.0. Build suffixes (-eksbuild.1)
// are accepted and ignored: they do not change the CNI's behaviour.
type Version struct {
	Major, Minor, Patch int
}

// LatestVersion is the newest VPC CNI release whose behaviour eksnet
// encodes (docs/max-pods.md, docs/node-addresses.md: amazon-vpc-cni-k8s v1.23.1).
var LatestVersion = Version{1, 23, 1}

// Release gates read from the CNI's changelog (docs/max-pods.md).
var (
	PrefixDelegationSince = Version{1, 9, 0}  // first release with ENABLE_PREFIX_DELEGATION
	IPv6Since             = Version{1, 10, 1} // first release with ENABLE_IPv6
	SubnetDiscoverySince  = Version{1, 18, 0} // first release with ENABLE_SUBNET_DISCOVERY (on by default)
)

// ParseVersion parses MAJOR.MINOR[.PATCH], with an optional leading "v" and an
// optional "-suffix", as the CNI's image tags and EKS add-on versions are written.
func ParseVersion(s string) (Version, error) {
	bad := func() (Version, error) {
		return Version{}, fmt.Errorf("invalid VPC CNI version %q: want MAJOR.MINOR.PATCH such as 1.19.0 or v1.19.0-eksbuild.1", s)
	}
	core := strings.TrimPrefix(strings.TrimSpace(s), "v")
	if i := strings.IndexAny(core, "-+"); i >= 0 {
		if i == len(core)-1 {
			return bad()
		}
		core = core[:i]
	}
	parts := strings.Split(core, ".")
	if len(parts) < 2 || len(parts) > 3 {
		return bad()
	}
	var nums [3]int
	for i, part := range parts {
		// Digits only: strconv.Atoi would accept "+1" and "-0".
		if part == "" || len(part) > 6 || strings.Trim(part, "0123456789") != "" {
			return bad()
		}
		n, err := strconv.Atoi(part)
		if err != nil {
			return bad()
		}
		nums[i] = n
	}
	return Version{nums[0], nums[1], nums[2]}, nil
}

// Compare returns -1, 0 or +1 as v is older than, equal to or newer than w.
func (v Version) Compare(w Version) int {
	for _, d := range [3]int{v.Major - w.Major, v.Minor - w.Minor, v.Patch - w.Patch} {
		if d < 0 {
			return -1
		}
		if d > 0 {
			return 1
		}
	}
	return 0
}

// AtLeast reports whether v is w or newer.
func (v Version) AtLeast(w Version) bool { return v.Compare(w) >= 0 }

func (v Version) String() string { return fmt.Sprintf("%d.%d.%d", v.Major, v.Minor, v.Patch) }

// MarshalText writes the version as 1.2.3 in JSON and YAML.
func (v Version) MarshalText() ([]byte, error) { return []byte(v.String()), nil }

// UnmarshalText reads a version in a plan or config file (ParseVersion).
func (v *Version) UnmarshalText(b []byte) error {
	parsed, err := ParseVersion(string(b))
	if err != nil {
		return err
	}
	*v = parsed
	return nil
}
