package cli

import (
	"context"
	"encoding/json"
	"errors"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"
)

// TestMain lets a test start this test binary as the expman command, to send it real
// signals: with EXPMAN_TEST_MAIN set it runs the command line and exits, as main does.
func TestMain(m *testing.M) {
	if os.Getenv("EXPMAN_TEST_MAIN") == "1" {
		os.Exit(Main(context.Background(), os.Args[1:], os.Stdout, os.Stderr))
	}
	os.Exit(m.Run())
}

// The Python example's configs: two trials of two repeats. The shell scripts below use
// them too.
const pythonConfigs = "../../../../examples/python/configs"

// shScript writes a /bin/sh script and returns its absolute path.
func shScript(t *testing.T, body string) string {
	t.Helper()
	path := filepath.Join(t.TempDir(), "train.sh")
	if err := os.WriteFile(path, []byte("#!/bin/sh\n"+body), 0o755); err != nil {
		t.Fatal(err)
	}
	return path
}

type runJSONRecord struct {
	Status    string             `json:"status"`
	Error     string             `json:"error"`
	Summaries map[string]float64 `json:"summaries"`
}

func readRun(t *testing.T, ws, trial string, k int) runJSONRecord {
	t.Helper()
	data, err := os.ReadFile(filepath.Join(ws, "python_logreg", "trials", trial, "repeat_"+strconv.Itoa(k), "run.json"))
	if err != nil {
		t.Fatal(err)
	}
	var r runJSONRecord
	if err := json.Unmarshal(data, &r); err != nil {
		t.Fatal(err)
	}
	return r
}

func TestRunUsage(t *testing.T) {
	for _, c := range []struct {
		args []string
		code int
		want string
	}{
		{[]string{"run", "-h"}, exitOK, "Examples:\n\texpman run -config ./configs -- python3"},
		{[]string{"run", "--", "true"}, exitUsage, "expman run: -config is required"},
		{[]string{"run", "-config", pythonConfigs}, exitUsage, "expman run: no COMMAND given; write it after --"},
		{[]string{"run", "-config", pythonConfigs, "-parallel", "0", "--", "true"}, exitUsage, `invalid value "0" for flag -parallel`},
		{[]string{"run", "-nope", "--", "true"}, exitUsage, "flag provided but not defined: -nope"},
	} {
		code, stdout, stderr := run(t, c.args...)
		if code != c.code || !strings.Contains(stderr, c.want) || stdout != "" {
			t.Errorf("%q: exit %d, stdout %q, stderr:\n%s\nwant exit %d and %q", c.args, code, stdout, stderr, c.code, c.want)
		}
	}
	_, _, stderr := run(t, "run", "-h")
	for _, flag := range []string{"-keep-cwd", "-tee", "-workspace", "-parallel", "-gpus", "-timeout", "-dry-run", "EXPMAN_METRICS_FILE", `"summary": true`} {
		if !strings.Contains(stderr, flag) {
			t.Errorf("expman run -h does not mention %s", flag)
		}
	}
}

// TestRunBadInputWritesNothing: bad configs, an unknown placeholder and a missing program
// are errors before anything runs, and the workspace is not created.
func TestRunBadInputWritesNothing(t *testing.T) {
	bad := filepath.Join(badCases, "many_errors")
	golden, err := os.ReadFile(filepath.Join(bad, "errors.golden"))
	if err != nil {
		t.Fatal(err)
	}
	for _, c := range []struct {
		name string
		args []string
		want []string
	}{
		{"bad configs", []string{"-config", bad, "--", "true"}, []string{strings.TrimSpace(prefixPositions(string(golden), bad))}},
		{"bad command", []string{"-config", pythonConfigs, "--", "no-such-program-xyz", "--lr", "{lerning_rate}", "{data}", "{epochs"},
			[]string{
				`command "no-such-program-xyz" not found in PATH`,
				`argument 2 "{lerning_rate}": unknown placeholder {lerning_rate}; did you mean {learning_rate}? Settings: batch_size, data.noise, data.points, data.seed, epochs, l2, learning_rate.`,
				`argument 3 "{data}": setting data is a mapping; name one of its values instead, such as {data.noise}` + "\n",
				`argument 4 "{epochs": "{" at byte 1 is not closed`,
				"4 errors",
			}},
	} {
		t.Run(c.name, func(t *testing.T) {
			ws := filepath.Join(t.TempDir(), "ws")
			code, stdout, stderr := run(t, append([]string{"run", "-workspace", ws}, c.args...)...)
			if code != exitFail || stdout != "" {
				t.Errorf("exit %d, stdout %q; want 1 and nothing", code, stdout)
			}
			for _, w := range c.want {
				if !strings.Contains(stderr, w) {
					t.Errorf("stderr lacks %q:\n%s", w, stderr)
				}
			}
			if _, err := os.Stat(ws); !errors.Is(err, os.ErrNotExist) {
				t.Errorf("the workspace was created on bad input (%v)", err)
			}
		})
	}
}

