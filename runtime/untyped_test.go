package runtime_test

import (
	"context"
	"errors"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/expman-dev/expman/runtime"
	"github.com/expman-dev/expman/schema"
	"github.com/google/go-cmp/cmp"
)

var configFiles = map[string]string{
	"experiment.yaml": `name: my_experiment
id: 7
desc: untyped
settings:
  epochs: 10
`,
	"base.yaml": `settings:
  model_type: mlp
  learning_rate: 0.01
  epochs: 1
`,
	"trials.yaml": `- name: small_network
  id: 1
  repeat: 2
  settings:
    hidden_layers: [64, 32]
    learning_rate: 0.001
- name: large_network
  id: 2
  settings:
    hidden_layers: [256, 128, 64]
`,
	"settings.schema.json": `{
  "$schema": "https://json-schema.org/draft/2020-12/schema",
  "type": "object",
  "properties": {
    "model_type": {"type": "string"},
    "hidden_layers": {"type": "array", "items": {"type": "integer"}},
    "learning_rate": {"type": "number"},
    "epochs": {"type": "integer"}
  },
  "required": ["model_type", "hidden_layers"],
  "additionalProperties": false
}
`,
}

func writeConfigs(t *testing.T, files map[string]string) string {
	t.Helper()
	dir := t.TempDir()
	for name, content := range files {
		if err := os.WriteFile(filepath.Join(dir, name), []byte(content), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	return dir
}

func TestUntyped(t *testing.T) {
	ctx := context.Background()
	env := runtime.NewEnvironment(filepath.Join(t.TempDir(), "outputs"))
	x, err := runtime.Load(ctx, writeConfigs(t, configFiles), env)
	if err != nil {
		t.Fatal(err)
	}
	var got []string
	err = x.Run(ctx, func(ctx context.Context, tr *runtime.Trial[map[string]any]) error {
		s := tr.Settings
		got = append(got, tr.RunName()+" "+jsonString(s))
		s["epochs"] = int64(99) // must not leak into the next run
		tr.Logger.Info("ran")
		return nil
	}, runtime.WithConsole(io.Discard))
	if err != nil {
		t.Fatal(err)
	}
	want := []string{
		`small_network#1 {"epochs":10,"hidden_layers":[64,32],"learning_rate":0.001,"model_type":"mlp"}`,
		`small_network#2 {"epochs":10,"hidden_layers":[64,32],"learning_rate":0.001,"model_type":"mlp"}`,
		`large_network#1 {"epochs":10,"hidden_layers":[256,128,64],"learning_rate":0.01,"model_type":"mlp"}`,
	}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("runs (-want +got):\n%s", diff)
	}
	for _, d := range []string{env.ConfigsDir(), env.LogsDir(), env.ArtifactsDir()} {
		if st, err := os.Stat(d); err != nil || !st.IsDir() {
			t.Errorf("environment folder %s: %v", d, err)
		}
	}
	exp := filepath.Join(env.Workspace, "my_experiment")
	for name, content := range configFiles {
		if got := readFile(t, filepath.Join(exp, "configs", name)); got != content {
			t.Errorf("configs/%s = %q, want the source %q", name, got, content)
		}
	}
	// Untyped settings keep the config's key order: base first, then what later layers add.
	const wantYAML = `name: small_network
id: 1
repeat: 2
settings:
  model_type: mlp
  learning_rate: 0.001
  epochs: 10
  hidden_layers: [64, 32]
`
	if diff := cmp.Diff(wantYAML, readFile(t, filepath.Join(exp, "trials/small_network/configs/trial.yaml"))); diff != "" {
		t.Errorf("trial.yaml (-want +got):\n%s", diff)
	}
	rec := readFile(t, filepath.Join(exp, "trials/large_network/repeat_1/run.json"))
	if !strings.Contains(rec, `"status": "completed"`) || !strings.Contains(rec, jsonString(runtime.Seed(7, 2, 1))) {
		t.Errorf("run.json:\n%s", rec)
	}
	log := readFile(t, filepath.Join(exp, "logs/experiment.log"))
	if !strings.Contains(log, "msg=ran experiment=my_experiment trial=large_network repeat=1") {
		t.Errorf("experiment.log lacks the run's record:\n%s", log)
	}
}

func TestUntypedInvalidConfigCreatesNothing(t *testing.T) {
	files := map[string]string{}
	for k, v := range configFiles {
		files[k] = v
	}
	files["trials.yaml"] = strings.Replace(files["trials.yaml"], "[64, 32]", `[64, "wide"]`, 1)
	files["base.yaml"] += "  lerning_rate: 0.1\n"
	ws := filepath.Join(t.TempDir(), "outputs")
	x, err := runtime.Load(context.Background(), writeConfigs(t, files), runtime.NewEnvironment(ws))
	var list schema.ErrorList
	if !errors.As(err, &list) || x != nil {
		t.Fatalf("Load = %v, %v; want a schema.ErrorList", x, err)
	}
	if len(list) < 2 {
		t.Errorf("Load reported %d errors, want both problems:\n%v", len(list), err)
	}
	for _, want := range []string{"trials.yaml:5:", "base.yaml:5:"} {
		if !strings.Contains(err.Error(), want) {
			t.Errorf("errors lack a position %s:\n%v", want, err)
		}
	}
	if _, err := os.Stat(ws); !errors.Is(err, fs.ErrNotExist) {
		t.Errorf("an invalid config created the workspace (%v)", err)
	}
}

func TestEnvironment(t *testing.T) {
	if got := runtime.NewEnvironment("").Workspace; got != runtime.DefaultWorkspace {
		t.Errorf("NewEnvironment(\"\").Workspace = %q, want %q", got, runtime.DefaultWorkspace)
	}
	env := runtime.NewEnvironment(filepath.Join(t.TempDir(), "ws"))
	for range 2 { // idempotent
		if err := env.Setup(); err != nil {
			t.Fatal(err)
		}
	}
	if diff := cmp.Diff([]string{"artifacts/", "configs/", "logs/"}, tree(t, env.Workspace)); diff != "" {
		t.Errorf("environment (-want +got):\n%s", diff)
	}
	if err := (&runtime.Environment{}).Setup(); err == nil {
		t.Error("Setup of an empty workspace succeeded, want an error")
	}
}

// TestUntypedBadConfigTable loads every malformed config folder of the config layer's table:
// each must fail with positioned errors and create no workspace.
func TestUntypedBadConfigTable(t *testing.T) {
	const dir = "../schema/config/testdata/bad"
	cases, err := os.ReadDir(dir)
	if err != nil {
		t.Fatal(err)
	}
	for _, c := range cases {
		t.Run(c.Name(), func(t *testing.T) {
			ws := filepath.Join(t.TempDir(), "outputs")
			x, err := runtime.Load(context.Background(), filepath.Join(dir, c.Name()), runtime.NewEnvironment(ws))
			var list schema.ErrorList
			if !errors.As(err, &list) || x != nil || len(list) == 0 {
				t.Fatalf("Load = %v, %v; want a schema.ErrorList", x, err)
			}
			if _, err := os.Stat(ws); !errors.Is(err, fs.ErrNotExist) {
				t.Errorf("an invalid config created the workspace (%v)", err)
			}
		})
	}
}
