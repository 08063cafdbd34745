package model

import (
	"errors"
	"fmt"
	"math"
	"strconv"

	"github.com/expman-dev/expman/schema"
)

// values turns resolved settings into typed literals. The config layer has validated them
// against the schema, so a mismatch here is rare: a key the schema allows through
// additionalProperties but the struct cannot hold, or a number Go cannot represent.
type values struct {
	schemaPath string // for messages
	errs       schema.ErrorList
}

func (vs *values) errorf(pos schema.Pos, path, format string, args ...any) {
	vs.errs.Add(pos, "setting %s: %s", path, fmt.Sprintf(format, args...))
}

// valueOf returns the literal of v as type t; path names the setting in messages.
func (vs *values) valueOf(t *Type, v *schema.Value, path string) *Value {
	if t.Kind == Pointer {
		return vs.pointer(t, v, path)
	}
	if v.Kind == schema.Null {
		vs.errorf(v.Pos, path, "want %s, got null", describeType(t))
		return nil
	}
	switch t.Kind {
	case Bool:
		if v.Kind == schema.Bool {
			return &Value{Kind: BoolLit, Bool: v.Bool}
		}
	case Int:
		n, err := v.Int64()
		switch {
		case err == nil:
			return &Value{Kind: IntLit, Int: n}
		case errors.Is(err, schema.ErrIntRange):
			vs.errorf(v.Pos, path, "%s does not fit in a Go int; want an integer between %d and %d", compact(v), int64(math.MinInt64), int64(math.MaxInt64))
			return nil
		}
	case Float:
		switch {
		case v.Kind == schema.Int:
			return &Value{Kind: FloatLit, Float: float64(v.Int)}
		case v.Kind == schema.Float && !math.IsInf(v.Float, 0) && !math.IsNaN(v.Float):
			return &Value{Kind: FloatLit, Float: v.Float}
		case v.Kind == schema.Float:
			vs.errorf(v.Pos, path, "%v has no Go constant; use a finite number", v.Float)
			return nil
		}
	case String:
		if v.Kind == schema.String {
			return &Value{Kind: StringLit, Str: v.Str}
		}
	case Slice:
		if v.Kind == schema.List {
			return vs.slice(t, v, path)
		}
	case Map:
		if v.Kind == schema.Map {
			return vs.mapOf(t, v, path)
		}
	case Ref:
		return vs.named(t, v, path)
	}
	vs.errorf(v.Pos, path, "want %s, got %s", describeType(t), describeValue(v))
	return nil
}

func (vs *values) pointer(t *Type, v *schema.Value, path string) *Value {
	if v.Kind == schema.Null {
		return &Value{Kind: Nil}
	}
	elem := vs.valueOf(t.Elem, v, path)
	switch {
	case elem == nil:
		return nil
	case elem.Kind == Composite:
		return &Value{Kind: AddrOf, Elem: elem}
	case t.Elem.Kind == Ref && t.Elem.Named.Kind == Defined:
		// runtime.Ptr(8080) would be a *int; say which type is meant.
		elem = &Value{Kind: Convert, Type: t.Elem, Elem: elem}
	}
	return &Value{Kind: PtrTo, Elem: elem}
}

func (vs *values) slice(t *Type, v *schema.Value, path string) *Value {
	out := &Value{Kind: Composite, Type: t, Elems: []*Value{}}
	for i, e := range v.List {
		ev := vs.valueOf(t.Elem, e, path+"["+strconv.Itoa(i)+"]")
		if ev == nil {
			return nil
		}
		out.Elems = append(out.Elems, ev)
	}
	return out
}

func (vs *values) mapOf(t *Type, v *schema.Value, path string) *Value {
	out := &Value{Kind: Composite, Type: t, Entries: []MapEntry{}}
	for _, f := range v.Fields {
		ev := vs.valueOf(t.Elem, f.Value, path+"."+f.Key)
		if ev == nil {
			return nil
		}
		out.Entries = append(out.Entries, MapEntry{Key: f.Key, Value: ev})
	}
	return out
}

func (vs *values) named(t *Type, v *schema.Value, path string) *Value {
	n := t.Named
	switch n.Kind {
	case Struct:
		if v.Kind == schema.Map {
			return vs.structOf(t, v, path)
		}
	case Enum:
		if v.Kind == schema.String {
			for _, e := range n.Values {
				if e.Value == v.Str {
					return &Value{Kind: Const, Str: e.Name}
				}
			}
			vs.errorf(v.Pos, path, "%q is not a value of %s; want one of %s", v.Str, n.Name, enumList(n))
			return nil
		}
	case Defined:
		u := vs.valueOf(n.Underlying, v, path)
		if u != nil && u.Kind == Composite {
			u.Type = t // Port{...} rather than []int{...}
		}
		return u
	}
	vs.errorf(v.Pos, path, "want %s, got %s", describeType(t), describeValue(v))
	return nil
}

// structOf returns a struct literal with the fields in declaration order. Absent settings
// are left out: a nil pointer, a nil slice or map.
func (vs *values) structOf(t *Type, v *schema.Value, path string) *Value {
	n := t.Named
	out := &Value{Kind: Composite, Type: t}
	known := map[string]bool{}
	ok := true
	for _, f := range n.Fields {
		known[f.Key] = true
		fv := v.Get(f.Key)
		if fv == nil {
			continue
		}
		val := vs.valueOf(f.Type, fv, join(path, f.Key))
		if val == nil {
			ok = false
			continue
		}
		if val.Kind == Nil {
			continue
		}
		out.Fields = append(out.Fields, FieldValue{Name: f.Name, Value: val})
	}
	for _, f := range v.Fields {
		if !known[f.Key] {
			vs.errs.Add(f.KeyPos, "setting %s is not in the \"properties\" of %s in %s, so Go type %s cannot hold it; declare it there, or set \"additionalProperties\": false to reject it",
				join(path, f.Key), n.Schema, vs.schemaPath, n.Name)
			ok = false
		}
	}
	if !ok {
		return nil
	}
	return out
}

func join(path, key string) string {
	if path == "" {
		return key
	}
	return path + "." + key
}

func enumList(n *Named) string {
	s := ""
	for i, e := range n.Values {
		if i > 0 {
			s += ", "
		}
		s += strconv.Quote(e.Value)
	}
	return s
}

// describeType names t in JSON Schema terms, for messages.
func describeType(t *Type) string {
	switch t.Kind {
	case Bool:
		return "boolean"
	case Int:
		return "integer"
	case Float:
		return "number"
	case String:
		return "string"
	case Slice:
		return "array"
	case Map:
		return "object"
	case Pointer:
		return describeType(t.Elem) + " or null"
	}
	switch t.Named.Kind {
	case Struct:
		return "object"
	case Enum:
		return "string"
	}
	return describeType(t.Named.Underlying)
}

func describeValue(v *schema.Value) string {
	switch v.Kind {
	case schema.String:
		return "string " + strconv.Quote(v.Str)
	case schema.Int, schema.Float, schema.Bool:
		return v.Kind.String() + " " + compact(v)
	}
	return v.Kind.String()
}
