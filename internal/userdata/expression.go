package userdata

import (
	"fmt"
	"strconv"
	"strings"

	"github.com/eksnet/eksnet/internal/cni"
	"github.com/eksnet/eksnet/internal/formula"
	"github.com/eksnet/eksnet/internal/limits"
)

// The CEL variables nodeadm gives spec.kubelet.maxPodsExpression (docs/max-pods.md):
// ENIs of the default network card, IPv4 addresses per ENI (the primary
// included), nodeadm's own default max pods and, in newer nodeadm, vCPUs.
const (
	varENIs    = "default_enis"
	varIPs     = "ips_per_eni"
	varMaxPods = "max_pods"
	varVCPUs   = "vcpus"
)

// ExpressionOptions chooses what the expression may use.
type ExpressionOptions struct {
	// VCPUs lets the expression read the vcpus variable (newer nodeadm only),
	// so that it can apply the 250 cap above 30 vCPUs.
	VCPUs bool
}

// Minimum nodeadm releases (AMI release tags of awslabs/amazon-eks-ami) for
// what eksnet writes, from the repository's history.
const (
	// MaxPodsExpressionSince is the first release whose nodeadm reads
	// spec.kubelet.maxPodsExpression (feat(nodeadm): support custom max pods
	// expressions, #2446).
	MaxPodsExpressionSince = "v20251007"
	// NewestNodeadmChecked is the newest release checked for the vcpus
	// variable: its expression environment has default_enis, ips_per_eni
	// and max_pods only (evaluateCustomMaxPodsExpression in
	// nodeadm/internal/kubelet/eni_max_pods.go).
	NewestNodeadmChecked = "v20260724"
)

// VCPUsWarning is said wherever an expression reads vcpus.
const VCPUsWarning = "vcpus is not a variable of nodeadm up to " + NewestNodeadmChecked + ": there the expression fails to compile, " +
	"nodeadm logs a warning and applies its uncapped default (ENIs x (IPs per ENI - 1) + 2; c5.18xlarge: 737). " +
	"Use --vcpus-variable only on AMIs whose nodeadm declares vcpus."

// Expression returns one CEL expression over nodeadm's variables that
// computes eksnet's max pods under cfg (docs/max-pods.md "Formula") on any type:
//
//	enis  = min(default_enis, MAX_ENI) − 1 (custom networking) − 1 (trunk ENI),
//	        at least 1 without custom networking (the primary keeps its pods), else 0
//	pods  = enis × (ips_per_eni − 1) × (16 with prefixes or IPv6) + 2
//	value = min(pods, 250 above 30 vCPUs else 110), or pods with cfg.Uncapped
//
// It uses only CEL's standard operators (no extension libraries), and falls
// back to max_pods where nodeadm knows no ENIs for the type, so that it never
// yields a value nodeadm would reject. What the variables cannot tell is in
// ExpressionLimits; the types where it differs from eksnet, in Differences.
func Expression(cfg formula.Query, opts ExpressionOptions) (string, error) {
	if err := cfg.Validate(); err != nil {
		return "", err
	}
	enis := varENIs
	if cfg.MaxENI > 0 {
		n := strconv.Itoa(cfg.MaxENI)
		enis = fmt.Sprintf("(%s < %s ? %s : %s)", varENIs, n, varENIs, n)
	}
	if minus := enisTakenAway(cfg); minus > 0 {
		less, floor := fmt.Sprintf("%s - %d", enis, minus), enisFloor(cfg)
		enis = fmt.Sprintf("(%s > %d ? %s : %d)", less, floor, less, floor)
	}
	pods := fmt.Sprintf("%s * (%s - 1) + 2", enis, varIPs)
	if expressionMultiplier(cfg) > 1 {
		pods = fmt.Sprintf("%s * (%s - 1) * %d + 2", enis, varIPs, expressionMultiplier(cfg))
	}
	value := pods
	if !cfg.Uncapped {
		limit := strconv.Itoa(formula.CapSmall)
		if opts.VCPUs {
			limit = fmt.Sprintf("(%s > 30 ? %d : %d)", varVCPUs, formula.CapLarge, formula.CapSmall)
		}
		value = fmt.Sprintf("%s < %s ? %s : %s", pods, limit, pods, limit)
	}
	return fmt.Sprintf("%s < 1 || %s < 1 ? %s : (%s)", varENIs, varIPs, varMaxPods, value), nil
}

// enisTakenAway counts the ENIs the expression always subtracts: the primary
// ENI with custom networking, and a trunk ENI with security groups for pods
// (assumed present, as eksnet does when trunking is unknown).
func enisTakenAway(cfg formula.Query) int {
	n := 0
	if cfg.CustomNetworking {
		n++
	}
	if cfg.SecurityGroupsForPods {
		n++
	}
	return n
}

