// Package strictyaml decodes a YAML or JSON document into a Go struct the way
// kind decodes its configuration: every key must be a field of the struct,
// spelled exactly as its yaml tag (keys are case-sensitive), no key may
// appear twice in one mapping, the file holds one document, and a value of
// the wrong type is an error. Each error is one line naming the key, its
// path and its line. The package is pure: it decodes bytes it is handed.
package strictyaml
