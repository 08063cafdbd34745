package config

import (
	"os"
	"regexp"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/expman-dev/expman/schema"
)

func TestLoadSweep(t *testing.T) {
	cfg, err := Load(os.DirFS("testdata/good/sweep"), Options{})
	if err != nil {
		t.Fatal(err)
	}
	type row struct {
		Name     string
		ID       int
		Repeat   int
		Settings string
	}
	var got []row
	for _, tr := range cfg.Trials {
		js, err := tr.Settings.MarshalJSON()
		if err != nil {
			t.Fatal(err)
		}
		got = append(got, row{tr.Name, tr.ID, tr.Repeat, string(js)})
	}
	const rest = `"model_type":"mlp","batch_size":32,"log_level":"INFO","epochs":10,`
	want := []row{
		{"baseline", 1, 1, `{"dropout":false,"optimizer":{"momentum":0.9,"name":"sgd","lr":0.1},` + rest + `"hidden_layers":[64,32]}`},
		// The product in the order written, the first key varying slowest; numbers in their
		// shortest form (0.010 is 0.01), lists joined with "-".
		{"lr_grid/optimizer.lr=0.1,hidden_layers=64", pointID(3, "optimizer.lr=0.1,hidden_layers=64"), 2, `{"dropout":false,"optimizer":{"momentum":0.9,"name":"adam","lr":0.1},` + rest + `"hidden_layers":[64]}`},
		{"lr_grid/optimizer.lr=0.1,hidden_layers=128-64", pointID(3, "optimizer.lr=0.1,hidden_layers=128-64"), 2, `{"dropout":false,"optimizer":{"momentum":0.9,"name":"adam","lr":0.1},` + rest + `"hidden_layers":[128,64]}`},
		{"lr_grid/optimizer.lr=0.01,hidden_layers=64", pointID(3, "optimizer.lr=0.01,hidden_layers=64"), 2, `{"dropout":false,"optimizer":{"momentum":0.9,"name":"adam","lr":0.01},` + rest + `"hidden_layers":[64]}`},
		{"lr_grid/optimizer.lr=0.01,hidden_layers=128-64", pointID(3, "optimizer.lr=0.01,hidden_layers=128-64"), 2, `{"dropout":false,"optimizer":{"momentum":0.9,"name":"adam","lr":0.01},` + rest + `"hidden_layers":[128,64]}`},
		{"lr_grid/optimizer.lr=1e-05,hidden_layers=64", pointID(3, "optimizer.lr=1e-05,hidden_layers=64"), 2, `{"dropout":false,"optimizer":{"momentum":0.9,"name":"adam","lr":1e-05},` + rest + `"hidden_layers":[64]}`},
		{"lr_grid/optimizer.lr=1e-05,hidden_layers=128-64", pointID(3, "optimizer.lr=1e-05,hidden_layers=128-64"), 2, `{"dropout":false,"optimizer":{"momentum":0.9,"name":"adam","lr":1e-05},` + rest + `"hidden_layers":[128,64]}`},
		// The zip is one axis after the sweep's: its lists pair up, and vary fastest.
		{"paired/activation=relu,epochs=5,batch_size=16,dropout=true", pointID(5, "activation=relu,epochs=5,batch_size=16,dropout=true"), 1,
			`{"dropout":true,"optimizer":{"momentum":0.9,"name":"sgd","lr":0.1},"model_type":"mlp","batch_size":16,"log_level":"INFO","epochs":5,"hidden_layers":[8],"activation":"relu"}`},
		{"paired/activation=relu,epochs=10,batch_size=32,dropout=false", pointID(5, "activation=relu,epochs=10,batch_size=32,dropout=false"), 1,
			`{"dropout":false,"optimizer":{"momentum":0.9,"name":"sgd","lr":0.1},"model_type":"mlp","batch_size":32,"log_level":"INFO","epochs":10,"hidden_layers":[8],"activation":"relu"}`},
		{"paired/activation=tanh_h,epochs=5,batch_size=16,dropout=true", pointID(5, "activation=tanh_h,epochs=5,batch_size=16,dropout=true"), 1,
			`{"dropout":true,"optimizer":{"momentum":0.9,"name":"sgd","lr":0.1},"model_type":"mlp","batch_size":16,"log_level":"INFO","epochs":5,"hidden_layers":[8],"activation":"tanh h"}`},
		{"paired/activation=tanh_h,epochs=10,batch_size=32,dropout=false", pointID(5, "activation=tanh_h,epochs=10,batch_size=32,dropout=false"), 1,
			`{"dropout":false,"optimizer":{"momentum":0.9,"name":"sgd","lr":0.1},"model_type":"mlp","batch_size":32,"log_level":"INFO","epochs":10,"hidden_layers":[8],"activation":"tanh h"}`},
	}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Fatalf("trials (-want +got):\n%s", diff)
	}

	re := regexp.MustCompile(schema.TrialNamePattern)
	for _, tr := range cfg.Trials {
		if !re.MatchString(tr.Name) {
			t.Errorf("%q does not match schema.TrialNamePattern", tr.Name)
		}
		if tr.ID/pointIDSpan != 0 && tr.Sweep == nil {
			t.Errorf("%s: a hand-written trial got a point id %d", tr.Name, tr.ID)
		}
	}

	// A point keeps its trial's repeat, timeout and slurm, and says where it came from.
	p := cfg.Trials[3]
	if p.Timeout.String() != "30m0s" || p.Slurm == nil || p.Slurm.Time != "30" || p.Slurm.Mem != "8000" {
		t.Errorf("point timeout %v slurm %+v, want the trial's: 30m, time 30, mem 8000", p.Timeout, p.Slurm)
	}
	if p.Sweep == nil || p.Sweep.Base != "lr_grid" || p.Sweep.BaseID != 3 || len(p.Sweep.Values) != 2 ||
		p.Sweep.Values[0].Path != "optimizer.lr" || p.Sweep.Values[1].Path != "hidden_layers" {
		t.Errorf("point Sweep = %+v", p.Sweep)
	}
	// Provenance: swept values are LayerSweep, at their place in the list.
	for _, c := range []struct {
		path  []string
		pos   schema.Pos
		layer schema.Layer
	}{
		{[]string{"optimizer", "lr"}, pos("trials.yaml", 11, 25), schema.LayerSweep},
		{[]string{"hidden_layers"}, pos("trials.yaml", 12, 21), schema.LayerSweep},
		{[]string{"optimizer", "name"}, pos("trials.yaml", 9, 32), schema.LayerTrial},
		{[]string{"optimizer", "momentum"}, pos("settings.schema.json", 21, 51), schema.LayerDefault},
		{[]string{"epochs"}, pos("experiment.yaml", 5, 11), schema.LayerExperiment},
	} {
		v, n := p.Settings.Lookup(c.path)
		if n != len(c.path) || v.Pos != c.pos || v.Layer != c.layer {
			t.Errorf("%v at %s (%s), want %s (%s)", c.path, v.Pos, v.Layer, c.pos, c.layer)
		}
	}
	if got := p.Settings.Get("optimizer").Layer; got != schema.LayerSweep {
		t.Errorf("optimizer mapping layer = %s, want sweep (the highest that wrote into it)", got)
	}
}

