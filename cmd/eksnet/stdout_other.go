//go:build !(linux || darwin || freebsd)

package main

// stdoutWasClosed cannot tell on this system.
func stdoutWasClosed() bool { return false }
