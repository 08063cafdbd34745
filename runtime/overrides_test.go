package runtime_test

import (
	"context"
	"errors"
	"io"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"testing"

	"github.com/expman-dev/expman/runtime"
	"github.com/expman-dev/expman/schema"
	"github.com/google/go-cmp/cmp"
)

// netSettings is a settings type as expman gen writes one: json and yaml tags with the
// schema's names. Warmup is deliberately an int where the schema below allows any number,
// as in a program whose schema changed without go generate being run again.
type netSettings struct {
	Epochs       int          `json:"epochs" yaml:"epochs"`
	LearningRate float64      `json:"learning_rate" yaml:"learning_rate"`
	HiddenLayers []int        `json:"hidden_layers" yaml:"hidden_layers"`
	Activation   string       `json:"activation" yaml:"activation"`
	Optimizer    netOptimizer `json:"optimizer" yaml:"optimizer"`
	Warmup       int          `json:"warmup" yaml:"warmup"`
}

type netOptimizer struct {
	Name     string  `json:"name" yaml:"name"`
	Momentum float64 `json:"momentum" yaml:"momentum"`
}

const netSchema = `{
  "type": "object",
  "additionalProperties": false,
  "properties": {
    "epochs": {"type": "integer", "minimum": 1},
    "learning_rate": {"type": "number"},
    "hidden_layers": {"type": "array", "items": {"type": "integer"}},
    "activation": {"enum": ["relu", "tanh"]},
    "optimizer": {
      "type": "object",
      "additionalProperties": false,
      "properties": {"name": {"type": "string"}, "momentum": {"type": "number"}}
    },
    "warmup": {"type": "number"}
  }
}
`

var netSpec = runtime.ExperimentSpec{
	Name: "net",
	ID:   3,
	Files: []runtime.ConfigFile{
		{Name: "experiment.yaml", Content: "name: net\nid: 3\n"},
		{Name: "trials.yaml", Content: "- name: small\n- name: large\n"},
		{Name: "settings.schema.json", Content: netSchema},
	},
}

func netTrials() []runtime.TrialSpec[netSettings] {
	small := netSettings{Epochs: 2, LearningRate: 0.1, HiddenLayers: []int{64}, Activation: "relu", Optimizer: netOptimizer{"sgd", 0.9}}
	large := small
	large.HiddenLayers = []int{256, 128}
	return []runtime.TrialSpec[netSettings]{
		{Name: "small", ID: 1, Repeat: 2, Settings: small},
		{Name: "large", ID: 2, Repeat: 1, Settings: large},
	}
}

// recorder is a trial function that records the settings of each run it is called for.
type recorder[S any] struct {
	mu   sync.Mutex
	runs map[string]S
}

func (r *recorder[S]) fn(_ context.Context, t *runtime.Trial[S]) error {
	r.mu.Lock()
	defer r.mu.Unlock()
	if r.runs == nil {
		r.runs = map[string]S{}
	}
	r.runs[t.RunName()] = t.Settings
	return nil
}

func (r *recorder[S]) names() []string {
	r.mu.Lock()
	defer r.mu.Unlock()
	var out []string
	for k := range r.runs {
		out = append(out, k)
	}
	slices.Sort(out)
	return out
}

// runNet runs netTrials in ws with the command line args.
func runNet(ws string, fn runtime.TrialFunc[netSettings], args ...string) error {
	return runtime.Run(context.Background(), netSpec, netTrials(), fn,
		runtime.WithWorkspace(ws), runtime.WithConsole(io.Discard), runtime.WithArgs(args), runtime.WithProgress(nil))
}

