// Package prose writes the small pieces of English that eksnet's one-line
// messages share: lists joined with "and" or "or", and counted nouns.
package prose

import (
	"fmt"
	"strings"
)

// JoinAnd joins items as "a, b and c".
func JoinAnd(items []string) string { return join(items, " and ") }

// JoinOr joins items as "a, b or c".
func JoinOr(items []string) string { return join(items, " or ") }

func join(items []string, last string) string {
	switch len(items) {
	case 0:
		return ""
	case 1:
		return items[0]
	}
	return strings.Join(items[:len(items)-1], ", ") + last + items[len(items)-1]
}

// Count writes n with the noun that agrees with it: "1 node", "3 nodes".
func Count(n int, one, many string) string {
	if n == 1 {
		return "1 " + one
	}
	return fmt.Sprintf("%d %s", n, many)
}
