package runtime

import (
	"errors"
	"io"
	"log/slog"
	"os"
	"strings"
	"time"
)

// DefaultWorkspace is the workspace used when no WithWorkspace option is given.
const DefaultWorkspace = "outputs"

type options struct {
	workspace string
	console   io.Writer  // nil: no console output
	fileLevel slog.Level // lowest level written to log files
	exec      executionOptions
}

// WithConsole sets where INFO and higher records are shown for people. Default os.Stderr;
// nil or io.Discard silences the console (log files are written either way).
func WithConsole(w io.Writer) Option { return func(o *options) { o.console = w } }

// WithLogLevel sets the lowest level written to the log files (run.log, trial.log,
// experiment.log). Default slog.LevelDebug: files keep everything. The console always shows
// INFO and above.
func WithLogLevel(l slog.Level) Option { return func(o *options) { o.fileLevel = l } }

func buildOptions(opts []Option) (options, error) {
	o := options{workspace: DefaultWorkspace, console: os.Stderr, fileLevel: slog.LevelDebug}
	for _, opt := range opts {
		if opt != nil {
			opt(&o)
		}
	}
	if o.console == io.Discard {
		o.console = nil
	}
	if o.workspace == "" {
		return o, errors.New(`runtime: WithWorkspace(""): the workspace folder is empty; want a path such as "outputs"`)
	}
	return o, nil
}

// The options below are declared here so that every part of the runtime agrees on them;
// each says what it does once implemented.

// executionOptions control which runs execute and how (issue 3).
type executionOptions struct {
	parallel   int           // runs at once; 0 and 1 mean one after another
	gpus       []string      // GPU slots; each concurrent run holds one
	runPattern string        // -run: regexp selecting trials by name, as go test -run does
	repeat     int           // -repeat: run only this repeat index of each trial; 0: all
	rerun      bool          // rerun trials whose settings changed, archiving their old runs
	timeout    time.Duration // per-run timeout; overrides the configs' timeout when > 0
	failFast   bool          // stop starting runs after the first failure
	dryRun     io.Writer     // print the plan here and run nothing; nil: run
	signals    bool          // handle SIGINT/SIGTERM (cancel, grace, interrupted; second SIGINT exits)
	grace      time.Duration // how long cancelled runs get to return before they are marked interrupted
	progress   io.Writer     // where the progress line or per-run lines go; nil: none
	args       []string      // the program's command line, recorded in environment.json
}

// WithParallel runs up to n runs at once, each in its own goroutine with its own context
// and logger. n < 1 is an error.
func WithParallel(n int) Option {
	return func(o *options) { o.exec.parallel = n }
}

// WithGPUs gives each concurrent run one GPU slot from a comma-separated list such as
// "0,1,2,3"; runs wait for a free slot. The slot is Trial.GPU and, for processes the run
// starts, CUDA_VISIBLE_DEVICES.
func WithGPUs(list string) Option {
	return func(o *options) { o.exec.gpus = splitList(list) }
}

// WithRunPattern selects the trials whose name matches the regular expression, as go test
// -run does. An invalid expression is an error.
func WithRunPattern(expr string) Option {
	return func(o *options) { o.exec.runPattern = expr }
}

// WithRepeat runs only repeat k (1-based) of each selected trial.
func WithRepeat(k int) Option { return func(o *options) { o.exec.repeat = k } }

// WithRerun lets trials whose resolved settings changed since their completed runs run
// again; their old runs are archived first. Without it, such a trial stops the experiment
// before anything runs.
func WithRerun() Option { return func(o *options) { o.exec.rerun = true } }

// WithTimeout limits every run to d, overriding the configs' timeout. Exceeding it cancels
// the run's context and marks it failed with a timeout error.
func WithTimeout(d time.Duration) Option {
	return func(o *options) { o.exec.timeout = d }
}

// WithFailFast stops starting runs after the first failure.
func WithFailFast() Option { return func(o *options) { o.exec.failFast = true } }

// WithDryRun prints the plan to w (every trial and repeat, its folder, and whether it would
// run or be skipped) and runs nothing.
func WithDryRun(w io.Writer) Option { return func(o *options) { o.exec.dryRun = w } }

// WithSignals makes Run handle SIGINT and SIGTERM: stop starting runs, cancel the running
// ones, give them grace to return, mark them interrupted and return an error. A second
// SIGINT exits the process at once.
func WithSignals(grace time.Duration) Option {
	return func(o *options) { o.exec.signals = true; o.exec.grace = grace }
}

// WithProgress shows progress on w: one live line on a terminal, one line per finished run
// otherwise. Default: none.
func WithProgress(w io.Writer) Option { return func(o *options) { o.exec.progress = w } }

func splitList(s string) []string {
	var out []string
	for _, f := range strings.Split(s, ",") {
		if f = strings.TrimSpace(f); f != "" {
			out = append(out, f)
		}
	}
	return out
}
