package runtime_test

import (
	"bytes"
	"context"
	"errors"
	"io"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/expman-dev/expman/runtime"
	"github.com/expman-dev/expman/runtime/internal/lock"
	"github.com/expman-dev/expman/runtime/internal/workspace"
)

// calls runs the experiment in ws with fn wrapped to record which runs executed.
func calls(t *testing.T, ws string, ts []runtime.TrialSpec[settings], fn runtime.TrialFunc[settings], opts ...runtime.Option) ([]string, error) {
	t.Helper()
	var mu sync.Mutex
	var got []string
	wrapped := func(ctx context.Context, tr *runtime.Trial[settings]) error {
		mu.Lock()
		got = append(got, tr.RunName())
		mu.Unlock()
		return fn(ctx, tr)
	}
	opts = append([]runtime.Option{runtime.WithWorkspace(ws), runtime.WithConsole(io.Discard)}, opts...)
	err := runtime.Run(t.Context(), spec, ts, wrapped, opts...)
	return got, err
}

func newWS(t *testing.T) string { return filepath.Join(t.TempDir(), "ws") }

func runPath(ws, trial string, k int) string {
	return filepath.Join(ws, "my_experiment/trials", trial, "repeat_"+itoa(k), "run.json")
}

func TestResumeSkipsCompletedAndRerunsTheRest(t *testing.T) {
	ws := newWS(t)
	if _, err := calls(t, ws, trials(), failing); err == nil {
		t.Fatal("first run: want small#2 and large#1 to fail")
	}
	// Turn small#1 into an interrupted run and large#1 into a stale "running" one (no
	// process holds its lock), as a killed process would leave it.
	setStatus(t, runPath(ws, "small", 1), workspace.Interrupted)
	setStatus(t, runPath(ws, "large", 1), workspace.Running)
	got, err := calls(t, ws, trials(), ok)
	if err != nil {
		t.Fatal(err)
	}
	if want := []string{"small#1", "small#2", "large#1"}; strings.Join(got, " ") != strings.Join(want, " ") {
		t.Errorf("second start ran %v, want %v", got, want)
	}
	got, err = calls(t, ws, trials(), ok)
	if err != nil || len(got) != 0 {
		t.Errorf("third start ran %v (%v), want nothing: all completed", got, err)
	}
	log := readFile(t, filepath.Join(ws, "my_experiment/logs/experiment.log"))
	for _, want := range []string{
		`msg="planned run" experiment=my_experiment trial=small repeat=1 action=run reason="interrupted before, rerun"`,
		`msg="planned run" experiment=my_experiment trial=large repeat=1 action=run reason="stale: pid `,
		`msg="planned run" experiment=my_experiment trial=small repeat=2 action=run reason="failed before, rerun"`,
		`msg="planned run" experiment=my_experiment trial=small repeat=1 action=skip reason=completed`,
		`to_run=0 to_skip=3 parallel=1 completed=3`,
	} {
		if !strings.Contains(log, want) {
			t.Errorf("experiment.log lacks %q", want)
		}
	}
	rec := readRecord(t, runPath(ws, "small", 1))
	if !strings.HasPrefix(rec.Hash, "sha256:") || len(rec.Hash) != len("sha256:")+64 || rec.Owner.PID != os.Getpid() {
		t.Errorf("run.json hash %q owner %+v, want a sha256 and this process", rec.Hash, rec.Owner)
	}
}

func setStatus(t *testing.T, path string, s workspace.Status) {
	t.Helper()
	rec, err := workspace.ReadRecord(path)
	if err != nil {
		t.Fatal(err)
	}
	rec.Status = s
	if err := workspace.WriteRecord(path, rec, workspace.Atomic); err != nil {
		t.Fatal(err)
	}
}

func changed() []runtime.TrialSpec[settings] {
	ts := trials()
	ts[1].Settings.LearningRate = 0.01
	ts[1].Settings.Optimizer.Name = "adam"
	return ts
}

func TestChangedSettingsStopBeforeRunning(t *testing.T) {
	ws := newWS(t)
	if _, err := calls(t, ws, trials(), ok); err != nil {
		t.Fatal(err)
	}
	before := readFile(t, filepath.Join(ws, "my_experiment/logs/experiment.log"))
	got, err := calls(t, ws, changed(), ok)
	var sc *runtime.SettingsChangedError
	if !errors.As(err, &sc) || len(got) != 0 {
		t.Fatalf("Run = %v after running %v, want a *SettingsChangedError and nothing run", err, got)
	}
	want := `runtime: trial "large": settings changed since its completed repeat 1:
	learning_rate: 0.001 -> 0.01
	optimizer.name: "sgd" -> "adam"
rerun with WithRerun (-rerun) to archive the old runs and run these trials again, or restore the old settings`
	if err.Error() != want {
		t.Errorf("error:\n%s\nwant:\n%s", err, want)
	}
	if after := readFile(t, filepath.Join(ws, "my_experiment/logs/experiment.log")); after != before {
		t.Errorf("the refused start wrote to experiment.log")
	}
}

