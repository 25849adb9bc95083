// Package vpc carves subnets out of a VPC's address space and checks the VPC
// and EKS rules of docs/vpc-rules.md: block sizes, the secondary block association
// table, quotas, overlaps, Availability Zones and the service CIDR.
//
// The package is pure: plain values in, plain values out, no I/O. Only IPv4
// is carved (IPv6 subnets are always /64s and never run short).
package vpc
