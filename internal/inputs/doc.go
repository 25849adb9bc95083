// Package inputs is the one bounded reader of every file a user hands
// eksnet (a plan, a describe-subnets file, an aws-node DaemonSet, a table
// file): a regular file or standard input, and at most a limit of bytes, so
// that /dev/zero, a FIFO or a huge file is a one-line error in a moment, not
// a hang or a memory blow-up. docs/security.md lists the limits.
package inputs
