// Package cni is eksnet's one model of the Amazon VPC CNI: every setting of
// the aws-node DaemonSet that changes pod capacity or address demand (Config),
// its shipped defaults, its validation, the mode a Config runs on an instance
// type (prefix delegation falls back on Xen, IPv6 needs Nitro) and the ENIs
// that carry pods (MAX_ENI, custom networking, the trunk ENI of security
// groups for pods).
//
// Max pods (internal/formula), one node's address demand (internal/ipam), the
// capacity engine, plans and user data all ask this package, so that one
// question gets one answer everywhere. The rules and their sources are in
// docs/max-pods.md and docs/node-addresses.md. The package is pure: no I/O,
// no globals that change, no AWS SDK.
package cni
