package plan

import (
	"errors"
	"fmt"
	"net/netip"
	"regexp"
	"slices"
	"strings"
	"sync"

	"github.com/eksnet/eksnet/internal/capacity"
	"github.com/eksnet/eksnet/internal/cni"
	"github.com/eksnet/eksnet/internal/subnet"
	"github.com/eksnet/eksnet/internal/vpc"
)

// Spec is a defaulted, validated plan with its values parsed.
type Spec struct {
	File File // as defaulted

	Blocks       []netip.Prefix // the VPC's CIDR blocks, the primary first
	PodBlocks    []netip.Prefix // blocks for pod subnets with custom networking (empty: the VPC's blocks)
	NewBlocks    []netip.Prefix // PodBlocks not yet associated with the VPC
	Existing     []Existing
	ServiceCIDR  netip.Prefix
	ServiceGiven bool          // false: EKS's default, chosen to miss the VPC
	HeadroomPct  int           // 20 for "20%"
	Growth       subnet.Growth // per month; zero without growth
	CNI          cni.Config    // the plan's CNI settings, validated
	IPv6         *IPv6Spec     // an IPv6 cluster's IPv6 layout; nil for IPv4
	Warnings     []string
}

// IPv6Spec is the IPv6 side of an IPv6 cluster's VPC.
type IPv6Spec struct {
	// Block is the VPC's IPv6 block; invalid when Amazon provides it and it
	// is not known yet (subnets are then placed by index in it).
	Block          netip.Prefix
	Bits           int  // its prefix length: 56 for Amazon's
	AmazonProvided bool // Amazon's /56, not a block from IPAM or BYOIP
}

// Existing is a parsed existing subnet.
type Existing struct {
	Prefix          netip.Prefix
	AZ              string
	ID              string
	Role            Role
	IPv6            netip.Prefix // its IPv6 block; invalid without one
	DiscoveryTagged bool
}

var (
	azNameRe = sync.OnceValue(func() *regexp.Regexp { return regexp.MustCompile(`^[a-z]{2}(-[a-z]+)+-[0-9]+[a-z]$`) })
	azIDRe   = sync.OnceValue(func() *regexp.Regexp { return regexp.MustCompile(`^[a-z]+[0-9]+-az[0-9]+$`) })
	nameRe   = sync.OnceValue(func() *regexp.Regexp { return regexp.MustCompile(`^[A-Za-z0-9]([A-Za-z0-9._-]*[A-Za-z0-9])?$`) })
	sgRe     = sync.OnceValue(func() *regexp.Regexp { return regexp.MustCompile(`^sg-[0-9a-f]{8,17}$`) })
	subnetRe = sync.OnceValue(func() *regexp.Regexp { return regexp.MustCompile(`^subnet-[0-9a-f]{8,17}$`) })
	vpcIDRe  = sync.OnceValue(func() *regexp.Regexp { return regexp.MustCompile(`^vpc-([0-9a-f]{8}|[0-9a-f]{17})$`) })
)

// ParseCIDR parses an IPv4 CIDR given in field with subnet.ParseCIDR, which
// refuses one with host bits set: 10.0.0.18/18 may be a typo for
// 10.0.0.0/18 or for another block, and docs/vpc-rules.md says to ask, never to
// guess. The error names the field and shows the canonical form.
func ParseCIDR(field, s string) (netip.Prefix, error) {
	p, err := subnet.ParseCIDR(s)
	if err != nil {
		return netip.Prefix{}, fmt.Errorf("%s: %w", field, err)
	}
	if !p.Addr().Is4() {
		return netip.Prefix{}, fmt.Errorf("%s: %s is not IPv4: eksnet plans IPv4 subnets", field, s)
	}
	return p, nil
}

