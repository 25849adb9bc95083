// Package formula computes the maximum number of pods a node can run, and the
// kubelet reservations that follow from it, for every VPC CNI mode: the
// ENIs and the mode come from the one CNI model (internal/cni), the
// arithmetic and the recommended cap from docs/max-pods.md.
//
// The package is pure: no I/O, no globals that change, no AWS SDK.
package formula
