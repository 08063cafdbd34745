package results

import (
	"bytes"
	"math"
	"os"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/expman-dev/expman/runtime/internal/workspace"
	"github.com/google/go-cmp/cmp"
)

func TestCompute(t *testing.T) {
	s := Compute([]float64{1, 2, 3})
	half := 4.302652730 / math.Sqrt(3)
	want := Stats{N: 3, Mean: 2, Std: 1, Min: 1, Max: 3, CI95Low: 2 - half, CI95High: 2 + half}
	if diff := cmp.Diff(want, s, cmp.Comparer(func(a, b float64) bool { return math.Abs(a-b) < 1e-12 })); diff != "" {
		t.Errorf("Compute([1 2 3]) (-want +got):\n%s", diff)
	}
	one := Compute([]float64{0.5})
	if one != (Stats{N: 1, Mean: 0.5, Min: 0.5, Max: 0.5, CI95Low: 0.5, CI95High: 0.5}) {
		t.Errorf("Compute([0.5]) = %+v, want std 0 and the CI at the mean", one)
	}
	// Values far from zero keep their spread.
	big := Compute([]float64{1e9 + 1, 1e9 + 2, 1e9 + 3})
	if math.Abs(big.Std-1) > 1e-9 || big.Mean != 1e9+2 {
		t.Errorf("Compute(1e9+[1 2 3]) = mean %v std %v, want 1e9+2 and 1", big.Mean, big.Std)
	}
}

// TestT975 checks the table and the expansion beyond it against the t distribution
// itself: the integral of its density up to T975(df) must be 0.975.
func TestT975(t *testing.T) {
	for df := 1; df <= 200; df++ {
		if got := tCDF(T975(df), float64(df)); math.Abs(got-0.975) > 2e-6 {
			t.Errorf("CDF(T975(%d) = %v) = %.8f, want 0.975", df, T975(df), got)
		}
	}
	if !math.IsNaN(T975(0)) {
		t.Errorf("T975(0) = %v, want NaN", T975(0))
	}
}

// tCDF integrates Student's t density from 0 to x with Simpson's rule.
func tCDF(x, v float64) float64 {
	lg1, _ := math.Lgamma((v + 1) / 2)
	lg2, _ := math.Lgamma(v / 2)
	c := math.Exp(lg1-lg2) / math.Sqrt(v*math.Pi)
	f := func(u float64) float64 { return c * math.Pow(1+u*u/v, -(v+1)/2) }
	const n = 20000
	h := x / n
	sum := f(0) + f(x)
	for i := 1; i < n; i++ {
		w := 2.0
		if i%2 == 1 {
			w = 4
		}
		sum += w * f(float64(i)*h)
	}
	return 0.5 + sum*h/3
}

var t0 = time.Date(2026, 3, 1, 12, 0, 0, 0, time.UTC)

// fixture builds an experiment folder by hand, as the runtime leaves it.
type fixture struct {
	t   *testing.T
	exp string
}

func newFixture(t *testing.T, trialsYAML string) *fixture {
	exp := filepath.Join(t.TempDir(), "demo")
	mkdir(t, filepath.Join(exp, workspace.ConfigsDir))
	mkdir(t, filepath.Join(exp, workspace.TrialsDir))
	if trialsYAML != "" {
		write(t, filepath.Join(exp, workspace.ConfigsDir, TrialsFile), trialsYAML)
	}
	return &fixture{t, exp}
}

func (f *fixture) trial(name, trialYAML string) string {
	dir := filepath.Join(f.exp, workspace.TrialsDir, name)
	mkdir(f.t, filepath.Join(dir, workspace.ConfigsDir))
	write(f.t, filepath.Join(dir, workspace.ConfigsDir, workspace.TrialFile), trialYAML)
	return dir
}

// run writes repeat k's run.json (with summaries, in the binding format) and metrics.jsonl.
func (f *fixture) run(trialDir string, id, k int, status workspace.Status, secs float64, errMsg string, summaries map[string]float64, metrics string) string {
	dir := filepath.Join(trialDir, "repeat_"+itoa(k))
	mkdir(f.t, dir)
	rec := workspace.RunRecord{
		Experiment: "demo", Trial: filepath.Base(trialDir), TrialID: id, Repeat: k,
		Status: workspace.Running, Seed: int64(k), Start: t0,
		Summaries: summaries, Owner: &Owner{Host: "node1", PID: 4242},
	}
	if status != workspace.Running {
		rec.Finish(status, t0.Add(time.Duration(secs*float64(time.Second))), nil)
		rec.Error = errMsg
	}
	data, err := marshal(rec)
	if err != nil {
		f.t.Fatal(err)
	}
	write(f.t, filepath.Join(dir, workspace.RunFile), string(data))
	if metrics != "" {
		write(f.t, filepath.Join(dir, MetricsFile), metrics)
	}
	return dir
}

