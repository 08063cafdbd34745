package runtime

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"path/filepath"
	"runtime/debug"
	"strings"
	"time"

	"github.com/expman-dev/expman/runtime/internal/runlog"
	"github.com/expman-dev/expman/runtime/internal/workspace"
)

// Execution is split so that schedulers other than the sequential one below (parallel
// runs, resume, Slurm array tasks) reuse the same pieces:
//
//	startExperiment  folders, configs/, experiment.log, the start and plan records
//	openTrial        the trial's folders, trial.yaml, trial.log
//	executeRun       one repeat: folders, run.json "running", the call, final run.json
//	finish           the summary record, closing, the error naming failed runs
//
// executeRun is safe to call from several goroutines at once for different repeats.

// run validates p and executes it with o.
func run[S any](ctx context.Context, p plan[S], o options) error {
	if err := p.check(); err != nil {
		return err
	}
	x, err := startExperiment(p, o)
	if err != nil {
		return err
	}
	defer x.close()
	return x.finish(ctx, x.runSequential(ctx))
}

// experimentRun is one execution of an experiment.
type experimentRun[S any] struct {
	plan    plan[S]
	opts    options
	dirs    workspace.Experiment
	logFile *runlog.File
	handler slog.Handler // experiment.log and the console, without attributes
	log     *slog.Logger // experiment-level records
	start   time.Time
}

func startExperiment[S any](p plan[S], o options) (*experimentRun[S], error) {
	// An absolute root keeps Trial.Dir valid should the trial change the working directory.
	root, err := filepath.Abs(o.workspace)
	if err != nil {
		return nil, fmt.Errorf("runtime: workspace %q: %w", o.workspace, err)
	}
	x := &experimentRun[S]{plan: p, opts: o, dirs: workspace.NewExperiment(root, p.spec.Name), start: time.Now()}
	if err := x.dirs.Create(); err != nil {
		return nil, fmt.Errorf("runtime: creating the experiment folder: %w", err)
	}
	for _, f := range p.spec.Files {
		if err := workspace.WriteFile(filepath.Join(x.dirs.Configs, f.Name), []byte(f.Content), workspace.Atomic); err != nil {
			return nil, fmt.Errorf("runtime: copying configs: %w", err)
		}
	}
	lf, err := runlog.Open(x.dirs.LogFile(), o.fileLevel)
	if err != nil {
		return nil, fmt.Errorf("runtime: opening the experiment log: %w", err)
	}
	x.logFile = lf
	var console slog.Handler
	if o.console != nil {
		console = runlog.NewConsole(o.console, slog.LevelInfo)
	}
	x.handler = runlog.Fanout(lf.Handler(), console)
	x.log = slog.New(x.handler).With(runlog.KeyExperiment, p.spec.Name)
	x.log.Info("experiment started", "id", p.spec.ID, "desc", p.spec.Desc, "dir", x.dirs.Dir)
	x.log.Info("plan", "trials", len(p.trials), "runs", p.runs())
	for _, t := range p.trials {
		x.log.Debug("planned trial", runlog.KeyTrial, t.Name, "id", t.ID, "repeats", t.Repeat)
	}
	return x, nil
}

func (x *experimentRun[S]) close() {
	x.logFile.Close()
}

// results collects the outcomes of runs.
type results struct {
	completed   int
	failed      []RunRef
	interrupted []RunRef
	notStarted  []RunRef
}

func (r *results) add(status workspace.Status, ref RunRef) {
	switch status {
	case workspace.Completed:
		r.completed++
	case workspace.Interrupted:
		r.interrupted = append(r.interrupted, ref)
	default:
		r.failed = append(r.failed, ref)
	}
}

// runSequential runs the trials in order, each repeat after the other, and stops starting
// runs once ctx is done.
func (x *experimentRun[S]) runSequential(ctx context.Context) *results {
	res := &results{}
	for i, t := range x.plan.trials {
		if ctx.Err() != nil {
			res.skip(t.Name, 1, t.Repeat)
			continue
		}
		tr, err := x.openTrial(i)
		if err != nil {
			x.log.Error("trial cannot start", runlog.KeyTrial, t.Name, "error", err)
			for k := 1; k <= t.Repeat; k++ {
				res.add(workspace.Failed, RunRef{Trial: t.Name, Repeat: k, Err: err})
			}
			continue
		}
		for k := 1; k <= t.Repeat; k++ {
			if ctx.Err() != nil {
				res.skip(t.Name, k, t.Repeat)
				break
			}
			status, ref := x.executeRun(ctx, tr, k)
			res.add(status, ref)
		}
		tr.close()
	}
	return res
}

func (r *results) skip(trial string, from, to int) {
	for k := from; k <= to; k++ {
		r.notStarted = append(r.notStarted, RunRef{Trial: trial, Repeat: k})
	}
}

