// Package ec2limits reads instance type limits live from EC2
// (DescribeInstanceTypes, DescribeRegions) through aws-sdk-go-v2 and maps
// them to the table's entries as docs/max-pods.md says, and reads a VPC's blocks
// and subnets (DescribeVpcs, DescribeSubnets) for the planner. It is the one internal
// package that reaches the network (docs/design.md); commands hand it a context
// and the AWS settings they were given.
package ec2limits
