package cli

import (
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"syscall"
	"testing"

	"github.com/google/go-cmp/cmp"
)

// resultsWorkspace builds <ws>/demo as the runtime leaves it mid-run: trial "a" (lr 0.1)
// with two completed runs and a failed one, trial "b" (lr 0.2) with a completed run, a
// running run whose lock this test holds, and a stale running run.
func resultsWorkspace(t *testing.T) (ws, exp string) {
	ws = t.TempDir()
	exp = filepath.Join(ws, "demo")
	files := map[string]string{
		"configs/trials.yaml":             "- name: a\n  id: 1\n  repeat: 3\n- name: b\n  id: 2\n  repeat: 3\n",
		"trials/a/configs/trial.yaml":     "name: a\nid: 1\nrepeat: 3\nsettings:\n  lr: 0.1\n  epochs: 5\n",
		"trials/a/repeat_1/run.json":      runJSON("a", 1, 1, "completed", `, "summaries": {"acc": 0.5}`),
		"trials/a/repeat_1/metrics.jsonl": `{"name":"loss","step":1,"value":0.25,"time":1764244800.5}` + "\n",
		"trials/a/repeat_2/run.json":      runJSON("a", 1, 2, "completed", `, "summaries": {"acc": 0.7}`),
		"trials/a/repeat_2/metrics.jsonl": `{"name":"loss","step":1,"value":0.75,"time":1764244800.5}` + "\n" + `{"name":"loss","st`,
		"trials/a/repeat_3/run.json":      runJSON("a", 1, 3, "failed", `, "error": "out of memory"`),
		"trials/b/configs/trial.yaml":     "name: b\nid: 2\nrepeat: 3\nsettings:\n  lr: 0.2\n  epochs: 5\n",
		"trials/b/repeat_1/run.json":      runJSON("b", 2, 1, "completed", `, "summaries": {"acc": 0.9}`),
		"trials/b/repeat_2/run.json":      runJSON("b", 2, 2, "running", ""),
		"trials/b/repeat_3/run.json":      runJSON("b", 2, 3, "running", ""),
		"trials/b/repeat_3/.lock":         "",
	}
	for name, content := range files {
		path := filepath.Join(exp, name)
		if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(path, []byte(content), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	f, err := os.OpenFile(filepath.Join(exp, "trials/b/repeat_2/.lock"), os.O_CREATE|os.O_RDWR, 0o644)
	if err != nil {
		t.Fatal(err)
	}
	if err := syscall.Flock(int(f.Fd()), syscall.LOCK_EX|syscall.LOCK_NB); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { f.Close() })
	return ws, exp
}

func runJSON(trial string, id, k int, status, extra string) string {
	end := ""
	if status != "running" {
		end = `, "end": "2026-03-01T12:00:02Z", "duration_seconds": 2, "duration": "2s"`
	}
	return `{"experiment": "demo", "trial": "` + trial + `", "trial_id": ` + string(rune('0'+id)) +
		`, "repeat": ` + string(rune('0'+k)) + `, "status": "` + status + `", "seed": 1, "start": "2026-03-01T12:00:00Z"` + end + extra + "}\n"
}

func TestReport(t *testing.T) {
	ws, exp := resultsWorkspace(t)
	const wantText = `trial  id  done  failed  lr   acc           loss
a      1   2/3   1       0.1  0.6 ± 0.1414  0.5 ± 0.3536
b      2   1/3   0       0.2  0.9           -
`
	for _, dir := range []string{exp, ws} {
		code, stdout, stderr := run(t, "report", dir)
		if code != exitOK || stderr != "" || stdout != wantText {
			t.Errorf("report %s: exit %d, stderr %q, stdout (-want +got):\n%s", dir, code, stderr, cmp.Diff(wantText, stdout))
		}
	}
	code, stdout, _ := run(t, "report", "-format", "csv", exp)
	const wantCSV = "trial,trial_id,completed,failed,lr,acc_mean,acc_std,acc_n,loss_mean,loss_std,loss_n\n" +
		"a,1,2,1,0.1,0.6,0.14142135623730948,2,0.5,0.3535533905932738,2\n" +
		"b,2,1,0,0.2,0.9,0,1,,,0\n"
	if code != exitOK || stdout != wantCSV {
		t.Errorf("report -format csv: exit %d, (-want +got):\n%s", code, cmp.Diff(wantCSV, stdout))
	}
	// Flags may also follow DIR.
	code, stdout, _ = run(t, "report", exp, "-format", "json")
	var got struct {
		Columns []string         `json:"columns"`
		Rows    []map[string]any `json:"rows"`
	}
	if err := json.Unmarshal([]byte(stdout), &got); code != exitOK || err != nil || len(got.Rows) != 2 || got.Rows[1]["loss_mean"] != nil {
		t.Errorf("report -format json: exit %d, %v, %s", code, err, stdout)
	}
	code, stdout, _ = run(t, "report", "-format", "markdown", exp)
	if code != exitOK || !strings.HasPrefix(stdout, "| trial | id | done | failed | lr | acc | loss |\n| --- | --: |") {
		t.Errorf("report -format markdown: exit %d:\n%s", code, stdout)
	}
}

func TestReportAndStatusErrors(t *testing.T) {
	ws, _ := resultsWorkspace(t)
	if err := os.MkdirAll(filepath.Join(ws, "other", "trials"), 0o755); err != nil {
		t.Fatal(err)
	}
	for _, cmd := range []string{"report", "status"} {
		for _, c := range []struct {
			args []string
			code int
			want string
		}{
			{[]string{ws}, exitFail, "is a workspace with 2 experiments; name one of:\n\t" + filepath.Join(ws, "demo")},
			{[]string{filepath.Join(ws, "missing")}, exitFail, "no such file or directory; want an experiment folder"},
			{[]string{t.TempDir()}, exitFail, "holds no experiment"},
			{nil, exitUsage, "DIR is required"},
			{[]string{"a", "b"}, exitUsage, `unexpected argument "b"`},
			{[]string{"-format", "xml", ws}, exitUsage, "-format must be"},
			{[]string{"-nope", ws}, exitUsage, "flag provided but not defined"},
			{[]string{"-h"}, exitOK, "Examples:\n\texpman " + cmd + " "},
		} {
			code, stdout, stderr := run(t, append([]string{cmd}, c.args...)...)
			if code != c.code || stdout != "" || !strings.Contains(stderr, c.want) {
				t.Errorf("%s %q: exit %d, stdout %q, stderr %q; want exit %d and %q", cmd, c.args, code, stdout, stderr, c.code, c.want)
			}
		}
	}
}

func TestStatusCommand(t *testing.T) {
	_, exp := resultsWorkspace(t)
	code, stdout, stderr := run(t, "status", exp)
	if code != exitOK || stderr != "" {
		t.Fatalf("status: exit %d, stderr %q", code, stderr)
	}
	for _, want := range []string{
		"demo: 6 runs: 3 completed, 1 failed, 1 running, 1 stale\n",
		"a (id 1): 2 completed, 1 failed (2s each on average)\n  repeat_3  failed  2s  out of memory\n",
		"b (id 2): 1 completed, 1 running, 1 stale (2s each on average)\n  repeat_2  running  ",
		"  repeat_3  stale    ",
		"no process holds its lock\n",
	} {
		if !strings.Contains(stdout, want) {
			t.Errorf("status output lacks %q:\n%s", want, stdout)
		}
	}
	code, stdout, _ = run(t, "status", "-format", "json", exp)
	var rep struct {
		Counts map[string]int `json:"counts"`
		Trials []struct {
			Runs []struct {
				State string `json:"state"`
			} `json:"runs"`
		} `json:"trials"`
	}
	if err := json.Unmarshal([]byte(stdout), &rep); code != exitOK || err != nil {
		t.Fatalf("status -format json: exit %d, %v:\n%s", code, err, stdout)
	}
	want := map[string]int{"completed": 3, "failed": 1, "running": 1, "stale": 1}
	if !cmp.Equal(want, rep.Counts) || len(rep.Trials) != 2 || rep.Trials[1].Runs[2].State != "stale" {
		t.Errorf("status json: counts %v, trials %+v", rep.Counts, rep.Trials)
	}
}
