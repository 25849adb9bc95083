package userdata

import (
	"errors"
	"fmt"
	"strings"

	"github.com/eksnet/eksnet/internal/cni"
	"github.com/eksnet/eksnet/internal/formula"
)

// Fixed is one max pods for every node of a group, and the kube-reserved that
// matches it.
type Fixed struct {
	MaxPods int    // the smallest across the types (formula.NodeGroup)
	SetBy   string // the type with that value
	// KubeReservedMemoryMiB is 11 × MaxPods + 255: the same on every type.
	KubeReservedMemoryMiB int
	// KubeReservedCPUMillicores depends on vCPUs, not on max pods: with
	// mixed types it is the largest of the types' reservations, so that no
	// node reserves less than its own share.
	KubeReservedCPUMillicores int
	CPUSetBy                  string
	Results                   []formula.Result
}

// FixedValue is the fixed max pods for nodes of the given types: the
// smallest, as EKS managed node groups apply it (docs/max-pods.md). A type that
// cannot run the mode at all (IPv6 on Xen) is an error: its nodes would run
// no pods.
func FixedValue(results []formula.Result) (Fixed, error) {
	if len(results) == 0 {
		return Fixed{}, errors.New("no instance type given: name the types the nodes run (m5.large, 'm5.*')")
	}
	var unsupported []string
	for _, r := range results {
		if !r.Supported {
			unsupported = append(unsupported, r.InstanceType)
		}
	}
	if len(unsupported) > 0 {
		return Fixed{}, fmt.Errorf("%s cannot run %s pods (needs Nitro or bare metal): leave %s out of the node group",
			strings.Join(unsupported, ", "), results[0].Mode, pronoun(len(unsupported)))
	}
	group, err := formula.NodeGroup(results)
	if err != nil {
		return Fixed{}, err
	}
	f := Fixed{MaxPods: group.MaxPods, SetBy: group.SetBy, KubeReservedMemoryMiB: group.KubeReservedMemoryMiB, Results: results}
	for _, r := range results {
		if f.CPUSetBy == "" || r.KubeReservedCPUMillicores > f.KubeReservedCPUMillicores {
			f.KubeReservedCPUMillicores, f.CPUSetBy = r.KubeReservedCPUMillicores, r.InstanceType
		}
	}
	return f, nil
}

func pronoun(n int) string {
	if n == 1 {
		return "it"
	}
	return "them"
}

// Mixed reports whether the nodes are of more than one type.
func (f Fixed) Mixed() bool { return len(f.Results) > 1 }

// memory and cpu are the kube-reserved quantities as Kubernetes writes them.
func (f Fixed) memory() string { return fmt.Sprintf("%dMi", f.KubeReservedMemoryMiB) }
func (f Fixed) cpu() string    { return fmt.Sprintf("%dm", f.KubeReservedCPUMillicores) }

// tableDefault is the max pods that eni-max-pods.txt, AL2's bootstrap.sh and
// nodeadm use for a type when nothing overrides it: maxENIs × slots + 2,
// uncapped and blind to every CNI setting (docs/max-pods.md).
func tableDefault(r formula.Result) int { return r.MaxENIs*(r.IPv4PerENI-1) + 2 }

// setByResult returns the result of the type that sets max pods.
func (f Fixed) setByResult() formula.Result {
	for _, r := range f.Results {
		if r.InstanceType == f.SetBy {
			return r
		}
	}
	return f.Results[0]
}

// describeMode names the CNI settings in words, for the documents' comments.
func describeMode(cfg formula.Query) string {
	parts := []string{"secondary IPs"}
	switch {
	case cfg.IPFamily == cni.IPv6:
		parts[0] = "IPv6"
	case cfg.PrefixDelegation:
		parts[0] = "prefix delegation"
	}
	if cfg.CustomNetworking {
		parts = append(parts, "custom networking")
	}
	if cfg.SecurityGroupsForPods {
		parts = append(parts, "security groups for pods")
	}
	if cfg.MaxENI > 0 {
		parts = append(parts, fmt.Sprintf("MAX_ENI=%d", cfg.MaxENI))
	}
	if cfg.Uncapped {
		parts = append(parts, "uncapped (--show-max-allowed)")
	}
	return fmt.Sprintf("VPC CNI %s, %s", cfg.Version, strings.Join(parts, ", "))
}

// modeFlags spells the CNI settings as eksnet's flags, each with a leading
// space, so that a document can name the command that reproduces it.
func modeFlags(cfg formula.Query, opts ExpressionOptions) string {
	var b strings.Builder
	if cfg.Version != cni.LatestVersion {
		fmt.Fprintf(&b, " --cni-version %s", cfg.Version)
	}
	if cfg.IPFamily == cni.IPv6 {
		b.WriteString(" --ip-family ipv6")
	}
	if cfg.PrefixDelegation {
		b.WriteString(" --prefix-delegation")
	}
	if cfg.CustomNetworking {
		b.WriteString(" --custom-networking")
	}
	if cfg.SecurityGroupsForPods {
		b.WriteString(" --security-groups-for-pods")
	}
	if cfg.MaxENI > 0 {
		fmt.Fprintf(&b, " --max-eni %d", cfg.MaxENI)
	}
	if cfg.Uncapped {
		b.WriteString(" --show-max-allowed")
	}
	if opts.VCPUs {
		b.WriteString(" --vcpus-variable")
	}
	return b.String()
}

