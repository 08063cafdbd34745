// Command expman generates typed Go code from an experiment's config folder and checks
// config folders in CI.
//
// Usage:
//
//	expman <command> [flags]
//
// The commands are:
//
//	gen       generate typed settings and the trial registry (run by go generate)
//	validate  check a config folder; prints every error as file:line:col
//	schema    write the JSON Schemas of experiment.yaml, base.yaml and trials.yaml
//	version   print the expman version
//
// Run "expman <command> -h" for a command's flags and examples.
//
// A Go package runs the generator with a go:generate line:
//
//	//go:generate go run github.com/expman-dev/expman/cmd/expman gen -config ./configs
//
// Exit status: 0 when all is well, 1 for invalid input or a stale generated file,
// 2 for a usage error.
package main

import (
	"context"
	"os"
	"os/signal"
	"syscall"

	"github.com/expman-dev/expman/cmd/expman/internal/cli"
)

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	code := cli.Main(ctx, os.Args[1:], os.Stdout, os.Stderr)
	stop()
	os.Exit(code)
}
