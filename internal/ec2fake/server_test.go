package ec2fake

import (
	"context"
	"errors"
	"os"
	"reflect"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/credentials"
	"github.com/aws/aws-sdk-go-v2/service/ec2"
	ec2types "github.com/aws/aws-sdk-go-v2/service/ec2/types"
	"github.com/aws/smithy-go"

	"github.com/eksnet/eksnet/internal/ec2limits"
)

// client is the EC2 client eksnet uses (ec2limits.NewClient), talking to s
// in region, with static credentials and no retries.
func client(s *Server, region string) *ec2.Client {
	cfg := aws.Config{Region: region, Credentials: credentials.NewStaticCredentialsProvider("AKIDTEST", "secret", "")}
	return ec2limits.NewClient(cfg, ec2limits.Options{EndpointURL: s.URL(), MaxAttempts: 1}, "")
}

// Every field of every fixture record survives the trip through the fake's
// XML and the SDK's own deserializer: the fake speaks EC2's element names.
func TestRecordsRoundTripThroughTheSDK(t *testing.T) {
	records := Records()
	if len(records) != 56 {
		t.Fatalf("fixture has %d records, want 56", len(records))
	}
	s := Start(records)
	defer s.Close()
	var got []ec2types.InstanceTypeInfo
	p := ec2.NewDescribeInstanceTypesPaginator(client(s, "us-east-1"), &ec2.DescribeInstanceTypesInput{MaxResults: aws.Int32(20)})
	for p.HasMorePages() {
		page, err := p.NextPage(context.Background())
		if err != nil {
			t.Fatal(err)
		}
		got = append(got, page.InstanceTypes...)
	}
	if len(got) != len(records) {
		t.Fatalf("got %d records, want %d", len(got), len(records))
	}
	for i := range records {
		if !reflect.DeepEqual(got[i], records[i]) {
			t.Errorf("%s differs after the round trip:\n got %+v\nwant %+v", records[i].InstanceType, got[i], records[i])
		}
	}
	if n := len(s.Requests()); n != 3 {
		t.Errorf("%d requests for 56 records at 20 a page, want 3", n)
	}
}

func TestErrorsReachTheSDKWithTheirCodes(t *testing.T) {
	s := Start(Records())
	defer s.Close()
	s.Fail(Failure{Action: "DescribeRegions", Code: "UnauthorizedOperation", Times: 1})
	_, err := client(s, "us-east-1").DescribeRegions(context.Background(), &ec2.DescribeRegionsInput{})
	var apiErr smithy.APIError
	if !errors.As(err, &apiErr) || apiErr.ErrorCode() != "UnauthorizedOperation" {
		t.Fatalf("error = %v, want UnauthorizedOperation", err)
	}
	out, err := client(s, "eu-west-1").DescribeRegions(context.Background(), &ec2.DescribeRegionsInput{})
	if err != nil || len(out.Regions) != 3 || aws.ToString(out.Regions[1].RegionName) != "us-east-1" {
		t.Fatalf("DescribeRegions after the failure: %v %+v", err, out)
	}
	_, err = client(s, "us-east-1").DescribeInstanceTypes(context.Background(), &ec2.DescribeInstanceTypesInput{InstanceTypes: []ec2types.InstanceType{"m5.large", "m5.lrge"}})
	if !errors.As(err, &apiErr) || apiErr.ErrorCode() != "InvalidInstanceType" || apiErr.ErrorMessage() != "The following supplied instance types do not exist: [m5.lrge]" {
		t.Fatalf("error = %v, want InvalidInstanceType", err)
	}
	reqs := s.Requests()
	last := reqs[len(reqs)-1]
	if last.Region != "us-east-1" || !reflect.DeepEqual(last.InstanceTypes, []string{"m5.large", "m5.lrge"}) {
		t.Errorf("request = %+v", last)
	}
}

func TestFilterWildcards(t *testing.T) {
	s := Start(Records())
	defer s.Close()
	out, err := client(s, "us-east-1").DescribeInstanceTypes(context.Background(), &ec2.DescribeInstanceTypesInput{
		Filters: []ec2types.Filter{{Name: aws.String("instance-type"), Values: []string{"t2.*", "m5.?large"}}},
	})
	if err != nil {
		t.Fatal(err)
	}
	var names []string
	for _, r := range out.InstanceTypes {
		names = append(names, string(r.InstanceType))
	}
	want := []string{"m5.xlarge", "t2.2xlarge", "t2.medium", "t2.micro", "t2.nano"}
	if !reflect.DeepEqual(names, want) {
		t.Errorf("filtered = %v, want %v", names, want)
	}
}

