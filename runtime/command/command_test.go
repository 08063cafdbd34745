package command_test

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/expman-dev/expman/runtime"
	"github.com/expman-dev/expman/runtime/command"
	"github.com/expman-dev/expman/schema"
	"github.com/google/go-cmp/cmp"
)

// TestSettingsDelivery checks what the child gets: working directory, environment,
// settings file and placeholders, for each trial.
func TestSettingsDelivery(t *testing.T) {
	x, ws := setup(t, trialsYAML)
	sh := script(t, `pwd > pwd.txt
env | grep -E '^(EXPMAN_|CUDA_VISIBLE_DEVICES=)' > env.txt
for a in "$@"; do echo "$a"; done > args.txt
cp "$EXPMAN_SETTINGS_FILE" settings_copy.json
`)
	c := newCommand(t, x, command.Options{}, sh,
		"--lr={learning_rate}", "{hidden_layers}", "{optimizer.name}", "{optimizer.momentum}", "{verbose}",
		"{trial}#{repeat}", "{trial_id}", "{experiment}", "{seed}", "{run_dir}", "{{literal}}", "plain")
	if err := run(t, context.Background(), x, c, runtime.WithGPUs("3")); err != nil {
		t.Fatal(err)
	}
	want := map[string][]string{
		"small": {"--lr=0.001", "128,64", "sgd", "0.9", "false", "small#1", "1", "cmdtest"},
		"large": {"--lr=1e-05", "256", "adam", "0.9", "false", "large#1", "2", "cmdtest"},
	}
	for _, trial := range x.Trials() {
		dir, err := filepath.Abs(repeatDir(ws, trial.Name, 1))
		if err != nil {
			t.Fatal(err)
		}
		rec := readRecord(t, dir)
		seed := strconv.FormatInt(rec.Seed, 10)
		wantArgs := append(want[trial.Name], seed, dir, "{literal}", "plain")
		gotArgs := strings.Split(strings.TrimSuffix(readFile(t, filepath.Join(dir, "args.txt")), "\n"), "\n")
		if diff := cmp.Diff(wantArgs, gotArgs); diff != "" {
			t.Errorf("%s: arguments (-want +got):\n%s", trial.Name, diff)
		}
		if got := strings.TrimSpace(readFile(t, filepath.Join(dir, "pwd.txt"))); got != dir {
			t.Errorf("%s: working directory %q, want %q", trial.Name, got, dir)
		}
		wantEnv := []string{
			"CUDA_VISIBLE_DEVICES=3",
			"EXPMAN_ARTIFACTS_DIR=" + filepath.Join(dir, "artifacts"),
			"EXPMAN_EXPERIMENT=cmdtest",
			"EXPMAN_METRICS_FILE=" + filepath.Join(dir, command.MetricsFile),
			"EXPMAN_REPEAT=1",
			"EXPMAN_RUN_DIR=" + dir,
			"EXPMAN_SEED32=" + strconv.FormatUint(uint64(uint32(rec.Seed)), 10),
			"EXPMAN_SEED=" + seed,
			"EXPMAN_SETTINGS_FILE=" + filepath.Join(dir, command.SettingsFile),
			"EXPMAN_TRIAL=" + trial.Name,
			"EXPMAN_TRIAL_ID=" + strconv.Itoa(trial.ID),
		}
		gotEnv := strings.Split(strings.TrimSpace(readFile(t, filepath.Join(dir, "env.txt"))), "\n")
		slices.Sort(gotEnv)
		if diff := cmp.Diff(wantEnv, gotEnv); diff != "" {
			t.Errorf("%s: environment (-want +got):\n%s", trial.Name, diff)
		}
		var settings map[string]any
		if err := json.Unmarshal([]byte(readFile(t, filepath.Join(dir, "settings_copy.json"))), &settings); err != nil {
			t.Fatal(err)
		}
		wantSettings, _ := json.Marshal(trial.Settings)
		var wantMap map[string]any
		json.Unmarshal(wantSettings, &wantMap)
		if diff := cmp.Diff(wantMap, settings); diff != "" {
			t.Errorf("%s: settings file (-want +got):\n%s", trial.Name, diff)
		}
	}
}

