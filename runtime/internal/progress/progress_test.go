package progress

import (
	"bytes"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"sync"
	"testing"
	"time"
)

// clock is a fake time source that moves a second each time it is read, so that every
// event is past the redraw limit and draws, whatever the real ticker does meanwhile.
type clock struct {
	mu sync.Mutex
	t  time.Time
}

func (c *clock) now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.t = c.t.Add(time.Second)
	return c.t
}

type syncBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (s *syncBuffer) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.Write(p)
}

func (s *syncBuffer) String() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.String()
}

// drawn matches one drawing of the live line.
var drawn = regexp.MustCompile(`\r(\[[^\r\x1b]*)\x1b\[K`)

func TestLiveLine(t *testing.T) {
	var out syncBuffer
	c := &clock{t: time.Unix(0, 0)}
	r := newLive(&out, c.now)
	r.Start(6, 2)
	r.RunStarted("a#1")
	r.RunStarted("a#2")
	r.RunFinished("a#1", "completed", 2*time.Second)
	fmt.Fprintf(r.Writer(), "INFO a#2 epoch 3\n")
	r.RunFinished("a#2", "failed", 4*time.Second)
	r.Stop()
	got := out.String()
	// Stop waited for the ticker: nothing is drawn after it.
	r.RunStarted("b#1")
	if after := out.String(); after != got {
		t.Errorf("drawn after Stop: %q", after[len(got):])
	}

	var lines []string
	for _, m := range drawn.FindAllStringSubmatch(got, -1) {
		lines = append(lines, m[1])
	}
	for _, want := range []string{
		"[2/6] running 0, failed 0, elapsed 1s, ETA ?",
		"[2/6] running 2, failed 0, elapsed ",
		"[3/6] running 1, failed 0, elapsed ", // ETA 2s × 3 left / 2 at once
		"[4/6] running 0, failed 1, elapsed ", // after the log record
		", ETA 3s",                            // 3s mean × 2 left / 2 at once
	} {
		if !containsPrefix(lines, want) {
			t.Errorf("no live line contains %q; lines:\n%s", want, strings.Join(lines, "\n"))
		}
	}
	if !strings.Contains(got, "\r\x1b[KINFO a#2 epoch 3\n\r[3/6]") {
		t.Errorf("the log record is not written on a cleared line with the live line redrawn below it:\n%q", got)
	}
	if !strings.HasSuffix(got, "\r\x1b[K") {
		t.Errorf("output does not end with the line cleared: %q", got)
	}
}

func containsPrefix(lines []string, s string) bool {
	for _, l := range lines {
		if strings.Contains(l, s) {
			return true
		}
	}
	return false
}

func TestLiveWaitsForWholeLines(t *testing.T) {
	var out syncBuffer
	c := &clock{t: time.Unix(0, 0)}
	r := newLive(&out, c.now)
	r.Start(1, 0)
	w := r.Writer()
	io.WriteString(w, "partial ")
	r.RunStarted("a#1") // must not draw inside the partial line
	io.WriteString(w, "record\n")
	r.Stop()
	if !strings.Contains(out.String(), "partial record\n") {
		t.Errorf("a record written in two parts was split: %q", out.String())
	}
}

func TestLinesOnePerFinishedRun(t *testing.T) {
	var out bytes.Buffer
	r := NewLines(&out)
	r.Start(4, 1)
	r.RunStarted("small#1")
	r.RunStarted("small#2")
	r.RunFinished("small#1", "completed", 1234*time.Millisecond)
	fmt.Fprintf(r.Writer(), "ERROR small#2 run failed error=boom\n")
	r.RunFinished("small#2", "failed", 75*time.Second+400*time.Millisecond)
	r.RunStarted("big#1")
	r.RunFinished("big#1", "interrupted", 3*time.Millisecond+300*time.Microsecond)
	r.Stop()
	const want = "[2/4] small#1 completed in 1.2s\n" +
		"ERROR small#2 run failed error=boom\n" +
		"[3/4] small#2 failed in 1m15s\n" +
		"[4/4] big#1 interrupted in 3ms\n"
	if out.String() != want {
		t.Errorf("got\n%s\nwant\n%s", out.String(), want)
	}
	if r.Live() {
		t.Error("Live() = true for lines")
	}
}

func TestNewChoosesByDestination(t *testing.T) {
	if _, ok := New(nil).(Nop); !ok {
		t.Errorf("New(nil) = %T, want Nop", New(nil))
	}
	if r := New(&bytes.Buffer{}); r.Live() {
		t.Error("New(buffer) is live")
	}
	f, err := os.Create(filepath.Join(t.TempDir(), "log"))
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	pr, pw, err := os.Pipe()
	if err != nil {
		t.Fatal(err)
	}
	defer pr.Close()
	defer pw.Close()
	for name, w := range map[string]*os.File{"file": f, "pipe": pw} {
		if IsTerminal(w) || New(w).Live() {
			t.Errorf("a %s is taken for a terminal", name)
		}
	}
}

// TestConcurrentUse drives both displays from many goroutines while others log through
// Writer, then checks that every record came out whole and, for lines, that there is one
// line per finished run.
func TestConcurrentUse(t *testing.T) {
	const workers, runs = 8, 50
	for _, mode := range []string{"live", "lines"} {
		t.Run(mode, func(t *testing.T) {
			var out syncBuffer
			r := NewLines(&out)
			if mode == "live" {
				r = NewLive(&out)
			}
			r.Start(workers*runs, 0)
			var wg sync.WaitGroup
			for w := range workers {
				wg.Add(1)
				go func() {
					defer wg.Done()
					for i := range runs {
						name := fmt.Sprintf("t%d#%d", w, i)
						r.RunStarted(name)
						fmt.Fprintf(r.Writer(), "INFO %s step pad=%s\n", name, strings.Repeat("x", 200))
						r.RunFinished(name, "completed", time.Millisecond)
					}
				}()
			}
			wg.Wait()
			r.Stop()
			text := out.String()
			if mode == "live" {
				text = drawn.ReplaceAllString(text, "")
				text = strings.ReplaceAll(text, "\r\x1b[K", "")
			}
			record := regexp.MustCompile(`^INFO t\d#\d+ step pad=x{200}$`)
			finished := regexp.MustCompile(`^\[\d+/400\] t\d#\d+ completed in 1ms$`)
			var records, progress int
			for _, line := range strings.Split(strings.TrimSuffix(text, "\n"), "\n") {
				switch {
				case record.MatchString(line):
					records++
				case mode == "lines" && finished.MatchString(line):
					progress++
				default:
					t.Fatalf("garbled line: %q", line)
				}
			}
			if records != workers*runs {
				t.Errorf("%d records, want %d", records, workers*runs)
			}
			if mode == "lines" && progress != workers*runs {
				t.Errorf("%d progress lines, want %d", progress, workers*runs)
			}
		})
	}
}
