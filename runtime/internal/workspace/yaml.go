package workspace

import (
	"bytes"
	"cmp"
	"encoding"
	"fmt"
	"reflect"
	"slices"
	"strconv"
	"strings"

	"github.com/expman-dev/expman/schema"
	"gopkg.in/yaml.v3"
)

// YAML written to the workspace reads like the config it came from: two-space indentation,
// block mappings, lists of scalars on one line, floats that stay floats ("10.0", not "10",
// which would read back as an integer) and mapping keys in a fixed order.

// MarshalYAML prints node as a YAML document with two-space indentation.
func MarshalYAML(node *yaml.Node) ([]byte, error) {
	var b bytes.Buffer
	enc := yaml.NewEncoder(&b)
	enc.SetIndent(2)
	if err := enc.Encode(node); err != nil {
		return nil, err
	}
	if err := enc.Close(); err != nil {
		return nil, err
	}
	return b.Bytes(), nil
}

// ToNode converts a Go value to a yaml.Node the way yaml.v3 would marshal it (field names
// from yaml tags, omitempty, inline), except that floats keep a decimal point and lists of
// scalars use flow style. Struct fields keep their declaration order; map keys are sorted.
// Values that implement yaml.Marshaler or encoding.TextMarshaler are left to yaml.v3.
func ToNode(v any) (*yaml.Node, error) {
	return toNode(reflect.ValueOf(v))
}

var (
	yamlMarshaler = reflect.TypeFor[yaml.Marshaler]()
	textMarshaler = reflect.TypeFor[encoding.TextMarshaler]()
	nodeType      = reflect.TypeFor[yaml.Node]()
)

func toNode(v reflect.Value) (*yaml.Node, error) {
	if !v.IsValid() {
		return nullNode(), nil
	}
	// Values reached through an unexported embedded struct cannot be handed to yaml.v3.
	if !v.CanInterface() {
		return plainNode(v)
	}
	if v.Type() == nodeType {
		n := v.Interface().(yaml.Node)
		return &n, nil
	}
	if v.Type().Implements(yamlMarshaler) || v.Type().Implements(textMarshaler) {
		if v.Kind() == reflect.Pointer && v.IsNil() {
			return nullNode(), nil
		}
		var n yaml.Node
		if err := n.Encode(v.Interface()); err != nil {
			return nil, err
		}
		return &n, nil
	}
	return plainNode(v)
}

func plainNode(v reflect.Value) (*yaml.Node, error) {
	switch v.Kind() {
	case reflect.Pointer, reflect.Interface:
		if v.IsNil() {
			return nullNode(), nil
		}
		return toNode(v.Elem())
	case reflect.Struct:
		return structNode(v)
	case reflect.Map:
		return mapNode(v)
	case reflect.Slice, reflect.Array:
		return listNode(v)
	}
	return scalarNode(v)
}

func nullNode() *yaml.Node {
	return &yaml.Node{Kind: yaml.ScalarNode, Tag: "!!null", Value: "null"}
}

func scalarNode(v reflect.Value) (*yaml.Node, error) {
	n := &yaml.Node{Kind: yaml.ScalarNode}
	switch v.Kind() {
	case reflect.Bool:
		n.Tag, n.Value = "!!bool", strconv.FormatBool(v.Bool())
	case reflect.Int, reflect.Int8, reflect.Int16, reflect.Int32, reflect.Int64:
		n.Tag, n.Value = "!!int", strconv.FormatInt(v.Int(), 10)
	case reflect.Uint, reflect.Uint8, reflect.Uint16, reflect.Uint32, reflect.Uint64, reflect.Uintptr:
		n.Tag, n.Value = "!!int", strconv.FormatUint(v.Uint(), 10)
	case reflect.Float32, reflect.Float64:
		n.Tag, n.Value = "!!float", schema.FormatYAMLFloat(v.Float())
	case reflect.String:
		// The encoder quotes the value when it would otherwise read back as another type.
		n.Tag, n.Value = "!!str", v.String()
	default:
		return nil, fmt.Errorf("cannot write a %s as YAML", v.Type())
	}
	return n, nil
}

