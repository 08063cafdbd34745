// Command compare-optuna runs a no-op experiment with expman (TRIALS trials, each logging
// STEPS metric values) and prints one JSON line with its wall time. compare.sh runs it beside
// the same experiment in Optuna and prints the costs per trial and per metric side by side.
//
//	go run ./examples/compare-optuna TRIALS STEPS
package main

import (
	"context"
	"encoding/json"
	"fmt"
	"os"
	"strconv"
	"time"

	"github.com/expman-dev/expman/runtime"
)

type noSettings struct{}

func main() {
	if len(os.Args) != 3 {
		fmt.Fprintln(os.Stderr, "usage: compare-optuna TRIALS STEPS")
		os.Exit(2)
	}
	trials, err1 := strconv.Atoi(os.Args[1])
	steps, err2 := strconv.Atoi(os.Args[2])
	if err1 != nil || err2 != nil || trials < 1 || steps < 0 {
		fmt.Fprintln(os.Stderr, "compare-optuna: TRIALS must be >= 1 and STEPS >= 0")
		os.Exit(2)
	}
	elapsed, err := run(trials, steps)
	if err != nil {
		fmt.Fprintln(os.Stderr, "compare-optuna:", err)
		os.Exit(1)
	}
	json.NewEncoder(os.Stdout).Encode(map[string]any{"tool": "expman", "trials": trials, "steps": steps, "seconds": elapsed.Seconds()})
}

// run executes the experiment in a fresh workspace: every trial gets its folders, configs,
// logs, run.json and metrics.jsonl, as in real use.
func run(trials, steps int) (time.Duration, error) {
	ws, err := os.MkdirTemp("", "expman-compare-*")
	if err != nil {
		return 0, err
	}
	defer os.RemoveAll(ws)
	specs := make([]runtime.TrialSpec[noSettings], trials)
	for i := range specs {
		specs[i] = runtime.TrialSpec[noSettings]{Name: "t" + strconv.Itoa(i+1), ID: i + 1, Repeat: 1}
	}
	exp := runtime.ExperimentSpec{Name: "noop", ID: 1}
	start := time.Now()
	err = runtime.Run(context.Background(), exp, specs, func(ctx context.Context, t *runtime.Trial[noSettings]) error {
		for step := range steps {
			if err := t.Metric("value", step, 0.5); err != nil {
				return err
			}
		}
		return nil
	}, runtime.WithWorkspace(ws), runtime.WithConsole(nil))
	return time.Since(start), err
}
