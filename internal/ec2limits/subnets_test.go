package ec2limits

import (
	"context"
	"errors"
	"fmt"
	"net/netip"
	"os"
	"reflect"
	"slices"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	ec2types "github.com/aws/aws-sdk-go-v2/service/ec2/types"

	"github.com/eksnet/eksnet/internal/ec2fake"
	"github.com/eksnet/eksnet/internal/subnet"
)

const vpcA, vpcB = "vpc-0123456789abcdef0", "vpc-0fedcba9876543210"

// The repository's describe-subnets fixtures, the AWS CLI's JSON.
var subnetFixtures = []string{
	"../../cmd/eksnet/testdata/plan/describe-subnets.json",
	"../subnet/testdata/describe-subnets.json",
}

func readFixture(t *testing.T, path string) []byte {
	t.Helper()
	data, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	return data
}

func fixtureSubnets(t *testing.T, path string) []ec2types.Subnet {
	t.Helper()
	records, err := ec2fake.ParseSubnets(readFixture(t, path))
	if err != nil {
		t.Fatal(err)
	}
	return records
}

// sequentialSubnets are n /24s of vpcID, 10.9.0.0/24 on, 251 addresses free.
func sequentialSubnets(vpcID string, n int) []ec2types.Subnet {
	var out []ec2types.Subnet
	for i := range n {
		out = append(out, ec2types.Subnet{
			SubnetId: aws.String(fmt.Sprintf("subnet-%017x", i+1)), VpcId: aws.String(vpcID),
			AvailabilityZone: aws.String("us-west-2a"), AvailabilityZoneId: aws.String("usw2-az2"),
			CidrBlock: aws.String(fmt.Sprintf("10.9.%d.0/24", i)), AvailableIpAddressCount: aws.Int32(251),
			State: ec2types.SubnetStateAvailable,
		})
	}
	return out
}

func subnetIDs(records []ec2types.Subnet) []string {
	out := make([]string, len(records))
	for i, r := range records {
		out[i] = aws.ToString(r.SubnetId)
	}
	return out
}

// Paging collects every subnet of the VPC, and every call carries the
// vpc-id filter and MaxResults 1000.
func TestDescribeSubnetsPagesThroughEverySubnet(t *testing.T) {
	s, api := start(t, nil)
	fixture := fixtureSubnets(t, subnetFixtures[0]) // two in vpcA, one in vpcB
	many := sequentialSubnets(vpcA, 23)
	s.SetSubnets(append(slices.Clone(fixture), many...)...)
	s.SetPageSize(7)
	records, err := DescribeSubnets(context.Background(), api, vpcA)
	if err != nil {
		t.Fatal(err)
	}
	want := append([]string{"subnet-0a1b2c3d4e5f60718", "subnet-0f9e8d7c6b5a40312"}, subnetIDs(many)...)
	if got := subnetIDs(records); !slices.Equal(got, want) {
		t.Errorf("DescribeSubnets returned %d subnets %v\nwant the VPC's %d %v", len(got), got, len(want), want)
	}
	var tokens []string
	for _, r := range s.Requests() {
		if r.Action != "DescribeSubnets" || r.MaxResults != 1000 || r.Region != "us-east-1" ||
			!reflect.DeepEqual(r.Filters, map[string][]string{"vpc-id": {vpcA}}) {
			t.Errorf("request %+v", r)
		}
		tokens = append(tokens, r.NextToken)
	}
	if want := []string{"", "page-7", "page-14", "page-21"}; !slices.Equal(tokens, want) {
		t.Errorf("NextToken sequence = %q, want %q", tokens, want)
	}
}

// The planner gets the same subnets whether they come from EC2 or from the
// AWS CLI's JSON of the same records.
func TestToExistingEqualsParseDescribeSubnets(t *testing.T) {
	tests := []struct {
		fixture string
		vpc     string
		ids     []string
	}{
		{subnetFixtures[0], vpcA, []string{"subnet-0a1b2c3d4e5f60718", "subnet-0f9e8d7c6b5a40312"}},
		{subnetFixtures[0], vpcB, []string{"subnet-00aa11bb22cc33dd4"}},
		// The IPv6-only subnet has no IPv4 CIDR: left out both ways.
		{subnetFixtures[1], vpcA, []string{"subnet-0a1b2c3d4e5f60001", "subnet-0a1b2c3d4e5f60002"}},
	}
	for _, tt := range tests {
		t.Run(tt.fixture+" "+tt.vpc, func(t *testing.T) {
			s, api := start(t, nil)
			s.SetSubnets(fixtureSubnets(t, tt.fixture)...)
			records, err := DescribeSubnets(context.Background(), api, tt.vpc)
			if err != nil {
				t.Fatal(err)
			}
			live, err := ToExisting(records)
			if err != nil {
				t.Fatal(err)
			}
			parsed, err := subnet.ParseDescribeSubnets(readFixture(t, tt.fixture))
			if err != nil {
				t.Fatal(err)
			}
			parsed = slices.DeleteFunc(parsed, func(e subnet.Existing) bool { return e.VPCID != tt.vpc })
			if !reflect.DeepEqual(live, parsed) {
				t.Errorf("from EC2 %+v\nfrom the file %+v", live, parsed)
			}
			var ids []string
			for _, e := range live {
				ids = append(ids, e.ID)
			}
			if !slices.Equal(ids, tt.ids) {
				t.Errorf("subnets %v, want %v", ids, tt.ids)
			}
		})
	}
}

