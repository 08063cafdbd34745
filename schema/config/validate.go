package config

import (
	"errors"
	"fmt"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/santhosh-tekuri/jsonschema/v5"

	"github.com/expman-dev/expman/schema"
)

// This file is the one mechanism that turns JSON Schema validation errors into positioned
// errors for people. It serves the three files (against their embedded schemas), the
// settings (against settings.schema.json) and the settings schema itself (against its
// draft's meta-schema).

// target is an instance being validated and how to speak about it.
type target struct {
	inst *schema.Value // the instance, with positions
	// doc is the schema document, to read keyword values (required, properties, enum...)
	// for precise messages; nil means only the validator's own messages are available.
	doc    *schema.Value
	docURL string
	// subject names the value at an instance path, e.g. `settings.lr` or `trial "a": repeat`.
	subject func(path []string) string
	noun    string // what a mapping key is called: "key" or "setting"
	// missingAt, when set, says where to report a missing required key of the value at path.
	missingAt func(path []string, v *schema.Value) schema.Pos
}

// mapValidation returns the positioned errors for err, a *jsonschema.ValidationError (or
// another error, reported at the instance's root).
func (t *target) mapValidation(err error) schema.ErrorList {
	var ve *jsonschema.ValidationError
	if !errors.As(err, &ve) {
		return schema.ErrorList{schema.Errorf(t.inst.Pos, "%s", err)}
	}
	var out schema.ErrorList
	t.walk(ve, &out)
	return out
}

func (t *target) walk(ve *jsonschema.ValidationError, out *schema.ErrorList) {
	switch keyword(ve) {
	case "anyOf", "oneOf":
		if len(ve.Causes) > 0 {
			*out = append(*out, t.alternatives(ve)...)
			return
		}
	}
	if len(ve.Causes) == 0 {
		*out = append(*out, t.leaf(ve)...)
		return
	}
	for _, c := range ve.Causes {
		t.walk(c, out)
	}
}

// alternatives reports an anyOf/oneOf that no branch satisfied. When every branch failed on
// the value itself, one line says what each branch wanted; otherwise each branch's problems
// are reported as they are.
func (t *target) alternatives(ve *jsonschema.ValidationError) schema.ErrorList {
	var leaves []*jsonschema.ValidationError
	var collect func(*jsonschema.ValidationError)
	collect = func(e *jsonschema.ValidationError) {
		if len(e.Causes) == 0 {
			leaves = append(leaves, e)
		}
		for _, c := range e.Causes {
			collect(c)
		}
	}
	collect(ve)
	var wants []string
	for _, l := range leaves {
		w, ok := t.want(l)
		if !ok || l.InstanceLocation != ve.InstanceLocation {
			wants = nil
			break
		}
		wants = append(wants, w)
	}
	if wants == nil {
		var out schema.ErrorList
		for _, l := range leaves {
			out = append(out, t.leaf(l)...)
		}
		return out
	}
	path := pointerPath(ve.InstanceLocation)
	v := t.at(path)
	return schema.ErrorList{t.errorf(v.Pos, path, "want %s, got %s", strings.Join(slices.Compact(wants), ", or "), describe(v))}
}

func (t *target) leaf(ve *jsonschema.ValidationError) schema.ErrorList {
	path := pointerPath(ve.InstanceLocation)
	v := t.at(path)
	switch keyword(ve) {
	case "required":
		return t.missing(ve, path, v)
	case "additionalProperties":
		return t.unknown(ve, path, v)
	}
	if w, ok := t.want(ve); ok {
		return schema.ErrorList{t.errorf(v.Pos, path, "want %s, got %s", w, describe(v))}
	}
	return schema.ErrorList{t.errorf(v.Pos, path, "%s", ve.Message)}
}

func (t *target) errorf(pos schema.Pos, path []string, format string, args ...any) *schema.Error {
	msg := fmt.Sprintf(format, args...)
	if s := t.subject(path); s != "" {
		msg = s + ": " + msg
	}
	return &schema.Error{Pos: pos, Msg: msg}
}

func (t *target) at(path []string) *schema.Value {
	v, _ := t.inst.Lookup(path)
	return v
}

func (t *target) missing(ve *jsonschema.ValidationError, path []string, v *schema.Value) schema.ErrorList {
	var names []string
	if req := t.keywordValue(ve); req != nil && req.Kind == schema.List {
		for _, r := range req.List {
			if r.Kind == schema.String && v.Get(r.Str) == nil {
				names = append(names, r.Str)
			}
		}
	} else {
		names = quotedNames(strings.TrimPrefix(ve.Message, "missing properties: "))
	}
	pos := v.Pos
	if t.missingAt != nil {
		pos = t.missingAt(path, v)
	}
	var out schema.ErrorList
	for _, n := range names {
		out = append(out, t.errorf(pos, path, "missing required %s %q", t.noun, n))
	}
	return out
}