func itoa(k int) string { return string(rune('0' + k)) }

func mkdir(t *testing.T, dir string) {
	t.Helper()
	if err := os.MkdirAll(dir, 0o755); err != nil {
		t.Fatal(err)
	}
}

func write(t *testing.T, path, content string) {
	t.Helper()
	if err := os.WriteFile(path, []byte(content), 0o644); err != nil {
		t.Fatal(err)
	}
}

func point(name string, step int, value string) string {
	return `{"name":"` + name + `","step":` + itoa(step) + `,"value":` + value + `,"time":1764244800.123456}` + "\n"
}

// holdLock takes the run's lock as a runner does, until the test ends.
func holdLock(t *testing.T, runDir string) {
	f, err := os.OpenFile(filepath.Join(runDir, LockFile), os.O_CREATE|os.O_RDWR, 0o644)
	if err != nil {
		t.Fatal(err)
	}
	if err := syscall.Flock(int(f.Fd()), syscall.LOCK_EX|syscall.LOCK_NB); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { f.Close() })
}

// demo is an experiment in progress: "small" has three completed runs and a failed one,
// "large" a completed run, a running run (lock held), a stale one (lock file, not held)
// and a planned one; "extra" is planned only.
func demo(t *testing.T) *fixture {
	f := newFixture(t, "- name: small\n  id: 1\n  repeat: 4\n- name: large\n  id: 2\n  repeat: 4\n- name: extra\n  id: 3\n")
	small := f.trial("small", "name: small\nid: 1\nrepeat: 4\nsettings:\n  model: mlp\n  lr: 0.001\n  layers: [64, 32]\n  optimizer:\n    name: sgd\n    momentum: 0.9\n")
	large := f.trial("large", "name: large\nid: 2\nrepeat: 4\nsettings:\n  model: mlp\n  lr: 0.01\n  layers: [256, 128]\n  optimizer:\n    name: adam\n    momentum: 0.9\n  dropout: 0.5\n")
	f.run(small, 1, 1, workspace.Completed, 1.5, "", map[string]float64{"accuracy": 0.8}, point("loss", 1, "0.9")+point("loss", 2, "0.5"))
	f.run(small, 1, 2, workspace.Completed, 1.5, "", map[string]float64{"accuracy": 0.9}, point("loss", 1, "0.8")+point("loss", 2, "0.3")+`{"name":"loss","step":3,"val`)
	f.run(small, 1, 3, workspace.Completed, 1.5, "", map[string]float64{"accuracy": 1}, point("loss", 1, "0.4"))
	f.run(small, 1, 4, workspace.Failed, 0.25, "diverged: loss is NaN\nat step 3", nil, point("loss", 1, "7"))
	f.run(large, 2, 1, workspace.Completed, 90, "", map[string]float64{"accuracy": 0.95, "loss": 0.1}, point("loss", 1, "0.2"))
	holdLock(t, f.run(large, 2, 2, workspace.Running, 0, "", nil, point("loss", 1, "0.3")))
	stale := f.run(large, 2, 3, workspace.Running, 0, "", nil, "")
	write(t, filepath.Join(stale, LockFile), "")
	return f
}