// TestRunCompletesFailsAndResumes: a script that fails one run the first time; a second
// start reruns only that run, and a third runs nothing.
func TestRunCompletesFailsAndResumes(t *testing.T) {
	ws := filepath.Join(t.TempDir(), "ws")
	calls := filepath.Join(t.TempDir(), "calls.txt")
	sh := shScript(t, `echo "$EXPMAN_TRIAL#$EXPMAN_REPEAT" >> "$1"
echo "{\"name\":\"loss\",\"step\":1,\"value\":$2}" >> "$EXPMAN_METRICS_FILE"
echo "{\"name\":\"score\",\"value\":$EXPMAN_REPEAT,\"summary\":true}" >> "$EXPMAN_METRICS_FILE"
if [ "$EXPMAN_TRIAL#$EXPMAN_REPEAT" = "fast#2" ] && [ ! -e "$1.failed" ]; then
  : > "$1.failed"
  echo "diverged at epoch 3" >&2
  exit 7
fi
`)
	args := []string{"run", "-config", pythonConfigs, "-workspace", ws, "--", sh, calls, "{learning_rate}"}
	code, _, stderr := run(t, args...)
	if code != exitFail || !strings.Contains(stderr, "1 run failed: fast#2 ("+sh+" exited with status 7: diverged at epoch 3)") {
		t.Fatalf("first start: exit %d, stderr:\n%s", code, stderr)
	}
	if r := readRun(t, ws, "fast", 2); r.Status != "failed" || !strings.Contains(r.Error, "last 1 lines of stderr:\n    diverged at epoch 3") {
		t.Errorf("fast#2: %s %q", r.Status, r.Error)
	}
	if r := readRun(t, ws, "slow_regularised", 2); r.Status != "completed" || r.Summaries["score"] != 2 {
		t.Errorf("slow_regularised#2: %s, summaries %v", r.Status, r.Summaries)
	}
	metrics, _ := os.ReadFile(filepath.Join(ws, "python_logreg", "trials", "fast", "repeat_1", "metrics.jsonl"))
	if !strings.Contains(string(metrics), `"name":"loss","step":1,"value":0.5,`) {
		t.Errorf("fast#1 metrics.jsonl = %s", metrics)
	}

	if code, _, stderr := run(t, args...); code != exitOK {
		t.Fatalf("second start: exit %d:\n%s", code, stderr)
	}
	if code, _, stderr := run(t, args...); code != exitOK {
		t.Fatalf("third start: exit %d:\n%s", code, stderr)
	}
	got, _ := os.ReadFile(calls)
	want := "fast#1\nfast#2\nslow_regularised#1\nslow_regularised#2\nfast#2\n"
	if string(got) != want {
		t.Errorf("runs started:\n%s\nwant:\n%s", got, want)
	}
	if r := readRun(t, ws, "fast", 2); r.Status != "completed" || r.Error != "" {
		t.Errorf("fast#2 after resume: %s %q", r.Status, r.Error)
	}
}

