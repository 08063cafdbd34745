package runtime

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"os"
	"path/filepath"
	"reflect"
	"runtime/debug"
	"slices"
	"strings"
	"sync"
	"time"
	"unicode"

	"github.com/expman-dev/expman/runtime/internal/envinfo"
	"github.com/expman-dev/expman/runtime/internal/progress"
	"github.com/expman-dev/expman/runtime/internal/runlog"
	"github.com/expman-dev/expman/runtime/internal/workspace"
	"github.com/expman-dev/expman/runtime/results"
)

// Execution is split so that schedulers (the worker pool of schedule.go, and later Slurm
// array tasks) reuse the same pieces:
//
//	run              checks, selection, the survey of earlier runs, dry run, refusal of
//	                 changed settings; nothing is created before it passes
//	startExperiment  folders, configs/, experiment.log, the start record
//	schedule         the worker pool: lock, decide, executeRun, per run (schedule.go)
//	openTrial        the trial's folders, trial.yaml, trial.log
//	executeRun       one repeat: run.json "running", the call, final run.json
//	finish           the summary record, closing, the error naming failed runs
//
// executeRun is safe to call from several goroutines at once for different repeats.

// run validates p and executes it with o.
func run[S any](ctx context.Context, p plan[S], o options) error {
	if err := p.check(); err != nil {
		return err
	}
	// Overrides (-set, WithOverrides) become every trial's settings before anything reads
	// them, and configs/overrides.yaml joins the config files (overrides.go).
	p, err := p.override(o.exec.overrides)
	if err != nil {
		return err
	}
	hashes, err := p.hashes()
	if err != nil {
		return err
	}
	// An absolute root keeps Trial.Dir valid should the trial change the working directory.
	root, err := filepath.Abs(o.workspace)
	if err != nil {
		return fmt.Errorf("runtime: workspace %q: %w", o.workspace, err)
	}
	dirs := workspace.NewExperiment(root, p.spec.Name)
	jobs := p.jobs(o.exec)
	// A Slurm array task executes exactly its run of the submission's list (slurm.go).
	if o.exec.slurm.task != "" {
		if jobs, err = slurmTask(&p, &o, dirs); err != nil {
			return err
		}
	}
	sv, err := p.survey(dirs, jobs, hashes, o.exec.rerun)
	if err != nil {
		return err
	}
	if o.exec.dryRun != nil && o.exec.slurm.submit {
		return slurmDryRun(ctx, p, o, sv, dirs, root)
	}
	if o.exec.dryRun != nil {
		return dryRun(p, o, sv, root)
	}
	if sv.blocked {
		return &SettingsChangedError{Trials: sv.changed}
	}
	// -slurm: the runs still to do go to Slurm as one job array; nothing runs here.
	if o.exec.slurm.submit {
		return submitSlurm(ctx, p, o, sv, dirs, hashes)
	}
	x, err := startExperiment(p, o, dirs, hashes)
	if err != nil {
		return err
	}
	defer x.close()
	if err := x.archive(sv); err != nil {
		return err
	}
	x.logPlan(sv)
	x.progress.Start(len(jobs), 0)
	return x.finish(x.schedule(ctx, jobs))
}

// dryRun prints the plan; a plan that a real run would refuse is refused here too, after
// it is shown.
func dryRun[S any](p plan[S], o options, sv *survey, root string) error {
	shown := func(dir string) string {
		rel, err := filepath.Rel(root, dir)
		if err != nil {
			return dir
		}
		return filepath.Join(o.workspace, rel)
	}
	if err := p.printPlan(o.exec.dryRun, sv, shown); err != nil {
		return err
	}
	if sv.blocked {
		return &SettingsChangedError{Trials: sv.changed}
	}
	return nil
}

// experimentRun is one execution of an experiment.
type experimentRun[S any] struct {
	plan    plan[S]
	opts    options
	dirs    workspace.Experiment
	hashes  []string // settings hash of each trial
	owner   workspace.Owner
	logFile *runlog.File
	handler slog.Handler // experiment.log and the console, without attributes
	log     *slog.Logger // experiment-level records
	start   time.Time

	progress progress.Reporter

	mu      sync.Mutex
	trials  map[int]*trialRun[S] // open trials, by index
	active  map[*activeRun]bool  // runs in progress
	pending map[int]int          // selected runs not yet ended, by trial
}

