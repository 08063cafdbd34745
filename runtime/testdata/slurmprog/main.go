// Command slurmprog is the program the Slurm integration tests (slurm_test.go) build and
// submit: a small experiment through runtime.Run with its own flags, so that its array
// tasks start it again with the same command line. Each execution of a run appends a line
// to -marks/<trial>#<repeat>, which is how the tests count executions.
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
	"time"

	"github.com/expman-dev/expman/runtime"
)

type settings struct {
	Steps int `json:"steps" yaml:"steps"`
}

func main() {
	fs := flag.NewFlagSet("slurmprog", flag.ContinueOnError)
	name := fs.String("exp", "slurmtest", "experiment `name`")
	trials := fs.String("trials", "a:2,b:1", "trials as `name:repeats,...`; trials named slow* sleep")
	marks := fs.String("marks", "", "`DIR` that receives one line per execution of each run")
	sleep := fs.Duration("sleep", 0, "how long slow* trials sleep, honouring their context")
	die := fs.Bool("die-on-cancel", false, "slow* trials SIGKILL their own process when cancelled (a node that dies)")
	limit := fs.String("slurm-time", "", "the experiment's slurm.time")
	parallel := fs.Int("array-parallelism", 0, "the experiment's slurm.array_parallelism")
	opt := runtime.WithFlags(fs, os.Args[1:])

	spec := runtime.ExperimentSpec{Name: *name, ID: 7, Slurm: &runtime.SlurmSpec{
		Time: *limit, ArrayParallelism: *parallel, CPUsPerTask: 1, Mem: "100M",
	}}
	var ts []runtime.TrialSpec[settings]
	for i, t := range strings.Split(*trials, ",") {
		n, r, _ := strings.Cut(t, ":")
		k, _ := strconv.Atoi(r)
		ts = append(ts, runtime.TrialSpec[settings]{Name: n, ID: i + 1, Repeat: k, Settings: settings{Steps: 3 + i}})
	}
	fn := func(ctx context.Context, t *runtime.Trial[settings]) error {
		if *marks != "" {
			f, err := os.OpenFile(filepath.Join(*marks, fmt.Sprintf("%s#%d", t.Name, t.Repeat)), os.O_WRONLY|os.O_CREATE|os.O_APPEND, 0o644)
			if err != nil {
				return err
			}
			fmt.Fprintf(f, "start %d %s\n", os.Getpid(), os.Getenv("SLURM_ARRAY_JOB_ID"))
			f.Close()
		}
		fmt.Printf("hello from %s#%d\n", t.Name, t.Repeat)
		for step := range t.Settings.Steps {
			if err := t.Metric("loss", step, 1/float64(step+1)); err != nil {
				return err
			}
		}
		if strings.HasPrefix(t.Name, "slow") {
			select {
			case <-ctx.Done():
				if *die {
					syscall.Kill(os.Getpid(), syscall.SIGKILL)
				}
				return fmt.Errorf("stopped while sleeping: %w", context.Cause(ctx))
			case <-time.After(*sleep):
			}
		}
		return t.Summary("final", float64(t.Repeat))
	}
	err := runtime.Run(context.Background(), spec, ts, fn, opt)
	if err != nil && !errors.Is(err, flag.ErrHelp) {
		fmt.Fprintln(os.Stderr, err)
	}
	os.Exit(runtime.ExitCode(err))
}
