// Package atomicfile replaces a file whole or not at all: the one way eksnet
// writes files (the instance table of `eksnet limits update`, the documents
// of `eksnet userdata --out`), so that an error, an interrupt or a kill never
// leaves part of a file behind. The bytes go to a temporary file beside the
// target, which is synced and renamed over it; a symlink is followed and
// stays a symlink; the target keeps its mode (setuid and setgid included)
// and, where the process may, its owner; a read-only target is refused; a
// temporary file left by a killed run is removed by the next. docs/security.md
// states these promises.
package atomicfile
