package kube

import (
	"errors"
	"fmt"
	"net/netip"
	"strconv"
	"strings"

	"github.com/eksnet/eksnet/internal/prose"
	json "github.com/go-json-experiment/json"
)

// Well-known node labels (kubernetes.io/docs/reference/labels-annotations-taints),
// each with the beta spelling older nodes still carry.
const (
	LabelInstanceType = "node.kubernetes.io/instance-type"
	LabelZone         = "topology.kubernetes.io/zone"
	LabelOS           = "kubernetes.io/os"

	betaLabelInstanceType = "beta.kubernetes.io/instance-type"
	betaLabelZone         = "failure-domain.beta.kubernetes.io/zone"
	betaLabelOS           = "beta.kubernetes.io/os"
)

// Node is one node as `kubectl get nodes -o json` shows it: the fields the
// audit reads.
type Node struct {
	Name         string            `json:"name"`
	InstanceType string            `json:"instanceType"`
	Zone         string            `json:"zone"`
	OS           string            `json:"os"`
	InstanceID   string            `json:"instanceId,omitempty"` // from spec.providerID, aws:///ZONE/i-...
	InternalIP   netip.Addr        `json:"internalIP,omitzero"`
	Labels       map[string]string `json:"-"`
	// CapacityPods is status.capacity.pods: the kubelet's max pods.
	CapacityPods int `json:"capacityPods"`
	// CapacityMemory and AllocatableMemory are in bytes; their difference
	// is kube-reserved, system-reserved and the eviction threshold.
	CapacityMemory    int64 `json:"capacityMemoryBytes"`
	AllocatableMemory int64 `json:"allocatableMemoryBytes"`
}

type nodeList struct {
	Kind  string     `json:"kind"`
	Items []nodeJSON `json:"items"`
}

type nodeJSON struct {
	Kind     string `json:"kind"`
	Metadata struct {
		Name   string            `json:"name"`
		Labels map[string]string `json:"labels"`
	} `json:"metadata"`
	Spec struct {
		ProviderID string `json:"providerID"`
	} `json:"spec"`
	Status struct {
		Capacity    map[string]string `json:"capacity"`
		Allocatable map[string]string `json:"allocatable"`
		Addresses   []struct {
			Type    string `json:"type"`
			Address string `json:"address"`
		} `json:"addresses"`
	} `json:"status"`
}

// MaxNodes bounds a node list: far above EKS's largest clusters.
const MaxNodes = 100_000

// ParseNodes reads `kubectl get nodes -o json`: a List of Nodes (or one
// Node). Every node must carry its instance type and zone labels and a
// capacity and allocatable with pods and memory, or the audit would guess.
func ParseNodes(data []byte) ([]Node, error) {
	var list nodeList
	if err := json.Unmarshal(data, &list); err != nil {
		return nil, fmt.Errorf("nodes: not the JSON of kubectl get nodes -o json: %s", prose.OneLine(err.Error()))
	}
	items := list.Items
	switch list.Kind {
	case "List", "NodeList":
	case "Node":
		var one nodeJSON
		_ = json.Unmarshal(data, &one) // decoded above as a list already
		items = []nodeJSON{one}
	default:
		return nil, fmt.Errorf("nodes: the file holds kind %q, not a List of Nodes: give the output of kubectl get nodes -o json", list.Kind)
	}
	if len(items) > MaxNodes {
		return nil, fmt.Errorf("nodes: %d nodes, more than the %d eksnet audits", len(items), MaxNodes)
	}
	nodes := make([]Node, 0, len(items))
	seen := make(map[string]bool, len(items))
	for i, it := range items {
		n, err := nodeOf(it)
		if err != nil {
			name := it.Metadata.Name
			if name == "" {
				name = fmt.Sprintf("item %d", i)
			}
			return nil, fmt.Errorf("nodes: %s: %w", name, err)
		}
		if seen[n.Name] {
			return nil, fmt.Errorf("nodes: %s is listed twice", n.Name)
		}
		seen[n.Name] = true
		nodes = append(nodes, n)
	}
	return nodes, nil
}

