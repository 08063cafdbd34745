package cli

import (
	"context"
	"fmt"
	"strings"
	"time"

	"github.com/expman-dev/expman/runtime"
	"github.com/expman-dev/expman/runtime/results"
)

const cancelExamples = `	expman cancel outputs/my_experiment
	expman cancel -wait 2m outputs/my_experiment   (tasks with a long cleanup)
`

// runCancel cancels the Slurm jobs of an experiment submitted with -slurm and records the
// runs their tasks left running as interrupted. The next -slurm submission resubmits
// every run that did not complete.
func runCancel(ctx context.Context, e *env, args []string) error {
	fs := newFlagSet(e, "cancel", "[-wait DURATION] DIR", cancelExamples)
	wait := fs.Duration("wait", time.Minute, "how long to wait for the cancelled tasks to end before recording their runs")
	dir, err := parseDir(fs, args)
	if err != nil {
		return err
	}
	if *wait < 0 {
		return usageError(fs, "-wait must not be negative, not %v", *wait)
	}
	exp, err := results.FindExperiment(dir)
	if err != nil {
		return err
	}
	res, err := runtime.CancelSlurm(ctx, exp, *wait)
	if res != nil {
		printCancellation(e, exp, res)
	}
	return err
}

func printCancellation(e *env, exp string, res *runtime.SlurmCancellation) {
	if len(res.Jobs) == 0 {
		fmt.Fprintf(e.stdout, "%s: no Slurm job of the experiment is queued or running\n", exp)
	} else {
		fmt.Fprintf(e.stdout, "%s: cancelled Slurm %s %s\n", exp, plural(len(res.Jobs), "job", "jobs"), strings.Join(res.Jobs, ", "))
	}
	if n := len(res.Interrupted); n > 0 {
		fmt.Fprintf(e.stdout, "recorded %d %s as interrupted: %s\n", n, plural(n, "run", "runs"), refNames(res.Interrupted))
	}
	if n := len(res.StillRunning); n > 0 {
		fmt.Fprintf(e.stdout, "%d %s still running (its lock is held); see expman status %s: %s\n", n, plural(n, "run is", "runs are"), exp, refNames(res.StillRunning))
	}
}

func refNames(rs []runtime.RunRef) string {
	s := make([]string, len(rs))
	for i, r := range rs {
		s[i] = r.String()
	}
	return strings.Join(s, " ")
}
