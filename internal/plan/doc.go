// Package plan reads an eksnet plan file (a VPC, its existing subnets, the
// cluster's Availability Zones, VPC CNI settings and node groups with their
// growth), and lays out the subnets, secondary CIDR blocks and prefix
// reservations the cluster needs.
//
// As in kind's configuration: Decode reads strictly (unknown keys are
// errors), Default fills what was left out, Validate checks the rules, each a
// separate step. The package does no I/O: callers hand it bytes.
package plan