func listNode(v reflect.Value) (*yaml.Node, error) {
	n := &yaml.Node{Kind: yaml.SequenceNode, Tag: "!!seq", Style: yaml.FlowStyle}
	for i := range v.Len() {
		e, err := toNode(v.Index(i))
		if err != nil {
			return nil, err
		}
		if e.Kind != yaml.ScalarNode {
			n.Style = 0
		}
		n.Content = append(n.Content, e)
	}
	return n, nil
}

func mapNode(v reflect.Value) (*yaml.Node, error) {
	n := &yaml.Node{Kind: yaml.MappingNode, Tag: "!!map"}
	keys := v.MapKeys()
	slices.SortFunc(keys, func(a, b reflect.Value) int {
		return cmp.Compare(fmt.Sprint(a.Interface()), fmt.Sprint(b.Interface()))
	})
	for _, k := range keys {
		kn, err := toNode(k)
		if err != nil {
			return nil, err
		}
		vn, err := toNode(v.MapIndex(k))
		if err != nil {
			return nil, err
		}
		n.Content = append(n.Content, kn, vn)
	}
	if len(n.Content) == 0 {
		n.Style = yaml.FlowStyle
	}
	return n, nil
}

func structNode(v reflect.Value) (*yaml.Node, error) {
	n := &yaml.Node{Kind: yaml.MappingNode, Tag: "!!map"}
	if err := appendFields(n, v); err != nil {
		return nil, err
	}
	if len(n.Content) == 0 {
		n.Style = yaml.FlowStyle
	}
	return n, nil
}

func appendFields(n *yaml.Node, v reflect.Value) error {
	t := v.Type()
	for i := range t.NumField() {
		f := t.Field(i)
		name, opts, _ := strings.Cut(f.Tag.Get("yaml"), ",")
		inline := hasOpt(opts, "inline") && f.Type.Kind() == reflect.Struct
		// Like yaml.v3: unexported fields are invisible, except embedded structs to inline.
		if name == "-" || (!f.IsExported() && !(f.Anonymous && inline)) {
			continue
		}
		fv := v.Field(i)
		if inline {
			if err := appendFields(n, fv); err != nil {
				return err
			}
			continue
		}
		if hasOpt(opts, "omitempty") && isEmpty(fv) {
			continue
		}
		if name == "" {
			name = strings.ToLower(f.Name) // yaml.v3's default key
		}
		vn, err := toNode(fv)
		if err != nil {
			return fmt.Errorf("%s: %w", name, err)
		}
		n.Content = append(n.Content, &yaml.Node{Kind: yaml.ScalarNode, Tag: "!!str", Value: name}, vn)
	}
	return nil
}

func hasOpt(opts, want string) bool {
	for o := range strings.SplitSeq(opts, ",") {
		if o == want {
			return true
		}
	}
	return false
}

func isEmpty(v reflect.Value) bool {
	switch v.Kind() {
	case reflect.Slice, reflect.Map, reflect.Array, reflect.String:
		return v.Len() == 0
	}
	return v.IsZero()
}

// TrialConfig returns the content of a trial's trial.yaml: its name, id, number of repeats
// and resolved settings, in that order.
func TrialConfig(name string, id, repeats int, settings *yaml.Node) ([]byte, error) {
	if settings == nil {
		settings = &yaml.Node{Kind: yaml.MappingNode, Tag: "!!map", Style: yaml.FlowStyle}
	}
	str := func(s string) *yaml.Node { return &yaml.Node{Kind: yaml.ScalarNode, Tag: "!!str", Value: s} }
	num := func(n int) *yaml.Node { return &yaml.Node{Kind: yaml.ScalarNode, Tag: "!!int", Value: strconv.Itoa(n)} }
	doc := &yaml.Node{Kind: yaml.MappingNode, Tag: "!!map", Content: []*yaml.Node{
		str("name"), str(name),
		str("id"), num(id),
		str("repeat"), num(repeats),
		str("settings"), settings,
	}}
	return MarshalYAML(doc)
}
