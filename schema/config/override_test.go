package config

import (
	"encoding/json"
	"os"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/expman-dev/expman/schema"
)

func TestLoadOverrides(t *testing.T) {
	cfg, err := Load(os.DirFS("testdata/good/sweep"), Options{Overrides: []string{
		"epochs=3",               // integer
		"optimizer.lr=0.5",       // nested number, over a swept value too
		"hidden_layers=[32, 16]", // flow list
		"activation=leaky relu",  // plain string with a blank
		`log_level="WARN"`,       // quoted string
		"dropout=true",           // boolean
		"optimizer={name: adam}", // a mapping merges into the mapping
		"epochs=4",               // a later override wins
	}})
	if err != nil {
		t.Fatal(err)
	}
	for _, tr := range cfg.Trials {
		js, _ := tr.Settings.MarshalJSON()
		want := `{"dropout":true,"optimizer":{"momentum":0.9,"name":"adam","lr":0.5},"model_type":"mlp","batch_size":32,"log_level":"WARN","epochs":4,"hidden_layers":[32,16],"activation":"leaky relu"}`
		if tr.Sweep != nil && tr.Sweep.Base == "paired" {
			continue // its zip sets batch_size
		}
		if string(js) != want {
			t.Errorf("%s: settings\n%s\nwant\n%s", tr.Name, js, want)
		}
	}
	// Provenance: an override's leaves are LayerOverride at the flag as written.
	s := cfg.Trials[0].Settings
	for _, c := range []struct {
		path []string
		file string
	}{
		{[]string{"epochs"}, "-set epochs=4"},
		{[]string{"optimizer", "lr"}, "-set optimizer.lr=0.5"},
		{[]string{"optimizer", "name"}, "-set optimizer={name: adam}"},
		{[]string{"hidden_layers"}, "-set hidden_layers=[32, 16]"},
	} {
		v, _ := s.Lookup(c.path)
		if v.Layer != schema.LayerOverride || v.Pos != (schema.Pos{File: c.file}) {
			t.Errorf("%v at %q (%s), want %q (override)", c.path, v.Pos, v.Layer, c.file)
		}
	}
	if got := s.Get("model_type").Layer; got != schema.LayerBase {
		t.Errorf("model_type layer = %s, want base", got)
	}
}

func TestLoadOverrideErrors(t *testing.T) {
	for _, c := range []struct {
		args []string
		want string
	}{
		{[]string{`hidden_layers=[32,"x"]`}, `-set hidden_layers=[32,"x"]: settings.hidden_layers[1]: want integer, got string "x"`},
		{[]string{"optimizer.lrr=1"}, `-set optimizer.lrr=1: settings.optimizer: unknown setting "lrr"; did you mean "lr"?`},
		{[]string{"epoch=1"}, `-set epoch=1: settings: unknown setting "epoch"; did you mean "epochs"?`},
		{[]string{"epochs=many"}, `-set epochs=many: settings.epochs: want integer, got string "many"`},
		{[]string{"epochs"}, `-set epochs: want path=value, such as learning_rate=0.01 or hidden_layers=[32,16]`},
		{[]string{"=1"}, `-set =1: want a setting path before "=", such as learning_rate or optimizer.lr`},
		{[]string{"epochs=[1"}, `-set epochs=[1: cannot read the value "[1": did not find expected ',' or ']'; want a YAML scalar or flow collection, such as 0.1, adam, [32, 16] or {name: adam}`},
		{[]string{"epochs.x=1"}, `-set epochs.x=1: settings.epochs is an integer; it has no setting "x"`},
		{[]string{"optimizer.lr=-1", "model_type=cnn"},
			"-set model_type=cnn: settings.model_type: want one of \"mlp\", got string \"cnn\"\n" +
				"-set optimizer.lr=-1: settings.optimizer.lr: want > 0, got integer -1\n2 errors"},
	} {
		_, err := Load(os.DirFS("testdata/good/sweep"), Options{Overrides: c.args})
		if err == nil || err.Error() != c.want {
			t.Errorf("%q:\n got %v\nwant %s", c.args, err, c.want)
		}
	}
}

