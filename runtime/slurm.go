package runtime

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"os/user"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/expman-dev/expman/runtime/internal/lock"
	"github.com/expman-dev/expman/runtime/internal/slurm"
	"github.com/expman-dev/expman/runtime/internal/workspace"
)

// Slurm has two sides, both in this file:
//
//	submission  Run with WithSlurm (-slurm): the survey decides the runs still to do, as for
//	            a local start; they become one job array whose task i re-executes this
//	            program, with its command line, plus -slurm-task <run list>. Nothing runs
//	            here.
//	array task  Run with -slurm-task: the run list and $SLURM_ARRAY_TASK_ID name one run,
//	            which goes through the normal machinery (lock, run.json, logs, metrics,
//	            signals), so a task is a local start that selects exactly one run.
//
// The workspace stays the record: Slurm only adds what is live.

// slurmMode is how Run meets Slurm.
type slurmMode struct {
	submit  bool      // -slurm: submit the runs still to do as one job array
	out     io.Writer // where the submission reports the job id (default os.Stdout)
	task    string    // -slurm-task: this process is an array task of this run list
	cmdline bool      // the command line came through WithArgs or WithFlags
}

// WithSlurm makes Run submit the experiment to Slurm instead of running it here: the runs
// still to do (new, failed, interrupted and stale ones; completed runs never) become one
// job array, `sbatch --parsable --array=0-(N-1)%P`, with the resources of the configs'
// "slurm" sections. The batch script and the run list go to the experiment's slurm/
// folder, the job id to slurm/jobs.jsonl and, with the commands to watch and cancel it,
// to w (nil: standard output). Run returns once the job is submitted.
//
// Each array task starts this program again, with the same command line plus
// -slurm-task, so the program must pass its command line to the runtime (WithArgs or
// WithFlags), be a built binary (not go run, which deletes it), and it, the workspace and
// the working directory must be on a file system the cluster's nodes share.
//
// With WithDryRun, Run prints the plan, the array size and the batch script, and submits
// nothing.
func WithSlurm(w io.Writer) Option {
	return func(o *options) {
		o.exec.slurm.submit = true
		o.exec.slurm.out = w
	}
}

// slurmTaskGrace bounds the grace period of an array task: Slurm follows SIGTERM with
// SIGKILL after KillWait (30s by default; keep it above 8s), and the run must be recorded
// interrupted before that.
const slurmTaskGrace = 8 * time.Second

// slurmTask prepares an array task: it turns on signal handling (Slurm's SIGTERM at the
// time limit, on scancel or preemption must record the run interrupted), drops what only
// the submission does (archiving for -rerun, submitting, a dry run), and returns the one
// run the task executes.
func slurmTask[S any](p *plan[S], o *options, dirs workspace.Experiment) ([]job, error) {
	e := &o.exec
	e.signals = true
	if e.grace == 0 || e.grace > slurmTaskGrace {
		e.grace = slurmTaskGrace
	}
	// The task's command line is the submission's: what it asked of the submission
	// (archive for -rerun, submit, or show a dry run) is not the task's to do again.
	e.rerun, e.slurm.submit, e.dryRun = false, false, nil
	list, err := slurm.ReadRunList(e.slurm.task)
	if err != nil {
		return nil, fmt.Errorf("runtime: -slurm-task: reading the run list: %w", err)
	}
	if list.Experiment != p.spec.Name || list.Dir != dirs.Dir {
		return nil, fmt.Errorf("runtime: -slurm-task %s: the list is for experiment %q in %s, but this program runs %q in %s; start tasks from the folder and with the flags of the submission",
			e.slurm.task, list.Experiment, list.Dir, p.spec.Name, dirs.Dir)
	}
	id := os.Getenv("SLURM_ARRAY_TASK_ID")
	i, err := strconv.Atoi(id)
	if err != nil || i < 0 || i >= len(list.Runs) {
		return nil, fmt.Errorf("runtime: -slurm-task: SLURM_ARRAY_TASK_ID is %q; want an index of the run list, 0 to %d (the flag is for the batch script that -slurm writes)", id, len(list.Runs)-1)
	}
	r := list.Runs[i]
	t := slices.IndexFunc(p.trials, func(t TrialSpec[S]) bool { return t.Name == r.Trial })
	if t < 0 || r.Repeat < 1 || r.Repeat > p.trials[t].Repeat {
		return nil, fmt.Errorf("runtime: -slurm-task: run %s of the list is not in this program's experiment; was the program changed after submitting?", r)
	}
	return []job{{trial: t, repeat: r.Repeat}}, nil
}

