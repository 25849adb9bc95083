// Package render is eksnet's one output path: every command builds a result
// value with JSON tags and hands it here, so table, JSON, YAML and value
// output always show the same numbers.
package render
