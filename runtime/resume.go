package runtime

import (
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"reflect"
	"slices"
	"strings"
	"text/tabwriter"
	"time"

	"github.com/expman-dev/expman/runtime/internal/lock"
	"github.com/expman-dev/expman/runtime/internal/workspace"
	"gopkg.in/yaml.v3"
)

// Resuming rests on one rule: the run's folder says what happened to it. Before anything is
// created, survey reads every selected run's run.json to plan (and to refuse changed
// settings); then, for each run, the worker takes the run's lock and reads run.json again,
// because another runner may have finished the run in between. Only that second reading,
// under the lock, decides whether the run executes, so no run completes twice.

// verdict is what to do with one run, and why (for the plan and the logs).
type verdict struct {
	run    bool
	reason string
}

// decide judges a run from its previous record (read with err) as seen by a process that
// holds the run's lock: a "running" record is then stale, its owner gone.
func decide(prev *workspace.RunRecord, err error, hash string) verdict {
	switch {
	case errors.Is(err, fs.ErrNotExist):
		return verdict{true, "new"}
	case err != nil:
		return verdict{true, "run.json unreadable, rerun: " + firstLine(err.Error())}
	}
	switch prev.Status {
	case workspace.Completed:
		// Records without a hash predate hashing; survey compared their trial.yaml instead.
		if prev.SettingsHash == "" || prev.SettingsHash == hash {
			return verdict{false, "completed"}
		}
		return verdict{true, "settings changed, rerun"}
	case workspace.Failed:
		return verdict{true, "failed before, rerun"}
	case workspace.Interrupted:
		return verdict{true, "interrupted before, rerun"}
	case workspace.Running:
		return verdict{true, "stale: " + prev.Owner.String() + " left it running, rerun"}
	}
	return verdict{true, fmt.Sprintf("unknown status %q, rerun", prev.Status)}
}

// surveyed is a run as the survey found it.
type surveyed struct {
	job
	dir string
	verdict
}

// survey is the state of the selected runs before this process touches anything.
type survey struct {
	runs    []surveyed
	changed []ChangedTrial
	archive map[int]bool // trials whose old runs are archived before running
	blocked bool         // changed trials without rerun: nothing may run
}

// survey reads the selected runs' records and finds trials whose completed runs used other
// settings. It writes nothing, and takes no lock it would keep.
// With rerun, changed trials are to be archived and run again; without, their runs are
// shown as blocked, since Run then stops with a *SettingsChangedError.
func (p *plan[S]) survey(dirs workspace.Experiment, jobs []job, hashes []string, rerun bool) (*survey, error) {
	sv := &survey{archive: map[int]bool{}}
	seen := map[int]bool{}
	for _, j := range jobs {
		if !seen[j.trial] {
			seen[j.trial] = true
			ct, err := p.changedTrial(dirs.Trial(p.trials[j.trial].Name), j.trial, hashes[j.trial])
			if err != nil {
				return nil, err
			}
			if ct != nil {
				sv.changed = append(sv.changed, *ct)
				sv.archive[j.trial] = rerun
				if !rerun {
					sv.blocked = true
				}
			}
		}
		s := p.surveyRun(dirs, j, hashes[j.trial], sv.archive[j.trial])
		if _, changed := sv.archive[j.trial]; changed && !rerun {
			s.verdict = verdict{false, "settings changed since completed runs: stops the experiment without rerun"}
		}
		sv.runs = append(sv.runs, s)
	}
	return sv, nil
}