// submission is what a -slurm start submits.
type submission struct {
	runs    []surveyed     // to submit, in plan order
	skipped int            // selected runs not submitted
	queued  map[job]string // runs skipped because an earlier job's task still holds them
	script  slurm.Script   // without RunList, known once the submission has its number
	names   []string       // trial names, by index
}

// planSubmission decides which surveyed runs to submit and renders nothing yet. A run
// whose task from an earlier submission is still in Slurm's queue is not submitted again:
// that task will run it.
func planSubmission[S any](ctx context.Context, p plan[S], o options, sv *survey, dirs workspace.Experiment) (*submission, error) {
	sub := &submission{queued: queuedRuns(ctx, p, sv, dirs)}
	for _, t := range p.trials {
		sub.names = append(sub.names, t.Name)
	}
	for _, r := range sv.runs {
		if !r.run || sub.queued[r.job] != "" {
			sub.skipped++
			continue
		}
		sub.runs = append(sub.runs, r)
	}
	exp := slurmResources(p.spec.Slurm)
	var demands []slurm.Demand
	seen := map[int]bool{}
	for _, r := range sub.runs {
		rel, err := filepath.Rel(dirs.Dir, r.dir)
		if err != nil {
			return nil, err
		}
		d := slurm.Demand{Trial: p.trials[r.trial].Name, Resources: exp.Overlay(slurmResources(p.trials[r.trial].Slurm))}
		if !seen[r.trial] {
			seen[r.trial] = true
			demands = append(demands, d)
		}
		sub.script.Runs = append(sub.script.Runs, slurm.ScriptRun{Dir: filepath.ToSlash(rel), Setup: d.Setup})
	}
	job, err := slurm.Combine(demands)
	if err != nil {
		return nil, fmt.Errorf("runtime: -slurm: %w", err)
	}
	cmd, at, err := taskCommand(o.exec)
	if err != nil {
		return nil, err
	}
	wd, err := os.Getwd()
	if err != nil {
		return nil, fmt.Errorf("runtime: -slurm: the working directory: %w", err)
	}
	parallel := 0
	if p.spec.Slurm != nil {
		parallel = p.spec.Slurm.ArrayParallelism
	}
	sub.script = slurm.Script{
		JobName: p.spec.Name, ExpDir: dirs.Dir, WorkDir: wd, Parallel: parallel, Job: job,
		Runs: sub.script.Runs, Command: cmd, TaskAt: at,
	}
	return sub, nil
}

// queuedRuns returns the runs of sv whose latest task is still pending or running in
// Slurm, with that task's id. Without squeue, or when it fails, it returns none: the run's
// lock still keeps a run from executing twice, a task would only start to find it done.
func queuedRuns[S any](ctx context.Context, p plan[S], sv *survey, dirs workspace.Experiment) map[job]string {
	out := map[job]string{}
	sdir := filepath.Join(dirs.Dir, slurm.Dir)
	jobs, err := slurm.ReadJobs(sdir)
	if err != nil || len(jobs) == 0 || !slurm.Available("squeue") {
		return out
	}
	ids := make([]string, len(jobs))
	for i, j := range jobs {
		ids[i] = j.JobID
	}
	tasks, err := slurm.Queue(ctx, ids)
	if err != nil {
		return out
	}
	live := map[string]bool{}
	for _, t := range tasks {
		live[t.TaskID()] = true
	}
	as, _ := slurm.Assignments(sdir, jobs)
	for _, r := range sv.runs {
		a, ok := as[slurm.RunRef{Trial: p.trials[r.trial].Name, Repeat: r.repeat}]
		if ok && live[a.TaskID()] {
			out[r.job] = a.TaskID()
		}
	}
	return out
}

