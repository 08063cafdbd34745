package runtime_test

import (
	"context"
	"errors"
	"io"
	"os"
	"path/filepath"
	"sync/atomic"
	"testing"
	"time"

	"github.com/expman-dev/expman/runtime"
	"github.com/expman-dev/expman/runtime/internal/lock"
	"github.com/expman-dev/expman/runtime/results"
)

// A -rerun that finds one repeat of a changed trial executing elsewhere moves nothing:
// every repeat and trial.yaml stay, and the next -rerun archives them all together.
func TestRerunArchivesAllOrNothing(t *testing.T) {
	ws := newWS(t)
	opts := []runtime.Option{runtime.WithWorkspace(ws), runtime.WithConsole(io.Discard)}
	ts := trials()
	ts[0].Repeat = 3
	if err := runtime.Run(t.Context(), spec, ts, ok, opts...); err != nil {
		t.Fatal(err)
	}
	td := filepath.Join(ws, "my_experiment", "trials", "small")
	held, err := lock.TryLock(filepath.Join(td, "repeat_2", ".lock")) // another runner's
	if err != nil {
		t.Fatal(err)
	}
	ts[0].Settings.LearningRate = 0.5
	if err := runtime.Run(t.Context(), spec, ts, ok, append(opts, runtime.WithRerun())...); err == nil {
		t.Fatal("-rerun with a repeat running elsewhere succeeded; want an error")
	}
	if got, _ := filepath.Glob(filepath.Join(td, "archive", "*", "*")); len(got) != 0 {
		t.Errorf("a refused archive moved %v; want nothing moved", got)
	}
	for _, f := range []string{"repeat_1/run.json", "repeat_2/run.json", "repeat_3/run.json", "configs/trial.yaml"} {
		if _, err := os.Stat(filepath.Join(td, f)); err != nil {
			t.Errorf("after a refused archive: %v", err)
		}
	}
	held.Unlock()
	if err := runtime.Run(t.Context(), spec, ts, ok, append(opts, runtime.WithRerun())...); err != nil {
		t.Fatal(err)
	}
	archives, _ := filepath.Glob(filepath.Join(td, "archive", "*"))
	if len(archives) != 1 {
		t.Fatalf("archives %v, want one", archives)
	}
	for _, f := range []string{"repeat_1/run.json", "repeat_2/run.json", "repeat_3/run.json", "trial.yaml"} {
		if _, err := os.Stat(filepath.Join(archives[0], f)); err != nil {
			t.Errorf("archive lacks %s: %v", f, err)
		}
	}
}

// Readers probing run locks while a runner claims runs (expman status in a loop) must not
// make it skip any: every run executes.
func TestProbesDoNotMakeRunsSkip(t *testing.T) {
	ws := newWS(t)
	ts := trials()
	ts[0].Repeat = 300
	exp := filepath.Join(ws, "my_experiment")
	stop, done := make(chan struct{}), make(chan struct{})
	go func() {
		defer close(done)
		for {
			select {
			case <-stop:
				return
			default:
				results.Status(exp)
			}
		}
	}()
	var ran atomic.Int64
	err := runtime.Run(t.Context(), spec, ts, func(context.Context, *runtime.Trial[settings]) error {
		ran.Add(1)
		return nil
	}, runtime.WithWorkspace(ws), runtime.WithConsole(io.Discard), runtime.WithParallel(4))
	close(stop)
	<-done
	if err != nil || ran.Load() != 301 {
		t.Errorf("Run = %v with %d of 301 runs executed; want all", err, ran.Load())
	}
}

// A probe that holds a run's lock at the instant the runner claims it is waited out.
func TestShortHeldLockIsWaitedFor(t *testing.T) {
	ws := newWS(t)
	dir := filepath.Join(ws, "my_experiment", "trials", "small", "repeat_1")
	if err := os.MkdirAll(dir, 0o755); err != nil {
		t.Fatal(err)
	}
	probe, err := lock.TryLock(filepath.Join(dir, ".lock"))
	if err != nil {
		t.Fatal(err)
	}
	released := make(chan struct{})
	go func() { // a probe, slowed down; the runner's patience outlasts it
		defer close(released)
		time.Sleep(20 * time.Millisecond)
		probe.Unlock()
	}()
	got, err := calls(t, ws, trials(), ok)
	<-released
	if err != nil || len(got) != 3 {
		t.Errorf("ran %v (%v), want all 3 runs", got, err)
	}
}

// An untyped dry run creates nothing, not even the environment's folders.
func TestUntypedDryRunCreatesNothing(t *testing.T) {
	ws := filepath.Join(t.TempDir(), "ws")
	x, err := runtime.Load(t.Context(), writeConfigs(t, configFiles), runtime.NewEnvironment(ws))
	if err != nil {
		t.Fatal(err)
	}
	err = x.Run(t.Context(), func(context.Context, *runtime.Trial[map[string]any]) error { return nil },
		runtime.WithDryRun(io.Discard), runtime.WithConsole(io.Discard))
	if err != nil {
		t.Fatal(err)
	}
	if _, err := os.Stat(ws); !errors.Is(err, os.ErrNotExist) {
		t.Errorf("a dry run created %s (stat: %v)", ws, err)
	}
}