// TestKeepDir runs the child in the caller's folder.
func TestKeepDir(t *testing.T) {
	x, ws := setup(t, trialsYAML)
	out := filepath.Join(t.TempDir(), "pwd.txt")
	sh := script(t, `pwd >> "$1"`)
	c := newCommand(t, x, command.Options{KeepDir: true}, sh, out)
	if err := run(t, context.Background(), x, c, runtime.WithRunPattern("^small$")); err != nil {
		t.Fatal(err)
	}
	wd, _ := os.Getwd()
	if got := strings.TrimSpace(readFile(t, out)); got != wd {
		t.Errorf("working directory %q, want the caller's %q", got, wd)
	}
	if _, err := os.Stat(repeatDir(ws, "small", 1)); err != nil {
		t.Errorf("the repeat folder is still made: %v", err)
	}
}

// TestMetricsProtocol feeds every kind of line: points, summaries, a last line without
// newline, and bad lines, which are warnings with their line number.
func TestMetricsProtocol(t *testing.T) {
	x, ws := setup(t, trialsYAML)
	sh := script(t, `m="$EXPMAN_METRICS_FILE"
echo '{"name":"loss","step":1,"value":0.5}' >> "$m"
echo '{"name":"loss","step":2,"value":0.25,"time":123,"extra":"ignored"}' >> "$m"
echo '' >> "$m"
echo 'not json' >> "$m"
echo '{"name":"loss","value":0.1}' >> "$m"
echo '{"name":"bad name","step":3,"value":1}' >> "$m"
echo '{"name":"loss","step":1.5,"value":1}' >> "$m"
echo '{"name":"loss","step":4}' >> "$m"
echo '{"name":"acc","value":NaN,"summary":true}' >> "$m"
echo '{"name":"acc","value":0.75,"summary":true}' >> "$m"
echo '{"name":"acc","value":0.875,"summary":true}' >> "$m"
echo '{"name":"val.loss","step":7,"value":3.0}' >> "$m"
printf '{"name":"last","step":9,"value":-1}' >> "$m"
`)
	c := newCommand(t, x, command.Options{}, sh)
	if err := run(t, context.Background(), x, c, runtime.WithRunPattern("^small$")); err != nil {
		t.Fatal(err)
	}
	dir := repeatDir(ws, "small", 1)
	type point struct {
		Name  string
		Step  int
		Value float64
	}
	var got []point
	for _, l := range strings.Split(strings.TrimSpace(readFile(t, filepath.Join(dir, "metrics.jsonl"))), "\n") {
		var p point
		if err := json.Unmarshal([]byte(l), &p); err != nil {
			t.Fatalf("metrics.jsonl line %q: %v", l, err)
		}
		got = append(got, p)
	}
	want := []point{{"loss", 1, 0.5}, {"loss", 2, 0.25}, {"val.loss", 7, 3}, {"last", 9, -1}}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("metrics.jsonl (-want +got):\n%s", diff)
	}
	rec := readRecord(t, dir)
	if rec.Status != "completed" || !cmp.Equal(rec.Summaries, map[string]float64{"acc": 0.875}) {
		t.Errorf("run.json: status %s, summaries %v; want completed, acc 0.875", rec.Status, rec.Summaries)
	}
	log := readFile(t, filepath.Join(dir, "logs", "run.log"))
	for _, line := range []int{4, 5, 6, 7, 8, 9} {
		if !regexp.MustCompile(`level=WARN msg="metrics line ignored".* line=` + strconv.Itoa(line) + ` `).MatchString(log) {
			t.Errorf("run.log has no warning for line %d:\n%s", line, log)
		}
	}
	if strings.Contains(log, "line=3 ") {
		t.Errorf("an empty line was warned about:\n%s", log)
	}
}

