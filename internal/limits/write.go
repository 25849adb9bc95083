package limits

import (
	"fmt"

	"github.com/eksnet/eksnet/internal/atomicfile"
)

// WriteFile writes the table to path in the embedded format, atomically
// (atomicfile.Write): on any failure path keeps its old bytes (issue 3).
func WriteFile(path string, t *Table) error {
	data, err := t.Encode()
	if err != nil {
		return fmt.Errorf("encoding the instance table: %w", err)
	}
	return atomicfile.Write(path, data)
}
