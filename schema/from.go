package schema

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"reflect"
	"slices"
	"strconv"
)

// FromInterface builds a Value from plain Go values: nil, bool, the integer and float
// types, json.Number, string, slices and arrays, maps with string keys (their keys in
// sorted order, since a Go map has none), and *Value (cloned). It is the way back from
// Interface, and what a program uses to treat settings it did not load from files like
// loaded ones. The result has no positions and LayerNone.
//
// Anything else, such as a typed settings struct, goes through encoding/json, so its
// fields keep their order and json tags; a value encoding/json cannot encode (a channel, a
// function, NaN) becomes null, which validation then reports. Use FromJSON to see that
// error instead.
func FromInterface(x any) *Value {
	v, err := fromReflect(reflect.ValueOf(x), 0)
	if err != nil {
		return &Value{Kind: Null}
	}
	return v
}

// FromJSON reads a JSON document into a Value, keeping the order of object keys, with
// integers as Int and other numbers as Float. The result has no positions and LayerNone.
func FromJSON(data []byte) (*Value, error) {
	dec := json.NewDecoder(bytes.NewReader(data))
	dec.UseNumber()
	v, err := fromTokens(dec, 0)
	if err != nil {
		return nil, fmt.Errorf("schema.FromJSON: %w", err)
	}
	if _, err := dec.Token(); !errors.Is(err, io.EOF) {
		return nil, fmt.Errorf("schema.FromJSON: data after the top-level value")
	}
	return v, nil
}

func fromTokens(dec *json.Decoder, depth int) (*Value, error) {
	if depth > maxFromDepth {
		return nil, errors.New("nested too deeply")
	}
	tok, err := dec.Token()
	if err != nil {
		return nil, err
	}
	switch t := tok.(type) {
	case json.Delim:
		switch t {
		case '[':
			out := &Value{Kind: List, List: []*Value{}}
			for dec.More() {
				e, err := fromTokens(dec, depth+1)
				if err != nil {
					return nil, err
				}
				out.List = append(out.List, e)
			}
			_, err := dec.Token()
			return out, err
		case '{':
			out := &Value{Kind: Map, Fields: []Field{}}
			for dec.More() {
				k, err := dec.Token()
				if err != nil {
					return nil, err
				}
				e, err := fromTokens(dec, depth+1)
				if err != nil {
					return nil, err
				}
				out.Fields = append(out.Fields, Field{Key: k.(string), Value: e})
			}
			_, err := dec.Token()
			return out, err
		}
		return nil, fmt.Errorf("unexpected %v", t)
	}
	return fromReflect(reflect.ValueOf(tok), depth)
}

// maxFromDepth bounds the nesting FromInterface follows, so a cyclic value ends.
const maxFromDepth = 1000

func fromReflect(rv reflect.Value, depth int) (*Value, error) {
	if depth > maxFromDepth {
		return nil, fmt.Errorf("schema.FromInterface: nested too deeply (a cycle?)")
	}
	if !rv.IsValid() {
		return &Value{Kind: Null}, nil
	}
	switch x := rv.Interface().(type) {
	case *Value:
		if x == nil {
			return &Value{Kind: Null}, nil
		}
		return x.Clone(), nil
	case json.Number:
		if i, err := strconv.ParseInt(string(x), 10, 64); err == nil {
			return &Value{Kind: Int, Int: i}, nil
		}
		f, err := x.Float64()
		if err != nil {
			return nil, fmt.Errorf("schema.FromInterface: number %s: %w", x, err)
		}
		return &Value{Kind: Float, Float: f}, nil
	}
	switch rv.Kind() {
	case reflect.Interface, reflect.Pointer:
		if rv.IsNil() {
			return &Value{Kind: Null}, nil
		}
		return fromReflect(rv.Elem(), depth+1)
	case reflect.Bool:
		return &Value{Kind: Bool, Bool: rv.Bool()}, nil
	case reflect.Int, reflect.Int8, reflect.Int16, reflect.Int32, reflect.Int64:
		return &Value{Kind: Int, Int: rv.Int()}, nil
	case reflect.Uint, reflect.Uint8, reflect.Uint16, reflect.Uint32, reflect.Uint64, reflect.Uintptr:
		u := rv.Uint()
		if u > 1<<63-1 {
			return &Value{Kind: Float, Float: float64(u)}, nil
		}
		return &Value{Kind: Int, Int: int64(u)}, nil
	case reflect.Float32, reflect.Float64:
		return &Value{Kind: Float, Float: rv.Float()}, nil
	case reflect.String:
		return &Value{Kind: String, Str: rv.String()}, nil
	case reflect.Slice, reflect.Array:
		if rv.Kind() == reflect.Slice && rv.IsNil() {
			return &Value{Kind: Null}, nil
		}
		out := &Value{Kind: List, List: make([]*Value, 0, rv.Len())}
		for i := range rv.Len() {
			e, err := fromReflect(rv.Index(i), depth+1)
			if err != nil {
				return nil, err
			}
			out.List = append(out.List, e)
		}
		return out, nil
	case reflect.Map:
		return fromMap(rv, depth)
	}
	data, err := json.Marshal(rv.Interface())
	if err != nil {
		return nil, err
	}
	return FromJSON(data)
}

func fromMap(rv reflect.Value, depth int) (*Value, error) {
	if rv.Type().Key().Kind() != reflect.String {
		data, err := json.Marshal(rv.Interface()) // encoding/json's rules for other keys
		if err != nil {
			return nil, err
		}
		return FromJSON(data)
	}
	if rv.IsNil() {
		return &Value{Kind: Null}, nil
	}
	keys := make([]string, 0, rv.Len())
	for _, k := range rv.MapKeys() {
		keys = append(keys, k.String())
	}
	slices.Sort(keys)
	out := &Value{Kind: Map, Fields: make([]Field, 0, len(keys))}
	for _, k := range keys {
		e, err := fromReflect(rv.MapIndex(reflect.ValueOf(k).Convert(rv.Type().Key())), depth+1)
		if err != nil {
			return nil, err
		}
		out.Fields = append(out.Fields, Field{Key: k, Value: e})
	}
	return out, nil
}