// enisFloor is the fewest ENIs for pods: the primary ENI, unless custom
// networking takes it (cni.Config.ENIsOn).
func enisFloor(cfg formula.Query) int {
	if cfg.CustomNetworking {
		return 0
	}
	return 1
}

// expressionMultiplier is the addresses per ENI slot the expression assumes:
// 16 (a /28 prefix) whenever prefixes or IPv6 are asked for, as if every type
// were Nitro.
func expressionMultiplier(cfg formula.Query) int {
	if cfg.PrefixDelegation || cfg.IPFamily == cni.IPv6 {
		return 16
	}
	return 1
}

// ExpressionValue is what Expression(cfg, opts) evaluates to on inst, with
// nodeadm's variables taken from the table (default_enis = maxENIs,
// ips_per_eni = ipv4PerENI, vcpus = vcpus). Tests check it against a CEL
// engine on every type.
func ExpressionValue(inst limits.Instance, cfg formula.Query, opts ExpressionOptions) int {
	if inst.MaxENIs < 1 || inst.IPv4PerENI < 1 {
		return inst.MaxENIs*(inst.IPv4PerENI-1) + 2 // max_pods: nodeadm's own default
	}
	enis := inst.MaxENIs
	if cfg.MaxENI > 0 {
		enis = min(enis, cfg.MaxENI)
	}
	enis = max(enis-enisTakenAway(cfg), enisFloor(cfg))
	pods := enis*(inst.IPv4PerENI-1)*expressionMultiplier(cfg) + 2
	if cfg.Uncapped {
		return pods
	}
	if opts.VCPUs {
		return min(pods, formula.RecommendedCap(inst.VCPUs))
	}
	return min(pods, formula.CapSmall)
}

// ExpressionLimits says, one sentence each, what nodeadm's variables cannot
// tell in this mode, so that the expression assumes it.
func ExpressionLimits(cfg formula.Query, opts ExpressionOptions) []string {
	var out []string
	if !cfg.Uncapped && !opts.VCPUs {
		out = append(out, "No vCPU count: the cap is 110 on every type, where eksnet caps at 250 above 30 vCPUs.")
	}
	if opts.VCPUs {
		out = append(out, VCPUsWarning)
	}
	switch {
	case cfg.IPFamily == cni.IPv6:
		out = append(out, "No hypervisor: every type is taken to run IPv6 (Nitro or bare metal); the others cannot run IPv6 pods at all.")
	case cfg.PrefixDelegation:
		out = append(out, "No hypervisor: every type is taken to be Nitro or bare metal; on the others the CNI falls back to secondary IPs.")
	}
	if cfg.SecurityGroupsForPods {
		out = append(out, "No trunking support: a trunk ENI is subtracted on every type, where eksnet keeps all ENIs on types known to have none.")
	}
	return out
}

// Difference is an instance type on which the expression and eksnet maxpods
// give different values, and why.
type Difference struct {
	InstanceType string `json:"instanceType"`
	MaxPods      int    `json:"maxPods"`    // eksnet maxpods
	Expression   int    `json:"expression"` // the expression, as nodeadm evaluates it
	Reason       string `json:"reason"`
}

// Differences lists the instances on which Expression(cfg, opts) differs from
// formula.Compute, in the order given.
func Differences(instances []limits.Instance, cfg formula.Query, opts ExpressionOptions) ([]Difference, error) {
	var diffs []Difference
	for _, inst := range instances {
		r, err := formula.Compute(inst, cfg)
		if err != nil {
			return nil, err
		}
		got := ExpressionValue(inst, cfg, opts)
		if got == r.MaxPods {
			continue
		}
		diffs = append(diffs, Difference{InstanceType: inst.Name, MaxPods: r.MaxPods, Expression: got, Reason: differenceReason(inst, r, cfg, opts)})
	}
	return diffs, nil
}

// differenceReason names every fact the variables miss that applies to inst.
func differenceReason(inst limits.Instance, r formula.Result, cfg formula.Query, opts ExpressionOptions) string {
	var why []string
	switch {
	case !r.Supported:
		why = append(why, "cannot run IPv6 (not Nitro or bare metal with IPv6): eksnet gives 0")
	case cfg.PrefixDelegation && r.Mode == cni.ModeSecondaryIP:
		why = append(why, fmt.Sprintf("hypervisor %s: no prefix delegation, the CNI uses secondary IPs", inst.HypervisorName()))
	}
	if cfg.SecurityGroupsForPods {
		if trunking, known := inst.SupportsTrunking(); known && !trunking {
			why = append(why, "no trunk ENI on this type")
		}
	}
	if !cfg.Uncapped && !opts.VCPUs && inst.VCPUs > 30 {
		why = append(why, fmt.Sprintf("%d vCPUs: cap 250, not 110", inst.VCPUs))
	}
	return strings.Join(why, "; ")
}
