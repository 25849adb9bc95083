package ec2fake

import (
	"context"
	"errors"
	"io"
	"net/http"
	"reflect"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	awshttp "github.com/aws/aws-sdk-go-v2/aws/transport/http"
	"github.com/aws/aws-sdk-go-v2/credentials"
	"github.com/aws/aws-sdk-go-v2/service/ec2"
	ec2types "github.com/aws/aws-sdk-go-v2/service/ec2/types"
	"github.com/aws/smithy-go"
)

func client(s *Server, region string) *ec2.Client {
	return ec2.New(ec2.Options{
		Region:           region,
		BaseEndpoint:     aws.String(s.URL()),
		Credentials:      credentials.NewStaticCredentialsProvider("AKIDTEST", "secret", ""),
		RetryMaxAttempts: 1,
		HTTPClient:       bodyGuard{awshttp.NewBuildableClient()},
	})
}

// bodyGuard is ec2limits' guard against smithy-go closing the request body
// while net/http still reads it (see ec2limits.bodyGuard): a loopback
// server answers fast enough to hit that race.
type bodyGuard struct{ next ec2.HTTPClient }

func (g bodyGuard) Do(r *http.Request) (*http.Response, error) {
	if r.Body != nil && r.Body != http.NoBody {
		r.Body = struct{ io.ReadCloser }{r.Body}
	}
	return g.next.Do(r)
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