// TestApplyOverridesCompiledIn does what a generated program does: settings it carries as
// Go values, the schema text it carries, overrides from its command line.
func TestApplyOverridesCompiledIn(t *testing.T) {
	raw, err := os.ReadFile("testdata/good/sweep/settings.schema.json")
	if err != nil {
		t.Fatal(err)
	}
	sch, err := CompileSchema("settings.schema.json", raw)
	if err != nil {
		t.Fatal(err)
	}
	type optimizer struct {
		Name string  `json:"name"`
		LR   float64 `json:"lr"`
	}
	type settings struct {
		ModelType    string    `json:"model_type"`
		Epochs       int       `json:"epochs"`
		BatchSize    int       `json:"batch_size"`
		HiddenLayers []int     `json:"hidden_layers"`
		Optimizer    optimizer `json:"optimizer"`
	}
	typed := settings{"mlp", 10, 32, []int{64}, optimizer{"sgd", 0.1}}
	ovs, err := ParseOverrides([]string{"hidden_layers=[32,16]", "optimizer.lr=1e-3"})
	if err != nil {
		t.Fatal(err)
	}
	out, err := ApplyOverrides(schema.FromInterface(typed), ovs, sch, `trial "small"`)
	if err != nil {
		t.Fatal(err)
	}
	js, _ := out.MarshalJSON()
	var back settings
	if err := json.Unmarshal(js, &back); err != nil {
		t.Fatal(err)
	}
	want := settings{"mlp", 10, 32, []int{32, 16}, optimizer{"sgd", 0.001}}
	if diff := cmp.Diff(want, back); diff != "" {
		t.Errorf("settings (-want +got):\n%s", diff)
	}
	if string(js) != `{"model_type":"mlp","epochs":10,"batch_size":32,"hidden_layers":[32,16],"optimizer":{"name":"sgd","lr":0.001}}` {
		t.Errorf("struct field order lost: %s", js)
	}

	bad, err := ParseOverrides([]string{`hidden_layers=[32,"x"]`, "optimizer.lrr=1"})
	if err != nil {
		t.Fatal(err)
	}
	_, err = ApplyOverrides(schema.FromInterface(typed), bad, sch, `trial "small"`)
	want2 := `-set optimizer.lrr=1: settings.optimizer: unknown setting "lrr"; did you mean "lr"?`
	if err == nil || err.Error() != want2 {
		t.Errorf("unknown key: got %v, want %s", err, want2)
	}
	bad = bad[:1]
	_, err = ApplyOverrides(schema.FromInterface(typed), bad, sch, `trial "small"`)
	want3 := `-set hidden_layers=[32,"x"]: trial "small": settings.hidden_layers[1]: want integer, got string "x"`
	if err == nil || err.Error() != want3 {
		t.Errorf("type error: got %v, want %s", err, want3)
	}
	if _, err := CompileSchema("s.json", []byte(`{"type": 3}`)); err == nil {
		t.Error("CompileSchema accepted an invalid schema")
	}
}

func TestParseOverridesAllErrors(t *testing.T) {
	_, err := ParseOverrides([]string{"a", "b=1", "c..d=2", "e={"})
	var list schema.ErrorList
	if err == nil || !asList(err, &list) || len(list) != 3 {
		t.Fatalf("got %v, want 3 errors", err)
	}
	ovs, err := ParseOverrides([]string{"a.b=x=y", "c=", "d=[1, {e: f}]"})
	if err != nil {
		t.Fatal(err)
	}
	if ovs[0].Key() != "a.b" || ovs[0].Value.Str != "x=y" || ovs[1].Value.Kind != schema.String || ovs[1].Value.Str != "" {
		t.Errorf("parsed %+v %+v", ovs[0], ovs[1])
	}
}

func asList(err error, l *schema.ErrorList) bool {
	v, ok := err.(schema.ErrorList)
	*l = v
	return ok
}

func TestOverridesYAML(t *testing.T) {
	ovs, err := ParseOverrides([]string{"optimizer.lr=0.5", "hidden_layers=[32,16]", "name=adam", "on=true", "x={a: 1}"})
	if err != nil {
		t.Fatal(err)
	}
	want := `- path: optimizer.lr
  value: 0.5
- path: hidden_layers
  value: [32, 16]
- path: name
  value: adam
- path: on
  value: true
- path: x
  value:
    a: 1
`
	if diff := cmp.Diff(want, string(OverridesYAML(ovs))); diff != "" {
		t.Errorf("(-want +got):\n%s", diff)
	}
	if got := string(OverridesYAML(nil)); got != "[]\n" {
		t.Errorf("no overrides = %q, want []", got)
	}
}

func TestSlurmOver(t *testing.T) {
	exp := &Slurm{Partition: "gpu", Time: "1:00:00", GPUs: 1, ArrayParallelism: 4, Setup: []string{"a"}}
	tr := &Slurm{Time: "30", GPUs: 2, Extra: []string{"--x"}}
	got := exp.Over(tr)
	want := &Slurm{Partition: "gpu", Time: "30", GPUs: 2, ArrayParallelism: 4, Setup: []string{"a"}, Extra: []string{"--x"}}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("(-want +got):\n%s", diff)
	}
	if (*Slurm)(nil).Over(nil) != nil {
		t.Error("nil over nil is not nil")
	}
	if diff := cmp.Diff(tr, (*Slurm)(nil).Over(tr)); diff != "" {
		t.Errorf("nil over trial:\n%s", diff)
	}
	got.Setup[0] = "changed"
	if exp.Setup[0] != "a" {
		t.Error("Over shares lists with its input")
	}
}

func TestLoadSlurm(t *testing.T) {
	cfg, err := Load(os.DirFS("testdata/good/sweep"), Options{})
	if err != nil {
		t.Fatal(err)
	}
	want := &Slurm{Partition: "gpu", Time: "1:00:00", CPUsPerTask: 2, Mem: "4G", GPUs: 1, ArrayParallelism: 4,
		Account: "lab", QOS: "normal", Constraint: "a100", Setup: []string{"module load cuda"}, Extra: []string{"--mail-type=END"}}
	if diff := cmp.Diff(want, cfg.Experiment.Slurm); diff != "" {
		t.Errorf("experiment slurm (-want +got):\n%s", diff)
	}
	if cfg.Trials[0].Slurm != nil {
		t.Errorf("baseline has slurm %+v, want nil", cfg.Trials[0].Slurm)
	}
	if diff := cmp.Diff(&Slurm{Time: "30", Mem: "8000"}, cfg.Trials[1].Slurm); diff != "" {
		t.Errorf("lr_grid slurm (-want +got):\n%s", diff)
	}
}
