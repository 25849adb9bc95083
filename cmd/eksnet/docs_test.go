package main

import (
	"bytes"
	"os"
	"path/filepath"
	"testing"
)

// docs/cli is what `eksnet docs --dir docs/cli` writes from the commands
// themselves: a changed flag or help text without regenerating fails here
// (make docs).
func TestCLIDocsAreCurrent(t *testing.T) {
	dir := t.TempDir()
	streams, _, _, stderr := TestStreams()
	if code := Main(t.Context(), []string{"docs", "--dir", dir}, streams); code != 0 {
		t.Fatalf("eksnet docs: exit %d: %s", code, stderr)
	}
	checked := filepath.Join("..", "..", "docs", "cli")
	want := listFiles(t, dir)
	got := listFiles(t, checked)
	for name, data := range want {
		if !bytes.Equal(got[name], data) {
			t.Errorf("docs/cli/%s is stale: run make docs", name)
		}
	}
	for name := range got {
		if _, ok := want[name]; !ok {
			t.Errorf("docs/cli/%s is for no command: run make docs", name)
		}
	}
}

func listFiles(t *testing.T, dir string) map[string][]byte {
	t.Helper()
	files := map[string][]byte{}
	err := filepath.WalkDir(dir, func(path string, d os.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		data, err := os.ReadFile(path)
		rel, _ := filepath.Rel(dir, path)
		files[filepath.ToSlash(rel)] = data
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	return files
}
