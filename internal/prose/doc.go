// Package prose writes the small pieces of English that eksnet's one-line
// messages share: lists joined with "and" or "or", counted nouns, and "did
// you mean" suggestions.
package prose