func TestWriteTrialSummary(t *testing.T) {
	f := demo(t)
	dir := filepath.Join(f.exp, "trials", "small")
	if err := WriteTrialSummary(dir); err != nil {
		t.Fatal(err)
	}
	got, _ := os.ReadFile(filepath.Join(dir, SummaryFile))
	const want = `{
  "trial": "small",
  "trial_id": 1,
  "repeats": 4,
  "completed": 3,
  "failed": 1,
  "interrupted": 0,
  "values": {
    "accuracy": {
      "n": 3,
      "mean": 0.9,
      "std": 0.09999999999999998,
      "min": 0.8,
      "max": 1,
      "ci95_low": 0.6515862288105022,
      "ci95_high": 1.1484137711894977,
      "source": "summary"
    },
    "loss": {
      "n": 3,
      "mean": 0.4000000000000001,
      "std": 0.1,
      "min": 0.3,
      "max": 0.5,
      "ci95_low": 0.1515862288105022,
      "ci95_high": 0.648413771189498,
      "source": "metric"
    }
  }
}
`
	if diff := cmp.Diff(want, string(got)); diff != "" {
		t.Errorf("summary.json (-want +got):\n%s", diff)
	}
	// A summary named like a metric wins over the metric's last value.
	s, err := TrialSummary(filepath.Join(f.exp, "trials", "large"))
	if err != nil {
		t.Fatal(err)
	}
	if l := s.Values["loss"]; l.Source != SourceSummary || l.Mean != 0.1 || l.N != 1 {
		t.Errorf("large's loss = %+v, want the summary 0.1 from one run", l)
	}
	if s.Completed != 1 || s.Repeats != 4 {
		t.Errorf("large: %d completed of %d, want 1 of 4", s.Completed, s.Repeats)
	}
}

func TestBadMetricLineIsReportedAndSkipped(t *testing.T) {
	f := newFixture(t, "")
	tr := f.trial("a", "name: a\nid: 1\nrepeat: 1\n")
	f.run(tr, 1, 1, workspace.Completed, 1, "", nil, point("loss", 1, "0.5")+"not json\n"+point("loss", 2, "0.25"))
	err := WriteTrialSummary(tr)
	if err == nil || !strings.Contains(err.Error(), "metrics.jsonl: line 2: not a metric point") {
		t.Errorf("WriteTrialSummary = %v, want the bad line named", err)
	}
	s, _ := TrialSummary(tr)
	if s.Values["loss"].Mean != 0.25 {
		t.Errorf("loss = %+v, want the last good point 0.25", s.Values["loss"])
	}
	if _, err := os.Stat(filepath.Join(tr, SummaryFile)); err != nil {
		t.Errorf("summary.json not written despite a readable rest: %v", err)
	}
}

func TestWriteExperiment(t *testing.T) {
	f := demo(t)
	if err := WriteExperiment(f.exp); err != nil {
		t.Fatal(err)
	}
	csv, _ := os.ReadFile(filepath.Join(f.exp, ResultsCSVFile))
	const wantCSV = `trial,trial_id,completed,failed,lr,layers,optimizer.name,dropout,accuracy_mean,accuracy_std,accuracy_n,loss_mean,loss_std,loss_n
small,1,3,1,0.001,"[64,32]",sgd,,0.9,0.09999999999999998,3,0.4000000000000001,0.1,3
large,2,1,0,0.01,"[256,128]",adam,0.5,0.95,0,1,0.1,0,1
`
	if diff := cmp.Diff(wantCSV, string(csv)); diff != "" {
		t.Errorf("results.csv (-want +got):\n%s", diff)
	}
	js, _ := os.ReadFile(filepath.Join(f.exp, ResultsJSONFile))
	const wantJSON = `{
  "experiment": "demo",
  "columns": [
    "trial",
    "trial_id",
    "completed",
    "failed",
    "lr",
    "layers",
    "optimizer.name",
    "dropout",
    "accuracy_mean",
    "accuracy_std",
    "accuracy_n",
    "loss_mean",
    "loss_std",
    "loss_n"
  ],
  "rows": [
    {
      "trial": "small",
      "trial_id": 1,
      "completed": 3,
      "failed": 1,
      "lr": 0.001,
      "layers": [
        64,
        32
      ],
      "optimizer.name": "sgd",
      "dropout": null,
      "accuracy_mean": 0.9,
      "accuracy_std": 0.09999999999999998,
      "accuracy_n": 3,
      "loss_mean": 0.4000000000000001,
      "loss_std": 0.1,
      "loss_n": 3
    },
    {
      "trial": "large",
      "trial_id": 2,
      "completed": 1,
      "failed": 0,
      "lr": 0.01,
      "layers": [
        256,
        128
      ],
      "optimizer.name": "adam",
      "dropout": 0.5,
      "accuracy_mean": 0.95,
      "accuracy_std": 0,
      "accuracy_n": 1,
      "loss_mean": 0.1,
      "loss_std": 0,
      "loss_n": 1
    }
  ]
}
`
	if diff := cmp.Diff(wantJSON, string(js)); diff != "" {
		t.Errorf("results.json (-want +got):\n%s", diff)
	}
}

