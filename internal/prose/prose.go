package prose

import (
	"fmt"
	"slices"
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

// SuggestMaxLen bounds the names Suggest considers: a typo of a type or flag
// name is short, and the edit distance costs the product of the lengths.
const SuggestMaxLen = 64

// Suggest returns up to count of known at the smallest edit distance from
// name, for "did you mean" hints. Names further than a third of their length
// away are not suggested: they would be guesses, not typos. A name longer
// than SuggestMaxLen gets no suggestion.
func Suggest(name string, known []string, count int) []string {
	if len(name) > SuggestMaxLen {
		return nil
	}
	limit := max(2, len(name)/3)
	type candidate struct {
		name     string
		distance int
	}
	var candidates []candidate
	for _, k := range known {
		if len(k) > SuggestMaxLen {
			continue
		}
		if d := editDistance(name, k); d <= limit {
			candidates = append(candidates, candidate{k, d})
		}
	}
	slices.SortStableFunc(candidates, func(a, b candidate) int { return a.distance - b.distance })
	var out []string
	for i := 0; i < len(candidates) && i < count && candidates[i].distance == candidates[0].distance; i++ {
		out = append(out, candidates[i].name)
	}
	return out
}

// editDistance is the Levenshtein distance between a and b, counting an
// adjacent transposition as one edit (m5.lrage -> m5.large is one typo).
func editDistance(a, b string) int {
	prev2 := make([]int, len(b)+1)
	prev := make([]int, len(b)+1)
	cur := make([]int, len(b)+1)
	for j := range prev {
		prev[j] = j
	}
	for i := 1; i <= len(a); i++ {
		cur[0] = i
		for j := 1; j <= len(b); j++ {
			cost := 1
			if a[i-1] == b[j-1] {
				cost = 0
			}
			cur[j] = min(prev[j]+1, cur[j-1]+1, prev[j-1]+cost)
			if i > 1 && j > 1 && a[i-1] == b[j-2] && a[i-2] == b[j-1] {
				cur[j] = min(cur[j], prev2[j-2]+1)
			}
		}
		prev2, prev, cur = prev, cur, prev2
	}
	return prev[len(b)]
}
