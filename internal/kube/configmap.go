package kube

import (
	"fmt"
	"strconv"

	"gopkg.in/yaml.v3"

	"github.com/eksnet/eksnet/internal/cni"
	"github.com/eksnet/eksnet/internal/prose"
)

type configMap struct {
	Kind     string `yaml:"kind"`
	Metadata struct {
		Name string `yaml:"name"`
	} `yaml:"metadata"`
	Data map[string]string `yaml:"data"`
}

// WindowsCNI reads the amazon-vpc-cni ConfigMap (kubectl get configmap
// amazon-vpc-cni -n kube-system -o yaml, or -o json) and returns the
// configuration of Windows nodes' addresses, with version as the CNI
// release: prefix delegation from enable-windows-prefix-delegation, and
// the warm IP targets into WarmIPTarget and MinimumIPTarget (0 when unset,
// so that the controller's defaults apply). A value the controller would
// not parse is an error naming the key, where the controller would fall
// back; a warm-prefix-target that takes effect (prefix delegation, no warm
// IP target) is refused, as eksnet does not model it
// (docs/node-addresses.md "Windows nodes").
func WindowsCNI(data []byte, version cni.Version) (cni.Config, error) {
	cfg := cni.Config{Version: version, OS: cni.Windows}
	var cm configMap
	if err := yaml.Unmarshal(data, &cm); err != nil {
		return cfg, fmt.Errorf("amazon-vpc-cni ConfigMap: not YAML or JSON: %s", prose.OneLine(err.Error()))
	}
	if cm.Kind != "ConfigMap" {
		return cfg, fmt.Errorf("amazon-vpc-cni ConfigMap: the file holds kind %q, not a ConfigMap (kubectl get configmap amazon-vpc-cni -n kube-system -o yaml)", cm.Kind)
	}
	if cm.Metadata.Name != cni.ConfigMapName {
		return cfg, fmt.Errorf("amazon-vpc-cni ConfigMap: the ConfigMap is %q, not %s", prose.Printable(cm.Metadata.Name), cni.ConfigMapName)
	}
	get := func(key string) (string, bool) {
		if v, ok := cm.Data[key]; ok {
			return v, true
		}
		v, ok := cm.Data[cni.ConfigMapWindowsKeyPrefix+key]
		return v, ok
	}
	if v, ok := cm.Data[cni.ConfigMapWindowsPrefixDelegation]; ok {
		b, err := strconv.ParseBool(v)
		if err != nil {
			return cfg, fmt.Errorf("amazon-vpc-cni ConfigMap: %s=%q is not true or false", cni.ConfigMapWindowsPrefixDelegation, prose.Printable(v))
		}
		cfg.PrefixDelegation = b
	}
	for _, t := range []struct {
		key string
		dst *int
	}{{cni.ConfigMapWarmIPTarget, &cfg.WarmIPTarget}, {cni.ConfigMapMinimumIPTarget, &cfg.MinimumIPTarget}, {cni.ConfigMapWarmPrefixTarget, &cfg.WarmPrefixTarget}} {
		v, ok := get(t.key)
		if !ok {
			continue
		}
		n, err := strconv.Atoi(v)
		if err != nil || n < 0 {
			return cfg, fmt.Errorf("amazon-vpc-cni ConfigMap: %s=%q is not a whole number, 0 or more", t.key, prose.Printable(v))
		}
		*t.dst = n
	}
	if cfg.PrefixDelegation && cfg.WarmPrefixTarget > 0 && cfg.WarmIPTarget == 0 && cfg.MinimumIPTarget == 0 {
		return cfg, fmt.Errorf("amazon-vpc-cni ConfigMap: %s=%d without %s or %s: the Windows pool by warm prefixes is not modelled; set the warm IP targets instead",
			cni.ConfigMapWarmPrefixTarget, cfg.WarmPrefixTarget, cni.ConfigMapWarmIPTarget, cni.ConfigMapMinimumIPTarget)
	}
	cfg.WarmPrefixTarget = 0
	if _, given := get(cni.ConfigMapWarmIPTarget); given && cfg.WarmIPTarget == 0 && !cfg.PrefixDelegation {
		cfg.WarmIPTarget = 1 // the controller keeps at least one warm IP in secondary-IP mode
	}
	return cfg, cfg.Validate()
}
