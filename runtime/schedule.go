package runtime

import (
	"cmp"
	"context"
	"errors"
	"fmt"
	"io/fs"
	"log/slog"
	"os"
	"os/signal"
	"slices"
	"sync"
	"sync/atomic"
	"syscall"
	"time"

	"github.com/expman-dev/expman/runtime/internal/lock"
	"github.com/expman-dev/expman/runtime/internal/runlog"
	"github.com/expman-dev/expman/runtime/internal/workspace"
)

// The scheduler starts runs in file order, each in its own goroutine, at most
// WithParallel at once and each holding one GPU slot when there are slots. Taking the
// worker and the slot in the dispatching loop, not in the goroutines, is what keeps the
// starting order. Sequential execution is the same pool with one worker.

// schedule executes jobs and collects their outcomes. It stops starting runs once ctx is
// done, a signal arrived or, with WithFailFast, a run failed.
func (x *experimentRun[S]) schedule(ctx context.Context, jobs []job) *outcomes {
	ctx, fired, stopSignals := x.watchSignals(ctx)
	defer stopSignals()
	res := &outcomes{}
	workers := make(chan struct{}, x.opts.exec.parallel)
	slots := make(chan string, len(x.opts.exec.gpus))
	for _, g := range x.opts.exec.gpus {
		slots <- g
	}
	x.mu.Lock()
	x.pending = map[int]int{}
	for _, j := range jobs {
		x.pending[j.trial]++
	}
	x.mu.Unlock()
	var wg sync.WaitGroup
	var failed atomic.Bool
	for n, j := range jobs {
		gpu, ok := x.reserve(ctx, workers, slots, &failed)
		if !ok {
			for _, rest := range jobs[n:] {
				res.add(rest, workspace.Status(""), x.ref(rest, nil))
			}
			break
		}
		wg.Add(1)
		go func() {
			defer wg.Done()
			defer func() { <-workers }()
			if gpu != "" {
				defer func() { slots <- gpu }()
			}
			x.runJob(ctx, j, gpu, res, &failed)
		}()
	}
	x.wait(&wg, fired, res)
	if ctx.Err() != nil {
		res.cause = context.Cause(ctx)
	}
	return res
}

// reserve waits for a worker and, with GPUs, a slot. It reports false when no further run
// may start.
func (x *experimentRun[S]) reserve(ctx context.Context, workers chan struct{}, slots chan string, failed *atomic.Bool) (string, bool) {
	stopped := func() bool { return ctx.Err() != nil || x.opts.exec.failFast && failed.Load() }
	if stopped() {
		return "", false
	}
	select {
	case workers <- struct{}{}:
	case <-ctx.Done():
		return "", false
	}
	gpu := ""
	if cap(slots) > 0 {
		select {
		case gpu = <-slots:
		case <-ctx.Done():
			<-workers
			return "", false
		}
	}
	// A failure may have come while waiting: fail-fast means no run starts after it.
	if stopped() {
		<-workers
		if gpu != "" {
			slots <- gpu
		}
		return "", false
	}
	return gpu, true
}

func (x *experimentRun[S]) ref(j job, err error) RunRef {
	return RunRef{Trial: x.plan.trials[j.trial].Name, Repeat: j.repeat, Err: err}
}

// runJob claims run j and, if it is this process's to execute, executes it.
func (x *experimentRun[S]) runJob(ctx context.Context, j job, gpu string, res *outcomes, failed *atomic.Bool) {
	defer x.jobDone(j.trial)
	name := x.plan.trials[j.trial].Name
	lk, v, err := x.claim(j)
	switch {
	case err != nil:
		x.log.Error("run cannot start", runlog.KeyTrial, name, runlog.KeyRepeat, j.repeat, "error", err)
		res.add(j, workspace.Failed, x.ref(j, err))
		failed.Store(true)
		return
	case lk == nil && v.reason != "completed":
		x.log.Info("run skipped", runlog.KeyTrial, name, runlog.KeyRepeat, j.repeat, "reason", v.reason)
		res.skip(j, v, x.ref(j, nil))
		x.progress.RunSkipped(x.ref(j, nil).String())
		return
	case lk == nil:
		x.log.Debug("run skipped", runlog.KeyTrial, name, runlog.KeyRepeat, j.repeat, "reason", v.reason)
		res.skip(j, v, x.ref(j, nil))
		x.progress.RunSkipped(x.ref(j, nil).String())
		return
	}
	defer lk.Unlock()
	start := time.Now()
	x.progress.RunStarted(x.ref(j, nil).String())
	status, err := x.executeClaimed(ctx, j, gpu, v)
	if errors.Is(err, errAbandoned) {
		return // recorded as interrupted by wait, after the grace period
	}
	x.progress.RunFinished(x.ref(j, nil).String(), string(status), time.Since(start))
	res.add(j, status, x.ref(j, err))
	if status == workspace.Failed {
		failed.Store(true)
	}
}

