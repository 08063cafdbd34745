package progress

import (
	"fmt"
	"io"
	"strings"
	"sync"
	"time"
)

// Terminal control: carriage return, and erase from the cursor to the end of the line.
const (
	cr        = "\r"
	clearLine = "\x1b[K"
)

// redrawEvery bounds how often the live line is drawn: events within it are shown by the
// next tick, and the tick keeps the elapsed time moving.
const redrawEvery = 100 * time.Millisecond

// live is the Reporter for a terminal.
type live struct {
	mu       sync.Mutex
	w        io.Writer
	now      func() time.Time
	c        counts
	begin    time.Time
	started  bool
	stopped  bool
	shown    bool   // the live line is on the screen
	midLine  bool   // output through Writer left the cursor inside a line
	last     string // the line drawn last
	lastDraw time.Time
	quit     chan struct{}
	ticker   sync.WaitGroup
}

// NewLive returns a Reporter that keeps one live line on w, whatever w is; New uses it for
// terminals.
func NewLive(w io.Writer) Reporter { return newLive(w, time.Now) }

func newLive(w io.Writer, now func() time.Time) *live {
	return &live{w: w, now: now, begin: now(), quit: make(chan struct{})}
}

func (l *live) Live() bool { return true }

func (l *live) Start(total, skipped int) {
	l.mu.Lock()
	defer l.mu.Unlock()
	if l.started || l.stopped {
		return
	}
	l.started, l.begin = true, l.now()
	l.c.start(total, skipped)
	l.ticker.Add(1)
	go l.tick()
	l.draw(true)
}

func (l *live) tick() {
	defer l.ticker.Done()
	t := time.NewTicker(redrawEvery)
	defer t.Stop()
	for {
		select {
		case <-l.quit:
			return
		case <-t.C:
			l.mu.Lock()
			l.draw(true)
			l.mu.Unlock()
		}
	}
}

func (l *live) RunStarted(string) {
	l.mu.Lock()
	defer l.mu.Unlock()
	l.c.runStarted()
	l.draw(false)
}

func (l *live) RunFinished(_, status string, d time.Duration) {
	l.mu.Lock()
	defer l.mu.Unlock()
	l.c.runFinished(status, d)
	l.draw(false)
}

func (l *live) RunSkipped(string) {
	l.mu.Lock()
	defer l.mu.Unlock()
	l.c.runSkipped()
	l.draw(false)
}

// Stop clears the line and ends the ticker; it returns once nothing more is drawn.
func (l *live) Stop() {
	l.mu.Lock()
	if l.stopped {
		l.mu.Unlock()
		return
	}
	l.stopped = true
	l.erase()
	close(l.quit)
	l.mu.Unlock()
	l.ticker.Wait()
}

// draw shows the current line unless it is unchanged, the display is not running, or the
// cursor is inside someone else's line. Without force it also waits for redrawEvery to pass
// since the last draw; the ticker shows what it skipped. Callers hold l.mu.
func (l *live) draw(force bool) {
	if !l.started || l.stopped || l.midLine {
		return
	}
	now := l.now()
	if !force && now.Sub(l.lastDraw) < redrawEvery {
		return
	}
	line := l.render(now)
	if l.shown && line == l.last {
		return
	}
	// Errors are ignored: progress is a courtesy and must not fail a run.
	io.WriteString(l.w, cr+line+clearLine)
	l.shown, l.last, l.lastDraw = true, line, now
}

// erase removes the live line, leaving the cursor at the start of the empty line.
func (l *live) erase() {
	if l.shown {
		io.WriteString(l.w, cr+clearLine)
		l.shown = false
	}
}

func (l *live) render(now time.Time) string {
	var b strings.Builder
	fmt.Fprintf(&b, "[%d/%d] running %d, failed %d", l.c.done(), l.c.total, l.c.running, l.c.failed)
	if l.c.stopped > 0 {
		fmt.Fprintf(&b, ", interrupted %d", l.c.stopped)
	}
	fmt.Fprintf(&b, ", elapsed %s", now.Sub(l.begin).Round(time.Second))
	if eta, ok := l.c.eta(); ok {
		fmt.Fprintf(&b, ", ETA %s", eta.Round(time.Second))
	} else if l.c.done() < l.c.total {
		b.WriteString(", ETA ?")
	}
	return b.String()
}

// Writer returns a writer that takes the live line away, writes, and draws the line again
// on the next line, so records appear above the line as if it were not there.
func (l *live) Writer() io.Writer { return liveWriter{l} }

type liveWriter struct{ l *live }

func (lw liveWriter) Write(p []byte) (int, error) {
	l := lw.l
	l.mu.Lock()
	defer l.mu.Unlock()
	l.erase()
	n, err := l.w.Write(p)
	if len(p) > 0 {
		l.midLine = p[len(p)-1] != '\n'
	}
	l.draw(true)
	return n, err
}
