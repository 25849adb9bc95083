// Package ec2fake is an in-process EC2 endpoint for tests. It speaks the EC2
// Query protocol as aws-sdk-go-v2 does (form-encoded POST, XML answers with
// EC2's element names, EC2's error document) for DescribeInstanceTypes,
// DescribeRegions, DescribeSubnets and DescribeVpcs, serving real
// DescribeInstanceTypes records and the subnets and VPCs it is given, and
// can page, slow down and fail on demand. It listens on the loopback address only.
package ec2fake
