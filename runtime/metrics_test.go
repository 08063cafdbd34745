package runtime

import (
	"context"
	"encoding/json"
	"errors"
	"io/fs"
	"math"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"testing"

	"github.com/expman-dev/expman/runtime/internal/metrics"
	"github.com/expman-dev/expman/runtime/internal/workspace"
	"github.com/google/go-cmp/cmp"
)

// These tests drive a Trial with a sink the way executeRun does: open the sink in the
// repeat folder, hand it to the Trial, close it when the function returns.

func trialWithSink(t *testing.T) (*Trial[struct{}], *runSink) {
	t.Helper()
	sink, err := openRunSink(t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { sink.close() })
	return &Trial[struct{}]{sink: sink}, sink
}

func metricsFile(s *runSink) string { return filepath.Join(s.dir, metrics.FileName) }

func TestMetricsAndSummaries(t *testing.T) {
	tr, sink := trialWithSink(t)
	for step := range 3 {
		if err := tr.Metric("loss", step, 1/float64(step+1)); err != nil {
			t.Fatal(err)
		}
	}
	if err := tr.Metrics(3, M("loss", 0.2), M("acc", 0.9)); err != nil {
		t.Fatal(err)
	}
	for _, s := range []struct {
		name  string
		value float64
	}{{"test.acc", 0.5}, {"epochs", 3}, {"test.acc", 0.75}} {
		if err := tr.Summary(s.name, s.value); err != nil {
			t.Fatal(err)
		}
	}
	sums, err := sink.close()
	if err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff(map[string]float64{"test.acc": 0.75, "epochs": 3}, sums); diff != "" {
		t.Errorf("summaries (-want +got), the last write of a name winning:\n%s", diff)
	}
	points, err := metrics.ReadAll(metricsFile(sink))
	if err != nil {
		t.Fatal(err)
	}
	var got []string
	for _, p := range points {
		got = append(got, p.Name+"@"+strconv.Itoa(p.Step)+"="+strconv.FormatFloat(p.Value, 'g', -1, 64))
	}
	want := []string{"loss@0=1", "loss@1=0.5", "loss@2=0.3333333333333333", "loss@3=0.2", "acc@3=0.9"}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("metrics.jsonl (-want +got):\n%s", diff)
	}
	last, err := metrics.LastValues(metricsFile(sink))
	if err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff(map[string]float64{"loss": 0.2, "acc": 0.9}, last); diff != "" {
		t.Errorf("last values (-want +got):\n%s", diff)
	}
}

func TestNoMetricsNoFile(t *testing.T) {
	_, sink := trialWithSink(t)
	sums, err := sink.close()
	if err != nil || sums != nil {
		t.Errorf("close = %v, %v; want no summaries and no error", sums, err)
	}
	if _, err := os.Stat(metricsFile(sink)); !errors.Is(err, fs.ErrNotExist) {
		t.Errorf("a run without metrics has a metrics file (%v)", err)
	}
}

func TestEarlierAttemptsMetricsRemoved(t *testing.T) {
	dir := t.TempDir()
	old := filepath.Join(dir, metrics.FileName)
	if err := os.WriteFile(old, []byte(`{"name":"loss","step":9,"value":1,"time":1}`+"\n"+`{"name":"lo`), 0o644); err != nil {
		t.Fatal(err)
	}
	sink, err := openRunSink(dir)
	if err != nil {
		t.Fatal(err)
	}
	tr := &Trial[struct{}]{sink: sink}
	if err := tr.Metric("loss", 0, 0.5); err != nil {
		t.Fatal(err)
	}
	if _, err := sink.close(); err != nil {
		t.Fatal(err)
	}
	points, err := metrics.ReadAll(old)
	if err != nil {
		t.Fatal(err)
	}
	if len(points) != 1 || points[0].Step != 0 {
		t.Errorf("got %+v, want only this attempt's point", points)
	}
}

func TestBadMetricNames(t *testing.T) {
	for _, tc := range []struct{ name, want string }{
		{"", "is empty"},
		{"val/loss", "path separator '/'"},
		{"../loss", "starts with '.'"},
		{"loss\n", "control character"},
		{" loss", "starts with a space"},
		{"loss ", "a space"},
		{`lo"ss`, `'"'`},
		{strings.Repeat("x", 129), "129 bytes long"},
	} {
		tr, sink := trialWithSink(t)
		for kind, call := range map[string]func() error{
			"metric":  func() error { return tr.Metric(tc.name, 1, 1) },
			"metrics": func() error { return tr.Metrics(1, M("ok", 1), M(tc.name, 1)) },
			"summary": func() error { return tr.Summary(tc.name, 1) },
		} {
			err := call()
			var ne *NameError
			if !errors.As(err, &ne) || ne.Name != tc.name || !strings.Contains(err.Error(), tc.want) ||
				!strings.Contains(err.Error(), "want 1 to 128") {
				t.Errorf("%s %q: got %v, want a *NameError saying %q and what would be right", kind, tc.name, err, tc.want)
			}
			if wantKind := strings.TrimSuffix(kind, "s"); ne != nil && ne.Kind != wantKind {
				t.Errorf("%s %q: Kind %q, want %q", kind, tc.name, ne.Kind, wantKind)
			}
		}
		sums, err := sink.close()
		if err != nil || sums != nil {
			t.Errorf("close = %v, %v; want nothing recorded", sums, err)
		}
		if _, err := os.Stat(metricsFile(sink)); !errors.Is(err, fs.ErrNotExist) {
			t.Errorf("refused points created the metrics file (%v)", err)
		}
	}
}

