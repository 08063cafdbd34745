package config

import (
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/expman-dev/expman/schema"
)

// flatten lists "path kind value @pos" for every node, keys in order.
func flatten(v *schema.Value) []string {
	var out []string
	var walk func(path string, v *schema.Value)
	walk = func(path string, v *schema.Value) {
		out = append(out, path+" "+v.Kind.String()+" "+literal(v)+" @"+v.Pos.String()+" "+v.Layer.String())
		for i, e := range v.List {
			walk(path+"["+string(rune('0'+i))+"]", e)
		}
		for _, f := range v.Fields {
			walk(path+"."+f.Key+"("+f.KeyPos.String()+")", f.Value)
		}
	}
	walk("", v)
	return out
}

func TestParseYAMLPositions(t *testing.T) {
	src := "a: 1\nb:\n  c: [x, 2.5]\n  d: &anchor\n    e: true\nf: *anchor\ng:\nh: 2024-01-02\n"
	v, errs := parseYAML("f.yaml", []byte(src))
	if errs != nil {
		t.Fatal(errs)
	}
	want := []string{
		` object {"a":1,"b":{"c":["x",2.5],"d":{"e":true}},"f":{"e":true},"g":null,"h":"2024-01-02"} @f.yaml:1:1 none`,
		`.a(f.yaml:1:1) integer 1 @f.yaml:1:4 none`,
		`.b(f.yaml:2:1) object {"c":["x",2.5],"d":{"e":true}} @f.yaml:3:3 none`,
		`.b(f.yaml:2:1).c(f.yaml:3:3) array ["x",2.5] @f.yaml:3:6 none`,
		`.b(f.yaml:2:1).c(f.yaml:3:3)[0] string "x" @f.yaml:3:7 none`,
		`.b(f.yaml:2:1).c(f.yaml:3:3)[1] number 2.5 @f.yaml:3:10 none`,
		`.b(f.yaml:2:1).d(f.yaml:4:3) object {"e":true} @f.yaml:4:6 none`,
		`.b(f.yaml:2:1).d(f.yaml:4:3).e(f.yaml:5:5) boolean true @f.yaml:5:8 none`,
		// An alias is the anchored value, positioned where that is written (a mapping
		// with an anchor starts at the anchor).
		`.f(f.yaml:6:1) object {"e":true} @f.yaml:4:6 none`,
		`.f(f.yaml:6:1).e(f.yaml:5:5) boolean true @f.yaml:5:8 none`,
		`.g(f.yaml:7:1) null null @f.yaml:7:3 none`,
		`.h(f.yaml:8:1) string "2024-01-02" @f.yaml:8:4 none`,
	}
	if diff := cmp.Diff(want, flatten(v)); diff != "" {
		t.Errorf("(-want +got):\n%s", diff)
	}
}

func TestParseYAMLMergeKey(t *testing.T) {
	src := "base: &b {x: 1, y: 2}\nuse:\n  <<: *b\n  y: 3\n"
	v, errs := parseYAML("f.yaml", []byte(src))
	if errs != nil {
		t.Fatal(errs)
	}
	js, _ := v.Get("use").MarshalJSON()
	if string(js) != `{"y":3,"x":1}` {
		t.Errorf("use = %s, want explicit keys to win over merged ones", js)
	}
}

func TestParseYAMLErrors(t *testing.T) {
	for _, c := range []struct{ src, want string }{
		{"a: 1\na: 2\n", `f.yaml:2:1: duplicate key "a"; first defined at line 1`},
		{"? [1, 2]\n: x\n", `f.yaml:1:3: mapping key must be a string, got a list`},
		{"a: !!binary aGk=\n", `f.yaml:1:4: unsupported YAML tag !!binary; want a plain string, number, boolean or null`},
		{"a: !custom x\n", `f.yaml:1:4: unsupported YAML tag !custom; want a plain string, number, boolean or null`},
		{"a: 1\n---\nb: 2\n", `f.yaml:2:1: a second YAML document; want exactly one document in the file`},
		{"a:\n  b: 1\n c: 2\n", `f.yaml:3:2: YAML syntax error: did not find expected key`},
		{"a: [1, 2\nb: 3\n", `f.yaml:2:1: YAML syntax error: did not find expected ',' or ']'`},
		{"a: b: c\n", `f.yaml:1:1: YAML syntax error: mapping values are not allowed in this context`},
	} {
		_, errs := parseYAML("f.yaml", []byte(c.src))
		got := errs.Err()
		if got == nil || got.Error() != c.want {
			t.Errorf("%q: got %v, want %s", c.src, got, c.want)
		}
	}
}