// TestSweepStableWhenValueAdded adds values to a sweep and a zip and wants every existing
// point to keep its name and id, so that resume reruns nothing.
func TestSweepStableWhenValueAdded(t *testing.T) {
	before := loadTrials(t, "testdata/good/sweep", nil)
	trials, err := os.ReadFile("testdata/good/sweep/trials.yaml")
	if err != nil {
		t.Fatal(err)
	}
	grown := strings.NewReplacer(
		"optimizer.lr: [0.1, 0.010, 1e-5]", "optimizer.lr: [0.3, 0.1, 0.010, 1e-5, 2]",
		"hidden_layers: [[64], [128, 64]]", "hidden_layers: [[64], [32, 32], [128, 64]]",
		"epochs: [5, 10]", "epochs: [5, 10, 20]",
		"batch_size: [16, 32]", "batch_size: [16, 32, 64]",
		"dropout: [true, false]", "dropout: [true, false, true]",
	).Replace(string(trials))
	if grown == string(trials) {
		t.Fatal("the replacements did not apply")
	}
	after := loadTrials(t, "testdata/good/sweep", map[string]string{"trials.yaml": grown})
	if len(after) != 1+5*3+2*3 {
		t.Errorf("%d trials after adding values, want %d", len(after), 1+5*3+2*3)
	}
	for name, id := range before {
		if got, ok := after[name]; !ok || got != id {
			t.Errorf("%s (id %d) became id %d, present %v", name, id, got, ok)
		}
	}
}

func loadTrials(t *testing.T, dir string, over map[string]string) map[string]int {
	t.Helper()
	cfg, err := Load(dirWith(t, dir, over), Options{})
	if err != nil {
		t.Fatal(err)
	}
	out := make(map[string]int)
	for _, tr := range cfg.Trials {
		out[tr.Name] = tr.ID
	}
	return out
}