func (p *plan[S]) surveyRun(dirs workspace.Experiment, j job, hash string, archived bool) surveyed {
	rd := dirs.Trial(p.trials[j.trial].Name).Run(j.repeat)
	s := surveyed{job: j, dir: rd.Dir}
	if archived {
		s.verdict = verdict{true, "settings changed: old runs archived, rerun"}
		return s
	}
	prev, err := workspace.ReadRecord(rd.RecordFile())
	held, perr := lock.Probe(rd.LockFile())
	if perr != nil {
		// The lock cannot tell; claim decides under the lock when the run comes up.
		s.verdict = decide(prev, err, hash)
		s.reason += " (lock not probed: " + firstLine(perr.Error()) + ")"
		return s
	}
	if held {
		owner := "another process"
		if err == nil && prev.Owner != nil {
			owner = prev.Owner.String()
		}
		s.verdict = verdict{false, "running in " + owner}
		return s
	}
	s.verdict = decide(prev, err, hash)
	return s
}

// changedTrial reports trial i's completed runs made with other settings than hash, with
// the settings that differ, or nil when there are none.
func (p *plan[S]) changedTrial(td workspace.Trial, i int, hash string) (*ChangedTrial, error) {
	t := p.trials[i]
	newYAML, err := p.trialYAML(i)
	if err != nil {
		return nil, err
	}
	oldYAML, oldErr := os.ReadFile(td.ConfigFile())
	var changes []SettingChange
	if oldErr == nil {
		changes = diffSettings(oldYAML, newYAML)
	}
	ct := &ChangedTrial{Trial: t.Name, Changes: changes}
	for k := 1; k <= t.Repeat; k++ {
		rec, err := workspace.ReadRecord(td.Run(k).RecordFile())
		if err != nil || rec.Status != workspace.Completed {
			continue
		}
		// A record without a hash predates hashing: trial.yaml is then the only witness.
		if rec.SettingsHash != "" && rec.SettingsHash != hash || rec.SettingsHash == "" && len(changes) > 0 {
			ct.Completed = append(ct.Completed, k)
		}
	}
	if len(ct.Completed) == 0 {
		return nil, nil
	}
	return ct, nil
}

// diffSettings compares the "settings" of two trial.yaml documents, as dotted paths with
// JSON values. Lists compare whole: an element's index says little to a person.
func diffSettings(oldYAML, newYAML []byte) []SettingChange {
	var o, n struct {
		Settings any `yaml:"settings"`
	}
	if yaml.Unmarshal(oldYAML, &o) != nil || yaml.Unmarshal(newYAML, &n) != nil {
		return nil
	}
	var out []SettingChange
	diffValues("", o.Settings, n.Settings, &out)
	return out
}

func diffValues(path string, a, b any, out *[]SettingChange) {
	am, aok := a.(map[string]any)
	bm, bok := b.(map[string]any)
	if aok && bok {
		keys := make([]string, 0, len(am)+len(bm))
		for k := range am {
			keys = append(keys, k)
		}
		for k := range bm {
			if _, ok := am[k]; !ok {
				keys = append(keys, k)
			}
		}
		slices.Sort(keys)
		for _, k := range keys {
			av, aIn := am[k]
			bv, bIn := bm[k]
			p := strings.TrimPrefix(path+"."+k, ".")
			switch {
			case !aIn:
				*out = append(*out, SettingChange{p, "(unset)", jsonValue(bv)})
			case !bIn:
				*out = append(*out, SettingChange{p, jsonValue(av), "(unset)"})
			default:
				diffValues(p, av, bv, out)
			}
		}
		return
	}
	if !reflect.DeepEqual(a, b) {
		if path == "" {
			path = "settings"
		}
		*out = append(*out, SettingChange{path, jsonValue(a), jsonValue(b)})
	}
}

func jsonValue(v any) string {
	data, err := json.Marshal(v)
	if err != nil {
		return fmt.Sprint(v)
	}
	return string(data)
}