func TestDescribeVPC(t *testing.T) {
	s, api := start(t, nil)
	v := ec2fake.VPC(vpcA, "10.0.0.0/16", "100.64.0.0/16", "100.65.0.0/16")
	v.CidrBlockAssociationSet[2].CidrBlockState.State = ec2types.VpcCidrBlockStateCodeDisassociated
	s.SetVPCs(v, ec2fake.VPC(vpcB, "172.31.0.0/16"))
	s.SetSubnets(fixtureSubnets(t, subnetFixtures[0])...)
	got, err := DescribeVPC(context.Background(), api, vpcA)
	if err != nil {
		t.Fatal(err)
	}
	want := VPC{ID: vpcA, CIDRs: []string{"10.0.0.0/16", "100.64.0.0/16"}, Subnets: []subnet.Existing{
		{ID: "subnet-0a1b2c3d4e5f60718", VPCID: vpcA, AZ: "us-west-2a", AZID: "usw2-az2", CIDR: netip.MustParsePrefix("10.0.0.0/20"), Available: 4009},
		{ID: "subnet-0f9e8d7c6b5a40312", VPCID: vpcA, AZ: "us-west-2b", AZID: "usw2-az1", CIDR: netip.MustParsePrefix("10.0.64.0/24"), Available: 250},
	}}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("DescribeVPC = %+v\nwant %+v", got, want)
	}
	reqs := s.Requests()
	if len(reqs) != 2 || reqs[0].Action != "DescribeVpcs" || !slices.Equal(reqs[0].VPCIDs, []string{vpcA}) || reqs[1].Action != "DescribeSubnets" {
		t.Errorf("requests = %+v", reqs)
	}
	// A VPC without subnets is a VPC to plan.
	s.SetVPCs(ec2fake.VPC("vpc-01234567", "10.1.0.0/16"))
	got, err = DescribeVPC(context.Background(), api, "vpc-01234567")
	if err != nil || !slices.Equal(got.CIDRs, []string{"10.1.0.0/16"}) || got.Subnets != nil {
		t.Errorf("empty VPC: %+v %v", got, err)
	}
}

func TestDescribeVPCFailuresExplainThemselves(t *testing.T) {
	tests := []struct {
		name    string
		vpc     string
		failure ec2fake.Failure
		subnet  *ec2types.Subnet
		want    string
	}{
		{"subnets unauthorized", vpcA, ec2fake.Failure{Action: "DescribeSubnets", Code: "UnauthorizedOperation"}, nil,
			"not allowed to call ec2:DescribeSubnets (UnauthorizedOperation): grant the IAM action ec2:DescribeSubnets to the credentials in use"},
		{"subnets access denied", vpcA, ec2fake.Failure{Action: "DescribeSubnets", Code: "AccessDenied"}, nil,
			"not allowed to call ec2:DescribeSubnets (AccessDenied): grant the IAM action ec2:DescribeSubnets to the credentials in use"},
		{"vpcs unauthorized", vpcA, ec2fake.Failure{Action: "DescribeVpcs", Code: "UnauthorizedOperation"}, nil,
			"not allowed to call ec2:DescribeVpcs (UnauthorizedOperation): grant the IAM action ec2:DescribeVpcs to the credentials in use"},
		{"unknown VPC", "vpc-00000000000000000", ec2fake.Failure{}, nil,
			"VPC vpc-00000000000000000 does not exist in this region (InvalidVpcID.NotFound): check vpc.id in the plan file, and the region (--region, or the plan's region)"},
		{"unknown VPC from DescribeSubnets", vpcA, ec2fake.Failure{Action: "DescribeSubnets", Code: "InvalidVpcID.NotFound", Message: "The vpc ID 'vpc-0123456789abcdef0' does not exist"}, nil,
			"VPC vpc-0123456789abcdef0 does not exist in this region (InvalidVpcID.NotFound): check vpc.id in the plan file, and the region (--region, or the plan's region)"},
		{"throttled", vpcA, ec2fake.Failure{Action: "DescribeSubnets", Code: "RequestLimitExceeded"}, nil,
			"EC2 throttled the requests (RequestLimitExceeded) and 3 attempts with backoff did not get through: try again later, ask for fewer types or regions, or raise AWS_MAX_ATTEMPTS"},
		{"subnet without available count", vpcA, ec2fake.Failure{}, &ec2types.Subnet{SubnetId: aws.String("subnet-0123456789abcdef0"), VpcId: aws.String(vpcA), CidrBlock: aws.String("10.0.128.0/24")},
			"EC2 DescribeSubnets, subnet-0123456789abcdef0: no AvailableIpAddressCount"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			s, api := start(t, nil)
			s.SetVPCs(ec2fake.VPC(vpcA, "10.0.0.0/16"))
			subnets := fixtureSubnets(t, subnetFixtures[0])
			if tt.subnet != nil {
				subnets = append(subnets, *tt.subnet)
			}
			s.SetSubnets(subnets...)
			if tt.failure.Code != "" {
				s.Fail(tt.failure)
			}
			_, err := DescribeVPC(context.Background(), api, tt.vpc)
			if err == nil || err.Error() != tt.want {
				t.Errorf("error = %v\nwant    %s", err, tt.want)
			}
		})
	}
}