func TestParseYAMLAliasBomb(t *testing.T) {
	var b strings.Builder
	b.WriteString("a0: &a0 [x, x, x, x, x, x, x, x, x, x]\n")
	for i := 1; i < 9; i++ {
		b.WriteString(strings.NewReplacer("N", string(rune('0'+i)), "P", string(rune('0'+i-1))).Replace(
			"aN: &aN [*aP, *aP, *aP, *aP, *aP, *aP, *aP, *aP, *aP, *aP]\n"))
	}
	_, errs := parseYAML("f.yaml", []byte(b.String()))
	if len(errs) == 0 || !strings.Contains(errs.Error(), "too large") {
		t.Errorf("errs = %v, want the expansion bounded", errs)
	}
}

func TestParseJSONPositions(t *testing.T) {
	src := "{\n  \"a\": [1, 2.5e0, \"é\"],\n  \"b\": {\"c\": null, \"d\": true}\n}\n"
	v, err := parseJSON("s.json", []byte(src))
	if err != nil {
		t.Fatal(err)
	}
	want := []string{
		` object {"a":[1,2.5,"é"],"b":{"c":null,"d":true}} @s.json:1:1 none`,
		`.a(s.json:2:3) array [1,2.5,"é"] @s.json:2:8 none`,
		`.a(s.json:2:3)[0] integer 1 @s.json:2:9 none`,
		`.a(s.json:2:3)[1] number 2.5 @s.json:2:12 none`,
		`.a(s.json:2:3)[2] string "é" @s.json:2:19 none`,
		`.b(s.json:3:3) object {"c":null,"d":true} @s.json:3:8 none`,
		`.b(s.json:3:3).c(s.json:3:9) null null @s.json:3:14 none`,
		`.b(s.json:3:3).d(s.json:3:20) boolean true @s.json:3:25 none`,
	}
	if diff := cmp.Diff(want, flatten(v)); diff != "" {
		t.Errorf("(-want +got):\n%s", diff)
	}
}

func TestParseJSONErrors(t *testing.T) {
	for _, c := range []struct{ src, want string }{
		{"{\n  \"a\": 1,\n  }", `s.json:3:3: invalid JSON: invalid character '}' looking for beginning of object key string`},
		{"[1, 2,, 3]", `s.json:1:7: invalid JSON: invalid character ',' looking for beginning of value`},
		{`{"a": 1`, `s.json:1:8: invalid JSON: unexpected end of file`},
		{"{} {}", `s.json:1:4: invalid JSON: data after the top-level value`},
		{"{\"a\": 1,\n \"a\": 2}", `s.json:2:2: duplicate key "a"; first defined at line 1`},
		{"", `s.json:1:1: invalid JSON: unexpected end of file`},
	} {
		_, err := parseJSON("s.json", []byte(c.src))
		if err == nil || err.Error() != c.want {
			t.Errorf("%q: got %v, want %s", c.src, err, c.want)
		}
	}
}

func mustYAML(t *testing.T, file, src string, layer schema.Layer) *schema.Value {
	t.Helper()
	v, errs := parseYAML(file, []byte(src))
	if errs != nil {
		t.Fatal(errs)
	}
	setLayer(v, layer)
	return v
}

func TestMerge(t *testing.T) {
	base := mustYAML(t, "base.yaml", "a: 1\nm:\n  x: 1\n  y: [1, 2]\nz: base\n", schema.LayerBase)
	exp := mustYAML(t, "experiment.yaml", "m:\n  y: [3]\n  w: new\nb: 2\n", schema.LayerExperiment)
	trial := mustYAML(t, "trials.yaml", "z: trial\nm: {}\n", schema.LayerTrial)
	got := Merge(Merge(base, exp), trial)
	want := []string{
		` object {"a":1,"m":{"x":1,"y":[3],"w":"new"},"z":"trial","b":2} @trials.yaml:1:1 trial`,
		`.a(base.yaml:1:1) integer 1 @base.yaml:1:4 base`,
		// An empty mapping in the trial changes nothing, so the experiment stays the provenance.
		`.m(trials.yaml:2:1) object {"x":1,"y":[3],"w":"new"} @experiment.yaml:2:3 experiment`,
		`.m(trials.yaml:2:1).x(base.yaml:3:3) integer 1 @base.yaml:3:6 base`,
		`.m(trials.yaml:2:1).y(experiment.yaml:2:3) array [3] @experiment.yaml:2:6 experiment`,
		`.m(trials.yaml:2:1).y(experiment.yaml:2:3)[0] integer 3 @experiment.yaml:2:7 experiment`,
		`.m(trials.yaml:2:1).w(experiment.yaml:3:3) string "new" @experiment.yaml:3:6 experiment`,
		`.z(trials.yaml:1:1) string "trial" @trials.yaml:1:4 trial`,
		`.b(experiment.yaml:4:1) integer 2 @experiment.yaml:4:4 experiment`,
	}
	if diff := cmp.Diff(want, flatten(got)); diff != "" {
		t.Errorf("(-want +got):\n%s", diff)
	}
	if js, _ := base.MarshalJSON(); string(js) != `{"a":1,"m":{"x":1,"y":[1,2]},"z":"base"}` {
		t.Errorf("Merge changed its input: %s", js)
	}
}

