package main

import (
	"context"
	"os"
	"os/signal"
	"runtime/debug"
	"syscall"
)

// gcPercent lets the heap grow four times before a collection instead of
// twice: eksnet runs for milliseconds and allocates a few MiB, so the
// collections of a default GOGC=100 are most of its own time on large
// outputs. GOGC in the environment still wins.
const gcPercent = 400

func main() {
	if os.Getenv("GOGC") == "" {
		debug.SetGCPercent(gcPercent)
	}
	os.Exit(runProcess())
}

// runProcess is the process: Ctrl-C or SIGTERM cancels the context, so that a
// command talking to EC2 stops cleanly, writing nothing partial.
func runProcess() int {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	return Main(ctx, os.Args[1:], SystemStreams())
}