func startExperiment[S any](p plan[S], o options, dirs workspace.Experiment, hashes []string) (*experimentRun[S], error) {
	if o.setup != nil {
		if err := o.setup(); err != nil {
			return nil, err
		}
	}
	host, _ := os.Hostname()
	x := &experimentRun[S]{
		plan: p, opts: o, dirs: dirs, hashes: hashes, start: time.Now(),
		owner:  workspace.Owner{Host: host, PID: os.Getpid()},
		trials: map[int]*trialRun[S]{},
	}
	if err := x.dirs.Create(); err != nil {
		return nil, fmt.Errorf("runtime: creating the experiment folder: %w", err)
	}
	for _, f := range p.spec.Files {
		if err := workspace.WriteFile(filepath.Join(x.dirs.Configs, f.Name), []byte(f.Content), workspace.Atomic); err != nil {
			return nil, fmt.Errorf("runtime: copying configs: %w", err)
		}
	}
	if err := envinfo.Write(filepath.Join(x.dirs.Configs, envinfo.FileName), envinfo.Collect(o.exec.args, x.start)); err != nil {
		return nil, fmt.Errorf("runtime: recording the environment: %w", err)
	}
	lf, err := runlog.Open(x.dirs.LogFile(), o.fileLevel)
	if err != nil {
		return nil, fmt.Errorf("runtime: opening the experiment log: %w", err)
	}
	x.logFile = lf
	x.progress = progress.New(o.exec.progress)
	x.handler = runlog.Fanout(lf.Handler(), x.console())
	x.log = slog.New(x.handler).With(runlog.KeyExperiment, p.spec.Name)
	x.log.Info("experiment started", "id", p.spec.ID, "desc", p.spec.Desc, "dir", x.dirs.Dir)
	x.log.Debug("runner", "host", x.owner.Host, "pid", x.owner.PID)
	return x, nil
}

// console returns the handler for people, or nil. When the progress display shares its
// writer, log records go through the display so they never garble its live line, and the
// routine start and end of each run are left to the display: it says them once.
func (x *experimentRun[S]) console() slog.Handler {
	w := x.opts.console
	if w == nil {
		return nil
	}
	if !sameWriter(w, x.opts.exec.progress) {
		return runlog.NewConsole(w, slog.LevelInfo)
	}
	return runlog.NewConsole(x.progress.Writer(), slog.LevelInfo).Omitting(msgRunStarted, msgRunCompleted)
}

// sameWriter reports whether a and b are the same writer, without panicking on writers
// of a type that cannot be compared.
func sameWriter(a, b io.Writer) bool {
	if a == nil || b == nil || reflect.TypeOf(a) != reflect.TypeOf(b) || !reflect.TypeOf(a).Comparable() {
		return false
	}
	return a == b
}

// logPlan says what this start will do: how many runs it selected and, for those it
// skips or reruns, why. The workers decide again under each run's lock.
func (x *experimentRun[S]) logPlan(sv *survey) {
	counts := map[string]int{}
	toRun := 0
	for _, r := range sv.runs {
		counts[strings.SplitN(r.reason, ":", 2)[0]]++
		if r.run {
			toRun++
		}
		x.log.Debug("planned run", runlog.KeyTrial, x.plan.trials[r.trial].Name, runlog.KeyRepeat, r.repeat,
			"action", map[bool]string{true: "run", false: "skip"}[r.run], "reason", r.reason)
	}
	args := []any{"trials", len(x.plan.trials), "runs", x.plan.runs(), "selected", len(sv.runs),
		"to_run", toRun, "to_skip", len(sv.runs) - toRun, "parallel", x.opts.exec.parallel}
	for _, k := range sortedKeys(counts) {
		args = append(args, logKey(k), counts[k])
	}
	// The -set overrides of this start (overrides.go), so the log says what ran.
	if len(x.plan.overrides) > 0 {
		args = append(args, "overrides", x.plan.overrides)
	}
	x.log.Info("plan", args...)
}

