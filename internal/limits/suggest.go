package limits

import (
	"slices"
	"strings"
)

// Suggest returns up to count known names at the smallest edit distance from
// name, for "did you mean" hints. Names further than a third of
// their length away are not suggested: they would be guesses, not typos.
func (t *Table) Suggest(name string, count int) []string {
	name = strings.ToLower(strings.TrimSpace(name))
	limit := max(2, len(name)/3)
	type candidate struct {
		name     string
		distance int
	}
	var candidates []candidate
	for _, known := range t.names {
		if d := editDistance(name, known); d <= limit {
			candidates = append(candidates, candidate{known, d})
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
