package ec2limits

import (
	"context"
	"fmt"
	"slices"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/ec2"
	ec2types "github.com/aws/aws-sdk-go-v2/service/ec2/types"

	"github.com/eksnet/eksnet/internal/subnet"
)

// MaxSubnetsPerCall is the most subnets DescribeSubnets returns on one page.
const MaxSubnetsPerCall = 1000

// VPC is what EC2 says of a VPC: its IPv4 blocks, its IPv6 block and its
// subnets.
type VPC struct {
	ID      string
	CIDRs   []string          // the blocks associated with it, the primary first
	Subnets []subnet.Existing // its IPv4 subnets, as ParseDescribeSubnets reads them from a file
	// IPv6CIDR is its associated IPv6 block ("" without one);
	// IPv6AmazonProvided says it is the /56 Amazon provides (pool "Amazon").
	IPv6CIDR           string
	IPv6AmazonProvided bool
}

// DescribeVPC reads the VPC vpcID: its blocks (DescribeVpcs, which also
// tells an unknown VPC, since a filter on one matches nothing) and its
// subnets (DescribeSubnets). A VPC without subnets has none, not an error.
func DescribeVPC(ctx context.Context, api API, vpcID string) (VPC, error) {
	v, err := describeVPC(ctx, api, vpcID)
	if err != nil {
		return VPC{}, err
	}
	cidrs := ipv4Blocks(v)
	records, err := DescribeSubnets(ctx, api, vpcID)
	if err != nil {
		return VPC{}, err
	}
	subnets, err := ToExisting(records)
	if err != nil {
		return VPC{}, err
	}
	out := VPC{ID: vpcID, CIDRs: cidrs, Subnets: subnets}
	for _, a := range v.Ipv6CidrBlockAssociationSet {
		if a.Ipv6CidrBlockState != nil && a.Ipv6CidrBlockState.State == ec2types.VpcCidrBlockStateCodeAssociated && aws.ToString(a.Ipv6CidrBlock) != "" {
			out.IPv6CIDR, out.IPv6AmazonProvided = aws.ToString(a.Ipv6CidrBlock), aws.ToString(a.Ipv6Pool) == "Amazon"
			break
		}
	}
	return out, nil
}

// VPCBlocks returns the IPv4 blocks associated with the VPC vpcID, the
// primary first, then the others in EC2's order (DescribeVpcs). An unknown
// VPC fails with a *VPCNotFoundError.
func VPCBlocks(ctx context.Context, api API, vpcID string) ([]string, error) {
	v, err := describeVPC(ctx, api, vpcID)
	if err != nil {
		return nil, err
	}
	return ipv4Blocks(v), nil
}

// describeVPC is the VPC vpcID as DescribeVpcs answers it.
func describeVPC(ctx context.Context, api API, vpcID string) (ec2types.Vpc, error) {
	out, err := api.DescribeVpcs(ctx, &ec2.DescribeVpcsInput{VpcIds: []string{vpcID}})
	if err != nil {
		return ec2types.Vpc{}, explain(ctx, "DescribeVpcs", err)
	}
	i := slices.IndexFunc(out.Vpcs, func(v ec2types.Vpc) bool { return aws.ToString(v.VpcId) == vpcID })
	if i < 0 {
		// EC2 answers an unknown VPC ID with InvalidVpcID.NotFound, never
		// with an empty list: this endpoint is not behaving as EC2 does.
		return ec2types.Vpc{}, fmt.Errorf("DescribeVpcs: the answer names no VPC %s and no error, which EC2 never sends: check --endpoint-url, and any proxy in the way", vpcID)
	}
	return out.Vpcs[i], nil
}

// ipv4Blocks are v's associated IPv4 blocks, the primary first.
func ipv4Blocks(v ec2types.Vpc) []string {
	var cidrs []string
	if primary := aws.ToString(v.CidrBlock); primary != "" {
		cidrs = append(cidrs, primary)
	}
	for _, a := range v.CidrBlockAssociationSet {
		c := aws.ToString(a.CidrBlock)
		if c == "" || a.CidrBlockState == nil || a.CidrBlockState.State != ec2types.VpcCidrBlockStateCodeAssociated || slices.Contains(cidrs, c) {
			continue
		}
		cidrs = append(cidrs, c)
	}
	return cidrs
}

