package model

import (
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/expman-dev/expman/schema"
	"github.com/expman-dev/expman/schema/config"
)

// tree builds positioned Values by hand; every node gets its own line in file, so a
// test can tell which node an error points at.
type tree struct {
	file string
	line int
}

func (b *tree) pos() schema.Pos { b.line++; return schema.Pos{File: b.file, Line: b.line, Col: 1} }

func (b *tree) obj(kv ...any) *schema.Value {
	v := &schema.Value{Kind: schema.Map, Pos: b.pos(), Fields: []schema.Field{}}
	for i := 0; i < len(kv); i += 2 {
		v.Fields = append(v.Fields, schema.Field{Key: kv[i].(string), KeyPos: b.pos(), Value: b.val(kv[i+1])})
	}
	return v
}

func (b *tree) list(elems ...any) *schema.Value {
	v := &schema.Value{Kind: schema.List, Pos: b.pos(), List: []*schema.Value{}}
	for _, e := range elems {
		v.List = append(v.List, b.val(e))
	}
	return v
}

func (b *tree) val(x any) *schema.Value {
	switch x := x.(type) {
	case *schema.Value:
		return x
	case string:
		return &schema.Value{Kind: schema.String, Str: x, Pos: b.pos()}
	case int:
		return &schema.Value{Kind: schema.Int, Int: int64(x), Pos: b.pos()}
	case float64:
		return &schema.Value{Kind: schema.Float, Float: x, Pos: b.pos()}
	case bool:
		return &schema.Value{Kind: schema.Bool, Bool: x, Pos: b.pos()}
	case nil:
		return &schema.Value{Kind: schema.Null, Pos: b.pos()}
	}
	panic("tree: unsupported value")
}

func typ(t string) *schema.Value {
	return &schema.Value{Kind: schema.Map, Fields: []schema.Field{{Key: "type", Value: &schema.Value{Kind: schema.String, Str: t}}}}
}

func cfgOf(doc *schema.Value, settings ...*schema.Value) *config.Config {
	c := &config.Config{
		Experiment: config.Experiment{Name: "e", ID: 1},
		Schema:     &config.Schema{Path: "settings.schema.json", Doc: doc},
	}
	for i, s := range settings {
		c.Trials = append(c.Trials, config.Trial{Name: "t", ID: i + 1, Repeat: 1, Settings: s})
	}
	return c
}

// field finds a field of n by Go name.
func field(t *testing.T, n *Named, name string) *Field {
	t.Helper()
	for _, f := range n.Fields {
		if f.Name == name {
			return f
		}
	}
	t.Fatalf("%s has no field %s", n.Name, name)
	return nil
}

// goType prints a Type the way Go would, for compact assertions.
func goType(t *Type) string {
	switch t.Kind {
	case Bool:
		return "bool"
	case Int:
		return "int"
	case Float:
		return "float64"
	case String:
		return "string"
	case Slice:
		return "[]" + goType(t.Elem)
	case Map:
		return "map[string]" + goType(t.Elem)
	case Pointer:
		return "*" + goType(t.Elem)
	}
	return t.Named.Name
}

