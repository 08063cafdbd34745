//go:build !unix

package command

import (
	"os"
	"os/exec"
	"syscall"
)

// Without process groups, only the child itself can be stopped, and only by killing it.

func startInGroup(*exec.Cmd) {}

func signalGroup(p *os.Process, _ syscall.Signal) { _ = p.Kill() }

func groupAlive(*os.Process) bool { return false }
