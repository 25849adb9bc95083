package capacity

import (
	"errors"
	"fmt"

	"github.com/eksnet/eksnet/internal/cni"
	"github.com/eksnet/eksnet/internal/formula"
	"github.com/eksnet/eksnet/internal/ipam"
	"github.com/eksnet/eksnet/internal/limits"
	"github.com/eksnet/eksnet/internal/subnet"
)

// Group is one node group: nodes of one or more instance types, spread
// evenly over some AZs.
type Group struct {
	Name      string
	Instances []limits.Instance // any node may be of any of them
	// MaxPods is the kubelet's max pods; 0 takes the smallest of the types'
	// recommended values, as EKS managed node groups apply it.
	MaxPods int
	// PodsPerNode are the pods per node that need a pool address;
	// HighWaterMark for max pods − 2 − SG pods.
	PodsPerNode   int
	SGPodsPerNode int
	Nodes         int
	FutureNodes   int      // 0: Nodes
	AZs           []string // the AZs the group spreads over
}

// Demands is what a set of node groups asks of each AZ's subnets, and of
// each group's nodes.
type Demands struct {
	Groups []GroupDemand
	// PerAZ holds, per AZ and role (RoleNode, RolePod), what the AZ's nodes
	// take from that subnet.
	PerAZ map[string]map[string]*RoleDemand
}

// GroupDemand is one node group's max pods and per-node need.
type GroupDemand struct {
	MaxPods     int
	SetBy       string // the type whose value is the group's (the smallest)
	PodsPerNode int
	// PerNode is the node of the type that needs the most addresses;
	// NodeNeed and PodNeed are the most of each over the types.
	PerNode          ipam.Demand
	SizedBy          string
	NodeNeed         subnet.Need
	PodNeed          subnet.Need
	NodesPerAZ       int // with the surge
	FutureNodesPerAZ int
	// Fallbacks are the types that run another mode than asked (prefix
	// delegation on Xen); Unaddressed the types whose pool cannot address
	// all PodsPerNode.
	Fallbacks   []TypeReason
	Unaddressed []TypePods
}

// TypeReason is an instance type and why it does not run as asked.
type TypeReason struct {
	InstanceType string
	Reason       cni.Reason
	Message      string
}

// TypePods is an instance type and a count of its pods.
type TypePods struct {
	InstanceType string
	Pods         int
}

// RoleDemand is what one AZ's nodes take from one subnet, today and at the
// future size, with the node groups it comes from (for the runway).
type RoleDemand struct {
	Now, Future        subnet.Need
	Nodes, FutureNodes int
	Parts              []subnet.Part
}

// GroupError is an error of one node group, for the caller to name it.
type GroupError struct {
	Index int
	Name  string
	// Field is the group's field at fault ("instanceTypes", "podsPerNode"),
	// or "" for the group as a whole.
	Field string
	Err   error
}

func (e *GroupError) Error() string { return e.Err.Error() }
func (e *GroupError) Unwrap() error { return e.Err }

// Options of NodeGroups.
type Options struct {
	Surge int // spare nodes per AZ while a group rolls
	// Strict makes a type that cannot run the mode asked an error instead of
	// a fallback: for one named type, where falling back would be a guess.
	Strict bool
}

