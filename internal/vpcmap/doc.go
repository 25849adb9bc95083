// Package vpcmap draws a plan as the VPC's address map, an SVG for the
// planning meeting: one bar per CIDR block, each subnet at its place and
// width in the block, coloured by role, existing ones outlined, prefix
// reservations hatched, free space left blank; then a table of every
// subnet with its size and use now and at the future size. HTML wraps the
// SVG in one self-contained page whose shapes show their details on hover.
package vpcmap