func TestSetOverridesTypedSettings(t *testing.T) {
	ws := newWS(t)
	var rec recorder[netSettings]
	err := runNet(ws, rec.fn,
		"-set", "epochs=3",
		"-set", "learning_rate=1", // an integer, into a float64
		"-set", "hidden_layers=[32, 16]",
		"-set", "optimizer.name=adam",
		"-set", "activation=tanh",
		"-set", "epochs=4", // a later override wins
		"-set", "warmup=0.5", "-set", "warmup=1", // so a value only the schema allows is no problem
	)
	if err != nil {
		t.Fatal(err)
	}
	want := netTrials()[0].Settings
	want.Epochs, want.LearningRate, want.HiddenLayers, want.Optimizer.Name, want.Activation, want.Warmup = 4, 1, []int{32, 16}, "adam", "tanh", 1
	for _, name := range []string{"small#1", "small#2", "large#1"} {
		if diff := cmp.Diff(want, rec.runs[name]); diff != "" {
			t.Errorf("%s settings (-want +got):\n%s", name, diff)
		}
	}
	const wantOverrides = `- path: epochs
  value: 3
- path: learning_rate
  value: 1
- path: hidden_layers
  value: [32, 16]
- path: optimizer.name
  value: adam
- path: activation
  value: tanh
- path: epochs
  value: 4
- path: warmup
  value: 0.5
- path: warmup
  value: 1
`
	if diff := cmp.Diff(wantOverrides, readFile(t, filepath.Join(ws, "net/configs/overrides.yaml"))); diff != "" {
		t.Errorf("overrides.yaml (-want +got):\n%s", diff)
	}
	log := readFile(t, filepath.Join(ws, "net/logs/experiment.log"))
	if !strings.Contains(log, `overrides="[epochs=3 learning_rate=1 hidden_layers=[32, 16] `) {
		t.Errorf("the plan's log record lacks the overrides:\n%s", log)
	}
	trialYAML := readFile(t, filepath.Join(ws, "net/trials/large/configs/trial.yaml"))
	for _, line := range []string{"epochs: 4\n", "learning_rate: 1.0\n", "hidden_layers: [32, 16]\n", "    name: adam\n", "activation: tanh\n"} {
		if !strings.Contains(trialYAML, line) {
			t.Errorf("trial.yaml lacks %q:\n%s", line, trialYAML)
		}
	}
}

func TestOverrideErrorsComeTogetherBeforeAnythingIsCreated(t *testing.T) {
	ws := newWS(t)
	var rec recorder[netSettings]
	err := runNet(ws, rec.fn,
		"-set", "activation=sigmoid",
		"-set", "lerning_rate=0.1",
		"-set", `hidden_layers=[32,"x"]`,
		"-set", "warmup=0.5",
		"-set", "epochs=0",
		"-set", "optimizer.name=adam", // fine: not reported
	)
	var list schema.ErrorList
	if !errors.As(err, &list) {
		t.Fatalf("Run = %v, want a schema.ErrorList", err)
	}
	// Each problem once, not once per trial, at the override that causes it.
	byOverride := map[string][]string{}
	for _, e := range list {
		byOverride[e.Pos.File] = append(byOverride[e.Pos.File], e.Msg)
	}
	for arg, wantMsg := range map[string]string{
		"-set activation=sigmoid":     `sigmoid`,
		"-set lerning_rate=0.1":       `did you mean "learning_rate"?`,
		`-set hidden_layers=[32,"x"]`: `settings.hidden_layers[1]: want integer, got string "x"`,
		"-set warmup=0.5":             `settings.warmup: the program's compiled settings want an integer (Go int), got number 0.5`,
		"-set epochs=0":               `settings.epochs`,
	} {
		msgs := byOverride[arg]
		if len(msgs) != 1 || !strings.Contains(msgs[0], wantMsg) {
			t.Errorf("errors at %s: %q, want one containing %q", arg, msgs, wantMsg)
		}
	}
	if len(list) != 5 {
		t.Errorf("%d errors, want 5:\n%v", len(list), err)
	}
	if got := rec.names(); len(got) != 0 {
		t.Errorf("runs %v executed", got)
	}
	if _, err := os.Stat(ws); !errors.Is(err, os.ErrNotExist) {
		t.Errorf("the workspace was created (%v); want nothing before the overrides are checked", err)
	}
}

func TestOverrideMessageFormat(t *testing.T) {
	err := runNet(newWS(t), ok2, "-set", `hidden_layers=[32,"x"]`)
	const want = `-set hidden_layers=[32,"x"]: settings.hidden_layers[1]: want integer, got string "x"`
	if err == nil || err.Error() != want {
		t.Errorf("error:\n%v\nwant:\n%s", err, want)
	}
}

func ok2(context.Context, *runtime.Trial[netSettings]) error { return nil }

func TestProblemOfOneTrialNamesIt(t *testing.T) {
	ts := netTrials()
	ts[1].Settings.HiddenLayers = nil // large gets no list to index into
	err := runtime.Run(context.Background(), netSpec, ts, ok2, runtime.WithWorkspace(newWS(t)),
		runtime.WithConsole(io.Discard), runtime.WithOverrides("hidden_layers.0=8"))
	if err == nil || !strings.Contains(err.Error(), "-set hidden_layers.0=8: ") || strings.Contains(err.Error(), `"small"`) {
		t.Errorf("error:\n%v\nwant one naming the override, for trial large only", err)
	}
}

func TestBadSetIsAUsageError(t *testing.T) {
	err := runNet(newWS(t), ok2, "-set", "epochs")
	var ue *runtime.UsageError
	if !errors.As(err, &ue) || !strings.Contains(err.Error(), "-set") || !strings.Contains(err.Error(), "want path=value") {
		t.Errorf("Run = %v, want a *UsageError about -set", err)
	}
}