func (t *target) unknown(ve *jsonschema.ValidationError, path []string, v *schema.Value) schema.ErrorList {
	parent := t.parentSchema(ve)
	var known []string
	if props := parent.Get("properties"); props != nil {
		for _, f := range props.Fields {
			known = append(known, f.Key)
		}
	}
	names := t.extraKeys(ve, parent, v, known)
	var out schema.ErrorList
	for _, n := range names {
		pos := v.Pos
		if f := v.Field(n); f != nil {
			pos = f.KeyPos
		}
		msg := fmt.Sprintf("unknown %s %q", t.noun, n)
		if s := suggest(n, known); s != "" {
			msg += fmt.Sprintf("; did you mean %q?", s)
		}
		out = append(out, t.errorf(pos, path, "%s", msg))
	}
	return out
}

// extraKeys lists the keys of v that additionalProperties rejected. The validator names them
// in its message; reading the message is the one way that agrees with it exactly.
func (t *target) extraKeys(ve *jsonschema.ValidationError, parent, v *schema.Value, known []string) []string {
	names := quotedNames(strings.TrimSuffix(strings.TrimPrefix(ve.Message, "additionalProperties "), " not allowed"))
	if len(names) > 0 {
		return names
	}
	for _, f := range v.Fields {
		if !slices.Contains(known, f.Key) && parent.Get("patternProperties") == nil {
			names = append(names, f.Key)
		}
	}
	return names
}

var quotedRE = regexp.MustCompile(`'((?:[^'\\]|\\.)*)'`)

// quotedNames reads the names in a validator message such as "'a', 'b'".
func quotedNames(s string) []string {
	var out []string
	for _, m := range quotedRE.FindAllStringSubmatch(s, -1) {
		q := strings.ReplaceAll(m[1], `\'`, `'`)
		q = strings.ReplaceAll(q, `"`, `\"`)
		if u, err := strconv.Unquote(`"` + q + `"`); err == nil {
			out = append(out, u)
		} else {
			out = append(out, m[1])
		}
	}
	return out
}

// want says in plain words what the keyword that failed wanted, e.g. "integer",
// "one of \"a\", \"b\"", ">= 1".
func (t *target) want(ve *jsonschema.ValidationError) (string, bool) {
	kw := keyword(ve)
	val := t.keywordValue(ve)
	if val == nil {
		return wantFromMessage(kw, ve.Message)
	}
	switch kw {
	case "type":
		if t.isDuration(ve) {
			return wantDuration, true
		}
		if val.Kind == schema.List {
			var ts []string
			for _, e := range val.List {
				ts = append(ts, e.Str)
			}
			return strings.Join(ts, " or "), true
		}
		return val.Str, true
	case "enum":
		var vs []string
		for _, e := range val.List {
			vs = append(vs, literal(e))
		}
		return "one of " + strings.Join(vs, ", "), true
	case "const":
		return literal(val), true
	case "minimum":
		return ">= " + literal(val), true
	case "maximum":
		return "<= " + literal(val), true
	case "exclusiveMinimum":
		return "> " + literal(val), true
	case "exclusiveMaximum":
		return "< " + literal(val), true
	case "multipleOf":
		return "a multiple of " + literal(val), true
	case "minLength":
		return "at least " + literal(val) + " characters", true
	case "maxLength":
		return "at most " + literal(val) + " characters", true
	case "minItems":
		if val.Kind == schema.Int && val.Int == 1 {
			return "a non-empty list", true
		}
		return "at least " + literal(val) + " items", true
	case "maxItems":
		return "at most " + literal(val) + " items", true
	case "minProperties":
		return "at least " + literal(val) + " keys", true
	case "maxProperties":
		return "at most " + literal(val) + " keys", true
	case "pattern":
		switch val.Str {
		case schema.NamePattern:
			return `a name of letters, digits, "_", "-" and "." only`, true
		case schema.DurationPattern:
			// A duration Go reads but the pattern refuses has a sign or is a bare "0"; the
			// ones that are not positive are told so.
			inst := t.at(pointerPath(ve.InstanceLocation))
			if d, err := time.ParseDuration(inst.Str); err == nil && d <= 0 && inst.Kind == schema.String {
				return "a duration > 0", true
			}
			return wantDuration, true
		}
		return "a string matching " + strconv.Quote(val.Str), true
	case "format":
		return "a string in format " + strconv.Quote(val.Str), true
	}
	return "", false
}

// wantDuration is what a timeout of the wrong shape or type is told to be.
const wantDuration = `a duration such as "30m" or "1h30m"`

// isDuration says whether the failed keyword belongs to a timeout's schema: a timeout
// written as a number is told what a duration looks like, not just "string".
func (t *target) isDuration(ve *jsonschema.ValidationError) bool {
	p := t.parentSchema(ve)
	pat := p.Get("pattern")
	return pat != nil && pat.Kind == schema.String && pat.Str == schema.DurationPattern
}

