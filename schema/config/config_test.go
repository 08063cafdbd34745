package config

import (
	"io/fs"
	"os"
	"strings"
	"testing"
	"testing/fstest"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/expman-dev/expman/schema"
)

func pos(file string, line, col int) schema.Pos { return schema.Pos{File: file, Line: line, Col: col} }

func TestLoadGoodMLP(t *testing.T) {
	cfg, err := Load(os.DirFS("testdata/good/mlp"), Options{})
	if err != nil {
		t.Fatal(err)
	}
	if got, want := cfg.Experiment, (Experiment{Name: "my_experiment", ID: 1,
		Desc: "A multilayer perceptron on two interleaved spirals.", Pos: pos("experiment.yaml", 1, 1)}); got != want {
		t.Errorf("experiment = %+v, want %+v", got, want)
	}
	want := []struct {
		name, settings string
		id, repeat     int
	}{
		{"small_network", `{"model_type":"mlp","batch_size":32,"log_level":"INFO","epochs":10,"hidden_layers":[64,32],"learning_rate":0.001}`, 1, 3},
		{"large_network", `{"model_type":"mlp","batch_size":32,"log_level":"INFO","epochs":10,"hidden_layers":[256,128,64],"learning_rate":0.0001}`, 2, 3},
	}
	if len(cfg.Trials) != len(want) {
		t.Fatalf("%d trials, want %d", len(cfg.Trials), len(want))
	}
	for i, w := range want {
		tr := cfg.Trials[i]
		js, err := tr.Settings.MarshalJSON()
		if err != nil {
			t.Fatal(err)
		}
		if tr.Name != w.name || tr.ID != w.id || tr.Repeat != w.repeat || string(js) != w.settings {
			t.Errorf("trial %d = %s id %d repeat %d %s, want %s id %d repeat %d %s",
				i, tr.Name, tr.ID, tr.Repeat, js, w.name, w.id, w.repeat, w.settings)
		}
	}
	// Provenance: each leaf remembers the file and layer that set it.
	s := cfg.Trials[1].Settings
	for _, c := range []struct {
		key   string
		pos   schema.Pos
		layer schema.Layer
	}{
		{"model_type", pos("base.yaml", 2, 15), schema.LayerBase},
		{"epochs", pos("experiment.yaml", 5, 11), schema.LayerExperiment},
		{"learning_rate", pos("trials.yaml", 12, 20), schema.LayerTrial},
	} {
		v := s.Get(c.key)
		if v.Pos != c.pos || v.Layer != c.layer {
			t.Errorf("%s at %s (%s), want %s (%s)", c.key, v.Pos, v.Layer, c.pos, c.layer)
		}
	}
	var names []string
	for _, f := range cfg.Files {
		names = append(names, f.Name)
	}
	if diff := cmp.Diff([]string{"experiment.yaml", "base.yaml", "trials.yaml", "settings.schema.json"}, names); diff != "" {
		t.Errorf("files (-want +got):\n%s", diff)
	}
	raw, _ := os.ReadFile("testdata/good/mlp/trials.yaml")
	if string(cfg.Files[2].Data) != string(raw) {
		t.Errorf("Files[2] is not trials.yaml as read")
	}
}

func TestLoadTimeouts(t *testing.T) {
	cfg, err := Load(os.DirFS("testdata/good/timeouts"), Options{})
	if err != nil {
		t.Fatal(err)
	}
	if got, want := cfg.Experiment.Timeout, 90*time.Minute; got != want {
		t.Errorf("experiment timeout = %v, want %v", got, want)
	}
	// A trial's Timeout is its own: unset stays 0, not the experiment's.
	want := map[string]time.Duration{"small_network": 90 * time.Second, "large_network": 0, "half_hour": 30 * time.Minute}
	got := make(map[string]time.Duration)
	for _, tr := range cfg.Trials {
		got[tr.Name] = tr.Timeout
	}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("trial timeouts (-want +got):\n%s", diff)
	}
}