func TestOverridesChangeTheSettingsHash(t *testing.T) {
	ws := newWS(t)
	var first recorder[netSettings]
	if err := runNet(ws, first.fn); err != nil {
		t.Fatal(err)
	}
	if got := readFile(t, filepath.Join(ws, "net/configs/overrides.yaml")); got != "[]\n" {
		t.Errorf("overrides.yaml without overrides = %q, want \"[]\\n\"", got)
	}
	// The same values given as overrides change nothing: the settings are the same.
	var same recorder[netSettings]
	if err := runNet(ws, same.fn, "-set", "epochs=2"); err != nil || len(same.names()) != 0 {
		t.Fatalf("Run with an override of the same value = %v, ran %v; want every run skipped", err, same.names())
	}
	var refused recorder[netSettings]
	err := runNet(ws, refused.fn, "-set", "epochs=5")
	var sc *runtime.SettingsChangedError
	if !errors.As(err, &sc) || len(refused.names()) != 0 {
		t.Fatalf("Run = %v, ran %v; want a *SettingsChangedError and nothing run", err, refused.names())
	}
	if !strings.Contains(err.Error(), "\tepochs: 2 -> 5\n") {
		t.Errorf("error does not show the overridden setting:\n%v", err)
	}
	if got := readFile(t, filepath.Join(ws, "net/configs/overrides.yaml")); got != "- path: epochs\n  value: 2\n" {
		t.Errorf("overrides.yaml = %q, want the previous start's: the refused start must not write it", got)
	}
	var rerun recorder[netSettings]
	if err := runNet(ws, rerun.fn, "-set", "epochs=5", "-rerun"); err != nil {
		t.Fatal(err)
	}
	if got := rerun.names(); !cmp.Equal(got, []string{"large#1", "small#1", "small#2"}) || rerun.runs["small#1"].Epochs != 5 {
		t.Errorf("rerun ran %v with %+v; want every run with epochs 5", got, rerun.runs["small#1"])
	}
	var again recorder[netSettings]
	if err := runNet(ws, again.fn, "-set", "epochs=5"); err != nil || len(again.names()) != 0 {
		t.Errorf("the same overrides again = %v, ran %v; want every run skipped", err, again.names())
	}
}

func TestSweepPointTrials(t *testing.T) {
	ws := newWS(t)
	base := netTrials()[0].Settings
	point := func(name string, id int, lr float64) runtime.TrialSpec[netSettings] {
		s := base
		s.LearningRate = lr
		return runtime.TrialSpec[netSettings]{Name: name, ID: id, Repeat: 2, Settings: s}
	}
	ts := []runtime.TrialSpec[netSettings]{
		point("lr_grid/learning_rate=0.1,hidden_layers=64", 10, 0.1),
		point("lr_grid/learning_rate=0.01,hidden_layers=64", 11, 0.01),
	}
	fn := func(_ context.Context, t *runtime.Trial[netSettings]) error {
		if err := t.Summary("acc", t.Settings.LearningRate); err != nil {
			return err
		}
		if t.Repeat == 2 && t.Settings.LearningRate == 0.01 {
			return errors.New("diverged")
		}
		return nil
	}
	opts := []runtime.Option{runtime.WithWorkspace(ws), runtime.WithConsole(io.Discard)}
	err := runtime.Run(context.Background(), netSpec, ts, fn, opts...)
	var re *runtime.RunError
	if !errors.As(err, &re) || len(re.Failed) != 1 || re.Failed[0].String() != "lr_grid/learning_rate=0.01,hidden_layers=64#2" {
		t.Fatalf("Run = %v, want lr_grid/learning_rate=0.01,hidden_layers=64#2 failed", err)
	}
	dir := filepath.Join(ws, "net/trials/lr_grid/learning_rate=0.01,hidden_layers=64")
	for _, f := range []string{"configs/trial.yaml", "logs/trial.log", "summary.json", "repeat_1/run.json", "repeat_1/.lock", "repeat_2/logs/run.log"} {
		if _, err := os.Stat(filepath.Join(dir, f)); err != nil {
			t.Errorf("sweep point folder lacks %s: %v", f, err)
		}
	}
	if rec := readFile(t, filepath.Join(dir, "repeat_1/run.json")); !strings.Contains(rec, `"trial": "lr_grid/learning_rate=0.01,hidden_layers=64"`) {
		t.Errorf("run.json does not name the point:\n%s", rec)
	}
	if y := readFile(t, filepath.Join(dir, "configs/trial.yaml")); !strings.HasPrefix(y, "name: lr_grid/learning_rate=0.01,hidden_layers=64\nid: 11\n") {
		t.Errorf("trial.yaml:\n%s", y)
	}
	log := readFile(t, filepath.Join(ws, "net/logs/experiment.log"))
	if !strings.Contains(log, `trial="lr_grid/learning_rate=0.01,hidden_layers=64" repeat=2`) {
		t.Errorf("experiment.log does not name the point's run:\n%s", log)
	}
	const wantCSV = `trial,trial_id,completed,failed,learning_rate,acc_mean,acc_std,acc_n
"lr_grid/learning_rate=0.01,hidden_layers=64",11,1,1,0.01,0.01,0,1
"lr_grid/learning_rate=0.1,hidden_layers=64",10,2,0,0.1,0.1,0,2
`
	if diff := cmp.Diff(wantCSV, readFile(t, filepath.Join(ws, "net/results.csv"))); diff != "" {
		t.Errorf("results.csv (-want +got):\n%s", diff)
	}

	// -run matches the whole name, "/" included.
	var rec recorder[netSettings]
	err = runtime.Run(context.Background(), netSpec, ts, rec.fn, append(opts, runtime.WithArgs([]string{"-run", `^lr_grid/learning_rate=0\.01,`}), runtime.WithProgress(nil))...)
	if err != nil || !cmp.Equal(rec.names(), []string{"lr_grid/learning_rate=0.01,hidden_layers=64#2"}) {
		t.Errorf("-run ran %v (%v), want only the failed run of the 0.01 point", rec.names(), err)
	}
}

