package plan

import (
	"fmt"
	"strconv"
	"strings"

	"github.com/eksnet/eksnet/internal/formula"
	"github.com/eksnet/eksnet/internal/ipam"
	"github.com/eksnet/eksnet/internal/limits"
	"github.com/eksnet/eksnet/internal/subnet"
)

// roleDemand is what the nodes of one AZ take from one subnet: single
// addresses and aligned /28 blocks (subnet.Need), today and at the future
// size, and the node groups it comes from, for the runway.
type roleDemand struct {
	now, future        subnet.Need
	nodes, futureNodes int
	parts              []demandPart
}

// demandPart is one node group's share of an AZ's demand on one subnet.
type demandPart struct {
	nodes, azs int // the group's nodes today, over azs AZs
	perNode    subnet.Need
}

// demands is the plan's demand per AZ and role, and per node group.
type demands struct {
	groups []NodeGroupResult
	perAZ  map[string]map[Role]*roleDemand
}

// Build lays out the plan: the node groups' demand per AZ (ipam.NodeDemand
// per node, subnet sizing per AZ), then the subnets carved in a fixed order
// (see layout), the prefix reservations and the checks that each subnet
// holds what it is planned for. A plan that does not fit is a *NoFitError
// saying by how much and which change fits.
func Build(s *Spec, table *limits.Table) (*Result, error) {
	d, err := computeDemand(s, table)
	if err != nil {
		return nil, err
	}
	res, miss, err := layout(s, d)
	if err != nil {
		return nil, err
	}
	if miss != nil {
		return nil, explainMiss(s, table, miss)
	}
	return res, nil
}

// Settings are the ipam settings of the plan's CNI, with sgPods security-group
// pods per node; what the plan leaves unset keeps the shipped defaults.
func (c CNI) Settings(sgPods int) ipam.Settings {
	st := ipam.DefaultSettings()
	if c.WarmENITarget != nil {
		st.WarmENITarget = *c.WarmENITarget
	}
	if c.WarmPrefixTarget != nil {
		st.WarmPrefixTarget = *c.WarmPrefixTarget
	}
	if c.WarmIPTarget != nil {
		st.WarmIPTarget = *c.WarmIPTarget
	}
	if c.MinimumIPTarget != nil {
		st.MinimumIPTarget = *c.MinimumIPTarget
	}
	st.PrefixDelegation = c.PrefixDelegation
	st.CustomNetworking = c.CustomNetworking
	st.SecurityGroupsForPods = c.SecurityGroupsForPods
	st.MaxENI = c.MaxENI
	st.SGPods = sgPods
	return st
}

func computeDemand(s *Spec, table *limits.Table) (*demands, error) {
	f := s.File
	d := &demands{perAZ: map[string]map[Role]*roleDemand{}}
	for _, az := range f.AZs {
		d.perAZ[az] = map[Role]*roleDemand{RoleNode: {}, RolePod: {}}
	}
	surge := *f.Surge
	for i, g := range f.NodeGroups {
		field := fmt.Sprintf("nodeGroups[%d] (%s)", i, g.Name)
		var instances []limits.Instance
		var results []formula.Result
		for _, name := range g.InstanceTypes {
			inst, err := table.Lookup(name)
			if err != nil {
				return nil, fmt.Errorf("%s.instanceTypes: %w", field, err)
			}
			r, err := formula.Compute(inst, s.CNI)
			if err != nil {
				return nil, fmt.Errorf("%s: %w", field, err)
			}
			for _, n := range r.Notes {
				if strings.Contains(n, "falls back") {
					s.Warnings = append(s.Warnings, fmt.Sprintf("%s: %s: %s", field, name, n))
				}
			}
			instances = append(instances, inst)
			results = append(results, r)
		}
		group, err := formula.NodeGroup(results)
		if err != nil {
			return nil, fmt.Errorf("%s: %w", field, err)
		}
		pods := g.PodsPerNode
		if pods == 0 {
			pods = max(group.MaxPods-2-g.SGPodsPerNode, 0) // the high-water mark (ipam.md)
		} else if pods+g.SGPodsPerNode > group.MaxPods {
			return nil, fmt.Errorf("%s.podsPerNode: %d pods and %d security-group pods exceed the node group's max pods, %d (set by %s)",
				field, pods, g.SGPodsPerNode, group.MaxPods, group.SetBy)
		}
		var per PerNode
		var node, pod subnet.Need
		largest := -1
		for _, inst := range instances {
			a, err := ipam.NodeDemand(inst, f.CNI.Settings(g.SGPodsPerNode), group.MaxPods, pods)
			if err != nil {
				return nil, fmt.Errorf("%s: %w", field, err)
			}
			if a.PodsWithoutAddress > 0 {
				s.Warnings = append(s.Warnings, fmt.Sprintf("%s: %s: %d of %d pods per node get no address: lower podsPerNode or change the CNI settings",
					field, inst.Name, a.PodsWithoutAddress, pods))
			}
			// Any node may be of any of the types: size for the most of each.
			n, p := a.NodeSubnetNeed(), a.PodSubnetNeed()
			node = subnet.Need{Addresses: max(node.Addresses, n.Addresses), Blocks: max(node.Blocks, n.Blocks)}
			pod = subnet.Need{Addresses: max(pod.Addresses, p.Addresses), Blocks: max(pod.Blocks, p.Blocks)}
			if total := a.NodeSubnetAddresses + a.PodSubnetAddresses; total > largest {
				largest, per.SizedBy = total, inst.Name
			}
		}
		per.NodeSubnetAddresses, per.PodSubnetAddresses = node.Total(), pod.Total()
		per.Prefixes = node.Blocks + pod.Blocks
		// Nodes spread evenly over the group's AZs, rounding up, plus the
		// surge of a rolling update in each.
		nodes, err := subnet.NodesPerAZ(g.Nodes, len(g.AZs), surge)
		if err != nil {
			return nil, fmt.Errorf("%s: %w", field, err)
		}
		future, err := subnet.NodesPerAZ(g.FutureNodes, len(g.AZs), surge)
		if err != nil {
			return nil, fmt.Errorf("%s: %w", field, err)
		}
		d.groups = append(d.groups, NodeGroupResult{
			Name: g.Name, InstanceTypes: g.InstanceTypes, MaxPods: group.MaxPods, SetBy: group.SetBy,
			PodsPerNode: pods, PerNode: per, Nodes: g.Nodes, FutureNodes: g.FutureNodes, AZs: g.AZs,
		})
		for _, az := range g.AZs {
			for role, perNode := range map[Role]subnet.Need{RoleNode: node, RolePod: pod} {
				r := d.perAZ[az][role]
				r.now = r.now.Plus(perNode.Times(nodes))
				r.future = r.future.Plus(perNode.Times(future))
				r.nodes += nodes
				r.futureNodes += future
				r.parts = append(r.parts, demandPart{nodes: g.Nodes, azs: len(g.AZs), perNode: perNode})
			}
		}
	}
	return d, nil
}

