//go:build unix

package command

import (
	"os"
	"os/exec"
	"syscall"
)

// startInGroup makes the child the leader of a new process group, so that signals reach
// every process it starts, and so that a terminal's Ctrl-C reaches it only through expman
// (once), not directly as well.
func startInGroup(cmd *exec.Cmd) {
	if cmd.SysProcAttr == nil {
		cmd.SysProcAttr = &syscall.SysProcAttr{}
	}
	cmd.SysProcAttr.Setpgid = true
	setParentDeathSignal(cmd.SysProcAttr)
}

// signalGroup sends sig to the child's process group, whose id is the child's pid.
func signalGroup(p *os.Process, sig syscall.Signal) {
	_ = syscall.Kill(-p.Pid, sig) // ESRCH: nothing left to signal
}
