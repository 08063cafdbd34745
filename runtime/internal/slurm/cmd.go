package slurm

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"os/exec"
	"regexp"
	"strconv"
	"strings"
)

// Available reports whether the Slurm command name (sbatch, squeue, scancel) is on PATH.
func Available(name string) bool {
	_, err := exec.LookPath(name)
	return err == nil
}

// Submit submits the batch script at path with sbatch --parsable from the folder dir and
// returns the job id.
func Submit(ctx context.Context, dir, path string) (string, error) {
	out, err := command(ctx, dir, "sbatch", "--parsable", path)
	if err != nil {
		return "", err
	}
	return ParseSubmit(out)
}

// Rejected reports whether err, from Submit, means sbatch itself refused the job: it could
// not be started, or it exited with a non-zero status on its own. Any other failure (its
// output unreadable, or it was killed because ctx ended) may come after Slurm accepted the
// job, whose array tasks then still need the submission's files.
func Rejected(ctx context.Context, err error) bool {
	var ce *CommandError
	if !errors.As(err, &ce) || ctx.Err() != nil {
		return false
	}
	var ee *exec.ExitError
	if errors.As(ce.Err, &ee) {
		return ee.Exited() // killed by a signal: it may have submitted first
	}
	return true // never started
}

var jobIDRE = regexp.MustCompile(`^\d+$`)

// ParseSubmit reads sbatch --parsable's output: "<job id>" or "<job id>;<cluster>".
func ParseSubmit(out []byte) (string, error) {
	line := strings.TrimSpace(string(out))
	// Site plugins may print notes first; the id is the last line.
	if i := strings.LastIndexByte(line, '\n'); i >= 0 {
		line = strings.TrimSpace(line[i+1:])
	}
	id, _, _ := strings.Cut(line, ";")
	if !jobIDRE.MatchString(id) {
		return "", fmt.Errorf("sbatch printed %q, not a job id", strings.TrimSpace(string(out)))
	}
	return id, nil
}

// Task is an array task as squeue shows it.
type Task struct {
	JobID  string // the array's job id
	Task   int
	State  string // PENDING, RUNNING, COMPLETING, ...
	Reason string // why it is pending ("Priority", "Resources", "JobArrayTaskLimit"); "" for none
}

// TaskID is "<job>_<task>".
func (t Task) TaskID() string { return t.JobID + "_" + strconv.Itoa(t.Task) }

// Queue returns the tasks of the jobs ids that are still in Slurm's queue (pending,
// running or completing), one per array task. Jobs that ended long enough ago are no
// longer known to Slurm and have no tasks.
func Queue(ctx context.Context, ids []string) ([]Task, error) {
	if len(ids) == 0 {
		return nil, nil
	}
	out, err := command(ctx, "", "squeue", "--noheader", "--array", "--jobs="+strings.Join(ids, ","), "--format=%F|%K|%T|%r")
	var ce *CommandError
	// squeue fails when none of the ids is known any more: the jobs are over.
	if errors.As(err, &ce) && strings.Contains(ce.Stderr, "Invalid job id") {
		return nil, nil
	}
	if err != nil {
		return nil, err
	}
	return ParseQueue(out)
}

// ParseQueue reads squeue --array --format=%F|%K|%T|%r lines. A job that is not an array
// shows "N/A" as its task, and is taken as task 0.
func ParseQueue(out []byte) ([]Task, error) {
	var tasks []Task
	for _, line := range strings.Split(string(out), "\n") {
		line = strings.TrimSpace(line)
		if line == "" {
			continue
		}
		f := strings.Split(line, "|")
		if len(f) != 4 || !jobIDRE.MatchString(f[0]) {
			return nil, fmt.Errorf("squeue printed %q; want job|task|state|reason", line)
		}
		t := Task{JobID: f[0], State: f[2], Reason: f[3]}
		if f[1] != "N/A" {
			n, err := strconv.Atoi(f[1])
			if err != nil {
				return nil, fmt.Errorf("squeue printed %q: the task %q is not a number", line, f[1])
			}
			t.Task = n
		}
		if t.Reason == "None" || t.Reason == "(null)" {
			t.Reason = ""
		}
		tasks = append(tasks, t)
	}
	return tasks, nil
}

// Cancel cancels the jobs ids with scancel: Slurm sends their tasks SIGTERM, then SIGKILL
// after its KillWait.
func Cancel(ctx context.Context, ids []string) error {
	if len(ids) == 0 {
		return nil
	}
	_, err := command(ctx, "", "scancel", ids...)
	return err
}

// CommandError is a Slurm command that failed, with what it printed.
type CommandError struct {
	Command string
	Err     error
	Stderr  string
}

func (e *CommandError) Error() string {
	msg := strings.TrimSpace(e.Stderr)
	if msg == "" {
		return fmt.Sprintf("%s: %v", e.Command, e.Err)
	}
	return fmt.Sprintf("%s: %v: %s", e.Command, e.Err, msg)
}

func (e *CommandError) Unwrap() error { return e.Err }

// command runs a Slurm command and returns its standard output.
func command(ctx context.Context, dir, name string, args ...string) ([]byte, error) {
	cmd := exec.CommandContext(ctx, name, args...)
	cmd.Dir = dir
	var stdout, stderr bytes.Buffer
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	if err := cmd.Run(); err != nil {
		if errors.Is(err, exec.ErrNotFound) {
			err = fmt.Errorf("%s is not installed here (not on PATH); run this on a Slurm login node", name)
		}
		return nil, &CommandError{Command: strings.Join(append([]string{name}, args...), " "), Err: err, Stderr: stderr.String()}
	}
	return stdout.Bytes(), nil
}