// Validate checks a defaulted plan file against the VPC and EKS rules of
// docs/vpc-rules.md and returns it parsed. The first problem found is the error,
// one line naming the field, the value and what is allowed.
func Validate(f File) (*Spec, error) {
	s := &Spec{File: f}
	steps := []func(*Spec) error{
		validateHeader, validateRegionAndAZs, validateVPC, validateExisting, validateCNI,
		validateIPv6, validateSecondary, validateNodeGroups, validateSizes, validateServiceCIDR,
	}
	for _, step := range steps {
		if err := step(s); err != nil {
			return nil, err
		}
	}
	return s, nil
}

func validateHeader(s *Spec) error {
	f := s.File
	if f.APIVersion != "" && f.APIVersion != APIVersion {
		return fmt.Errorf("apiVersion: %q is not supported: want %s (or leave it out)", f.APIVersion, APIVersion)
	}
	if f.Kind != "" && f.Kind != Kind {
		return fmt.Errorf("kind: %q is not supported: want %s (or leave it out)", f.Kind, Kind)
	}
	return nil
}

func validateRegionAndAZs(s *Spec) error {
	f := s.File
	if f.Region != "" && !vpc.IsRegionName(f.Region) {
		return fmt.Errorf("region: %q is not an AWS region name such as us-west-2", f.Region)
	}
	for i, az := range f.AZs {
		field := fmt.Sprintf("azs[%d]", i)
		switch {
		case azIDRe().MatchString(az):
		case azNameRe().MatchString(az):
			if f.Region != "" && !strings.HasPrefix(az, f.Region) || f.Region != "" && len(az) != len(f.Region)+1 {
				return fmt.Errorf("%s: %s is not an availability zone of region %s", field, az, f.Region)
			}
		default:
			return fmt.Errorf("%s: %q is not an availability zone name (us-west-2a) or ID (usw2-az1)", field, az)
		}
	}
	if err := vpc.CheckAZs(f.AZs); err != nil {
		return fmt.Errorf("azs: %w", err)
	}
	return nil
}

// CheckVPCID checks vpc.id's form: vpc- and 8 or 17 hexadecimal digits.
func CheckVPCID(id string) error {
	if !vpcIDRe().MatchString(id) {
		return fmt.Errorf("vpc.id: %q is not a VPC ID such as vpc-0123456789abcdef0", id)
	}
	return nil
}

func validateVPC(s *Spec) error {
	v := s.File.VPC
	if v.ID != "" {
		if err := CheckVPCID(v.ID); err != nil {
			return err
		}
	}
	if len(v.CIDRs) == 0 {
		return errors.New("vpc.cidrs: no CIDR block given: list the VPC's IPv4 blocks, the primary first (cidrs: [10.0.0.0/16])")
	}
	var named []vpc.Named
	for i, c := range v.CIDRs {
		field := fmt.Sprintf("vpc.cidrs[%d]", i)
		p, err := ParseCIDR(field, c)
		if err != nil {
			return err
		}
		if err := vpc.CheckBlockSize(p); err != nil {
			return fmt.Errorf("%s: %w", field, err)
		}
		if err := vpc.CheckPrimary(p); err != nil {
			return fmt.Errorf("%s: %w", field, err)
		}
		s.Blocks = append(s.Blocks, p)
		named = append(named, vpc.Named{Name: field + " " + p.String(), Prefix: p})
	}
	if a, b, ok := vpc.FirstOverlap(named); ok {
		return fmt.Errorf("%s overlaps %s: a VPC's blocks never overlap", b.Name, a.Name)
	}
	for i, p := range s.Blocks {
		field := fmt.Sprintf("vpc.cidrs[%d]", i)
		if i > 0 { // in the order the blocks were associated
			if err := vpc.CheckAssociation(s.Blocks[:i], p); err != nil {
				return fmt.Errorf("%s: %w", field, err)
			}
		}
		if w, ok := vpc.CheckDockerRange(p); ok {
			s.Warnings = append(s.Warnings, field+": "+w)
		}
	}
	if v.CIDRBlockQuota < 1 || v.CIDRBlockQuota > vpc.MaxBlockQuota {
		return fmt.Errorf("vpc.cidrBlockQuota: %d is not a possible quota: it is 1 to %d (default %d)", v.CIDRBlockQuota, vpc.MaxBlockQuota, vpc.DefaultBlockQuota)
	}
	if v.SubnetQuota < 1 {
		return fmt.Errorf("vpc.subnetQuota: %d is not a possible quota: it is at least 1 (default %d)", v.SubnetQuota, vpc.DefaultSubnetQuota)
	}
	return nil
}

