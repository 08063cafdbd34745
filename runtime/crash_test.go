package runtime_test

import (
	"bufio"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"math/rand/v2"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/expman-dev/expman/runtime"
	"gopkg.in/yaml.v3"
)

// The tests in this file run the experiment in child processes (this test binary, started
// again with EXPMAN_CHILD set) so that they can kill them with real signals.

const (
	childTrials  = 5
	childRepeats = 4
)

// childSpec is the experiment the child processes run: 5 trials of 4 repeats.
func childSpec() []runtime.TrialSpec[settings] {
	var ts []runtime.TrialSpec[settings]
	for i := range childTrials {
		s := settings{ModelType: "mlp", LearningRate: float64(i + 1), Epochs: 3}
		ts = append(ts, runtime.TrialSpec[settings]{Name: "t" + strconv.Itoa(i), ID: i + 1, Repeat: childRepeats, Settings: s})
	}
	return ts
}

// TestChildProcess is the child's main; it does nothing in a normal test run.
func TestChildProcess(t *testing.T) {
	mode := os.Getenv("EXPMAN_CHILD")
	if mode == "" {
		t.Skip("helper process for the crash, sharing and signal tests")
	}
	opts := []runtime.Option{runtime.WithWorkspace(os.Getenv("EXPMAN_WS")), runtime.WithConsole(nil)}
	fn := childTrial(mode, os.Getenv("EXPMAN_MARKS"))
	if mode == "signal" {
		opts = append(opts, runtime.WithSignals(time.Minute), runtime.WithParallel(2))
	}
	if err := runtime.Run(context.Background(), spec, childSpec(), fn, opts...); err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(3)
	}
	os.Exit(0)
}

// childTrial records each execution in an O_APPEND marker file, and tells the parent of
// its progress with one "event" line on stdout after each write it makes.
func childTrial(mode, marks string) runtime.TrialFunc[settings] {
	return func(ctx context.Context, tr *runtime.Trial[settings]) error {
		mark(marks, tr, "start")
		fmt.Println("event")
		if mode == "signal" {
			<-ctx.Done()
			return ctx.Err()
		}
		for step := range 3 {
			if err := tr.Metric("loss", step, 1/float64(step+1)); err != nil {
				return err
			}
			fmt.Println("event")
		}
		if mode == "share" {
			time.Sleep(2 * time.Millisecond) // let the other processes reach this run's lock
		}
		if err := tr.Summary("final", 1); err != nil {
			return err
		}
		mark(marks, tr, "end")
		fmt.Println("event")
		return nil
	}
}

func mark(dir string, tr *runtime.Trial[settings], what string) {
	f, err := os.OpenFile(filepath.Join(dir, tr.RunName()), os.O_WRONLY|os.O_CREATE|os.O_APPEND, 0o644)
	if err != nil {
		panic(err)
	}
	fmt.Fprintf(f, "%s %d\n", what, os.Getpid())
	f.Close()
}

// child returns the command of a child process running the experiment in ws.
func child(t *testing.T, mode, ws, marks string) *exec.Cmd {
	t.Helper()
	cmd := exec.Command(os.Args[0], "-test.run=^TestChildProcess$", "-test.count=1")
	cmd.Env = append(os.Environ(), "EXPMAN_CHILD="+mode, "EXPMAN_WS="+ws, "EXPMAN_MARKS="+marks)
	return cmd
}

func childDirs(t *testing.T) (ws, marks string) {
	dir := t.TempDir()
	ws, marks = filepath.Join(dir, "ws"), filepath.Join(dir, "marks")
	if err := os.Mkdir(marks, 0o755); err != nil {
		t.Fatal(err)
	}
	return ws, marks
}

