package main

// End-to-end tests: a fresh module in a temporary directory, with a replace directive to
// this repository, runs the generator through go:generate, builds, and runs the program;
// the workspace it leaves is checked file by file.

import (
	"bytes"
	"encoding/json"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"runtime"
	"strings"
	"testing"
)

// e2eMain is a user's main package. Its go:generate line is spliced in, because go generate
// would otherwise run the line in this file too.
var e2eMain = `package main

` + "//go:" + `generate go run github.com/expman-dev/expman/cmd/expman gen -config ./configs

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"os"
	"path/filepath"

	"github.com/expman-dev/expman/runtime"
)

func main() {
	ws := flag.String("workspace", "outputs", "workspace folder")
	flag.Parse()
	err := RunExperiment(context.Background(), func(ctx context.Context, t *runtime.Trial[Settings]) error {
		t.Logger.Info("training", "lr", t.Settings.LearningRate, "layers", t.Settings.HiddenLayers)
		if t.Settings.FailOnRepeat != nil && *t.Settings.FailOnRepeat == t.Repeat {
			return errors.New("diverged")
		}
		out := fmt.Sprintf("%s %d %d %v %s\n", t.Name, t.Repeat, t.Seed, t.Settings.HiddenLayers, t.Settings.Optimizer)
		return os.WriteFile(filepath.Join(t.Dir, "artifacts", "result.txt"), []byte(out), 0o644)
	}, runtime.WithWorkspace(*ws))
	if err != nil {
		fmt.Fprintln(os.Stderr, "error:", err)
		os.Exit(1)
	}
}
`

var e2eConfigs = map[string]string{
	"configs/experiment.yaml": `name: e2e_experiment
id: 7
desc: end-to-end test
settings:
  epochs: 2
`,
	"configs/base.yaml": `settings:
  epochs: 1
  optimizer: adam
`,
	"configs/trials.yaml": `- name: small
  id: 1
  repeat: 2
  settings:
    hidden_layers: [4, 2]
    learning_rate: 0.01
- name: large
  id: 2
  repeat: 3
  settings:
    hidden_layers: [8, 4, 2]
    learning_rate: 0.001
    optimizer: sgd
    fail_on_repeat: 2
`,
	"configs/settings.schema.json": `{
  "$schema": "https://json-schema.org/draft/2020-12/schema",
  "type": "object",
  "additionalProperties": false,
  "required": ["epochs", "hidden_layers", "learning_rate", "optimizer"],
  "properties": {
    "epochs": {"type": "integer", "minimum": 1},
    "hidden_layers": {"type": "array", "items": {"type": "integer"}},
    "learning_rate": {"type": "number"},
    "optimizer": {"type": "string", "enum": ["adam", "sgd"]},
    "fail_on_repeat": {"type": "integer", "description": "Makes that repeat fail, to test failures."}
  }
}
`,
}

// repoRoot is the directory holding this repository's go.mod.
func repoRoot(t *testing.T) string {
	t.Helper()
	out, err := exec.Command("go", "env", "GOMOD").Output()
	if err != nil {
		t.Fatalf("go env GOMOD: %v", err)
	}
	return filepath.Dir(strings.TrimSpace(string(out)))
}

// newModule writes a user module that depends on this repository through a replace
// directive, with files (path -> content) in it.
func newModule(t *testing.T, files map[string]string) string {
	t.Helper()
	if testing.Short() {
		t.Skip("builds a module; skipped with -short")
	}
	root := repoRoot(t)
	dir := t.TempDir()
	gomod := "module example.com/e2e\n\ngo 1.24.0\n\nrequire github.com/expman-dev/expman v0.0.0\n\nreplace github.com/expman-dev/expman => " + root + "\n"
	writeFiles(t, dir, map[string]string{"go.mod": gomod})
	sum, err := os.ReadFile(filepath.Join(root, "go.sum"))
	if err != nil {
		t.Fatal(err)
	}
	writeFiles(t, dir, map[string]string{"go.sum": string(sum)})
	writeFiles(t, dir, files)
	goCmd(t, dir, "mod", "tidy")
	return dir
}

func writeFiles(t *testing.T, dir string, files map[string]string) {
	t.Helper()
	for name, content := range files {
		path := filepath.Join(dir, filepath.FromSlash(name))
		if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(path, []byte(content), 0o644); err != nil {
			t.Fatal(err)
		}
	}
}

