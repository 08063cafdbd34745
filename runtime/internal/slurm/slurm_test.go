package slurm

import (
	"context"
	"errors"
	"flag"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
)

var update = flag.Bool("update", false, "rewrite the golden files in testdata/")

func golden(t *testing.T, name string, got []byte) {
	t.Helper()
	path := filepath.Join("testdata", name)
	if *update {
		if err := os.WriteFile(path, got, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	want, err := os.ReadFile(path)
	if err != nil {
		t.Fatalf("golden file missing (go test -update writes it): %v", err)
	}
	if d := cmp.Diff(string(want), string(got)); d != "" {
		t.Errorf("%s differs (-want +got):\n%s", path, d)
	}
}

func testScript() Script {
	return Script{
		JobName:  "demo",
		ExpDir:   "/shared/outputs/demo",
		WorkDir:  "/home/ada/project",
		RunList:  "/shared/outputs/demo/slurm/submission-2.json",
		Parallel: 4,
		Job:      Resources{Partition: "gpu", Time: "2:00:00", CPUsPerTask: 4, Mem: "8G", GPUs: 1, Extra: []string{"--exclusive", "#SBATCH --mail-type=END"}},
		Runs: []ScriptRun{
			{Dir: "trials/small/repeat_1", Setup: []string{"module load cuda"}},
			{Dir: "trials/small/repeat_2", Setup: []string{"module load cuda"}},
			{Dir: "trials/lr_grid/learning_rate=0.01,hidden=128-64/repeat_1", Setup: []string{"module load cuda", "source venv/bin/activate"}},
		},
		Command: []string{"/shared/bin/train", "-data", "it's here", "-workspace", "/shared/outputs"},
		TaskAt:  1,
	}
}

func TestRenderGolden(t *testing.T) {
	got, err := testScript().Render()
	if err != nil {
		t.Fatal(err)
	}
	golden(t, "script.golden", got)
}

func TestRenderOneSetupGroup(t *testing.T) {
	s := testScript()
	s.Runs = s.Runs[:2]
	s.Parallel = 0
	s.Job = Resources{}
	got, err := s.Render()
	if err != nil {
		t.Fatal(err)
	}
	golden(t, "script_plain.golden", got)
}

// TestRenderIsBash checks that the script is valid bash and picks the right run and
// command for a task, by running it with a fake exec target.
func TestRenderIsBash(t *testing.T) {
	if _, err := exec.LookPath("bash"); err != nil {
		t.Skip("no bash")
	}
	dir := t.TempDir()
	s := testScript()
	s.ExpDir = dir
	s.Runs[0].Setup = nil
	s.Runs[1].Setup = nil
	s.Runs[2].Setup = []string{"echo setup ran"}
	s.Command = []string{"printf", "%s\n", "it's here"}
	s.TaskAt = 2
	data, err := s.Render()
	if err != nil {
		t.Fatal(err)
	}
	path := filepath.Join(dir, "job.sh")
	os.WriteFile(path, data, 0o755)
	if err := os.MkdirAll(filepath.Join(dir, "slurm", EarlyLogs), 0o755); err != nil {
		t.Fatal(err)
	}
	early := filepath.Join(dir, "slurm", EarlyLogs, "7_2.out")
	os.WriteFile(early, nil, 0o644)
	cmd := exec.Command("bash", path)
	cmd.Env = append(os.Environ(), "SLURM_ARRAY_JOB_ID=7", "SLURM_ARRAY_TASK_ID=2")
	if out, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("%v: %s", err, out)
	}
	log := filepath.Join(dir, "trials/lr_grid/learning_rate=0.01,hidden=128-64/repeat_1/logs/slurm-7_2.out")
	out, err := os.ReadFile(log)
	if err != nil {
		t.Fatal(err)
	}
	lines := strings.Split(strings.TrimSpace(string(out)), "\n")
	want := []string{"setup ran", TaskFlag, s.RunList, "it's here"}
	if len(lines) < 1 || !strings.HasPrefix(lines[0], "expman: Slurm job 7_2 on ") {
		t.Fatalf("log starts %q; want the task's banner", lines)
	}
	if d := cmp.Diff(want, lines[1:]); d != "" {
		t.Errorf("task output (-want +got):\n%s", d)
	}
	if _, err := os.Stat(early); !os.IsNotExist(err) {
		t.Errorf("the empty early log was not removed: %v", err)
	}
}

func TestRenderRejects(t *testing.T) {
	s := testScript()
	s.Runs = nil
	if _, err := s.Render(); err == nil {
		t.Error("no runs: want an error")
	}
	s = testScript()
	s.TaskAt = 0
	if _, err := s.Render(); err == nil {
		t.Error("task flag before the program: want an error")
	}
}

func TestCombine(t *testing.T) {
	exp := Resources{Partition: "cpu", Time: "30", Mem: "2G", CPUsPerTask: 1}
	got, err := Combine([]Demand{
		{"small", exp},
		{"big", exp.Overlay(Resources{Time: "1:00:00", Mem: "1500M", CPUsPerTask: 8, Setup: []string{"x"}})},
		{"gpu", exp.Overlay(Resources{Time: "45:00", GPUs: 2, Mem: "3G"})},
	})
	if err != nil {
		t.Fatal(err)
	}
	want := Resources{Partition: "cpu", Time: "1:00:00", Mem: "3G", CPUsPerTask: 8, GPUs: 2}
	if d := cmp.Diff(want, got); d != "" {
		t.Errorf("(-want +got):\n%s", d)
	}
}

func TestCombineRejects(t *testing.T) {
	exp := Resources{Partition: "cpu"}
	_, err := Combine([]Demand{
		{"a", exp},
		{"b", exp.Overlay(Resources{Partition: "gpu", Time: "soon", Mem: "lots"})},
	})
	if err == nil {
		t.Fatal("want errors")
	}
	for _, want := range []string{`trial "b": slurm.time "soon": want minutes`, `trial "b": slurm.mem "lots"`} {
		if !strings.Contains(err.Error(), want) {
			t.Errorf("error %q lacks %q", err, want)
		}
	}
	_, err = Combine([]Demand{{"a", exp}, {"b", exp.Overlay(Resources{Partition: "gpu"})}})
	if err == nil || !strings.Contains(err.Error(), `trials "a" and "b" ask for different slurm.partition ("cpu" and "gpu")`) {
		t.Errorf("got %v; want the partitions named", err)
	}
}

func TestParseTime(t *testing.T) {
	for in, want := range map[string]float64{
		"30": 1800, "5:30": 330, "1:00:00": 3600, "2-12": 216000, "1-0:30": 88200, "1-0:0:10": 86410,
	} {
		got, err := parseTime(in)
		if err != nil || got != want {
			t.Errorf("parseTime(%q) = %v, %v; want %v", in, got, err, want)
		}
	}
	for _, in := range []string{"", "1h", "1:2:3:4", "-5"} {
		if _, err := parseTime(in); err == nil {
			t.Errorf("parseTime(%q): want an error", in)
		}
	}
}

func TestParseSubmit(t *testing.T) {
	for in, want := range map[string]string{"123\n": "123", "77;cluster\n": "77", "note\n42\n": "42"} {
		got, err := ParseSubmit([]byte(in))
		if err != nil || got != want {
			t.Errorf("ParseSubmit(%q) = %q, %v; want %q", in, got, err, want)
		}
	}
	if _, err := ParseSubmit([]byte("sbatch: error: nope\n")); err == nil {
		t.Error("want an error for a non-id")
	}
}

func TestParseQueue(t *testing.T) {
	got, err := ParseQueue([]byte("12|3|PENDING|JobArrayTaskLimit\n12|0|RUNNING|None\n9|N/A|PENDING|Priority\n\n"))
	if err != nil {
		t.Fatal(err)
	}
	want := []Task{{"12", 3, "PENDING", "JobArrayTaskLimit"}, {"12", 0, "RUNNING", ""}, {"9", 0, "PENDING", "Priority"}}
	if d := cmp.Diff(want, got); d != "" {
		t.Errorf("(-want +got):\n%s", d)
	}
	if _, err := ParseQueue([]byte("garbage\n")); err == nil {
		t.Error("want an error for a line that is not job|task|state|reason")
	}
}

func TestSubmissionFiles(t *testing.T) {
	dir := filepath.Join(t.TempDir(), Dir)
	l1 := &RunList{Experiment: "demo", Runs: []RunRef{{"a", 1}, {"a", 2}}}
	n1, err := CreateSubmission(dir, l1)
	if err != nil || n1 != 1 {
		t.Fatalf("first submission: %d, %v", n1, err)
	}
	l2 := &RunList{Experiment: "demo", Runs: []RunRef{{"a", 2}}}
	n2, err := CreateSubmission(dir, l2)
	if err != nil || n2 != 2 {
		t.Fatalf("second submission: %d, %v", n2, err)
	}
	for _, j := range []Job{{JobID: "10", Submission: 1, RunList: filepath.Base(RunListFile(dir, 1))}, {JobID: "11", Submission: 2, RunList: filepath.Base(RunListFile(dir, 2))}} {
		if err := AppendJob(dir, j); err != nil {
			t.Fatal(err)
		}
	}
	// A crash while appending leaves a partial line, which readers skip.
	f, _ := os.OpenFile(filepath.Join(dir, JobsFile), os.O_WRONLY|os.O_APPEND, 0)
	f.WriteString(`{"job_id":"12","subm`)
	f.Close()
	jobs, err := ReadJobs(dir)
	if err != nil || len(jobs) != 2 {
		t.Fatalf("ReadJobs: %v, %v", jobs, err)
	}
	as, err := Assignments(dir, jobs)
	if err != nil {
		t.Fatal(err)
	}
	want := map[RunRef]Assignment{{"a", 1}: {"10", 0}, {"a", 2}: {"11", 0}}
	if d := cmp.Diff(want, as); d != "" {
		t.Errorf("a resubmitted run belongs to its latest job (-want +got):\n%s", d)
	}
	if got, err := ReadRunList(RunListFile(dir, 2)); err != nil || got.Submission != 2 {
		t.Errorf("ReadRunList: %+v, %v", got, err)
	}
}

func TestRejected(t *testing.T) {
	ctx := context.Background()
	_, exited := command(ctx, "", "sh", "-c", "exit 1")
	_, killed := command(ctx, "", "sh", "-c", "kill -9 $$")
	_, missing := command(ctx, "", "expman-no-such-command")
	done, cancel := context.WithCancel(ctx)
	cancel()
	for _, c := range []struct {
		name string
		ctx  context.Context
		err  error
		want bool
	}{
		{"exit status", ctx, exited, true},
		{"not installed", ctx, missing, true},
		{"killed", ctx, killed, false},
		{"context ended", done, exited, false},
		{"unparsable output", ctx, errors.New(`sbatch printed "oops", not a job id`), false},
	} {
		if got := Rejected(c.ctx, c.err); got != c.want {
			t.Errorf("%s: Rejected(%v) = %v, want %v", c.name, c.err, got, c.want)
		}
	}
}