// archive moves the old runs of trials whose settings changed (WithRerun) out of the way.
func (x *experimentRun[S]) archive(sv *survey) error {
	now := time.Now()
	for i, yes := range sv.archive {
		if !yes {
			continue
		}
		name := x.plan.trials[i].Name
		dst, err := archiveTrial(x.dirs.Trial(name), now, x.hashes[i])
		if err != nil {
			return fmt.Errorf("runtime: archiving the old runs of trial %q: %w", name, err)
		}
		if dst == "" {
			continue // another runner archived them first
		}
		x.log.Warn("settings changed; old runs archived", runlog.KeyTrial, name, "archive", dst)
	}
	return nil
}

// close closes the experiment's logs, and those of trials whose runs never all ended
// (not started, or left behind after the grace period).
func (x *experimentRun[S]) close() {
	x.mu.Lock()
	for _, tr := range x.trials {
		tr.logFile.Close()
	}
	x.mu.Unlock()
	x.logFile.Close()
}

// trialRun is a trial whose folders exist and whose trial.log is open, shared by the
// trial's runs in progress.
type trialRun[S any] struct {
	index   int
	spec    TrialSpec[S]
	dirs    workspace.Trial
	logFile *runlog.File
	handler slog.Handler // trial.log, experiment.log and the console
	pending int          // selected runs not yet ended; trial.log closes at 0
}

// acquireTrial returns trial i opened, opening it for its first run that executes.
// Opening only for runs that execute keeps skipped trials' files untouched; keeping it open
// until the trial's last selected run ends spares each repeat the trial's writes.
func (x *experimentRun[S]) acquireTrial(i int) (*trialRun[S], error) {
	x.mu.Lock()
	defer x.mu.Unlock()
	if tr := x.trials[i]; tr != nil {
		return tr, nil
	}
	tr, err := x.openTrial(i)
	if err != nil {
		return nil, err
	}
	x.trials[i] = tr
	return tr, nil
}

// jobDone counts one selected run of trial i as ended. After its last, the trial's
// summary.json is written and its log closed.
func (x *experimentRun[S]) jobDone(i int) {
	x.mu.Lock()
	tr := x.trials[i]
	last := tr != nil && x.pending[i] == 1
	x.pending[i]--
	if last {
		delete(x.trials, i)
	}
	x.mu.Unlock()
	if last {
		x.writeTrialSummary(tr)
		tr.logFile.Close()
	}
}

// openTrial creates trial i's folders, writes its trial.yaml and opens its trial.log.
func (x *experimentRun[S]) openTrial(i int) (*trialRun[S], error) {
	t := x.plan.trials[i]
	tr := &trialRun[S]{index: i, spec: t, dirs: x.dirs.Trial(t.Name)}
	if err := tr.dirs.Create(); err != nil {
		return nil, err
	}
	data, err := x.plan.trialYAML(i)
	if err != nil {
		return nil, err
	}
	if err := workspace.WriteFile(tr.dirs.ConfigFile(), data, workspace.Atomic); err != nil {
		return nil, err
	}
	if tr.logFile, err = runlog.Open(tr.dirs.LogFile(), x.opts.fileLevel); err != nil {
		return nil, err
	}
	tr.handler = runlog.Fanout(tr.logFile.Handler(), x.handler)
	return tr, nil
}

