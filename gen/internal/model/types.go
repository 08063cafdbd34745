package model

import (
	"fmt"
	"strings"
	"unicode"

	"github.com/expman-dev/expman/gen/internal/naming"
	"github.com/expman-dev/expman/schema"
)

// reserved are the package-level names the generated file declares itself.
var reserved = []string{"Settings", "Experiment", "Trials", "RunExperiment"}

// types turns the settings schema into Go types. Problems are collected in errs, so one
// run reports all of them; a nil *Type means an error was recorded.
type types struct {
	path  string // the schema file, for messages
	errs  schema.ErrorList
	taken map[string]string // package-level Go name -> what declared it (for messages)
	named []*Named          // in order of declaration
	defs  map[string]*def   // by JSON Pointer, e.g. "#/$defs/Optimizer"
	// open holds the structs whose fields are being built: a field of one of these types
	// refers back through $ref to a struct that contains it.
	open map[*Named]bool
}

// def is one entry of "$defs" or "definitions", turned into a type on first use.
type def struct {
	at       string // JSON Pointer
	schema   *schema.Value
	goName   string
	state    int // 0 new, 1 resolving, 2 done
	named    *Named
	typ      *Type
	nullable bool
}

// hint says how to name a type made for a schema that has no name of its own.
type hint struct {
	name   string // preferred name, e.g. "Optimizer" for the property "optimizer"
	parent string // the enclosing type's name, prepended on a clash
	def    *def   // set when the schema is a $defs entry: its name is fixed
}

func newTypes(path string) *types {
	t := &types{path: path, taken: map[string]string{}, defs: map[string]*def{}, open: map[*Named]bool{}}
	for _, name := range reserved {
		t.taken[name] = "the generated file itself (Settings, Experiment, Trials and RunExperiment are reserved)"
	}
	return t
}

func (t *types) errorf(pos schema.Pos, at, format string, args ...any) {
	t.errs.Add(pos, "%s: %s", at, fmt.Sprintf(format, args...))
}

// reserveDefs gives every $defs/definitions entry its Go name up front, so that names
// the user chose win over names made up for nested objects.
func (t *types) reserveDefs(root *schema.Value) {
	for _, section := range []string{"$defs", "definitions"} {
		f := root.Field(section)
		if f == nil {
			continue
		}
		if f.Value.Kind != schema.Map {
			t.errorf(f.Value.Pos, "#/"+section, "want an object of named schemas, got %s", f.Value.Kind)
			continue
		}
		for _, d := range f.Value.Fields {
			at := "#/" + section + "/" + escape(d.Key)
			name := naming.Exported(d.Key)
			if owner, ok := t.taken[name]; ok {
				t.errorf(d.KeyPos, at, "its Go type name %s is already used by %s; rename it", name, owner)
				continue
			}
			t.taken[name] = at
			t.defs[at] = &def{at: at, schema: d.Value, goName: name}
		}
	}
}

// claim returns a free package-level name for a type made from a schema at at: the
// hint's name, else the parent's name and the hint's name, else that with a number.
func (t *types) claim(h hint, at string) string {
	candidates := []string{h.name}
	if h.parent != "" {
		candidates = append(candidates, h.parent+h.name)
	}
	for _, c := range candidates {
		if _, ok := t.taken[c]; !ok {
			t.taken[c] = at
			return c
		}
	}
	base := candidates[len(candidates)-1]
	for i := 2; ; i++ {
		c := fmt.Sprintf("%s%d", base, i)
		if _, ok := t.taken[c]; !ok {
			t.taken[c] = at
			return c
		}
	}
}

// unsupported keywords change the shape of a value in ways one Go type cannot express.
// Keywords that only validate (minimum, pattern, if/then/else, ...) are fine: the config
// layer validates, and values that do not fit the Go type are reported when trials are
// turned into literals.
var unsupported = []struct{ keyword, advice string }{
	{"oneOf", `a setting needs one Go type; use a single "type" (a string "enum" for a fixed set of choices) instead`},
	{"anyOf", `a setting needs one Go type; use a single "type" (a string "enum" for a fixed set of choices) instead`},
	{"allOf", `merge the schemas into one, or use "$ref" to a "$defs" entry instead`},
	{"patternProperties", `use "additionalProperties" with a schema (a map) or list the keys in "properties" instead`},
	{"prefixItems", `use "items" with one schema (a list) or an object with "properties" instead`},
	{"dependentSchemas", `declare every key in "properties" instead`},
	{"$dynamicRef", `use "$ref" to "#/$defs/NAME" instead`},
	{"$recursiveRef", `use "$ref" to "#/$defs/NAME" instead`},
}

