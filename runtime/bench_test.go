package runtime_test

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/expman-dev/expman/runtime"
)

// BenchmarkBookkeeping measures what a no-op run costs (folders, run.json running and
// final, the run's log, the lock) against the floor: the same mkdirs and file writes done
// directly, with the one fsync (file and folder) that makes the final status durable.
func BenchmarkBookkeeping(b *testing.B) {
	floor := timeFloor(b, b.N)
	ws := filepath.Join(b.TempDir(), "ws")
	ts := []runtime.TrialSpec[settings]{{Name: "noop", ID: 1, Repeat: b.N}}
	b.ResetTimer()
	start := time.Now()
	err := runtime.Run(context.Background(), spec, ts, ok, runtime.WithWorkspace(ws), runtime.WithConsole(nil))
	elapsed := time.Since(start)
	b.StopTimer()
	if err != nil {
		b.Fatal(err)
	}
	b.ReportMetric(float64(floor)/float64(b.N), "floor-ns/op")
	b.ReportMetric(float64(elapsed)/float64(floor), "x-floor")
}

// timeFloor does n runs' file-system work directly and returns how long it took.
func timeFloor(b *testing.B, n int) time.Duration {
	dir := b.TempDir()
	record := []byte(`{"experiment":"my_experiment","trial":"noop","trial_id":1,"repeat":1,"status":"running"}` + "\n")
	start := time.Now()
	for k := range n {
		run := filepath.Join(dir, fmt.Sprint("repeat_", k))
		must(b, os.MkdirAll(filepath.Join(run, "logs"), 0o755))
		must(b, os.MkdirAll(filepath.Join(run, "artifacts"), 0o755))
		must(b, writeRename(run, "run.json", record, false))
		f, err := os.OpenFile(filepath.Join(run, "logs", "run.log"), os.O_WRONLY|os.O_CREATE|os.O_APPEND, 0o644)
		must(b, err)
		_, err = f.Write([]byte("time=2026-01-01T00:00:00Z level=INFO msg=\"run started\"\n"))
		must(b, err)
		must(b, f.Close())
		must(b, writeRename(run, "run.json", record, true))
	}
	return time.Since(start)
}

func writeRename(dir, name string, data []byte, sync bool) error {
	tmp := filepath.Join(dir, "."+name+".tmp")
	f, err := os.Create(tmp)
	if err != nil {
		return err
	}
	if _, err := f.Write(data); err != nil {
		return err
	}
	if sync {
		if err := f.Sync(); err != nil {
			return err
		}
	}
	if err := f.Close(); err != nil {
		return err
	}
	if err := os.Rename(tmp, filepath.Join(dir, name)); err != nil {
		return err
	}
	if !sync {
		return nil
	}
	d, err := os.Open(dir)
	if err != nil {
		return err
	}
	defer d.Close()
	return d.Sync()
}

func must(b *testing.B, err error) {
	if err != nil {
		b.Fatal(err)
	}
}

// BenchmarkParallel runs 8 CPU-bound trials with 1 and with 2 workers and reports the
// speed-up; on 2 free cores it should approach 2.
func BenchmarkParallel(b *testing.B) {
	ts := manyTrials(8, 1)
	spin := func(ctx context.Context, tr *runtime.Trial[settings]) error {
		x := uint64(tr.Seed)
		for range 100_000_000 {
			x = x*6364136223846793005 + 1442695040888963407
		}
		if x == 0 {
			tr.Logger.Info("unlikely", "x", x) // keeps the loop from being optimised away
		}
		return nil
	}
	timed := func(workers int) time.Duration {
		ws := filepath.Join(b.TempDir(), "ws")
		start := time.Now()
		err := runtime.Run(context.Background(), spec, ts, spin, runtime.WithWorkspace(ws),
			runtime.WithConsole(nil), runtime.WithParallel(workers))
		if err != nil {
			b.Fatal(err)
		}
		return time.Since(start)
	}
	var one, two time.Duration
	for range b.N {
		one += timed(1)
		two += timed(2)
	}
	b.ReportMetric(float64(one)/float64(two), "speedup")
}