// executeRun runs repeat k of tr holding the GPU slot gpu: it records the run as running,
// calls the trial function with a logger writing to run.log, trial.log and
// experiment.log, turns a panic into a failure and a timeout into a *TimeoutError, and
// records the final status durably through a. The caller holds the run's lock and has
// created its folders.
func (x *experimentRun[S]) executeRun(ctx context.Context, tr *trialRun[S], k int, gpu string, a *activeRun) (workspace.Status, error) {
	dirs := tr.dirs.Run(k)
	seed := Seed(x.plan.spec.ID, tr.spec.ID, k)
	timeout := x.plan.timeout(tr.index, x.opts.exec)
	rec := x.newRecord(tr, k, seed, gpu, timeout)
	if err := a.start(dirs.RecordFile(), rec); err != nil {
		if !errors.Is(err, errAbandoned) {
			x.log.Error("run cannot start", runlog.KeyTrial, tr.spec.Name, runlog.KeyRepeat, k, "error", err)
		}
		return workspace.Failed, err
	}
	logger, logFile, err := x.prepareRun(tr, k, dirs)
	if err != nil {
		x.log.Error("run cannot start", runlog.KeyTrial, tr.spec.Name, runlog.KeyRepeat, k, "error", err)
		return a.end(workspace.Failed, err, nil)
	}
	defer logFile.Close()
	a.setLogger(logger)
	logRunStart(logger, seed, dirs.Dir, a.reason, gpu)

	t := &Trial[S]{
		Settings: x.plan.runSettings(tr.index), Experiment: x.plan.spec.Name,
		Name: tr.spec.Name, ID: tr.spec.ID, Repeat: k, Repeats: tr.spec.Repeat,
		Dir: dirs.Dir, Seed: seed, Rand: NewRand(seed), Logger: logger, GPU: gpu,
	}
	sink, err := openRunSink(dirs.Dir)
	if err != nil {
		return a.end(workspace.Failed, fmt.Errorf("opening the run's metrics: %w", err), nil)
	}
	t.sink = sink
	runErr := call(ctx, x.plan.fn, t, timeout)
	status := classify(ctx, runErr)
	summaries, err := sink.close()
	if err != nil {
		status, runErr = workspace.Failed, errors.Join(runErr, fmt.Errorf("writing the run's metrics: %w", err))
	}
	return a.end(status, runErr, summaries)
}

func (x *experimentRun[S]) newRecord(tr *trialRun[S], k int, seed int64, gpu string, timeout time.Duration) *workspace.RunRecord {
	owner := x.owner
	rec := &workspace.RunRecord{
		Experiment: x.plan.spec.Name, Trial: tr.spec.Name, TrialID: tr.spec.ID, Repeat: k,
		Status: workspace.Running, Seed: seed, Start: time.Now().UTC(),
		SettingsHash: x.hashes[tr.index], Owner: &owner, GPU: gpu,
	}
	if timeout > 0 {
		rec.Timeout = timeout.String()
	}
	return rec
}

// prepareRun opens the run's log and returns the run's logger.
func (x *experimentRun[S]) prepareRun(tr *trialRun[S], k int, dirs workspace.Run) (*slog.Logger, *runlog.File, error) {
	lf, err := runlog.Open(dirs.LogFile(), x.opts.fileLevel)
	if err != nil {
		return nil, nil, err
	}
	logger := slog.New(runlog.Fanout(lf.Handler(), tr.handler)).With(
		runlog.KeyExperiment, x.plan.spec.Name, runlog.KeyTrial, tr.spec.Name, runlog.KeyRepeat, k)
	return logger, lf, nil
}

// The messages of a run's routine start and end, which the progress display replaces on a
// terminal.
const (
	msgRunStarted   = "run started"
	msgRunCompleted = "run completed"
)

// errTimeout marks a run context cancelled by the run's own timeout, so that a timeout is
// told apart from the experiment being cancelled.
var errTimeout = errors.New("run timeout")

// call runs fn with its own context, cancelled when fn returns so that goroutines it left
// behind stop, and after timeout if it is positive. An error returned after the timeout
// fired (and not because the experiment was cancelled) becomes a *TimeoutError.
func call[S any](ctx context.Context, fn TrialFunc[S], t *Trial[S], timeout time.Duration) error {
	// Exactly one context: a second one would leave the first uncancelled.
	var runCtx context.Context
	var cancel context.CancelFunc
	if timeout > 0 {
		runCtx, cancel = context.WithTimeoutCause(ctx, timeout, errTimeout)
	} else {
		runCtx, cancel = context.WithCancel(ctx)
	}
	defer cancel()
	err := protect(runCtx, fn, t)
	if err != nil && timeout > 0 && ctx.Err() == nil && context.Cause(runCtx) == errTimeout {
		var p *PanicError
		if !errors.As(err, &p) {
			return &TimeoutError{After: timeout, Err: err}
		}
	}
	return err
}

// protect calls fn and turns a panic into a *PanicError carrying the stack.
func protect[S any](ctx context.Context, fn TrialFunc[S], t *Trial[S]) (err error) {
	defer func() {
		if v := recover(); v != nil {
			err = &PanicError{Value: v, Stack: panicStack(debug.Stack())}
		}
	}()
	return fn(ctx, t)
}

