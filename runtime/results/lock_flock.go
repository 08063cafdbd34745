//go:build linux || darwin || freebsd || netbsd || openbsd || dragonfly

package results

import (
	"errors"
	"io/fs"
	"os"
	"syscall"
)

// probeLock tells whether some process holds the flock(2) lock on path. It asks for a
// shared lock without waiting: that fails exactly when another process holds the exclusive
// lock a runner takes, needs only a read-only descriptor (NFS emulates flock with POSIX
// locks, where an exclusive lock would need write access), and never conflicts with other
// readers probing at the same time. A lock it gets is released at once.
func probeLock(path string) lockState {
	f, err := os.Open(path)
	if errors.Is(err, fs.ErrNotExist) {
		return lockFree // a runner creates the lock file before it records the run as running
	}
	if err != nil {
		return lockUnknown
	}
	defer f.Close()
	fd := int(f.Fd())
	switch err := syscall.Flock(fd, syscall.LOCK_SH|syscall.LOCK_NB); {
	case err == nil:
		syscall.Flock(fd, syscall.LOCK_UN)
		return lockFree
	case errors.Is(err, syscall.EWOULDBLOCK):
		return lockHeld
	default:
		return lockUnknown // e.g. ENOLCK: the file system does not support flock
	}
}