func TestFieldTypesAndPointers(t *testing.T) {
	s := &tree{file: "settings.schema.json"}
	doc := s.obj(
		"type", "object",
		"properties", s.obj(
			"epochs", s.obj("type", "integer"),
			"lr", s.obj("type", "number", "default", 0.1),
			"name", s.obj("type", "string"),
			"dry_run", s.obj("type", "boolean"),
			"layers", s.obj("type", "array", "items", s.obj("type", "integer")),
			"labels", s.obj("type", "object", "additionalProperties", s.obj("type", "string")),
			"note", s.obj("type", s.list("string", "null")),
			"title", s.obj("type", s.list("null", "string")),
		),
		"required", s.list("epochs", "note"),
	)
	f, err := Build(cfgOf(doc), "main")
	if err != nil {
		t.Fatal(err)
	}
	want := map[string]string{
		"Epochs": "int",               // required
		"Lr":     "float64",           // defaulted
		"Name":   "*string",           // optional
		"DryRun": "*bool",             // optional
		"Layers": "[]int",             // optional, but nil already means unset
		"Labels": "map[string]string", // optional, likewise
		"Note":   "*string",           // required but nullable
		"Title":  "*string",           // null first works too
	}
	got := map[string]string{}
	for _, fl := range f.Settings.Fields {
		got[fl.Name] = goType(fl.Type)
	}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("field types (-want +got):\n%s", diff)
	}
	if tags := field(t, f.Settings, "DryRun").Tags; tags["json"] != "dry_run,omitempty" || tags["yaml"] != "dry_run,omitempty" {
		t.Errorf("optional field tags = %v, want omitempty", tags)
	}
	if tags := field(t, f.Settings, "Epochs").Tags; tags["json"] != "epochs" || tags["yaml"] != "epochs" {
		t.Errorf("required field tags = %v, want plain keys", tags)
	}
	var order []string
	for _, fl := range f.Settings.Fields {
		order = append(order, fl.Key)
	}
	if diff := cmp.Diff([]string{"epochs", "lr", "name", "dry_run", "layers", "labels", "note", "title"}, order); diff != "" {
		t.Errorf("field order is not schema order (-want +got):\n%s", diff)
	}
}

func TestNestedTypeNamesAreDeterministic(t *testing.T) {
	s := &tree{file: "settings.schema.json"}
	config := func() *schema.Value {
		return s.obj("type", "object", "properties", s.obj("depth", s.obj("type", "integer")))
	}
	doc := s.obj(
		"type", "object",
		"properties", s.obj(
			"config", config(),
			"model", s.obj("type", "object", "properties", s.obj("config", config())),
			"head", s.obj("type", "object", "properties", s.obj(
				"model", s.obj("type", "object", "properties", s.obj("config", config())),
			)),
			"layers", s.obj("type", "array", "items", s.obj("type", "object", "properties", s.obj("width", s.obj("type", "integer")))),
			"experiment", s.obj("type", "object", "properties", s.obj("x", s.obj("type", "integer"))),
		),
	)
	var first []string
	for run := 0; run < 2; run++ {
		f, err := Build(cfgOf(doc), "main")
		if err != nil {
			t.Fatal(err)
		}
		var names []string
		for _, n := range f.Types {
			names = append(names, n.Name)
		}
		want := []string{"Settings", "Config", "Model", "ModelConfig", "Head", "HeadModel", "HeadModelConfig", "Layer", "SettingsExperiment"}
		if diff := cmp.Diff(want, names); diff != "" {
			t.Errorf("type names (-want +got):\n%s", diff)
		}
		if run == 1 && !cmp.Equal(first, names) {
			t.Errorf("names differ between runs: %v, %v", first, names)
		}
		first = names
	}
}

func TestEnumAndRefs(t *testing.T) {
	s := &tree{file: "settings.schema.json"}
	doc := s.obj(
		"type", "object",
		"properties", s.obj(
			"optimizer", s.obj("enum", s.list("adam", "sgd-momentum")),
			"tree", s.obj("$ref", "#/$defs/node"),
			"port", s.obj("$ref", "#/definitions/port"),
			"alias", s.obj("$ref", "#/$defs/alias"),
		),
		"required", s.list("optimizer", "tree", "port", "alias"),
		"$defs", s.obj(
			"node", s.obj("type", "object", "properties", s.obj(
				"name", s.obj("type", "string"),
				"children", s.obj("type", "array", "items", s.obj("$ref", "#/$defs/node")),
			)),
			"alias", s.obj("$ref", "#/definitions/port"),
		),
		"definitions", s.obj("port", s.obj("type", "integer")),
	)
	f, err := Build(cfgOf(doc), "main")
	if err != nil {
		t.Fatal(err)
	}
	opt := field(t, f.Settings, "Optimizer").Type.Named
	if opt.Kind != Enum || opt.Name != "Optimizer" {
		t.Fatalf("optimizer type = %+v, want enum Optimizer", opt)
	}
	if diff := cmp.Diff([]*EnumValue{{"OptimizerAdam", "adam"}, {"OptimizerSgdMomentum", "sgd-momentum"}}, opt.Values); diff != "" {
		t.Errorf("enum values (-want +got):\n%s", diff)
	}
	node := field(t, f.Settings, "Tree").Type.Named
	if got := goType(field(t, node, "Children").Type); got != "[]Node" {
		t.Errorf("recursive children type = %s, want []Node", got)
	}
	if got := goType(field(t, f.Settings, "Port").Type); got != "Port" {
		t.Errorf("port type = %s, want Port", got)
	}
	if got := goType(field(t, f.Settings, "Alias").Type); got != "Port" {
		t.Errorf("alias of a $ref = %s, want Port (the referenced type)", got)
	}
}

