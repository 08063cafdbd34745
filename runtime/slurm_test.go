package runtime_test

import (
	"bufio"
	"bytes"
	"encoding/json"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/expman-dev/expman/runtime"
	"github.com/expman-dev/expman/runtime/internal/slurm"
	"github.com/expman-dev/expman/runtime/results"
)

// The tests in this file submit a real program (testdata/slurmprog) to a real Slurm.
// They run when EXPMAN_SLURM=1 says a Slurm is up on this machine (.ci/slurm-up.sh starts
// a single-node one; .ci/run does both); otherwise they skip. Without it, only the
// contract test of the local executor and the dry run, which need no Slurm, run.

// progDir holds the test program, built once per test binary into a temporary folder
// that the Slurm node sees (here, it is this machine); TestMain removes it.
var progDir = sync.OnceValues(func() (string, error) { return os.MkdirTemp("", "expman-slurmprog-") })

func TestMain(m *testing.M) {
	code := m.Run()
	if dir, err := progDir(); err == nil {
		os.RemoveAll(dir)
	}
	os.Exit(code)
}

// buildProg builds testdata/slurmprog once per test binary.
var buildProg = sync.OnceValues(func() (string, error) {
	dir, err := progDir()
	if err != nil {
		return "", err
	}
	bin := filepath.Join(dir, "slurmprog")
	out, err := exec.Command("go", "build", "-o", bin, "./testdata/slurmprog").CombinedOutput()
	if err != nil {
		return "", fmt.Errorf("go build ./testdata/slurmprog: %v\n%s", err, out)
	}
	return bin, nil
})

func prog(t *testing.T) string {
	t.Helper()
	if testing.Short() {
		t.Skip("builds and runs a program; skipped with -short")
	}
	bin, err := buildProg()
	if err != nil {
		t.Fatal(err)
	}
	return bin
}

// needSlurm skips the test unless EXPMAN_SLURM=1, and fails it when that is set but no
// Slurm answers: CI must never pass by skipping.
func needSlurm(t *testing.T) {
	t.Helper()
	if os.Getenv("EXPMAN_SLURM") != "1" {
		t.Skip("needs a real Slurm: run bash .ci/slurm-up.sh (as root) and set EXPMAN_SLURM=1")
	}
	if _, err := exec.LookPath("sinfo"); err != nil {
		t.Fatal("EXPMAN_SLURM=1 but sinfo is not installed: run bash .ci/slurm-up.sh")
	}
	out, err := exec.Command("sinfo", "-h", "-o", "%T").Output()
	if err != nil || !regexp.MustCompile(`idle|mixed|alloc|completing`).Match(out) {
		t.Fatalf("EXPMAN_SLURM=1 but Slurm has no usable node (sinfo: %q, %v): run bash .ci/slurm-up.sh", out, err)
	}
	t.Parallel()
}

// env is one test's folder: the program runs there with -workspace ws and -marks marks.
type env struct {
	t           *testing.T
	bin, dir    string
	ws, marks   string
	exp, expDir string
}

func newEnv(t *testing.T, exp string) *env {
	dir := t.TempDir()
	e := &env{t: t, bin: prog(t), dir: dir, ws: filepath.Join(dir, "ws"), marks: filepath.Join(dir, "marks"), exp: exp}
	e.expDir = filepath.Join(e.ws, exp)
	if err := os.Mkdir(e.marks, 0o755); err != nil {
		t.Fatal(err)
	}
	return e
}

// run starts the program with args plus the test's experiment, workspace and marks, and
// returns its standard output; a non-zero exit fails the test.
func (e *env) run(args ...string) string {
	e.t.Helper()
	cmd := exec.Command(e.bin, append([]string{"-exp", e.exp, "-workspace", "ws", "-marks", e.marks}, args...)...)
	cmd.Dir = e.dir
	var stdout, stderr bytes.Buffer
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	if err := cmd.Run(); err != nil {
		e.t.Fatalf("%s: %v\nstdout:\n%s\nstderr:\n%s", cmd, err, &stdout, &stderr)
	}
	return stdout.String()
}

var submittedRE = regexp.MustCompile(`submitted (\d+) runs? as Slurm job (\d+) `)

// submit runs the program with -slurm and returns the job id and how many runs it
// submitted.
func (e *env) submit(args ...string) (job string, runs int) {
	e.t.Helper()
	out := e.run(append([]string{"-slurm"}, args...)...)
	m := submittedRE.FindStringSubmatch(out)
	if m == nil {
		e.t.Fatalf("-slurm printed %q; want \"submitted N runs as Slurm job ID\"", out)
	}
	n, _ := strconv.Atoi(m[1])
	return m[2], n
}

