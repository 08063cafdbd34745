package runtime

import (
	"context"
	"errors"
	"fmt"
	"os"
	"strconv"
	"strings"
	"time"
)

// RunRef names one run: a repeat of a trial. It prints as "trial#repeat".
type RunRef struct {
	Trial  string
	Repeat int
	Err    error // why it failed or was interrupted; nil for runs not started
}

func (r RunRef) String() string { return fmt.Sprintf("%s#%d", r.Trial, r.Repeat) }

// RunError is what Run returns when not every run completed: it names the runs that failed
// or were interrupted and counts those that never started. Err is the context's error when
// the experiment was cancelled, so errors.Is(err, context.Canceled) works.
type RunError struct {
	Failed      []RunRef
	Interrupted []RunRef
	NotStarted  []RunRef
	Err         error
}

func (e *RunError) Error() string {
	var parts []string
	if e.Err != nil {
		parts = append(parts, "experiment stopped: "+e.Err.Error())
	}
	if n := len(e.Failed); n > 0 {
		parts = append(parts, fmt.Sprintf("%d %s failed: %s", n, runs(n), describe(e.Failed)))
	}
	if n := len(e.Interrupted); n > 0 {
		parts = append(parts, fmt.Sprintf("%d %s interrupted: %s", n, runs(n), names(e.Interrupted)))
	}
	if n := len(e.NotStarted); n > 0 {
		parts = append(parts, fmt.Sprintf("%d %s not started", n, runs(n)))
	}
	return strings.Join(parts, "; ")
}

// Unwrap returns the context's error, if the experiment was cancelled.
func (e *RunError) Unwrap() error { return e.Err }

func runs(n int) string {
	if n == 1 {
		return "run"
	}
	return "runs"
}

func names(rs []RunRef) string {
	s := make([]string, len(rs))
	for i, r := range rs {
		s[i] = r.String()
	}
	return strings.Join(s, ", ")
}

func describe(rs []RunRef) string {
	s := make([]string, len(rs))
	for i, r := range rs {
		s[i] = r.String()
		if r.Err != nil {
			s[i] += " (" + firstLine(r.Err.Error()) + ")"
		}
	}
	return strings.Join(s, ", ")
}

func firstLine(s string) string {
	line, _, _ := strings.Cut(s, "\n")
	return line
}

// PanicError is the error of a run whose function panicked.
type PanicError struct {
	Value any    // what was passed to panic
	Stack string // the goroutine's stack at the panic
}

func (e *PanicError) Error() string { return fmt.Sprintf("panic: %v", e.Value) }

// Unwrap returns the panic value if it is an error.
func (e *PanicError) Unwrap() error {
	err, _ := e.Value.(error)
	return err
}

// TimeoutError is the error of a run that exceeded its timeout (WithTimeout, or "timeout"
// in the configs) and returned an error after its context was cancelled for it. Such a run
// is failed, unlike a run cancelled by the experiment's context, which is interrupted.
type TimeoutError struct {
	After time.Duration // the run's timeout
	Err   error         // what the trial function returned
}

func (e *TimeoutError) Error() string {
	msg := "timed out after " + e.After.String()
	if e.Err != nil && !errors.Is(e.Err, context.DeadlineExceeded) && !errors.Is(e.Err, context.Canceled) {
		msg += ": " + e.Err.Error()
	}
	return msg
}

// Unwrap returns context.DeadlineExceeded and the trial function's error.
func (e *TimeoutError) Unwrap() []error { return []error{context.DeadlineExceeded, e.Err} }

// SignalError is the cause of an experiment stopped by SIGINT or SIGTERM (WithSignals).
// It unwraps to context.Canceled, like any cancelled experiment.
type SignalError struct {
	Signal os.Signal
}

func (e *SignalError) Error() string { return "received " + e.Signal.String() }

// Unwrap returns context.Canceled.
func (e *SignalError) Unwrap() error { return context.Canceled }

// SettingsChangedError stops Run before anything runs when trials have completed runs
// made with other resolved settings than the ones given now: mixing them would make one
// trial's results average over two configurations. WithRerun archives the old runs instead.
type SettingsChangedError struct {
	Trials []ChangedTrial
}

// ChangedTrial is a trial whose settings changed since its completed runs.
type ChangedTrial struct {
	Trial     string
	Completed []int           // repeats completed with the old settings
	Changes   []SettingChange // dotted paths, sorted; empty when trial.yaml was unreadable
}

// SettingChange is one setting that differs: Old and New are JSON values, or "(unset)".
type SettingChange struct {
	Path     string
	Old, New string
}

func (e *SettingsChangedError) Error() string {
	var b strings.Builder
	for _, t := range e.Trials {
		fmt.Fprintf(&b, "runtime: trial %q: settings changed since its completed %s %s:\n",
			t.Trial, plural(len(t.Completed), "repeat", "repeats"), ints(t.Completed))
		for _, c := range t.Changes {
			fmt.Fprintf(&b, "\t%s: %s -> %s\n", c.Path, c.Old, c.New)
		}
		if len(t.Changes) == 0 {
			b.WriteString("\t(the settings hash differs; the old trial.yaml does not show how)\n")
		}
	}
	b.WriteString("rerun with WithRerun (-rerun) to archive the old runs and run these trials again, or restore the old settings")
	return b.String()
}

func plural(n int, one, many string) string {
	if n == 1 {
		return one
	}
	return many
}

func ints(xs []int) string {
	s := make([]string, len(xs))
	for i, x := range xs {
		s[i] = strconv.Itoa(x)
	}
	return strings.Join(s, ", ")
}