// TestTimeoutMessages checks each way a timeout can be wrong, in experiment.yaml and in a
// trial, down to the message; testdata/bad/timeout_* cover them in whole files.
func TestTimeoutMessages(t *testing.T) {
	for _, c := range []struct{ value, want string }{
		{`soon`, `want a duration such as "30m" or "1h30m", got string "soon"`},
		{`"30"`, `want a duration such as "30m" or "1h30m", got string "30"`},
		{`1h 30m`, `want a duration such as "30m" or "1h30m", got string "1h 30m"`},
		{`30`, `want a duration such as "30m" or "1h30m", got integer 30`},
		{`1.5`, `want a duration such as "30m" or "1h30m", got number 1.5`},
		{`true`, `want a duration such as "30m" or "1h30m", got boolean true`},
		{`0s`, `want a duration > 0, got string "0s"`},
		{`0h0m`, `want a duration > 0, got string "0h0m"`},
		{`0.1ns`, `want a duration > 0, got string "0.1ns"`},
		{`-5m`, `want a duration > 0, got string "-5m"`},
		{`+5m`, `want a duration such as "30m" or "1h30m", got string "+5m"`},
		{`3000000h`, `want a duration of at most 2562047h47m16.854775807s, got string "3000000h"`},
	} {
		t.Run(c.value, func(t *testing.T) {
			fsys := dirWith(t, "testdata/good/mlp", map[string]string{
				"experiment.yaml": "name: e\ntimeout: " + c.value + "\nsettings:\n  epochs: 10\n",
				"trials.yaml":     "- name: big\n  timeout: " + c.value + "\n  settings: {hidden_layers: [8], learning_rate: 0.1}\n",
			})
			_, err := Load(fsys, Options{})
			want := "experiment.yaml:2:10: timeout: " + c.want + "\n" +
				`trials.yaml:2:12: trial "big": timeout: ` + c.want + "\n2 errors"
			if err == nil || err.Error() != want {
				t.Errorf("err = %v\nwant %s", err, want)
			}
		})
	}
}

func TestLoadDraft07WithDefaults(t *testing.T) {
	cfg, err := Load(os.DirFS("testdata/good/draft07"), Options{})
	if err != nil {
		t.Fatal(err)
	}
	tr := cfg.Trials[0]
	js, _ := tr.Settings.MarshalJSON()
	if got, want := string(js), `{"widths":[8,4],"act":"relu","lr":0.1}`; got != want {
		t.Errorf("settings = %s, want %s", got, want)
	}
	if tr.Repeat != 1 {
		t.Errorf("repeat = %d, want the default 1", tr.Repeat)
	}
	w := tr.Settings.Get("widths")
	if w.Layer != schema.LayerDefault || w.Pos.File != "settings.schema.json" || w.Pos.Line != 12 {
		t.Errorf("widths from %s at %s, want the default in settings.schema.json:12", w.Layer, w.Pos)
	}
}

// TestDraft07IsValidatedAsDraft07 checks that $schema selects the draft: in draft-07,
// exclusiveMinimum is a number, and 0 must fail it.
func TestDraft07IsValidatedAsDraft07(t *testing.T) {
	fsys := dirWith(t, "testdata/good/draft07", map[string]string{
		"experiment.yaml": "name: d\nsettings:\n  lr: 0\n",
	})
	_, err := Load(fsys, Options{})
	want := `experiment.yaml:3:7: trial "only": settings.lr: want > 0, got integer 0`
	if err == nil || err.Error() != want {
		t.Errorf("err = %v, want %s", err, want)
	}
}

func TestSchemaPathOption(t *testing.T) {
	fsys := dirWith(t, "testdata/good/mlp", nil)
	fsys["schemas/s.json"] = fsys["settings.schema.json"]
	delete(fsys, "settings.schema.json")
	cfg, err := Load(fsys, Options{SchemaPath: "schemas/s.json"})
	if err != nil {
		t.Fatal(err)
	}
	if cfg.Schema.Path != "schemas/s.json" || cfg.Files[3].Name != SchemaFile {
		t.Errorf("schema path %q, file name %q", cfg.Schema.Path, cfg.Files[3].Name)
	}
}

