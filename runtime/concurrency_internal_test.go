package runtime

import (
	"context"
	"errors"
	"os"
	"path/filepath"
	goruntime "runtime"
	"testing"
	"time"

	"github.com/expman-dev/expman/runtime/internal/workspace"
)

// A second runner's archive, deciding under the locks, moves only the runs made with
// other settings: the first runner's new runs stay.
func TestArchiveKeepsRunsOfTheCurrentSettings(t *testing.T) {
	td := workspace.NewExperiment(t.TempDir(), "x").Trial("t")
	for k, hash := range map[int]string{1: "sha256:new", 2: "sha256:old"} {
		rd := td.Run(k)
		if err := rd.Create(); err != nil {
			t.Fatal(err)
		}
		rec := &workspace.RunRecord{Trial: "t", Repeat: k, Status: workspace.Completed, SettingsHash: hash}
		if err := workspace.WriteRecord(rd.RecordFile(), rec, workspace.Atomic); err != nil {
			t.Fatal(err)
		}
	}
	dst, err := archiveTrial(td, time.Now(), "sha256:new")
	if err != nil {
		t.Fatal(err)
	}
	if _, err := os.Stat(td.Run(1).RecordFile()); err != nil {
		t.Errorf("the run of the current settings was archived: %v", err)
	}
	if _, err := os.Stat(filepath.Join(dst, "repeat_2", workspace.RunFile)); err != nil {
		t.Errorf("the run of the old settings was not archived: %v", err)
	}
	if dst, err := archiveTrial(td, time.Now().Add(time.Second), "sha256:new"); dst != "" || err != nil {
		t.Errorf("archiving again = %q, %v; want nothing to archive", dst, err)
	}
}

// A run abandoned before it recorded its start is reported as not started.
func TestAbandonBeforeStartIsNotStarted(t *testing.T) {
	a := &activeRun{}
	if status, ok := a.abandon(errors.New("grace period")); !ok || status != "" {
		t.Errorf("abandon of a run not started = %q, %v; want not started", status, ok)
	}
	if _, ok := a.abandon(errors.New("again")); ok {
		t.Error("a second abandon recorded the run again")
	}
}

// call makes one context per run and cancels it: with a timeout, a leaked context per
// run would keep the heap growing with each run.
func TestCallCancelsItsContext(t *testing.T) {
	parent, cancel := context.WithCancel(context.Background())
	defer cancel()
	var got context.Context
	fn := func(ctx context.Context, _ *Trial[int]) error { got = ctx; return nil }
	for _, timeout := range []time.Duration{0, time.Hour} {
		call(parent, fn, &Trial[int]{}, timeout)
		if got.Err() == nil {
			t.Errorf("timeout %v: the run's context is not cancelled after the call", timeout)
		}
	}
	var m0, m1 goruntime.MemStats
	goruntime.GC()
	goruntime.ReadMemStats(&m0)
	for range 50000 {
		call(parent, fn, &Trial[int]{}, time.Hour)
	}
	got = nil
	goruntime.GC()
	goruntime.ReadMemStats(&m1)
	// A leaked cancelCtx per call is well over 100 bytes: 5 MB for these calls.
	if grew := int64(m1.HeapAlloc) - int64(m0.HeapAlloc); grew > 2<<20 {
		t.Errorf("heap grew by %d KiB over 50000 calls: contexts leak", grew/1024)
	}
}