func (x *experimentRun[S]) executeClaimed(ctx context.Context, j job, gpu string, v verdict) (workspace.Status, error) {
	tr, err := x.acquireTrial(j.trial)
	if err != nil {
		x.log.Error("trial cannot start", runlog.KeyTrial, x.plan.trials[j.trial].Name, "error", err)
		return workspace.Failed, err
	}
	a := &activeRun{reason: v.reason, job: j}
	x.track(a, true)
	defer x.track(a, false)
	return x.executeRun(ctx, tr, j.repeat, gpu, a)
}

// claim takes run j's lock and decides, from run.json read under the lock, whether this
// process executes it. It returns the held lock when it does; nil and why when it does not
// (another process holds the run, or the run completed, perhaps by another process while
// this one was waiting).
func (x *experimentRun[S]) claim(j job) (*lock.Lock, verdict, error) {
	dirs := x.dirs.Trial(x.plan.trials[j.trial].Name).Run(j.repeat)
	if err := dirs.Create(); err != nil {
		return nil, verdict{}, err
	}
	lk, err := tryClaim(dirs)
	if errors.Is(err, lock.ErrHeld) {
		return nil, verdict{false, "running in another process"}, nil
	}
	if err != nil {
		return nil, verdict{}, err
	}
	prev, err := workspace.ReadRecord(dirs.RecordFile())
	v := decide(prev, err, x.hashes[j.trial])
	if !v.run {
		lk.Unlock()
		return nil, v, nil
	}
	return lk, v, nil
}

// How long claim keeps trying a held lock, and how often. Readers probing the lock
// (expman status, a dry run, another runner's survey) hold it for microseconds, a runner
// for its whole run: trying for a while tells the two apart, where a single try would
// skip a run for good because of a probe.
const (
	claimPatience = 200 * time.Millisecond
	claimRetry    = 2 * time.Millisecond
)

// tryClaim takes the lock of run dirs, retrying a held lock for claimPatience. A folder
// archived away between its creation and the lock is created again.
func tryClaim(dirs workspace.Run) (*lock.Lock, error) {
	deadline := time.Now().Add(claimPatience)
	for {
		lk, err := lock.TryLock(dirs.LockFile())
		if errors.Is(err, fs.ErrNotExist) {
			if err = dirs.Create(); err == nil {
				continue
			}
		}
		if !errors.Is(err, lock.ErrHeld) || !time.Now().Before(deadline) {
			return lk, err
		}
		time.Sleep(claimRetry)
	}
}

// track adds a to, or removes it from, the runs in progress that an expired grace period
// records as interrupted.
func (x *experimentRun[S]) track(a *activeRun, on bool) {
	x.mu.Lock()
	defer x.mu.Unlock()
	if x.active == nil {
		x.active = map[*activeRun]bool{}
	}
	if on {
		x.active[a] = true
	} else {
		delete(x.active, a)
	}
}

// wait waits for the runs in progress. After a signal it waits at most the grace period,
// then records the runs still going as interrupted and returns without them: a trial
// that ignores its context must not keep a stopping experiment alive.
func (x *experimentRun[S]) wait(wg *sync.WaitGroup, fired <-chan struct{}, res *outcomes) {
	done := make(chan struct{})
	go func() { wg.Wait(); close(done) }()
	select {
	case <-done:
		return
	case <-fired:
	}
	timer := time.NewTimer(x.opts.exec.grace)
	defer timer.Stop()
	select {
	case <-done:
		return
	case <-timer.C:
	}
	x.mu.Lock()
	defer x.mu.Unlock()
	for a := range x.active {
		err := fmt.Errorf("the run did not return within %v of the signal", x.opts.exec.grace)
		if status, ok := a.abandon(err); ok {
			res.add(a.job, status, x.ref(a.job, err))
		}
	}
}

// watchSignals installs SIGINT and SIGTERM handling with WithSignals: the first signal
// cancels the returned context (cause *SignalError) and closes fired; a second one exits
// the process. stop uninstalls it.
func (x *experimentRun[S]) watchSignals(ctx context.Context) (_ context.Context, fired <-chan struct{}, stop func()) {
	if !x.opts.exec.signals {
		return ctx, nil, func() {}
	}
	ctx, cancel := context.WithCancelCause(ctx)
	ch := make(chan os.Signal, 2)
	signal.Notify(ch, os.Interrupt, syscall.SIGTERM)
	first, quit := make(chan struct{}), make(chan struct{})
	go x.onSignals(ch, quit, first, cancel)
	return ctx, first, func() {
		signal.Stop(ch)
		close(quit)
		cancel(nil)
	}
}

