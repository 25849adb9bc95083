package main

import (
	"time"

	"github.com/spf13/cobra"

	"github.com/eksnet/eksnet/internal/ec2limits"
)

// awsFlags are the AWS settings of the commands that can ask EC2 (maxpods,
// limits list|show and plan with --live, and limits update). Unset ones fall back to
// the SDK's: AWS_REGION, AWS_PROFILE, AWS_ENDPOINT_URL_EC2, ~/.aws/config
// and the default credential chain.
type awsFlags struct {
	live        bool
	region      string
	profile     string
	endpointURL string
	timeout     time.Duration
}

// Help texts of --live.
const (
	liveLimits = "ask EC2 (DescribeInstanceTypes) instead of the offline table"
	livePlan   = "read the VPC's subnets and CIDR blocks from EC2 (DescribeSubnets, DescribeVpcs) for vpc.id, instead of --subnets-file"
	liveAudit  = "read the nodes' VPC from EC2 (DescribeNetworkInterfaces, DescribeSubnets), instead of --subnets-file and --enis-file"
)

// bind adds the AWS flags to cmd, and --live with that help text unless
// live is "".
func (a *awsFlags) bind(cmd *cobra.Command, live string, timeout time.Duration) {
	fs := cmd.Flags()
	if live != "" {
		fs.BoolVar(&a.live, "live", false, live)
	}
	fs.StringVar(&a.region, "region", "", "AWS region (default: AWS_REGION or the profile's)")
	fs.StringVar(&a.profile, "profile", "", "AWS profile from ~/.aws/config (default: AWS_PROFILE)")
	fs.StringVar(&a.endpointURL, "endpoint-url", "", "EC2 endpoint URL, for EC2-compatible endpoints (default: AWS_ENDPOINT_URL_EC2)")
	fs.DurationVar(&a.timeout, "timeout", timeout, "give up on EC2 after this long (0: never)")
}

func (a *awsFlags) options() ec2limits.Options {
	return ec2limits.Options{Region: a.region, Profile: a.profile, EndpointURL: a.endpointURL}
}
