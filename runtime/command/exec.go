package command

import (
	"context"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"strings"
	"sync"
	"syscall"
	"time"

	"github.com/expman-dev/expman/runtime"
)

// ExitError is the error of a run whose child did not end well: it exited with a status
// other than 0, a signal ended it, or the run was stopped (its context was done: a
// timeout, or the experiment was interrupted) before it ended on its own.
type ExitError struct {
	Command string         // the program, as given
	Code    int            // exit status; -1 when a signal ended the child
	Signal  syscall.Signal // the signal that ended the child; 0 when it exited
	// Stopped is why the child was stopped (the run context's cause); nil when it ended
	// on its own. A child that was stopped is never a completed run, even if it then
	// exited with status 0: it did not finish its work.
	Stopped error
	Stderr  []string // the last lines of its standard error, oldest first
}

func (e *ExitError) Error() string {
	var b strings.Builder
	b.WriteString(e.Command)
	if e.Stopped != nil {
		fmt.Fprintf(&b, " was stopped (%v) and", e.Stopped)
	}
	if e.Signal != 0 {
		fmt.Fprintf(&b, " was killed by signal %v", e.Signal)
	} else {
		fmt.Fprintf(&b, " exited with status %d", e.Code)
	}
	// The first line should say what went wrong on its own: RunError and the console
	// show only it, so it carries the child's last word.
	if last := lastNonEmpty(e.Stderr); last != "" {
		b.WriteString(": " + last)
	}
	if len(e.Stderr) > 0 {
		fmt.Fprintf(&b, "\nlast %d lines of stderr:", len(e.Stderr))
		for _, l := range e.Stderr {
			b.WriteString("\n    " + l)
		}
	}
	return b.String()
}

// Unwrap returns why the child was stopped, so errors.Is(err, context.Canceled) holds for
// a child stopped because the experiment was cancelled.
func (e *ExitError) Unwrap() error { return e.Stopped }

func lastNonEmpty(lines []string) string {
	for i := len(lines) - 1; i >= 0; i-- {
		if s := strings.TrimSpace(lines[i]); s != "" {
			return s
		}
	}
	return ""
}

// execute starts cmd in a process group of its own, copies its output, follows its
// metrics file, stops the group when ctx is done, and, whatever happens, leaves no process
// of the group running when it returns.
func (c *Command) execute(ctx context.Context, t *runtime.Trial[map[string]any], cmd *exec.Cmd, f *runFiles) error {
	outR, outW, err := os.Pipe()
	if err != nil {
		return err
	}
	defer outR.Close()
	errR, errW, err := os.Pipe()
	if err != nil {
		outW.Close()
		return err
	}
	defer errR.Close()
	// The child writes into pipes we read, rather than into the log files directly, so
	// that stderr's last lines and the console copy come from the same bytes.
	cmd.Stdout, cmd.Stderr = outW, errW
	startInGroup(cmd)
	err = cmd.Start()
	outW.Close()
	errW.Close()
	if err != nil {
		return fmt.Errorf("starting %s: %w", c.name, err)
	}
	g := &group{proc: cmd.Process, grace: c.opts.Grace}

	tail := newTail(c.opts.StderrLines)
	prefix := t.RunName() + " | "
	var copies sync.WaitGroup
	copies.Add(2)
	go func() { defer copies.Done(); c.copyOutput(t, outR, f.stdout, c.opts.Stdout, prefix, nil) }()
	go func() { defer copies.Done(); c.copyOutput(t, errR, f.stderr, c.opts.Stderr, prefix, tail) }()

	metrics := &metricsReader{t: t, f: f.metrics}
	stopMetrics, metricsDone := make(chan struct{}), make(chan struct{})
	go func() { defer close(metricsDone); metrics.follow(stopMetrics, c.opts.Poll) }()

	exited, watchDone := make(chan struct{}), make(chan struct{})
	go func() { defer close(watchDone); g.watch(ctx, exited) }()

	waitErr := cmd.Wait()
	close(exited)
	<-watchDone
	g.reap()
	waitPipes(&copies, c.opts.Grace, outR, errR)
	close(stopMetrics)
	<-metricsDone
	return c.outcome(ctx, g, waitErr, tail.lines())
}

