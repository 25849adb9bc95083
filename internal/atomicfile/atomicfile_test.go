package atomicfile

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
)

func TestWriteReplacesTheFileWhole(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, "f.json")
	if err := Write(context.Background(), path, []byte("one")); err != nil {
		t.Fatal(err)
	}
	if err := os.Chmod(path, 0o600); err != nil {
		t.Fatal(err)
	}
	if err := Write(context.Background(), path, []byte("two")); err != nil {
		t.Fatal(err)
	}
	got, err := os.ReadFile(path)
	if err != nil || string(got) != "two" {
		t.Fatalf("read %q, %v; want two", got, err)
	}
	info, err := os.Stat(path)
	if err != nil || info.Mode().Perm() != 0o600 {
		t.Errorf("mode %v, %v: an existing file keeps its permissions", info.Mode(), err)
	}
	onlyFile(t, dir, "f.json")
}

func TestWriteErrorsNameThePathNotTheTemporaryFile(t *testing.T) {
	dir := t.TempDir()
	missing := filepath.Join(dir, "no", "f")
	file := filepath.Join(dir, "file")
	if err := os.WriteFile(file, nil, 0o644); err != nil {
		t.Fatal(err)
	}
	under := filepath.Join(file, "f")
	tests := []struct{ path, want string }{
		{missing, "cannot write " + missing + ": directory " + filepath.Dir(missing) + " does not exist"},
		{dir, "cannot write " + dir + ": it is a directory"},
		{under, "cannot write " + under + ": " + file + " is not a directory"},
	}
	for _, tt := range tests {
		if err := Check(tt.path); err == nil || err.Error() != tt.want {
			t.Errorf("Check(%s) = %v, want %q", tt.path, err, tt.want)
		}
		err := Write(context.Background(), tt.path, []byte("x"))
		if err == nil || err.Error() != tt.want {
			t.Errorf("Write(%s) = %v, want %q", tt.path, err, tt.want)
		}
		if err != nil && strings.Contains(err.Error(), "eksnet-tmp-") {
			t.Errorf("the error names the temporary file: %v", err)
		}
	}
	onlyFile(t, dir, "file")
	if err := Check(filepath.Join(dir, "new")); err != nil {
		t.Errorf("Check of a new file in an existing directory: %v", err)
	}
}

func TestWriteLeavesTheOldFileOnFailure(t *testing.T) {
	if os.Geteuid() == 0 {
		t.Skip("root writes into read-only directories")
	}
	dir := t.TempDir()
	path := filepath.Join(dir, "f")
	if err := os.WriteFile(path, []byte("old"), 0o644); err != nil {
		t.Fatal(err)
	}
	if err := os.Chmod(dir, 0o500); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { os.Chmod(dir, 0o700) })
	err := Write(context.Background(), path, []byte("new"))
	if err == nil || err.Error() != "cannot write "+path+": permission denied" {
		t.Errorf("Write into a read-only directory = %v", err)
	}
	if got, _ := os.ReadFile(path); string(got) != "old" {
		t.Errorf("the old file changed: %q", got)
	}
}

// onlyFile fails unless dir holds exactly the named entries.
func onlyFile(t *testing.T, dir string, names ...string) {
	t.Helper()
	entries, err := os.ReadDir(dir)
	if err != nil {
		t.Fatal(err)
	}
	var got []string
	for _, e := range entries {
		got = append(got, e.Name())
	}
	if strings.Join(got, ",") != strings.Join(names, ",") {
		t.Errorf("%s holds %v, want %v (no temporary file left)", dir, got, names)
	}
}

