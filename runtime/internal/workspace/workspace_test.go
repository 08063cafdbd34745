package workspace

import (
	"errors"
	"math"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"gopkg.in/yaml.v3"
)

func TestCheckName(t *testing.T) {
	for _, name := range []string{"a", "small_network", "v1.2-b", "..a", ".hidden"} {
		if err := CheckName("trial", name); err != nil {
			t.Errorf("CheckName(%q) = %v, want nil", name, err)
		}
	}
	for _, name := range []string{"", ".", "..", "a/b", `a\b`, "../x", "/abs", "a b", "ü", "a\x00"} {
		if err := CheckName("trial", name); err == nil {
			t.Errorf("CheckName(%q) = nil, want an error", name)
		}
	}
}

func TestWriteFile(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, "run.json")
	for _, d := range []Durability{Atomic, Durable, Atomic} {
		want := "content " + time.Now().String()
		if err := WriteFile(path, []byte(want), d); err != nil {
			t.Fatal(err)
		}
		if got, _ := os.ReadFile(path); string(got) != want {
			t.Errorf("after WriteFile: %q, want %q", got, want)
		}
	}
	st, err := os.Stat(path)
	if err != nil || st.Mode().Perm()&0o044 == 0 {
		t.Errorf("mode %v (%v), want readable by others", st.Mode(), err)
	}
	assertOnly(t, dir, "run.json")
}

func TestWriteFileFailureKeepsOldAndLeavesNoTemp(t *testing.T) {
	dir := t.TempDir()
	// A folder where the file should go: the rename fails after the temp file was written.
	target := filepath.Join(dir, "run.json")
	if err := os.Mkdir(target, 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(target, "keep"), nil, 0o644); err != nil {
		t.Fatal(err)
	}
	if err := WriteFile(target, []byte("x"), Durable); err == nil {
		t.Fatal("WriteFile over a non-empty folder succeeded")
	}
	assertOnly(t, dir, "run.json")
	if err := WriteFile(filepath.Join(dir, "missing", "f"), []byte("x"), Atomic); !errors.Is(err, os.ErrNotExist) {
		t.Errorf("WriteFile into a missing folder = %v, want ErrNotExist", err)
	}
}

func assertOnly(t *testing.T, dir string, names ...string) {
	t.Helper()
	ents, err := os.ReadDir(dir)
	if err != nil {
		t.Fatal(err)
	}
	var got []string
	for _, e := range ents {
		got = append(got, e.Name())
	}
	if diff := cmp.Diff(names, got); diff != "" {
		t.Errorf("%s holds (-want +got):\n%s", dir, diff)
	}
}

func TestRecordRoundTrip(t *testing.T) {
	path := filepath.Join(t.TempDir(), RunFile)
	start := time.Date(2026, 1, 2, 3, 4, 5, 6, time.UTC)
	rec := &RunRecord{Experiment: "e", Trial: "t", TrialID: 3, Repeat: 2, Status: Running, Seed: -5, Start: start}
	if err := WriteRecord(path, rec, Atomic); err != nil {
		t.Fatal(err)
	}
	const running = `{
  "experiment": "e",
  "trial": "t",
  "trial_id": 3,
  "repeat": 2,
  "status": "running",
  "seed": -5,
  "start": "2026-01-02T03:04:05.000000006Z"
}
`
	if diff := cmp.Diff(running, readFile(t, path)); diff != "" {
		t.Errorf("running run.json (-want +got):\n%s", diff)
	}
	rec.Finish(Failed, start.Add(1500*time.Millisecond), errors.New("boom"))
	if err := WriteRecord(path, rec, Durable); err != nil {
		t.Fatal(err)
	}
	got, err := ReadRecord(path)
	if err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff(rec, got); diff != "" {
		t.Errorf("ReadRecord (-want +got):\n%s", diff)
	}
	if got.Duration != "1.5s" || *got.DurationSeconds != 1.5 || got.Error != "boom" {
		t.Errorf("finished record = %+v", got)
	}
}