// wait waits until Slurm no longer has job, failing the test after within.
func (e *env) wait(job string, within time.Duration) {
	e.t.Helper()
	deadline := time.Now().Add(within)
	for {
		tasks, err := slurm.Queue(e.t.Context(), []string{job})
		if err != nil {
			e.t.Fatal(err)
		}
		if len(tasks) == 0 {
			return
		}
		if time.Now().After(deadline) {
			e.t.Fatalf("Slurm job %s still has tasks after %v: %+v", job, within, tasks)
		}
		time.Sleep(300 * time.Millisecond)
	}
}

// jobs returns the jobs recorded in the experiment's slurm/jobs.jsonl.
func (e *env) jobs() []slurm.Job {
	e.t.Helper()
	jobs, err := slurm.ReadJobs(filepath.Join(e.expDir, slurm.Dir))
	if err != nil {
		e.t.Fatal(err)
	}
	return jobs
}

// record reads a run's run.json; nil when it has none.
func (e *env) record(trial string, repeat int) map[string]any {
	e.t.Helper()
	data, err := os.ReadFile(filepath.Join(e.expDir, "trials", trial, fmt.Sprintf("repeat_%d", repeat), "run.json"))
	if os.IsNotExist(err) {
		return nil
	}
	if err != nil {
		e.t.Fatal(err)
	}
	var rec map[string]any
	if err := json.Unmarshal(data, &rec); err != nil {
		e.t.Fatal(err)
	}
	return rec
}

// executions counts the times a run's function was called, from its marks file.
func (e *env) executions(trial string, repeat int) int {
	data, err := os.ReadFile(filepath.Join(e.marks, fmt.Sprintf("%s#%d", trial, repeat)))
	if err != nil {
		return 0
	}
	return strings.Count(string(data), "start ")
}

// checkContract asserts what every executor owes an experiment that ran to the end: each
// run of trials (name -> repeats) completed, its function called exactly once (or as
// often as once plus earlier attempts, allowed), with its run.json, run.log and metrics
// in its folder, and the trial's summary and the experiment's results written.
func checkContract(t *testing.T, e *env, trials map[string]int, attempts map[string]int) {
	t.Helper()
	names := make([]string, 0, len(trials))
	for n := range trials {
		names = append(names, n)
	}
	slices.Sort(names)
	for _, name := range names {
		for k := 1; k <= trials[name]; k++ {
			ref := fmt.Sprintf("%s#%d", name, k)
			rec := e.record(name, k)
			if rec == nil || rec["status"] != "completed" {
				t.Errorf("%s: run.json %v; want status completed", ref, rec)
				continue
			}
			if rec["summaries"].(map[string]any)["final"] != float64(k) {
				t.Errorf("%s: summaries %v; want final %d", ref, rec["summaries"], k)
			}
			want := 1 + attempts[ref]
			if got := e.executions(name, k); got != want {
				t.Errorf("%s executed %d times; want %d", ref, got, want)
			}
			dir := filepath.Join(e.expDir, "trials", name, fmt.Sprintf("repeat_%d", k))
			if _, err := os.Stat(filepath.Join(dir, "logs", "run.log")); err != nil {
				t.Errorf("%s: %v", ref, err)
			}
			points := metricLines(t, filepath.Join(dir, "metrics.jsonl"))
			if len(points) == 0 {
				t.Errorf("%s: metrics.jsonl has no points", ref)
			}
		}
		if _, err := os.Stat(filepath.Join(e.expDir, "trials", name, "summary.json")); err != nil {
			t.Errorf("trial %s: %v", name, err)
		}
	}
	for _, f := range []string{"results.csv", "results.json", "configs/environment.json", "logs/experiment.log"} {
		if _, err := os.Stat(filepath.Join(e.expDir, f)); err != nil {
			t.Error(err)
		}
	}
}

func metricLines(t *testing.T, path string) []string {
	t.Helper()
	f, err := os.Open(path)
	if err != nil {
		t.Error(err)
		return nil
	}
	defer f.Close()
	var lines []string
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		lines = append(lines, sc.Text())
	}
	return lines
}

// TestSlurmContractLocal holds the local executor to the contract the Slurm one is held
// to below; it needs no Slurm.
func TestSlurmContractLocal(t *testing.T) {
	e := newEnv(t, "local")
	e.run("-trials", "a:3,b:2", "-parallel", "2")
	checkContract(t, e, map[string]int{"a": 3, "b": 2}, nil)
	if _, err := os.Stat(filepath.Join(e.expDir, slurm.Dir)); !os.IsNotExist(err) {
		t.Errorf("a local run made a slurm/ folder: %v", err)
	}
}

