package data

import _ "embed"

// InstanceLimits is data/instance-limits.json, compiled into the binary so
// that eksnet answers offline. It is parsed and validated by internal/limits.
//
//go:embed instance-limits.json
var InstanceLimits []byte
