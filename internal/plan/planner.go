package plan

import (
	"errors"
	"fmt"
	"net/netip"
	"slices"
	"strings"

	"mvdan.cc/sh/v3/syntax"

	"github.com/eksnet/eksnet/internal/capacity"
	"github.com/eksnet/eksnet/internal/cni"
	"github.com/eksnet/eksnet/internal/limits"
)

// demands is the plan's demand per AZ and role, and per node group.
type demands struct {
	groups []NodeGroupResult
	perAZ  map[string]map[Role]*capacity.RoleDemand
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
	res, miss, spec, err := layoutAuto(s, d)
	if err != nil {
		return nil, err
	}
	if miss != nil {
		return nil, explainMiss(spec, table, miss)
	}
	*s = *spec
	return res, nil
}

// layoutAuto is layout, where "auto" asks for CG-NAT space: as many /16s
// of it as the pod subnets need, one more at a time, within the VPC's CIDR
// block quota. spec is s with the blocks taken.
func layoutAuto(s *Spec, d *demands) (res *Result, miss *missReport, spec *Spec, err error) {
	res, miss, err = layout(s, d)
	if err != nil {
		return nil, nil, nil, err
	}
	grown := s
	for miss != nil && miss.onlyPodPoolShort() && asksAutoBlocks(s.File) {
		next, err := Validate(withMoreAutoBlocks(s.File, grown.PodBlocks, 1))
		if err != nil {
			break // the quota, or no free /16 left: the caller explains the miss
		}
		r, m, err := layout(next, d)
		if err != nil {
			break
		}
		grown, res, miss = next, r, m
	}
	if miss != nil {
		return nil, miss, s, nil
	}
	if grown != s {
		res.Notes = append(res.Notes, fmt.Sprintf("cni.secondaryCIDR auto: the pod subnets take %d /16s of 100.64.0.0/10 (%s)", len(grown.PodBlocks), joinPrefixes(grown.PodBlocks)))
	}
	return res, nil, grown, nil
}

// asksAutoBlocks reports whether the file leaves a secondary block to eksnet (auto).
func asksAutoBlocks(f File) bool {
	return isAuto(f.CNI.SecondaryCIDR) || slices.ContainsFunc(f.CNI.SecondaryCIDRs, isAuto)
}

// isAuto reports whether a secondary block is left to eksnet: "auto", in any case.
func isAuto(block string) bool { return strings.EqualFold(strings.TrimSpace(block), Auto) }

// withMoreAutoBlocks is f with its pod blocks pinned to those resolved and
// extra more auto blocks after them.
func withMoreAutoBlocks(f File, resolved []netip.Prefix, extra int) File {
	g := cloneFile(f)
	g.CNI.SecondaryCIDR = ""
	g.CNI.SecondaryCIDRs = prefixStrings(resolved)
	for range extra {
		g.CNI.SecondaryCIDRs = append(g.CNI.SecondaryCIDRs, Auto)
	}
	return g
}

