package inputs

import (
	"os"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
)

func TestRead(t *testing.T) {
	dir := t.TempDir()
	small := filepath.Join(dir, "small.yaml")
	if err := os.WriteFile(small, []byte("a: 1\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	if data, err := Read(small, nil, 10, "-f small.yaml"); err != nil || string(data) != "a: 1\n" {
		t.Errorf("small: %q %v", data, err)
	}
	if data, err := Read("-", strings.NewReader("b: 2\n"), 10, "-f -"); err != nil || string(data) != "b: 2\n" {
		t.Errorf("stdin: %q %v", data, err)
	}
	fifo := filepath.Join(dir, "fifo")
	if err := syscall.Mkfifo(fifo, 0o600); err != nil {
		t.Fatal(err)
	}
	for _, tt := range []struct {
		path, want string
		stdin      string
	}{
		{small, "-f x is larger than 0 MiB", ""},
		{"/dev/zero", "-f x: /dev/zero is a device, not a regular file", ""},
		{fifo, "-f x: " + fifo + " is a named pipe, not a regular file", ""},
		{dir, "-f x: " + dir + " is a directory, not a regular file", ""},
		{filepath.Join(dir, "missing"), "-f x: " + filepath.Join(dir, "missing") + ": no such file or directory", ""},
		{"-", "-f x is larger than 0 MiB", "more than four bytes"},
	} {
		_, err := Read(tt.path, strings.NewReader(tt.stdin), 4, "-f x")
		if err == nil || !strings.HasPrefix(err.Error(), tt.want) {
			t.Errorf("Read(%s) = %v, want %q", tt.path, err, tt.want)
		}
	}
	// Standard input that never ends (as /dev/zero) stops at the limit.
	zero, err := os.Open("/dev/zero")
	if err != nil {
		t.Fatal(err)
	}
	defer zero.Close()
	if _, err := Read("-", zero, 1<<20, "-f -"); err == nil || !strings.Contains(err.Error(), "larger than 1 MiB") {
		t.Errorf("endless stdin: %v", err)
	}
}