// panicStack drops the frames of debug.Stack, this package's recover and panic itself from
// the top of stack, so it starts where the trial panicked.
func panicStack(stack []byte) string {
	s := string(stack)
	header, rest, _ := strings.Cut(s, "\n")
	i := strings.Index(rest, "\npanic(")
	if i < 0 {
		return s
	}
	// Skip the "panic(...)" line and the file line under it.
	after := rest[i+1:]
	for range 2 {
		_, after, _ = strings.Cut(after, "\n")
	}
	return header + "\n" + after
}

// classify decides a finished run's status. An error returned once the experiment's
// context is done is taken as the run giving up because of it: interrupted, not failed.
// A panic or a timeout is a failure whatever the context says; a nil error is a completed
// run.
func classify(ctx context.Context, err error) workspace.Status {
	var p *PanicError
	var te *TimeoutError
	switch {
	case err == nil:
		return workspace.Completed
	case ctx.Err() != nil && !errors.As(err, &p) && !errors.As(err, &te):
		return workspace.Interrupted
	}
	return workspace.Failed
}

func logRunStart(l *slog.Logger, seed int64, dir, reason, gpu string) {
	args := []any{"seed", seed, "dir", dir}
	if reason != "new" {
		args = append(args, "reason", reason)
	}
	if gpu != "" {
		args = append(args, "gpu", gpu)
	}
	l.Info(msgRunStarted, args...)
}

func logOutcome(l *slog.Logger, status workspace.Status, err error, d string) {
	switch status {
	case workspace.Completed:
		l.Info(msgRunCompleted, "duration", d)
	case workspace.Interrupted:
		l.Warn("run interrupted", "duration", d, "error", err.Error())
	default:
		var p *PanicError
		if errors.As(err, &p) {
			l.Error("run failed", "duration", d, "error", err.Error(), "stack", p.Stack)
		} else {
			l.Error("run failed", "duration", d, "error", err.Error())
		}
	}
}

// finish logs the summary and returns nil when every run this process was to execute
// completed, else a *RunError. Runs another process was executing are not failures: that
// process reports them.
func (x *experimentRun[S]) finish(r *outcomes) error {
	x.progress.Stop()
	x.writeResults()
	r.mu.Lock()
	defer r.mu.Unlock()
	failed, interrupted, notStarted := refs(r.failed), refs(r.interrupted), refs(r.notStarted)
	x.log.Info("experiment finished",
		"runs", x.plan.runs(),
		"completed", r.completed,
		"failed", len(failed),
		"interrupted", len(interrupted),
		"not_started", len(notStarted),
		"skipped_completed", r.skipped,
		"running_elsewhere", len(r.elsewhere),
		"duration", time.Since(x.start).Round(time.Millisecond).String())
	if len(failed) > 0 {
		x.log.Error("failed runs", "runs", names(failed))
	}
	if len(failed)+len(interrupted)+len(notStarted) == 0 {
		return nil
	}
	e := &RunError{Failed: failed, Interrupted: interrupted, NotStarted: notStarted}
	if len(interrupted)+len(notStarted) > 0 {
		e.Err = r.cause
	}
	return e
}

// writeResults writes the experiment's results.json and results.csv from what the
// workspace holds now, runs of other processes included. A problem is logged, not
// returned: the runs themselves are recorded and the table can be made again with
// expman report.
func (x *experimentRun[S]) writeResults() {
	if err := results.WriteExperiment(x.dirs.Dir); err != nil {
		x.log.Warn("results not fully written", "error", err)
	}
}

// writeTrialSummary writes a trial's summary.json once the trial's runs in this process
// have ended.
func (x *experimentRun[S]) writeTrialSummary(tr *trialRun[S]) {
	if err := results.WriteTrialSummary(tr.dirs.Dir); err != nil {
		x.log.Warn("trial summary not fully written", runlog.KeyTrial, tr.spec.Name, "error", err)
	}
}

// logKey turns a reason such as "failed before, rerun" into a key a log reader can use:
// failed_before_rerun.
func logKey(reason string) string {
	return strings.Join(strings.FieldsFunc(reason, func(r rune) bool {
		return !unicode.IsLetter(r) && !unicode.IsDigit(r)
	}), "_")
}

func sortedKeys(m map[string]int) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	return keys
}
