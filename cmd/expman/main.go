// Command expman generates typed Go code from an experiment's config folder and checks
// config folders in CI.
//
// Usage:
//
//	expman <command> [flags]
//
// The commands are:
//
//	gen         generate typed settings and the trial registry (run by go generate)
//	validate    check a config folder; prints every error as file:line:col
//	run         run any command as the trials of an experiment
//	init        scaffold a new experiment
//	plan        print every trial and run, and which would be skipped
//	explain     print a trial's resolved settings and where each came from
//	diff        print the settings in which two trials differ
//	report      print the results table of an experiment
//	status      print each trial's runs by status
//	cancel      cancel an experiment's Slurm jobs
//	schema      write the JSON Schemas of experiment.yaml, base.yaml and trials.yaml
//	completion  print a bash or zsh completion script
//	version     print the expman version
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

	"github.com/expman-dev/expman/cmd/expman/internal/cli"
)

// main leaves signals to the commands: those that run trials hand SIGINT and SIGTERM to the
// runtime, which stops runs cleanly and forwards them to child processes; the others end
// quickly and write atomically, so the default (exit at once) is safe for them.
func main() {
	os.Exit(cli.Main(context.Background(), os.Args[1:], os.Stdout, os.Stderr))
}
