package command_test

import (
	"context"
	"encoding/json"
	"io"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
	"testing"

	"github.com/expman-dev/expman/runtime"
	"github.com/expman-dev/expman/runtime/command"
)

// The experiment of these tests: two trials, one repeat each, with nested settings and a
// list, and a schema that takes them.
const (
	experimentYAML = "name: cmdtest\nid: 5\nsettings:\n  epochs: 3\n"
	baseYAML       = "settings:\n  optimizer:\n    name: sgd\n    momentum: 0.9\n  hidden_layers: [128, 64]\n  verbose: false\n"
	trialsYAML     = `- name: small
  id: 1
  repeat: 1
  settings:
    learning_rate: 0.001
- name: large
  id: 2
  repeat: 1
  settings:
    learning_rate: 1.0e-05
    hidden_layers: [256]
    optimizer: {name: adam}
`
	schemaJSON = `{
  "type": "object",
  "additionalProperties": false,
  "properties": {
    "epochs": {"type": "integer"},
    "learning_rate": {"type": "number"},
    "hidden_layers": {"type": "array", "items": {"type": "integer"}},
    "verbose": {"type": "boolean"},
    "optimizer": {"type": "object", "properties": {"name": {"type": "string"}, "momentum": {"type": "number"}}}
  }
}`
)

// setup writes the config folder and returns the loaded experiment and a workspace.
func setup(t *testing.T, trials string) (*runtime.Experiment, string) {
	t.Helper()
	dir := t.TempDir()
	files := map[string]string{
		"experiment.yaml": experimentYAML, "base.yaml": baseYAML,
		"trials.yaml": trials, "settings.schema.json": schemaJSON,
	}
	if err := os.MkdirAll(filepath.Join(dir, "configs"), 0o755); err != nil {
		t.Fatal(err)
	}
	for name, data := range files {
		if err := os.WriteFile(filepath.Join(dir, "configs", name), []byte(data), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	x, err := runtime.Load(context.Background(), filepath.Join(dir, "configs"), runtime.NewEnvironment(filepath.Join(dir, "ws")))
	if err != nil {
		t.Fatal(err)
	}
	return x, filepath.Join(dir, "ws")
}

// script writes an executable /bin/sh script and returns its absolute path.
func script(t *testing.T, body string) string {
	t.Helper()
	path := filepath.Join(t.TempDir(), "child.sh")
	if err := os.WriteFile(path, []byte("#!/bin/sh\n"+body), 0o755); err != nil {
		t.Fatal(err)
	}
	return path
}

// newCommand returns the command or fails the test.
func newCommand(t *testing.T, x *runtime.Experiment, opts command.Options, argv ...string) *command.Command {
	t.Helper()
	c, err := command.New(argv, x.Trials(), opts)
	if err != nil {
		t.Fatalf("New(%q): %v", argv, err)
	}
	return c
}

// run runs the experiment quietly.
func run(t *testing.T, ctx context.Context, x *runtime.Experiment, c *command.Command, opts ...runtime.Option) error {
	t.Helper()
	return x.Run(ctx, c.Run, append([]runtime.Option{runtime.WithConsole(io.Discard)}, opts...)...)
}

func repeatDir(ws, trial string, k int) string {
	return filepath.Join(ws, "cmdtest", "trials", trial, "repeat_"+strconv.Itoa(k))
}

type runRecord struct {
	Status    string             `json:"status"`
	Seed      int64              `json:"seed"`
	Error     string             `json:"error"`
	Summaries map[string]float64 `json:"summaries"`
}

func readRecord(t *testing.T, dir string) runRecord {
	t.Helper()
	var r runRecord
	data, err := os.ReadFile(filepath.Join(dir, "run.json"))
	if err != nil {
		t.Fatal(err)
	}
	if err := json.Unmarshal(data, &r); err != nil {
		t.Fatal(err)
	}
	return r
}

func readFile(t *testing.T, path string) string {
	t.Helper()
	data, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	return string(data)
}

// readPID reads a pid a script wrote.
func readPID(t *testing.T, path string) int {
	t.Helper()
	pid, err := strconv.Atoi(strings.TrimSpace(readFile(t, path)))
	if err != nil {
		t.Fatalf("%s: %v", path, err)
	}
	return pid
}

// assertGone fails when process pid still runs. A zombie runs nothing: where the first
// process of the system does not reap orphans, a killed orphan stays one.
func assertGone(t *testing.T, what string, pid int) {
	t.Helper()
	if data, err := os.ReadFile("/proc/" + strconv.Itoa(pid) + "/stat"); err == nil {
		s := string(data)
		fields := strings.Fields(s[strings.LastIndexByte(s, ')')+1:])
		if len(fields) > 0 && fields[0] != "Z" && fields[0] != "X" {
			t.Errorf("%s (pid %d) still runs: %s", what, pid, s)
			syscall.Kill(pid, syscall.SIGKILL)
		}
		return
	}
	if err := syscall.Kill(pid, 0); err != syscall.ESRCH {
		t.Errorf("%s (pid %d) still runs", what, pid)
		syscall.Kill(pid, syscall.SIGKILL)
	}
}
