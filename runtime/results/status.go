package results

import (
	"path/filepath"
	"strings"
	"time"

	"github.com/expman-dev/expman/runtime/internal/workspace"
)

// RunState is the state of a run as Status sees it: the run.json status, refined by the
// run's lock.
type RunState string

// Run states. Completed, Failed, Interrupted and Running are the run.json statuses.
const (
	Completed   RunState = RunState(workspace.Completed)
	Failed      RunState = RunState(workspace.Failed)
	Interrupted RunState = RunState(workspace.Interrupted)
	Running     RunState = RunState(workspace.Running)
	// Stale: run.json says running but no process holds the run's lock: its process was
	// killed or its host died. The next run of the experiment reruns it.
	Stale RunState = "stale"
	// Planned: configs/trials.yaml (or trial.yaml) asks for the repeat, and it has not
	// recorded a status yet.
	Planned RunState = "planned"
)

// States lists the states in the order reports show them.
var States = []RunState{Completed, Failed, Interrupted, Running, Stale, Planned}

// Report is the state of every run of an experiment at one moment.
type Report struct {
	Experiment string        `json:"experiment"`
	Dir        string        `json:"dir"`
	Time       time.Time     `json:"time"`
	Counts     Counts        `json:"counts"`
	Trials     []TrialStatus `json:"trials"`
}

// Counts counts runs by state.
type Counts map[RunState]int

// TrialStatus is the state of one trial's runs.
type TrialStatus struct {
	Trial   string      `json:"trial"`
	TrialID int         `json:"trial_id"`
	Repeats int         `json:"repeats"` // planned
	Counts  Counts      `json:"counts"`
	Runs    []RunStatus `json:"runs"`
}

// RunStatus is the state of one repeat.
type RunStatus struct {
	Repeat int        `json:"repeat"`
	State  RunState   `json:"state"`
	Dir    string     `json:"dir,omitempty"`
	Start  *time.Time `json:"start,omitempty"`
	End    *time.Time `json:"end,omitempty"`
	// DurationSeconds is end - start for a finished run, and the time since its start for a
	// running or stale one (then measured at Report.Time).
	DurationSeconds *float64 `json:"duration_seconds,omitempty"`
	Error           string   `json:"error,omitempty"`
	Owner           *Owner   `json:"owner,omitempty"`
	// LockUnknown is set for a running run whose lock could not be probed (no flock(2) on
	// this system or file system): it may be stale.
	LockUnknown bool `json:"lock_unknown,omitempty"`
	// Slurm is the run's Slurm array task while Slurm still has it (pending or running);
	// set by Report.AddSlurm.
	Slurm *SlurmTask `json:"slurm,omitempty"`
}

// Duration is DurationSeconds as a time.Duration (0 when unknown).
func (r RunStatus) Duration() time.Duration {
	if r.DurationSeconds == nil {
		return 0
	}
	return time.Duration(*r.DurationSeconds * float64(time.Second))
}

// Status reads the state of every run of the experiment folder expDir: what each run.json
// says, with running runs whose lock (repeat_<k>/.lock, flock(2)) no process holds reported
// as stale, and repeats that configs/trials.yaml plans but that have not started reported
// as planned. It only reads, so it is safe while the experiment runs, from any machine that
// sees the workspace. Staleness needs a file system with working flock(2) between the
// machines (local file systems; NFS v4, or v3 with its lock manager): where the lock cannot
// be probed a running run stays running, with LockUnknown set. When some files cannot be
// read the report covers the rest and the error names them.
func Status(expDir string) (*Report, error) {
	return status(expDir, time.Now())
}

func status(expDir string, now time.Time) (*Report, error) {
	x, err := readExperiment(expDir)
	if err != nil {
		return nil, err
	}
	rep := &Report{Experiment: x.name, Dir: expDir, Time: now.UTC(), Counts: Counts{}}
	byName := map[string]*trialData{}
	for _, td := range x.trials {
		byName[td.name] = td
	}
	// Trials in plan order (with or without a folder), then those only on disk.
	for _, p := range x.plan {
		if p.isSweep() {
			// Its points that have a folder, in sweep order; points not started yet have
			// none, since expanding a sweep takes the config package.
			for _, td := range x.trials {
				if strings.HasPrefix(td.name, p.Name+"/") && byName[td.name] != nil {
					rep.add(trialStatus(td, 0, now))
					delete(byName, td.name)
				}
			}
			continue
		}
		td := byName[p.Name]
		if td == nil {
			td = &trialData{name: p.Name, config: &trialConfig{Name: p.Name, ID: p.ID, Repeat: p.Repeat}}
		}
		rep.add(trialStatus(td, p.Repeat, now))
		delete(byName, p.Name)
	}
	for _, td := range x.trials {
		if byName[td.name] != nil {
			rep.add(trialStatus(td, 0, now))
		}
	}
	return rep, x.problem
}

func (rep *Report) add(ts TrialStatus) {
	for s, n := range ts.Counts {
		rep.Counts[s] += n
	}
	rep.Trials = append(rep.Trials, ts)
}

// trialStatus lists a trial's runs, 1 up to the planned number of repeats (trial.yaml's,
// else planRepeat) or the highest on disk.
func trialStatus(td *trialData, planRepeat int, now time.Time) TrialStatus {
	planned := planRepeat
	if td.config != nil && td.config.Repeat > 0 {
		planned = td.config.Repeat
	}
	ts := TrialStatus{Trial: td.name, TrialID: td.id(), Repeats: planned, Counts: Counts{}}
	onDisk := map[int]runData{}
	last := planned
	for _, r := range td.runs {
		onDisk[r.k] = r
		last = max(last, r.k)
	}
	for k := 1; k <= last; k++ {
		r, ok := onDisk[k]
		var rs RunStatus
		if ok {
			rs = runStatus(r, now)
		} else {
			rs = RunStatus{Repeat: k, State: Planned}
		}
		ts.Counts[rs.State]++
		ts.Runs = append(ts.Runs, rs)
	}
	return ts
}

func runStatus(r runData, now time.Time) RunStatus {
	rs := RunStatus{Repeat: r.k, Dir: r.dir, State: Planned}
	lock := lockUnknown
	if r.rec == nil || r.rec.Status == workspace.Running {
		lock = probeLock(filepath.Join(r.dir, LockFile))
	}
	if r.rec == nil {
		// The folder exists but the first record is not written yet: the run is starting
		// if someone holds its lock; otherwise it never really started.
		if lock == lockHeld {
			rs.State = Running
		}
		return rs
	}
	rec := r.rec
	rs.State = RunState(rec.Status)
	rs.Error = rec.Error
	rs.Owner = rec.Owner
	if !rec.Start.IsZero() {
		start := rec.Start
		rs.Start = &start
	}
	rs.End = rec.End
	switch {
	case rec.DurationSeconds != nil:
		d := *rec.DurationSeconds
		rs.DurationSeconds = &d
	case rec.End != nil && rs.Start != nil:
		d := rec.End.Sub(*rs.Start).Seconds()
		rs.DurationSeconds = &d
	case rec.Status == workspace.Running && rs.Start != nil:
		d := now.Sub(*rs.Start).Seconds()
		rs.DurationSeconds = &d
	}
	if rec.Status == workspace.Running {
		switch lock {
		case lockFree:
			rs.State = Stale
		case lockUnknown:
			rs.LockUnknown = true
		}
	}
	return rs
}
