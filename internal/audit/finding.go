package audit

import (
	"github.com/eksnet/eksnet/internal/enum"
)

// Kind names what a finding is about; kinds are stable, for scripts.
type Kind string

// The kinds of finding (README "eksnet audit").
const (
	MaxPodsOverLimit       Kind = "max-pods-over-limit"
	MaxPodsUnderLimit      Kind = "max-pods-under-limit"
	KubeReservedMismatch   Kind = "kube-reserved-mismatch"
	WarmPoolExcess         Kind = "warm-pool-excess"
	SubnetRunsOut          Kind = "subnet-runs-out"
	SubnetFragmented       Kind = "subnet-fragmented"
	ENIConfigMissing       Kind = "eniconfig-missing"
	ENIConfigWrongZone     Kind = "eniconfig-wrong-zone"
	ENIConfigUnknownSubnet Kind = "eniconfig-unknown-subnet"
	UnknownInstanceType    Kind = "unknown-instance-type"
	NodeSubnetUnknown      Kind = "node-subnet-unknown"
)

// Kinds lists every kind, in the order the README documents them.
var Kinds = []Kind{MaxPodsOverLimit, MaxPodsUnderLimit, KubeReservedMismatch, WarmPoolExcess, SubnetRunsOut, SubnetFragmented,
	ENIConfigMissing, ENIConfigWrongZone, ENIConfigUnknownSubnet, UnknownInstanceType, NodeSubnetUnknown}

// Severity orders findings: Error above Warning above Info.
type Severity string

const (
	Error   Severity = "error"
	Warning Severity = "warning"
	Info    Severity = "info"
)

// Severities is every severity, highest first.
var Severities = []Severity{Error, Warning, Info}

// Rank is 0 for Error, 1 for Warning, 2 for Info.
func (s Severity) Rank() int {
	for i, v := range Severities {
		if v == s {
			return i
		}
	}
	return len(Severities)
}

// AtLeast reports whether s is as severe as t or more.
func (s Severity) AtLeast(t Severity) bool { return s.Rank() <= t.Rank() }

// ParseSeverity reads --fail-on: error, warning or info.
func ParseSeverity(s string) (Severity, error) {
	return enum.Parse("severity", s, Severities)
}

// Finding is one thing the audit flags: its kind, severity, the object
// (node/NAME, subnet/ID, eniconfig/NAME) and what to do, in one line.
type Finding struct {
	Kind     Kind     `json:"kind"`
	Severity Severity `json:"severity"`
	Object   string   `json:"object"`
	Message  string   `json:"message"`
}
