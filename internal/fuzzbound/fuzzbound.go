package fuzzbound

import (
	"os"
	"testing"
	"time"
)

// Env names the environment variable that turns the bound on; its value is
// the bound as a Go duration ("1s"), or empty for Default.
const Env = "EKSNET_FUZZ_TIME_BOUND"

// Default is the bound per input: far above any linear parse of a fuzz
// input (a few kilobytes), far below a hang.
const Default = time.Second

// Start returns a function to call once the input is handled; it fails t
// when that took longer than the bound, and does nothing unless Env is set.
func Start(t testing.TB) (done func()) {
	setting, on := os.LookupEnv(Env)
	if !on {
		return func() {}
	}
	bound := Default
	if setting != "" {
		d, err := time.ParseDuration(setting)
		if err != nil {
			t.Fatalf("%s=%q: want a duration such as 1s", Env, setting)
		}
		bound = d
	}
	start := time.Now()
	return func() {
		if elapsed := time.Since(start); elapsed > bound {
			t.Fatalf("one input took %s, more than the %s bound", elapsed, bound)
		}
	}
}
