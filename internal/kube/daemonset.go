package kube

import (
	"fmt"
	"slices"
	"strings"

	"gopkg.in/yaml.v3"

	"github.com/eksnet/eksnet/internal/cni"
	"github.com/eksnet/eksnet/internal/prose"
)

// daemonSet is the part of an aws-node DaemonSet (kubectl get ds aws-node
// -n kube-system -o yaml, or -o json) that holds the CNI's settings.
type daemonSet struct {
	Kind     string `yaml:"kind"`
	Metadata struct {
		Name string `yaml:"name"`
	} `yaml:"metadata"`
	Spec struct {
		Template struct {
			Spec struct {
				Containers []container `yaml:"containers"`
			} `yaml:"spec"`
		} `yaml:"template"`
	} `yaml:"spec"`
	Items []yaml.Node `yaml:"items"`
	// The EKS add-on's forms: its configurationValues ({"env": {...}}), or
	// aws eks describe-addon's answer holding them as a JSON string.
	Env   map[string]string `yaml:"env"`
	Addon *struct {
		AddonName           string `yaml:"addonName"`
		AddonVersion        string `yaml:"addonVersion"`
		ConfigurationValues string `yaml:"configurationValues"`
	} `yaml:"addon"`
}

type container struct {
	Name  string `yaml:"name"`
	Image string `yaml:"image"`
	Env   []struct {
		Name  string  `yaml:"name"`
		Value *string `yaml:"value"` // nil for valueFrom, which the plan cannot resolve
	} `yaml:"env"`
}

// DaemonSetCNI reads the aws-node DaemonSet's YAML or JSON and returns
// the VPC CNI configuration its aws-node container runs (cni.FromEnv over
// its environment, the version from the image tag); hasVersion reports that
// the image named one.
func DaemonSetCNI(data []byte) (cfg cni.Config, hasVersion bool, err error) {
	out := cni.Config{}
	var ds daemonSet
	if err := yaml.Unmarshal(data, &ds); err != nil {
		return out, false, fmt.Errorf("aws-node DaemonSet: not YAML or JSON: %s", prose.OneLine(err.Error()))
	}
	if ds.Kind == "List" {
		if len(ds.Items) != 1 {
			return out, false, fmt.Errorf("aws-node DaemonSet: the file is a List of %d objects: give the aws-node DaemonSet alone", len(ds.Items))
		}
		item := ds.Items[0]
		ds = daemonSet{}
		if err := item.Decode(&ds); err != nil {
			return out, false, fmt.Errorf("aws-node DaemonSet: %s", prose.OneLine(err.Error()))
		}
	}
	if ds.Kind == "" && (ds.Env != nil || ds.Addon != nil) {
		return addonCNI(ds)
	}
	if ds.Kind != "DaemonSet" {
		return out, false, fmt.Errorf("aws-node DaemonSet: the file holds kind %q, not a DaemonSet (kubectl get ds aws-node -n kube-system -o yaml)", ds.Kind)
	}
	containers := ds.Spec.Template.Spec.Containers
	i := slices.IndexFunc(containers, func(c container) bool { return c.Name == "aws-node" })
	if i < 0 {
		name := ds.Metadata.Name
		if name == "" {
			name = "the DaemonSet"
		}
		return out, false, fmt.Errorf("aws-node DaemonSet: %s has no container named aws-node", name)
	}
	c := containers[i]
	version := cni.LatestVersion
	if _, tag, ok := strings.Cut(c.Image[strings.LastIndex(c.Image, "/")+1:], ":"); ok {
		if v, err := cni.ParseVersion(tag); err == nil {
			version, hasVersion = v, true
		}
	}
	env := map[string]string{}
	for _, e := range c.Env {
		if e.Value != nil {
			env[e.Name] = strings.TrimSpace(*e.Value)
		}
	}
	cfg, err = cni.FromEnv(env, version)
	if err != nil {
		return cfg, hasVersion, fmt.Errorf("aws-node DaemonSet: %w", err)
	}
	return cfg, hasVersion, nil
}

// addonCNI reads the CNI settings the EKS vpc-cni add-on is configured
// with: the configurationValues' env (the add-on's schema, aws eks
// describe-addon-configuration), and from describe-addon's answer the
// version of addonVersion. The add-on renders the CNI's manifest and sets
// the configurationValues' env over it, so an unset variable keeps the
// manifest's value (cni.ManifestEnv), not the code's default.
func addonCNI(ds daemonSet) (cni.Config, bool, error) {
	env, version, hasVersion := ds.Env, cni.LatestVersion, false
	if a := ds.Addon; a != nil {
		if a.AddonName != "vpc-cni" {
			return cni.Config{}, false, fmt.Errorf("EKS add-on %q: give the vpc-cni add-on (aws eks describe-addon --addon-name vpc-cni)", a.AddonName)
		}
		if v, err := cni.ParseVersion(a.AddonVersion); err == nil {
			version, hasVersion = v, true
		}
		env = nil
		if strings.TrimSpace(a.ConfigurationValues) != "" {
			var values daemonSet
			if err := yaml.Unmarshal([]byte(a.ConfigurationValues), &values); err != nil {
				return cni.Config{}, false, fmt.Errorf("vpc-cni add-on: configurationValues is not JSON or YAML: %s", prose.OneLine(err.Error()))
			}
			env = values.Env
		}
	}
	merged := cni.ManifestEnv()
	for k, v := range env {
		merged[k] = strings.TrimSpace(v)
	}
	cfg, err := cni.FromEnv(merged, version)
	if err != nil {
		return cfg, hasVersion, fmt.Errorf("vpc-cni add-on configurationValues: %w", err)
	}
	return cfg, hasVersion, nil
}