func readFile(t *testing.T, path string) string {
	t.Helper()
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

type custom struct{ v string }

func (c custom) MarshalText() ([]byte, error) { return []byte("custom:" + c.v), nil }

func (c *custom) UnmarshalText(b []byte) error {
	c.v = strings.TrimPrefix(string(b), "custom:")
	return nil
}

type embedded struct {
	Inner int `yaml:"inner"`
}

type sample struct {
	Str      string            `yaml:"str"`
	NumStr   string            `yaml:"num_str"`
	Float    float64           `yaml:"float"`
	Small    float32           `yaml:"small"`
	Inf      float64           `yaml:"inf"`
	Ints     []int             `yaml:"ints"`
	Empty    []string          `yaml:"empty"`
	Nested   [][]int           `yaml:"nested"`
	Map      map[string]int    `yaml:"map"`
	NoMap    map[string]int    `yaml:"no_map"`
	Ptr      *bool             `yaml:"ptr"`
	Omitted  string            `yaml:"omitted,omitempty"`
	Skipped  int               `yaml:"-"`
	Untagged bool              //
	Any      any               `yaml:"any"`
	Custom   custom            `yaml:"custom"`
	Structs  []embedded        `yaml:"structs"`
	Objs     map[string]custom `yaml:"objs"`
	embedded `yaml:",inline"`
	hidden   int
}

func TestToNode(t *testing.T) {
	tr := true
	s := sample{
		Str: "hello", NumStr: "10", Float: 2, Small: 0.5, Inf: math.Inf(1),
		Ints: []int{1, 2}, Nested: [][]int{{1}, {2, 3}}, Map: map[string]int{"b": 2, "a": 1},
		Ptr: &tr, Untagged: true, Any: map[string]any{"x": 1.5}, Custom: custom{"c"},
		Structs: []embedded{{1}}, Objs: map[string]custom{"k": {"v"}}, embedded: embedded{Inner: 4},
	}
	node, err := ToNode(s)
	if err != nil {
		t.Fatal(err)
	}
	got, err := MarshalYAML(node)
	if err != nil {
		t.Fatal(err)
	}
	const want = `str: hello
num_str: "10"
float: 2.0
small: 0.5
inf: .inf
ints: [1, 2]
empty: []
nested:
  - [1]
  - [2, 3]
map:
  a: 1
  b: 2
no_map: {}
ptr: true
untagged: true
any:
  x: 1.5
custom: custom:c
structs:
  - inner: 1
objs:
  k: custom:v
inner: 4
`
	if diff := cmp.Diff(want, string(got)); diff != "" {
		t.Errorf("YAML (-want +got):\n%s", diff)
	}
	// What was written reads back as the same types.
	var back sample
	if err := yaml.Unmarshal(got, &back); err != nil {
		t.Fatal(err)
	}
	if back.Float != 2 || back.NumStr != "10" || back.Inner != 4 || !math.IsInf(back.Inf, 1) || back.Custom.v != "c" {
		t.Errorf("read back %+v", back)
	}
}

func TestToNodeRejectsFunctions(t *testing.T) {
	_, err := ToNode(struct {
		F func() `yaml:"f"`
	}{})
	if err == nil || !strings.Contains(err.Error(), "f: cannot write a func() as YAML") {
		t.Errorf("ToNode(func) = %v, want an error naming the field", err)
	}
}

func TestTrialConfig(t *testing.T) {
	got, err := TrialConfig("t", 3, 2, nil)
	if err != nil {
		t.Fatal(err)
	}
	if want := "name: t\nid: 3\nrepeat: 2\nsettings: {}\n"; string(got) != want {
		t.Errorf("TrialConfig = %q, want %q", got, want)
	}
}

func TestLayoutPaths(t *testing.T) {
	e := NewExperiment("ws", "exp")
	r := e.Trial("tr").Run(3)
	got := []string{e.LogFile(), e.Trial("tr").ConfigFile(), e.Trial("tr").LogFile(), r.LogFile(), r.RecordFile(), r.Artifacts}
	want := []string{
		"ws/exp/logs/experiment.log", "ws/exp/trials/tr/configs/trial.yaml", "ws/exp/trials/tr/logs/trial.log",
		"ws/exp/trials/tr/repeat_3/logs/run.log", "ws/exp/trials/tr/repeat_3/run.json", "ws/exp/trials/tr/repeat_3/artifacts",
	}
	for i := range want {
		want[i] = filepath.FromSlash(want[i])
	}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("paths (-want +got):\n%s", diff)
	}
}

func TestCheckTrialName(t *testing.T) {
	for _, name := range []string{"a", "small_network", "lr_grid/learning_rate=0.01,hidden_layers=128-64",
		"g/optimizer.lr=1e-05", "g/x=+1.5", "g/flag=true", "..a/x=1"} {
		if err := CheckTrialName(name); err != nil {
			t.Errorf("CheckTrialName(%q) = %v, want nil", name, err)
		}
	}
	for _, name := range []string{"", ".", "..", "a/b/c", "a/b", "a/=1", "a/", "/a", "../x", "./x", "a/..", "a/.", "a b/x=1",
		`a\b`, "g/x=a b", "g/x=ü", "a=1/x=1", "a,b"} {
		if err := CheckTrialName(name); err == nil {
			t.Errorf("CheckTrialName(%q) = nil, want an error", name)
		}
	}
}

func TestSweepPointLayout(t *testing.T) {
	e := NewExperiment("ws", "exp")
	tr := e.Trial("lr_grid/learning_rate=0.01,hidden_layers=128-64")
	got := []string{tr.Dir, tr.ConfigFile(), tr.LogFile(), tr.Run(2).RecordFile(), tr.Run(2).LockFile()}
	want := []string{
		"ws/exp/trials/lr_grid/learning_rate=0.01,hidden_layers=128-64",
		"ws/exp/trials/lr_grid/learning_rate=0.01,hidden_layers=128-64/configs/trial.yaml",
		"ws/exp/trials/lr_grid/learning_rate=0.01,hidden_layers=128-64/logs/trial.log",
		"ws/exp/trials/lr_grid/learning_rate=0.01,hidden_layers=128-64/repeat_2/run.json",
		"ws/exp/trials/lr_grid/learning_rate=0.01,hidden_layers=128-64/repeat_2/.lock",
	}
	for i := range want {
		want[i] = filepath.FromSlash(want[i])
	}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("paths (-want +got):\n%s", diff)
	}
}
