package slurm

import (
	"bytes"
	"errors"
	"fmt"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
)

// Script is one submission's batch script: a job array with one task per run.
type Script struct {
	JobName  string // the experiment's name
	ExpDir   string // absolute experiment folder
	WorkDir  string // absolute folder the program was started in (--chdir)
	RunList  string // absolute path of the submission's run list
	Parallel int    // the %P of --array; 0: no limit
	Job      Resources
	// Runs are the tasks in array order: the run's folder relative to ExpDir, and the setup
	// lines of its trial.
	Runs []ScriptRun
	// Command is the program and its arguments, run by each task with TaskFlag and RunList
	// inserted at TaskAt (after the program's own leading arguments).
	Command []string
	TaskAt  int
}

// ScriptRun is one array task.
type ScriptRun struct {
	Dir   string // relative to the experiment folder, with '/'
	Setup []string
}

// TaskFlag is the flag that makes a program an array task; its value is the run list.
const TaskFlag = "-slurm-task"

// EarlyLogs is the folder, in the experiment's slurm/ folder, that receives what a task
// prints before it redirects its output to its run's logs/ (normally nothing: empty files
// are removed).
const EarlyLogs = "logs"

// Render returns the batch script. Each task looks up its run's folder by
// $SLURM_ARRAY_TASK_ID, sends its output to logs/slurm-<job>_<task>.out there, runs its
// trial's setup lines and execs the program, so that Slurm's signals (SIGTERM at the
// time limit, on scancel or preemption) reach the program itself.
func (s Script) Render() ([]byte, error) {
	if len(s.Runs) == 0 {
		return nil, errors.New("slurm: a job array needs at least one run")
	}
	if s.TaskAt < 1 || s.TaskAt > len(s.Command) {
		return nil, fmt.Errorf("slurm: the task flag position %d is outside the command (%d words)", s.TaskAt, len(s.Command))
	}
	var b bytes.Buffer
	p := func(format string, args ...any) { fmt.Fprintf(&b, format+"\n", args...) }
	p("#!/bin/bash")
	p("# Written by expman: experiment %s, %d %s as one job array, one run a task.", s.JobName, len(s.Runs), plural(len(s.Runs), "run", "runs"))
	p("# Task i runs entry i of %s.", filepath.Base(s.RunList))
	for _, line := range s.directives() {
		p("#SBATCH %s", line)
	}
	p("")
	p("base=%s", quote(s.ExpDir))
	p("runs=(")
	for _, r := range s.Runs {
		p("\t%s", quote(r.Dir))
	}
	p(")")
	p(`dir="$base/${runs[$SLURM_ARRAY_TASK_ID]}"`)
	p("")
	p("# Slurm's own output goes to the run's logs/; the early file keeps only what failed before.")
	p(`mkdir -p "$dir/logs"`)
	p(`exec >>"$dir/logs/slurm-${SLURM_ARRAY_JOB_ID}_${SLURM_ARRAY_TASK_ID}.out" 2>&1`)
	p(`early="$base/slurm/%s/${SLURM_ARRAY_JOB_ID}_${SLURM_ARRAY_TASK_ID}.out"`, EarlyLogs)
	p(`[ -s "$early" ] || rm -f "$early"`)
	p(`echo "expman: Slurm job ${SLURM_ARRAY_JOB_ID}_${SLURM_ARRAY_TASK_ID} on $(hostname) at $(date -u +%%Y-%%m-%%dT%%H:%%M:%%SZ)"`)
	s.renderSetup(p)
	p("")
	cmd := slices.Concat(s.Command[:s.TaskAt], []string{TaskFlag, s.RunList}, s.Command[s.TaskAt:])
	words := make([]string, len(cmd))
	for i, w := range cmd {
		words[i] = quote(w)
	}
	p("exec %s", strings.Join(words, " "))
	return b.Bytes(), nil
}

// ArraySpec is the --array value: every index, at most Parallel at once.
func (s Script) ArraySpec() string {
	spec := "0-" + strconv.Itoa(len(s.Runs)-1)
	if s.Parallel > 0 {
		spec += "%" + strconv.Itoa(s.Parallel)
	}
	return spec
}

func (s Script) directives() []string {
	out := []string{
		"--job-name=" + s.JobName,
		"--array=" + s.ArraySpec(),
		"--output=" + sbatchValue(filepath.Join(s.ExpDir, "slurm", EarlyLogs, "%A_%a.out")),
		"--chdir=" + sbatchValue(s.WorkDir),
		"--ntasks=1",
	}
	r := s.Job
	add := func(name, v string) {
		if v != "" {
			out = append(out, "--"+name+"="+v)
		}
	}
	num := func(name string, v int) {
		if v > 0 {
			add(name, strconv.Itoa(v))
		}
	}
	add("partition", r.Partition)
	add("time", r.Time)
	num("cpus-per-task", r.CPUsPerTask)
	add("mem", r.Mem)
	num("gpus", r.GPUs)
	add("account", r.Account)
	add("qos", r.QOS)
	add("constraint", r.Constraint)
	for _, line := range r.Extra {
		out = append(out, strings.TrimSpace(strings.TrimPrefix(strings.TrimSpace(line), "#SBATCH")))
	}
	return out
}

// renderSetup writes the setup lines: as they are when every task has the same, else
// chosen by the task's group (trials with the same lines share one).
func (s Script) renderSetup(p func(string, ...any)) {
	var groups [][]string
	index := make([]int, len(s.Runs))
	for i, r := range s.Runs {
		g := slices.IndexFunc(groups, func(lines []string) bool { return slices.Equal(lines, r.Setup) })
		if g < 0 {
			g = len(groups)
			groups = append(groups, r.Setup)
		}
		index[i] = g
	}
	if len(groups) == 1 {
		if len(groups[0]) > 0 {
			p("")
			p("# Setup.")
			for _, line := range groups[0] {
				p("%s", line)
			}
		}
		return
	}
	p("")
	p("# Setup: trials differ, so each task runs its group's lines.")
	words := make([]string, len(index))
	for i, g := range index {
		words[i] = strconv.Itoa(g)
	}
	p("setup=(%s)", strings.Join(words, " "))
	p(`case "${setup[$SLURM_ARRAY_TASK_ID]}" in`)
	for g, lines := range groups {
		p("%d)", g)
		for _, line := range lines {
			p("\t%s", line)
		}
		p("\t;;")
	}
	p("esac")
}

// sbatchValue quotes a path with spaces for an #SBATCH line, which sbatch splits at spaces
// outside double quotes.
func sbatchValue(s string) string {
	if strings.ContainsAny(s, " \t") {
		return `"` + s + `"`
	}
	return s
}

// quote returns s as one shell word.
func quote(s string) string {
	if s != "" && strings.IndexFunc(s, func(r rune) bool {
		return !(r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z' || r >= '0' && r <= '9' || strings.ContainsRune("/._-+=,:@%", r))
	}) < 0 {
		return s
	}
	return "'" + strings.ReplaceAll(s, "'", `'\''`) + "'"
}

func plural(n int, one, many string) string {
	if n == 1 {
		return one
	}
	return many
}
