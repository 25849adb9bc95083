package limits

import (
	"fmt"

	"github.com/eksnet/eksnet/internal/atomicfile"
)

// PrepareFile writes the table in the embedded format to a temporary file
// beside path (atomicfile.Prepare): nothing is in place until Commit, and
// on any failure path keeps its old bytes.
func PrepareFile(path string, t *Table) (*atomicfile.Pending, error) {
	data, err := t.Encode()
	if err != nil {
		return nil, fmt.Errorf("encoding the instance table: %w", err)
	}
	return atomicfile.Prepare(path, data)
}
