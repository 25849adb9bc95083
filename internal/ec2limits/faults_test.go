package ec2limits

import (
	"context"
	"strings"
	"testing"

	"github.com/eksnet/eksnet/internal/ec2fake"
)

// An endpoint that is not EC2, or pages for ever, is an error naming what
// came back, never a false success ("0 instance types") or a loop.
func TestFaultsAreErrors(t *testing.T) {
	tests := []struct {
		name   string
		raw    *ec2fake.Raw
		paging ec2fake.Paging
		want   string
	}{
		{"captive portal", &ec2fake.Raw{ContentType: "text/html", Body: []byte("<!DOCTYPE html><html><body>Sign in to the Wi-Fi</body></html>")}, 0,
			"DescribeInstanceTypes: the endpoint answered HTTP 200 with content of type text/html, not EC2's XML: check --endpoint-url, and any proxy or captive portal in the way"},
		{"empty 200", &ec2fake.Raw{}, 0,
			"DescribeInstanceTypes: the endpoint answered HTTP 200 with an empty body, not EC2's XML"},
		{"JSON 200", &ec2fake.Raw{ContentType: "application/json", Body: []byte(`{"ok": true}`)}, 0,
			"DescribeInstanceTypes: the endpoint answered HTTP 200 with content of type application/json, not EC2's XML"},
		{"HTML 500", &ec2fake.Raw{Status: 500, ContentType: "text/html", Body: []byte("<html>Internal Server Error</html>")}, 0,
			"DescribeInstanceTypes: the endpoint answered HTTP 500 with content of type text/html, not EC2's XML"},
		{"HTML redirect", &ec2fake.Raw{Status: 302, ContentType: "text/html", Body: []byte("<html>moved</html>")}, 0,
			"DescribeInstanceTypes: the endpoint answered HTTP 302 with content of type text/html, not EC2's XML"},
		{"endless body", &ec2fake.Raw{ContentType: "text/xml", Body: []byte("<DescribeInstanceTypesResponse>"), Endless: true}, 0,
			"DescribeInstanceTypes: the endpoint's answer is larger than 32 MiB, far more than EC2 sends"},
		{"malformed XML", &ec2fake.Raw{ContentType: "text/xml", Body: []byte("<DescribeInstanceTypesResponse><instanceTypeSet><item><instanceType>m5.large</instanceTy")}, 0,
			"DescribeInstanceTypes: the endpoint's answer is not EC2's XML (failed to decode response body"},
		{"repeated token", nil, ec2fake.PagingRepeat,
			"DescribeInstanceTypes: page 2 repeats an earlier page's NextToken, so paging would never end"},
		{"endless tokens", nil, ec2fake.PagingEndless,
			"DescribeInstanceTypes: more than 200 pages, far more than EC2 returns"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			s, api := start(t, ec2fake.Records())
			s.SetRaw(tt.raw)
			s.SetPaging(tt.paging)
			ctx, cancel := WithTimeout(context.Background(), 0) // no timeout: the bound must come from the pager
			defer cancel()
			_, err := FetchAll(ctx, api)
			if err == nil || !strings.Contains(err.Error(), tt.want) || strings.Contains(err.Error(), "\n") {
				t.Errorf("err = %v\nwant %q", err, tt.want)
			}
		})
	}
}

// The same guards hold for DescribeSubnets (plan --live).
func TestSubnetPagingFaults(t *testing.T) {
	for _, p := range []ec2fake.Paging{ec2fake.PagingRepeat, ec2fake.PagingEndless} {
		s, api := start(t, ec2fake.Records())
		s.SetSubnets(sequentialSubnets("vpc-0123456789abcdef0", 3)...)
		s.SetPaging(p)
		_, err := DescribeSubnets(context.Background(), api, "vpc-0123456789abcdef0")
		if err == nil || !strings.HasPrefix(err.Error(), "DescribeSubnets: ") {
			t.Errorf("paging %d: %v", p, err)
		}
	}
}
