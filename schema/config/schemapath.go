package config

import (
	"slices"
	"strconv"
	"strings"

	"github.com/expman-dev/expman/schema"
)

// checkPath reports whether the settings schema has a setting at path, for a sweep or an
// override that names one; pos is where to report it. A key is unknown when the object
// schema that would hold it forbids other keys ("additionalProperties": false or
// "unevaluatedProperties": false) and neither lists it in "properties" nor matches it by
// "patternProperties"; a path that runs into a value of another type (a number, a string)
// is wrong too. Where the schema cannot tell (anyOf, oneOf, allOf, untyped parts),
// validation of the merged settings decides.
func (s *Schema) checkPath(path []string, pos schema.Pos, noun string) *schema.Error {
	if s == nil || s.Doc == nil {
		return nil
	}
	node := s.Doc
	for i := range path {
		node = s.deref(node)
		if node == nil || node.Kind != schema.Map {
			return nil
		}
		next, err := s.step(node, path, i, pos, noun)
		if next == nil || err != nil {
			return err
		}
		node = next
	}
	return nil
}

// step finds the schema of path[i] inside node; nil when the schema cannot tell.
func (s *Schema) step(node *schema.Value, path []string, i int, pos schema.Pos, noun string) (*schema.Value, *schema.Error) {
	key := path[i]
	where := "settings"
	if i > 0 {
		where += "." + strings.Join(path[:i], ".")
	}
	if props := node.Get("properties"); props != nil && props.Kind == schema.Map {
		if p := props.Get(key); p != nil {
			return p, nil
		}
	}
	if items := node.Get("items"); items != nil && items.Kind == schema.Map && schemaType(node, "array") {
		if n, err := strconv.Atoi(key); err == nil && n >= 0 {
			return items, nil
		}
		return nil, schema.Errorf(pos, "%s is a list; want an index such as %s.0, got %q", where, strings.Join(path[:i], "."), key)
	}
	if t := node.Get("type"); t != nil && t.Kind == schema.String && t.Str != "object" && t.Str != "array" {
		return nil, schema.Errorf(pos, "%s is %s %s; it has no %s %q", where, article(t.Str), t.Str, noun, key)
	}
	if node.Get("patternProperties") != nil || node.Get("allOf") != nil || node.Get("anyOf") != nil || node.Get("oneOf") != nil {
		return nil, nil
	}
	if addl := node.Get("additionalProperties"); addl != nil && addl.Kind == schema.Map {
		return addl, nil
	}
	if !forbidsOthers(node) {
		return nil, nil
	}
	var known []string
	if props := node.Get("properties"); props != nil {
		for _, f := range props.Fields {
			known = append(known, f.Key)
		}
	}
	msg := where + ": unknown " + noun + " " + strconv.Quote(key)
	if sug := suggest(key, known); sug != "" {
		msg += "; did you mean " + strconv.Quote(sug) + "?"
	} else if len(known) > 0 {
		msg += "; known: " + strings.Join(quoteAll(known), ", ")
	}
	return nil, &schema.Error{Pos: pos, Msg: msg}
}

func forbidsOthers(node *schema.Value) bool {
	for _, k := range []string{"additionalProperties", "unevaluatedProperties"} {
		if v := node.Get(k); v != nil && v.Kind == schema.Bool && !v.Bool {
			return true
		}
	}
	return false
}

func schemaType(node *schema.Value, want string) bool {
	t := node.Get("type")
	switch {
	case t == nil:
		return false
	case t.Kind == schema.String:
		return t.Str == want
	case t.Kind == schema.List:
		return slices.ContainsFunc(t.List, func(e *schema.Value) bool { return e.Kind == schema.String && e.Str == want })
	}
	return false
}

// deref follows a node's local $ref when the node says nothing else of use.
func (s *Schema) deref(node *schema.Value) *schema.Value {
	for range maxRefDepth {
		if node == nil || node.Kind != schema.Map || node.Get("properties") != nil {
			return node
		}
		ref := resolveRef(s.Doc, node)
		if ref == nil {
			return node
		}
		node = ref
	}
	return node
}

func quoteAll(names []string) []string {
	out := make([]string, len(names))
	for i, n := range names {
		out[i] = strconv.Quote(n)
	}
	return out
}

func article(word string) string {
	if word != "" && strings.ContainsRune("aeiou", rune(word[0])) {
		return "an"
	}
	return "a"
}
