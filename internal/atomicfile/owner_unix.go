//go:build unix

package atomicfile

import (
	"io/fs"
	"os"
	"syscall"
)

// keepOwner gives tmp the owner and group of existing, where the process
// may (root may; another user only keeps its own): best effort, since a
// user who cannot chown still gets the file written.
func keepOwner(tmp *os.File, existing fs.FileInfo) {
	if st, ok := existing.Sys().(*syscall.Stat_t); ok {
		_ = tmp.Chown(int(st.Uid), int(st.Gid))
	}
}