func TestTrialLiterals(t *testing.T) {
	s := &tree{file: "settings.schema.json"}
	doc := s.obj(
		"type", "object",
		"properties", s.obj(
			"lr", s.obj("type", "number"),
			"rate", s.obj("type", "number", "default", 1),
			"seed", s.obj("type", "integer"),
			"port", s.obj("$ref", "#/$defs/port"),
			"opt", s.obj("type", "object", "properties", s.obj("kind", s.obj("enum", s.list("adam")))),
			"note", s.obj("type", "string"),
		),
		"$defs", s.obj("port", s.obj("type", "integer")),
	)
	y := &tree{file: "trials.yaml"}
	settings := y.obj("lr", 1, "rate", 2, "seed", 7, "port", 80, "opt", y.obj("kind", "adam"), "note", nil)
	f, err := Build(cfgOf(doc, settings), "main")
	if err != nil {
		t.Fatal(err)
	}
	got := f.Trials[0].Settings
	settingsType := &Type{Kind: Ref, Named: f.Settings}
	portType := field(t, f.Settings, "Port").Type.Elem
	optType := field(t, f.Settings, "Opt").Type.Elem
	want := &Value{Kind: Composite, Type: settingsType, Fields: []FieldValue{
		{"Lr", &Value{Kind: PtrTo, Elem: &Value{Kind: FloatLit, Float: 1}}},
		{"Rate", &Value{Kind: FloatLit, Float: 2}},
		{"Seed", &Value{Kind: PtrTo, Elem: &Value{Kind: IntLit, Int: 7}}},
		{"Port", &Value{Kind: PtrTo, Elem: &Value{Kind: Convert, Type: portType, Elem: &Value{Kind: IntLit, Int: 80}}}},
		{"Opt", &Value{Kind: AddrOf, Elem: &Value{Kind: Composite, Type: optType, Fields: []FieldValue{
			{"Kind", &Value{Kind: PtrTo, Elem: &Value{Kind: Const, Str: "KindAdam"}}},
		}}}},
		// note: null leaves the pointer nil, so the field is left out.
	}}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("trial literal (-want +got):\n%s", diff)
	}
}

func TestUnsupportedSchemasArePositionedErrors(t *testing.T) {
	s := &tree{file: "settings.schema.json"}
	oneOf := s.obj("oneOf", s.list(typ("integer"), typ("string")))
	typeList := s.obj("type", s.list("string", "integer"))
	untyped := s.obj("description", "no type")
	enum := s.obj("enum", s.list(1, 2))
	emptyObj := s.obj("type", "object")
	doc := s.obj(
		"type", "object",
		"properties", s.obj("a", oneOf, "b", typeList, "c", untyped, "d", enum, "e", emptyObj),
	)
	_, err := Build(cfgOf(doc), "main")
	list, ok := err.(schema.ErrorList)
	if !ok {
		t.Fatalf("Build error = %T %v, want schema.ErrorList", err, err)
	}
	want := []struct {
		pos  schema.Pos
		text string
	}{
		{oneOf.Fields[0].KeyPos, `#/properties/a: "oneOf" is not supported`},
		{typeList.Fields[0].Value.Pos, `#/properties/b: "type" list ["string","integer"] is not supported`},
		{untyped.Pos, `#/properties/c: no "type"`},
		{enum.Fields[0].Value.List[0].Pos, `#/properties/d: "enum" value 1 is not a string`},
		{emptyObj.Pos, `#/properties/e: an object with neither "properties" nor "additionalProperties"`},
	}
	if len(list) != len(want) {
		t.Fatalf("got %d errors, want %d:\n%v", len(list), len(want), err)
	}
	for i, w := range want {
		if list[i].Pos != w.pos || !strings.HasPrefix(list[i].Msg, w.text) {
			t.Errorf("error %d = %v\nwant at %v: %s...", i, list[i], w.pos, w.text)
		}
	}
}

