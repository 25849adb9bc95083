// Package subnet holds the sizing rules of VPC subnets for EKS nodes: usable
// addresses per prefix length, whole aligned /28 blocks for prefix
// delegation, the smallest and the recommended subnet for a demand,
// utilisation, growth and runway, and parsing of the CIDRs and growth specs
// users type.
//
// The rules are from docs/vpc-rules.md and docs/node-addresses.md. The package is pure: no I/O,
// no globals, no AWS SDK.
package subnet
