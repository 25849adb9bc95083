package main

import (
	"context"
	"os"
	"os/signal"
	"syscall"
)

func main() {
	os.Exit(runProcess())
}

// runProcess is the process: Ctrl-C or SIGTERM cancels the context, so that a
// command talking to EC2 stops cleanly, writing nothing partial.
func runProcess() int {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	return Main(ctx, os.Args[1:], SystemStreams())
}