// runUntilEvent starts a child and kills it with SIGKILL right after its n-th event (plus
// up to 2ms, to land inside the runtime's own writes too). It reports whether the child
// was killed, and its error when it ended by itself.
func runUntilEvent(t *testing.T, cmd *exec.Cmd, n int, jitter time.Duration) (killed bool, err error) {
	out, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	var stderr strings.Builder
	cmd.Stderr = &stderr
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	sc := bufio.NewScanner(out)
	for seen := 0; sc.Scan(); {
		if sc.Text() == "event" {
			if seen++; seen == n {
				time.Sleep(jitter)
				cmd.Process.Kill()
				killed = true
				break
			}
		}
	}
	io.Copy(io.Discard, out)
	err = cmd.Wait()
	if killed {
		return true, nil
	}
	if err != nil {
		err = fmt.Errorf("%w; stderr:\n%s", err, stderr.String())
	}
	return killed, err
}

// TestKillAnywhereThenRestart kills the experiment with SIGKILL after a random number of its
// writes (plus a random delay, to land inside the runtime's own writes too), restarts it
// until it finishes, and checks the workspace. Rounds on fresh workspaces repeat until at
// least 20 kills happened, so the count does not depend on how fast the machine is.
func TestKillAnywhereThenRestart(t *testing.T) {
	if testing.Short() {
		t.Skip("starts dozens of processes")
	}
	rng := rand.New(rand.NewPCG(3, 5)) // fixed: a failure replays the same kill points
	kills := 0
	for round := 1; kills < 20; round++ {
		if round > 10 {
			t.Fatalf("only %d kills in %d rounds", kills, round-1)
		}
		kills += killUntilFinished(t, rng)
	}
	t.Logf("killed %d times", kills)
}

// killUntilFinished runs the experiment in a fresh workspace, killing it after 1 to 12
// events, until a start finishes; it checks the workspace and returns the number of kills.
func killUntilFinished(t *testing.T, rng *rand.Rand) int {
	t.Helper()
	ws, marks := childDirs(t)
	kills := 0
	for attempt := 0; ; attempt++ {
		if attempt > 500 {
			t.Fatal("the experiment never finished")
		}
		n := 1 + rng.IntN(12)
		killed, err := runUntilEvent(t, child(t, "crash", ws, marks), n, time.Duration(rng.IntN(2000))*time.Microsecond)
		if err != nil {
			t.Fatalf("after %d kills: %v", kills, err)
		}
		if !killed {
			break
		}
		kills++
	}
	// One more start finds nothing to do.
	if _, err := runUntilEvent(t, child(t, "crash", ws, marks), 1, 0); err != nil {
		t.Fatal(err)
	}
	checkWorkspace(t, ws, marks, false)
	return kills
}

// checkWorkspace asserts that every run completed, that no run executed again after the
// execution that completed it (or, with once, that every run executed exactly once), and
// that every JSON and YAML file parses.
func checkWorkspace(t *testing.T, ws, marks string, once bool) {
	t.Helper()
	for i := range childTrials {
		trial := "t" + strconv.Itoa(i)
		dir := filepath.Join(ws, "my_experiment/trials", trial)
		var cfg map[string]any
		if err := yaml.Unmarshal([]byte(readFile(t, filepath.Join(dir, "configs/trial.yaml"))), &cfg); err != nil {
			t.Errorf("%s trial.yaml: %v", trial, err)
		}
		for k := 1; k <= childRepeats; k++ {
			name := fmt.Sprintf("%s#%d", trial, k)
			rec := readRecord(t, filepath.Join(dir, "repeat_"+strconv.Itoa(k), "run.json"))
			if rec.Status != "completed" {
				t.Errorf("%s: status %q, want completed", name, rec.Status)
			}
			starts := markers(t, filepath.Join(marks, name), "start")
			switch {
			case len(starts) == 0:
				t.Errorf("%s never executed", name)
			case starts[len(starts)-1] != rec.Owner.PID:
				t.Errorf("%s executed by pids %v after pid %d completed it", name, starts, rec.Owner.PID)
			case once && len(starts) != 1:
				t.Errorf("%s executed %d times (pids %v), want once", name, len(starts), starts)
			}
			checkMetrics(t, name, filepath.Join(dir, "repeat_"+strconv.Itoa(k), "metrics.jsonl"))
		}
	}
}

