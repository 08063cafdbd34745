package config

import (
	"bytes"
	"errors"
	"fmt"
	"strconv"
	"strings"

	"gopkg.in/yaml.v3"

	"github.com/expman-dev/expman/schema"
)

// OverrideFlag is the command-line flag that gives an override; an override's position in
// errors is the flag as the user wrote it, e.g. `-set hidden_layers=[32,16]`.
const OverrideFlag = "-set"

// Override is one "path=value" from the command line: the highest layer of the merge.
type Override struct {
	Arg   string        // as given, e.g. "optimizer.lr=0.1"
	Path  []string      // the setting path split at dots, e.g. ["optimizer", "lr"]
	Value *schema.Value // the value read as YAML, positioned at Pos(), of LayerOverride
}

// Pos is where problems with o are reported: `-set <arg>`, printed without line or column.
func (o Override) Pos() schema.Pos { return overridePos(o.Arg) }

// Key is the setting path as written, e.g. "optimizer.lr".
func (o Override) Key() string { return strings.Join(o.Path, ".") }

func overridePos(arg string) schema.Pos { return schema.Pos{File: OverrideFlag + " " + arg} }

// ParseOverrides reads "path=value" arguments, in order. The path is split at the first
// "="; its parts are separated by dots. The value is read as YAML: a scalar (0.1, true,
// adam, "a string") or a flow collection ([32, 16], {name: adam}); an empty value is the
// empty string. All problems come back as one schema.ErrorList positioned at the
// arguments.
func ParseOverrides(args []string) ([]Override, error) {
	var errs schema.ErrorList
	out := make([]Override, 0, len(args))
	for _, arg := range args {
		o, err := parseOverride(arg)
		if err != nil {
			errs.Append(err)
			continue
		}
		out = append(out, o)
	}
	if err := errs.Err(); err != nil {
		return nil, err
	}
	return out, nil
}

func parseOverride(arg string) (Override, error) {
	pos := overridePos(arg)
	key, text, ok := strings.Cut(arg, "=")
	if !ok {
		return Override{}, schema.Errorf(pos, "want path=value, such as learning_rate=0.01 or hidden_layers=[32,16]")
	}
	path, err := splitPath(key)
	if err != nil {
		return Override{}, schema.Errorf(pos, "%v", err)
	}
	v, err := parseOverrideValue(pos, text)
	if err != nil {
		return Override{}, err
	}
	return Override{Arg: arg, Path: path, Value: v}, nil
}

// splitPath splits a dotted setting path, refusing empty parts.
func splitPath(key string) ([]string, error) {
	key = strings.TrimSpace(key)
	if key == "" {
		return nil, errors.New("want a setting path before \"=\", such as learning_rate or optimizer.lr")
	}
	parts := strings.Split(key, ".")
	for _, p := range parts {
		if p == "" {
			return nil, fmt.Errorf("setting path %q has an empty part; want keys separated by single dots, such as optimizer.lr", key)
		}
	}
	return parts, nil
}

// parseOverrideValue reads text as one YAML value, positioned at pos.
func parseOverrideValue(pos schema.Pos, text string) (*schema.Value, error) {
	if strings.TrimSpace(text) == "" {
		return &schema.Value{Kind: schema.String, Pos: pos, Layer: schema.LayerOverride}, nil
	}
	v, errs := parseYAML(pos.File, []byte(text))
	if len(errs) > 0 {
		msg := strings.TrimPrefix(errs[0].Msg, "YAML syntax error: ")
		return nil, schema.Errorf(pos, "cannot read the value %q: %s; want a YAML scalar or flow collection, such as 0.1, adam, [32, 16] or {name: adam}", text, msg)
	}
	if v.Kind == schema.String && strings.ContainsAny(text, "\n") {
		return nil, schema.Errorf(pos, "the value spans lines; want one line")
	}
	unposition(v, pos)
	setLayer(v, schema.LayerOverride)
	return v, nil
}

// unposition replaces the line:col positions of a parsed override value, which are in the
// argument's text, by the argument itself.
func unposition(v *schema.Value, pos schema.Pos) {
	if v == nil {
		return
	}
	v.Pos = pos
	for _, e := range v.List {
		unposition(e, pos)
	}
	for i := range v.Fields {
		v.Fields[i].KeyPos = pos
		unposition(v.Fields[i].Value, pos)
	}
}

// ApplyOverrides returns settings with every override set, in order (a later one wins),
// and validates the result against sch; settings is not changed. It is what a program
// uses on settings compiled into it: build settings with schema.FromInterface or
// schema.FromJSON, and sch with CompileSchema from the schema text it carries. subject
// names the settings in messages, e.g. `trial "small"`. Problems come back as a
// schema.ErrorList positioned at the overrides (or, for a problem the overrides did not
// cause, at the settings' own positions).
func ApplyOverrides(settings *schema.Value, ovs []Override, sch *Schema, subject string) (*schema.Value, error) {
	if settings == nil {
		settings = &schema.Value{Kind: schema.Map, Fields: []schema.Field{}}
	}
	var errs schema.ErrorList
	out := settings.Clone()
	for _, o := range ovs {
		if sch != nil {
			if err := sch.checkPath(o.Path, o.Pos(), "setting"); err != nil {
				errs = append(errs, err)
				continue
			}
		}
		next, err := setPath(out, o.Path, o.Value, o.Pos())
		if err != nil {
			errs = append(errs, err)
			continue
		}
		out = next
	}
	if len(errs) == 0 && sch != nil {
		if err := sch.Validate(subject, out); err != nil {
			errs.Append(err)
		}
	}
	if err := errs.Err(); err != nil {
		return nil, err
	}
	return out, nil
}

