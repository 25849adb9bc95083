package prose

import (
	"fmt"
	"slices"
	"strings"
	"unicode/utf8"
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

// Printable makes s safe to print on a terminal: control characters (C0,
// DEL, C1, such as ESC and CSI that start escape sequences) and the Unicode
// controls that reorder or hide text (bidirectional overrides and
// isolates, zero-width marks) are written as \u escapes; invalid UTF-8 as
// \ufffd. Everything else is kept as it is.
func Printable(s string) string {
	if !needsEscape(s) {
		return s
	}
	var b strings.Builder
	for _, r := range s {
		if r == utf8.RuneError || isHidden(r) {
			fmt.Fprintf(&b, `\u%04x`, r)
			continue
		}
		b.WriteRune(r)
	}
	return b.String()
}

func needsEscape(s string) bool {
	for _, r := range s {
		if r == utf8.RuneError || isHidden(r) {
			return true
		}
	}
	return false
}

func isHidden(r rune) bool {
	switch {
	case r < 0x20, r == 0x7f, r >= 0x80 && r <= 0x9f: // C0, DEL, C1
		return true
	case r >= 0x202a && r <= 0x202e, r >= 0x2066 && r <= 0x2069: // bidi embeddings, overrides, isolates
		return true
	case r == 0x200b, r == 0x200c, r == 0x200d, r == 0x200e, r == 0x200f, r == 0x061c, r == 0xfeff: // zero-width and direction marks
		return true
	}
	return false
}

// Truncate cuts s to at most n bytes on a rune boundary, marking the cut,
// so that a huge message (an endpoint's 5 MB error text) stays one line.
func Truncate(s string, n int) string {
	if len(s) <= n {
		return s
	}
	cut := n
	for cut > 0 && !utf8.RuneStart(s[cut]) {
		cut--
	}
	return s[:cut] + fmt.Sprintf(" … (%d more bytes)", len(s)-cut)
}

// OneLine joins a message onto one line, every run of blanks and line
// breaks one space: how a decoder's or an endpoint's text enters a one-line
// error.
func OneLine(s string) string { return strings.Join(strings.Fields(s), " ") }
