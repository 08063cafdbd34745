// Package fileschemas derives the JSON Schemas of experiment.yaml, base.yaml and trials.yaml
// from the Go types in package schema. It imports invopop/jsonschema, so only the schemagen
// program and tests may use it: user binaries must not link it.
package fileschemas

import (
	"bytes"
	"encoding/json"
	"fmt"
	"reflect"

	"github.com/invopop/jsonschema"

	"github.com/expman-dev/expman/schema"
)

// Generate returns the content of each schema file, keyed by file name.
func Generate() (map[string][]byte, error) {
	out := make(map[string][]byte)
	for _, f := range []struct {
		name, title string
		typ         reflect.Type
	}{
		{schema.ExperimentSchemaFile, "expman experiment.yaml", reflect.TypeFor[schema.ExperimentFile]()},
		{schema.BaseSchemaFile, "expman base.yaml", reflect.TypeFor[schema.BaseFile]()},
		{schema.TrialsSchemaFile, "expman trials.yaml", reflect.TypeFor[schema.TrialsFile]()},
	} {
		data, err := generate(f.typ, f.title)
		if err != nil {
			return nil, fmt.Errorf("%s: %w", f.name, err)
		}
		out[f.name] = data
	}
	return out, nil
}

func generate(t reflect.Type, title string) ([]byte, error) {
	r := &jsonschema.Reflector{Anonymous: true, DoNotReference: true, ExpandedStruct: true}
	s := r.ReflectFromType(t)
	s.Title = title
	// The patterns live in Go constants that package config also uses; struct tags cannot
	// refer to them.
	setPatterns(s)
	refine(s)
	if s.Items != nil {
		setPatterns(s.Items)
		refine(s.Items)
		s.Description = "The trials of the experiment, in the order they run."
	}
	var b bytes.Buffer
	enc := json.NewEncoder(&b)
	enc.SetIndent("", "  ")
	if err := enc.Encode(s); err != nil {
		return nil, err
	}
	return b.Bytes(), nil
}

func setPatterns(s *jsonschema.Schema) {
	if s.Properties == nil {
		return
	}
	for key, pattern := range map[string]string{"name": schema.NamePattern, "timeout": schema.DurationPattern} {
		if p, ok := s.Properties.Get(key); ok {
			p.Pattern = pattern
		}
	}
}

// refine says what struct tags cannot: sweep and zip lists hold at least one value, and a
// Slurm time or memory may be written as a number (minutes, megabytes) as well as a string.
func refine(s *jsonschema.Schema) {
	if s.Properties == nil {
		return
	}
	one := uint64(1)
	for _, key := range []string{"sweep", "zip"} {
		if p, ok := s.Properties.Get(key); ok && p.AdditionalProperties != nil {
			p.AdditionalProperties.MinItems = &one
		}
	}
	slurm, ok := s.Properties.Get("slurm")
	if !ok || slurm.Properties == nil {
		return
	}
	for _, key := range []string{"time", "mem"} {
		if p, ok := slurm.Properties.Get(key); ok {
			p.Type = ""
			p.AnyOf = []*jsonschema.Schema{{Type: "string"}, {Type: "integer", Minimum: "1"}}
		}
	}
}