// waitPipes waits for the output copies to reach the end of the pipes. A process that left
// the group (setsid) may hold them open; after grace they are cut.
func waitPipes(copies *sync.WaitGroup, grace time.Duration, pipes ...*os.File) {
	done := make(chan struct{})
	go func() { copies.Wait(); close(done) }()
	select {
	case <-done:
	case <-time.After(grace):
		for _, p := range pipes {
			p.SetReadDeadline(time.Now())
		}
		<-done
	}
}

// outcome turns the child's end into the run's error: nil only when it exited with status
// 0 on its own.
func (c *Command) outcome(ctx context.Context, g *group, waitErr error, stderr []string) error {
	var exitErr *exec.ExitError
	if waitErr != nil && !errors.As(waitErr, &exitErr) {
		return fmt.Errorf("waiting for %s: %w", c.name, waitErr)
	}
	stopped := g.stopped()
	if waitErr == nil && !stopped {
		return nil
	}
	e := &ExitError{Command: c.name, Stderr: stderr}
	if exitErr != nil {
		e.Code = exitErr.ExitCode()
		if ws, ok := exitErr.Sys().(syscall.WaitStatus); ok && ws.Signaled() {
			e.Signal = ws.Signal()
		}
	}
	if stopped {
		e.Stopped = context.Cause(ctx)
		if e.Stopped == nil {
			e.Stopped = context.Canceled
		}
	}
	return e
}

// group is the child's process group: the child and every process it started that did not
// leave the group.
type group struct {
	proc  *os.Process
	grace time.Duration

	mu     sync.Mutex
	sentAt time.Time // when the first signal went out; zero: none yet
	ctxHit bool      // the run's context was done while the child ran
}

// watch stops the group when ctx is done before the child exits: the signal that stopped
// the experiment (SIGTERM for a timeout), then SIGKILL after the grace period.
func (g *group) watch(ctx context.Context, exited <-chan struct{}) {
	select {
	case <-exited:
		return
	case <-ctx.Done():
	}
	g.mu.Lock()
	g.ctxHit = true
	g.mu.Unlock()
	g.signal(stopSignal(ctx))
	timer := time.NewTimer(g.grace)
	defer timer.Stop()
	select {
	case <-exited:
	case <-timer.C:
		signalGroup(g.proc, syscall.SIGKILL)
	}
}

// stopped reports whether the child was signalled because the run's context was done.
func (g *group) stopped() bool {
	g.mu.Lock()
	defer g.mu.Unlock()
	return g.ctxHit
}

// signal sends sig to the group, the first time only: later stops wait for the same grace.
func (g *group) signal(sig syscall.Signal) {
	g.mu.Lock()
	defer g.mu.Unlock()
	if !g.sentAt.IsZero() {
		return
	}
	g.sentAt = time.Now()
	signalGroup(g.proc, sig)
}

func (g *group) deadline() time.Time {
	g.mu.Lock()
	defer g.mu.Unlock()
	return g.sentAt.Add(g.grace)
}

// reap ends what is left of the group once the child has exited: processes it started in
// the background. They get SIGTERM and the grace period, then SIGKILL.
func (g *group) reap() {
	if !groupAlive(g.proc) {
		return
	}
	g.signal(syscall.SIGTERM)
	const every = 20 * time.Millisecond
	for groupAlive(g.proc) && time.Now().Before(g.deadline()) {
		time.Sleep(every)
	}
	if !groupAlive(g.proc) {
		return
	}
	signalGroup(g.proc, syscall.SIGKILL)
	// SIGKILL takes effect at once, except for a process in an uninterruptible wait;
	// give those a moment, then stop waiting: nothing more can be done.
	for range 50 {
		if !groupAlive(g.proc) {
			return
		}
		time.Sleep(every)
	}
}

// stopSignal is the signal that reaches the child when its run's context is done: the one
// the experiment received (so a script sees the same SIGINT as on a terminal), else
// SIGTERM.
func stopSignal(ctx context.Context) syscall.Signal {
	cause := context.Cause(ctx)
	var se *runtime.SignalError
	if errors.As(cause, &se) {
		if s, ok := se.Signal.(syscall.Signal); ok {
			return s
		}
	}
	return syscall.SIGTERM
}