// OverridesYAML renders overrides as configs/overrides.yaml records them: a YAML list of
// {path, value} in the order given, path dotted, value as parsed. No overrides give "[]\n".
func OverridesYAML(ovs []Override) []byte {
	list := &yaml.Node{Kind: yaml.SequenceNode, Tag: "!!seq"}
	if len(ovs) == 0 {
		list.Style = yaml.FlowStyle
	}
	for _, o := range ovs {
		list.Content = append(list.Content, &yaml.Node{Kind: yaml.MappingNode, Tag: "!!map", Content: []*yaml.Node{
			{Kind: yaml.ScalarNode, Tag: "!!str", Value: "path"},
			{Kind: yaml.ScalarNode, Tag: "!!str", Value: o.Key()},
			{Kind: yaml.ScalarNode, Tag: "!!str", Value: "value"},
			o.Value.YAMLNode(),
		}})
	}
	var b bytes.Buffer
	enc := yaml.NewEncoder(&b)
	enc.SetIndent(2)
	if err := enc.Encode(list); err != nil {
		// Values come from parsed YAML, so they always encode; say so if not.
		return []byte("# cannot encode overrides: " + strconv.Quote(err.Error()) + "\n")
	}
	_ = enc.Close()
	return b.Bytes()
}

// CompileSchema compiles a settings schema held in memory, such as the settings.schema.json
// a generated program carries in runtime.ExperimentSpec.Files; name is used in positions.
// Problems in the schema come back as a schema.ErrorList.
func CompileSchema(name string, data []byte) (*Schema, error) {
	doc, err := parseJSON(name, data)
	if err != nil {
		return nil, err
	}
	compiled, errs := compileSchema(name, data, doc)
	if errs != nil {
		return nil, errs.Err()
	}
	return &Schema{Path: name, Doc: doc, Raw: data, compiled: compiled}, nil
}

// setPath returns root with the value at path replaced by v (mappings on the way are
// created when missing). It fails, positioned at pos, when the path runs through a value
// that is not a mapping (or, for a decimal part, a list long enough).
func setPath(root *schema.Value, path []string, v *schema.Value, pos schema.Pos) (*schema.Value, *schema.Error) {
	if len(path) == 0 {
		return Merge(root, v), nil
	}
	return setIn(root, path, 0, v, pos)
}

func setIn(cur *schema.Value, path []string, i int, v *schema.Value, pos schema.Pos) (*schema.Value, *schema.Error) {
	key := path[i]
	if cur == nil || cur.Kind == schema.Null {
		cur = &schema.Value{Kind: schema.Map, Fields: []schema.Field{}, Pos: pos, Layer: v.Layer}
	}
	set := func(old *schema.Value) (*schema.Value, *schema.Error) {
		if i == len(path)-1 {
			// A mapping merges into a mapping, as layers do; anything else replaces.
			return Merge(old, v), nil
		}
		return setIn(old, path, i+1, v, pos)
	}
	switch cur.Kind {
	case schema.Map:
		out := *cur
		out.Fields = append([]schema.Field(nil), cur.Fields...)
		if f := cur.Field(key); f != nil {
			for j := range out.Fields {
				if out.Fields[j].Key == key {
					nv, err := set(f.Value)
					if err != nil {
						return nil, err
					}
					out.Fields[j] = schema.Field{Key: key, KeyPos: f.KeyPos, Value: nv}
				}
			}
		} else {
			nv, err := set(nil)
			if err != nil {
				return nil, err
			}
			out.Fields = append(out.Fields, schema.Field{Key: key, KeyPos: pos, Value: nv})
		}
		if out.Layer < v.Layer {
			out.Layer = v.Layer
		}
		return &out, nil
	case schema.List:
		n, err := strconv.Atoi(key)
		if err != nil || n < 0 || n >= len(cur.List) {
			return nil, schema.Errorf(pos, "cannot set %s: %s is a list of %d; want an index from 0 to %d",
				strings.Join(path, "."), dottedKeys(path[:i]), len(cur.List), len(cur.List)-1)
		}
		out := *cur
		out.List = append([]*schema.Value(nil), cur.List...)
		nv, serr := set(cur.List[n])
		if serr != nil {
			return nil, serr
		}
		out.List[n] = nv
		return &out, nil
	}
	return nil, schema.Errorf(pos, "cannot set %s: %s is %s, not a mapping",
		strings.Join(path, "."), dottedKeys(path[:i]), describe(cur))
}

func dottedKeys(path []string) string {
	if len(path) == 0 {
		return "the settings"
	}
	return strings.Join(path, ".")
}