// taskCommand returns the command each array task runs, this program with its command
// line, and where the task flag goes in it: right before the arguments given to
// WithArgs or WithFlags, which must be the end of os.Args (for a subcommand such as
// "expman run", the words before them stay in front).
func taskCommand(e executionOptions) ([]string, int, error) {
	if !e.slurm.cmdline {
		return nil, 0, errors.New("runtime: WithSlurm needs the program's command line (WithArgs or WithFlags): each Slurm task starts the program again with it, plus -slurm-task")
	}
	exe, err := os.Executable()
	if err != nil {
		return nil, 0, fmt.Errorf("runtime: -slurm: finding this program's binary: %w", err)
	}
	if strings.Contains(exe, string(filepath.Separator)+"go-build") {
		return nil, 0, fmt.Errorf("runtime: -slurm: this program runs from %s, a temporary binary that go run deletes when it exits; build it (go build -o bin/prog .) on a shared file system and start that", exe)
	}
	args := e.args
	n := len(os.Args) - len(args)
	if n < 1 || !slices.Equal(os.Args[n:], args) {
		return nil, 0, errors.New("runtime: -slurm: the arguments given to WithArgs or WithFlags are not the end of the program's command line (os.Args), so a Slurm task could not start it the same way; pass os.Args[1:] (or its tail)")
	}
	return slices.Concat([]string{exe}, os.Args[1:n], args), n, nil
}

func slurmResources(s *SlurmSpec) slurm.Resources {
	if s == nil {
		return slurm.Resources{}
	}
	return slurm.Resources{
		Partition: s.Partition, Time: s.Time, CPUsPerTask: s.CPUsPerTask, Mem: s.Mem, GPUs: s.GPUs,
		Account: s.Account, QOS: s.QOS, Constraint: s.Constraint, Setup: s.Setup, Extra: s.Extra,
	}
}

// submitSlurm submits the runs still to do as one job array and reports the job id.
func submitSlurm[S any](ctx context.Context, p plan[S], o options, sv *survey, dirs workspace.Experiment, hashes []string) error {
	sub, err := planSubmission(ctx, p, o, sv, dirs)
	if err != nil {
		return err
	}
	out := o.exec.slurm.out
	if out == nil {
		out = os.Stdout
	}
	if len(sub.runs) == 0 {
		fmt.Fprintf(out, "experiment %s: nothing to submit: %s\n", p.spec.Name, sub.notSubmitted(sv))
		return nil
	}
	if !slurm.Available("sbatch") {
		return errors.New("runtime: -slurm: sbatch is not installed here (not on PATH); submit from a Slurm login node")
	}
	x, err := startExperiment(p, o, dirs, hashes)
	if err != nil {
		return err
	}
	defer x.close()
	if err := x.archive(sv); err != nil {
		return err
	}
	j, err := sub.submit(ctx, p.spec.Name, dirs)
	if err != nil {
		x.log.Error("Slurm submission failed", "error", err)
		return err
	}
	x.log.Info("submitted to Slurm", "job", j.JobID, "runs", j.Runs, "array", sub.script.ArraySpec(),
		"script", filepath.Join(slurm.Dir, j.Script), "not_submitted", sub.skipped)
	shown := shownPath(o.workspace, filepath.Dir(dirs.Dir))
	fmt.Fprintf(out, "experiment %s: submitted %d %s as Slurm job %s (--array=%s)", p.spec.Name, j.Runs, runs(j.Runs), j.JobID, sub.script.ArraySpec())
	if sub.skipped > 0 {
		fmt.Fprintf(out, "; not submitted: %s", sub.notSubmitted(sv))
	}
	fmt.Fprintf(out, "\n  script  %s\n  watch   squeue -j %s\n          expman status %s\n  cancel  expman cancel %s\n",
		shown(filepath.Join(dirs.Dir, slurm.Dir, j.Script)), j.JobID, shown(dirs.Dir), shown(dirs.Dir))
	return nil
}

