//go:build linux || darwin || freebsd

package main

import (
	"os"

	"golang.org/x/sys/unix"
)

// stdoutWasClosed reports whether the process started with its standard
// output closed (`eksnet ... >&-`). The Go runtime then opens /dev/null
// read-write on it, so that writes vanish and the command would exit 0
// having shown nothing; a shell's `>/dev/null` opens it write-only.
func stdoutWasClosed() bool {
	var st, null unix.Stat_t
	if unix.Fstat(int(os.Stdout.Fd()), &st) != nil || unix.Stat(os.DevNull, &null) != nil {
		return false
	}
	flags, err := unix.FcntlInt(os.Stdout.Fd(), unix.F_GETFL, 0)
	return err == nil && st.Rdev == null.Rdev && st.Mode&unix.S_IFMT == unix.S_IFCHR && flags&unix.O_ACCMODE == unix.O_RDWR
}
