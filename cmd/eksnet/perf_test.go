package main

import (
	"os/exec"
	"path/filepath"
	"testing"
)

// Timings are benchmarks, never assertions of the default test run: the
// start-up against its floor is `make bench-startup` (bench/startup).

// BenchmarkColdStartMaxPods is the wall time of `eksnet maxpods c3.large`
// as a new process of the built binary: what a user or a script waits for.
func BenchmarkColdStartMaxPods(b *testing.B) {
	bin := filepath.Join(b.TempDir(), "eksnet")
	if out, err := exec.Command("go", "build", "-o", bin, ".").CombinedOutput(); err != nil {
		b.Fatalf("go build: %v\n%s", err, out)
	}
	for b.Loop() {
		out, err := exec.Command(bin, "maxpods", "c3.large", "-o", "value").Output()
		if err != nil || string(out) != "29\n" {
			b.Fatalf("eksnet maxpods c3.large = %q, %v", out, err)
		}
	}
}
