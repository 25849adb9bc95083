// Package atomicfile replaces a file whole or not at all: the one way eksnet
// writes files (the instance table of `eksnet limits update`, the documents
// of `eksnet userdata --out`), so that an error or an interrupt never leaves
// part of a file behind (issue 3: "on any failure the old file stays
// byte-identical").
package atomicfile
