package atomicfile

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func TestWriteReplacesTheFileWhole(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, "f.json")
	if err := Write(path, []byte("one")); err != nil {
		t.Fatal(err)
	}
	if err := os.Chmod(path, 0o600); err != nil {
		t.Fatal(err)
	}
	if err := Write(path, []byte("two")); err != nil {
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
		err := Write(tt.path, []byte("x"))
		if err == nil || err.Error() != tt.want {
			t.Errorf("Write(%s) = %v, want %q", tt.path, err, tt.want)
		}
		if err != nil && strings.Contains(err.Error(), ".tmp-") {
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
	err := Write(path, []byte("new"))
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