func TestRerunArchivesChangedTrials(t *testing.T) {
	ws := newWS(t)
	if _, err := calls(t, ws, trials(), ok); err != nil {
		t.Fatal(err)
	}
	old := readRecord(t, runPath(ws, "large", 1))
	got, err := calls(t, ws, changed(), ok, runtime.WithRerun())
	if err != nil || strings.Join(got, " ") != "large#1" {
		t.Fatalf("rerun ran %v (%v), want large#1 only", got, err)
	}
	archives, _ := filepath.Glob(filepath.Join(ws, "my_experiment/trials/large/archive/*"))
	if len(archives) != 1 {
		t.Fatalf("archives %v, want one", archives)
	}
	if rec := readRecord(t, filepath.Join(archives[0], "repeat_1/run.json")); rec.Hash != old.Hash {
		t.Errorf("archived run.json has hash %s, want the old %s", rec.Hash, old.Hash)
	}
	if y := readFile(t, filepath.Join(archives[0], "trial.yaml")); !strings.Contains(y, "learning_rate: 0.001") {
		t.Errorf("archived trial.yaml is not the old one:\n%s", y)
	}
	if y := readFile(t, filepath.Join(ws, "my_experiment/trials/large/configs/trial.yaml")); !strings.Contains(y, "learning_rate: 0.01\n") {
		t.Errorf("trial.yaml is not the new one:\n%s", y)
	}
	if rec := readRecord(t, runPath(ws, "large", 1)); rec.Status != "completed" || rec.Hash == old.Hash {
		t.Errorf("new run.json: %+v, want completed with a new hash", rec)
	}
}

func TestRunHeldByAnotherProcessIsSkipped(t *testing.T) {
	ws := newWS(t)
	dir := filepath.Join(ws, "my_experiment/trials/small/repeat_1")
	if err := os.MkdirAll(dir, 0o755); err != nil {
		t.Fatal(err)
	}
	lk, err := lock.TryLock(filepath.Join(dir, ".lock"))
	if err != nil {
		t.Fatal(err)
	}
	defer lk.Unlock()
	got, err := calls(t, ws, trials(), ok)
	if err != nil || strings.Join(got, " ") != "small#2 large#1" {
		t.Errorf("ran %v (%v), want small#2 and large#1: small#1 is another runner's", got, err)
	}
}

func TestTimeout(t *testing.T) {
	waits := func(ctx context.Context, tr *runtime.Trial[settings]) error {
		if tr.RunName() == "small#1" {
			<-ctx.Done()
			return ctx.Err()
		}
		return nil
	}
	for _, c := range []struct {
		name   string
		spec   time.Duration // experiment.yaml
		trial  time.Duration // trials.yaml
		option time.Duration
		want   string
	}{
		{"experiment", 20 * time.Millisecond, 0, 0, "timed out after 20ms"},
		{"trial overrides experiment", time.Hour, 20 * time.Millisecond, 0, "timed out after 20ms"},
		{"option overrides both", time.Hour, time.Hour, 30 * time.Millisecond, "timed out after 30ms"},
	} {
		t.Run(c.name, func(t *testing.T) {
			ws := newWS(t)
			ts := trials()
			ts[0].Timeout = c.trial
			s := spec
			s.Timeout = c.spec
			var opts []runtime.Option
			if c.option > 0 {
				opts = append(opts, runtime.WithTimeout(c.option))
			}
			opts = append(opts, runtime.WithWorkspace(ws), runtime.WithConsole(nil))
			err := runtime.Run(t.Context(), s, ts, waits, opts...)
			var re *runtime.RunError
			if !errors.As(err, &re) || len(re.Failed) != 1 || len(re.Interrupted) != 0 {
				t.Fatalf("Run = %v, want small#1 failed", err)
			}
			var te *runtime.TimeoutError
			if !errors.As(re.Failed[0].Err, &te) || te.Error() != c.want {
				t.Errorf("error %v, want a *TimeoutError %q", re.Failed[0].Err, c.want)
			}
			if rec := readRecord(t, runPath(ws, "small", 1)); rec.Status != "failed" || rec.Error != c.want {
				t.Errorf("run.json status %q error %q, want failed, %q", rec.Status, rec.Error, c.want)
			}
		})
	}
}