// typeOf returns the Go type of the schema s found at at, and whether it allows null.
func (t *types) typeOf(s *schema.Value, at string, h hint) (*Type, bool) {
	if s.Kind == schema.Bool {
		t.errorf(s.Pos, at, "a schema of %v has no Go type; give it a \"type\"", s.Bool)
		return nil, false
	}
	if s.Kind != schema.Map {
		t.errorf(s.Pos, at, "want a schema object, got %s", s.Kind)
		return nil, false
	}
	bad := false
	for _, u := range unsupported {
		if f := s.Field(u.keyword); f != nil {
			t.errorf(f.KeyPos, at, "%q is not supported: %s", u.keyword, u.advice)
			bad = true
		}
	}
	if bad {
		return nil, false
	}
	if f := s.Field("$ref"); f != nil {
		return t.ref(f, at)
	}
	if f := s.Field("enum"); f != nil {
		return t.enum(s, f, at, h)
	}
	typ, nullable, ok := t.typeName(s, at)
	if !ok {
		return nil, false
	}
	var out *Type
	switch typ {
	case "boolean":
		out = &Type{Kind: Bool}
	case "integer":
		out = &Type{Kind: Int}
	case "number":
		out = &Type{Kind: Float}
	case "string":
		out = &Type{Kind: String}
	case "array":
		out = t.array(s, at, h)
	case "object":
		return t.object(s, at, h), nullable
	default:
		t.errorf(s.Field("type").Value.Pos, at, "unknown \"type\" %q; want one of boolean, integer, number, string, array, object", typ)
		return nil, false
	}
	if out != nil && h.def != nil {
		// A $defs entry of a plain type still gets its name: type Port int.
		n := t.declare(h, at, Defined, s)
		n.Underlying = out
		out = &Type{Kind: Ref, Named: n}
	}
	return out, nullable
}

// typeName reads "type": a name, or a pair of a name and "null". An object given only
// "properties" is an object.
func (t *types) typeName(s *schema.Value, at string) (name string, nullable, ok bool) {
	f := s.Field("type")
	if f == nil {
		if s.Field("properties") != nil {
			return "object", false, true
		}
		t.errorf(s.Pos, at, "no \"type\": every setting needs one Go type; add \"type\" (boolean, integer, number, string, array or object), an \"enum\" of strings, or a \"$ref\"")
		return "", false, false
	}
	v := f.Value
	switch v.Kind {
	case schema.String:
		if v.Str == "null" {
			t.errorf(v.Pos, at, "\"type\": \"null\" alone has no Go type; use [\"T\", \"null\"] for an optional value")
			return "", false, false
		}
		return v.Str, false, true
	case schema.List:
		var names []string
		null := false
		for _, e := range v.List {
			switch {
			case e.Kind == schema.String && e.Str == "null":
				null = true
			case e.Kind == schema.String:
				names = append(names, e.Str)
			}
		}
		if len(names) == 1 && null && len(v.List) == 2 {
			return names[0], true, true
		}
		t.errorf(v.Pos, at, "\"type\" list %s is not supported: a setting needs one Go type; use one type, or [\"T\", \"null\"] for a value that may be null", compact(v))
		return "", false, false
	}
	t.errorf(v.Pos, at, "\"type\" must be a string, got %s", v.Kind)
	return "", false, false
}

func (t *types) array(s *schema.Value, at string, h hint) *Type {
	f := s.Field("items")
	if f == nil {
		t.errorf(s.Pos, at, "array without \"items\" has no Go element type; add \"items\": {\"type\": ...}")
		return nil
	}
	if f.Value.Kind == schema.List {
		t.errorf(f.KeyPos, at, "tuple \"items\" (a list of schemas) are not supported; use one schema for \"items\", or an object with \"properties\" instead")
		return nil
	}
	elem, nullable := t.typeOf(f.Value, at+"/items", hint{name: element(h.name, "Item"), parent: h.parent})
	if elem == nil {
		return nil
	}
	return &Type{Kind: Slice, Elem: pointerIf(elem, nullable)}
}

func (t *types) object(s *schema.Value, at string, h hint) *Type {
	props := s.Field("properties")
	addl := s.Field("additionalProperties")
	addlSchema := addl != nil && addl.Value.Kind == schema.Map
	switch {
	case props != nil && addlSchema:
		t.errorf(addl.KeyPos, at, "\"additionalProperties\" with a schema next to \"properties\" is not supported: a Go value is a struct or a map, not both; set \"additionalProperties\": false, or move the fixed keys into their own object")
		return nil
	case props != nil:
		n := t.structOf(s, props, at, h)
		if n == nil {
			return nil
		}
		return &Type{Kind: Ref, Named: n}
	case addlSchema:
		elem, nullable := t.typeOf(addl.Value, at+"/additionalProperties", hint{name: element(h.name, "Value"), parent: h.parent})
		if elem == nil {
			return nil
		}
		out := &Type{Kind: Map, Elem: pointerIf(elem, nullable)}
		if h.def != nil {
			n := t.declare(h, at, Defined, s)
			n.Underlying = out
			out = &Type{Kind: Ref, Named: n}
		}
		return out
	}
	t.errorf(s.Pos, at, "an object with neither \"properties\" nor \"additionalProperties\" has no Go type; list its keys in \"properties\" (a struct), or give \"additionalProperties\" a schema (a map)")
	return nil
}