// TestRunTeeAndDryRun: -tee shows the output prefixed; -dry-run runs nothing.
func TestRunTeeAndDryRun(t *testing.T) {
	ws := filepath.Join(t.TempDir(), "ws")
	sh := shScript(t, `echo "lr=$1"; echo "warn" >&2`)
	code, stdout, stderr := run(t, "run", "-config", pythonConfigs, "-workspace", ws, "-dry-run", "--", sh, "{learning_rate}")
	if code != exitOK || !strings.Contains(stdout, "4 to run") {
		t.Errorf("-dry-run: exit %d, stdout:\n%s\nstderr:\n%s", code, stdout, stderr)
	}
	if _, err := os.Stat(filepath.Join(ws, "python_logreg", "trials")); !errors.Is(err, os.ErrNotExist) {
		t.Errorf("-dry-run created trial folders (%v)", err)
	}
	// A relative path to an existing file works only with -keep-cwd: a warning says so.
	_, _, stderr = run(t, "run", "-config", pythonConfigs, "-workspace", ws, "-dry-run", "--", "sh", "run_test.go", "-x", "{seed}")
	if want := `expman run: warning: "run_test.go" is a path relative to the current folder, but the command runs in each run's folder; give "$PWD/run_test.go" or use -keep-cwd`; !strings.Contains(stderr, want) {
		t.Errorf("no warning about a relative path:\n%s", stderr)
	}
	_, _, stderr = run(t, "run", "-config", pythonConfigs, "-workspace", ws, "-dry-run", "-keep-cwd", "--", "sh", "run_test.go")
	if strings.Contains(stderr, "warning") {
		t.Errorf("a warning with -keep-cwd:\n%s", stderr)
	}
	code, stdout, stderr = run(t, "run", "-config", pythonConfigs, "-workspace", ws, "-tee", "-run", "^fast$", "--", sh, "{learning_rate}")
	if code != exitOK || stdout != "fast#1 | lr=0.5\nfast#2 | lr=0.5\n" {
		t.Errorf("-tee: exit %d, stdout %q", code, stdout)
	}
	if !strings.Contains(stderr, "fast#1 | warn\n") {
		t.Errorf("-tee: stderr lacks the child's prefixed stderr:\n%s", stderr)
	}
}

// TestRunPythonExample runs examples/python end to end, as its README says.
func TestRunPythonExample(t *testing.T) {
	if _, err := exec.LookPath("python3"); err != nil {
		t.Skip("python3 not found")
	}
	script, err := filepath.Abs("../../../../examples/python/train.py")
	if err != nil {
		t.Fatal(err)
	}
	ws := filepath.Join(t.TempDir(), "ws")
	code, _, stderr := run(t, "run", "-config", pythonConfigs, "-workspace", ws, "-parallel", "2", "--", "python3", script)
	if code != exitOK {
		t.Fatalf("exit %d:\n%s", code, stderr)
	}
	for _, trial := range []string{"fast", "slow_regularised"} {
		for k := 1; k <= 2; k++ {
			r := readRun(t, ws, trial, k)
			if r.Status != "completed" || r.Summaries["test_accuracy"] < 0.8 || r.Summaries["test_loss"] <= 0 {
				t.Errorf("%s#%d: %s, summaries %v", trial, k, r.Status, r.Summaries)
			}
			dir := filepath.Join(ws, "python_logreg", "trials", trial, "repeat_"+strconv.Itoa(k))
			metrics, _ := os.ReadFile(filepath.Join(dir, "metrics.jsonl"))
			if n := strings.Count(string(metrics), `"name":"loss"`); n != 30 {
				t.Errorf("%s#%d: %d loss points, want 30 (epochs from experiment.yaml)", trial, k, n)
			}
			if _, err := os.Stat(filepath.Join(dir, "artifacts", "weights.json")); err != nil {
				t.Errorf("%s#%d: %v", trial, k, err)
			}
			if out, _ := os.ReadFile(filepath.Join(dir, "logs", "stdout.log")); !strings.Contains(string(out), "test accuracy") {
				t.Errorf("%s#%d: stdout.log = %q", trial, k, out)
			}
		}
	}
	csv, err := os.ReadFile(filepath.Join(ws, "python_logreg", "results.csv"))
	if err != nil || !strings.Contains(string(csv), "test_accuracy_mean") {
		t.Errorf("results.csv: %v\n%s", err, csv)
	}
}

