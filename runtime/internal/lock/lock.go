package lock

import (
	"errors"
	"os"
)

// ErrHeld is returned by TryLock and Probe when another open file holds the lock.
var ErrHeld = errors.New("lock is held by another process")

// Lock is a held lock. Unlock releases it.
type Lock struct {
	f *os.File
}

// TryLock takes the lock at path without waiting, creating the file if needed. It returns
// ErrHeld when someone else holds it.
func TryLock(path string) (*Lock, error) {
	f, err := os.OpenFile(path, os.O_RDWR|os.O_CREATE, 0o644)
	if err != nil {
		return nil, err
	}
	if err := tryLock(f); err != nil {
		f.Close()
		return nil, err
	}
	return &Lock{f: f}, nil
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
// a missing file is a free lock. It takes and releases the lock to find out.
func Probe(path string) (held bool, err error) {
	f, err := os.Open(path)
	if errors.Is(err, os.ErrNotExist) {
		return false, nil
	}
	if err != nil {
		return false, err
	}
	defer f.Close()
	switch err := tryLock(f); {
	case errors.Is(err, ErrHeld):
		return true, nil
	case err != nil:
		return false, err
	}
	return false, nil
}