// TestSlurmDryRun needs no Slurm: -dry-run -slurm shows the array and the script and
// creates nothing.
func TestSlurmDryRun(t *testing.T) {
	e := newEnv(t, "dry")
	out := e.run("-slurm", "-dry-run", "-trials", "a:2,b:1", "-array-parallelism", "2", "-slurm-time", "10")
	for _, want := range []string{
		"experiment dry: 3 runs selected, 3 to run, 0 to skip",
		"would submit 3 runs as one Slurm job array (--array=0-2%2), ws/dry/slurm/submission-1.sh:",
		"#SBATCH --array=0-2%2\n",
		"#SBATCH --time=10\n",
		"#SBATCH --mem=100M\n",
		"\ttrials/b/repeat_1\n",
		" -slurm-task " + filepath.Join(e.expDir, "slurm", "submission-1.json") + " -exp dry ",
	} {
		if !strings.Contains(out, want) {
			t.Errorf("dry run output lacks %q:\n%s", want, out)
		}
	}
	if _, err := os.Stat(e.ws); !os.IsNotExist(err) {
		t.Errorf("the dry run created the workspace: %v", err)
	}
}

// TestSlurmContract submits an experiment of several trials and repeats as one job array
// and holds the outcome to the local executor's contract, plus Slurm's own: one job, each
// task's output in its run's logs/, and nothing resubmitted once complete.
func TestSlurmContract(t *testing.T) {
	needSlurm(t)
	e := newEnv(t, "contract")
	trials := map[string]int{"a": 3, "b": 2}
	job, n := e.submit("-trials", "a:3,b:2")
	if n != 5 {
		t.Fatalf("submitted %d runs; want 5", n)
	}
	e.wait(job, 90*time.Second)
	checkContract(t, e, trials, nil)
	jobs := e.jobs()
	if len(jobs) != 1 || jobs[0].JobID != job || jobs[0].Runs != 5 {
		t.Fatalf("jobs.jsonl = %+v; want the one job %s of 5 runs", jobs, job)
	}
	list, err := slurm.ReadRunList(filepath.Join(e.expDir, slurm.Dir, jobs[0].RunList))
	if err != nil {
		t.Fatal(err)
	}
	for i, r := range list.Runs {
		out := filepath.Join(e.expDir, "trials", r.Trial, fmt.Sprintf("repeat_%d", r.Repeat), "logs", fmt.Sprintf("slurm-%s_%d.out", job, i))
		data, err := os.ReadFile(out)
		if err != nil || !strings.Contains(string(data), "hello from "+r.String()) {
			t.Errorf("task %d: Slurm's output %s: %v, %q; want the run's print", i, out, err, data)
		}
	}
	if early, _ := os.ReadDir(filepath.Join(e.expDir, slurm.Dir, slurm.EarlyLogs)); len(early) > 0 {
		t.Errorf("slurm/logs/ keeps %d files; want none when every task reached its run", len(early))
	}

	out := e.run("-slurm", "-trials", "a:3,b:2")
	if !strings.Contains(out, "nothing to submit: 5 completed") {
		t.Errorf("second -slurm printed %q; want nothing to submit", out)
	}
	if got := len(e.jobs()); got != 1 {
		t.Errorf("jobs.jsonl has %d jobs after a complete experiment was submitted again; want 1", got)
	}
}

// TestSlurmResubmitAfterScancel cancels two pending tasks; the next -slurm submits exactly
// those two runs, and every run ends completed once.
func TestSlurmResubmitAfterScancel(t *testing.T) {
	needSlurm(t)
	e := newEnv(t, "rescancel")
	args := []string{"-trials", "a:4", "-array-parallelism", "1"}
	job, _ := e.submit(args...)
	// Submitting again while the tasks are queued submits nothing: each run is queued,
	// running or done.
	if out := e.run(append([]string{"-slurm"}, args...)...); !strings.Contains(out, "nothing to submit") {
		t.Errorf("-slurm while the first job is queued printed %q; want nothing to submit", out)
	}
	if n := len(e.jobs()); n != 1 {
		t.Errorf("jobs.jsonl has %d jobs; want 1", n)
	}
	// With one task at a time, tasks 2 and 3 are still pending now.
	if out, err := exec.Command("scancel", job+"_2", job+"_3").CombinedOutput(); err != nil {
		t.Fatalf("scancel: %v: %s", err, out)
	}
	e.wait(job, 90*time.Second)
	for k, want := range map[int]any{1: "completed", 2: "completed", 3: nil, 4: nil} {
		rec := e.record("a", k)
		var got any
		if rec != nil {
			got = rec["status"]
		}
		if got != want {
			t.Errorf("a#%d after scancel: status %v; want %v", k, got, want)
		}
	}

	job2, n := e.submit(args...)
	if n != 2 {
		t.Errorf("resubmitted %d runs; want the 2 cancelled ones", n)
	}
	jobs := e.jobs()
	list, err := slurm.ReadRunList(filepath.Join(e.expDir, slurm.Dir, jobs[len(jobs)-1].RunList))
	if err != nil {
		t.Fatal(err)
	}
	if want := []slurm.RunRef{{Trial: "a", Repeat: 3}, {Trial: "a", Repeat: 4}}; !slices.Equal(list.Runs, want) {
		t.Errorf("resubmitted run list %v; want %v", list.Runs, want)
	}
	e.wait(job2, 90*time.Second)
	checkContract(t, e, map[string]int{"a": 4}, nil)
}

