package lock

import (
	"context"
	"errors"
	"fmt"
	"os"
	"time"
)

// ErrHeld is returned by TryLock and Probe when another open file holds the lock.
var ErrHeld = errors.New("lock is held by another process")

// Lock is a held lock. Unlock releases it.
type Lock struct {
	f *os.File
}

// maxMoved bounds how often TryLock follows a lock file that moved away while it locked
// it; each round needs another process to rename the folder again in between.
const maxMoved = 100

// TryLock takes the lock at path without waiting, creating the file if needed. It returns
// ErrHeld when someone else holds it.
//
// A lock file moves with its folder when a run is archived. A process that opened the file
// before the move and locked it after would hold the archived run's lock, not the lock of
// the run now at path; so once locked, TryLock checks that its file is still the one at
// path (same device and inode) and starts again with the file at path if not.
func TryLock(path string) (*Lock, error) {
	for range maxMoved {
		f, err := os.OpenFile(path, os.O_RDWR|os.O_CREATE, 0o644)
		if err != nil {
			return nil, err
		}
		if err := tryLock(f); err != nil {
			f.Close()
			return nil, err
		}
		same, err := sameFile(f, path)
		if err != nil {
			f.Close()
			return nil, err
		}
		if same {
			return &Lock{f: f}, nil
		}
		f.Close()
	}
	return nil, fmt.Errorf("%s: the lock file keeps being replaced while it is locked", path)
}

// Wait takes the lock at path, retrying every poll until it gets it, ctx is done or
// timeout passed; then it returns ErrHeld (or ctx's error). It is for short critical
// sections such as rewriting a results table, not for runs.
func Wait(ctx context.Context, path string, timeout, poll time.Duration) (*Lock, error) {
	deadline := time.Now().Add(timeout)
	for {
		l, err := TryLock(path)
		if !errors.Is(err, ErrHeld) || !time.Now().Before(deadline) {
			return l, err
		}
		select {
		case <-ctx.Done():
			return nil, ctx.Err()
		case <-time.After(poll):
		}
	}
}

// Unlock releases the lock. Closing the file releases the flock.
func (l *Lock) Unlock() error {
	if l == nil || l.f == nil {
		return nil
	}
	err := l.f.Close()
	l.f = nil
	return err
}

// Probe reports whether the lock at path is held by someone, without creating anything:
// a missing file is a free lock. It asks for a shared lock without waiting, on a read-only
// descriptor, and releases it at once; an error means the lock's state is unknown (no
// flock(2) on this system or file system).
func Probe(path string) (held bool, err error) {
	f, err := os.Open(path)
	if errors.Is(err, os.ErrNotExist) {
		return false, nil
	}
	if err != nil {
		return false, err
	}
	defer f.Close()
	switch err := probe(f); {
	case errors.Is(err, ErrHeld):
		return true, nil
	case err != nil:
		return false, err
	}
	return false, nil
}
