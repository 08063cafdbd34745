package runlog

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"log/slog"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
)

// record returns a record without a time, so console lines can be compared exactly.
func record(level slog.Level, msg string, args ...any) slog.Record {
	r := slog.NewRecord(time.Time{}, level, msg, 0)
	r.Add(args...)
	return r
}

func TestConsoleFormat(t *testing.T) {
	var b bytes.Buffer
	var h slog.Handler = NewConsole(&b, slog.LevelInfo)
	ctx := context.Background()
	exp := h.WithAttrs([]slog.Attr{slog.String(KeyExperiment, "e")})
	run := exp.WithAttrs([]slog.Attr{slog.String(KeyTrial, "small"), slog.Int(KeyRepeat, 2), slog.String("k", "v")})
	for _, step := range []struct {
		h slog.Handler
		r slog.Record
	}{
		{exp, record(slog.LevelInfo, "plan", "trials", 2, "runs", 3)},
		{run, record(slog.LevelInfo, "epoch done", "loss", 0.25, "note", "two words", "empty", "", "d", 1500*time.Millisecond)},
		{run.WithGroup("g"), record(slog.LevelWarn, "grouped", "x", 1, slog.Group("sub", "y", 2))},
		{run, record(slog.LevelError, "run failed", "error", "boom", "stack", "line 1\nline 2\n")},
		{h, record(slog.LevelInfo, "run cannot start", KeyTrial, "t", KeyRepeat, 4)},
	} {
		if err := step.h.Handle(ctx, step.r); err != nil {
			t.Fatal(err)
		}
	}
	const want = `INFO  plan trials=2 runs=3
INFO  small#2 epoch done k=v loss=0.25 note="two words" empty="" d=1.5s
WARN  small#2 grouped k=v g.x=1 g.sub.y=2
ERROR small#2 run failed k=v error=boom
    stack:
        line 1
        line 2
INFO  t#4 run cannot start
`
	if diff := cmp.Diff(want, b.String()); diff != "" {
		t.Errorf("console (-want +got):\n%s", diff)
	}
}

func TestConsoleTimeAndLevel(t *testing.T) {
	var b bytes.Buffer
	l := slog.New(NewConsole(&b, slog.LevelInfo))
	l.Debug("hidden")
	l.Info("shown")
	if !regexp.MustCompile(`^\d\d:\d\d:\d\d INFO  shown\n$`).MatchString(b.String()) {
		t.Errorf("console = %q, want one INFO line with a time", b.String())
	}
}

func TestFileAppendsAndCloses(t *testing.T) {
	path := filepath.Join(t.TempDir(), "x.log")
	for i := range 2 {
		f, err := Open(path, slog.LevelInfo)
		if err != nil {
			t.Fatal(err)
		}
		l := slog.New(f.Handler())
		l.Debug("dropped")
		l.Info("hello", "i", i)
		if err := f.Close(); err != nil {
			t.Fatal(err)
		}
		if err := f.Handler().Handle(context.Background(), record(slog.LevelInfo, "late")); !errors.Is(err, os.ErrClosed) {
			t.Errorf("Handle after Close = %v, want os.ErrClosed", err)
		}
		if err := f.Close(); err != nil {
			t.Errorf("second Close = %v, want nil", err)
		}
	}
	data, _ := os.ReadFile(path)
	got := regexp.MustCompile(`time=\S+ `).ReplaceAllString(string(data), "")
	if want := "level=INFO msg=hello i=0\nlevel=INFO msg=hello i=1\n"; got != want {
		t.Errorf("file = %q, want %q", got, want)
	}
}

func TestFanout(t *testing.T) {
	var info, debug bytes.Buffer
	h := Fanout(slog.NewTextHandler(&info, &slog.HandlerOptions{Level: slog.LevelInfo}), nil,
		slog.NewTextHandler(&debug, &slog.HandlerOptions{Level: slog.LevelDebug}))
	if h.Enabled(context.Background(), slog.LevelDebug-1) {
		t.Error("Enabled below every handler's level")
	}
	l := slog.New(h).With("a", 1).WithGroup("g")
	l.Debug("d", "b", 2)
	l.Info("i", "b", 3)
	strip := func(s string) string { return regexp.MustCompile(`time=\S+ `).ReplaceAllString(s, "") }
	if got, want := strip(info.String()), "level=INFO msg=i a=1 g.b=3\n"; got != want {
		t.Errorf("info handler got %q, want %q", got, want)
	}
	if got, want := strip(debug.String()), "level=DEBUG msg=d a=1 g.b=2\nlevel=INFO msg=i a=1 g.b=3\n"; got != want {
		t.Errorf("debug handler got %q, want %q", got, want)
	}
}

// TestConcurrentLinesStayWhole logs from many goroutines through separate handler trees
// sharing one file and one console, and checks that every line is one whole record.
func TestConcurrentLinesStayWhole(t *testing.T) {
	path := filepath.Join(t.TempDir(), "shared.log")
	f, err := Open(path, slog.LevelDebug)
	if err != nil {
		t.Fatal(err)
	}
	var console syncBuffer
	con := NewConsole(&console, slog.LevelInfo)
	const workers, records = 8, 200
	long := strings.Repeat("x", 3000)
	var wg sync.WaitGroup
	for w := range workers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			l := slog.New(Fanout(f.Handler(), con)).With(KeyTrial, fmt.Sprint("t", w), KeyRepeat, 1)
			for i := range records {
				l.Info("rec", "i", i, "pad", long)
			}
		}()
	}
	wg.Wait()
	if err := f.Close(); err != nil {
		t.Fatal(err)
	}
	data, _ := os.ReadFile(path)
	fileLine := regexp.MustCompile(`^time=\S+ level=INFO msg=rec trial=t\d repeat=1 i=\d+ pad=x+$`)
	conLine := regexp.MustCompile(`^\d\d:\d\d:\d\d INFO  t\d#1 rec i=\d+ pad=x+$`)
	for name, c := range map[string]struct {
		text string
		re   *regexp.Regexp
	}{"file": {string(data), fileLine}, "console": {console.String(), conLine}} {
		lines := strings.Split(strings.TrimSuffix(c.text, "\n"), "\n")
		if len(lines) != workers*records {
			t.Errorf("%s has %d lines, want %d", name, len(lines), workers*records)
		}
		for _, line := range lines {
			if !c.re.MatchString(line) || !strings.HasSuffix(line, " pad="+long) {
				t.Fatalf("%s line is not one whole record: %.200q", name, line)
			}
		}
	}
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

func TestConsoleOmitting(t *testing.T) {
	var b bytes.Buffer
	base := NewConsole(&b, slog.LevelInfo)
	l := slog.New(base.Omitting("run started").Omitting("run completed")).With(KeyTrial, "a", KeyRepeat, 1)
	l.Info("run started")
	l.Info("epoch", "loss", 0.5)
	l.Info("run completed")
	l.Error("run completed", "note", "errors are never omitted")
	slog.New(base).Info("run started") // the original console is unchanged
	got := regexp.MustCompile(`(?m)^\d\d:\d\d:\d\d `).ReplaceAllString(b.String(), "")
	const want = "INFO  a#1 epoch loss=0.5\nERROR a#1 run completed note=\"errors are never omitted\"\nINFO  run started\n"
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("console (-want +got):\n%s", diff)
	}
}
