package plan

import (
	"fmt"
	"net/netip"
	"slices"
	"strings"

	"github.com/eksnet/eksnet/internal/cni"
	"github.com/eksnet/eksnet/internal/subnet"
)

// SubnetsFromDescribe reads the JSON of `aws ec2 describe-subnets --output
// json` (subnet.ParseDescribeSubnets) and returns the IPv4 subnets of the VPC
// vpcID, or of the one VPC the file holds when vpcID is empty, with that
// VPC's ID (SubnetsOfVPC).
func SubnetsFromDescribe(data []byte, vpcID string) ([]ExistingSubnet, string, error) {
	all, err := subnet.ParseDescribeSubnets(data)
	if err != nil {
		return nil, "", fmt.Errorf("subnets file: %w", err)
	}
	return SubnetsOfVPC(all, vpcID, "subnets file")
}

// SubnetsOfVPC returns the described subnets of the VPC vpcID, or of the one
// VPC among them when vpcID is empty, as the plan's existing subnets, with
// that VPC's ID. source says where they came from ("subnets file", "EC2"),
// in errors and in each subnet's Origin.
func SubnetsOfVPC(all []subnet.Existing, vpcID, source string) ([]ExistingSubnet, string, error) {
	var vpcs []string
	for _, s := range all {
		if !slices.Contains(vpcs, s.VPCID) {
			vpcs = append(vpcs, s.VPCID)
		}
	}
	slices.Sort(vpcs)
	if vpcID == "" {
		if len(vpcs) > 1 {
			return nil, "", fmt.Errorf("%s: it holds the subnets of %d VPCs (%s): set vpc.id in the plan to choose one", source, len(vpcs), strings.Join(vpcs, ", "))
		}
		if len(vpcs) == 1 {
			vpcID = vpcs[0]
		}
	}
	var out []ExistingSubnet
	for _, s := range all {
		if s.VPCID != vpcID {
			continue
		}
		e := ExistingSubnet{
			CIDR: s.CIDR.String(), AZ: s.AZ, ID: s.ID,
			Origin: fmt.Sprintf("%s: %s", source, s.ID),
		}
		if s.IPv6CIDR.IsValid() {
			e.IPv6CIDR = s.IPv6CIDR.String()
		}
		e.DiscoveryTagged = s.DiscoveryTagged
		out = append(out, e)
	}
	if len(out) == 0 && len(all) > 0 {
		return nil, "", fmt.Errorf("%s: no subnet of %s in it (it has %s)", source, vpcID, strings.Join(vpcs, ", "))
	}
	return out, vpcID, nil
}

// MergeExisting adds subnets read from describe-subnets to the plan's
// existing subnets; from names their source in errors ("the subnets file",
// "EC2"). A subnet the
// plan lists already (same CIDR) keeps the plan's role and takes the
// described ID and AZ where the plan has none.
func MergeExisting(f *File, subnets []ExistingSubnet, vpcID, from string) error {
	if f.VPC.ID == "" {
		f.VPC.ID = vpcID
	}
	byCIDR := make(map[string]int, len(f.VPC.ExistingSubnets)) // one lookup a subnet: tens of thousands merge at once
	for i, e := range f.VPC.ExistingSubnets {
		if _, dup := byCIDR[strings.TrimSpace(e.CIDR)]; !dup {
			byCIDR[strings.TrimSpace(e.CIDR)] = i
		}
	}
	for _, s := range subnets {
		i, ok := byCIDR[s.CIDR]
		if !ok {
			byCIDR[s.CIDR] = len(f.VPC.ExistingSubnets)
			f.VPC.ExistingSubnets = append(f.VPC.ExistingSubnets, s)
			continue
		}
		e := &f.VPC.ExistingSubnets[i]
		if e.ID != "" && e.ID != s.ID {
			return fmt.Errorf("vpc.existingSubnets[%d]: %s has ID %s in the plan but %s in %s", i, e.CIDR, e.ID, s.ID, from)
		}
		if e.AZ != "" && e.AZ != s.AZ {
			return fmt.Errorf("vpc.existingSubnets[%d]: %s is in %s in the plan but in %s in %s", i, e.CIDR, e.AZ, s.AZ, from)
		}
		if e.IPv6CIDR != "" && s.IPv6CIDR != "" && e.IPv6CIDR != s.IPv6CIDR {
			return fmt.Errorf("vpc.existingSubnets[%d]: %s has IPv6 block %s in the plan but %s in %s", i, e.CIDR, e.IPv6CIDR, s.IPv6CIDR, from)
		}
		e.ID, e.AZ, e.DiscoveryTagged = s.ID, s.AZ, s.DiscoveryTagged
		if s.IPv6CIDR != "" {
			e.IPv6CIDR = s.IPv6CIDR
		}
	}
	return nil
}

// MergeVPCIPv6 records the IPv6 block EC2 says the VPC has, for an IPv6
// plan to place its /64s in (validateIPv6 checks it against vpc.ipv6CIDR).
func MergeVPCIPv6(f *File, cidr string, amazonProvided bool) {
	if cidr != "" {
		f.VPC.LiveIPv6 = &LiveIPv6Block{CIDR: cidr, AmazonProvided: amazonProvided}
	}
}

// MergeVPCBlocks takes the VPC's IPv4 blocks as EC2 reports them associated
// (the primary first): a plan without vpc.cidrs gets them all; a plan with
// them must start with the same primary block (the association rules are
// keyed on it; docs/vpc-rules.md) and gets those it lacks appended, so that the
// VPC's subnets lie inside its blocks. Blocks the plan adds beyond EC2's stay.
func MergeVPCBlocks(f *File, blocks []string) error {
	if len(blocks) == 0 {
		return nil
	}
	if len(f.VPC.CIDRs) == 0 {
		f.VPC.CIDRs = slices.Clone(blocks)
		return nil
	}
	same := func(a, b string) bool {
		pa, errA := netip.ParsePrefix(strings.TrimSpace(a))
		pb, errB := netip.ParsePrefix(strings.TrimSpace(b))
		if errA != nil || errB != nil {
			return strings.TrimSpace(a) == strings.TrimSpace(b)
		}
		return pa.Masked() == pb.Masked()
	}
	if first := f.VPC.CIDRs[0]; !same(first, blocks[0]) {
		if _, err := netip.ParsePrefix(strings.TrimSpace(first)); err != nil {
			return nil // Validate names the bad CIDR
		}
		return fmt.Errorf("vpc.cidrs[0]: %s is not the primary block of %s, which EC2 says is %s: list the primary block first, or leave vpc.cidrs out to take EC2's", strings.TrimSpace(first), f.VPC.ID, blocks[0])
	}
	for _, b := range blocks[1:] {
		if !slices.ContainsFunc(f.VPC.CIDRs, func(c string) bool { return same(c, b) }) {
			f.VPC.CIDRs = append(f.VPC.CIDRs, b)
		}
	}
	return nil
}

// ApplyDaemonSet replaces the plan's CNI settings with those the DaemonSet
// runs; the pod blocks, security groups and (without an image tag) the
// version stay as the plan gives them.
func ApplyDaemonSet(f *File, cfg cni.Config, hasVersion bool) {
	if !hasVersion {
		cfg.Version = f.CNI.Version
	}
	f.CNI.Config = cfg
}