// archiveTrial moves the trial's runs made with other settings than hash, and its
// trial.yaml, to a new folder under archive/, so that those runs can start afresh without
// losing the old ones. It returns the folder, or "" when there was nothing to archive.
//
// It decides under the locks, not from the survey, because another runner may have
// archived the trial and started new runs since: it first takes the lock of every repeat
// of the trial, and fails with nothing moved if any is held (a run is executing); then it
// reads each run.json again and moves only the runs whose record has another settings hash.
// Should a move fail, those already made are undone, so that a trial is never left half
// archived. Each lock file moves with its folder, which TryLock detects (package lock).
func archiveTrial(td workspace.Trial, at time.Time, hash string) (string, error) {
	locks, err := lockRepeats(td)
	defer func() {
		for _, lk := range locks {
			lk.Unlock()
		}
	}()
	if err != nil {
		return "", err
	}
	var old []string
	for name := range locks {
		rec, err := workspace.ReadRecord(filepath.Join(td.Dir, name, workspace.RunFile))
		if err == nil && rec.SettingsHash != hash {
			old = append(old, name)
		}
	}
	if len(old) == 0 {
		return "", nil
	}
	slices.Sort(old)
	dst := td.Archive(at)
	if err := os.MkdirAll(dst, 0o755); err != nil {
		return "", err
	}
	return dst, moveAll(td, dst, old)
}

// lockRepeats takes the lock of every repeat folder of td, by folder name. When one is
// held it returns the locks taken so far (for the caller to release) and an error.
func lockRepeats(td workspace.Trial) (map[string]*lock.Lock, error) {
	entries, err := os.ReadDir(td.Dir)
	if err != nil {
		return nil, err
	}
	locks := map[string]*lock.Lock{}
	for _, e := range entries {
		if !e.IsDir() || !strings.HasPrefix(e.Name(), "repeat_") {
			continue
		}
		from := filepath.Join(td.Dir, e.Name())
		lk, err := lock.TryLock(filepath.Join(from, workspace.LockFile))
		if errors.Is(err, lock.ErrHeld) {
			return locks, fmt.Errorf("%s is running in another process; wait for it or stop it before rerunning (nothing was archived)", from)
		}
		if err != nil {
			return locks, err
		}
		locks[e.Name()] = lk
	}
	return locks, nil
}

// moveAll moves the named repeat folders and trial.yaml from td to dst, undoing the moves
// made when one fails.
func moveAll(td workspace.Trial, dst string, names []string) error {
	type move struct{ from, to string }
	var done []move
	undo := func(err error) error {
		for _, m := range slices.Backward(done) {
			if uerr := os.Rename(m.to, m.from); uerr != nil {
				err = errors.Join(err, fmt.Errorf("undoing the archive: %w", uerr))
			}
		}
		return err
	}
	for _, n := range names {
		m := move{filepath.Join(td.Dir, n), filepath.Join(dst, n)}
		if err := os.Rename(m.from, m.to); err != nil {
			return undo(err)
		}
		done = append(done, m)
	}
	m := move{td.ConfigFile(), filepath.Join(dst, workspace.TrialFile)}
	if err := os.Rename(m.from, m.to); err != nil && !errors.Is(err, fs.ErrNotExist) {
		return undo(err)
	}
	return nil
}

// printPlan writes the dry-run plan: one line per selected run.
func (p *plan[S]) printPlan(w io.Writer, sv *survey, shown func(dir string) string) error {
	toRun := 0
	for _, r := range sv.runs {
		if r.run {
			toRun++
		}
	}
	fmt.Fprintf(w, "experiment %s: %d %s selected, %d to run, %d to skip\n",
		p.spec.Name, len(sv.runs), runs(len(sv.runs)), toRun, len(sv.runs)-toRun)
	tw := tabwriter.NewWriter(w, 0, 8, 2, ' ', 0)
	for _, r := range sv.runs {
		action := "skip"
		if r.run {
			action = "run"
		}
		ref := RunRef{Trial: p.trials[r.trial].Name, Repeat: r.repeat}
		fmt.Fprintf(tw, "%s\t%s\t%s\t%s\n", ref, shown(r.dir), action, r.reason)
	}
	return tw.Flush()
}
