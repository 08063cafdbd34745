package lock

import (
	"errors"
	"path/filepath"
	"testing"
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