// NodeGroups computes, for groups under cfg, each group's max pods and
// per-node demand (formula.Compute, ipam.NodeDemand) and what each AZ's node
// and pod subnets must hold now and at the future size: per node the most
// that any of the group's types takes, times the group's nodes per AZ
// (spread evenly, rounding up, plus the surge; subnet.NodesPerAZ). This is
// the one demand model of `eksnet subnet size` and `eksnet plan`.
func NodeGroups(cfg cni.Config, groups []Group, opts Options) (Demands, error) {
	d := Demands{PerAZ: map[string]map[string]*RoleDemand{}}
	for i, g := range groups {
		gd, err := nodeGroup(cfg, g, opts)
		if err != nil {
			var ge *GroupError
			if errors.As(err, &ge) {
				ge.Index, ge.Name = i, g.Name
				return Demands{}, ge
			}
			return Demands{}, &GroupError{Index: i, Name: g.Name, Err: err}
		}
		d.Groups = append(d.Groups, gd)
		future := g.FutureNodes
		if future == 0 {
			future = g.Nodes
		}
		for _, az := range g.AZs {
			roles := d.PerAZ[az]
			if roles == nil {
				roles = map[string]*RoleDemand{RoleNode: {}, RolePod: {}}
				d.PerAZ[az] = roles
			}
			for role, perNode := range map[string]subnet.Need{RoleNode: gd.NodeNeed, RolePod: gd.PodNeed} {
				r := roles[role]
				r.Now = r.Now.Plus(perNode.Times(gd.NodesPerAZ))
				r.Future = r.Future.Plus(perNode.Times(gd.FutureNodesPerAZ))
				r.Nodes += gd.NodesPerAZ
				r.FutureNodes += gd.FutureNodesPerAZ
				r.Parts = append(r.Parts, subnet.Part{Nodes: g.Nodes, Spread: subnet.Spread{AZs: len(g.AZs), Surge: opts.Surge}, PerNode: perNode})
			}
		}
	}
	return d, nil
}

func nodeGroup(cfg cni.Config, g Group, opts Options) (GroupDemand, error) {
	var gd GroupDemand
	switch {
	case len(g.Instances) == 0:
		return gd, &GroupError{Field: "instanceTypes", Err: errors.New("no instance type in the node group")}
	case g.Nodes < 1:
		return gd, &GroupError{Field: "nodes", Err: fmt.Errorf("invalid node count %d: must be at least 1", g.Nodes)}
	case g.FutureNodes != 0 && g.FutureNodes < g.Nodes:
		return gd, &GroupError{Field: "futureNodes", Err: &FutureNodesError{Future: g.FutureNodes, Now: g.Nodes}}
	case len(g.AZs) == 0:
		return gd, &GroupError{Field: "azs", Err: errors.New("no AZ to spread the nodes over")}
	case g.MaxPods < 0:
		return gd, &GroupError{Field: "maxPods", Err: fmt.Errorf("invalid max pods %d: must be at least 1", g.MaxPods)}
	case g.Nodes > MaxNodes || g.FutureNodes > MaxNodes:
		return gd, &GroupError{Field: "futureNodes", Err: fmt.Errorf("%d future nodes exceed %d, far more than an EKS cluster holds", max(g.Nodes, g.FutureNodes), MaxNodes)}
	case len(g.AZs) > MaxAZs:
		return gd, &GroupError{Field: "azs", Err: fmt.Errorf("%d AZs exceed %d", len(g.AZs), MaxAZs)}
	case opts.Surge < 0 || opts.Surge > MaxNodes:
		return gd, CheckRange(FieldSurge, opts.Surge, 0, MaxNodes)
	}
	results := make([]formula.Result, 0, len(g.Instances))
	for _, inst := range g.Instances {
		r, err := formula.Compute(inst, formula.Query{Config: cfg})
		if err != nil {
			return gd, err
		}
		if opts.Strict {
			if err := formula.Strict(r); err != nil {
				return gd, err
			}
		}
		if r.Fallback != "" {
			gd.Fallbacks = append(gd.Fallbacks, TypeReason{InstanceType: inst.Name, Reason: r.Fallback, Message: r.Fallback.Sentence(inst)})
		}
		results = append(results, r)
	}
	value, err := formula.NodeGroup(results)
	if err != nil {
		return gd, err
	}
	gd.MaxPods, gd.SetBy = value.MaxPods, value.SetBy
	if g.MaxPods > 0 {
		gd.MaxPods, gd.SetBy = g.MaxPods, ""
	}

	hostNetwork := cfg.HostNetworkPodsOn()
	budget := gd.MaxPods - hostNetwork - g.SGPodsPerNode
	switch {
	case g.PodsPerNode == HighWaterMark:
		gd.PodsPerNode = max(budget, 0)
	case g.PodsPerNode < 0:
		return gd, &GroupError{Field: "podsPerNode", Err: fmt.Errorf("invalid pods per node %d: must be 0 or more", g.PodsPerNode)}
	case g.PodsPerNode > budget: // aws-node and kube-proxy count against max pods too
		return gd, &GroupError{Field: "podsPerNode", Err: &PodsOverMaxPodsError{Pods: g.PodsPerNode, SGPods: g.SGPodsPerNode, MaxPods: gd.MaxPods, SetBy: gd.SetBy, HostNetwork: hostNetwork}}
	default:
		gd.PodsPerNode = g.PodsPerNode
	}

	// Any node may be of any of the types: size for the most of each.
	largest := -1
	for _, inst := range g.Instances {
		a, err := ipam.NodeDemand(inst, cfg, ipam.Load{KubeletMaxPods: gd.MaxPods, Pods: gd.PodsPerNode, SGPods: g.SGPodsPerNode})
		if err != nil {
			return gd, err
		}
		if a.PodsWithoutAddress > 0 {
			gd.Unaddressed = append(gd.Unaddressed, TypePods{InstanceType: inst.Name, Pods: a.PodsWithoutAddress})
		}
		n, p := a.NodeSubnetNeed(), a.PodSubnetNeed()
		gd.NodeNeed = subnet.Need{Addresses: max(gd.NodeNeed.Addresses, n.Addresses), Blocks: max(gd.NodeNeed.Blocks, n.Blocks)}
		gd.PodNeed = subnet.Need{Addresses: max(gd.PodNeed.Addresses, p.Addresses), Blocks: max(gd.PodNeed.Blocks, p.Blocks)}
		if total := a.NodeSubnetAddresses + a.PodSubnetAddresses; total > largest {
			largest, gd.SizedBy, gd.PerNode = total, inst.Name, a
		}
	}

	future := g.FutureNodes
	if future == 0 {
		future = g.Nodes
	}
	if gd.NodesPerAZ, err = subnet.NodesPerAZ(g.Nodes, len(g.AZs), opts.Surge); err != nil {
		return gd, err
	}
	if gd.FutureNodesPerAZ, err = subnet.NodesPerAZ(future, len(g.AZs), opts.Surge); err != nil {
		return gd, err
	}
	return gd, nil
}

