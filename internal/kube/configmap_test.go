package kube

import (
	"fmt"
	"strings"
	"testing"

	"github.com/eksnet/eksnet/internal/cni"
	"github.com/eksnet/eksnet/internal/fuzzbound"
)

// The amazon-vpc-cni ConfigMap as the VPC resource controller reads it for
// Windows nodes.
func TestWindowsCNI(t *testing.T) {
	cm := func(data string) []byte {
		return []byte("apiVersion: v1\nkind: ConfigMap\nmetadata: {name: amazon-vpc-cni, namespace: kube-system}\ndata:\n" + data)
	}
	for _, tt := range []struct {
		name          string
		doc           []byte
		pd            bool
		warm, minimum int
		err           string
	}{
		{"the EKS default", cm("  enable-windows-ipam: \"true\"\n"), false, 0, 0, ""},
		{"prefix delegation", cm("  enable-windows-ipam: \"true\"\n  enable-windows-prefix-delegation: \"true\"\n"), true, 0, 0, ""},
		{"targets", cm("  warm-ip-target: \"5\"\n  minimum-ip-target: \"10\"\n"), false, 5, 10, ""},
		{"windows- spellings", cm("  windows-warm-ip-target: \"2\"\n  windows-minimum-ip-target: \"4\"\n"), false, 2, 4, ""},
		{"the plain key wins", cm("  warm-ip-target: \"1\"\n  windows-warm-ip-target: \"7\"\n"), false, 1, 0, ""},
		{"an explicit 0 warm IP target is 1 in secondary-IP mode", cm("  warm-ip-target: \"0\"\n  minimum-ip-target: \"0\"\n"), false, 1, 0, ""},
		{"warm prefixes with warm IPs: the IPs rule", cm("  enable-windows-prefix-delegation: \"true\"\n  warm-prefix-target: \"2\"\n  warm-ip-target: \"4\"\n"), true, 4, 0, ""},
		{"warm prefixes alone", cm("  enable-windows-prefix-delegation: \"true\"\n  warm-prefix-target: \"2\"\n"), true, 0, 0,
			"amazon-vpc-cni ConfigMap: warm-prefix-target=2 without warm-ip-target or minimum-ip-target: the Windows pool by warm prefixes is not modelled; set the warm IP targets instead"},
		{"bad number", cm("  warm-ip-target: \"three\"\n"), false, 0, 0, `amazon-vpc-cni ConfigMap: warm-ip-target="three" is not a whole number, 0 or more`},
		{"bad switch", cm("  enable-windows-prefix-delegation: \"yes please\"\n"), false, 0, 0, `amazon-vpc-cni ConfigMap: enable-windows-prefix-delegation="yes please" is not true or false`},
		{"another ConfigMap", []byte("kind: ConfigMap\nmetadata: {name: coredns}\n"), false, 0, 0, `amazon-vpc-cni ConfigMap: the ConfigMap is "coredns", not amazon-vpc-cni`},
		{"not a ConfigMap", []byte("kind: DaemonSet\n"), false, 0, 0, `amazon-vpc-cni ConfigMap: the file holds kind "DaemonSet", not a ConfigMap (kubectl get configmap amazon-vpc-cni -n kube-system -o yaml)`},
		{"JSON", []byte(`{"kind": "ConfigMap", "metadata": {"name": "amazon-vpc-cni"}, "data": {"minimum-ip-target": "6"}}`), false, 0, 6, ""},
	} {
		cfg, err := WindowsCNI(tt.doc, cni.LatestVersion)
		switch {
		case tt.err != "":
			if err == nil || err.Error() != tt.err {
				t.Errorf("%s: err = %v, want %q", tt.name, err, tt.err)
			}
		case err != nil:
			t.Errorf("%s: %v", tt.name, err)
		case !cfg.IsWindows() || cfg.PrefixDelegation != tt.pd || cfg.WarmIPTarget != tt.warm || cfg.MinimumIPTarget != tt.minimum || cfg.WarmPrefixTarget != 0:
			t.Errorf("%s: %+v", tt.name, cfg)
		}
	}
}

func FuzzWindowsCNI(f *testing.F) {
	f.Add([]byte("kind: ConfigMap\nmetadata: {name: amazon-vpc-cni}\ndata: {warm-ip-target: \"5\"}\n"))
	f.Fuzz(func(t *testing.T, data []byte) {
		defer fuzzbound.Start(t)()
		cfg, err := WindowsCNI(data, cni.LatestVersion)
		if err != nil {
			if msg := err.Error(); msg == "" || strings.Contains(msg, "\n") {
				t.Fatalf("error %q", msg)
			}
			return
		}
		if cfg.WarmIPTarget < 0 || cfg.MinimumIPTarget < 0 || !cfg.IsWindows() {
			t.Fatalf("%+v", cfg)
		}
	})
}

// What a Windows plan tells the user to set (cni.Config.WindowsConfigMap)
// reads back as the same configuration.
func TestWindowsConfigMapRoundTrip(t *testing.T) {
	for _, want := range []cni.Config{
		{Version: cni.LatestVersion, OS: cni.Windows},
		{Version: cni.LatestVersion, OS: cni.Windows, PrefixDelegation: true},
		{Version: cni.LatestVersion, OS: cni.Windows, WarmIPTarget: 5, MinimumIPTarget: 12},
		{Version: cni.LatestVersion, OS: cni.Windows, PrefixDelegation: true, MinimumIPTarget: 40},
	} {
		var b strings.Builder
		b.WriteString("kind: ConfigMap\nmetadata: {name: amazon-vpc-cni}\ndata:\n")
		for k, v := range want.WindowsConfigMap() {
			fmt.Fprintf(&b, "  %s: %q\n", k, v)
		}
		got, err := WindowsCNI([]byte(b.String()), cni.LatestVersion)
		if err != nil || got != want {
			t.Errorf("%+v read back as %+v (%v)", want, got, err)
		}
	}
}
