package results

import (
	"bytes"
	"encoding/json"
	"os"
	"path/filepath"
	"testing"

	"github.com/expman-dev/expman/runtime/internal/workspace"
	"github.com/google/go-cmp/cmp"
)

// sweepDemo is an experiment whose trials.yaml holds a hand-written trial "base" and a
// sweep "grid" with three points, two of which have run; the runtime nests each point's
// folder in the sweep's: trials/grid/lr=0.1/.
func sweepDemo(t *testing.T) *fixture {
	f := newFixture(t, "- name: base\n  id: 1\n- name: grid\n  id: 2\n  repeat: 2\n  sweep:\n    lr: [0.1, 0.01, 0.001]\n")
	base := f.trial("base", "name: base\nid: 1\nrepeat: 1\nsettings:\n  lr: 0.5\n")
	f.run(base, 1, 1, workspace.Completed, 1, "", map[string]float64{"acc": 0.5}, "")
	// Ids as the config layer might give them; the order must follow them, not the names.
	p1 := f.trial("grid/lr=0.1", "name: grid/lr=0.1\nid: 20001\nrepeat: 2\nsettings:\n  lr: 0.1\n")
	p2 := f.trial("grid/lr=0.01", "name: grid/lr=0.01\nid: 20002\nrepeat: 2\nsettings:\n  lr: 0.01\n")
	f.run(p1, 20001, 1, workspace.Completed, 1, "", map[string]float64{"acc": 0.7}, "")
	f.run(p1, 20001, 2, workspace.Completed, 1, "", map[string]float64{"acc": 0.9}, "")
	f.run(p2, 20002, 1, workspace.Failed, 1, "diverged", nil, "")
	return f
}

// TestSweepPointsAreTrials: each point is a row of its own, and points sort by name (their
// ids are hashes), so a reader finds them in the order of their values.
func TestSweepPointsAreTrials(t *testing.T) {
	f := sweepDemo(t)
	if err := WriteExperiment(f.exp); err != nil {
		t.Fatal(err)
	}
	csv, _ := os.ReadFile(filepath.Join(f.exp, ResultsCSVFile))
	const wantCSV = `trial,trial_id,completed,failed,lr,acc_mean,acc_std,acc_n
base,1,1,0,0.5,0.5,0,1
grid/lr=0.01,20002,0,1,0.01,,,0
grid/lr=0.1,20001,2,0,0.1,0.8,0.14142135623730953,2
`
	if diff := cmp.Diff(wantCSV, string(csv)); diff != "" {
		t.Errorf("results.csv (-want +got):\n%s", diff)
	}

	rep, err := status(f.exp, t0)
	if err != nil {
		t.Fatal(err)
	}
	var text bytes.Buffer
	if err := rep.WriteText(&text); err != nil {
		t.Fatal(err)
	}
	const wantStatus = `demo: 5 runs: 3 completed, 1 failed, 1 planned
base (id 1): 1 completed (1s each on average)
grid/lr=0.01 (id 20002): 1 failed, 1 planned
  repeat_1  failed  1s  diverged
grid/lr=0.1 (id 20001): 2 completed (1s each on average)
`
	if diff := cmp.Diff(wantStatus, text.String()); diff != "" {
		t.Errorf("status (-want +got):\n%s", diff)
	}
}

func TestSweepPointSummary(t *testing.T) {
	f := sweepDemo(t)
	dir := filepath.Join(f.exp, workspace.TrialsDir, "grid", "lr=0.1")
	if err := WriteTrialSummary(dir); err != nil {
		t.Fatal(err)
	}
	data, err := os.ReadFile(filepath.Join(dir, SummaryFile))
	if err != nil {
		t.Fatal(err)
	}
	var s Summary
	if err := json.Unmarshal(data, &s); err != nil {
		t.Fatal(err)
	}
	if s.Trial != "grid/lr=0.1" || s.TrialID != 20001 || s.Completed != 2 {
		t.Errorf("summary = %+v; want trial grid/lr=0.1, id 20001, 2 completed", s)
	}
	// The sweep's own folder holds only its points: it is no trial, and gets no summary.
	if _, err := os.Stat(filepath.Join(f.exp, workspace.TrialsDir, "grid", SummaryFile)); err == nil {
		t.Error("the sweep's folder got a summary.json")
	}
}
