package results

import (
	"context"
	"errors"
	"path/filepath"

	"github.com/expman-dev/expman/runtime/internal/slurm"
)

// SlurmTask is a run's array task as Slurm's queue shows it.
type SlurmTask struct {
	Task   string `json:"task"`             // "<job>_<index>", as squeue shows it
	State  string `json:"state"`            // PENDING, RUNNING, COMPLETING, ...
	Reason string `json:"reason,omitempty"` // why it is pending: Priority, Resources, ...
}

// ErrNoSqueue is what AddSlurm returns for a submitted experiment where squeue is not
// installed: the report then holds what the workspace says, without Slurm's view.
var ErrNoSqueue = errors.New("squeue is not available here, so Slurm's task states are not shown; run expman status on a Slurm login node")

// AddSlurm adds Slurm's view to a report of an experiment submitted with -slurm: each run
// whose latest array task (see the experiment's slurm/jobs.jsonl) is still in Slurm's queue
// gets its task's state and, when pending, the reason. Runs of a pending task that have
// no folder yet (sweep points) are added as planned. An experiment never submitted is left
// as it is. Slurm forgets a job soon after it ends, so a run whose task is gone has no
// Slurm state: its run.json tells what happened, and a run left running with a free lock
// is stale, which the next -slurm submission reruns.
func (r *Report) AddSlurm(ctx context.Context) error {
	sdir := filepath.Join(r.Dir, slurm.Dir)
	jobs, err := slurm.ReadJobs(sdir)
	if err != nil || len(jobs) == 0 {
		return err
	}
	if !slurm.Available("squeue") {
		return ErrNoSqueue
	}
	ids := make([]string, len(jobs))
	for i, j := range jobs {
		ids[i] = j.JobID
	}
	tasks, err := slurm.Queue(ctx, ids)
	if err != nil {
		return err
	}
	live := map[string]slurm.Task{}
	for _, t := range tasks {
		live[t.TaskID()] = t
	}
	as, err := slurm.Assignments(sdir, jobs)
	for ref, a := range as {
		if t, ok := live[a.TaskID()]; ok {
			r.run(ref.Trial, ref.Repeat).Slurm = &SlurmTask{Task: t.TaskID(), State: t.State, Reason: t.Reason}
		}
	}
	return err
}

// run returns the report's run repeat of trial, adding it as planned (and its trial) if
// the report does not have it.
func (r *Report) run(trial string, repeat int) *RunStatus {
	ti := -1
	for i := range r.Trials {
		if r.Trials[i].Trial == trial {
			ti = i
		}
	}
	if ti < 0 {
		r.Trials = append(r.Trials, TrialStatus{Trial: trial, Counts: Counts{}})
		ti = len(r.Trials) - 1
	}
	t := &r.Trials[ti]
	for i := range t.Runs {
		if t.Runs[i].Repeat == repeat {
			return &t.Runs[i]
		}
	}
	t.Runs = append(t.Runs, RunStatus{Repeat: repeat, State: Planned})
	t.Repeats = max(t.Repeats, repeat)
	t.Counts[Planned]++
	r.Counts[Planned]++
	return &t.Runs[len(t.Runs)-1]
}
