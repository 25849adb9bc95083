package kube

import (
	"fmt"

	"github.com/eksnet/eksnet/internal/prose"
	json "github.com/go-json-experiment/json"
)

// PodENIAnnotation marks a pod with its own security groups: the VPC
// resource controller gives it a branch ENI, not a pool address.
const PodENIAnnotation = "vpc.amazonaws.com/pod-eni"

// PodCounts is what runs on one node, as the address pool sees it.
type PodCounts struct {
	Pool        int `json:"pool"`        // pods with an address from the node's warm pool
	Branch      int `json:"branch"`      // pods on branch ENIs (security groups for pods)
	HostNetwork int `json:"hostNetwork"` // pods on the node's own address
}

type podList struct {
	Kind  string `json:"kind"`
	Items []struct {
		Metadata struct {
			Annotations map[string]string `json:"annotations"`
		} `json:"metadata"`
		Spec struct {
			NodeName    string `json:"nodeName"`
			HostNetwork bool   `json:"hostNetwork"`
		} `json:"spec"`
		Status struct {
			Phase string `json:"phase"`
		} `json:"status"`
	} `json:"items"`
}

// MaxPods bounds a pod list: EKS's largest clusters run far fewer.
const MaxPods = 2_000_000

// ParsePods reads `kubectl get pods -A -o json` and counts, per node, the
// pods that hold an address: scheduled, and neither Succeeded nor Failed
// (those have released theirs).
func ParsePods(data []byte) (map[string]PodCounts, error) {
	var list podList
	if err := json.Unmarshal(data, &list); err != nil {
		return nil, fmt.Errorf("pods: not the JSON of kubectl get pods -A -o json: %s", prose.OneLine(err.Error()))
	}
	if list.Kind != "List" && list.Kind != "PodList" {
		return nil, fmt.Errorf("pods: the file holds kind %q, not a List of Pods: give the output of kubectl get pods -A -o json", list.Kind)
	}
	if len(list.Items) > MaxPods {
		return nil, fmt.Errorf("pods: %d pods, more than the %d eksnet reads", len(list.Items), MaxPods)
	}
	counts := map[string]PodCounts{}
	for _, p := range list.Items {
		if p.Spec.NodeName == "" || p.Status.Phase == "Succeeded" || p.Status.Phase == "Failed" {
			continue
		}
		c := counts[p.Spec.NodeName]
		switch {
		case p.Spec.HostNetwork:
			c.HostNetwork++
		case p.Metadata.Annotations[PodENIAnnotation] != "":
			c.Branch++
		default:
			c.Pool++
		}
		counts[p.Spec.NodeName] = c
	}
	return counts, nil
}
