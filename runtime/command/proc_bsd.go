//go:build unix && !linux

package command

import (
	"os"
	"syscall"
)

func setParentDeathSignal(*syscall.SysProcAttr) {}

// groupAlive reports whether a process of the child's group still exists.
func groupAlive(p *os.Process) bool { return syscall.Kill(-p.Pid, 0) != syscall.ESRCH }