func nodeOf(it nodeJSON) (Node, error) {
	if it.Kind != "" && it.Kind != "Node" {
		return Node{}, fmt.Errorf("kind %q, not a Node", it.Kind)
	}
	labels := it.Metadata.Labels
	label := func(key, beta string) string {
		if v := labels[key]; v != "" {
			return v
		}
		return labels[beta]
	}
	n := Node{
		Name: it.Metadata.Name, Labels: labels,
		InstanceType: label(LabelInstanceType, betaLabelInstanceType),
		Zone:         label(LabelZone, betaLabelZone),
		OS:           label(LabelOS, betaLabelOS),
	}
	switch {
	case n.Name == "":
		return n, errors.New("no metadata.name")
	case n.InstanceType == "":
		return n, fmt.Errorf("no %s label: not an EC2 node", LabelInstanceType)
	case n.Zone == "":
		return n, fmt.Errorf("no %s label", LabelZone)
	}
	if n.OS == "" {
		n.OS = "linux"
	}
	if id, ok := instanceID(it.Spec.ProviderID); ok {
		n.InstanceID = id
	} else if it.Spec.ProviderID != "" {
		return n, fmt.Errorf("spec.providerID %q is not aws:///ZONE/INSTANCE-ID", it.Spec.ProviderID)
	}
	for _, a := range it.Status.Addresses {
		if a.Type == "InternalIP" {
			if ip, err := netip.ParseAddr(a.Address); err == nil && ip.Is4() && !n.InternalIP.IsValid() {
				n.InternalIP = ip
			}
		}
	}
	var err error
	if n.CapacityPods, err = podCount(it.Status.Capacity["pods"]); err != nil {
		return n, fmt.Errorf("status.capacity.pods: %w", err)
	}
	if n.CapacityMemory, err = ParseBytes(it.Status.Capacity["memory"]); err != nil {
		return n, fmt.Errorf("status.capacity.memory: %w", err)
	}
	if n.AllocatableMemory, err = ParseBytes(it.Status.Allocatable["memory"]); err != nil {
		return n, fmt.Errorf("status.allocatable.memory: %w", err)
	}
	if n.AllocatableMemory > n.CapacityMemory {
		return n, fmt.Errorf("allocatable memory %d is more than capacity %d", n.AllocatableMemory, n.CapacityMemory)
	}
	return n, nil
}

// instanceID is the EC2 instance ID of an AWS providerID, aws:///ZONE/ID.
func instanceID(providerID string) (string, bool) {
	rest, ok := strings.CutPrefix(providerID, "aws:///")
	if !ok {
		return "", false
	}
	_, id, ok := strings.Cut(rest, "/")
	if !ok || !strings.HasPrefix(id, "i-") || len(id) < 10 || len(id) > 19 || strings.Trim(id[2:], "0123456789abcdef") != "" {
		return "", false
	}
	return id, true
}

func podCount(s string) (int, error) {
	n, err := strconv.Atoi(s)
	if err != nil || n < 0 || n > 100_000 {
		return 0, fmt.Errorf("%q is not a pod count (0 to 100000)", s)
	}
	return n, nil
}

// quantitySuffixes are the Kubernetes quantity suffixes a memory amount is
// written with: binary, then decimal.
var quantitySuffixes = []struct {
	suffix string
	scale  int64
}{
	{"Ki", 1 << 10}, {"Mi", 1 << 20}, {"Gi", 1 << 30}, {"Ti", 1 << 40},
	{"k", 1e3}, {"M", 1e6}, {"G", 1e9}, {"T", 1e12},
}

// ParseBytes reads a memory quantity as the kubelet reports it: an integer
// with an optional binary (Ki, Mi, Gi, Ti) or decimal (k, M, G, T) suffix.
// Fractions and exponents, which no kubelet prints for memory, are refused.
func ParseBytes(s string) (int64, error) {
	digits, scale := s, int64(1)
	for _, q := range quantitySuffixes {
		if d, ok := strings.CutSuffix(s, q.suffix); ok {
			digits, scale = d, q.scale
			break
		}
	}
	n, err := strconv.ParseInt(digits, 10, 64)
	if err != nil || n < 0 || digits == "" || digits[0] == '+' || n > (1<<62)/scale {
		return 0, fmt.Errorf("%q is not a memory quantity such as 7869560Ki", s)
	}
	return n * scale, nil
}
