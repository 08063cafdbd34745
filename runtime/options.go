package runtime

import (
	"errors"
	"fmt"
	"io"
	"log/slog"
	"os"
	"regexp"
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
	argsErr   error // a bad command line or -h, from WithArgs or WithFlags
	// setup, if set, prepares the workspace once the run is going ahead (startExperiment),
	// so that a dry run, a refused start or an empty submission create nothing.
	setup func() error
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
	// A bad command line (or -h) is the whole answer: other problems would only bury it.
	if o.argsErr != nil {
		return o, o.argsErr
	}
	if o.console == io.Discard {
		o.console = nil
	}
	var errs []error
	if o.workspace == "" {
		errs = append(errs, errors.New(`runtime: WithWorkspace(""): the workspace folder is empty; want a path such as "outputs"`))
	}
	errs = append(errs, o.exec.check()...)
	return o, errors.Join(errs...)
}

// check returns every problem of the execution options, so that one attempt shows them
// all, and fills the defaults that depend on several options.
func (e *executionOptions) check() []error {
	errs := e.bad
	if _, err := e.pattern(); err != nil {
		errs = append(errs, fmt.Errorf("runtime: WithRunPattern(%q): %w", e.runPattern, err))
	}
	if e.grace < 0 {
		errs = append(errs, fmt.Errorf("runtime: WithSignals(%v): want a positive grace period, or 0 for the default %v", e.grace, DefaultGrace))
	}
	// Each GPU slot is meant to be busy: without an explicit limit, run as many as slots.
	if e.parallel == 0 {
		e.parallel = max(len(e.gpus), 1)
	}
	if e.signals && e.grace == 0 {
		e.grace = DefaultGrace
	}
	return errs
}

// pattern compiles the run pattern; nil selects every trial.
func (e *executionOptions) pattern() (*regexp.Regexp, error) {
	if e.runPattern == "" {
		return nil, nil
	}
	return regexp.Compile(e.runPattern)
}

// reject records a bad option value for buildOptions to report. Options cannot return
// errors, and an invalid value must not silently mean the default.
func (o *options) reject(format string, args ...any) {
	o.exec.bad = append(o.exec.bad, fmt.Errorf("runtime: "+format, args...))
}

// DefaultGrace is how long WithSignals(0) lets cancelled runs return before they are
// recorded as interrupted anyway.
const DefaultGrace = 10 * time.Second

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
	overrides  []string      // -set path=value, in order; applied to every trial (overrides.go)
	slurm      slurmMode     // -slurm (submit) and -slurm-task (an array task); slurm.go

	bad []error // invalid option values, reported by buildOptions
}

// WithParallel runs up to n runs at once, each in its own goroutine with its own context
// and logger; runs still start in file order. n < 1 is an error. Without it, runs go one
// after another, or, with WithGPUs, as many at once as there are GPU slots.
func WithParallel(n int) Option {
	return func(o *options) {
		if n < 1 {
			o.reject("WithParallel(%d): want 1 or more runs at once", n)
			return
		}
		o.exec.parallel = n
	}
}

// WithGPUs gives each concurrent run one GPU slot from a comma-separated list such as
// "0,1,2,3"; runs wait for a free slot. The slot is Trial.GPU and, for processes the run
// starts, CUDA_VISIBLE_DEVICES (see Trial.Env). A list without slots is an error. Unless
// WithParallel says otherwise, as many runs execute at once as there are slots.
func WithGPUs(list string) Option {
	return func(o *options) {
		gpus := splitList(list)
		if len(gpus) == 0 {
			o.reject(`WithGPUs(%q): the list has no GPU slots; want a comma-separated list such as "0,1"`, list)
			return
		}
		o.exec.gpus = gpus
	}
}

// WithRunPattern selects the trials whose name matches the regular expression, as go test
// -run does. An invalid expression is an error.
func WithRunPattern(expr string) Option {
	return func(o *options) { o.exec.runPattern = expr }
}

// WithRepeat runs only repeat k (1-based) of each selected trial; a trial with fewer
// repeats runs nothing. k < 1 is an error.
func WithRepeat(k int) Option {
	return func(o *options) {
		if k < 1 {
			o.reject("WithRepeat(%d): repeats are numbered from 1", k)
			return
		}
		o.exec.repeat = k
	}
}

// WithRerun lets trials whose resolved settings changed since their completed runs run
// again; their old runs are archived first. Without it, such a trial stops the experiment
// before anything runs.
func WithRerun() Option { return func(o *options) { o.exec.rerun = true } }

// WithTimeout limits every run to d, overriding the configs' timeout (a trial's timeout in
// trials.yaml, else experiment.yaml's). Exceeding it cancels the run's context; if the run
// then returns an error it is marked failed with a *TimeoutError ("timed out after 30s").
// A negative d is an error.
func WithTimeout(d time.Duration) Option {
	return func(o *options) {
		if d < 0 {
			o.reject("WithTimeout(%v): want a positive duration, or no timeout option", d)
			return
		}
		o.exec.timeout = d
	}
}

// WithFailFast stops starting runs after the first failure.
func WithFailFast() Option { return func(o *options) { o.exec.failFast = true } }

// WithDryRun prints the plan to w (every selected trial and repeat, its folder, and whether
// it would run or be skipped, and why), creates nothing and runs nothing. Run then returns
// nil, or the error a real run would stop with before starting (changed settings).
func WithDryRun(w io.Writer) Option { return func(o *options) { o.exec.dryRun = w } }

// WithSignals makes Run handle SIGINT and SIGTERM: stop starting runs, cancel the running
// ones, give them grace to return (0: DefaultGrace), mark them interrupted and return an
// error wrapping a *SignalError. A run still going after grace is recorded interrupted
// anyway and left behind. A second signal exits the process at once with status 128+signal
// (130 for SIGINT); its runs stay "running" with a free lock, so the next start reruns them.
// Handlers are installed only for Run's duration.
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
