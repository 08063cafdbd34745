package runtime

import (
	"fmt"
	"strings"
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