func (x *experimentRun[S]) onSignals(ch <-chan os.Signal, quit, first chan struct{}, cancel context.CancelCauseFunc) {
	select {
	case <-quit:
		return
	case s := <-ch:
		x.log.Warn("signal: starting no more runs, cancelling the running ones",
			"signal", s.String(), "grace", x.opts.exec.grace.String())
		cancel(&SignalError{Signal: s})
		close(first)
	}
	select {
	case <-quit:
	case s := <-ch:
		// The runs still going stay "running" with a free lock: stale, rerun next time.
		x.log.Error("second signal: exiting now", "signal", s.String())
		code := 1
		if n, ok := s.(syscall.Signal); ok {
			code = 128 + int(n)
		}
		os.Exit(code)
	}
}

// errAbandoned is what a run that returned after its grace period gets: its record was
// already written as interrupted.
var errAbandoned = errors.New("run abandoned after the grace period")

// activeRun is a run in progress. Its final record is written exactly once: by the run
// when it returns, or by wait when the grace period after a signal expires first.
type activeRun struct {
	job    job
	reason string // why it runs: new, failed before, stale...

	mu     sync.Mutex
	path   string
	rec    *workspace.RunRecord
	logger *slog.Logger
	done   bool
}

// start records the run as running. That record is only atomic, not durable: should a
// power loss take it, the run is rerun, which is what would happen anyway.
func (a *activeRun) start(path string, rec *workspace.RunRecord) error {
	a.mu.Lock()
	defer a.mu.Unlock()
	if a.done {
		return errAbandoned
	}
	a.path, a.rec = path, rec
	return workspace.WriteRecord(path, rec, workspace.Atomic)
}

func (a *activeRun) setLogger(l *slog.Logger) {
	a.mu.Lock()
	defer a.mu.Unlock()
	a.logger = l
}

// end writes the run's final record, durably: the one fsync a run pays for.
func (a *activeRun) end(status workspace.Status, runErr error, summaries map[string]float64) (workspace.Status, error) {
	a.mu.Lock()
	defer a.mu.Unlock()
	if a.done {
		return workspace.Interrupted, errAbandoned
	}
	a.done = true
	a.rec.Summaries = summaries
	a.rec.Finish(status, time.Now(), runErr)
	if a.logger != nil {
		logOutcome(a.logger, status, runErr, a.rec.Duration)
	}
	if err := workspace.WriteRecord(a.path, a.rec, workspace.Durable); err != nil {
		if a.logger != nil {
			a.logger.Error("run status cannot be recorded", "error", err)
		}
		return workspace.Failed, errors.Join(runErr, err)
	}
	return status, runErr
}

// abandon records the run as interrupted if it has not ended. It returns the status the
// run ends with: Interrupted, "" (not started) when it had not recorded its start yet, or
// ok false when the run had already ended by itself.
func (a *activeRun) abandon(err error) (_ workspace.Status, ok bool) {
	a.mu.Lock()
	defer a.mu.Unlock()
	if a.done {
		return "", false
	}
	a.done = true
	if a.rec == nil {
		return "", true // not started: nothing on disk says running
	}
	a.rec.Finish(workspace.Interrupted, time.Now(), err)
	if a.logger != nil {
		logOutcome(a.logger, workspace.Interrupted, err, a.rec.Duration)
	}
	workspace.WriteRecord(a.path, a.rec, workspace.Durable)
	return workspace.Interrupted, true
}

// outcomes collects the outcomes of runs from concurrent workers.
type outcomes struct {
	mu          sync.Mutex
	completed   int // executed by this process
	skipped     int // completed before
	failed      []ordered
	interrupted []ordered
	notStarted  []ordered
	elsewhere   []ordered // being executed by another process
	cause       error     // why the experiment stopped, when its context is done
}

// ordered is a run with its place in the plan, so that reports list runs in file order
// whatever order parallel runs ended in.
type ordered struct {
	job
	ref RunRef
}

// add records a run that ended with status; status "" means it never started.
func (r *outcomes) add(j job, status workspace.Status, ref RunRef) {
	r.mu.Lock()
	defer r.mu.Unlock()
	o := ordered{j, ref}
	switch status {
	case workspace.Completed:
		r.completed++
	case workspace.Interrupted:
		r.interrupted = append(r.interrupted, o)
	case "":
		r.notStarted = append(r.notStarted, o)
	default:
		r.failed = append(r.failed, o)
	}
}

// skip records a run this process did not execute.
func (r *outcomes) skip(j job, v verdict, ref RunRef) {
	r.mu.Lock()
	defer r.mu.Unlock()
	if v.reason == "completed" {
		r.skipped++
	} else {
		r.elsewhere = append(r.elsewhere, ordered{j, ref})
	}
}

// refs returns the runs of os in plan order.
func refs(os []ordered) []RunRef {
	os = slices.Clone(os)
	slices.SortFunc(os, func(a, b ordered) int {
		return cmp.Or(cmp.Compare(a.trial, b.trial), cmp.Compare(a.repeat, b.repeat))
	})
	out := make([]RunRef, len(os))
	for i, o := range os {
		out[i] = o.ref
	}
	return out
}