// TestSlurmTimeLimit lets Slurm's time limit (1 minute) stop a run: Slurm's SIGTERM
// cancels the run's context and the run is recorded interrupted; the next -slurm
// resubmits it and it completes.
func TestSlurmTimeLimit(t *testing.T) {
	needSlurm(t)
	e := newEnv(t, "timelimit")
	job, _ := e.submit("-trials", "slow:1", "-sleep", "10m", "-slurm-time", "1")
	e.wait(job, 150*time.Second)
	rec := e.record("slow", 1)
	if rec == nil || rec["status"] != "interrupted" || !strings.Contains(fmt.Sprint(rec["error"]), "terminated") {
		t.Fatalf("after the time limit: run.json %v; want interrupted by SIGTERM", rec)
	}
	// The program is the same; only how long its trial sleeps differs.
	job, n := e.submit("-trials", "slow:1", "-sleep", "1ms", "-slurm-time", "1")
	if n != 1 {
		t.Fatalf("resubmitted %d runs; want the interrupted one", n)
	}
	e.wait(job, 90*time.Second)
	checkContract(t, e, map[string]int{"slow": 1}, map[string]int{"slow#1": 1})
}

// TestSlurmStatusAndCancel checks what expman status and expman cancel build on: the
// Slurm state of each run while its task is queued, and a cancel that records as
// interrupted a run whose task died without saying so (it SIGKILLs itself when cancelled,
// as a failing node would).
func TestSlurmStatusAndCancel(t *testing.T) {
	needSlurm(t)
	e := newEnv(t, "cancel")
	job, _ := e.submit("-trials", "slow:3", "-sleep", "10m", "-array-parallelism", "1", "-die-on-cancel")
	deadline := time.Now().Add(60 * time.Second)
	for e.record("slow", 1) == nil {
		if time.Now().After(deadline) {
			t.Fatal("slow#1 did not start within 60s")
		}
		time.Sleep(200 * time.Millisecond)
	}
	rep, err := results.Status(e.expDir)
	if err != nil {
		t.Fatal(err)
	}
	if err := rep.AddSlurm(t.Context()); err != nil {
		t.Fatal(err)
	}
	got := map[int]string{}
	for _, r := range rep.Trials[0].Runs {
		if r.Slurm != nil {
			got[r.Repeat] = string(r.State) + " " + r.Slurm.Task + " " + r.Slurm.State
		}
	}
	want := map[int]string{1: "running " + job + "_0 RUNNING", 2: "planned " + job + "_1 PENDING", 3: "planned " + job + "_2 PENDING"}
	for k, w := range want {
		if got[k] != w {
			t.Errorf("status of slow#%d: %q; want %q", k, got[k], w)
		}
	}
	var text bytes.Buffer
	rep.WriteText(&text)
	if !strings.Contains(text.String(), "slurm "+job+"_1 PENDING") {
		t.Errorf("status text lacks the pending task:\n%s", &text)
	}

	res, err := runtime.CancelSlurm(t.Context(), e.expDir, 60*time.Second)
	if err != nil {
		t.Fatal(err)
	}
	if !slices.Equal(res.Jobs, []string{job}) || len(res.Interrupted) != 1 || res.Interrupted[0].String() != "slow#1" || len(res.StillRunning) != 0 {
		t.Errorf("CancelSlurm = %+v; want job %s cancelled and slow#1 recorded interrupted", res, job)
	}
	rec := e.record("slow", 1)
	if rec["status"] != "interrupted" || !strings.Contains(fmt.Sprint(rec["error"]), "expman cancel") {
		t.Errorf("slow#1 after cancel: %v; want interrupted by expman cancel", rec)
	}
	for k := 2; k <= 3; k++ {
		if rec := e.record("slow", k); rec != nil {
			t.Errorf("slow#%d never started but has run.json %v", k, rec)
		}
	}
}
