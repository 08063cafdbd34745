package results

import (
	"bytes"
	"encoding/json"
	"path/filepath"
	"strconv"

	"github.com/expman-dev/expman/runtime/internal/workspace"
	"gopkg.in/yaml.v3"
)

// Table is the experiment's results: one row per trial, with the settings that differ
// between trials and the values aggregated over each trial's completed runs.
type Table struct {
	Experiment string
	// Settings are the dotted paths of the settings whose values differ between trials,
	// in the order they first appear in the trials' trial.yaml files.
	Settings []string
	// Values are the names of the aggregated values, sorted.
	Values []string
	Rows   []Row
}

// Row is one trial.
type Row struct {
	Trial       string
	TrialID     int
	Repeats     int // planned
	Completed   int
	Failed      int
	Interrupted int
	Running     int // run.json says running (possibly stale; see Status)
	// Settings holds one cell per Table.Settings path.
	Settings []Setting
	// Values holds the statistics of the values this trial has; a trial whose completed
	// runs never reported a name has no entry for it.
	Values map[string]Stats
}

// Setting is the value of one setting path in one trial.
type Setting struct {
	Set   bool // false when the trial has no such path
	Text  string
	Value any // as decoded from YAML: nil, bool, int, float64, string, []any or map[string]any
}

// Load reads the experiment folder expDir (<workspace>/<experiment>) and computes its
// table from the run.json and metrics.jsonl files as they are now, so it works while the
// experiment is running and before results.csv exists. When some files cannot be read the
// table covers the rest and the error names them.
func Load(expDir string) (*Table, error) {
	x, err := readExperiment(expDir)
	if err != nil {
		return nil, err
	}
	t := &Table{Experiment: x.name}
	trialSettings := make([]map[string]Setting, len(x.trials))
	var order []string
	seen := map[string]bool{}
	values := map[string]bool{}
	for i, td := range x.trials {
		m := map[string]Setting{}
		if td.config != nil {
			flatten(&td.config.Settings, "", func(path string, s Setting) {
				m[path] = s
				if !seen[path] {
					seen[path] = true
					order = append(order, path)
				}
			})
		}
		trialSettings[i] = m
		row := Row{
			Trial: td.name, TrialID: td.id(), Repeats: td.planned(),
			Completed: td.count(workspace.Completed), Failed: td.count(workspace.Failed),
			Interrupted: td.count(workspace.Interrupted), Running: td.count(workspace.Running),
			Values: td.values(),
		}
		for name := range row.Values {
			values[name] = true
		}
		t.Rows = append(t.Rows, row)
	}
	for _, path := range order {
		if differs(trialSettings, path) {
			t.Settings = append(t.Settings, path)
		}
	}
	for i := range t.Rows {
		for _, path := range t.Settings {
			t.Rows[i].Settings = append(t.Rows[i].Settings, trialSettings[i][path])
		}
	}
	t.Values = sortedKeys(values)
	return t, x.problem
}

// differs tells whether path has different values (or is missing) in some trials.
func differs(trials []map[string]Setting, path string) bool {
	first, ok := trials[0][path]
	for _, m := range trials[1:] {
		s, has := m[path]
		if has != ok || s.Text != first.Text {
			return true
		}
	}
	return false
}

// flatten calls f for every leaf of a settings mapping with its dotted path. Lists and
// empty mappings are leaves.
func flatten(n *yaml.Node, prefix string, f func(string, Setting)) {
	if n.Kind == yaml.DocumentNode && len(n.Content) == 1 {
		n = n.Content[0]
	}
	if n.Kind == yaml.MappingNode && len(n.Content) > 0 {
		for i := 0; i+1 < len(n.Content); i += 2 {
			path := n.Content[i].Value
			if prefix != "" {
				path = prefix + "." + path
			}
			flatten(n.Content[i+1], path, f)
		}
		return
	}
	if n.Kind == 0 || prefix == "" {
		return // no settings at all
	}
	f(prefix, leaf(n))
}

// leaf is a setting's value: scalars print as written in trial.yaml; lists and mappings
// as compact JSON.
func leaf(n *yaml.Node) Setting {
	var v any
	if err := n.Decode(&v); err != nil {
		return Setting{Set: true, Text: n.Value, Value: n.Value}
	}
	s := Setting{Set: true, Value: v}
	switch {
	case n.Kind == yaml.ScalarNode && v == nil:
		s.Text = ""
	case n.Kind == yaml.ScalarNode:
		s.Text = n.Value
	default:
		data, err := json.Marshal(v)
		if err != nil {
			data = []byte(n.Value)
		}
		s.Text = string(data)
	}
	return s
}

// Columns are the names of the table's columns in results.csv and results.json.
func (t *Table) Columns() []string {
	cols := []string{"trial", "trial_id", "completed", "failed"}
	cols = append(cols, t.Settings...)
	for _, v := range t.Values {
		cols = append(cols, v+"_mean", v+"_std", v+"_n")
	}
	return cols
}

// WriteExperiment computes the table of the experiment folder expDir and writes its
// results.json and results.csv, each replaced atomically. The executor calls it at the end
// of a run of the experiment. It writes both files even when some run files could not be
// read, and then returns an error naming them.
//
// Several processes may finish at once: the read and the write happen under the
// experiment's results lock (<experiment>/.results.lock), so the files written last come
// from the last reading, never from an older one.
func WriteExperiment(expDir string) error {
	return underLock(filepath.Join(expDir, resultsLockFile), func() error { return writeExperiment(expDir) })
}

func writeExperiment(expDir string) error {
	t, problem := Load(expDir)
	if t == nil {
		return problem
	}
	var js, csv bytes.Buffer
	if err := t.WriteJSON(&js); err != nil {
		return err
	}
	if err := t.WriteCSV(&csv); err != nil {
		return err
	}
	if err := workspace.WriteFile(filepath.Join(expDir, ResultsJSONFile), js.Bytes(), workspace.Atomic); err != nil {
		return err
	}
	if err := workspace.WriteFile(filepath.Join(expDir, ResultsCSVFile), csv.Bytes(), workspace.Atomic); err != nil {
		return err
	}
	return problem
}

// formatFloat is the shortest text that reads back as f: "0.1", not "0.10000000000000001".
func formatFloat(f float64) string { return strconv.FormatFloat(f, 'g', -1, 64) }

// shortFloat is f to four significant digits, for people.
func shortFloat(f float64) string { return strconv.FormatFloat(f, 'g', 4, 64) }
