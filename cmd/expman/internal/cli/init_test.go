package cli

import (
	"encoding/json"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"testing"

	"github.com/expman-dev/expman/schema/config"
)

// TestInitGoBuildsAndRuns scaffolds the Go variant into a fresh module that requires this
// repository through a replace directive, then does what the README says: go generate and
// go run. Every run must complete with its metrics and summary on disk.
func TestInitGoBuildsAndRuns(t *testing.T) {
	mod := newTestModule(t)
	dir := filepath.Join(mod, "lr_study")
	code, stdout, stderr := run(t, "init", dir)
	if code != exitOK {
		t.Fatalf("init: exit %d: %s", code, stderr)
	}
	// The module requires expman already, so the next steps are only these.
	if !strings.HasSuffix(stdout, "\tcd "+dir+"\n\tgo generate && go run .\n") {
		t.Errorf("next steps inside a module that requires expman:\n%s", stdout)
	}
	checkScaffoldConfigs(t, dir, "lr_study")

	// What the README says: go generate && go run ., and go mod tidy must not break it.
	goTool(t, dir, "generate")
	goTool(t, mod, "mod", "tidy")
	t.Setenv("GOFLAGS", "-mod=readonly") // after tidy, go.mod and go.sum must be complete
	goTool(t, dir, "generate")
	out := goTool(t, dir, "run", ".", "-workspace", "ws")
	exp := filepath.Join(dir, "ws", "lr_study")
	if _, err := os.Stat(exp); err != nil {
		t.Fatalf("%v\nprogram output:\n%s", err, out)
	}
	checkScaffoldRuns(t, exp)

	// The untyped plan, run as the README says, agrees with the typed program: everything
	// it ran is complete.
	plan := goTool(t, dir, "tool", "expman", "plan", "-config", "configs", "-workspace", "ws")
	if !strings.Contains(plan, ": 0 to run, 9 to skip\n") {
		t.Errorf("plan after the runs:\n%s", plan)
	}
	// And runs again resume: nothing runs twice.
	again := goTool(t, dir, "run", ".", "-workspace", "ws", "-dry-run")
	if strings.Count(again, "skip  completed") != 9 {
		t.Errorf("a second start would not skip the 9 completed runs:\n%s", again)
	}
}

func TestInitCommandVariants(t *testing.T) {
	for _, tc := range []struct{ script, file, runLine string }{
		{"python", "train.py", `expman run -config configs -- python3 "$PWD/train.py"`},
		{"sh", "train.sh", `expman run -config configs -- sh "$PWD/train.sh" {learning_rate} {epochs} {momentum}`},
	} {
		t.Run(tc.script, func(t *testing.T) {
			dir := filepath.Join(t.TempDir(), "cmd_exp")
			code, stdout, stderr := run(t, "init", "-lang", "command", "-script", tc.script, dir)
			if code != exitOK {
				t.Fatalf("exit %d: %s", code, stderr)
			}
			if !strings.Contains(stdout, tc.runLine) {
				t.Errorf("next steps lack %q:\n%s", tc.runLine, stdout)
			}
			checkScaffoldConfigs(t, dir, "cmd_exp")
			info, err := os.Stat(filepath.Join(dir, tc.file))
			if err != nil {
				t.Fatal(err)
			}
			if info.Mode().Perm()&0o111 == 0 {
				t.Errorf("%s is not executable: %v", tc.file, info.Mode())
			}
			readme, _ := os.ReadFile(filepath.Join(dir, "README.md"))
			if !strings.Contains(string(readme), tc.runLine) {
				t.Errorf("README.md lacks the run command %q:\n%s", tc.runLine, readme)
			}
			if _, err := os.Stat(filepath.Join(dir, "main.go")); err == nil {
				t.Error("the command variant wrote a main.go")
			}
			runScaffoldScript(t, dir, tc.file)
			runScaffoldExperiment(t, dir, tc.runLine)
		})
	}
}

// runScaffoldExperiment runs the README's expman run command line in dir, and checks that
// every run completed with its metrics and summary.
func runScaffoldExperiment(t *testing.T, dir, runLine string) {
	t.Helper()
	if !slices.ContainsFunc(commands(), func(c command) bool { return c.name == "run" }) {
		t.Log("expman has no run command; the scripts were run directly only")
		return
	}
	if strings.Contains(runLine, "python3") {
		if _, err := exec.LookPath("python3"); err != nil {
			t.Skip("no python3")
		}
	}
	args := strings.Fields(strings.ReplaceAll(strings.TrimPrefix(runLine, "expman "), `"$PWD`, `"`+dir))
	for i, a := range args {
		args[i] = strings.Trim(a, `"`)
	}
	ws := filepath.Join(t.TempDir(), "ws")
	args = append(args[:1], append([]string{"-workspace", ws}, args[1:]...)...)
	t.Chdir(dir)
	code, stdout, stderr := run(t, args...)
	if code != exitOK {
		t.Fatalf("expman %s: exit %d\nstdout:\n%s\nstderr:\n%s", strings.Join(args, " "), code, stdout, stderr)
	}
	checkScaffoldRuns(t, filepath.Join(ws, "cmd_exp"))
}

