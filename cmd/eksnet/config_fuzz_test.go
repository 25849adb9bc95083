package main

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/eksnet/eksnet/internal/fuzzbound"
)

// FuzzConfigFile: any config file either applies or fails in one line
// naming the file, never panics, and ends in bounded time.
func FuzzConfigFile(f *testing.F) {
	for _, s := range []string{"cni-version: 1.19.0\n", "prefix-delegaton: true\n", "max-eni: two\n", "a:\n  b: [1, 2]\n", "{{{", "limits-file: /dev/zero\n"} {
		f.Add([]byte(s))
	}
	dir := f.TempDir()
	f.Fuzz(func(t *testing.T, data []byte) {
		defer fuzzbound.Start(t)()
		path := filepath.Join(dir, "config.yaml")
		if err := os.WriteFile(path, data, 0o600); err != nil {
			t.Fatal(err)
		}
		streams, _, _, stderr := TestStreams()
		code := Main(t.Context(), []string{"--config", path, "maxpods", "m5.large", "-o", "value"}, streams)
		if code != 0 && (strings.Count(stderr.String(), "\n") != 1 || !strings.HasPrefix(stderr.String(), "eksnet: ")) {
			t.Fatalf("exit %d with stderr %q: want one line", code, stderr)
		}
	})
}