// TestRunSIGTERM sends SIGTERM to a real expman process: the child's whole process group
// stops, the run is interrupted, and nothing is left running.
func TestRunSIGTERM(t *testing.T) {
	ws := filepath.Join(t.TempDir(), "ws")
	sh := shScript(t, `sleep 300 &
echo $! > sleep.pid
echo $$ > sh.pid
: > started
wait
`)
	self, err := os.Executable()
	if err != nil {
		t.Fatal(err)
	}
	cmd := exec.Command(self, "run", "-config", pythonConfigs, "-workspace", ws, "-run", "^fast$", "-repeat", "1", "--", sh)
	cmd.Env = append(os.Environ(), "EXPMAN_TEST_MAIN=1")
	var stderr strings.Builder
	cmd.Stderr = &stderr
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	dir := filepath.Join(ws, "python_logreg", "trials", "fast", "repeat_1")
	for i := 0; ; i++ {
		if _, err := os.Stat(filepath.Join(dir, "started")); err == nil {
			break
		}
		if i == 3000 {
			cmd.Process.Kill()
			t.Fatalf("the child never started:\n%s", stderr.String())
		}
		time.Sleep(10 * time.Millisecond)
	}
	if err := cmd.Process.Signal(syscall.SIGTERM); err != nil {
		t.Fatal(err)
	}
	err = cmd.Wait()
	var exitErr *exec.ExitError
	if !errors.As(err, &exitErr) || exitErr.ExitCode() == 0 {
		t.Errorf("expman exited with %v after SIGTERM, want a failure status:\n%s", err, stderr.String())
	}
	if r := readRun(t, ws, "fast", 1); r.Status != "interrupted" {
		t.Errorf("run.json status %s, want interrupted: %s", r.Status, r.Error)
	}
	for _, f := range []string{"sh.pid", "sleep.pid"} {
		data, err := os.ReadFile(filepath.Join(dir, f))
		if err != nil {
			t.Fatal(err)
		}
		pid, _ := strconv.Atoi(strings.TrimSpace(string(data)))
		if running(pid) {
			t.Errorf("%s: process %d still runs after expman ended", f, pid)
			syscall.Kill(pid, syscall.SIGKILL)
		}
	}
}

// running reports whether pid runs: exists and is not a zombie (where the system's first
// process does not reap orphans, a killed orphan stays one).
func running(pid int) bool {
	if _, err := os.Stat("/proc/self/stat"); err != nil {
		return syscall.Kill(pid, 0) == nil // no /proc: zombies count as running
	}
	data, err := os.ReadFile("/proc/" + strconv.Itoa(pid) + "/stat")
	if err != nil {
		return false
	}
	s := string(data)
	fields := strings.Fields(s[strings.LastIndexByte(s, ')')+1:])
	return len(fields) > 0 && fields[0] != "Z" && fields[0] != "X"
}

// TestRunSchemaElsewhere: -schema takes the settings schema from outside the config folder,
// and its errors name it as given.
func TestRunSchemaElsewhere(t *testing.T) {
	dir := t.TempDir()
	cfg := filepath.Join(dir, "configs")
	if err := os.MkdirAll(cfg, 0o755); err != nil {
		t.Fatal(err)
	}
	for _, f := range []string{"experiment.yaml", "base.yaml", "trials.yaml"} {
		data, err := os.ReadFile(filepath.Join(pythonConfigs, f))
		if err != nil {
			t.Fatal(err)
		}
		os.WriteFile(filepath.Join(cfg, f), data, 0o644)
	}
	sch, _ := os.ReadFile(filepath.Join(pythonConfigs, "settings.schema.json"))
	schemaPath := filepath.Join(dir, "schemas", "logreg.json")
	os.MkdirAll(filepath.Dir(schemaPath), 0o755)
	os.WriteFile(schemaPath, sch, 0o644)

	ws := filepath.Join(dir, "ws")
	code, _, stderr := run(t, "run", "-config", cfg, "-schema", schemaPath, "-workspace", ws, "-repeat", "1", "--", "/bin/true")
	if code != exitOK {
		t.Fatalf("exit %d:\n%s", code, stderr)
	}
	if got, err := os.ReadFile(filepath.Join(ws, "python_logreg", "configs", "settings.schema.json")); err != nil || string(got) != string(sch) {
		t.Errorf("the workspace's settings.schema.json is not the schema given (%v)", err)
	}

	os.WriteFile(schemaPath, []byte(`{"type": 5}`), 0o644)
	code, _, stderr = run(t, "run", "-config", cfg, "-schema", schemaPath, "-workspace", ws, "--", "/bin/true")
	if code != exitFail || !strings.HasPrefix(stderr, filepath.ToSlash(schemaPath)+":1:") {
		t.Errorf("bad schema: exit %d, stderr %q", code, stderr)
	}
}