// scaffoldRuns are the run folders the scaffolded experiment makes, relative to its
// experiment folder.
func scaffoldRuns() []string {
	var out []string
	for _, trial := range []string{"baseline", "momentum"} {
		for k := 1; k <= 3; k++ {
			out = append(out, filepath.Join("trials", trial, "repeat_"+strconv.Itoa(k)))
		}
	}
	for _, lr := range []string{"0.3", "0.1", "0.03"} {
		out = append(out, filepath.Join("trials", "lr_grid", "learning_rate="+lr, "repeat_1"))
	}
	return out
}

// checkScaffoldRuns checks every run of the scaffolded experiment in its folder exp.
func checkScaffoldRuns(t *testing.T, exp string) {
	t.Helper()
	for _, r := range scaffoldRuns() {
		checkScaffoldRun(t, filepath.Join(exp, r))
	}
}

// checkScaffoldRun checks that a run of the scaffolded experiment completed with 50 loss
// points (experiment.yaml's epochs) and its final_loss summary.
func checkScaffoldRun(t *testing.T, runDir string) {
	t.Helper()
	var rec struct {
		Status    string
		Summaries map[string]float64
	}
	data, err := os.ReadFile(filepath.Join(runDir, "run.json"))
	if err != nil {
		t.Fatal(err)
	}
	if err := json.Unmarshal(data, &rec); err != nil {
		t.Fatal(err)
	}
	if _, ok := rec.Summaries["final_loss"]; rec.Status != "completed" || !ok {
		t.Errorf("%s: status %q, summaries %v; want completed with final_loss", runDir, rec.Status, rec.Summaries)
	}
	metrics, err := os.ReadFile(filepath.Join(runDir, "metrics.jsonl"))
	if err != nil {
		t.Fatal(err)
	}
	if n := strings.Count(string(metrics), `"name":"loss"`); n != 50 {
		t.Errorf("%s: %d loss points, want 50 (experiment.yaml's epochs)", runDir, n)
	}
}

// runScaffoldScript runs the script as expman run would, with its settings delivered by
// the environment and the command line, and checks what it reports.
func runScaffoldScript(t *testing.T, dir, script string) {
	t.Helper()
	work := t.TempDir()
	settings := filepath.Join(work, "settings.json")
	metrics := filepath.Join(work, "metrics.jsonl")
	os.WriteFile(settings, []byte(`{"epochs": 5, "learning_rate": 0.1, "momentum": 0.5}`), 0o644)
	var cmd *exec.Cmd
	if script == "train.py" {
		if _, err := exec.LookPath("python3"); err != nil {
			t.Skip("no python3")
		}
		cmd = exec.Command("python3", filepath.Join(dir, script))
	} else {
		cmd = exec.Command("sh", filepath.Join(dir, script), "0.1", "5", "0.5")
	}
	cmd.Dir = work
	cmd.Env = append(os.Environ(), "EXPMAN_SETTINGS_FILE="+settings, "EXPMAN_METRICS_FILE="+metrics, "EXPMAN_SEED=42")
	if out, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("%s: %v\n%s", script, err, out)
	}
	data, err := os.ReadFile(metrics)
	if err != nil {
		t.Fatal(err)
	}
	lines := strings.Split(strings.TrimSpace(string(data)), "\n")
	if len(lines) != 6 {
		t.Fatalf("%s reported %d lines, want 5 losses and a summary:\n%s", script, len(lines), data)
	}
	for i, l := range lines {
		var rec struct {
			Name    string
			Step    *int
			Value   *float64
			Summary bool
		}
		if err := json.Unmarshal([]byte(l), &rec); err != nil || rec.Value == nil {
			t.Fatalf("line %d is not a metric: %q (%v)", i+1, l, err)
		}
		last := i == len(lines)-1
		if last && (rec.Name != "final_loss" || !rec.Summary) || !last && (rec.Name != "loss" || rec.Step == nil || *rec.Step != i+1) {
			t.Errorf("line %d = %q", i+1, l)
		}
	}
}

// checkScaffoldConfigs loads the scaffolded configs as every command would.
func checkScaffoldConfigs(t *testing.T, dir, name string) {
	t.Helper()
	cfg, err := config.Load(os.DirFS(filepath.Join(dir, "configs")), config.Options{})
	if err != nil {
		t.Fatalf("the scaffolded configs do not load: %v", err)
	}
	if cfg.Experiment.Name != name || len(cfg.Trials) != 5 {
		t.Errorf("experiment %q with %d trials; want %q with 5 (3 from a sweep)", cfg.Experiment.Name, len(cfg.Trials), name)
	}
	for _, f := range []string{"experiment.yaml", "base.yaml", "trials.yaml"} {
		data, _ := os.ReadFile(filepath.Join(dir, "configs", f))
		if !strings.HasPrefix(string(data), "# "+f+": ") {
			t.Errorf("%s does not start with a comment explaining it:\n%.200s", f, data)
		}
	}
}

