package main

import (
	"bytes"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/spf13/cobra"
	"github.com/spf13/cobra/doc"

	"github.com/eksnet/eksnet/internal/limits"
)

// docs/cli is the command reference, Markdown and man pages, written by
// cobra/doc from the commands themselves: a changed flag or help text
// without regenerating fails here. `make docs` (this test with -update)
// rewrites it. The generator lives in the test so that the binary does not
// link cobra/doc and its Markdown renderer.
func TestCLIDocsAreCurrent(t *testing.T) {
	dir := t.TempDir()
	streams, _, _, _ := TestStreams()
	if err := writeDocs(newRootCmd(streams), dir); err != nil {
		t.Fatal(err)
	}
	checked := filepath.Join("..", "..", "docs", "cli")
	if *update {
		if err := os.RemoveAll(checked); err != nil {
			t.Fatal(err)
		}
		if err := os.CopyFS(checked, os.DirFS(dir)); err != nil {
			t.Fatal(err)
		}
	}
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

// writeDocs writes the reference to dir (Markdown) and dir/man (man pages);
// the man pages carry the instance table's date, so that the files change
// only with eksnet.
func writeDocs(root *cobra.Command, dir string) error {
	table, err := limits.Embedded()
	if err != nil {
		return err
	}
	date, err := time.Parse(time.DateOnly, table.Header().GeneratedAt)
	if err != nil {
		return err
	}
	man := filepath.Join(dir, "man")
	if err := os.MkdirAll(man, 0o755); err != nil {
		return err
	}
	root.DisableAutoGenTag = true // no dates in the Markdown: the files stay byte-stable
	if err := doc.GenMarkdownTree(root, dir); err != nil {
		return err
	}
	header := &doc.GenManHeader{Title: "EKSNET", Section: "1", Source: "eksnet", Manual: "eksnet manual", Date: &date}
	return doc.GenManTree(root, header, man)
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