func TestWildcardMatch(t *testing.T) {
	tests := []struct {
		pattern, name string
		want          bool
	}{
		{"m5.*", "m5.large", true}, {"m5.*", "m5d.large", false}, {"*", "", true},
		{"?5.large", "m5.large", true}, {"c7g*", "c7gn.16xlarge", true}, {"m5.large", "m5.large", true},
		{"m5.large", "m5.larg", false}, {"*.metal", "m5.metal", true}, {"*.metal", "m5.metal-24xl", false},
	}
	for _, tt := range tests {
		if got := wildcardMatch(tt.pattern, tt.name); got != tt.want {
			t.Errorf("wildcardMatch(%q, %q) = %v", tt.pattern, tt.name, got)
		}
	}
}

// The describe-subnets fixtures of the repository, in the AWS CLI's JSON.
var subnetFixtures = []string{
	"../../cmd/eksnet/testdata/plan/describe-subnets.json",
	"../subnet/testdata/describe-subnets.json",
}

func readSubnets(t *testing.T, path string) []ec2types.Subnet {
	t.Helper()
	data, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	subnets, err := ParseSubnets(data)
	if err != nil {
		t.Fatal(err)
	}
	return subnets
}

// Every field of every fixture subnet survives the trip through the fake's
// XML and the SDK's deserializer, one subnet a page, and the vpc-id filter
// picks the VPC's subnets.
func TestSubnetsRoundTripThroughTheSDK(t *testing.T) {
	for _, path := range subnetFixtures {
		t.Run(path, func(t *testing.T) {
			subnets := readSubnets(t, path)
			s := Start(nil)
			defer s.Close()
			s.SetSubnets(subnets...)
			s.SetPageSize(1)
			var got []ec2types.Subnet
			p := ec2.NewDescribeSubnetsPaginator(client(s, "us-west-2"), &ec2.DescribeSubnetsInput{MaxResults: aws.Int32(5)})
			for p.HasMorePages() {
				page, err := p.NextPage(context.Background())
				if err != nil {
					t.Fatal(err)
				}
				got = append(got, page.Subnets...)
			}
			if len(got) != 3 || len(s.Requests()) != 3 {
				t.Fatalf("%d subnets in %d requests, want 3 in 3", len(got), len(s.Requests()))
			}
			for i := range subnets {
				if want := withoutEmptyLists(subnets[i]); !reflect.DeepEqual(got[i], want) {
					t.Errorf("%s differs after the round trip:\n got %+v\nwant %+v", aws.ToString(want.SubnetId), got[i], want)
				}
			}
		})
	}
}

// withoutEmptyLists is a subnet as the SDK reads it back: EC2 leaves an
// empty list out, and the SDK then has nil.
func withoutEmptyLists(s ec2types.Subnet) ec2types.Subnet {
	if len(s.Tags) == 0 {
		s.Tags = nil
	}
	if len(s.Ipv6CidrBlockAssociationSet) == 0 {
		s.Ipv6CidrBlockAssociationSet = nil
	}
	return s
}

