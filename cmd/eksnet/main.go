// Command eksnet plans pod networking capacity for Amazon EKS: max pods per
// instance type in every VPC CNI mode, node user data, and subnet plans.
package main

import (
	"context"
	"os"
	"os/signal"
	"syscall"
)

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	code := Main(ctx, os.Args[1:], SystemStreams())
	stop()
	os.Exit(code)
}
