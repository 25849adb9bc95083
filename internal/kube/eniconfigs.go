package kube

import (
	"fmt"

	"github.com/eksnet/eksnet/internal/prose"
	json "github.com/go-json-experiment/json"
)

// ENIConfig is one ENIConfig (crd.k8s.amazonaws.com/v1alpha1): the subnet
// and security groups custom networking gives the pods of the nodes that
// select it by name.
type ENIConfig struct {
	Name           string   `json:"name"`
	Subnet         string   `json:"subnet"`
	SecurityGroups []string `json:"securityGroups,omitempty"`
}

type eniConfigList struct {
	Kind  string `json:"kind"`
	Items []struct {
		Kind     string `json:"kind"`
		Metadata struct {
			Name string `json:"name"`
		} `json:"metadata"`
		Spec struct {
			Subnet         string   `json:"subnet"`
			SecurityGroups []string `json:"securityGroups"`
		} `json:"spec"`
	} `json:"items"`
}

// ParseENIConfigs reads `kubectl get eniconfigs -o json`.
func ParseENIConfigs(data []byte) ([]ENIConfig, error) {
	var list eniConfigList
	if err := json.Unmarshal(data, &list); err != nil {
		return nil, fmt.Errorf("ENIConfigs: not the JSON of kubectl get eniconfigs -o json: %s", prose.OneLine(err.Error()))
	}
	if list.Kind != "List" && list.Kind != "ENIConfigList" {
		return nil, fmt.Errorf("ENIConfigs: the file holds kind %q, not a List: give the output of kubectl get eniconfigs -o json", list.Kind)
	}
	out := make([]ENIConfig, 0, len(list.Items))
	seen := map[string]bool{}
	for i, it := range list.Items {
		c := ENIConfig{Name: it.Metadata.Name, Subnet: it.Spec.Subnet, SecurityGroups: it.Spec.SecurityGroups}
		switch {
		case it.Kind != "" && it.Kind != "ENIConfig":
			return nil, fmt.Errorf("ENIConfigs: item %d is kind %q, not an ENIConfig", i, it.Kind)
		case c.Name == "":
			return nil, fmt.Errorf("ENIConfigs: item %d has no metadata.name", i)
		case seen[c.Name]:
			return nil, fmt.Errorf("ENIConfigs: %s is listed twice", c.Name)
		}
		seen[c.Name] = true
		out = append(out, c)
	}
	return out, nil
}