type runJSON struct {
	Status    string             `json:"status"`
	Error     string             `json:"error"`
	GPU       string             `json:"gpu"`
	Hash      string             `json:"settings_hash"`
	Summaries map[string]float64 `json:"summaries"`
	Owner     struct {
		Host string `json:"host"`
		PID  int    `json:"pid"`
	} `json:"owner"`
}

func readRecord(t *testing.T, path string) runJSON {
	t.Helper()
	var rec runJSON
	if err := json.Unmarshal([]byte(readFile(t, path)), &rec); err != nil {
		t.Fatalf("%s: %v", path, err)
	}
	return rec
}

// markers returns the pids of the marker file's lines of kind what.
func markers(t *testing.T, path, what string) []int {
	data, err := os.ReadFile(path)
	if err != nil && !os.IsNotExist(err) {
		t.Fatal(err)
	}
	var pids []int
	for _, line := range strings.Split(strings.TrimSpace(string(data)), "\n") {
		if kind, pid, ok := strings.Cut(line, " "); ok && kind == what {
			n, _ := strconv.Atoi(pid)
			pids = append(pids, n)
		}
	}
	return pids
}

// checkMetrics asserts that every complete line of metrics.jsonl is a JSON object; only a
// last line without its newline may be cut.
func checkMetrics(t *testing.T, name, path string) {
	t.Helper()
	data, err := os.ReadFile(path)
	if err != nil {
		t.Errorf("%s: %v", name, err)
		return
	}
	lines := strings.SplitAfter(string(data), "\n")
	for _, line := range lines {
		if !strings.HasSuffix(line, "\n") {
			continue // a partial last line, from a killed writer
		}
		var v map[string]any
		if err := json.Unmarshal([]byte(line), &v); err != nil {
			t.Errorf("%s metrics.jsonl: line %q: %v", name, line, err)
		}
	}
}

func TestConcurrentProcessesShareTheWork(t *testing.T) {
	ws, marks := childDirs(t)
	var cmds []*exec.Cmd
	outs := make([]strings.Builder, 3)
	for i := range 3 {
		cmd := child(t, "share", ws, marks)
		cmd.Stderr = &outs[i]
		if err := cmd.Start(); err != nil {
			t.Fatal(err)
		}
		cmds = append(cmds, cmd)
	}
	for i, cmd := range cmds {
		if err := cmd.Wait(); err != nil {
			t.Errorf("process %d: %v\n%s", i, err, outs[i].String())
		}
	}
	checkWorkspace(t, ws, marks, true)
}

func TestSIGTERMInterruptsThenRestartCompletes(t *testing.T) {
	ws, marks := childDirs(t)
	cmd := child(t, "signal", ws, marks)
	out, _ := cmd.StdoutPipe()
	var stderr strings.Builder
	cmd.Stderr = &stderr
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	sc := bufio.NewScanner(out)
	for seen := 0; seen < 2 && sc.Scan(); seen++ {
	}
	// Two runs are in progress, waiting for their context.
	cmd.Process.Signal(syscall.SIGTERM)
	io.Copy(io.Discard, out)
	err := cmd.Wait()
	if code := cmd.ProcessState.ExitCode(); err == nil || code == 0 {
		t.Fatalf("child after SIGTERM: %v (exit %d), want a non-zero exit", err, code)
	}
	if !strings.Contains(stderr.String(), "received terminated") {
		t.Errorf("child's error does not name the signal:\n%s", stderr.String())
	}
	for _, r := range []string{"t0/repeat_1", "t0/repeat_2"} {
		rec := readRecord(t, filepath.Join(ws, "my_experiment/trials", r, "run.json"))
		if rec.Status != "interrupted" {
			t.Errorf("%s: status %q, want interrupted", r, rec.Status)
		}
	}
	if _, err := os.Stat(filepath.Join(ws, "my_experiment/trials/t0/repeat_3/run.json")); err == nil {
		t.Errorf("t0#3 started after the signal")
	}
	if _, err := runUntilEvent(t, child(t, "crash", ws, marks), -1, 0); err != nil {
		t.Fatal(err)
	}
	checkWorkspace(t, ws, marks, false)
}