// validateExisting parses the existing subnets; whether they lie inside the
// VPC is checked once the pod blocks are known (validateSecondary).
func validateExisting(s *Spec) error {
	adopted := map[string]string{}
	var named []vpc.Named
	for i, e := range s.File.VPC.ExistingSubnets {
		field := fmt.Sprintf("vpc.existingSubnets[%d]", i)
		if e.Origin != "" {
			field = e.Origin
		}
		p, err := ParseCIDR(field+".cidr", e.CIDR)
		if err != nil {
			return err
		}
		if err := vpc.CheckSubnetSize(p); err != nil {
			return fmt.Errorf("%s.cidr: %w", field, err)
		}
		if e.ID != "" && !subnetRe().MatchString(e.ID) {
			return fmt.Errorf("%s.id: %q is not a subnet ID such as subnet-0123456789abcdef0", field, e.ID)
		}
		if e.Role != "" {
			if !slices.Contains(Roles, e.Role) {
				return fmt.Errorf("%s.role: %q is not a role: want node, pod, cluster or public (or none: the subnet is only avoided)", field, e.Role)
			}
			if !slices.Contains(s.File.AZs, e.AZ) {
				return fmt.Errorf("%s: a subnet with role %s must be in one of the plan's azs (%s), not %q", field, e.Role, strings.Join(s.File.AZs, ", "), e.AZ)
			}
			key := e.AZ + "/" + string(e.Role)
			if other, dup := adopted[key]; dup {
				return fmt.Errorf("%s: %s already has the %s role in %s: one subnet per role and AZ", field, other, e.Role, e.AZ)
			}
			adopted[key] = field
		}
		s.Existing = append(s.Existing, Existing{Prefix: p, AZ: e.AZ, ID: e.ID, Role: e.Role, DiscoveryTagged: e.DiscoveryTagged})
		named = append(named, vpc.Named{Name: field + " " + p.String(), Prefix: p})
	}
	if a, b, ok := vpc.FirstOverlap(named); ok {
		return fmt.Errorf("%s overlaps %s: subnets in a VPC never overlap", b.Name, a.Name)
	}
	return nil
}

func validateCNI(s *Spec) error {
	c := s.File.CNI
	for i, sg := range c.SecurityGroups {
		if !sgRe().MatchString(sg) {
			return fmt.Errorf("cni.securityGroups[%d]: %q is not a security group ID such as sg-0123456789abcdef0", i, sg)
		}
	}
	if len(c.SecurityGroups) > 5 {
		return fmt.Errorf("cni.securityGroups: %d given: an ENIConfig takes at most 5", len(c.SecurityGroups))
	}
	if err := c.Config.Validate(); err != nil {
		return fmt.Errorf("cni: %w", err)
	}
	s.CNI = c.Config
	return nil
}