func TestNonFiniteValues(t *testing.T) {
	tr, _ := trialWithSink(t)
	for _, v := range []float64{math.NaN(), math.Inf(1), math.Inf(-1)} {
		for kind, err := range map[string]error{
			"metric":  tr.Metric("loss", 1, v),
			"metrics": tr.Metrics(1, M("loss", v)),
			"summary": tr.Summary("loss", v),
		} {
			if !errors.Is(err, ErrNotFinite) || !strings.Contains(err.Error(), `"loss"`) {
				t.Errorf("%s %v: got %v, want ErrNotFinite naming the metric", kind, v, err)
			}
		}
	}
}

func TestNotInRun(t *testing.T) {
	var tr Trial[struct{}]
	_, pathErr := tr.ArtifactPath("x")
	for kind, err := range map[string]error{
		"Metric":        tr.Metric("loss", 1, 1),
		"Metrics":       tr.Metrics(1, M("loss", 1)),
		"Summary":       tr.Summary("acc", 1),
		"ArtifactPath":  pathErr,
		"WriteArtifact": tr.WriteArtifact("x", nil),
	} {
		if !errors.Is(err, ErrNotInRun) {
			t.Errorf("%s on a Trial outside a run = %v, want ErrNotInRun", kind, err)
		}
	}
}

func TestAfterTheRun(t *testing.T) {
	tr, sink := trialWithSink(t)
	if err := tr.Metric("loss", 1, 1); err != nil {
		t.Fatal(err)
	}
	if _, err := sink.close(); err != nil {
		t.Fatal(err)
	}
	for kind, err := range map[string]error{
		"Metric":        tr.Metric("loss", 2, 1),
		"Metrics":       tr.Metrics(2, M("loss", 1)),
		"Summary":       tr.Summary("acc", 1),
		"WriteArtifact": tr.WriteArtifact("x", nil),
	} {
		if !errors.Is(err, ErrRunOver) {
			t.Errorf("%s after close = %v, want ErrRunOver", kind, err)
		}
	}
	if sums, err := sink.close(); sums != nil || err != nil {
		t.Errorf("second close = %v, %v; want nil, nil", sums, err)
	}
}

// TestConcurrentLogging logs from several goroutines of one run, as a user may; run it
// with -race. Every line must be whole and every point present.
func TestConcurrentLogging(t *testing.T) {
	tr, sink := trialWithSink(t)
	const goroutines, steps = 4, 1000
	var wg sync.WaitGroup
	for g := range goroutines {
		wg.Add(1)
		go func() {
			defer wg.Done()
			name := "worker" + strconv.Itoa(g)
			for step := range steps {
				if err := tr.Metrics(step, M(name, float64(step)), M(name+".sq", float64(step*step))); err != nil {
					t.Error(err)
					return
				}
				if err := tr.Summary(name, float64(step)); err != nil {
					t.Error(err)
					return
				}
			}
		}()
	}
	wg.Wait()
	sums, err := sink.close()
	if err != nil {
		t.Fatal(err)
	}
	if len(sums) != goroutines || sums["worker0"] != steps-1 {
		t.Errorf("summaries %v, want each worker's last step", sums)
	}
	points, err := metrics.ReadAll(metricsFile(sink)) // fails on any broken line
	if err != nil {
		t.Fatal(err)
	}
	if len(points) != goroutines*steps*2 {
		t.Errorf("got %d points, want %d", len(points), goroutines*steps*2)
	}
}

func TestMetricAllocatesNothing(t *testing.T) {
	tr, _ := trialWithSink(t)
	if err := tr.Metric("warmup", 0, 0); err != nil { // opens the file
		t.Fatal(err)
	}
	step := 0
	if n := testing.AllocsPerRun(10000, func() {
		step++
		if err := tr.Metric("loss", step, 1/float64(step)); err != nil {
			t.Fatal(err)
		}
	}); n != 0 {
		t.Errorf("Metric allocates %v times per point, want 0", n)
	}
	if n := testing.AllocsPerRun(10000, func() {
		step++
		if err := tr.Metrics(step, M("loss", 1/float64(step)), M("acc", 0.5), M("lr", 1e-3)); err != nil {
			t.Fatal(err)
		}
	}); n != 0 {
		t.Errorf("Metrics allocates %v times per step, want 0", n)
	}
}

// TestRunRecordsMetrics runs a real experiment: metrics reach the repeat's metrics.jsonl
// and summaries its run.json.
func TestRunRecordsMetrics(t *testing.T) {
	ws := t.TempDir()
	spec := ExperimentSpec{Name: "exp", ID: 1}
	trials := []TrialSpec[struct{}]{{Name: "small", ID: 1, Repeat: 1}}
	err := Run(t.Context(), spec, trials, func(_ context.Context, tr *Trial[struct{}]) error {
		if err := tr.Metrics(1, M("loss", 0.5), M("acc", 0.25)); err != nil {
			return err
		}
		return tr.Summary("test.acc", 0.75)
	}, WithWorkspace(ws))
	if err != nil {
		t.Fatal(err)
	}
	dir := filepath.Join(ws, "exp", "trials", "small", "repeat_1")
	last, err := metrics.LastValues(filepath.Join(dir, metrics.FileName))
	if err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff(map[string]float64{"loss": 0.5, "acc": 0.25}, last); diff != "" {
		t.Errorf("metrics.jsonl (-want +got):\n%s", diff)
	}
	data, err := os.ReadFile(filepath.Join(dir, workspace.RunFile))
	if err != nil {
		t.Fatal(err)
	}
	var rec struct{ Summaries map[string]float64 }
	if err := json.Unmarshal(data, &rec); err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff(map[string]float64{"test.acc": 0.75}, rec.Summaries); diff != "" {
		t.Errorf("run.json summaries (-want +got):\n%s", diff)
	}
}
