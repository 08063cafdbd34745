package schema

import (
	"bytes"
	"encoding/json"
	"fmt"
	"math"
	"strconv"

	"gopkg.in/yaml.v3"
)

// Kind is the type of a settings Value.
type Kind int

const (
	Null Kind = iota
	Bool
	Int
	Float
	String
	List
	Map
)

func (k Kind) String() string {
	switch k {
	case Null:
		return "null"
	case Bool:
		return "boolean"
	case Int:
		return "integer"
	case Float:
		return "number"
	case String:
		return "string"
	case List:
		return "array"
	case Map:
		return "object"
	}
	return fmt.Sprintf("Kind(%d)", int(k))
}

// Layer says which part of the configuration set a value.
type Layer int

const (
	LayerNone       Layer = iota
	LayerDefault          // a "default" in settings.schema.json
	LayerBase             // base.yaml
	LayerExperiment       // experiment.yaml
	LayerTrial            // trials.yaml
	LayerSweep            // a value of a trial's "sweep:" or "zip:" in trials.yaml
	LayerOverride         // a "-set path=value" on the command line
)

func (l Layer) String() string {
	switch l {
	case LayerDefault:
		return "default"
	case LayerBase:
		return "base"
	case LayerExperiment:
		return "experiment"
	case LayerTrial:
		return "trial"
	case LayerSweep:
		return "sweep"
	case LayerOverride:
		return "override"
	}
	return "none"
}

// Value is a settings tree (or a JSON document) that remembers where each node was written.
// Mappings keep their keys in order of first appearance, so everything printed from a Value
// is deterministic and reads like the input.
type Value struct {
	Kind   Kind
	Bool   bool
	Int    int64
	Float  float64
	Str    string
	List   []*Value
	Fields []Field
	Pos    Pos   // the node's own position (for a mapping: where the mapping starts)
	Layer  Layer // which layer set it; for merged mappings, the highest layer that contributed
}

// Field is one key of a mapping.
type Field struct {
	Key    string
	KeyPos Pos
	Value  *Value
}

// Get returns the value of key in a mapping, or nil.
func (v *Value) Get(key string) *Value {
	if v == nil || v.Kind != Map {
		return nil
	}
	for _, f := range v.Fields {
		if f.Key == key {
			return f.Value
		}
	}
	return nil
}

// Field returns the field named key in a mapping, or nil.
func (v *Value) Field(key string) *Field {
	if v == nil || v.Kind != Map {
		return nil
	}
	for i := range v.Fields {
		if v.Fields[i].Key == key {
			return &v.Fields[i]
		}
	}
	return nil
}

// Lookup follows a path of mapping keys and list indexes (decimal), as in a JSON Pointer
// split on "/". It returns the deepest value found and how many path elements it consumed.
func (v *Value) Lookup(path []string) (*Value, int) {
	cur := v
	for i, p := range path {
		var next *Value
		switch cur.Kind {
		case Map:
			next = cur.Get(p)
		case List:
			if n, err := strconv.Atoi(p); err == nil && n >= 0 && n < len(cur.List) {
				next = cur.List[n]
			}
		}
		if next == nil {
			return cur, i
		}
		cur = next
	}
	return cur, len(path)
}

// Clone returns a deep copy of v.
func (v *Value) Clone() *Value {
	if v == nil {
		return nil
	}
	c := *v
	if v.List != nil {
		c.List = make([]*Value, len(v.List))
		for i, e := range v.List {
			c.List[i] = e.Clone()
		}
	}
	if v.Fields != nil {
		c.Fields = make([]Field, len(v.Fields))
		for i, f := range v.Fields {
			c.Fields[i] = Field{Key: f.Key, KeyPos: f.KeyPos, Value: f.Value.Clone()}
		}
	}
	return &c
}

// Interface converts v to plain Go values: nil, bool, int64, float64, string, []any and
// map[string]any. This is the form JSON Schema validation and untyped settings use.
func (v *Value) Interface() any {
	if v == nil {
		return nil
	}
	switch v.Kind {
	case Bool:
		return v.Bool
	case Int:
		return v.Int
	case Float:
		return v.Float
	case String:
		return v.Str
	case List:
		out := make([]any, len(v.List))
		for i, e := range v.List {
			out[i] = e.Interface()
		}
		return out
	case Map:
		out := make(map[string]any, len(v.Fields))
		for _, f := range v.Fields {
			out[f.Key] = f.Value.Interface()
		}
		return out
	}
	return nil
}