// A symlink is followed: the file it points to gets the bytes, and the link
// stays a link (ln -s limits.json current.json; --out current.json).
func TestWriteFollowsSymlinks(t *testing.T) {
	dir := t.TempDir()
	real := filepath.Join(dir, "real.json")
	link := filepath.Join(dir, "link.json")
	if err := os.WriteFile(real, []byte("old"), 0o640); err != nil {
		t.Fatal(err)
	}
	if err := os.Symlink("real.json", link); err != nil {
		t.Fatal(err)
	}
	if err := Write(context.Background(), link, []byte("new")); err != nil {
		t.Fatal(err)
	}
	if got, _ := os.ReadFile(real); string(got) != "new" {
		t.Errorf("target holds %q", got)
	}
	if info, err := os.Lstat(link); err != nil || info.Mode()&os.ModeSymlink == 0 {
		t.Errorf("the link was replaced: %v %v", info.Mode(), err)
	}
	if info, _ := os.Stat(real); info.Mode().Perm() != 0o640 {
		t.Errorf("target mode %v", info.Mode())
	}
	onlyFile(t, dir, "link.json", "real.json")
}

// The target keeps setuid and setgid bits and its owner.
func TestWriteKeepsModeAndOwner(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, "tool")
	if err := os.WriteFile(path, []byte("old"), 0o755); err != nil {
		t.Fatal(err)
	}
	if os.Geteuid() == 0 {
		if err := os.Chown(path, 1234, 5678); err != nil {
			t.Fatal(err)
		}
	}
	if err := os.Chmod(path, 0o755|os.ModeSetuid|os.ModeSetgid); err != nil { // after chown, which clears them
		t.Fatal(err)
	}
	if err := Write(context.Background(), path, []byte("new")); err != nil {
		t.Fatal(err)
	}
	info, err := os.Stat(path)
	if err != nil {
		t.Fatal(err)
	}
	if info.Mode()&(os.ModeSetuid|os.ModeSetgid) != os.ModeSetuid|os.ModeSetgid || info.Mode().Perm() != 0o755 {
		t.Errorf("mode %v, want setuid, setgid and 0755", info.Mode())
	}
	if st, ok := info.Sys().(*syscall.Stat_t); ok && os.Geteuid() == 0 && (st.Uid != 1234 || st.Gid != 5678) {
		t.Errorf("owner %d:%d, want 1234:5678", st.Uid, st.Gid)
	}
}

// A read-only target is refused, not replaced behind its owner's back.
func TestWriteRefusesReadOnlyFiles(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, "ro.json")
	if err := os.WriteFile(path, []byte("old"), 0o444); err != nil {
		t.Fatal(err)
	}
	err := Write(context.Background(), path, []byte("new"))
	if err == nil || err.Error() != "cannot write "+path+": it is read-only (mode 0444): make it writable, or choose another file" {
		t.Errorf("read-only: %v", err)
	}
	if got, _ := os.ReadFile(path); string(got) != "old" {
		t.Errorf("replaced: %q", got)
	}
}

// A temporary file a killed run left behind is removed by the next write.
func TestWriteRemovesLeftovers(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, "f.json")
	if err := os.WriteFile(filepath.Join(dir, ".f.json.eksnet-tmp-12345"), []byte("half"), 0o600); err != nil {
		t.Fatal(err)
	}
	if err := Write(context.Background(), path, []byte("whole")); err != nil {
		t.Fatal(err)
	}
	onlyFile(t, dir, "f.json")
}

// An interrupt before the rename leaves the old file; Abort removes the
// temporary file.
func TestCommitAfterInterruptAndAbort(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, "f")
	if err := os.WriteFile(path, []byte("old"), 0o644); err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	if err := Write(ctx, path, []byte("new")); err == nil || !strings.HasPrefix(err.Error(), "interrupted: "+path+" left as it was") {
		t.Errorf("interrupted: %v", err)
	}
	p, err := Prepare(path, []byte("new"))
	if err != nil {
		t.Fatal(err)
	}
	p.Abort()
	if got, _ := os.ReadFile(path); string(got) != "old" {
		t.Errorf("old file changed: %q", got)
	}
	onlyFile(t, dir, "f")
}