func TestDescribeSubnetsFilter(t *testing.T) {
	s := Start(nil)
	defer s.Close()
	s.SetSubnets(readSubnets(t, subnetFixtures[0])...)
	tests := []struct {
		filters []ec2types.Filter
		want    []string
		err     string
	}{
		{nil, []string{"subnet-0a1b2c3d4e5f60718", "subnet-0f9e8d7c6b5a40312", "subnet-00aa11bb22cc33dd4"}, ""},
		{[]ec2types.Filter{{Name: aws.String("vpc-id"), Values: []string{"vpc-0123456789abcdef0"}}}, []string{"subnet-0a1b2c3d4e5f60718", "subnet-0f9e8d7c6b5a40312"}, ""},
		{[]ec2types.Filter{{Name: aws.String("vpc-id"), Values: []string{"vpc-0fedcba9876543210", "vpc-1"}}}, []string{"subnet-00aa11bb22cc33dd4"}, ""},
		// A filter matches; it never says that a VPC does not exist.
		{[]ec2types.Filter{{Name: aws.String("vpc-id"), Values: []string{"vpc-00000000000000000"}}}, nil, ""},
		{[]ec2types.Filter{{Name: aws.String("cidr-block"), Values: []string{"10.0.0.0/20"}}}, nil, "InvalidParameterValue: The filter 'cidr-block' is invalid"},
	}
	for _, tt := range tests {
		out, err := client(s, "us-west-2").DescribeSubnets(context.Background(), &ec2.DescribeSubnetsInput{Filters: tt.filters})
		var apiErr smithy.APIError
		switch {
		case tt.err != "":
			if !errors.As(err, &apiErr) || apiErr.ErrorCode()+": "+apiErr.ErrorMessage() != tt.err {
				t.Errorf("filters %v: error %v, want %s", tt.filters, err, tt.err)
			}
		case err != nil:
			t.Errorf("filters %v: %v", tt.filters, err)
		default:
			var ids []string
			for _, sn := range out.Subnets {
				ids = append(ids, aws.ToString(sn.SubnetId))
			}
			if !reflect.DeepEqual(ids, tt.want) || out.NextToken != nil {
				t.Errorf("filters %v: %v (next %v), want %v", tt.filters, ids, out.NextToken, tt.want)
			}
		}
	}
	last := s.Requests()[len(s.Requests())-1]
	if last.Action != "DescribeSubnets" || !reflect.DeepEqual(last.Filters, map[string][]string{"cidr-block": {"10.0.0.0/20"}}) {
		t.Errorf("request = %+v", last)
	}
	_, err := client(s, "us-west-2").DescribeSubnets(context.Background(), &ec2.DescribeSubnetsInput{MaxResults: aws.Int32(1001)})
	if err == nil {
		t.Error("MaxResults 1001 accepted")
	}
}

func TestDescribeVpcs(t *testing.T) {
	s := Start(nil)
	defer s.Close()
	vpcs := []ec2types.Vpc{VPC("vpc-0123456789abcdef0", "10.0.0.0/16", "100.64.0.0/16"), VPC("vpc-0fedcba9876543210", "172.31.0.0/16")}
	s.SetVPCs(vpcs...)
	out, err := client(s, "us-west-2").DescribeVpcs(context.Background(), &ec2.DescribeVpcsInput{VpcIds: []string{"vpc-0123456789abcdef0"}})
	if err != nil {
		t.Fatal(err)
	}
	if len(out.Vpcs) != 1 || !reflect.DeepEqual(out.Vpcs[0], vpcs[0]) {
		t.Errorf("DescribeVpcs = %+v\nwant %+v", out.Vpcs, vpcs[:1])
	}
	if r := s.Requests()[0]; !reflect.DeepEqual(r.VPCIDs, []string{"vpc-0123456789abcdef0"}) {
		t.Errorf("request = %+v", r)
	}
	out, err = client(s, "us-west-2").DescribeVpcs(context.Background(), &ec2.DescribeVpcsInput{})
	if err != nil || len(out.Vpcs) != 2 {
		t.Errorf("every VPC: %v %+v", err, out)
	}
	for id, want := range map[string]string{
		"vpc-00000000000000000": "InvalidVpcID.NotFound: The vpc ID 'vpc-00000000000000000' does not exist",
		"vpc-xyz":               `InvalidVpcID.Malformed: Invalid id: "vpc-xyz"`,
	} {
		_, err := client(s, "us-west-2").DescribeVpcs(context.Background(), &ec2.DescribeVpcsInput{VpcIds: []string{id}})
		var apiErr smithy.APIError
		if !errors.As(err, &apiErr) || apiErr.ErrorCode()+": "+apiErr.ErrorMessage() != want {
			t.Errorf("%s: %v, want %s", id, err, want)
		}
	}
}

func TestParseSubnetsRefusesOtherDocuments(t *testing.T) {
	for _, bad := range []string{`[]`, `{"Vpcs": []}`, `not json`} {
		if _, err := ParseSubnets([]byte(bad)); err == nil {
			t.Errorf("%q accepted", bad)
		}
	}
}