// goCmd runs the go command in dir and fails the test when it fails.
func goCmd(t *testing.T, dir string, args ...string) string {
	t.Helper()
	out, err := goCmdErr(dir, args...)
	if err != nil {
		t.Fatalf("go %s: %v\n%s", strings.Join(args, " "), err, out)
	}
	return out
}

func goCmdErr(dir string, args ...string) (string, error) {
	cmd := exec.Command("go", args...)
	cmd.Dir = dir
	// The module's requirements beyond this repository's own build (the go.mod files of
	// test-only dependencies that go mod tidy reads) may not be in a fresh module cache, so
	// the module proxy stays reachable as configured.
	cmd.Env = append(os.Environ(), "GOFLAGS=-mod=mod", "GOWORK=off")
	out, err := cmd.CombinedOutput()
	return string(out), err
}

func TestEndToEnd(t *testing.T) {
	files := map[string]string{"main.go": e2eMain}
	for k, v := range e2eConfigs {
		files[k] = v
	}
	dir := newModule(t, files)

	goCmd(t, dir, "generate", "./...")
	gen, err := os.ReadFile(filepath.Join(dir, "experiment_gen.go"))
	if err != nil {
		t.Fatalf("go generate wrote no experiment_gen.go: %v", err)
	}
	if !regexp.MustCompile(`^// Code generated by expman gen\. DO NOT EDIT\.\n`).Match(gen) {
		t.Errorf("generated file does not start with the generated-code header:\n%.200s", gen)
	}

	bin := filepath.Join(t.TempDir(), "e2e")
	if runtime.GOOS == "windows" {
		bin += ".exe"
	}
	goCmd(t, dir, "build", "-o", bin, ".")

	// The binary carries its experiment: run it where there is no config folder.
	elsewhere := t.TempDir()
	ws := filepath.Join(elsewhere, "ws")
	cmd := exec.Command(bin, "-workspace", ws)
	cmd.Dir = elsewhere
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	err = cmd.Run()
	if code := exitCodeOf(err); code != 1 {
		t.Fatalf("program exit code = %d, want 1 (one repeat fails on purpose); stderr:\n%s", code, stderr.String())
	}
	if !strings.Contains(stderr.String(), "large") || !strings.Contains(stderr.String(), "diverged") {
		t.Errorf("stderr does not name the failed run and its error:\n%s", stderr.String())
	}
	checkWorkspace(t, filepath.Join(ws, "e2e_experiment"))

	t.Run("binary links no generator", func(t *testing.T) {
		out := goCmd(t, dir, "version", "-m", bin)
		for _, mod := range []string{"github.com/dave/jennifer", "github.com/invopop/jsonschema"} {
			if strings.Contains(out, mod) {
				t.Errorf("built program links %s; the generator must stay out of user binaries:\n%s", mod, out)
			}
		}
	})
	t.Run("check flag detects drift", func(t *testing.T) {
		goCmd(t, dir, "run", "github.com/expman-dev/expman/cmd/expman", "gen", "-config", "./configs", "-check")
		writeFiles(t, dir, map[string]string{"configs/experiment.yaml": strings.Replace(e2eConfigs["configs/experiment.yaml"], "epochs: 2", "epochs: 3", 1)})
		out, err := goCmdErr(dir, "run", "github.com/expman-dev/expman/cmd/expman", "gen", "-config", "./configs", "-check")
		if err == nil || !strings.Contains(out, "out of date") {
			t.Errorf("gen -check after a config change: err=%v, output:\n%s", err, out)
		}
		writeFiles(t, dir, map[string]string{"configs/experiment.yaml": e2eConfigs["configs/experiment.yaml"]})
	})
}

func exitCodeOf(err error) int {
	if err == nil {
		return 0
	}
	if ee, ok := err.(*exec.ExitError); ok {
		return ee.ExitCode()
	}
	return -1
}

type runRecord struct {
	Status string `json:"status"`
	Seed   int64  `json:"seed"`
	Error  string `json:"error"`
}