// validateSecondary resolves the pod blocks ("auto": the first free /16 of
// 100.64.0.0/10) and checks them: size, the association table against the
// primary block, overlaps, the CIDR block quota; then that every existing
// subnet lies inside a block.
func validateSecondary(s *Spec) error {
	c := s.File.CNI
	if c.SecondaryCIDR != "" && len(c.SecondaryCIDRs) > 0 {
		return errors.New("cni: secondaryCIDR and secondaryCIDRs are both set: give one block as secondaryCIDR or several as secondaryCIDRs")
	}
	given, field := c.SecondaryCIDRs, "cni.secondaryCIDRs"
	if c.SecondaryCIDR != "" {
		given, field = []string{c.SecondaryCIDR}, "cni.secondaryCIDR"
	}
	if len(given) > 0 && !c.CustomNetworking {
		// Without custom networking, pod subnets in a secondary block are
		// found by subnet discovery, through their kubernetes.io/role/cni tag.
		if !c.DiscoversSubnets() || c.IsIPv6() || c.IsWindows() {
			return fmt.Errorf("%s: a secondary block holds pod subnets, which needs customNetworking: true, or subnetDiscovery: true on VPC CNI %s or later (this plan: %s)",
				field, cni.SubnetDiscoverySince, discoveryState(c.Config))
		}
		s.CNI.DiscoveredSubnets = true
	}
	if s.CNI.DiscoveredSubnets && !s.CNI.PodsInDiscoveredSubnets() && !c.CustomNetworking {
		return fmt.Errorf("cni.discoveredSubnets: subnet discovery needs subnetDiscovery: true on VPC CNI %s or later (this plan: %s)", cni.SubnetDiscoverySince, discoveryState(c.Config))
	}
	named := make([]vpc.Named, 0, len(s.Blocks)+len(given))
	for i, b := range s.Blocks {
		named = append(named, vpc.Named{Name: fmt.Sprintf("vpc.cidrs[%d] %s", i, b), Prefix: b})
	}
	for i, g := range given {
		f := field
		if len(c.SecondaryCIDRs) > 0 {
			f = fmt.Sprintf("%s[%d]", field, i)
		}
		if isAuto(g) {
			taken := make([]netip.Prefix, 0, len(named))
			for _, n := range named {
				taken = append(taken, n.Prefix)
			}
			space, err := vpc.NewSpace([]netip.Prefix{vpc.CGNAT}, taken)
			if err != nil {
				return err
			}
			p, ok := space.AllocateLowest(vpc.LargestBits)
			if !ok {
				return fmt.Errorf("%s: auto: no free /16 is left in 100.64.0.0/10 beside the VPC's blocks: give a block", f)
			}
			s.PodBlocks = append(s.PodBlocks, p)
			s.NewBlocks = append(s.NewBlocks, p)
			named = append(named, vpc.Named{Name: f + " " + p.String(), Prefix: p})
			continue
		}
		p, err := ParseCIDR(f, g)
		if err != nil {
			return err
		}
		if slices.Contains(s.Blocks, p) { // already associated: pods go there
			s.PodBlocks = append(s.PodBlocks, p)
			continue
		}
		if err := vpc.CheckBlockSize(p); err != nil {
			return fmt.Errorf("%s: %w", f, err)
		}
		if err := vpc.CheckPrimary(p); err != nil {
			return fmt.Errorf("%s: %w", f, err)
		}
		for _, n := range named {
			if n.Prefix.Overlaps(p) {
				return fmt.Errorf("%s %s overlaps %s: a secondary block must not overlap the VPC's blocks", f, p, n.Name)
			}
		}
		if err := vpc.CheckAssociation(s.AllBlocks(), p); err != nil {
			return fmt.Errorf("%s: %w", f, err)
		}
		if w, ok := vpc.CheckDockerRange(p); ok {
			s.Warnings = append(s.Warnings, f+": "+w)
		}
		s.PodBlocks = append(s.PodBlocks, p)
		s.NewBlocks = append(s.NewBlocks, p)
		named = append(named, vpc.Named{Name: f + " " + p.String(), Prefix: p})
	}
	if err := vpc.CheckBlockQuota(len(s.Blocks), len(s.NewBlocks), s.File.VPC.CIDRBlockQuota); err != nil {
		return fmt.Errorf("cni: %w: set vpc.cidrBlockQuota once it is raised", err)
	}
	all := s.AllBlocks()
	for i, e := range s.Existing {
		if !slices.ContainsFunc(all, func(b netip.Prefix) bool { return vpc.Within(e.Prefix, b) }) {
			field := fmt.Sprintf("vpc.existingSubnets[%d].cidr", i)
			if o := s.File.VPC.ExistingSubnets[i].Origin; o != "" {
				field = o
			}
			return fmt.Errorf("%s: %s lies outside the VPC's blocks (%s)", field, e.Prefix, joinPrefixes(all))
		}
		if e.Role == RolePod && !s.CNI.HasPodSubnet() {
			return fmt.Errorf("vpc.existingSubnets[%d].role: pod subnets exist only with custom networking (cni.customNetworking: true) or subnet discovery (a cni.secondaryCIDR, or cni.discoveredSubnets: true)", i)
		}
	}
	return nil
}

