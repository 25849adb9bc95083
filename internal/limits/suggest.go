package limits

import (
	"strings"

	"github.com/eksnet/eksnet/internal/prose"
)

// Suggest returns up to count known type names nearest to name, for "did you
// mean" hints (prose.Suggest).
func (t *Table) Suggest(name string, count int) []string {
	return prose.Suggest(strings.ToLower(strings.TrimSpace(name)), t.Names(), count)
}
