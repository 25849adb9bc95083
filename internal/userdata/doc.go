// Package userdata writes what puts max pods on a node: user data for AL2023
// (nodeadm), AL2, Bottlerocket and Windows, and the Karpenter and eksctl
// documents, with kube-reserved sized to match (docs/max-pods.md, "Who sets what on
// a node" and "User data that carries the value").
//
// The package is pure: it never prints and holds no state. Every value a user
// typed reaches shell, PowerShell, TOML or YAML only through a quoting
// function or a real encoder, so that no value can change the structure.
package userdata
