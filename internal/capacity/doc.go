// Package capacity is eksnet's one capacity engine: node groups in; per AZ
// and per role (the node subnet, and the pod subnet of custom networking)
// the addresses and aligned /28 prefixes needed now and at the future size,
// with headroom, surge and runway; and, for one node group, the existing
// subnets checked against it and the single change that would make it fit.
//
// Max pods come from internal/formula and one node's addresses from
// internal/ipam, both through the one CNI model (internal/cni). `eksnet
// subnet size` is one node group through Size; `eksnet plan` runs its node
// groups through NodeGroups and carves subnets on top. The package is pure:
// no I/O, no globals, no AWS SDK.
package capacity