// trialRun is a trial whose folders exist and whose trial.log is open.
type trialRun[S any] struct {
	index   int
	spec    TrialSpec[S]
	dirs    workspace.Trial
	logFile *runlog.File
	handler slog.Handler // trial.log, experiment.log and the console
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

func (tr *trialRun[S]) close() { tr.logFile.Close() }

// executeRun runs repeat k of tr: it creates the run's folders, records it as running,
// calls the trial function with a logger writing to run.log, trial.log and experiment.log,
// turns a panic into a failure, and records the final status durably. It reports the
// status and the run's name (with its error, if any).
func (x *experimentRun[S]) executeRun(ctx context.Context, tr *trialRun[S], k int) (workspace.Status, RunRef) {
	ref := RunRef{Trial: tr.spec.Name, Repeat: k}
	dirs := tr.dirs.Run(k)
	seed := Seed(x.plan.spec.ID, tr.spec.ID, k)
	rec := &workspace.RunRecord{
		Experiment: x.plan.spec.Name, Trial: tr.spec.Name, TrialID: tr.spec.ID, Repeat: k,
		Status: workspace.Running, Seed: seed, Start: time.Now().UTC(),
	}
	logger, logFile, err := x.prepareRun(tr, k, dirs, rec)
	if err != nil {
		ref.Err = err
		x.log.Error("run cannot start", runlog.KeyTrial, tr.spec.Name, runlog.KeyRepeat, k, "error", err)
		return workspace.Failed, ref
	}
	defer logFile.Close()
	logger.Info("run started", "seed", seed, "dir", dirs.Dir)

	t := &Trial[S]{
		Settings:   x.plan.runSettings(tr.index),
		Experiment: x.plan.spec.Name,
		Name:       tr.spec.Name,
		ID:         tr.spec.ID,
		Repeat:     k,
		Repeats:    tr.spec.Repeat,
		Dir:        dirs.Dir,
		Seed:       seed,
		Rand:       NewRand(seed),
		Logger:     logger,
	}
	runErr := call(ctx, x.plan.fn, t)
	status := classify(ctx, runErr)
	rec.Finish(status, time.Now(), runErr)
	logOutcome(logger, status, runErr, rec.Duration)
	if err := workspace.WriteRecord(dirs.RecordFile(), rec, workspace.Durable); err != nil {
		logger.Error("run status cannot be recorded", "error", err)
		status, runErr = workspace.Failed, errors.Join(runErr, err)
	}
	ref.Err = runErr
	return status, ref
}

// prepareRun creates the run's folders, writes its "running" record and opens its log.
func (x *experimentRun[S]) prepareRun(tr *trialRun[S], k int, dirs workspace.Run, rec *workspace.RunRecord) (*slog.Logger, *runlog.File, error) {
	if err := dirs.Create(); err != nil {
		return nil, nil, err
	}
	if err := workspace.WriteRecord(dirs.RecordFile(), rec, workspace.Atomic); err != nil {
		return nil, nil, err
	}
	lf, err := runlog.Open(dirs.LogFile(), x.opts.fileLevel)
	if err != nil {
		return nil, nil, err
	}
	logger := slog.New(runlog.Fanout(lf.Handler(), tr.handler)).With(
		runlog.KeyExperiment, x.plan.spec.Name, runlog.KeyTrial, tr.spec.Name, runlog.KeyRepeat, k)
	return logger, lf, nil
}

// call runs fn with its own context, cancelled when fn returns so that goroutines it left
// behind stop, and turns a panic into a *PanicError carrying the stack.
func call[S any](ctx context.Context, fn TrialFunc[S], t *Trial[S]) (err error) {
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
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
// A panic is a failure whatever the context says; a nil error is a completed run.
func classify(ctx context.Context, err error) workspace.Status {
	var p *PanicError
	switch {
	case err == nil:
		return workspace.Completed
	case ctx.Err() != nil && !errors.As(err, &p):
		return workspace.Interrupted
	}
	return workspace.Failed
}

func logOutcome(l *slog.Logger, status workspace.Status, err error, d string) {
	switch status {
	case workspace.Completed:
		l.Info("run completed", "duration", d)
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

// finish logs the summary and returns nil when every run completed, else a *RunError.
func (x *experimentRun[S]) finish(ctx context.Context, r *results) error {
	x.log.Info("experiment finished",
		"runs", x.plan.runs(),
		"completed", r.completed,
		"failed", len(r.failed),
		"interrupted", len(r.interrupted),
		"not_started", len(r.notStarted),
		"duration", time.Since(x.start).Round(time.Millisecond).String())
	if len(r.failed) > 0 {
		x.log.Error("failed runs", "runs", names(r.failed))
	}
	if len(r.failed)+len(r.interrupted)+len(r.notStarted) == 0 {
		return nil
	}
	e := &RunError{Failed: r.failed, Interrupted: r.interrupted, NotStarted: r.notStarted}
	if len(r.interrupted)+len(r.notStarted) > 0 {
		e.Err = ctx.Err()
	}
	return e
}
