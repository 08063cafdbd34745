package results

import (
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"path/filepath"
	"slices"

	"github.com/expman-dev/expman/runtime/internal/metrics"
	"github.com/expman-dev/expman/runtime/internal/workspace"
)

// trialData is everything read from one trial's folder.
type trialData struct {
	name    string
	dir     string
	config  *trialConfig // nil when trial.yaml is not written yet
	runs    []runData
	problem error // files that could not be read; what could be read is still used
}

// runData is one repeat_<k> folder.
type runData struct {
	k       int
	dir     string
	rec     *record            // nil when run.json is not written yet or unreadable
	metrics map[string]float64 // last value of each metric; read for completed runs only
}

// readTrial reads a trial's trial.yaml, run.json files and, for completed runs,
// metrics.jsonl files. Unreadable files are collected in problem and otherwise skipped.
func readTrial(trialDir string) (*trialData, error) {
	reps, err := repeatDirs(trialDir)
	if err != nil {
		return nil, err
	}
	td := &trialData{name: trialName(trialDir), dir: trialDir}
	var problems []error
	if td.config, err = readTrialConfig(trialDir); err != nil {
		problems = append(problems, err)
	}
	for _, r := range reps {
		run := runData{k: r.k, dir: r.dir}
		run.rec, err = readRecord(filepath.Join(r.dir, workspace.RunFile))
		if err != nil && !errors.Is(err, fs.ErrNotExist) {
			problems = append(problems, err)
		}
		if run.rec != nil && run.rec.Status == workspace.Completed {
			run.metrics, err = metrics.LastValues(filepath.Join(r.dir, MetricsFile))
			if err != nil {
				problems = append(problems, err)
			}
		}
		td.runs = append(td.runs, run)
	}
	td.problem = errors.Join(problems...)
	return td, nil
}

// id is the trial's id: from trial.yaml, else from any run.json.
func (td *trialData) id() int {
	if td.config != nil {
		return td.config.ID
	}
	for _, r := range td.runs {
		if r.rec != nil {
			return r.rec.TrialID
		}
	}
	return 0
}

// planned is the number of repeats the trial is meant to have: trial.yaml's repeat, else
// the highest repeat found on disk.
func (td *trialData) planned() int {
	if td.config != nil && td.config.Repeat > 0 {
		return td.config.Repeat
	}
	if n := len(td.runs); n > 0 {
		return td.runs[n-1].k
	}
	return 0
}

// count returns how many runs have status s in their run.json.
func (td *trialData) count(s workspace.Status) int {
	n := 0
	for _, r := range td.runs {
		if r.rec != nil && r.rec.Status == s {
			n++
		}
	}
	return n
}

// values aggregates the completed runs' values. A name that is a summary in any completed
// run takes its values from summaries only, so a trial never mixes a final summary with a
// metric's last point under one name; other names take the metrics' last values.
func (td *trialData) values() map[string]Stats {
	summaries := map[string][]float64{}
	metrics := map[string][]float64{}
	for _, r := range td.runs {
		if r.rec == nil || r.rec.Status != workspace.Completed {
			continue
		}
		for name, v := range r.rec.Summaries {
			summaries[name] = append(summaries[name], v)
		}
		for name, v := range r.metrics {
			metrics[name] = append(metrics[name], v)
		}
	}
	out := make(map[string]Stats, len(summaries)+len(metrics))
	for name, xs := range metrics {
		if _, ok := summaries[name]; !ok {
			s := Compute(xs)
			s.Source = SourceMetric
			out[name] = s
		}
	}
	for name, xs := range summaries {
		s := Compute(xs)
		s.Source = SourceSummary
		out[name] = s
	}
	return out
}

// Summary is the content of trials/<trial>/summary.json.
type Summary struct {
	Trial       string           `json:"trial"`
	TrialID     int              `json:"trial_id"`
	Repeats     int              `json:"repeats"` // planned
	Completed   int              `json:"completed"`
	Failed      int              `json:"failed"`
	Interrupted int              `json:"interrupted"`
	Values      map[string]Stats `json:"values"`
}

func (td *trialData) summary() *Summary {
	return &Summary{
		Trial:       td.name,
		TrialID:     td.id(),
		Repeats:     td.planned(),
		Completed:   td.count(workspace.Completed),
		Failed:      td.count(workspace.Failed),
		Interrupted: td.count(workspace.Interrupted),
		Values:      td.values(),
	}
}

// TrialSummary reads the trial folder trialDir (<experiment>/trials/<trial>, or
// <experiment>/trials/<trial>/<point> for a sweep point) and returns
// its summary, computed from the run.json and metrics.jsonl files as they are now. When some
// files cannot be read the summary covers the others and the error names the rest.
func TrialSummary(trialDir string) (*Summary, error) {
	td, err := readTrial(trialDir)
	if err != nil {
		return nil, err
	}
	return td.summary(), td.problem
}

// WriteTrialSummary writes trialDir/summary.json, replacing it atomically. The executor
// calls it once a trial's repeats have ended. It writes the summary even when some run
// files could not be read, and then returns an error naming them.
// The read and the write happen under the trial's summary lock (<trial>/.summary.lock), as
// WriteExperiment does for the experiment's tables.
func WriteTrialSummary(trialDir string) error {
	return underLock(filepath.Join(trialDir, summaryLockFile), func() error { return writeTrialSummary(trialDir) })
}

func writeTrialSummary(trialDir string) error {
	s, problem := TrialSummary(trialDir)
	if s == nil {
		return problem
	}
	data, err := marshal(s)
	if err != nil {
		return fmt.Errorf("%s: %w", trialDir, err)
	}
	if err := workspace.WriteFile(filepath.Join(trialDir, SummaryFile), data, workspace.Atomic); err != nil {
		return err
	}
	return problem
}

// marshal is indented JSON with a final newline, as every file this package writes.
func marshal(v any) ([]byte, error) {
	data, err := json.MarshalIndent(v, "", "  ")
	if err != nil {
		return nil, err
	}
	return append(data, '\n'), nil
}

// sortedKeys returns m's keys in order.
func sortedKeys[V any](m map[string]V) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	return keys
}