var expectedRE = regexp.MustCompile(`^expected (.*), but got \S+$`)

// wantFromMessage reads what a keyword wanted from the validator's message, for schemas
// whose document we do not hold (the draft meta-schemas).
func wantFromMessage(kw, msg string) (string, bool) {
	switch kw {
	case "type":
		if m := expectedRE.FindStringSubmatch(msg); m != nil {
			return m[1], true
		}
	case "enum", "const":
		if s, ok := strings.CutPrefix(msg, "value must be "); ok {
			return s, true
		}
	}
	return "", false
}

// keywordValue returns the value of the failed keyword in the schema document, or nil when
// the keyword lives in a document we do not hold.
func (t *target) keywordValue(ve *jsonschema.ValidationError) *schema.Value {
	url, frag, _ := strings.Cut(ve.AbsoluteKeywordLocation, "#")
	if t.doc == nil || url != t.docURL {
		return nil
	}
	path := pointerPath(frag)
	v, n := t.doc.Lookup(path)
	if n != len(path) {
		return nil
	}
	return v
}

// parentSchema returns the schema object holding the failed keyword, or nil.
func (t *target) parentSchema(ve *jsonschema.ValidationError) *schema.Value {
	url, frag, _ := strings.Cut(ve.AbsoluteKeywordLocation, "#")
	if t.doc == nil || url != t.docURL {
		return nil
	}
	path := pointerPath(frag)
	if len(path) == 0 {
		return nil
	}
	path = path[:len(path)-1]
	v, n := t.doc.Lookup(path)
	if n != len(path) {
		return nil
	}
	return v
}

func keyword(ve *jsonschema.ValidationError) string {
	loc := ve.KeywordLocation
	return loc[strings.LastIndexByte(loc, '/')+1:]
}

// pointerPath splits a JSON Pointer ("/a/0/b~1c") into its unescaped parts.
func pointerPath(ptr string) []string {
	ptr = strings.TrimPrefix(ptr, "/")
	if ptr == "" {
		return nil
	}
	parts := strings.Split(ptr, "/")
	for i, p := range parts {
		parts[i] = strings.ReplaceAll(strings.ReplaceAll(p, "~1", "/"), "~0", "~")
	}
	return parts
}

// dotted renders a path as people write it: settings.layers[0].size.
func dotted(root string, path []string, v *schema.Value) string {
	var b strings.Builder
	b.WriteString(root)
	cur := v
	for _, p := range path {
		if cur != nil && cur.Kind == schema.List {
			b.WriteString("[" + p + "]")
		} else {
			if b.Len() > 0 {
				b.WriteByte('.')
			}
			b.WriteString(p)
		}
		if cur != nil {
			next, n := cur.Lookup([]string{p})
			if n == 1 {
				cur = next
			} else {
				cur = nil
			}
		}
	}
	return b.String()
}

// describe names a value's type and, for a scalar, the value: `string "big"`, `integer 5`.
func describe(v *schema.Value) string {
	switch v.Kind {
	case schema.Null:
		return "null"
	case schema.List:
		if len(v.List) == 0 {
			return "an empty array"
		}
		return "array"
	case schema.Map:
		return "object"
	}
	return v.Kind.String() + " " + literal(v)
}

// literal prints a scalar as JSON would.
func literal(v *schema.Value) string {
	switch v.Kind {
	case schema.Null:
		return "null"
	case schema.Bool:
		return strconv.FormatBool(v.Bool)
	case schema.Int:
		return strconv.FormatInt(v.Int, 10)
	case schema.Float:
		return strconv.FormatFloat(v.Float, 'g', -1, 64)
	case schema.String:
		return strconv.Quote(v.Str)
	}
	b, err := v.MarshalJSON()
	if err != nil {
		return v.Kind.String()
	}
	return string(b)
}

// suggest returns the known name closest to name, if it is close enough to be a typo.
func suggest(name string, known []string) string {
	best, bestDist := "", -1
	for _, k := range known {
		d := editDistance(name, k)
		if d <= max(1, min(len(name), len(k))/3) && (bestDist < 0 || d < bestDist) {
			best, bestDist = k, d
		}
	}
	return best
}

// editDistance is the Levenshtein distance between a and b, counted in runes.
func editDistance(a, b string) int {
	ra, rb := []rune(a), []rune(b)
	prev := make([]int, len(rb)+1)
	cur := make([]int, len(rb)+1)
	for j := range prev {
		prev[j] = j
	}
	for i := 1; i <= len(ra); i++ {
		cur[0] = i
		for j := 1; j <= len(rb); j++ {
			cost := 1
			if ra[i-1] == rb[j-1] {
				cost = 0
			}
			cur[j] = min(prev[j]+1, cur[j-1]+1, prev[j-1]+cost)
		}
		prev, cur = cur, prev
	}
	return prev[len(rb)]
}