func TestNameClashes(t *testing.T) {
	s := &tree{file: "settings.schema.json"}
	doc := s.obj(
		"type", "object",
		"properties", s.obj(
			"user_id", s.obj("type", "string"),
			"userID", s.obj("type", "string"),
			`say "hi"`, s.obj("type", "string"),
		),
	)
	_, err := Build(cfgOf(doc), "main")
	if err == nil {
		t.Fatal("Build succeeded, want clash errors")
	}
	for _, want := range []string{
		`property "userID" and property "user_id" (line`,
		`both become Go field Settings.UserID; rename one`,
		`key "say \"hi\"" cannot be a json struct tag`,
	} {
		if !strings.Contains(err.Error(), want) {
			t.Errorf("errors lack %q:\n%v", want, err)
		}
	}
}

func TestBadValuesNeverPanic(t *testing.T) {
	s := &tree{file: "settings.schema.json"}
	doc := s.obj(
		"type", "object",
		"properties", s.obj(
			"n", s.obj("type", "integer"),
			"xs", s.obj("type", "array", "items", s.obj("type", "string")),
			"e", s.obj("enum", s.list("a")),
		),
		"required", s.list("n"),
	)
	y := &tree{file: "trials.yaml"}
	bad := y.obj("n", 1.5, "xs", y.list("a", 2), "e", "b", "extra", true)
	_, err := Build(cfgOf(doc, bad, y.obj("n", nil)), "main")
	if err == nil {
		t.Fatal("Build succeeded, want errors")
	}
	for _, want := range []string{
		"setting n: want integer, got number 1.5",
		"setting xs[1]: want string, got integer 2",
		`setting e: "b" is not a value of E; want one of "a"`,
		"setting extra is not in the \"properties\" of #",
		"setting n: want integer, got null",
	} {
		if !strings.Contains(err.Error(), want) {
			t.Errorf("errors lack %q:\n%v", want, err)
		}
	}
}

// TestMalformedSchemasNeverPanic feeds shapes the config layer's meta-schema check would
// reject, in case Build is ever called without it.
func TestMalformedSchemasNeverPanic(t *testing.T) {
	s := &tree{file: "settings.schema.json"}
	docs := []*schema.Value{
		nil,
		s.val("x"),
		s.obj("type", "array"),
		s.obj("type", "object"),
		s.obj("properties", "x"),
		s.obj("properties", s.obj("a", 5)),
		s.obj("properties", s.obj("a", s.obj("type", 5))),
		s.obj("properties", s.obj("a", s.obj("type", "decimal"))),
		s.obj("properties", s.obj("a", s.obj("enum", "x"))),
		s.obj("properties", s.obj("a", s.obj("enum", s.list()))),
		s.obj("properties", s.obj("a", s.obj("enum", s.list("x"), "type", "integer"))),
		s.obj("properties", s.obj("a", s.obj("type", "array", "items", 5))),
		s.obj("properties", s.obj("a", s.obj("$ref", 5))),
		s.obj("properties", s.obj("a", s.obj("$ref", "#/$defs/missing"))),
		s.obj("properties", s.obj("a", s.obj("$ref", "#/$defs/a")), "$defs", s.obj("a", s.obj("$ref", "#/$defs/a"))),
		s.obj("properties", s.obj("a", s.obj("type", "object", "properties", s.obj(), "additionalProperties", s.obj("type", "string")))),
		s.obj("properties", s.obj(), "required", "a", "$defs", 3),
		s.obj("properties", s.obj(), "additionalProperties", s.obj("type", "string"), "oneOf", s.list()),
	}
	for i, doc := range docs {
		f, err := Build(cfgOf(doc), "main")
		if err == nil {
			t.Errorf("doc %d: Build succeeded (%d types), want an error", i, len(f.Types))
		}
	}
}
