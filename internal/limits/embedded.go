package limits

import "github.com/eksnet/eksnet/data"

// Embedded parses the table compiled into the binary (data/instance-limits.json).
func Embedded() (*Table, error) {
	return Parse(data.InstanceLimits)
}