func TestMergeMapReplacesScalar(t *testing.T) {
	a := mustYAML(t, "a", "k: 1\n", schema.LayerBase)
	b := mustYAML(t, "b", "k: {x: 1}\n", schema.LayerTrial)
	if js, _ := Merge(a, b).MarshalJSON(); string(js) != `{"k":{"x":1}}` {
		t.Errorf("got %s", js)
	}
	if js, _ := Merge(b, a).MarshalJSON(); string(js) != `{"k":1}` {
		t.Errorf("got %s", js)
	}
}

func TestDefaults(t *testing.T) {
	src := `{
  "properties": {
    "a": {"type": "integer", "default": 3},
    "b": {"type": "object", "properties": {"c": {"default": "x"}, "d": {"type": "number"}}},
    "e": {"$ref": "#/$defs/E"},
    "f": {"$ref": "#/definitions/F"},
    "g": {"type": "string"},
    "r": {"$ref": "#/$defs/R"}
  },
  "$defs": {
    "E": {"type": "object", "properties": {"h": {"default": [1, 2]}}},
    "R": {"type": "object", "properties": {"next": {"$ref": "#/$defs/R"}}}
  },
  "definitions": {"F": {"default": {"k": true}}}
}`
	doc, err := parseJSON("s.json", []byte(src))
	if err != nil {
		t.Fatal(err)
	}
	want := []string{
		` object {"a":3,"b":{"c":"x"},"e":{"h":[1,2]},"f":{"k":true}} @s.json:1:1 default`,
		`.a(s.json:3:5) integer 3 @s.json:3:41 default`,
		`.b(s.json:4:5) object {"c":"x"} @s.json:4:10 default`,
		`.b(s.json:4:5).c(s.json:4:44) string "x" @s.json:4:61 default`,
		`.e(s.json:5:5) object {"h":[1,2]} @s.json:11:10 default`,
		`.e(s.json:5:5).h(s.json:11:44) array [1,2] @s.json:11:61 default`,
		`.e(s.json:5:5).h(s.json:11:44)[0] integer 1 @s.json:11:62 default`,
		`.e(s.json:5:5).h(s.json:11:44)[1] integer 2 @s.json:11:65 default`,
		`.f(s.json:6:5) object {"k":true} @s.json:14:36 default`,
		`.f(s.json:6:5).k(s.json:14:37) boolean true @s.json:14:42 default`,
	}
	if diff := cmp.Diff(want, flatten(Defaults(doc))); diff != "" {
		t.Errorf("(-want +got):\n%s", diff)
	}
}

func TestSuggest(t *testing.T) {
	known := []string{"learning_rate", "epochs", "batch_size", "id"}
	for name, want := range map[string]string{
		"lerning_rate": "learning_rate", "epoch": "epochs", "batchsize": "batch_size",
		"colour": "", "ids": "id", "x": "",
	} {
		if got := suggest(name, known); got != want {
			t.Errorf("suggest(%q) = %q, want %q", name, got, want)
		}
	}
}

func TestObjectDefaultIsCompletedByPropertyDefaults(t *testing.T) {
	src := `{
  "properties": {
    "data": {"type": "object", "default": {"noise": 0.5},
      "properties": {"points": {"default": 800}, "noise": {"default": 0.1}}}
  }
}`
	doc, err := parseJSON("s.json", []byte(src))
	if err != nil {
		t.Fatal(err)
	}
	got, err := Defaults(doc).MarshalJSON()
	if err != nil {
		t.Fatal(err)
	}
	// The object's own default wins over its property's default; the rest is filled in.
	if want := `{"data":{"points":800,"noise":0.5}}`; string(got) != want {
		t.Errorf("defaults = %s, want %s", got, want)
	}
}

func TestJSONWithByteOrderMark(t *testing.T) {
	doc, err := parseJSON("s.json", []byte("\uFEFF{\n  \"a\": 1\n}\n"))
	if err != nil {
		t.Fatalf("a schema saved with a byte-order mark: %v", err)
	}
	if a := doc.Get("a"); a == nil || a.Int != 1 || a.Pos.Line != 2 || a.Pos.Col != 8 {
		t.Errorf("a = %+v, want 1 at line 2, column 8", a)
	}
}
