// Package ipam models the addresses one EKS node takes from its subnets in
// steady state: the VPC CNI's warm pool (whole ENIs, single IPs or /28
// prefixes), each ENI's own primary address, the trunk ENI and branch ENIs.
//
// The CNI settings, the mode a type runs and its ENIs for pods come from the
// one CNI model (internal/cni); the pool is re-derived from ipamd's decision
// functions and checked against a port of them (sim_test.go). The rules and
// their sources are in docs/node-addresses.md. The package is pure: no I/O,
// no globals, no AWS SDK.
package ipam