func TestBadSweepNames(t *testing.T) {
	ts := netTrials()
	ts[0].Name = "grid/../x=1"
	ts[1].Name = "grid/no_equals"
	err := runtime.Run(context.Background(), netSpec, ts, ok2, runtime.WithWorkspace(newWS(t)), runtime.WithConsole(io.Discard))
	for _, want := range []string{`trial name "grid/../x=1"`, `trial name "grid/no_equals"`} {
		if err == nil || !strings.Contains(err.Error(), want) {
			t.Errorf("error lacks %s:\n%v", want, err)
		}
	}
}

func TestUntypedOverrides(t *testing.T) {
	ctx := context.Background()
	env := runtime.NewEnvironment(filepath.Join(t.TempDir(), "outputs"))
	x, err := runtime.Load(ctx, writeConfigs(t, configFiles), env)
	if err != nil {
		t.Fatal(err)
	}
	var rec recorder[map[string]any]
	err = x.Run(ctx, rec.fn, runtime.WithConsole(io.Discard), runtime.WithOverrides("epochs=7", "hidden_layers=[8]"))
	if err != nil {
		t.Fatal(err)
	}
	want := map[string]any{"epochs": int64(7), "hidden_layers": []any{int64(8)}, "learning_rate": 0.01, "model_type": "mlp"}
	if diff := cmp.Diff(want, rec.runs["large_network#1"]); diff != "" {
		t.Errorf("settings (-want +got):\n%s", diff)
	}
	exp := filepath.Join(env.Workspace, "my_experiment")
	const wantYAML = `name: large_network
id: 2
repeat: 1
settings:
  model_type: mlp
  learning_rate: 0.01
  epochs: 7
  hidden_layers: [8]
`
	if diff := cmp.Diff(wantYAML, readFile(t, filepath.Join(exp, "trials/large_network/configs/trial.yaml"))); diff != "" {
		t.Errorf("trial.yaml (-want +got):\n%s", diff)
	}
	if got := readFile(t, filepath.Join(exp, "configs/overrides.yaml")); got != "- path: epochs\n  value: 7\n- path: hidden_layers\n  value: [8]\n" {
		t.Errorf("overrides.yaml = %q", got)
	}

	// The same checks as for typed programs, before anything is created.
	env2 := runtime.NewEnvironment(filepath.Join(t.TempDir(), "outputs"))
	x2, err := runtime.Load(ctx, writeConfigs(t, configFiles), env2)
	if err != nil {
		t.Fatal(err)
	}
	err = x2.Run(ctx, rec.fn, runtime.WithConsole(io.Discard), runtime.WithOverrides("epoch=7", "learning_rate=fast"))
	if err == nil || !strings.Contains(err.Error(), `-set epoch=7: `) || !strings.Contains(err.Error(), `-set learning_rate=fast: `) {
		t.Errorf("error:\n%v\nwant both overrides named", err)
	}
	if _, err := os.Stat(env2.Workspace); !errors.Is(err, os.ErrNotExist) {
		t.Errorf("the workspace was created (%v)", err)
	}
}
