package plan

import (
	"fmt"
	"slices"
	"strconv"
	"strings"

	"github.com/eksnet/eksnet/internal/formula"
	"github.com/eksnet/eksnet/internal/limits"
)

// Model is the per-node demand and the subnet sizing a plan is built on:
// internal/ipam's NodeDemand and internal/subnet's sizing and runway. The
// planner takes them as functions so that it is tested on its own.
type Model struct {
	// NodeDemand returns the addresses one node of inst takes from its node
	// and pod subnets with pods pods (and sgPods on branch ENIs) under the
	// kubelet's max pods, and how many aligned /28s are among them.
	NodeDemand func(inst limits.Instance, cni CNI, sgPods, kubeletMaxPods, pods int) (NodeAddresses, error)
	// SubnetBits returns the longest prefix length of a subnet that holds
	// addresses, of which prefixBlocks are aligned, fully free /28s.
	SubnetBits func(addresses, prefixBlocks int) (int, error)
	// Usable is the number of addresses a /bits subnet offers (size − 5).
	Usable func(bits int) int
	// RunwayMonths returns the whole months until a demand of neededNow,
	// growing at the plan's rate, exceeds usable; false without growth or
	// beyond its horizon.
	RunwayMonths func(usable, neededNow int) (int, bool)
}

// NodeAddresses is one node's demand on its subnets (ipam.md "Closed form").
type NodeAddresses struct {
	NodeSubnet         int // addresses from the node's subnet
	PodSubnet          int // addresses from the ENIConfig subnet (custom networking)
	NodeSubnetPrefixes int // aligned /28s among NodeSubnet (prefix mode)
	PodSubnetPrefixes  int // aligned /28s among PodSubnet
}

// roleDemand is what the nodes of one AZ take from one subnet.
type roleDemand struct {
	now, future, prefixesFuture int
	nodes, futureNodes          int
}

// demands is the plan's demand per AZ and role, and per node group.
type demands struct {
	groups []NodeGroupResult
	perAZ  map[string]map[Role]*roleDemand
}

// Build lays out the plan: the node groups' demand per AZ (Model), then the
// subnets carved in a fixed order (see layout), the prefix reservations and
// the checks that each subnet holds what it is planned for. A plan that
// does not fit is a *NoFitError saying by how much and what change fits.
func Build(s *Spec, table *limits.Table, m Model) (*Result, error) {
	d, err := computeDemand(s, table, m)
	if err != nil {
		return nil, err
	}
	res, miss, err := layout(s, d, m)
	if err != nil {
		return nil, err
	}
	if miss != nil {
		return nil, explainMiss(s, table, m, miss)
	}
	return res, nil
}

func computeDemand(s *Spec, table *limits.Table, m Model) (*demands, error) {
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
		var perAddr NodeAddresses
		largest := -1
		for _, inst := range instances {
			a, err := m.NodeDemand(inst, f.CNI, g.SGPodsPerNode, group.MaxPods, pods)
			if err != nil {
				return nil, fmt.Errorf("%s: %s: %w", field, inst.Name, err)
			}
			// Any node may be of any of the types: size for the most of each.
			perAddr.NodeSubnet = max(perAddr.NodeSubnet, a.NodeSubnet)
			perAddr.PodSubnet = max(perAddr.PodSubnet, a.PodSubnet)
			perAddr.NodeSubnetPrefixes = max(perAddr.NodeSubnetPrefixes, a.NodeSubnetPrefixes)
			perAddr.PodSubnetPrefixes = max(perAddr.PodSubnetPrefixes, a.PodSubnetPrefixes)
			if total := a.NodeSubnet + a.PodSubnet; total > largest {
				largest, per.SizedBy = total, inst.Name
			}
		}
		per.NodeSubnetAddresses, per.PodSubnetAddresses = perAddr.NodeSubnet, perAddr.PodSubnet
		per.Prefixes = perAddr.NodeSubnetPrefixes + perAddr.PodSubnetPrefixes
		// Nodes spread evenly over the group's AZs, rounding up, plus the
		// surge of a rolling update in each.
		nodes := ceilDiv(g.Nodes, len(g.AZs)) + surge
		future := ceilDiv(g.FutureNodes, len(g.AZs)) + surge
		d.groups = append(d.groups, NodeGroupResult{
			Name: g.Name, InstanceTypes: g.InstanceTypes, MaxPods: group.MaxPods, SetBy: group.SetBy,
			PodsPerNode: pods, PerNode: per, Nodes: g.Nodes, FutureNodes: g.FutureNodes, AZs: g.AZs,
		})
		for _, az := range g.AZs {
			nd, pd := d.perAZ[az][RoleNode], d.perAZ[az][RolePod]
			nd.now += nodes * perAddr.NodeSubnet
			nd.future += future * perAddr.NodeSubnet
			nd.prefixesFuture += future * perAddr.NodeSubnetPrefixes
			pd.now += nodes * perAddr.PodSubnet
			pd.future += future * perAddr.PodSubnet
			pd.prefixesFuture += future * perAddr.PodSubnetPrefixes
			for _, r := range []*roleDemand{nd, pd} {
				r.nodes += nodes
				r.futureNodes += future
			}
		}
	}
	return d, nil
}

// withHeadroom adds pct percent to n, rounding up.
func withHeadroom(n, pct int) int { return ceilDiv(n*(100+pct), 100) }

func ceilDiv(a, b int) int {
	if b <= 0 {
		return 0
	}
	return (a + b - 1) / b
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

// azIndex orders AZs as the plan lists them.
func azIndex(azs []string, az string) int { return slices.Index(azs, az) }