func TestCancelWithTimeoutIsInterrupted(t *testing.T) {
	ctx, cancel := context.WithCancel(t.Context())
	_, err := run(t, ctx, func(ctx context.Context, tr *runtime.Trial[settings]) error {
		cancel()
		<-ctx.Done()
		return ctx.Err()
	}, runtime.WithTimeout(time.Hour))
	var re *runtime.RunError
	if !errors.As(err, &re) || len(re.Interrupted) != 1 || len(re.Failed) != 0 {
		t.Errorf("Run = %v, want small#1 interrupted, not failed", err)
	}
}

func TestFailFast(t *testing.T) {
	got, err := calls(t, newWS(t), trials(), func(context.Context, *runtime.Trial[settings]) error {
		return errors.New("bad")
	}, runtime.WithFailFast())
	var re *runtime.RunError
	if !errors.As(err, &re) || refs(re.Failed)[0] != "small#1" || len(re.NotStarted) != 2 || len(got) != 1 {
		t.Errorf("ran %v, Run = %v; want small#1 failed and 2 runs not started", got, err)
	}
}

func TestSelection(t *testing.T) {
	for _, c := range []struct {
		name string
		opts []runtime.Option
		want string
	}{
		{"pattern", []runtime.Option{runtime.WithRunPattern("^lar")}, "large#1"},
		{"repeat", []runtime.Option{runtime.WithRepeat(2)}, "small#2"},
		{"both", []runtime.Option{runtime.WithRunPattern("a"), runtime.WithRepeat(1)}, "small#1 large#1"},
		{"repeat beyond every trial", []runtime.Option{runtime.WithRepeat(3)}, ""},
	} {
		t.Run(c.name, func(t *testing.T) {
			got, err := calls(t, newWS(t), trials(), ok, c.opts...)
			if err != nil || strings.Join(got, " ") != c.want {
				t.Errorf("ran %q (%v), want %q", strings.Join(got, " "), err, c.want)
			}
		})
	}
}

func TestDryRun(t *testing.T) {
	ws := newWS(t)
	var out bytes.Buffer
	got, err := calls(t, ws, trials(), ok, runtime.WithDryRun(&out))
	if err != nil || len(got) != 0 {
		t.Fatalf("dry run ran %v (%v)", got, err)
	}
	if _, err := os.Stat(ws); !os.IsNotExist(err) {
		t.Errorf("dry run created the workspace (%v)", err)
	}
	if _, err := calls(t, ws, trials(), failing); err == nil {
		t.Fatal("want failures")
	}
	out.Reset()
	if _, err := calls(t, ws, trials(), ok, runtime.WithDryRun(&out)); err != nil {
		t.Fatal(err)
	}
	p := func(trial string, k int) string {
		return filepath.Join(ws, "my_experiment/trials", trial, "repeat_"+itoa(k))
	}
	want := "experiment my_experiment: 3 runs selected, 2 to run, 1 to skip\n" +
		"small#1  " + p("small", 1) + "  skip  completed\n" +
		"small#2  " + p("small", 2) + "  run   failed before, rerun\n" +
		"large#1  " + p("large", 1) + "  run   failed before, rerun\n"
	if out.String() != want {
		t.Errorf("dry run printed:\n%s\nwant:\n%s", out.String(), want)
	}
}

func TestBadOptions(t *testing.T) {
	for _, c := range []struct {
		opt  runtime.Option
		want string
	}{
		{runtime.WithParallel(0), "WithParallel(0): want 1 or more"},
		{runtime.WithParallel(-1), "WithParallel(-1): want 1 or more"},
		{runtime.WithRunPattern("(a"), "WithRunPattern(\"(a\"): error parsing regexp: missing closing )"},
		{runtime.WithRepeat(0), "WithRepeat(0): repeats are numbered from 1"},
		{runtime.WithGPUs(" , "), `WithGPUs(" , "): the list has no GPU slots`},
		{runtime.WithTimeout(-time.Second), "WithTimeout(-1s): want a positive duration"},
		{runtime.WithSignals(-time.Second), "WithSignals(-1s): want a positive grace period"},
	} {
		ws := newWS(t)
		got, err := calls(t, ws, trials(), ok, c.opt)
		if err == nil || !strings.Contains(err.Error(), c.want) || len(got) > 0 {
			t.Errorf("Run = %v after running %v, want an error with %q", err, got, c.want)
		}
		if _, err := os.Stat(ws); !os.IsNotExist(err) {
			t.Errorf("%s: the workspace was created", c.want)
		}
	}
	// All problems at once.
	_, err := calls(t, newWS(t), trials(), ok, runtime.WithParallel(0), runtime.WithRepeat(0))
	if err == nil || !strings.Contains(err.Error(), "WithParallel(0)") || !strings.Contains(err.Error(), "WithRepeat(0)") {
		t.Errorf("Run = %v, want both problems", err)
	}
}