func TestInitRefusesToOverwrite(t *testing.T) {
	dir := t.TempDir()
	os.MkdirAll(filepath.Join(dir, "configs"), 0o755)
	os.WriteFile(filepath.Join(dir, "main.go"), []byte("package mine\n"), 0o644)
	os.WriteFile(filepath.Join(dir, "configs", "trials.yaml"), []byte("[]\n"), 0o644)

	code, stdout, stderr := run(t, "init", "-name", "x", dir)
	if code != exitFail || stdout != "" {
		t.Fatalf("exit %d, stdout %q", code, stdout)
	}
	for _, f := range []string{"main.go", filepath.Join("configs", "trials.yaml"), "-force"} {
		if !strings.Contains(stderr, f) {
			t.Errorf("error does not name %s:\n%s", f, stderr)
		}
	}
	if entries, _ := os.ReadDir(filepath.Join(dir, "configs")); len(entries) != 1 {
		t.Errorf("init wrote %d files into configs/ after refusing", len(entries)-1)
	}
	if data, _ := os.ReadFile(filepath.Join(dir, "main.go")); string(data) != "package mine\n" {
		t.Errorf("main.go was changed: %q", data)
	}

	if code, _, stderr := run(t, "init", "-force", "-name", "x", dir); code != exitOK {
		t.Fatalf("-force: exit %d: %s", code, stderr)
	}
	if data, _ := os.ReadFile(filepath.Join(dir, "main.go")); !strings.Contains(string(data), "//go:generate") {
		t.Errorf("-force did not overwrite main.go:\n%s", data)
	}
}

func TestInitBadInput(t *testing.T) {
	tmp := t.TempDir()
	for _, tc := range []struct {
		args     []string
		code     int
		inStderr string
	}{
		{[]string{"init"}, exitUsage, "DIR is required"},
		{[]string{"init", "a", "b"}, exitUsage, `unexpected argument "b"`},
		{[]string{"init", "-lang", "rust", tmp}, exitUsage, `-lang must be go or command, not "rust"`},
		{[]string{"init", "-lang", "command", "-script", "perl", tmp}, exitUsage, `-script must be python or sh`},
		{[]string{"init", "-script", "sh", tmp}, exitUsage, "-script goes with -lang command"},
		{[]string{"init", "-name", "my exp", tmp}, exitUsage, `experiment name "my exp" is not a valid folder name`},
		{[]string{"init", filepath.Join(tmp, "bad name")}, exitFail, "pass -name NAME"},
	} {
		code, _, stderr := run(t, tc.args...)
		if code != tc.code || !strings.Contains(stderr, tc.inStderr) {
			t.Errorf("expman %s: exit %d, want %d; stderr lacks %q:\n%s", strings.Join(tc.args, " "), code, tc.code, tc.inStderr, stderr)
		}
	}
	if entries, _ := os.ReadDir(tmp); len(entries) != 0 {
		t.Errorf("bad input wrote %d entries", len(entries))
	}
}

// newTestModule writes an empty module that requires this repository through a replace
// directive, with this repository's go.sum.
func newTestModule(t *testing.T) string {
	t.Helper()
	if testing.Short() {
		t.Skip("builds a module; skipped with -short")
	}
	gomod, err := exec.Command("go", "env", "GOMOD").Output()
	if err != nil {
		t.Fatalf("go env GOMOD: %v", err)
	}
	root := filepath.Dir(strings.TrimSpace(string(gomod)))
	dir := t.TempDir()
	mod := "module example.com/study\n\ngo 1.24.0\n\ntool " + modulePath + "/cmd/expman\n\nrequire " + modulePath + " v0.0.0\n\nreplace " + modulePath + " => " + root + "\n"
	sum, err := os.ReadFile(filepath.Join(root, "go.sum"))
	if err != nil {
		t.Fatal(err)
	}
	os.WriteFile(filepath.Join(dir, "go.mod"), []byte(mod), 0o644)
	os.WriteFile(filepath.Join(dir, "go.sum"), sum, 0o644)
	return dir
}

// goTool runs the go command in dir. GOFLAGS defaults to -mod=mod, so go.mod and go.sum
// are completed; the module proxy stays reachable as configured, since a fresh module
// cache lacks the go.mod files of test-only dependencies that go mod tidy reads.
func goTool(t *testing.T, dir string, args ...string) string {
	t.Helper()
	cmd := exec.Command("go", args...)
	cmd.Dir = dir
	flags := os.Getenv("GOFLAGS") // the machine's own, such as -buildvcs=false, stay
	if !strings.Contains(flags, "-mod=") {
		flags = strings.TrimSpace(flags + " -mod=mod")
	}
	cmd.Env = append(os.Environ(), "GOWORK=off", "GOFLAGS="+flags)
	out, err := cmd.CombinedOutput()
	if err != nil {
		t.Fatalf("go %s: %v\n%s", strings.Join(args, " "), err, out)
	}
	return string(out)
}