func TestPointValueName(t *testing.T) {
	for _, c := range []struct{ yaml, want string }{
		{"0.010", "0.01"}, {"1e-5", "1e-05"}, {"1.0", "1"}, {"-3", "-3"}, {"100000000", "100000000"},
		{"true", "true"}, {"null", "null"}, {"adam", "adam"}, {`"a b/c=d,é"`, "a_b_c_d__"},
		{"[128, 64]", "128-64"}, {"[]", ""}, {"[a, 0.5, true]", "a-0.5-true"},
	} {
		v, errs := parseYAML("x.yaml", []byte(c.yaml))
		if errs != nil {
			t.Fatal(errs)
		}
		got, why := pointValueName(v)
		if got != c.want || why != "" {
			t.Errorf("name of %s = %q (%s), want %q", c.yaml, got, why, c.want)
		}
	}
	for _, y := range []string{"{a: 1}", "[[1], [2]]", "[{a: 1}]"} {
		v, _ := parseYAML("x.yaml", []byte(y))
		if _, why := pointValueName(v); why == "" {
			t.Errorf("%s was named, want a reason it cannot be", y)
		}
	}
}

func TestPointID(t *testing.T) {
	a, b := pointID(3, "lr=0.1"), pointID(3, "lr=0.01")
	if a == b || a/pointIDSpan != 3 || b/pointIDSpan != 3 || a%pointIDSpan == 0 {
		t.Errorf("ids %d and %d, want distinct, 3 followed by nine digits, never 3000000000", a, b)
	}
	if n := pointID(-2, "lr=0.1"); n >= -2*pointIDSpan || n <= -3*pointIDSpan {
		t.Errorf("negative trial id gives %d, want between -3e9 and -2e9", n)
	}
	if pointID(3, "lr=0.1") != a {
		t.Error("pointID is not deterministic")
	}
	if got := pointID(0, "x=1"); got != 1+int(fnv64a("x=1")%(pointIDSpan-1)) {
		t.Errorf("pointID(0, x=1) = %d", got)
	}
}

// fnv64a is FNV-1a as its definition states it, to pin the id rule independently of
// hash/fnv.
func fnv64a(s string) uint64 {
	h := uint64(14695981039346656037)
	for i := 0; i < len(s); i++ {
		h ^= uint64(s[i])
		h *= 1099511628211
	}
	return h
}

func TestSweepAndZipTogetherAndEmpty(t *testing.T) {
	cfg, err := Load(dirWith(t, "testdata/good/sweep", map[string]string{"trials.yaml": `
- name: empty
  settings: {hidden_layers: [8]}
  sweep: {}
- name: zonly
  id: 9
  settings: {hidden_layers: [8]}
  zip: {epochs: [1, 2], batch_size: [3, 4]}
`}), Options{})
	if err != nil {
		t.Fatal(err)
	}
	var names []string
	for _, tr := range cfg.Trials {
		names = append(names, tr.Name)
	}
	if diff := cmp.Diff([]string{"empty", "zonly/epochs=1,batch_size=3", "zonly/epochs=2,batch_size=4"}, names); diff != "" {
		t.Errorf("names (-want +got):\n%s", diff)
	}
}

func TestSweepErrors(t *testing.T) {
	for _, c := range []struct{ trials, want string }{
		{"- name: a\n  settings: {hidden_layers: [8]}\n  sweep: {epochs: [1], epochs.x: [2]}\n",
			`trials.yaml:3:24: trial "a": sweep: "epochs.x" overlaps "epochs" (line 3); a setting may be swept once`},
		{"- name: a\n  settings: {hidden_layers: [8]}\n  sweep: {epochs: [1]}\n  zip: {epochs: [2]}\n",
			`trials.yaml:4:9: trial "a": zip: "epochs" overlaps "epochs" (line 3); a setting may be swept once`},
		{"- name: a\n  settings: {hidden_layers: [8]}\n  sweep: {epochs: 3}\n",
			`trials.yaml:3:19: trial "a": sweep.epochs: want array, got integer 3`},
		{"- name: a\n  settings: {hidden_layers: [8]}\n  sweep: {optimizer..lr: [3]}\n",
			`trials.yaml:3:11: trial "a": sweep: setting path "optimizer..lr" has an empty part; want keys separated by single dots, such as optimizer.lr`},
		{"- name: a\n  settings: {hidden_layers: [8]}\n  sweep: {hidden_layers.3: [3]}\n",
			`trials.yaml:3:29: trial "a": sweep: cannot set hidden_layers.3: hidden_layers is a list of 1; want an index from 0 to 0`},
	} {
		_, err := Load(dirWith(t, "testdata/good/sweep", map[string]string{"trials.yaml": c.trials}), Options{})
		if err == nil || err.Error() != c.want {
			t.Errorf("trials\n%s\nerror:\n%v\nwant:\n%s", c.trials, err, c.want)
		}
	}
}
