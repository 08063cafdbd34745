package config

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"strings"

	"github.com/santhosh-tekuri/jsonschema/v5"

	"github.com/expman-dev/expman/schema"
)

// baseURL names in-memory schema resources. Nothing is ever fetched from it: refLoader
// refuses every URL that was not added to the compiler.
const baseURL = "file:///expman/"

func refLoader(url string) (io.ReadCloser, error) {
	return nil, fmt.Errorf("%s is not available: only references inside the schema file (#/$defs/...) are supported", url)
}

func newCompiler() *jsonschema.Compiler {
	c := jsonschema.NewCompiler()
	c.Draft = jsonschema.Draft2020 // when the schema has no $schema
	c.LoadURL = refLoader
	c.AssertFormat = true
	return c
}

// compiledSchema is a compiled JSON Schema with its document, for messages.
type compiledSchema struct {
	sch    *jsonschema.Schema
	doc    *schema.Value
	docURL string
}

// resourceName is the name every schema is compiled under. The compiler resolves it as a
// URL, so a user's path such as "../schemas/s.json" would normalise to a URL outside
// baseURL, which refLoader refuses; the user's path is kept for messages only.
const resourceName = "settings.schema.json"

// compileSchema compiles the JSON document doc (raw, already parsed into doc) named name.
// Problems in the schema are positioned in name.
func compileSchema(name string, raw []byte, doc *schema.Value) (*compiledSchema, schema.ErrorList) {
	if err := checkDraft(doc); err != nil {
		return nil, schema.ErrorList{err}
	}
	c := newCompiler()
	url := baseURL + resourceName
	if err := c.AddResource(url, bytes.NewReader(raw)); err != nil {
		return nil, schema.ErrorList{schema.Errorf(doc.Pos, "invalid schema: %s", trimJSONSchema(err))}
	}
	sch, err := c.Compile(url)
	if err != nil {
		errs := schemaErrors(doc, err)
		for _, e := range errs {
			e.Msg = strings.ReplaceAll(e.Msg, resourceName+"#", name+"#")
		}
		return nil, errs
	}
	docURL, _, _ := strings.Cut(sch.Location, "#")
	return &compiledSchema{sch: sch, doc: doc, docURL: docURL}, nil
}

// drafts are the JSON Schema versions a settings schema may declare in "$schema"; the
// fragment "#" and an http URL are accepted as their common variants.
var drafts = map[string]bool{
	"https://json-schema.org/draft/2020-12/schema": true,
	"http://json-schema.org/draft-07/schema":       true,
}

// checkDraft refuses a "$schema" naming another draft: the compiler would try to fetch it
// and fail with a message about references, or quietly apply rules the user did not mean.
func checkDraft(doc *schema.Value) *schema.Error {
	v := doc.Get("$schema")
	if v == nil || v.Kind != schema.String {
		return nil // absent: draft 2020-12; not a string: the meta-schema says so
	}
	u := strings.TrimSuffix(v.Str, "#")
	if drafts[u] || drafts[strings.Replace(u, "http://", "https://", 1)] || drafts[strings.Replace(u, "https://", "http://", 1)] {
		return nil
	}
	return schema.Errorf(v.Pos, "unsupported $schema %q; want draft 2020-12 (%q) or draft-07 (%q)",
		v.Str, "https://json-schema.org/draft/2020-12/schema", "http://json-schema.org/draft-07/schema#")
}

// schemaErrors maps a compile error. A schema that breaks its draft's meta-schema yields a
// ValidationError whose instance is the schema document: the same mapping as for settings
// then points at the offending keyword.
func schemaErrors(doc *schema.Value, err error) schema.ErrorList {
	var ve *jsonschema.ValidationError
	if errors.As(err, &ve) {
		t := &target{
			inst:    doc,
			subject: func(path []string) string { return strings.TrimSuffix("invalid schema: "+dotted("", path, doc), ": ") },
			noun:    "keyword",
		}
		return t.mapValidation(ve)
	}
	msg := trimJSONSchema(err)
	if ref := findRef(doc, msg); ref != nil {
		return schema.ErrorList{schema.Errorf(ref.Pos, "invalid schema: $ref %q not found", ref.Str)}
	}
	return schema.ErrorList{schema.Errorf(doc.Pos, "invalid schema: %s", msg)}
}

// findRef finds the "$ref" whose target the compiler could not find, named in msg as
// "<file>#<pointer> not found".
func findRef(v *schema.Value, msg string) *schema.Value {
	if v == nil {
		return nil
	}
	for _, f := range v.Fields {
		if f.Key == "$ref" && f.Value.Kind == schema.String && strings.HasPrefix(f.Value.Str, "#") &&
			strings.HasSuffix(msg, f.Value.Str+" not found") {
			return f.Value
		}
		if r := findRef(f.Value, msg); r != nil {
			return r
		}
	}
	for _, e := range v.List {
		if r := findRef(e, msg); r != nil {
			return r
		}
	}
	return nil
}

func trimJSONSchema(err error) string {
	var se *jsonschema.SchemaError
	if errors.As(err, &se) && se.Err != nil {
		err = se.Err
	}
	s := strings.TrimPrefix(err.Error(), "jsonschema: ")
	return strings.ReplaceAll(s, baseURL, "")
}

// validate checks inst against s and maps every problem through t.
func (s *compiledSchema) validate(t *target) schema.ErrorList {
	t.doc, t.docURL = s.doc, s.docURL
	if err := s.sch.Validate(t.inst.Interface()); err != nil {
		return t.mapValidation(err)
	}
	return nil
}