// TestMetricsReadWhileRunning: a point the child appends shows in metrics.jsonl while the
// child still runs, which the child itself checks before exiting.
func TestMetricsReadWhileRunning(t *testing.T) {
	x, ws := setup(t, trialsYAML)
	sh := script(t, `echo '{"name":"live","step":1,"value":1}' >> "$EXPMAN_METRICS_FILE"
i=0
while [ $i -lt 300 ]; do
  if grep -q '"name":"live"' metrics.jsonl 2>/dev/null; then exit 0; fi
  sleep 0.1; i=$((i+1))
done
echo "metrics.jsonl never got the point" >&2
exit 3
`)
	c := newCommand(t, x, command.Options{Poll: 20 * time.Millisecond}, sh)
	if err := run(t, context.Background(), x, c, runtime.WithRunPattern("^small$")); err != nil {
		t.Fatal(err)
	}
	if rec := readRecord(t, repeatDir(ws, "small", 1)); rec.Status != "completed" {
		t.Errorf("status %s: %s", rec.Status, rec.Error)
	}
}

// TestFailureAndOutput: a non-zero exit fails the run with the status and the last lines
// of stderr; stdout and stderr are in the logs, and in the console with a prefix.
func TestFailureAndOutput(t *testing.T) {
	x, ws := setup(t, trialsYAML)
	sh := script(t, `echo "to stdout"
printf 'partial line'
i=1
while [ $i -le 30 ]; do echo "err line $i" >&2; i=$((i+1)); done
exit 3
`)
	var console syncBuffer
	c := newCommand(t, x, command.Options{Stdout: &console, Stderr: &console}, sh)
	err := run(t, context.Background(), x, c, runtime.WithRunPattern("^small$"))
	var re *runtime.RunError
	if !errors.As(err, &re) || len(re.Failed) != 1 {
		t.Fatalf("Run = %v, want a RunError with one failed run", err)
	}
	var ee *command.ExitError
	if !errors.As(re.Failed[0].Err, &ee) || ee.Code != 3 || ee.Signal != 0 || ee.Stopped != nil {
		t.Fatalf("run error %#v, want an ExitError with status 3", re.Failed[0].Err)
	}
	dir := repeatDir(ws, "small", 1)
	rec := readRecord(t, dir)
	first, rest, _ := strings.Cut(rec.Error, "\n")
	if rec.Status != "failed" || first != sh+" exited with status 3: err line 30" {
		t.Errorf("run.json: status %s, error first line %q", rec.Status, first)
	}
	var wantTail []string
	for i := 11; i <= 30; i++ {
		wantTail = append(wantTail, fmt.Sprintf("    err line %d", i))
	}
	if want := "last 20 lines of stderr:\n" + strings.Join(wantTail, "\n"); rest != want {
		t.Errorf("run.json error after the first line:\n%s\nwant:\n%s", rest, want)
	}
	if got := readFile(t, filepath.Join(dir, "logs", "stdout.log")); got != "to stdout\npartial line" {
		t.Errorf("stdout.log = %q", got)
	}
	if got := readFile(t, filepath.Join(dir, "logs", "stderr.log")); !strings.HasPrefix(got, "err line 1\n") || !strings.HasSuffix(got, "err line 30\n") {
		t.Errorf("stderr.log = %q", got)
	}
	if !strings.Contains(readFile(t, filepath.Join(dir, "logs", "run.log")), "err line 30") {
		t.Error("run.log does not hold the error with stderr's tail")
	}
	lines := strings.Split(strings.TrimSuffix(console.String(), "\n"), "\n")
	if len(lines) != 32 {
		t.Errorf("console has %d lines, want 32:\n%s", len(lines), console.String())
	}
	for _, want := range []string{"small#1 | to stdout", "small#1 | partial line", "small#1 | err line 1", "small#1 | err line 30"} {
		if !strings.Contains("\n"+console.String(), "\n"+want+"\n") {
			t.Errorf("console lacks the line %q:\n%s", want, console.String())
		}
	}
}

// TestParallelConsoleLines: lines of concurrent runs never mix.
func TestParallelConsoleLines(t *testing.T) {
	x, _ := setup(t, trialsYAML)
	sh := script(t, `i=0; while [ $i -lt 200 ]; do echo "$EXPMAN_TRIAL line $i of a reasonably long output line"; i=$((i+1)); done`)
	var console syncBuffer
	c := newCommand(t, x, command.Options{Stdout: &console}, sh)
	if err := run(t, context.Background(), x, c, runtime.WithParallel(2)); err != nil {
		t.Fatal(err)
	}
	line := regexp.MustCompile(`^(small|large)#1 \| (small|large) line \d+ of a reasonably long output line$`)
	lines := strings.Split(strings.TrimSuffix(console.String(), "\n"), "\n")
	for _, l := range lines {
		if m := line.FindStringSubmatch(l); m == nil || m[1] != m[2] {
			t.Fatalf("console line mixed up: %q", l)
		}
	}
	if len(lines) != 400 {
		t.Errorf("%d console lines, want 400", len(lines))
	}
}

