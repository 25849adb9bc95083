package ipam

import (
	"github.com/eksnet/eksnet/internal/cni"
	"github.com/eksnet/eksnet/internal/limits"
)

// setup is a test case's CNI configuration with what runs on the node, so
// that table rows stay one literal each.
type setup struct {
	cni.Config
	IPv6   bool
	SGPods int
}

func defaults() setup { return setup{Config: cni.DefaultConfig()} }

func (s setup) config() cni.Config {
	c := s.Config
	if c.Version == (cni.Version{}) {
		c.Version = cni.LatestVersion
	}
	c.IPFamily = cni.IPv4
	if s.IPv6 {
		c.IPFamily = cni.IPv6
	}
	return c
}

func demand(inst limits.Instance, s setup, maxPods, pods int) (Demand, error) {
	return NodeDemand(inst, s.config(), Load{KubeletMaxPods: maxPods, Pods: pods, SGPods: s.SGPods})
}