// declare adds a named type for the schema s at at, named by h.
func (t *types) declare(h hint, at string, kind NamedKind, s *schema.Value) *Named {
	name := h.name
	if h.def != nil {
		name = h.def.goName
	} else {
		name = t.claim(h, at)
	}
	n := &Named{Name: name, Kind: kind, Schema: at, Doc: typeDoc(name, at, h, s)}
	if h.def != nil {
		h.def.named = n
	}
	t.named = append(t.named, n)
	return n
}

func typeDoc(name, at string, h hint, s *schema.Value) []string {
	var doc []string
	if h.def != nil {
		doc = []string{fmt.Sprintf("%s is %s in the settings schema.", name, at)}
	} else {
		doc = []string{fmt.Sprintf("%s is the type of %s in the settings schema.", name, at)}
	}
	if d := describe(s); d != nil {
		doc = append(append(doc, ""), d...)
	}
	return doc
}

// structOf declares a struct for an object schema with properties.
func (t *types) structOf(s *schema.Value, props *schema.Field, at string, h hint) *Named {
	if props.Value.Kind != schema.Map {
		t.errorf(props.Value.Pos, at+"/properties", "want an object of property schemas, got %s", props.Value.Kind)
		return nil
	}
	n := t.declare(h, at, Struct, s)
	t.open[n] = true
	defer delete(t.open, n)
	required := t.required(s, at)
	byName := map[string]*schema.Field{}
	for i := range props.Value.Fields {
		p := &props.Value.Fields[i]
		pat := at + "/properties/" + escape(p.Key)
		name := naming.Exported(p.Key)
		if other, ok := byName[name]; ok {
			t.errorf(p.KeyPos, pat, "property %q and property %q (line %d) both become Go field %s.%s; rename one", p.Key, other.Key, other.KeyPos.Line, n.Name, name)
			continue
		}
		byName[name] = p
		if !validTagKey(p.Key) {
			t.errorf(p.KeyPos, pat, "key %q cannot be a json struct tag; use letters, digits and punctuation other than quotes, backslash and comma", p.Key)
			continue
		}
		typ, nullable := t.typeOf(p.Value, pat, hint{name: name, parent: n.Name})
		if typ == nil {
			continue
		}
		optional := !required[p.Key] && p.Value.Get("default") == nil
		// A struct that holds itself by value has infinite size, so Go rejects it ("invalid
		// recursive type"): a field whose type is a struct still being built (a $ref back
		// to an enclosing struct) is a pointer even when required or defaulted. Its nil
		// then ends the chain, as an absent value would in JSON.
		recursive := typ.Kind == Ref && t.open[typ.Named]
		ptr := nullable || recursive || (optional && !nillable(typ))
		tag := p.Key
		if optional {
			tag += ",omitempty"
		}
		n.Fields = append(n.Fields, &Field{
			Name:     name,
			Key:      p.Key,
			Doc:      describe(p.Value),
			Type:     pointerIf(typ, ptr),
			Optional: optional,
			Tags:     map[string]string{"json": tag, "yaml": tag},
		})
	}
	return n
}

func (t *types) required(s *schema.Value, at string) map[string]bool {
	out := map[string]bool{}
	f := s.Field("required")
	if f == nil {
		return out
	}
	if f.Value.Kind != schema.List {
		t.errorf(f.Value.Pos, at+"/required", "want a list of property names, got %s", f.Value.Kind)
		return out
	}
	for _, e := range f.Value.List {
		if e.Kind == schema.String {
			out[e.Str] = true
		}
	}
	return out
}