func checkWorkspace(t *testing.T, exp string) {
	t.Helper()
	for _, p := range []string{
		"configs/experiment.yaml", "configs/base.yaml", "configs/trials.yaml", "configs/settings.schema.json",
		"logs/experiment.log", "artifacts",
		"trials/small/configs/trial.yaml", "trials/small/logs/trial.log", "trials/small/artifacts",
		"trials/small/repeat_1/logs", "trials/small/repeat_1/artifacts/result.txt",
		"trials/large/repeat_3/run.json",
	} {
		if _, err := os.Stat(filepath.Join(exp, p)); err != nil {
			t.Errorf("workspace lacks %s: %v", p, err)
		}
	}
	want := map[string]string{"small/repeat_1": "completed", "small/repeat_2": "completed",
		"large/repeat_1": "completed", "large/repeat_2": "failed", "large/repeat_3": "completed"}
	seeds := map[int64]string{}
	for run, status := range want {
		data, err := os.ReadFile(filepath.Join(exp, "trials", run, "run.json"))
		if err != nil {
			t.Errorf("%s: %v", run, err)
			continue
		}
		var rec runRecord
		if err := json.Unmarshal(data, &rec); err != nil {
			t.Errorf("%s/run.json: %v\n%s", run, err, data)
			continue
		}
		if rec.Status != status {
			t.Errorf("%s: status %q, want %q", run, rec.Status, status)
		}
		if status == "failed" && !strings.Contains(rec.Error, "diverged") {
			t.Errorf("%s: error %q does not hold the trial's error", run, rec.Error)
		}
		if other, dup := seeds[rec.Seed]; dup {
			t.Errorf("%s and %s share seed %d", run, other, rec.Seed)
		}
		seeds[rec.Seed] = run
	}
	trial, err := os.ReadFile(filepath.Join(exp, "trials/large/configs/trial.yaml"))
	if err != nil {
		t.Fatal(err)
	}
	for _, s := range []string{"name: large", "id: 2", "repeat: 3", "epochs: 2", "optimizer: sgd", "learning_rate: 0.001"} {
		if !strings.Contains(string(trial), s) {
			t.Errorf("trial.yaml lacks %q:\n%s", s, trial)
		}
	}
	result, err := os.ReadFile(filepath.Join(exp, "trials/small/repeat_2/artifacts/result.txt"))
	if err != nil {
		t.Fatal(err)
	}
	if !strings.HasPrefix(string(result), "small 2 ") || !strings.Contains(string(result), "[4 2] adam") {
		t.Errorf("small/repeat_2 result = %q: the trial did not see its typed settings", result)
	}
	log, err := os.ReadFile(filepath.Join(exp, "logs/experiment.log"))
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(string(log), "training") || !strings.Contains(string(log), "diverged") {
		t.Errorf("experiment.log lacks the runs' records:\n%s", log)
	}
}

func TestUnknownSettingFailsToCompile(t *testing.T) {
	files := map[string]string{"main.go": strings.Replace(e2eMain, "t.Settings.LearningRate", "t.Settings.LerningRate", 1)}
	for k, v := range e2eConfigs {
		files[k] = v
	}
	dir := newModule(t, files)
	goCmd(t, dir, "generate", "./...")
	out, err := goCmdErr(dir, "build", ".")
	if err == nil {
		t.Fatal("a program naming a setting that does not exist compiled")
	}
	if !strings.Contains(out, "LerningRate") {
		t.Errorf("the compile error does not name the misspelt setting:\n%s", out)
	}
}

func TestInvalidConfigFailsGenerate(t *testing.T) {
	files := map[string]string{"main.go": e2eMain}
	for k, v := range e2eConfigs {
		files[k] = v
	}
	files["configs/trials.yaml"] = strings.Replace(e2eConfigs["configs/trials.yaml"], "learning_rate: 0.01", "learning_rate: fast", 1)
	dir := newModule(t, files)
	out, err := goCmdErr(dir, "generate", "./...")
	if err == nil {
		t.Fatalf("go generate succeeded on an invalid config:\n%s", out)
	}
	if !regexp.MustCompile(`configs/trials\.yaml:6:20: .*learning_rate`).MatchString(out) {
		t.Errorf("go generate output lacks the positioned error configs/trials.yaml:6:20 naming learning_rate:\n%s", out)
	}
	if _, err := os.Stat(filepath.Join(dir, "experiment_gen.go")); !os.IsNotExist(err) {
		t.Errorf("experiment_gen.go was written despite the invalid config (stat: %v)", err)
	}
}