// DescribeSubnets returns every subnet of the VPC vpcID: DescribeSubnets
// with the vpc-id filter, MaxSubnetsPerCall a page, through the SDK's
// paginator.
func DescribeSubnets(ctx context.Context, api API, vpcID string) ([]ec2types.Subnet, error) {
	pages := ec2.NewDescribeSubnetsPaginator(api, &ec2.DescribeSubnetsInput{
		Filters:    []ec2types.Filter{{Name: aws.String("vpc-id"), Values: []string{vpcID}}},
		MaxResults: aws.Int32(MaxSubnetsPerCall),
	})
	return allPages(ctx, "DescribeSubnets", pages, func(page *ec2.DescribeSubnetsOutput) ([]ec2types.Subnet, *string) {
		return page.Subnets, page.NextToken
	}, nil)
}

// ToExisting maps DescribeSubnets records to the subnets the planner
// takes, with the same checks and results as subnet.ParseDescribeSubnets
// gives for the AWS CLI's JSON of the same records (subnet.FromDescribed).
func ToExisting(records []ec2types.Subnet) ([]subnet.Existing, error) {
	described := make([]subnet.Described, len(records))
	for i, r := range records {
		d := subnet.Described{
			SubnetID:           aws.ToString(r.SubnetId),
			VpcID:              aws.ToString(r.VpcId),
			AvailabilityZone:   aws.ToString(r.AvailabilityZone),
			AvailabilityZoneID: aws.ToString(r.AvailabilityZoneId),
			CidrBlock:          aws.ToString(r.CidrBlock),
			IPv6Native:         aws.ToBool(r.Ipv6Native),
		}
		for _, b := range r.Ipv6CidrBlockAssociationSet {
			block := subnet.DescribedIPv6Block{CIDR: aws.ToString(b.Ipv6CidrBlock)}
			if b.Ipv6CidrBlockState != nil {
				block.State.State = string(b.Ipv6CidrBlockState.State)
			}
			d.IPv6Blocks = append(d.IPv6Blocks, block)
		}
		for _, t := range r.Tags {
			d.Tags = append(d.Tags, subnet.Tag{Key: aws.ToString(t.Key), Value: aws.ToString(t.Value)})
		}
		if r.AvailableIpAddressCount != nil {
			n := int(*r.AvailableIpAddressCount)
			d.AvailableIPAddressCount = &n
		}
		described[i] = d
	}
	return subnet.FromDescribed("EC2 DescribeSubnets", described)
}

// MaxENIsPerCall is the most interfaces DescribeNetworkInterfaces returns
// on one page.
const MaxENIsPerCall = 1000

// DescribeNetworkInterfaces returns the network interfaces matching one
// filter (vpc-id, or attachment.instance-id), MaxENIsPerCall a page,
// through the SDK's paginator, as the audit reads them.
func DescribeNetworkInterfaces(ctx context.Context, api API, filter string, values ...string) ([]subnet.ENI, []string, error) {
	pages := ec2.NewDescribeNetworkInterfacesPaginator(api, &ec2.DescribeNetworkInterfacesInput{
		Filters:    []ec2types.Filter{{Name: aws.String(filter), Values: values}},
		MaxResults: aws.Int32(MaxENIsPerCall),
	})
	records, err := allPages(ctx, "DescribeNetworkInterfaces", pages, func(page *ec2.DescribeNetworkInterfacesOutput) ([]ec2types.NetworkInterface, *string) {
		return page.NetworkInterfaces, page.NextToken
	}, nil)
	if err != nil {
		return nil, nil, err
	}
	described := make([]subnet.DescribedENI, len(records))
	var vpcs []string
	for i, r := range records {
		d := subnet.DescribedENI{NetworkInterfaceID: aws.ToString(r.NetworkInterfaceId), SubnetID: aws.ToString(r.SubnetId), VpcID: aws.ToString(r.VpcId)}
		if a := r.Attachment; a != nil && aws.ToString(a.InstanceId) != "" {
			d.Attachment = &subnet.DescribedAttachment{InstanceID: aws.ToString(a.InstanceId), DeviceIndex: int(aws.ToInt32(a.DeviceIndex))}
		}
		for _, p := range r.PrivateIpAddresses {
			d.PrivateIPAddresses = append(d.PrivateIPAddresses, subnet.DescribedAddress{PrivateIPAddress: aws.ToString(p.PrivateIpAddress), Primary: aws.ToBool(p.Primary)})
		}
		for _, p := range r.Ipv4Prefixes {
			d.IPv4Prefixes = append(d.IPv4Prefixes, subnet.DescribedPrefix{IPv4Prefix: aws.ToString(p.Ipv4Prefix)})
		}
		described[i] = d
		if !slices.Contains(vpcs, d.VpcID) && d.VpcID != "" {
			vpcs = append(vpcs, d.VpcID)
		}
	}
	enis, err := subnet.FromDescribedENIs("EC2 DescribeNetworkInterfaces", described)
	return enis, vpcs, err
}