// MarshalJSON writes v with mapping keys in their order.
func (v *Value) MarshalJSON() ([]byte, error) {
	var b bytes.Buffer
	if err := v.appendJSON(&b); err != nil {
		return nil, err
	}
	return b.Bytes(), nil
}

func (v *Value) appendJSON(b *bytes.Buffer) error {
	if v == nil {
		b.WriteString("null")
		return nil
	}
	switch v.Kind {
	case Null:
		b.WriteString("null")
	case Bool:
		b.WriteString(strconv.FormatBool(v.Bool))
	case Int:
		b.WriteString(strconv.FormatInt(v.Int, 10))
	case Float:
		if math.IsInf(v.Float, 0) || math.IsNaN(v.Float) {
			return fmt.Errorf("%s: %v cannot be written as JSON", v.Pos, v.Float)
		}
		b.WriteString(FormatFloat(v.Float))
	case String:
		s, _ := json.Marshal(v.Str)
		b.Write(s)
	case List:
		b.WriteByte('[')
		for i, e := range v.List {
			if i > 0 {
				b.WriteByte(',')
			}
			if err := e.appendJSON(b); err != nil {
				return err
			}
		}
		b.WriteByte(']')
	case Map:
		b.WriteByte('{')
		for i, f := range v.Fields {
			if i > 0 {
				b.WriteByte(',')
			}
			k, _ := json.Marshal(f.Key)
			b.Write(k)
			b.WriteByte(':')
			if err := f.Value.appendJSON(b); err != nil {
				return err
			}
		}
		b.WriteByte('}')
	}
	return nil
}

// FormatFloat prints f so that it reads back as the same float and still looks like a
// float ("10.0", not "10"), in YAML, JSON and Go alike.
func FormatFloat(f float64) string {
	s := strconv.FormatFloat(f, 'g', -1, 64)
	if !bytes.ContainsAny([]byte(s), ".eEn") { // n: NaN, Inf
		s += ".0"
	}
	return s
}

// YAMLNode returns v as a yaml.Node: block style for mappings, flow style for lists of
// scalars, so written configs stay short and diff well.
func (v *Value) YAMLNode() *yaml.Node {
	if v == nil {
		return &yaml.Node{Kind: yaml.ScalarNode, Tag: "!!null", Value: "null"}
	}
	switch v.Kind {
	case Bool:
		return &yaml.Node{Kind: yaml.ScalarNode, Tag: "!!bool", Value: strconv.FormatBool(v.Bool)}
	case Int:
		return &yaml.Node{Kind: yaml.ScalarNode, Tag: "!!int", Value: strconv.FormatInt(v.Int, 10)}
	case Float:
		return &yaml.Node{Kind: yaml.ScalarNode, Tag: "!!float", Value: FormatYAMLFloat(v.Float)}
	case String:
		return &yaml.Node{Kind: yaml.ScalarNode, Tag: "!!str", Value: v.Str}
	case List:
		n := &yaml.Node{Kind: yaml.SequenceNode, Tag: "!!seq"}
		flow := true
		for _, e := range v.List {
			n.Content = append(n.Content, e.YAMLNode())
			if e.Kind == List || e.Kind == Map {
				flow = false
			}
		}
		if flow {
			n.Style = yaml.FlowStyle
		}
		return n
	case Map:
		n := &yaml.Node{Kind: yaml.MappingNode, Tag: "!!map"}
		for _, f := range v.Fields {
			n.Content = append(n.Content,
				&yaml.Node{Kind: yaml.ScalarNode, Tag: "!!str", Value: f.Key},
				f.Value.YAMLNode())
		}
		if len(v.Fields) == 0 {
			n.Style = yaml.FlowStyle
		}
		return n
	}
	return &yaml.Node{Kind: yaml.ScalarNode, Tag: "!!null", Value: "null"}
}

// FormatYAMLFloat is FormatFloat with YAML's spellings of infinities and NaN.
func FormatYAMLFloat(f float64) string {
	switch {
	case math.IsInf(f, 1):
		return ".inf"
	case math.IsInf(f, -1):
		return "-.inf"
	case math.IsNaN(f):
		return ".nan"
	}
	return FormatFloat(f)
}