// discoveryState says why subnet discovery is off, for errors.
func discoveryState(c cni.Config) string {
	switch {
	case !c.SubnetDiscovery:
		return "subnetDiscovery: false"
	case !c.Version.AtLeast(cni.SubnetDiscoverySince):
		return "version " + c.Version.String()
	case c.IsIPv6():
		return "IPv6, whose nodes use the primary ENI alone"
	}
	return "Windows nodes"
}

// AllBlocks is the VPC's blocks and the new pod blocks.
func (s *Spec) AllBlocks() []netip.Prefix {
	return append(slices.Clone(s.Blocks), s.NewBlocks...)
}

func validateNodeGroups(s *Spec) error {
	f := s.File
	if len(f.NodeGroups) == 0 {
		return errors.New("nodeGroups: none given: list at least one with name, instanceTypes and nodes")
	}
	names := map[string]bool{}
	for i, g := range f.NodeGroups {
		field := fmt.Sprintf("nodeGroups[%d]", i)
		if nameRe().MatchString(g.Name) { // a name that is not one is quoted in its own error, never spliced in
			field = fmt.Sprintf("nodeGroups[%d] (%s)", i, g.Name)
		}
		switch {
		case !nameRe().MatchString(g.Name):
			return fmt.Errorf("%s.name: %q is not a name: letters, digits, '.', '_' and '-'", field, g.Name)
		case names[g.Name]:
			return fmt.Errorf("%s.name: %q is used twice", field, g.Name)
		case len(g.InstanceTypes) == 0:
			return fmt.Errorf("%s.instanceTypes: none given: name at least one, such as m5.large", field)
		case g.Nodes < 1:
			return fmt.Errorf("%s.nodes: %d: a node group has at least 1 node", field, g.Nodes)
		case g.Nodes > capacity.MaxNodes || g.FutureNodes > capacity.MaxNodes:
			return fmt.Errorf("%s: %d nodes: at most %d, far more than an EKS cluster holds", field, max(g.Nodes, g.FutureNodes), capacity.MaxNodes)
		case g.PodsPerNode > capacity.MaxMaxPods || g.SGPodsPerNode > capacity.MaxMaxPods:
			return fmt.Errorf("%s: %d pods per node: at most %d", field, max(g.PodsPerNode, g.SGPodsPerNode), capacity.MaxMaxPods)
		case g.FutureNodes < g.Nodes:
			return fmt.Errorf("%s.futureNodes: %d is fewer than nodes (%d): the future size is at least today's", field, g.FutureNodes, g.Nodes)
		case g.PodsPerNode < 0:
			return fmt.Errorf("%s.podsPerNode: %d is negative: leave it out for the high-water mark, max pods − 2", field, g.PodsPerNode)
		case g.SGPodsPerNode < 0:
			return fmt.Errorf("%s.sgPodsPerNode: %d is negative", field, g.SGPodsPerNode)
		case g.SGPodsPerNode > 0 && !f.CNI.SecurityGroupsForPods:
			return fmt.Errorf("%s.sgPodsPerNode: pods with their own security groups need cni.securityGroupsForPods: true", field)
		}
		names[g.Name] = true
		seen := map[string]bool{}
		for j, az := range g.AZs {
			if !slices.Contains(f.AZs, az) {
				return fmt.Errorf("%s.azs[%d]: %q is not one of the plan's azs (%s)", field, j, az, strings.Join(f.AZs, ", "))
			}
			if seen[az] {
				return fmt.Errorf("%s.azs[%d]: %s is listed twice", field, j, az)
			}
			seen[az] = true
		}
	}
	if *f.Surge < 0 {
		return fmt.Errorf("surge: %d is negative: it is the spare nodes per AZ during a rolling update, 0 or more", *f.Surge)
	}
	if err := capacity.CheckRange("surge", *f.Surge, 0, capacity.MaxNodes); err != nil {
		return err
	}
	if len(f.AZs) > capacity.MaxAZs {
		return fmt.Errorf("azs: %d given: at most %d", len(f.AZs), capacity.MaxAZs)
	}
	pct, err := subnet.ParseHeadroom(f.Headroom)
	if err != nil {
		return fmt.Errorf("headroom: %q: %w", f.Headroom, err)
	}
	s.HeadroomPct = pct
	if f.Growth != "" {
		g, err := subnet.ParseGrowth(f.Growth)
		if err != nil {
			return fmt.Errorf("growth: %w", err)
		}
		if !g.Monthly() {
			return fmt.Errorf("growth: %s is a one-off growth: a plan's growth is per month, such as 5%%/month (the future size is futureNodes)", g)
		}
		s.Growth = g
	}
	return nil
}

