package cli

import (
	"context"
	"fmt"

	"github.com/expman-dev/expman/runtime/results"
)

const statusExamples = `	expman status outputs/my_experiment
	expman status -format json outputs/my_experiment | jq '.counts'
	watch expman status outputs             (a workspace holding one experiment)
`

// runStatus prints every run of the experiment by state. It only reads, so it is safe
// while the experiment runs, from any machine that sees the workspace. For an experiment
// submitted to Slurm it adds, where squeue is available, the state of each run's array
// task that Slurm still has (pending and why, running).
func runStatus(ctx context.Context, e *env, args []string) error {
	fs := newFlagSet(e, "status", "[-format text|json] DIR", statusExamples)
	format := fs.String("format", "text", "output `format`: text (for people) or json (for machines)")
	dir, err := parseDir(fs, args)
	if err != nil {
		return err
	}
	if *format != "text" && *format != "json" {
		return usageError(fs, "-format must be text or json, not %q", *format)
	}
	exp, err := results.FindExperiment(dir)
	if err != nil {
		return err
	}
	rep, problem := results.Status(exp)
	if rep == nil {
		return problem
	}
	if err := rep.AddSlurm(ctx); err != nil {
		// Slurm's view is extra: the workspace's is still worth printing.
		fmt.Fprintf(e.stderr, "expman status: %v\n", err)
	}
	write := rep.WriteText
	if *format == "json" {
		write = rep.WriteJSON
	}
	if err := write(e.stdout); err != nil {
		return err
	}
	return unreadable(problem)
}
