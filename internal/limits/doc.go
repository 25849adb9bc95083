// Package limits holds the per-instance-type facts that bound pod networking
// (ENIs, addresses per ENI, hypervisor, trunking) and the table that serves them.
//
// The facts and where they come from are described in docs/max-pods.md ("Inputs per
// instance type"). The package never prints and never reaches the network.
package limits
