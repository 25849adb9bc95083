// Package enum parses a value that must be one of a fixed set of names: the
// output formats of -o, the documents of userdata --format and the IP
// families of --ip-family, one way for every such flag.
package enum
