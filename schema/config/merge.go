package config

import (
	"strings"

	"github.com/expman-dev/expman/schema"
)

// Merge overlays src on dst and returns the result; neither argument is changed.
// Mappings merge key by key, recursively; scalars and lists replace whole. Keys keep the
// order of their first appearance. Every leaf keeps the position and layer of the layer that
// set it; a merged mapping takes those of the highest layer that wrote a key into it.
func Merge(dst, src *schema.Value) *schema.Value {
	if dst == nil {
		return src.Clone()
	}
	if src == nil {
		return dst.Clone()
	}
	if dst.Kind != schema.Map || src.Kind != schema.Map {
		return src.Clone()
	}
	out := *dst
	if len(src.Fields) > 0 || dst.Layer == schema.LayerNone {
		out.Pos, out.Layer = src.Pos, src.Layer
	}
	out.Fields = make([]schema.Field, 0, len(dst.Fields)+len(src.Fields))
	for _, f := range dst.Fields {
		if s := src.Field(f.Key); s != nil {
			out.Fields = append(out.Fields, schema.Field{Key: f.Key, KeyPos: s.KeyPos, Value: Merge(f.Value, s.Value)})
		} else {
			out.Fields = append(out.Fields, schema.Field{Key: f.Key, KeyPos: f.KeyPos, Value: f.Value.Clone()})
		}
	}
	for _, s := range src.Fields {
		if dst.Field(s.Key) == nil {
			out.Fields = append(out.Fields, schema.Field{Key: s.Key, KeyPos: s.KeyPos, Value: s.Value.Clone()})
		}
	}
	return &out
}

// setLayer marks v and everything under it as set by layer.
func setLayer(v *schema.Value, layer schema.Layer) {
	if v == nil {
		return
	}
	v.Layer = layer
	for _, e := range v.List {
		setLayer(e, layer)
	}
	for _, f := range v.Fields {
		setLayer(f.Value, layer)
	}
}

// maxRefDepth bounds $ref chains while collecting defaults, so a recursive schema ends.
const maxRefDepth = 32

// Defaults collects the "default" values of a settings schema's properties, recursively
// through nested object properties and local $refs ("#/$defs/..", "#/definitions/.."),
// as a mapping of layer LayerDefault positioned in the schema file. It returns an empty
// mapping when the schema declares no defaults.
func Defaults(doc *schema.Value) *schema.Value {
	out := objectDefaults(doc, doc, 0)
	if out == nil {
		out = &schema.Value{Kind: schema.Map, Fields: []schema.Field{}, Pos: doc.Pos, Layer: schema.LayerDefault}
	}
	return out
}

// objectDefaults returns the defaults of the properties of object schema node, or nil.
func objectDefaults(doc, node *schema.Value, depth int) *schema.Value {
	if node == nil || node.Kind != schema.Map || depth > maxRefDepth {
		return nil
	}
	out := &schema.Value{Kind: schema.Map, Pos: node.Pos, Layer: schema.LayerDefault}
	if props := node.Get("properties"); props != nil && props.Kind == schema.Map {
		for _, p := range props.Fields {
			if v := propertyDefault(doc, p.Value, depth); v != nil {
				out.Fields = append(out.Fields, schema.Field{Key: p.Key, KeyPos: p.KeyPos, Value: v})
			}
		}
	}
	// Properties that come through a $ref (allowed beside "properties" since 2019-09).
	if ref := resolveRef(doc, node); ref != nil {
		out = Merge(objectDefaults(doc, ref, depth+1), out)
		out.Layer = schema.LayerDefault
	}
	if len(out.Fields) == 0 {
		return nil
	}
	return out
}

func propertyDefault(doc, prop *schema.Value, depth int) *schema.Value {
	if prop == nil || prop.Kind != schema.Map {
		return nil
	}
	if d := prop.Get("default"); d != nil {
		d = d.Clone()
		setLayer(d, schema.LayerDefault)
		if d.Kind == schema.Map {
			// An object's own default ("default": {}) is completed by its properties' defaults.
			if inner := objectDefaults(doc, prop, depth+1); inner != nil {
				d = Merge(inner, d)
				d.Layer = schema.LayerDefault
			}
		}
		return d
	}
	if ref := resolveRef(doc, prop); ref != nil && ref.Get("default") != nil && prop.Get("properties") == nil {
		return propertyDefault(doc, ref, depth+1)
	}
	return objectDefaults(doc, prop, depth+1)
}

// resolveRef follows node's local "$ref", or returns nil.
func resolveRef(doc, node *schema.Value) *schema.Value {
	ref := node.Get("$ref")
	if ref == nil || ref.Kind != schema.String || !strings.HasPrefix(ref.Str, "#") {
		return nil
	}
	path := pointerPath(strings.TrimPrefix(ref.Str, "#"))
	v, n := doc.Lookup(path)
	if n != len(path) {
		return nil
	}
	return v
}
