package progress

import (
	"fmt"
	"io"
	"os"
	"sync"
	"time"
)

// Reporter receives the events of an experiment's execution and shows them.
type Reporter interface {
	// Start begins the display: total runs planned, of which skipped are not run because
	// they completed before.
	Start(total, skipped int)
	// RunStarted records that the run named name ("trial#repeat") started.
	RunStarted(name string)
	// RunFinished records that a run ended with status (completed, failed, interrupted)
	// after d.
	RunFinished(name, status string, d time.Duration)
	// RunSkipped records that a run planned to execute was not started here after all:
	// another runner holds it or completed it meanwhile. It counts as done.
	RunSkipped(name string)
	// Stop ends the display; on a terminal it clears the live line. Events after Stop are
	// counted but not shown.
	Stop()
	// Writer returns a writer for other output to the same destination, such as the
	// console log, that cooperates with the display. Each Write should be whole lines.
	Writer() io.Writer
	// Live reports whether the display is a live line on a terminal.
	Live() bool
}

// New returns a Reporter writing to w: a live line if w is a terminal, one line per
// finished run otherwise, and one that shows nothing if w is nil.
func New(w io.Writer) Reporter {
	switch {
	case w == nil:
		return Nop{}
	case IsTerminal(w):
		return NewLive(w)
	}
	return NewLines(w)
}

// IsTerminal reports whether w is a terminal: an *os.File that is a character device,
// unless $TERM says "dumb" (an editor's shell buffer, which cannot rewrite a line).
func IsTerminal(w io.Writer) bool {
	f, ok := w.(*os.File)
	if !ok || f == nil || os.Getenv("TERM") == "dumb" {
		return false
	}
	fi, err := f.Stat()
	return err == nil && fi.Mode()&os.ModeCharDevice != 0
}

// Nop is a Reporter that shows nothing.
type Nop struct{}

func (Nop) Start(int, int)                            {}
func (Nop) RunStarted(string)                         {}
func (Nop) RunFinished(string, string, time.Duration) {}
func (Nop) RunSkipped(string)                         {}
func (Nop) Stop()                                     {}
func (Nop) Writer() io.Writer                         { return io.Discard }
func (Nop) Live() bool                                { return false }

// counts is the state both displays share.
type counts struct {
	total, skipped  int
	finished        int
	failed, stopped int // stopped: interrupted
	running, peak   int
	busy            time.Duration // summed durations of finished runs
}

func (c *counts) start(total, skipped int) { c.total, c.skipped = total, skipped }

func (c *counts) runStarted() {
	c.running++
	c.peak = max(c.peak, c.running)
}

func (c *counts) runFinished(status string, d time.Duration) {
	c.running = max(0, c.running-1)
	c.finished++
	c.busy += d
	switch status {
	case "failed":
		c.failed++
	case "interrupted":
		c.stopped++
	}
}

func (c *counts) runSkipped() { c.skipped++ }

func (c *counts) done() int { return c.skipped + c.finished }

// eta estimates the time left: mean run duration × remaining runs / runs at once. ok is
// false before the first run finished or when nothing remains.
func (c *counts) eta() (d time.Duration, ok bool) {
	remaining := c.total - c.done()
	if c.finished == 0 || remaining <= 0 {
		return 0, false
	}
	mean := c.busy / time.Duration(c.finished)
	return mean * time.Duration(remaining) / time.Duration(max(1, c.peak)), true
}

// lines is the Reporter for output that is not a terminal.
type lines struct {
	mu sync.Mutex
	w  io.Writer
	c  counts
}

// NewLines returns a Reporter that writes one line per finished run to w, whatever w is.
func NewLines(w io.Writer) Reporter { return &lines{w: w} }

func (l *lines) Start(total, skipped int) {
	l.mu.Lock()
	defer l.mu.Unlock()
	l.c.start(total, skipped)
}

func (l *lines) RunStarted(string) {
	l.mu.Lock()
	defer l.mu.Unlock()
	l.c.runStarted()
}

func (l *lines) RunFinished(name, status string, d time.Duration) {
	l.mu.Lock()
	defer l.mu.Unlock()
	l.c.runFinished(status, d)
	// Errors are ignored: progress is a courtesy and must not fail a run.
	fmt.Fprintf(l.w, "[%d/%d] %s %s in %s\n", l.c.done(), l.c.total, name, status, roundDuration(d))
}

func (l *lines) RunSkipped(string) {
	l.mu.Lock()
	defer l.mu.Unlock()
	l.c.runSkipped()
}

func (l *lines) Stop()      {}
func (l *lines) Live() bool { return false }

// Writer serializes other output with the progress lines, so neither splits the other.
func (l *lines) Writer() io.Writer { return lockedWriter{&l.mu, l.w} }

type lockedWriter struct {
	mu *sync.Mutex
	w  io.Writer
}

func (lw lockedWriter) Write(p []byte) (int, error) {
	lw.mu.Lock()
	defer lw.mu.Unlock()
	return lw.w.Write(p)
}

// roundDuration keeps durations short: ms below a second, tenths below a minute.
func roundDuration(d time.Duration) time.Duration {
	switch {
	case d >= time.Minute:
		return d.Round(time.Second)
	case d >= time.Second:
		return d.Round(100 * time.Millisecond)
	}
	return d.Round(time.Millisecond)
}