// TestTimeoutStopsGroup: a run's timeout stops the child and what it started; the run
// fails with a timeout.
func TestTimeoutStopsGroup(t *testing.T) {
	x, ws := setup(t, trialsYAML)
	sh := script(t, `sleep 300 &
echo $! > sleep.pid
echo $$ > sh.pid
wait
`)
	c := newCommand(t, x, command.Options{}, sh)
	err := run(t, context.Background(), x, c, runtime.WithRunPattern("^small$"), runtime.WithTimeout(time.Second))
	var te *runtime.TimeoutError
	if !errors.As(runErr(t, err), &te) {
		t.Fatalf("Run = %v, want a timeout", err)
	}
	dir := repeatDir(ws, "small", 1)
	if rec := readRecord(t, dir); rec.Status != "failed" || !strings.Contains(rec.Error, "timed out after 1s") || !strings.Contains(rec.Error, "was stopped") {
		t.Errorf("run.json: %s %q", rec.Status, rec.Error)
	}
	assertGone(t, "the script", readPID(t, filepath.Join(dir, "sh.pid")))
	assertGone(t, "its background sleep", readPID(t, filepath.Join(dir, "sleep.pid")))
}

// TestStubbornGroupKilled: a group that ignores SIGTERM is killed after the grace period.
func TestStubbornGroupKilled(t *testing.T) {
	x, ws := setup(t, trialsYAML)
	sh := script(t, `trap '' TERM
sleep 300 &
echo $! > sleep.pid
echo $$ > sh.pid
while :; do sleep 1; done
`)
	c := newCommand(t, x, command.Options{Grace: 100 * time.Millisecond}, sh)
	err := run(t, context.Background(), x, c, runtime.WithRunPattern("^small$"), runtime.WithTimeout(500*time.Millisecond))
	var ee *command.ExitError
	if !errors.As(runErr(t, err), &ee) || ee.Signal != syscall.SIGKILL {
		t.Fatalf("Run = %v, want the child killed by SIGKILL", err)
	}
	dir := repeatDir(ws, "small", 1)
	assertGone(t, "the script", readPID(t, filepath.Join(dir, "sh.pid")))
	assertGone(t, "its background sleep", readPID(t, filepath.Join(dir, "sleep.pid")))
}

// TestLeftoverProcessesEnded: a child that exits leaving a process behind completes, and
// the leftover is ended.
func TestLeftoverProcessesEnded(t *testing.T) {
	x, ws := setup(t, trialsYAML)
	sh := script(t, `sleep 300 &
echo $! > sleep.pid
echo done
`)
	c := newCommand(t, x, command.Options{}, sh)
	if err := run(t, context.Background(), x, c, runtime.WithRunPattern("^small$")); err != nil {
		t.Fatal(err)
	}
	dir := repeatDir(ws, "small", 1)
	assertGone(t, "the background sleep", readPID(t, filepath.Join(dir, "sleep.pid")))
	if got := readFile(t, filepath.Join(dir, "logs", "stdout.log")); got != "done\n" {
		t.Errorf("stdout.log = %q", got)
	}
}

