// Package cli implements the expman command line. Main is the whole program; the expman
// command only wires it to the process, so tests drive it in-process.
package cli

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"runtime/debug"
	"sort"
	"strings"

	"github.com/expman-dev/expman/runtime"
)

// Exit codes, as Go tools use them.
const (
	exitOK    = 0
	exitFail  = 1 // invalid input, stale generated code
	exitUsage = 2
)

// errUsage marks an error that the command already explained with its usage text.
var errUsage = errors.New("usage")

type command struct {
	name    string
	summary string
	run     func(ctx context.Context, env *env, args []string) error
}

// env is what a command may touch of the outside world.
type env struct {
	stdout, stderr io.Writer
	getenv         func(string) string
}

func commands() []command {
	return []command{
		{"init", "scaffold a new experiment: configs, a Go program or a script, a README", runInit},
		{"gen", "generate typed settings and the trial registry (run by go generate)", runGen},
		{"validate", "check a config folder; prints every error as file:line:col", runValidate},
		{"run", "run any command (Python, R, a shell script) as the experiment's trials", runRun},
		{"schema", "write the JSON Schemas of experiment.yaml, base.yaml and trials.yaml", runSchema},
		{"report", "print an experiment's results: mean and spread across repeats", runReport},
		{"status", "print an experiment's runs by status, with durations and errors", runStatus},
		{"cancel", "cancel an experiment's Slurm jobs and record their running runs as interrupted", runCancel},
		{"plan", "print every trial and run with its folder, and what a start would skip", runPlan},
		{"explain", "print a trial's resolved settings, each with the file:line that set it", runExplain},
		{"diff", "print the settings in which two trials differ", runDiff},
		{"completion", "print a bash or zsh completion script", runCompletion},
		{"version", "print the expman version", runVersion},
	}
}

// Main runs the expman command line with args (without the program name) and returns the
// process exit code.
func Main(ctx context.Context, args []string, stdout, stderr io.Writer) int {
	return mainEnv(ctx, args, &env{stdout: stdout, stderr: stderr, getenv: osGetenv})
}

func mainEnv(ctx context.Context, args []string, e *env) int {
	if len(args) == 0 {
		usage(e.stderr)
		return exitUsage
	}
	name := args[0]
	if name == "help" && len(args) > 1 {
		return mainEnv(ctx, []string{args[1], "-h"}, e) // expman help gen = expman gen -h
	}
	if name == "-h" || name == "-help" || name == "--help" || name == "help" {
		usage(e.stdout)
		return exitOK
	}
	for _, c := range commands() {
		if c.name == name {
			return exitCode(e, c.run(ctx, e, args[1:]))
		}
	}
	fmt.Fprintf(e.stderr, "expman: unknown command %q%s\nRun 'expman -h' for the list of commands.\n", name, suggest(name))
	return exitUsage
}

func exitCode(e *env, err error) int {
	switch {
	case err == nil:
		return exitOK
	case errors.Is(err, flag.ErrHelp):
		return exitOK
	case errors.Is(err, errUsage):
		return exitUsage
	case errors.Is(err, errSilent):
		return exitFail
	default:
		fmt.Fprintln(e.stderr, err)
		// Runs stopped by a signal exit as a shell expects (130 for SIGINT).
		return max(exitFail, runtime.ExitCode(err))
	}
}

func usage(w io.Writer) {
	fmt.Fprint(w, "expman turns an experiment's config folder into typed Go code and checks it.\n\nUsage:\n\n\texpman <command> [flags]\n\nCommands:\n\n")
	for _, c := range commands() {
		fmt.Fprintf(w, "\t%-11s %s\n", c.name, c.summary)
	}
	fmt.Fprint(w, "\nRun 'expman <command> -h' for a command's flags and examples.\n")
}

func suggest(name string) string {
	var names []string
	for _, c := range commands() {
		if strings.HasPrefix(c.name, name) || strings.HasPrefix(name, c.name) {
			names = append(names, c.name)
		}
	}
	sort.Strings(names)
	if len(names) == 0 {
		return ""
	}
	return "; did you mean " + strings.Join(names, " or ") + "?"
}

// newFlagSet returns a flag set that prints the command's usage, flags and examples.
func newFlagSet(e *env, name, synopsis, examples string) *flag.FlagSet {
	fs := flag.NewFlagSet(name, flag.ContinueOnError)
	fs.SetOutput(e.stderr)
	fs.Usage = func() {
		fmt.Fprintf(fs.Output(), "Usage: expman %s %s\n\nFlags:\n", name, synopsis)
		fs.PrintDefaults()
		if examples != "" {
			fmt.Fprintf(fs.Output(), "\nExamples:\n%s", examples)
		}
	}
	return fs
}

// parse parses args and turns flag errors into errUsage (the flag package already printed
// them with the usage text).
func parse(fs *flag.FlagSet, args []string) error {
	if err := fs.Parse(args); err != nil {
		if errors.Is(err, flag.ErrHelp) {
			return err
		}
		return errUsage
	}
	if fs.NArg() > 0 {
		fmt.Fprintf(fs.Output(), "expman %s: unexpected argument %q\n", fs.Name(), fs.Arg(0))
		fs.Usage()
		return errUsage
	}
	return nil
}

// usageError prints msg and the command's usage.
func usageError(fs *flag.FlagSet, format string, args ...any) error {
	fmt.Fprintf(fs.Output(), "expman %s: %s\n", fs.Name(), fmt.Sprintf(format, args...))
	fs.Usage()
	return errUsage
}

func runVersion(_ context.Context, e *env, args []string) error {
	fs := newFlagSet(e, "version", "", "")
	if err := parse(fs, args); err != nil {
		return err
	}
	fmt.Fprintln(e.stdout, "expman", version())
	return nil
}

func version() string {
	bi, ok := debug.ReadBuildInfo()
	if !ok {
		return "(unknown)"
	}
	if bi.Main.Path == modulePath {
		return bi.Main.Version
	}
	for _, d := range bi.Deps {
		if d.Path == modulePath {
			if d.Replace != nil {
				return d.Version + " (replaced by " + d.Replace.Path + ")"
			}
			return d.Version
		}
	}
	return "(devel)"
}

const modulePath = "github.com/expman-dev/expman"
