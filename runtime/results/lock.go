package results

import (
	"context"
	"fmt"
	"path/filepath"
	"time"

	"github.com/expman-dev/expman/runtime/internal/lock"
)

// The locks that serialize rewriting the files computed from the runs. They are separate
// from the runs' locks: a table is rewritten while runs execute.
const (
	resultsLockFile = ".results.lock" // <experiment>/.results.lock: results.json, results.csv
	summaryLockFile = ".summary.lock" // <trial>/.summary.lock: summary.json
)

// How long a writer waits for another process rewriting the same files: reading an
// experiment's runs takes a while for large experiments, never this long.
const (
	writeLockTimeout = time.Minute
	writeLockPoll    = 10 * time.Millisecond
)

// underLock calls fn holding the lock at path.
func underLock(path string, fn func() error) error {
	lk, err := lock.Wait(context.Background(), path, writeLockTimeout, writeLockPoll)
	if err != nil {
		return fmt.Errorf("%s: waiting for another process writing %s: %w", path, filepath.Base(filepath.Dir(path)), err)
	}
	defer lk.Unlock()
	return fn()
}

// lockState is what a run's lock says about a "running" record.
type lockState int

const (
	lockUnknown lockState = iota // no flock here: trust run.json
	lockFree
	lockHeld
)

// probeLock tells whether some process holds the run's lock at path (lock.Probe).
func probeLock(path string) lockState {
	held, err := lock.Probe(path)
	switch {
	case err != nil:
		return lockUnknown // e.g. ENOLCK: the file system does not support flock
	case held:
		return lockHeld
	}
	return lockFree
}