// runway is the first month, counted from today, in which an AZ's nodes,
// each group grown by g and spread with its surge, no longer fit a subnet of
// length p (subnet.FirstMonthOver); false if they fit for ten years.
func runway(r *roleDemand, g subnet.Growth, surge int, p subnet.PrefixLen) (int, bool) {
	parts := make([]subnet.Part, len(r.parts))
	for i, part := range r.parts {
		parts[i] = subnet.Part{Nodes: part.nodes, Spread: subnet.Spread{AZs: part.azs, Surge: surge}, PerNode: part.perNode}
	}
	return subnet.FirstMonthOver(p, r.now, parts, g, subnet.RunwayHorizonMonths)
}

// cniEnv is the aws-node environment the plan assumes, and the kubectl
// command that sets it.
func cniEnv(c CNI) CNIResult {
	var env []EnvVar
	add := func(name, value string) { env = append(env, EnvVar{Name: name, Value: value}) }
	if c.CustomNetworking {
		add("AWS_VPC_K8S_CNI_CUSTOM_NETWORK_CFG", "true")
		add("ENI_CONFIG_LABEL_DEF", c.ENIConfigLabel)
	}
	if c.PrefixDelegation {
		add("ENABLE_PREFIX_DELEGATION", "true")
		if c.WarmPrefixTarget != nil {
			add("WARM_PREFIX_TARGET", strconv.Itoa(*c.WarmPrefixTarget))
		}
	} else if c.WarmENITarget != nil {
		add("WARM_ENI_TARGET", strconv.Itoa(*c.WarmENITarget))
	}
	if c.WarmIPTarget != nil {
		add("WARM_IP_TARGET", strconv.Itoa(*c.WarmIPTarget))
	}
	if c.MinimumIPTarget != nil {
		add("MINIMUM_IP_TARGET", strconv.Itoa(*c.MinimumIPTarget))
	}
	if c.MaxENI > 0 {
		add("MAX_ENI", strconv.Itoa(c.MaxENI))
	}
	if c.SecurityGroupsForPods {
		add("ENABLE_POD_ENI", "true")
	}
	parts := []string{"kubectl set env daemonset aws-node -n kube-system"}
	for _, e := range env {
		parts = append(parts, e.Name+"="+e.Value)
	}
	res := CNIResult{Env: env, ENIConfigLabel: c.ENIConfigLabel}
	if len(env) > 0 {
		res.KubectlSetEnv = strings.Join(parts, " ")
	}
	if res.Env == nil {
		res.Env = []EnvVar{}
	}
	return res
}

// roleTags are the tags a subnet of role carries for the AWS Load Balancer
// Controller (vpc-rules.md).
func roleTags(r Role) map[string]string {
	switch r {
	case RolePublic:
		return map[string]string{"kubernetes.io/role/elb": "1"}
	case RoleNode:
		return map[string]string{"kubernetes.io/role/internal-elb": "1"}
	}
	return nil
}