// PodsOverMaxPodsError says that the pods asked for per node do not fit the
// kubelet's max pods.
type PodsOverMaxPodsError struct {
	Pods, SGPods, MaxPods int
	SetBy                 string
	HostNetwork           int // aws-node and kube-proxy on Linux; none on Windows
}

func (e *PodsOverMaxPodsError) Error() string {
	msg := fmt.Sprintf("%d pods and %d security-group pods exceed max pods %d", e.Pods, e.SGPods, e.MaxPods)
	if e.SetBy != "" {
		msg += " (set by " + e.SetBy + ")"
	}
	msg += fmt.Sprintf(": at most %d pods", e.Room())
	if e.HostNetwork > 0 {
		msg += fmt.Sprintf(", as aws-node and kube-proxy take %d", e.HostNetwork)
	}
	return msg
}

// Room is the most pods that fit: max pods less the host-network and SG pods.
func (e *PodsOverMaxPodsError) Room() int { return max(e.MaxPods-e.HostNetwork-e.SGPods, 0) }

// Recommend is the prefix length the role's subnet gets: the smallest that
// holds the future demand with headroom (subnet.Need.Recommend).
func (r RoleDemand) Recommend(headroomPercent int) (subnet.PrefixLen, error) {
	return r.Future.Recommend(headroomPercent)
}

// Runway is the first month, counted from today, in which the AZ's nodes,
// each group grown by g with its surge, no longer fit a subnet of length p
// (subnet.FirstMonthOver); false if they fit for the whole horizon.
func (r RoleDemand) Runway(p subnet.PrefixLen, g subnet.Growth, horizonMonths int) (int, bool) {
	return r.RunwayShared(p, 1, g, horizonMonths)
}

// RunwayShared is Runway for subnets subnets of length p sharing the
// demand evenly (discovered pod subnets; subnet.FirstMonthOverShared).
func (r RoleDemand) RunwayShared(p subnet.PrefixLen, subnets int, g subnet.Growth, horizonMonths int) (int, bool) {
	return subnet.FirstMonthOverShared(p, subnets, r.Now, r.Parts, g, horizonMonths)
}
