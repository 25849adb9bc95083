package main

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"time"

	"github.com/spf13/cobra"
	"github.com/spf13/cobra/doc"
)

// newDocsCmd is the hidden `eksnet docs --dir DIR`: the command reference as
// Markdown (DIR/*.md) and man pages (DIR/man/*.1), written by cobra/doc from
// the commands themselves. docs/cli in the repository is its output, and a
// test keeps it current.
func newDocsCmd(f *factory, root *cobra.Command) *cobra.Command {
	var dir string
	cmd := &cobra.Command{
		Use:    "docs --dir DIR",
		Short:  "Write the command reference as Markdown and man pages",
		Hidden: true,
		Args:   noArgs,
		RunE: func(*cobra.Command, []string) error {
			if dir == "" {
				return errors.New("--dir is required: the directory to write the reference to, such as docs/cli")
			}
			table, err := f.BaseTable()
			if err != nil {
				return err
			}
			date, err := time.Parse(time.DateOnly, table.Header().GeneratedAt)
			if err != nil {
				return fmt.Errorf("the instance table's date %q: %w", table.Header().GeneratedAt, err)
			}
			return writeDocs(root, dir, date)
		},
	}
	cmd.Flags().StringVar(&dir, "dir", "", "directory to write Markdown (and man/ pages) to")
	return cmd
}

// writeDocs writes the reference; the man pages carry date (the instance
// table's, so that the files change only with eksnet).
func writeDocs(root *cobra.Command, dir string, date time.Time) error {
	man := filepath.Join(dir, "man")
	if err := os.MkdirAll(man, 0o755); err != nil {
		return fmt.Errorf("--dir: %w", err)
	}
	root.DisableAutoGenTag = true // no dates: the files stay byte-stable
	if err := doc.GenMarkdownTree(root, dir); err != nil {
		return fmt.Errorf("writing Markdown to %s: %w", dir, err)
	}
	header := &doc.GenManHeader{Title: "EKSNET", Section: "1", Source: "eksnet", Manual: "eksnet manual", Date: &date}
	if err := doc.GenManTree(root, header, man); err != nil {
		return fmt.Errorf("writing man pages to %s: %w", man, err)
	}
	return nil
}