func TestBaseIsOptional(t *testing.T) {
	fsys := dirWith(t, "testdata/good/draft07", nil)
	if _, ok := fsys["base.yaml"]; ok {
		t.Fatal("draft07 case has a base.yaml")
	}
	if _, err := Load(fsys, Options{}); err != nil {
		t.Fatal(err)
	}
}

func TestSchemaValidate(t *testing.T) {
	cfg, err := Load(os.DirFS("testdata/good/mlp"), Options{})
	if err != nil {
		t.Fatal(err)
	}
	s := cfg.Trials[0].Settings.Clone()
	s.Field("epochs").Value = &schema.Value{Kind: schema.String, Str: "ten", Pos: pos("main.go", 3, 4)}
	err = cfg.Schema.Validate(`trial "x"`, s)
	if want := `main.go:3:4: trial "x": settings.epochs: want integer, got string "ten"`; err == nil || err.Error() != want {
		t.Errorf("err = %v, want %s", err, want)
	}
}

// TestTruncatedFilesNeverPanic loads every prefix of every good file: bad input must
// produce errors, never a panic.
func TestTruncatedFilesNeverPanic(t *testing.T) {
	base := dirWith(t, "testdata/good/mlp", nil)
	for name, f := range base {
		for n := range len(f.Data) {
			fsys := dirWith(t, "testdata/good/mlp", map[string]string{name: string(f.Data[:n])})
			if _, err := Load(fsys, Options{}); err != nil && !strings.Contains(err.Error(), ":") {
				t.Fatalf("%s[:%d]: error without position: %v", name, n, err)
			}
		}
	}
}

// dirWith copies a testdata folder into memory, replacing files by over.
func dirWith(t *testing.T, dir string, over map[string]string) fstest.MapFS {
	t.Helper()
	entries, err := os.ReadDir(dir)
	if err != nil {
		t.Fatal(err)
	}
	fsys := fstest.MapFS{}
	for _, e := range entries {
		data, err := os.ReadFile(dir + "/" + e.Name())
		if err != nil {
			t.Fatal(err)
		}
		fsys[e.Name()] = &fstest.MapFile{Data: data}
	}
	for name, data := range over {
		fsys[name] = &fstest.MapFile{Data: []byte(data)}
	}
	return fsys
}

// outsideFS serves one file under a path that leaves the folder, as the CLI does for
// -schema ../schemas/s.json.
type outsideFS struct {
	dir  fstest.MapFS
	name string
	data []byte
}

func (o outsideFS) Open(name string) (fs.File, error) {
	if name == o.name {
		return fstest.MapFS{"f": {Data: o.data}}.Open("f")
	}
	return o.dir.Open(name)
}

// TestSchemaPathOutsideFolder: the compiler must not see the user's path, which
// normalises outside its base URL; messages still name it.
func TestSchemaPathOutsideFolder(t *testing.T) {
	fsys := dirWith(t, "testdata/good/mlp", nil)
	data := fsys["settings.schema.json"].Data
	delete(fsys, "settings.schema.json")
	const name = "../schemas/s.json"
	cfg, err := Load(outsideFS{fsys, name, data}, Options{SchemaPath: name})
	if err != nil {
		t.Fatal(err)
	}
	if cfg.Schema.Path != name {
		t.Errorf("schema path %q, want %q", cfg.Schema.Path, name)
	}
	bad := []byte(`{"type": "object", "properties": {"a": {"$ref": "#/$defs/missing"}}}`)
	_, err = Load(outsideFS{fsys, name, bad}, Options{SchemaPath: name})
	want := `../schemas/s.json:1:49: invalid schema: $ref "#/$defs/missing" not found`
	if err == nil || err.Error() != want {
		t.Errorf("err = %v\nwant %s", err, want)
	}
}