// enum declares a named string type with one constant per value.
func (t *types) enum(s *schema.Value, f *schema.Field, at string, h hint) (*Type, bool) {
	if f.Value.Kind != schema.List || len(f.Value.List) == 0 {
		t.errorf(f.Value.Pos, at, "\"enum\" must be a non-empty list of strings")
		return nil, false
	}
	for _, e := range f.Value.List {
		if e.Kind != schema.String {
			t.errorf(e.Pos, at, "\"enum\" value %s is not a string: only string enums have a Go type; use strings, or \"type\" with \"minimum\"/\"maximum\" instead", compact(e))
			return nil, false
		}
	}
	if tf := s.Field("type"); tf != nil && !(tf.Value.Kind == schema.String && tf.Value.Str == "string") {
		t.errorf(tf.Value.Pos, at, "an \"enum\" of strings needs \"type\": \"string\" (or no \"type\"), got %s", compact(tf.Value))
		return nil, false
	}
	n := t.declare(h, at, Enum, s)
	seen := map[string]string{}
	for _, e := range f.Value.List {
		name, ok := naming.EnumConst(n.Name, e.Str)
		if !ok {
			t.errorf(e.Pos, at, "enum value %q has no letters or digits to name a Go constant by; use a value with letters or digits", e.Str)
			continue
		}
		if v, dup := seen[name]; dup {
			t.errorf(e.Pos, at, "enum values %q and %q both become Go constant %s; rename one", v, e.Str, name)
			continue
		}
		if owner, ok := t.taken[name]; ok {
			t.errorf(e.Pos, at, "enum value %q becomes Go constant %s, which is already the name of %s; rename one", e.Str, name, owner)
			continue
		}
		seen[name] = e.Str
		t.taken[name] = fmt.Sprintf("%s value %q", at, e.Str)
		n.Values = append(n.Values, &EnumValue{Name: name, Value: e.Str})
	}
	return &Type{Kind: Ref, Named: n}, false
}

// ref resolves "$ref": "#/$defs/NAME" (or "#/definitions/NAME") to that entry's type.
func (t *types) ref(f *schema.Field, at string) (*Type, bool) {
	if f.Value.Kind != schema.String {
		t.errorf(f.Value.Pos, at, "\"$ref\" must be a string, got %s", f.Value.Kind)
		return nil, false
	}
	d := t.defs[f.Value.Str]
	if d == nil {
		t.errorf(f.Value.Pos, at, "\"$ref\" %q is not supported: refer to an entry of this file's \"$defs\" or \"definitions\" as \"#/$defs/NAME\" or \"#/definitions/NAME\"", f.Value.Str)
		return nil, false
	}
	switch d.state {
	case 1:
		if d.named != nil {
			return &Type{Kind: Ref, Named: d.named}, d.nullable
		}
		t.errorf(f.Value.Pos, at, "\"$ref\" %q refers back to itself without an object in between, which has no Go type; break the cycle", f.Value.Str)
		return nil, false
	case 2:
		return d.typ, d.nullable
	}
	d.state = 1
	h := hint{name: d.goName, def: d}
	if d.schema.Kind == schema.Map && d.schema.Get("$ref") != nil {
		h.def = nil // an alias of another entry: use that entry's type
	}
	d.typ, d.nullable = t.typeOf(d.schema, d.at, h)
	d.state = 2
	return d.typ, d.nullable
}

// describe returns the lines of a schema's "description", or its "title".
func describe(s *schema.Value) []string {
	for _, key := range []string{"description", "title"} {
		if d := s.Get(key); d != nil && d.Kind == schema.String && strings.TrimSpace(d.Str) != "" {
			lines := strings.Split(strings.TrimSpace(d.Str), "\n")
			for i, l := range lines {
				lines[i] = strings.TrimRight(strings.Map(commentRune, l), " \t")
			}
			return lines
		}
	}
	return nil
}

// commentRune keeps r in a Go comment, or turns it into a space: source may not hold NUL
// or a byte-order mark, and other control characters would garble the comment.
func commentRune(r rune) rune {
	if r == '\t' || (!unicode.IsControl(r) && r != '\ufeff') {
		return r
	}
	return ' '
}

// nillable reports whether t's zero value, nil, already says "unset": a slice or a map,
// possibly under a name.
func nillable(t *Type) bool {
	if t.Kind == Ref && t.Named.Kind == Defined {
		t = t.Named.Underlying
	}
	return t.Kind == Slice || t.Kind == Map
}

func pointerIf(t *Type, ptr bool) *Type {
	if !ptr {
		return t
	}
	return &Type{Kind: Pointer, Elem: t}
}

// element names the element type of a list or map named name: its singular, or name+suffix.
func element(name, suffix string) string {
	if s := naming.Singular(name); s != name {
		return s
	}
	return name + suffix
}

// escape escapes a key for a JSON Pointer (RFC 6901).
func escape(key string) string {
	return strings.NewReplacer("~", "~0", "/", "~1").Replace(key)
}

// compact prints a JSON value on one line, for messages.
func compact(v *schema.Value) string {
	b, err := v.MarshalJSON()
	if err != nil {
		return v.Kind.String()
	}
	return string(b)
}

// validTagKey reports whether encoding/json accepts key as a struct tag name (the same
// characters as its isValidTag); such a key also survives in a backquoted tag.
func validTagKey(key string) bool {
	if key == "" || key == "-" {
		return false
	}
	for _, r := range key {
		switch {
		case strings.ContainsRune("!#$%&()*+-./:;<=>?@[]^_{|}~ ", r):
		case unicode.IsLetter(r), unicode.IsDigit(r):
		default:
			return false
		}
	}
	return true
}