// asciiFormula is a result's formula with ASCII operators, as user data is
// safest in ASCII.
func asciiFormula(r formula.Result) string {
	return strings.NewReplacer("×", "x", "−", "-").Replace(r.Formula)
}

// valueLines explains where the fixed value comes from: the formula for one
// type, or every type's value and the one that sets it for a mixed group.
func (f Fixed) valueLines(cfg formula.Query) []string {
	explain := func(r formula.Result) string {
		s := asciiFormula(r)
		if !cfg.Uncapped && r.ENILimitedPods > r.RecommendedCap {
			s += fmt.Sprintf(", capped at %d", r.RecommendedCap)
		}
		if r.Mode == cni.ModeSecondaryIP && cfg.PrefixDelegation {
			s += fmt.Sprintf(" (%s: no prefix delegation, the CNI uses secondary IPs)", hypervisorName(r))
		}
		return s
	}
	lines := []string{"Generated by eksnet userdata: " + describeMode(cfg) + "."}
	if !f.Mixed() {
		r := f.Results[0]
		return append(lines, fmt.Sprintf("maxPods %d for %s: %s.", f.MaxPods, r.InstanceType, explain(r)))
	}
	lines = append(lines, fmt.Sprintf("maxPods %d is the smallest across %d instance types, set by %s:", f.MaxPods, len(f.Results), f.SetBy))
	width := 0
	for _, r := range f.Results {
		width = max(width, len(r.InstanceType))
	}
	// The type setting the value always shows; past maxListedTypes the rest
	// are summarised, so that any glob's document stays within EC2's 16 KB.
	shown, rest := listed(f.Results, func(r formula.Result) bool { return r.InstanceType == f.SetBy })
	for _, r := range shown {
		marker := ""
		if r.InstanceType == f.SetBy {
			marker = "  <- sets maxPods"
		}
		lines = append(lines, fmt.Sprintf("  %-*s %5d  %s%s", width, r.InstanceType, r.MaxPods, explain(r), marker))
	}
	if len(rest) > 0 {
		lo, hi := rest[0].MaxPods, rest[0].MaxPods
		for _, r := range rest {
			lo, hi = min(lo, r.MaxPods), max(hi, r.MaxPods)
		}
		lines = append(lines, fmt.Sprintf("  ... and %d more types, maxPods %d to %d (eksnet maxpods lists each).", len(rest), lo, hi))
	}
	return lines
}

// maxListedTypes is how many types a comment lists before summarising.
const maxListedTypes = 8

// listed splits items into those a comment lists (the first
// maxListedTypes, always including the ones keep selects) and the rest.
func listed[T any](items []T, keep func(T) bool) (shown, rest []T) {
	if len(items) <= maxListedTypes {
		return items, nil
	}
	for i, it := range items {
		if i < maxListedTypes-1 || keep(it) {
			shown = append(shown, it)
		} else {
			rest = append(rest, it)
		}
	}
	return shown, rest
}

// reservedLine says what kube-reserved is set to and why.
func (f Fixed) reservedLine() []string {
	lines := []string{fmt.Sprintf("kube-reserved memory %s = 11 x %d + 255.", f.memory(), f.MaxPods)}
	cpuFor := f.Results[0]
	for _, r := range f.Results {
		if r.InstanceType == f.CPUSetBy {
			cpuFor = r
		}
	}
	if f.Mixed() {
		lines = append(lines, fmt.Sprintf("kube-reserved cpu %s is for %s (%d vCPUs), the largest among the types; smaller types reserve more than their own share.", f.cpu(), cpuFor.InstanceType, cpuFor.VCPUs))
	} else {
		lines = append(lines, fmt.Sprintf("kube-reserved cpu %s for %d vCPUs.", f.cpu(), cpuFor.VCPUs))
	}
	return lines
}

// trapLine is the kube-reserved trap (docs/max-pods.md): who sets only max pods
// leaves memory reserved for the table's value. It is empty when that value
// is the one written on every type.
func (f Fixed) trapLine(who string) string {
	example, found := f.setByResult(), false
	for _, r := range append([]formula.Result{example}, f.Results...) {
		if tableDefault(r) != f.MaxPods {
			example, found = r, true
			break
		}
	}
	if !found {
		return ""
	}
	def := tableDefault(example)
	return fmt.Sprintf("%s reserves memory for the table's max pods (%s: %d pods, %dMi), not for %d: the kube-reserved trap.",
		who, example.InstanceType, def, formula.KubeReservedMemoryMiB(def), f.MaxPods)
}

func hypervisorName(r formula.Result) string {
	if r.Hypervisor == "" {
		return "hypervisor unknown"
	}
	return r.Hypervisor
}
