package lock

import (
	"context"
	"errors"
	"os"
	"path/filepath"
	"testing"
	"time"
)

func TestTryLock(t *testing.T) {
	path := filepath.Join(t.TempDir(), ".lock")
	if held, err := Probe(path); held || err != nil {
		t.Fatalf("Probe of a missing lock = %v, %v; want free", held, err)
	}
	l, err := TryLock(path)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := TryLock(path); !errors.Is(err, ErrHeld) {
		t.Errorf("second TryLock = %v, want ErrHeld", err)
	}
	if held, err := Probe(path); !held || err != nil {
		t.Errorf("Probe of a held lock = %v, %v; want held", held, err)
	}
	if err := l.Unlock(); err != nil {
		t.Fatal(err)
	}
	l2, err := TryLock(path)
	if err != nil {
		t.Fatalf("TryLock after Unlock = %v", err)
	}
	l2.Unlock()
}

// A lock file whose folder is renamed while a process waits to lock it must not give that
// process the lock of the new run at the old path.
func TestTryLockFollowsMovedFile(t *testing.T) {
	dir := t.TempDir()
	run := filepath.Join(dir, "repeat_1")
	if err := os.Mkdir(run, 0o755); err != nil {
		t.Fatal(err)
	}
	path := filepath.Join(run, ".lock")
	old, err := TryLock(path)
	if err != nil {
		t.Fatal(err)
	}
	// Another process opened the old file before the archive; simulate by opening it now.
	stale, err := os.OpenFile(path, os.O_RDWR, 0)
	if err != nil {
		t.Fatal(err)
	}
	defer stale.Close()
	if err := os.Rename(run, filepath.Join(dir, "archived")); err != nil {
		t.Fatal(err)
	}
	old.Unlock()
	if err := os.Mkdir(run, 0o755); err != nil {
		t.Fatal(err)
	}
	// The stale descriptor can now be locked, but it is not the file at path.
	if same, err := sameFile(stale, path); same || err != nil {
		t.Fatalf("sameFile(moved file) = %v, %v; want false", same, err)
	}
	l, err := TryLock(path)
	if err != nil {
		t.Fatal(err)
	}
	defer l.Unlock()
	if same, err := sameFile(l.f, path); !same || err != nil {
		t.Fatalf("TryLock holds a file other than %s (%v)", path, err)
	}
	if _, err := TryLock(path); !errors.Is(err, ErrHeld) {
		t.Errorf("second TryLock of the new file = %v, want ErrHeld", err)
	}
}

func TestProbeReadOnly(t *testing.T) {
	path := filepath.Join(t.TempDir(), ".lock")
	l, err := TryLock(path)
	if err != nil {
		t.Fatal(err)
	}
	if err := os.Chmod(path, 0o444); err != nil {
		t.Fatal(err)
	}
	if held, err := Probe(path); !held || err != nil {
		t.Errorf("Probe of a held read-only lock = %v, %v; want held", held, err)
	}
	l.Unlock()
	if held, err := Probe(path); held || err != nil {
		t.Errorf("Probe of a free read-only lock = %v, %v; want free", held, err)
	}
}

func TestWaitTimesOut(t *testing.T) {
	path := filepath.Join(t.TempDir(), ".lock")
	l, err := TryLock(path)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := Wait(context.Background(), path, 20*time.Millisecond, time.Millisecond); !errors.Is(err, ErrHeld) {
		t.Errorf("Wait on a held lock = %v, want ErrHeld after the timeout", err)
	}
	l.Unlock()
	l2, err := Wait(context.Background(), path, time.Second, time.Millisecond)
	if err != nil {
		t.Fatalf("Wait on a free lock = %v", err)
	}
	l2.Unlock()
}