// TestSignalForwarded: when the experiment is stopped by a signal, the child's group gets
// that signal, and the run is interrupted, not completed, even though the child then
// exits with status 0.
func TestSignalForwarded(t *testing.T) {
	x, ws := setup(t, trialsYAML)
	sh := script(t, `trap 'echo got INT > signal.txt; exit 0' INT
sleep 300 &
echo $! > sleep.pid
echo $$ > sh.pid
: > started
wait
`)
	c := newCommand(t, x, command.Options{}, sh)
	dir := repeatDir(ws, "small", 1)
	ctx, cancel := context.WithCancelCause(context.Background())
	go func() {
		for {
			if _, err := os.Stat(filepath.Join(dir, "started")); err == nil {
				cancel(&runtime.SignalError{Signal: syscall.SIGINT})
				return
			}
			time.Sleep(10 * time.Millisecond)
		}
	}()
	err := run(t, ctx, x, c, runtime.WithRunPattern("^small$"))
	var re *runtime.RunError
	if !errors.As(err, &re) || len(re.Interrupted) != 1 {
		t.Fatalf("Run = %v, want one interrupted run", err)
	}
	if got := strings.TrimSpace(readFile(t, filepath.Join(dir, "signal.txt"))); got != "got INT" {
		t.Errorf("signal.txt = %q", got)
	}
	if rec := readRecord(t, dir); rec.Status != "interrupted" {
		t.Errorf("status %s, want interrupted", rec.Status)
	}
	assertGone(t, "the script", readPID(t, filepath.Join(dir, "sh.pid")))
	assertGone(t, "its background sleep", readPID(t, filepath.Join(dir, "sleep.pid")))
}

// TestNewReportsEveryProblem: every bad placeholder and a missing program, at once.
func TestNewReportsEveryProblem(t *testing.T) {
	x, _ := setup(t, trialsYAML+`- name: odd
  id: 3
  repeat: 1
  settings:
    learning_rate: 0.5
    optimizer: {name: sgd, extra: {deep: 1}}
`)
	_, err := command.New([]string{"no-such-program-xyz",
		"--lr={lerning_rate}", "{optimizer}", "{optimizer.extra}", "{learning_rate}{optimizer.extra.deep}", "{nope}", "{learning_rate", "a}b", "{x y}", "{{ok}}", "{trial}"},
		x.Trials(), command.Options{})
	var list schema.ErrorList
	if !errors.As(err, &list) {
		t.Fatalf("New = %v, want a schema.ErrorList", err)
	}
	want := []string{
		`command "no-such-program-xyz" not found in PATH; check the spelling, or give its path`,
		`argument 1 "--lr={lerning_rate}": unknown placeholder {lerning_rate}; did you mean {learning_rate}? Settings: epochs, hidden_layers, learning_rate, optimizer.extra.deep, optimizer.momentum, optimizer.name, verbose. Built in: experiment, trial, trial_id, repeat, seed, run_dir.`,
		`argument 2 "{optimizer}": setting optimizer is a mapping; name one of its values instead, such as {optimizer.extra.deep}`,
		`argument 3 "{optimizer.extra}": setting optimizer.extra is a mapping; name one of its values instead, such as {optimizer.extra.deep} (trial "odd")`,
		`argument 4 "{learning_rate}{optimizer.extra.deep}": trials "small" and "large" have no setting optimizer.extra.deep; give it one, or remove the placeholder`,
		`argument 5 "{nope}": unknown placeholder {nope}. Settings: epochs, hidden_layers, learning_rate, optimizer.extra.deep, optimizer.momentum, optimizer.name, verbose. Built in: experiment, trial, trial_id, repeat, seed, run_dir.`,
		`argument 6 "{learning_rate": "{" at byte 1 is not closed; write {name} for a setting, or "{{" for a literal brace`,
		`argument 7 "a}b": "}" at byte 2 closes no placeholder; write "}}" for a literal brace`,
		`argument 8 "{x y}": {x y} is not a placeholder: want {name} with a setting path such as {learning_rate} or {optimizer.name}; write "{{" and "}}" for literal braces`,
	}
	var got []string
	for _, e := range list {
		got = append(got, e.Error())
	}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("errors (-want +got):\n%s", diff)
	}
}

// runErr returns the error of the one failed run of err, a *runtime.RunError.
func runErr(t *testing.T, err error) error {
	t.Helper()
	var re *runtime.RunError
	if !errors.As(err, &re) || len(re.Failed) != 1 {
		t.Fatalf("Run = %v, want a RunError with one failed run", err)
	}
	return re.Failed[0].Err
}

// syncBuffer is a bytes.Buffer for concurrent writers.
type syncBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (s *syncBuffer) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.Write(p)
}

func (s *syncBuffer) String() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.String()
}
