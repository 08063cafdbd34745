//go:build linux

package command

import (
	"bytes"
	"os"
	"strconv"
	"syscall"
)

// setParentDeathSignal asks the kernel to send the child SIGTERM should expman die without
// stopping it (a SIGKILL, a second Ctrl-C). It reaches the child only, not processes the
// child started; see the package documentation.
func setParentDeathSignal(a *syscall.SysProcAttr) { a.Pdeathsig = syscall.SIGTERM }

// groupAlive reports whether a process of the child's group still runs. Zombies do not
// count: they run nothing, and where the system's first process does not reap orphans (some
// containers) they would stay forever.
func groupAlive(p *os.Process) bool {
	if err := syscall.Kill(-p.Pid, 0); err == syscall.ESRCH {
		return false
	}
	entries, err := os.ReadDir("/proc")
	if err != nil {
		return true // cannot tell: kill(2) says there is one
	}
	for _, e := range entries {
		if pid, err := strconv.Atoi(e.Name()); err == nil && liveInGroup(pid, p.Pid) {
			return true
		}
	}
	return false
}

// liveInGroup reads /proc/PID/stat: "pid (comm) state ppid pgrp ...", where comm may hold
// spaces and parentheses, so the fields are counted from the last ')'.
func liveInGroup(pid, pgid int) bool {
	data, err := os.ReadFile("/proc/" + strconv.Itoa(pid) + "/stat")
	if err != nil {
		return false
	}
	i := bytes.LastIndexByte(data, ')')
	if i < 0 {
		return false
	}
	fields := bytes.Fields(data[i+1:])
	if len(fields) < 3 {
		return false
	}
	state, group := string(fields[0]), string(fields[2])
	return group == strconv.Itoa(pgid) && state != "Z" && state != "X"
}