func validateSizes(s *Spec) error {
	if l := s.File.Layout; l != LayoutAligned && l != LayoutBestFit {
		return fmt.Errorf("layout: invalid %q: want %s or %s", l, LayoutAligned, LayoutBestFit)
	}
	sub := s.File.Subnets
	if p := *sub.Public; p != 0 && (p < vpc.LargestBits || p > vpc.SmallestBits) {
		return fmt.Errorf("subnets.public: /%d is not a subnet size: /%d to /%d, or 0 for no public subnets", p, vpc.LargestBits, vpc.SmallestBits)
	}
	if p := *sub.Cluster; p < vpc.LargestBits || p > vpc.SmallestBits {
		return fmt.Errorf("subnets.cluster: /%d is not a subnet size: /%d to /%d (a /28 is usual)", p, vpc.LargestBits, vpc.SmallestBits)
	}
	return nil
}

// validateIPv6 checks an IPv6 cluster's plan (docs/vpc-rules.md "IPv6"):
// the VPC's IPv6 block, the existing subnets' IPv6 blocks inside it, and
// nothing that only IPv4 pods have: no pod subnets, no service CIDR to
// choose.
func validateIPv6(s *Spec) error {
	f := s.File
	if !s.CNI.IsIPv6() {
		if f.VPC.IPv6CIDR != "" {
			return fmt.Errorf("vpc.ipv6CIDR: %q is for an IPv6 cluster (cni.ipFamily: ipv6); an IPv4 cluster's plan lays out IPv4 only", f.VPC.IPv6CIDR)
		}
		return nil
	}
	c := f.CNI
	switch {
	case c.SecondaryCIDR != "" || len(c.SecondaryCIDRs) > 0:
		return errors.New("cni.secondaryCIDR: an IPv6 cluster's pods take IPv6 addresses from the node subnets' /64s: no pod subnets, no secondary block (leave it out)")
	case c.DiscoveredSubnets:
		return errors.New("cni.discoveredSubnets: an IPv6 cluster's nodes use the primary ENI alone, so subnet discovery places no pod addresses (leave it out)")
	case f.ServiceCIDR != "":
		return fmt.Errorf("serviceCIDR: %q: an IPv6 cluster's service range is a unique local block EKS assigns itself, not one to choose (leave it out)", f.ServiceCIDR)
	}
	v6 := &IPv6Spec{Bits: vpc.AmazonIPv6Bits, AmazonProvided: true}
	given := strings.TrimSpace(f.VPC.IPv6CIDR)
	if given != "" && !strings.EqualFold(given, AmazonIPv6) {
		p, err := netip.ParsePrefix(given)
		if err != nil {
			return fmt.Errorf("vpc.ipv6CIDR: %q is not an IPv6 CIDR such as 2600:1f14:abc:de00::/56, nor %s (Amazon's /56)", given, AmazonIPv6)
		}
		if err := vpc.CheckIPv6Block(p); err != nil {
			return fmt.Errorf("vpc.ipv6CIDR: %w", err)
		}
		v6.Block, v6.Bits, v6.AmazonProvided = p, p.Bits(), false
	}
	if live := f.VPC.LiveIPv6; live != nil {
		p, err := netip.ParsePrefix(live.CIDR)
		if err != nil || vpc.CheckIPv6Block(p) != nil {
			return fmt.Errorf("EC2: the VPC's IPv6 block %q is not a VPC IPv6 block", live.CIDR)
		}
		switch {
		case v6.Block.IsValid() && v6.Block != p:
			return fmt.Errorf("vpc.ipv6CIDR: %s, but EC2 says %s has %s: give that block, or leave vpc.ipv6CIDR out", v6.Block, f.VPC.ID, p)
		case strings.EqualFold(given, AmazonIPv6) && !live.AmazonProvided:
			return fmt.Errorf("vpc.ipv6CIDR: amazon, but the IPv6 block %s of %s is not Amazon's: give it as vpc.ipv6CIDR", p, f.VPC.ID)
		}
		v6.Block, v6.Bits, v6.AmazonProvided = p, p.Bits(), live.AmazonProvided
	}
	var named []vpc.Named
	for i := range s.Existing {
		e := &s.Existing[i]
		given := s.File.VPC.ExistingSubnets[i]
		if given.IPv6CIDR == "" {
			continue
		}
		field := fmt.Sprintf("vpc.existingSubnets[%d].ipv6CIDR", i)
		if given.Origin != "" {
			field = given.Origin + " ipv6CIDR"
		}
		p, err := netip.ParsePrefix(strings.TrimSpace(given.IPv6CIDR))
		if err != nil || !p.Addr().Is6() || p.Addr().Is4In6() {
			return fmt.Errorf("%s: %q is not an IPv6 CIDR such as 2600:1f14:abc:de00::/64", field, given.IPv6CIDR)
		}
		if p != p.Masked() {
			return fmt.Errorf("%s: %s has host bits set: the subnet would be %s", field, p, p.Masked())
		}
		if !v6.Block.IsValid() { // Amazon's /56, known from the subnets already in it
			v6.Block = netip.PrefixFrom(p.Addr(), vpc.AmazonIPv6Bits).Masked()
		}
		if _, _, ok := vpc.IPv6SubnetIndexes(v6.Block, p); !ok {
			return fmt.Errorf("%s: %s lies outside the VPC's IPv6 block %s", field, p, v6.Block)
		}
		e.IPv6 = p
		named = append(named, vpc.Named{Name: field + " " + p.String(), Prefix: p})
	}
	if a, b, ok := vpc.FirstOverlap(named); ok {
		return fmt.Errorf("%s overlaps %s: subnets in a VPC never overlap", b.Name, a.Name)
	}
	s.IPv6 = v6
	return nil
}

func validateServiceCIDR(s *Spec) error {
	if s.IPv6 != nil {
		return nil // EKS assigns an IPv6 cluster's service range (validateIPv6)
	}
	all := s.AllBlocks()
	if s.File.ServiceCIDR == "" {
		svc, ok := vpc.DefaultServiceCIDR(all)
		if !ok {
			return errors.New("serviceCIDR: both of EKS's default service ranges (10.100.0.0/16, 172.20.0.0/16) overlap the VPC: give a serviceCIDR")
		}
		s.ServiceCIDR = svc
		return nil
	}
	p, err := ParseCIDR("serviceCIDR", s.File.ServiceCIDR)
	if err != nil {
		return err
	}
	if err := vpc.CheckServiceCIDR(p, all); err != nil {
		return fmt.Errorf("serviceCIDR: %w", err)
	}
	s.ServiceCIDR, s.ServiceGiven = p, true
	return nil
}

func joinPrefixes(ps []netip.Prefix) string { return strings.Join(prefixStrings(ps), ", ") }