func TestRenderers(t *testing.T) {
	tab, err := Load(demo(t).exp)
	if err != nil {
		t.Fatal(err)
	}
	var text, md bytes.Buffer
	if err := tab.WriteText(&text); err != nil {
		t.Fatal(err)
	}
	const wantText = `trial  id  done  failed  lr     layers     optimizer.name  dropout  accuracy   loss
small  1   3/4   1       0.001  [64,32]    sgd             -        0.9 ± 0.1  0.4 ± 0.1
large  2   1/4   0       0.01   [256,128]  adam            0.5      0.95       0.1
`
	if diff := cmp.Diff(wantText, text.String()); diff != "" {
		t.Errorf("text (-want +got):\n%s", diff)
	}
	if err := tab.WriteMarkdown(&md); err != nil {
		t.Fatal(err)
	}
	const wantMD = `| trial | id | done | failed | lr | layers | optimizer.name | dropout | accuracy | loss |
| --- | --: | --- | --: | --- | --- | --- | --- | --- | --- |
| small | 1 | 3/4 | 1 | 0.001 | [64,32] | sgd |  | 0.9 ± 0.1 | 0.4 ± 0.1 |
| large | 2 | 1/4 | 0 | 0.01 | [256,128] | adam | 0.5 | 0.95 | 0.1 |
`
	if diff := cmp.Diff(wantMD, md.String()); diff != "" {
		t.Errorf("markdown (-want +got):\n%s", diff)
	}
}

func TestStatus(t *testing.T) {
	f := demo(t)
	rep, err := status(f.exp, t0.Add(time.Hour))
	if err != nil {
		t.Fatal(err)
	}
	var text bytes.Buffer
	if err := rep.WriteText(&text); err != nil {
		t.Fatal(err)
	}
	const want = `demo: 9 runs: 4 completed, 1 failed, 1 running, 1 stale, 2 planned
small (id 1): 3 completed, 1 failed (1.5s each on average)
  repeat_4  failed  250ms  diverged: loss is NaN
large (id 2): 1 completed, 1 running, 1 stale, 1 planned (1m30s each on average)
  repeat_2  running  1h0m0s  owner node1 pid 4242
  repeat_3  stale    1h0m0s  owner node1 pid 4242; no process holds its lock
extra (id 3): 1 planned
`
	if diff := cmp.Diff(want, text.String()); diff != "" {
		t.Errorf("status text (-want +got):\n%s", diff)
	}
	large := rep.Trials[1]
	if got := []RunState{large.Runs[0].State, large.Runs[1].State, large.Runs[2].State, large.Runs[3].State}; !cmp.Equal(got, []RunState{Completed, Running, Stale, Planned}) {
		t.Errorf("large's runs: %v", got)
	}
	if d := large.Runs[0].Duration(); d != 90*time.Second {
		t.Errorf("large repeat_1 duration %v, want 1m30s", d)
	}
}

func TestFindExperiment(t *testing.T) {
	f := demo(t)
	ws := filepath.Dir(f.exp)
	for _, dir := range []string{f.exp, ws} {
		if got, err := FindExperiment(dir); err != nil || got != f.exp {
			t.Errorf("FindExperiment(%s) = %q, %v; want %q", dir, got, err, f.exp)
		}
	}
	// A workspace set up by runtime.Environment has configs/, logs/ and artifacts/ of its
	// own; it is still a workspace, not an experiment.
	mkdir(t, filepath.Join(ws, "configs"))
	if got, err := FindExperiment(ws); err != nil || got != f.exp {
		t.Errorf("FindExperiment(workspace with configs/) = %q, %v; want %q", got, err, f.exp)
	}
	mkdir(t, filepath.Join(ws, "other", "trials"))
	if _, err := FindExperiment(ws); err == nil || !strings.Contains(err.Error(), "2 experiments") || !strings.Contains(err.Error(), filepath.Join(ws, "other")) {
		t.Errorf("FindExperiment(workspace with two) = %v, want an error listing them", err)
	}
	if _, err := FindExperiment(filepath.Join(ws, "missing")); err == nil {
		t.Error("FindExperiment(missing) succeeded")
	}
	if _, err := Load(t.TempDir()); err == nil || !strings.Contains(err.Error(), "not an experiment folder") {
		t.Errorf("Load(empty folder) = %v, want 'not an experiment folder'", err)
	}
}
