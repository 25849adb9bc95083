package enum

import (
	"fmt"
	"slices"
	"strings"
)

// Parse returns the element of allowed that s names, ignoring case and
// surrounding blanks, or an error naming s and every allowed value: the
// house rule for bad input (one line, the value, what is allowed).
func Parse[T ~string](what, s string, allowed []T) (T, error) {
	v := T(strings.ToLower(strings.TrimSpace(s)))
	if slices.Contains(allowed, v) {
		return v, nil
	}
	return "", fmt.Errorf("invalid %s %q: want %s", what, s, List(allowed))
}

// List spells the allowed values for an error message: "a or b" for two,
// "one of a, b, c" for more.
func List[T ~string](allowed []T) string {
	names := make([]string, len(allowed))
	for i, a := range allowed {
		names[i] = string(a)
	}
	if len(names) == 2 {
		return names[0] + " or " + names[1]
	}
	return "one of " + strings.Join(names, ", ")
}
