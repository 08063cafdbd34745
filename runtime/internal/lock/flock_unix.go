//go:build linux || darwin || freebsd || netbsd || openbsd || dragonfly

package lock

import (
	"errors"
	"os"
	"syscall"
)

func tryLock(f *os.File) error { return flock(f, syscall.LOCK_EX|syscall.LOCK_NB) }

// probe asks for a shared lock without waiting: that fails exactly when someone holds the
// exclusive lock a runner takes, needs only a read-only descriptor (NFS emulates flock
// with POSIX locks, where an exclusive lock needs write access), and never conflicts with
// other probes. A lock it gets is released at once.
func probe(f *os.File) error {
	if err := flock(f, syscall.LOCK_SH|syscall.LOCK_NB); err != nil {
		return err
	}
	return flock(f, syscall.LOCK_UN)
}

func flock(f *os.File, how int) error {
	for {
		err := syscall.Flock(int(f.Fd()), how)
		switch {
		case err == nil:
			return nil
		case errors.Is(err, syscall.EINTR):
			continue
		case errors.Is(err, syscall.EWOULDBLOCK):
			return ErrHeld
		}
		return &os.PathError{Op: "flock", Path: f.Name(), Err: err}
	}
}

// sameFile reports whether the locked f is still the file at path: a folder renamed
// (archived) while f waited for the lock took f's file with it.
func sameFile(f *os.File, path string) (bool, error) {
	fi, err := f.Stat()
	if err != nil {
		return false, err
	}
	pi, err := os.Stat(path)
	if errors.Is(err, os.ErrNotExist) {
		return false, nil
	}
	if err != nil {
		return false, err
	}
	return os.SameFile(fi, pi), nil
}
