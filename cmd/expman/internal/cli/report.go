package cli

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"

	"github.com/expman-dev/expman/runtime/results"
)

const reportExamples = `	expman report outputs/my_experiment
	expman report -format markdown outputs/my_experiment >> RESULTS.md
	expman report -format csv outputs        (a workspace holding one experiment)
`

// runReport prints the experiment's results table, computed from the runs on disk as they
// are now, so it works while the experiment runs.
func runReport(_ context.Context, e *env, args []string) error {
	fs := newFlagSet(e, "report", "[-format text|csv|json|markdown] DIR", reportExamples)
	format := fs.String("format", "text", "output `format`: text (aligned columns), csv, json or markdown")
	dir, err := parseDir(fs, args)
	if err != nil {
		return err
	}
	write, ok := map[string]func(*results.Table, io.Writer) error{
		"text":     (*results.Table).WriteText,
		"csv":      (*results.Table).WriteCSV,
		"json":     (*results.Table).WriteJSON,
		"markdown": (*results.Table).WriteMarkdown,
	}[*format]
	if !ok {
		return usageError(fs, "-format must be text, csv, json or markdown, not %q", *format)
	}
	exp, err := results.FindExperiment(dir)
	if err != nil {
		return err
	}
	table, problem := results.Load(exp)
	if table == nil {
		return problem
	}
	if err := write(table, e.stdout); err != nil {
		return err
	}
	return unreadable(problem)
}

// unreadable turns the files a reader could not read into the command's error, after the
// output that covers the rest.
func unreadable(problem error) error {
	if problem == nil {
		return nil
	}
	return fmt.Errorf("some files could not be read and were left out:\n%w", problem)
}

// parseDir parses flags and the one DIR argument, which may come before or after them.
func parseDir(fs *flag.FlagSet, args []string) (string, error) {
	if err := fs.Parse(args); err != nil {
		if errors.Is(err, flag.ErrHelp) {
			return "", err
		}
		return "", errUsage
	}
	if fs.NArg() == 0 {
		return "", usageError(fs, "DIR is required: the experiment folder (<workspace>/<experiment>)")
	}
	dir := fs.Arg(0)
	if err := parse(fs, fs.Args()[1:]); err != nil {
		return "", err
	}
	return dir, nil
}