// submit writes the run list and the batch script, calls sbatch and records the job.
func (sub *submission) submit(ctx context.Context, experiment string, dirs workspace.Experiment) (slurm.Job, error) {
	sdir := filepath.Join(dirs.Dir, slurm.Dir)
	list := &slurm.RunList{Experiment: experiment, Dir: dirs.Dir}
	for _, r := range sub.runs {
		list.Runs = append(list.Runs, slurm.RunRef{Trial: sub.names[r.trial], Repeat: r.repeat})
	}
	n, err := slurm.CreateSubmission(sdir, list)
	if err != nil {
		return slurm.Job{}, fmt.Errorf("runtime: -slurm: writing the run list: %w", err)
	}
	sub.script.RunList = slurm.RunListFile(sdir, n)
	script, err := sub.script.Render()
	if err == nil {
		err = workspace.WriteFile(slurm.ScriptFile(sdir, n), script, workspace.Durable)
	}
	if err != nil {
		slurm.RemoveSubmission(sdir, n)
		return slurm.Job{}, fmt.Errorf("runtime: -slurm: %w", err)
	}
	id, err := slurm.Submit(ctx, sub.script.WorkDir, slurm.ScriptFile(sdir, n))
	switch {
	case err != nil && slurm.Rejected(ctx, err):
		slurm.RemoveSubmission(sdir, n)
		return slurm.Job{}, fmt.Errorf("runtime: -slurm: %w", err)
	case err != nil:
		// sbatch may have accepted the job: its tasks need the run list and the script.
		return slurm.Job{}, fmt.Errorf("runtime: -slurm: %w; the job may have been submitted all the same: check squeue -u $USER (its files are kept: %s, %s)",
			err, slurm.RunListFile(sdir, n), slurm.ScriptFile(sdir, n))
	}
	host, _ := os.Hostname()
	j := slurm.Job{
		JobID: id, Submission: n, Submitted: time.Now().UTC(), Runs: len(list.Runs),
		Script: filepath.Base(slurm.ScriptFile(sdir, n)), RunList: filepath.Base(sub.script.RunList), Host: host,
	}
	if u, err := user.Current(); err == nil {
		j.User = u.Username
	}
	if err := slurm.AppendJob(sdir, j); err != nil {
		// The job runs all the same; only expman status and cancel will not know it.
		return j, fmt.Errorf("runtime: -slurm: job %s was submitted but cannot be recorded in %s: %w; cancel it with scancel %s if need be", id, slurm.JobsFile, err, id)
	}
	return j, nil
}

// notSubmitted says why the selected runs that are not submitted are left out.
func (sub *submission) notSubmitted(sv *survey) string {
	counts := map[string]int{}
	for _, r := range sv.runs {
		switch {
		case sub.queued[r.job] != "":
			counts["queued in an earlier Slurm job"]++
		case !r.run:
			counts[strings.SplitN(r.reason, ":", 2)[0]]++
		}
	}
	if len(counts) == 0 {
		return "no runs selected"
	}
	var parts []string
	for _, k := range sortedKeys(counts) {
		parts = append(parts, fmt.Sprintf("%d %s", counts[k], k))
	}
	return strings.Join(parts, ", ")
}

// slurmDryRun prints the plan as a submission would see it, the array size and the batch
// script, and submits nothing.
func slurmDryRun[S any](ctx context.Context, p plan[S], o options, sv *survey, dirs workspace.Experiment, root string) error {
	sub, err := planSubmission(ctx, p, o, sv, dirs)
	if err != nil {
		return err
	}
	w := o.exec.dryRun
	shown := shownPath(o.workspace, root)
	for i, r := range sv.runs {
		if id := sub.queued[r.job]; id != "" {
			sv.runs[i].verdict = verdict{false, "queued in Slurm task " + id}
		}
	}
	if err := p.printPlan(w, sv, shown); err != nil {
		return err
	}
	if sv.blocked {
		return &SettingsChangedError{Trials: sv.changed}
	}
	if len(sub.runs) == 0 {
		fmt.Fprintf(w, "nothing to submit to Slurm\n")
		return nil
	}
	sdir := filepath.Join(dirs.Dir, slurm.Dir)
	n := slurm.NextSubmission(sdir)
	sub.script.RunList = slurm.RunListFile(sdir, n)
	script, err := sub.script.Render()
	if err != nil {
		return err
	}
	fmt.Fprintf(w, "\nwould submit %d %s as one Slurm job array (--array=%s), %s:\n\n%s",
		len(sub.runs), runs(len(sub.runs)), sub.script.ArraySpec(), shown(slurm.ScriptFile(sdir, n)), script)
	return nil
}

// shownPath returns a function that shows a folder under root as under the workspace as
// given (relative stays relative).
func shownPath(workspaceArg, root string) func(string) string {
	return func(dir string) string {
		rel, err := filepath.Rel(root, dir)
		if err != nil {
			return dir
		}
		return filepath.Join(workspaceArg, rel)
	}
}

// SlurmCancellation is what CancelSlurm did.
type SlurmCancellation struct {
	// Jobs are the experiment's jobs that were still in Slurm's queue and were cancelled.
	Jobs []string
	// Interrupted are the runs that were running and are now recorded interrupted: their
	// task died without recording it (a task that gets SIGTERM records it itself).
	Interrupted []RunRef
	// StillRunning are runs recorded running whose lock some process still holds after
	// the wait: a task that has not ended yet, or another runner.
	StillRunning []RunRef
}