func TestDescribeVPCTimeout(t *testing.T) {
	s, api := start(t, nil)
	s.SetVPCs(ec2fake.VPC(vpcA, "10.0.0.0/16"))
	s.SetDelay(10 * time.Second)
	ctx, cancel := WithTimeout(context.Background(), 100*time.Millisecond)
	defer cancel()
	_, err := DescribeVPC(ctx, api, vpcA)
	if !errors.Is(err, context.DeadlineExceeded) || err.Error() != "no answer within 100ms (--timeout): raise --timeout, or check the network and --endpoint-url" {
		t.Errorf("error = %v", err)
	}
}

const enisJSON = `{"NetworkInterfaces":[
 {"NetworkInterfaceId":"eni-0123456789abcdef0","SubnetId":"subnet-0a1b2c3d4e5f60718","VpcId":"vpc-0a1b2c3d4e5f60718","InterfaceType":"interface","Status":"in-use",
  "Attachment":{"InstanceId":"i-0123456789abcdef0","DeviceIndex":0,"Status":"attached"},"PrivateIpAddress":"10.0.0.5",
  "PrivateIpAddresses":[{"PrivateIpAddress":"10.0.0.5","Primary":true},{"PrivateIpAddress":"10.0.0.6","Primary":false}],
  "Ipv4Prefixes":[{"Ipv4Prefix":"10.0.0.32/28"},{"Ipv4Prefix":"10.0.0.48/28"}]},
 {"NetworkInterfaceId":"eni-0123456789abcdef1","SubnetId":"subnet-0a1b2c3d4e5f60718","VpcId":"vpc-0a1b2c3d4e5f60718","InterfaceType":"lambda","Status":"in-use",
  "PrivateIpAddress":"10.0.0.200","PrivateIpAddresses":[{"PrivateIpAddress":"10.0.0.200","Primary":true}]},
 {"NetworkInterfaceId":"eni-0123456789abcdef2","SubnetId":"subnet-0f9e8d7c6b5a40312","VpcId":"vpc-0123456789abcdef9","InterfaceType":"interface","Status":"available",
  "PrivateIpAddress":"172.31.0.5","PrivateIpAddresses":[{"PrivateIpAddress":"172.31.0.5","Primary":true}]}]}`

// The interfaces read from EC2 (paged, one a page) are those the AWS CLI's
// JSON of the same records gives, filtered by VPC or instance.
func TestDescribeNetworkInterfaces(t *testing.T) {
	s, api := start(t, nil)
	records, err := ec2fake.ParseNetworkInterfaces([]byte(enisJSON))
	if err != nil {
		t.Fatal(err)
	}
	s.SetNetworkInterfaces(records...)
	s.SetPageSize(1)
	fromFile, err := subnet.ParseDescribeNetworkInterfaces([]byte(enisJSON))
	if err != nil {
		t.Fatal(err)
	}
	got, vpcs, err := DescribeNetworkInterfaces(context.Background(), api, "vpc-id", "vpc-0a1b2c3d4e5f60718")
	if err != nil || !reflect.DeepEqual(got, fromFile[:2]) || !slices.Equal(vpcs, []string{"vpc-0a1b2c3d4e5f60718"}) {
		t.Errorf("by VPC: %+v %v %v\nwant %+v", got, vpcs, err, fromFile[:2])
	}
	if n := len(s.Requests()); n != 2 {
		t.Errorf("%d requests, want 2 pages", n)
	}
	got, vpcs, err = DescribeNetworkInterfaces(context.Background(), api, "attachment.instance-id", "i-0123456789abcdef0")
	if err != nil || !reflect.DeepEqual(got, fromFile[:1]) || !slices.Equal(vpcs, []string{"vpc-0a1b2c3d4e5f60718"}) {
		t.Errorf("by instance: %+v %v %v", got, vpcs, err)
	}
}
