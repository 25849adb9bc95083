package main

import (
	"strconv"
	"strings"
	"testing"

	"github.com/eksnet/eksnet/internal/cni"
	"github.com/eksnet/eksnet/internal/limits"
)

// scriptMaxPods is a port of the removed max-pods-calculator.sh
// (awslabs/amazon-eks-ami, templates/al2/runtime/max-pods-calculator.sh,
// before "chore: remove AL2 support"), for checking the legacy spelling.
func scriptMaxPods(inst limits.Instance, prefix, custom bool, maxENI int, version cni.Version, showMax bool) int {
	enis := inst.MaxENIs
	if maxENI > 0 {
		enis = min(maxENI, enis)
	}
	if custom {
		enis--
	}
	supported := version.Major > 1 || version.Major == 1 && version.Minor > 8
	var pods int
	if inst.Hypervisor == limits.HypervisorNitro && prefix && supported {
		pods = enis*((inst.IPv4PerENI-1)*16) + 2
	} else {
		pods = enis*(inst.IPv4PerENI-1) + 2
	}
	if showMax {
		return pods
	}
	if inst.VCPUs > 30 {
		return min(250, pods)
	}
	return min(110, pods)
}

// The legacy spelling prints, for every type and flag set, what the removed
// script printed, exit 0, the fallbacks on stderr. The one difference is
// bare metal with prefix delegation: the script took it for non-Nitro, and
// eksnet prints what the CNI applies there, prefix delegation (its own test
// is Nitro or bare metal); it differs where the value stays below the cap.
func TestLegacySpellingMatchesTheScript(t *testing.T) {
	table, err := limits.Embedded()
	if err != nil {
		t.Fatal(err)
	}
	all := table.All()
	sets := []struct {
		flags          []string
		prefix, custom bool
		maxENI         int
		version        cni.Version
		showMax        bool
	}{
		{nil, false, false, 0, cni.LatestVersion, false},
		{[]string{"--cni-prefix-delegation-enabled"}, true, false, 0, cni.LatestVersion, false},
		{[]string{"--cni-prefix-delegation-enabled", "--show-max-allowed"}, true, false, 0, cni.LatestVersion, true},
		{[]string{"--cni-custom-networking-enabled"}, false, true, 0, cni.LatestVersion, false},
		{[]string{"--cni-prefix-delegation-enabled", "--cni-custom-networking-enabled", "--cni-max-eni", "2"}, true, true, 2, cni.LatestVersion, false},
		{[]string{"--cni-prefix-delegation-enabled", "--cni-version", "1.8.0"}, true, false, 0, cni.Version{Major: 1, Minor: 8}, false},
		{[]string{"--cni-max-eni", "1", "--show-max-allowed"}, false, false, 1, cni.LatestVersion, true},
	}
	metalDiffs := 0
	for _, set := range sets {
		args := []string{"maxpods"}
		for _, inst := range all {
			args = append(args, "--instance-type", inst.Name)
		}
		args = append(args, set.flags...)
		streams, _, out, errOut := TestStreams()
		if code := Main(t.Context(), args, streams); code != 0 {
			t.Fatalf("%v: exit %d: %s", set.flags, code, errOut)
		}
		lines := strings.Split(strings.TrimSuffix(out.String(), "\n"), "\n")
		if len(lines) != len(all) {
			t.Fatalf("%v: %d lines for %d types", set.flags, len(lines), len(all))
		}
		for i, inst := range all {
			got, err := strconv.Atoi(lines[i])
			if err != nil {
				t.Fatalf("%v: line %q", set.flags, lines[i])
			}
			want := scriptMaxPods(inst, set.prefix, set.custom, set.maxENI, set.version, set.showMax)
			if got == want {
				continue
			}
			if inst.BareMetal && inst.Hypervisor != limits.HypervisorNitro && set.prefix {
				asNitro := inst
				asNitro.Hypervisor = limits.HypervisorNitro
				if got == scriptMaxPods(asNitro, set.prefix, set.custom, set.maxENI, set.version, set.showMax) {
					metalDiffs++ // the CNI's prefix-delegation value, which the script missed
					continue
				}
			}
			t.Errorf("%s %v: eksnet %d, the script %d", inst.Name, set.flags, got, want)
		}
		if set.prefix && set.version == cni.LatestVersion && !strings.Contains(errOut.String(), "eksnet: note: m4.xlarge: prefix delegation unsupported") {
			t.Errorf("%v: the Xen fallback is not noted on stderr: %q", set.flags, errOut.String()[:min(200, errOut.Len())])
		}
		if set.version != cni.LatestVersion && !strings.Contains(errOut.String(), "VPC CNI 1.8.0 has no prefix delegation") {
			t.Errorf("%v: the version fallback is not noted: %q", set.flags, errOut.String())
		}
	}
	if metalDiffs == 0 {
		t.Error("no bare-metal difference found: the test no longer checks what it says")
	}
	t.Logf("%d bare-metal results are the CNI's prefix-delegation value, not the script's", metalDiffs)
}
