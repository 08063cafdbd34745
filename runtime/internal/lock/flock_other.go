//go:build !(linux || darwin || freebsd || netbsd || openbsd || dragonfly)

package lock

import (
	"errors"
	"os"
)

// tryLock always succeeds where flock does not exist: runs are then protected against
// nothing but themselves, so only one runner per workspace is safe there.
func tryLock(*os.File) error { return nil }

// errNoFlock makes a probe's answer unknown where flock does not exist.
var errNoFlock = errors.New("flock(2) is not available on this system")

func probe(*os.File) error { return errNoFlock }

func sameFile(*os.File, string) (bool, error) { return true, nil }