// CancelSlurm cancels the Slurm jobs submitted for the experiment folder expDir (scancel:
// SIGTERM, and SIGKILL after Slurm's KillWait), waits up to wait for their tasks to leave
// the queue, and then records as interrupted every run of those jobs that run.json still
// says is running and whose lock no process holds. Runs that ended, or never started,
// are left as they are; the next -slurm submission resubmits every run not completed.
func CancelSlurm(ctx context.Context, expDir string, wait time.Duration) (*SlurmCancellation, error) {
	sdir := filepath.Join(expDir, slurm.Dir)
	jobs, err := slurm.ReadJobs(sdir)
	if err != nil {
		return nil, fmt.Errorf("runtime: reading the experiment's Slurm jobs: %w", err)
	}
	if len(jobs) == 0 {
		return nil, fmt.Errorf("runtime: %s records no Slurm job; was the experiment submitted with -slurm?", filepath.Join(sdir, slurm.JobsFile))
	}
	ids := make([]string, len(jobs))
	for i, j := range jobs {
		ids[i] = j.JobID
	}
	live, err := liveJobs(ctx, ids)
	if err != nil {
		return nil, err
	}
	res := &SlurmCancellation{Jobs: live}
	if err := slurm.Cancel(ctx, live); err != nil {
		return res, fmt.Errorf("runtime: %w", err)
	}
	if err := waitForQueue(ctx, live, wait); err != nil {
		return res, err
	}
	as, err := slurm.Assignments(sdir, jobs)
	refs := make([]slurm.RunRef, 0, len(as))
	for r := range as {
		refs = append(refs, r)
	}
	slices.SortFunc(refs, func(a, b slurm.RunRef) int {
		if c := strings.Compare(a.Trial, b.Trial); c != 0 {
			return c
		}
		return a.Repeat - b.Repeat
	})
	for _, r := range refs {
		a := as[r]
		dirs := workspace.NewExperiment(filepath.Dir(expDir), filepath.Base(expDir)).Trial(r.Trial).Run(r.Repeat)
		why := fmt.Errorf("cancelled with expman cancel (Slurm task %s)", a.TaskID())
		switch interrupted, held := markInterrupted(dirs, why); {
		case interrupted:
			res.Interrupted = append(res.Interrupted, RunRef{Trial: r.Trial, Repeat: r.Repeat, Err: why})
		case held:
			res.StillRunning = append(res.StillRunning, RunRef{Trial: r.Trial, Repeat: r.Repeat})
		}
	}
	return res, err
}

// liveJobs returns those of ids that Slurm still has in its queue.
func liveJobs(ctx context.Context, ids []string) ([]string, error) {
	tasks, err := slurm.Queue(ctx, ids)
	if err != nil {
		return nil, fmt.Errorf("runtime: %w", err)
	}
	var live []string
	for _, t := range tasks {
		if !slices.Contains(live, t.JobID) {
			live = append(live, t.JobID)
		}
	}
	return live, nil
}

// waitForQueue waits until none of the jobs ids has a task in the queue, or wait passed.
func waitForQueue(ctx context.Context, ids []string, wait time.Duration) error {
	deadline := time.Now().Add(wait)
	for len(ids) > 0 && time.Now().Before(deadline) {
		select {
		case <-ctx.Done():
			return ctx.Err()
		case <-time.After(500 * time.Millisecond):
		}
		var err error
		if ids, err = liveJobs(ctx, ids); err != nil {
			return err
		}
	}
	return nil
}

// markInterrupted records the run in dirs as interrupted when run.json says running and
// no process holds its lock. It reports whether it did, and whether the lock was held.
func markInterrupted(dirs workspace.Run, why error) (interrupted, held bool) {
	rec, err := workspace.ReadRecord(dirs.RecordFile())
	if err != nil || rec.Status != workspace.Running {
		return false, false
	}
	lk, err := lock.TryLock(dirs.LockFile())
	if err != nil {
		return false, errors.Is(err, lock.ErrHeld)
	}
	defer lk.Unlock()
	// Read again under the lock: the task may have recorded its end meanwhile.
	if rec, err = workspace.ReadRecord(dirs.RecordFile()); err != nil || rec.Status != workspace.Running {
		return false, false
	}
	rec.Finish(workspace.Interrupted, time.Now(), why)
	return workspace.WriteRecord(dirs.RecordFile(), rec, workspace.Durable) == nil, false
}
