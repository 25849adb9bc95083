package limits

import (
	"context"
	"fmt"

	"github.com/eksnet/eksnet/internal/inputs"
)

// Selection is what a command asks a Source for: type names and globs, or
// every type.
type Selection struct {
	Args []string // names and globs, as the user typed them
	All  bool     // every type the source holds
}

// Source supplies the instance table a command computes from: the embedded
// table, a file written by `eksnet limits update`, or EC2 itself (package
// ec2limits). The table holds at least the selected types.
type Source interface {
	Load(ctx context.Context, sel Selection) (*Table, error)
}

// EmbeddedSource serves the table compiled into the binary.
type EmbeddedSource struct{}

// Load returns the embedded table.
func (EmbeddedSource) Load(context.Context, Selection) (*Table, error) { return Embedded() }

// FileSource serves a table file in the embedded format (--limits-file).
type FileSource struct{ Path string }

// Load reads and validates the file.
func (s FileSource) Load(context.Context, Selection) (*Table, error) { return ReadFile(s.Path) }

// ReadFile reads and validates a table file in the instance-limits.json format.
func ReadFile(path string) (*Table, error) {
	data, err := inputs.Read(path, nil, inputs.MaxTableFile, "limits file")
	if err != nil {
		return nil, err
	}
	t, err := Parse(data)
	if err != nil {
		return nil, fmt.Errorf("limits file %s: %w", path, err)
	}
	return t, nil
}