// computeDemand runs the plan's node groups through the capacity engine
// (capacity.NodeGroups), the same demand model as `eksnet subnet size`.
// Types that fall back to another mode, and pools that cannot address every
// pod, become warnings.
func computeDemand(s *Spec, table *limits.Table) (*demands, error) {
	f := s.File
	groups := make([]capacity.Group, len(f.NodeGroups))
	for i, g := range f.NodeGroups {
		instances := make([]limits.Instance, 0, len(g.InstanceTypes))
		for _, name := range g.InstanceTypes {
			inst, err := table.Lookup(name)
			if err != nil {
				return nil, fmt.Errorf("%s.instanceTypes: %w", groupField(i, g.Name), err)
			}
			instances = append(instances, inst)
		}
		pods := g.PodsPerNode
		if pods == 0 {
			pods = capacity.HighWaterMark
		}
		groups[i] = capacity.Group{
			Name: g.Name, Instances: instances, PodsPerNode: pods, SGPodsPerNode: g.SGPodsPerNode,
			Nodes: g.Nodes, FutureNodes: g.FutureNodes, AZs: g.AZs,
		}
	}
	cd, err := capacity.NodeGroups(s.CNI, groups, capacity.Options{Surge: *f.Surge})
	if err != nil {
		var ge *capacity.GroupError
		if errors.As(err, &ge) {
			field := groupField(ge.Index, ge.Name)
			if ge.Field != "" {
				field += "." + ge.Field
			}
			return nil, fmt.Errorf("%s: %w", field, ge.Err)
		}
		return nil, err
	}
	d := &demands{perAZ: map[string]map[Role]*capacity.RoleDemand{}}
	for _, az := range f.AZs {
		d.perAZ[az] = map[Role]*capacity.RoleDemand{RoleNode: {}, RolePod: {}}
		if roles := cd.PerAZ[az]; roles != nil {
			d.perAZ[az][RoleNode], d.perAZ[az][RolePod] = roles[capacity.RoleNode], roles[capacity.RolePod]
		}
	}
	for i, g := range f.NodeGroups {
		gd := cd.Groups[i]
		field := groupField(i, g.Name)
		for _, fb := range gd.Fallbacks {
			s.Warnings = append(s.Warnings, fmt.Sprintf("%s: %s: %s", field, fb.InstanceType, fb.Message))
		}
		for _, u := range gd.Unaddressed {
			s.Warnings = append(s.Warnings, fmt.Sprintf("%s: %s: %d of %d pods per node get no address: lower podsPerNode or change the CNI settings",
				field, u.InstanceType, u.Pods, gd.PodsPerNode))
		}
		d.groups = append(d.groups, NodeGroupResult{
			Name: g.Name, InstanceTypes: g.InstanceTypes, MaxPods: gd.MaxPods, SetBy: gd.SetBy, PodsPerNode: gd.PodsPerNode,
			PerNode: PerNode{SizedBy: gd.SizedBy, NodeSubnetAddresses: gd.NodeNeed.Total(), PodSubnetAddresses: gd.PodNeed.Total(),
				Prefixes: gd.NodeNeed.Blocks + gd.PodNeed.Blocks},
			Nodes: g.Nodes, FutureNodes: g.FutureNodes, AZs: g.AZs,
		})
	}
	return d, nil
}

// groupField names a node group in errors: nodeGroups[1] (web).
func groupField(i int, name string) string {
	if name == "" {
		return fmt.Sprintf("nodeGroups[%d]", i)
	}
	return fmt.Sprintf("nodeGroups[%d] (%s)", i, name)
}

// cniEnv is the aws-node environment the plan assumes (cni.Config.Env),
// and the kubectl command that sets it, every value quoted for the shell.
func cniEnv(c cni.Config) (CNIResult, error) {
	res := CNIResult{Env: []cni.EnvVar{}, ENIConfigLabel: c.ENIConfigLabel}
	if c.IsWindows() {
		res.WindowsConfigMap = c.WindowsConfigMap()
		res.KubectlPatchConfigMap = cni.ConfigMapPatch(res.WindowsConfigMap)
	}
	env := c.Env()
	if len(env) == 0 {
		return res, nil
	}
	parts := []string{"kubectl set env daemonset aws-node -n kube-system"}
	for _, e := range env {
		res.Env = append(res.Env, e)
		value, err := syntax.Quote(e.Value, syntax.LangPOSIX) // the names are the CNI's own, never quoted
		if err != nil {
			return CNIResult{}, fmt.Errorf("cni: %s=%q cannot be written as a shell word: %w", e.Name, e.Value, err)
		}
		parts = append(parts, e.Name+"="+value)
	}
	res.KubectlSetEnv = strings.Join(parts, " ")
	return res, nil
}

// roleTags are the tags a subnet of role carries: for the AWS Load Balancer
// Controller (docs/vpc-rules.md), and kubernetes.io/role/cni=1 on the pod
// subnets that subnet discovery finds (docs/node-addresses.md "Subnet discovery").
func roleTags(r Role, discovered bool) map[string]string {
	switch r {
	case RolePod:
		if discovered {
			return map[string]string{cni.SubnetDiscoveryTag: "1"}
		}
	case RolePublic:
		return map[string]string{"kubernetes.io/role/elb": "1"}
	case RoleNode:
		return map[string]string{"kubernetes.io/role/internal-elb": "1"}
	}
	return nil
}
