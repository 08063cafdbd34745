package model

import (
	"bytes"
	"errors"
	"unicode/utf8"

	"github.com/expman-dev/expman/schema"
	"github.com/expman-dev/expman/schema/config"
)

// CheckTypes reports the problems in turning the settings schema sch into Go types,
// without any trial: for a config folder whose YAML has errors but whose schema compiled.
func CheckTypes(sch *config.Schema) error {
	t := newTypes(sch.Path)
	t.root(sch.Doc)
	return t.errs.Err()
}

// Build decides the generated file for a loaded config: the Go types of the settings
// schema and the typed literal of every trial. Problems in the input are returned as a
// sorted schema.ErrorList holding all of them.
func Build(cfg *config.Config, pkg string) (*File, error) {
	if cfg == nil || cfg.Schema == nil {
		return nil, errors.New("model: no settings schema loaded")
	}
	t := newTypes(cfg.Schema.Path)
	settings := t.root(cfg.Schema.Doc)
	if err := t.errs.Err(); err != nil {
		return nil, err
	}
	f := &File{
		Package:  pkg,
		Settings: settings,
		Types:    t.named,
		Experiment: Experiment{
			Name:    cfg.Experiment.Name,
			ID:      cfg.Experiment.ID,
			Desc:    cfg.Experiment.Desc,
			Timeout: durationOf(cfg.Experiment.Timeout),
			Slurm:   slurmOf(cfg.Experiment.Slurm),
			Files:   sources(cfg.Files),
		},
	}
	vs := values{schemaPath: cfg.Schema.Path}
	settingsType := &Type{Kind: Ref, Named: settings}
	for _, tr := range cfg.Trials {
		settings := tr.Settings
		if settings == nil {
			settings = &schema.Value{Kind: schema.Map, Pos: tr.Pos}
		}
		v := vs.valueOf(settingsType, settings, "")
		f.Trials = append(f.Trials, Trial{Name: tr.Name, ID: tr.ID, Repeat: tr.Repeat, Timeout: durationOf(tr.Timeout), Slurm: slurmOf(tr.Slurm), Settings: v})
	}
	if err := vs.errs.Err(); err != nil {
		return nil, err
	}
	return f, nil
}

// root declares Settings from the schema's top level, which must be an object with
// "properties".
func (t *types) root(doc *schema.Value) *Named {
	at := "#"
	if doc == nil || doc.Kind != schema.Map {
		pos := schema.Pos{File: t.path}
		if doc != nil {
			pos = doc.Pos
		}
		t.errorf(pos, at, "the settings schema must be an object with \"type\": \"object\" and \"properties\"")
		return nil
	}
	t.reserveDefs(doc)
	if tf := doc.Get("type"); tf != nil && !(tf.Kind == schema.String && tf.Str == "object") {
		t.errorf(tf.Pos, at, "the settings must be an object, got \"type\" %s; use \"type\": \"object\" with \"properties\"", compact(tf))
		return nil
	}
	props := doc.Field("properties")
	if props == nil {
		t.errorf(doc.Pos, at, "the settings schema has no \"properties\"; list every setting there")
		return nil
	}
	for _, u := range unsupported {
		if f := doc.Field(u.keyword); f != nil {
			t.errorf(f.KeyPos, at, "%q is not supported: %s", u.keyword, u.advice)
		}
	}
	if addl := doc.Field("additionalProperties"); addl != nil && addl.Value.Kind == schema.Map {
		t.errorf(addl.KeyPos, at, "\"additionalProperties\" with a schema is not supported for the settings: they are a struct; set \"additionalProperties\": false, or move free-form keys into a setting of their own")
	}
	n := t.structOf(doc, props, at, hint{def: &def{goName: "Settings"}})
	if n != nil {
		n.Doc = []string{"Settings are the settings of one trial, typed from " + t.path + "."}
		if d := describe(doc); d != nil {
			n.Doc = append(append(n.Doc, ""), d...)
		}
	}
	return n
}

func sources(files []config.File) []Source {
	out := make([]Source, 0, len(files))
	for _, f := range files {
		out = append(out, Source{Name: f.Name, Content: string(f.Data), Raw: rawOK(f.Data)})
	}
	return out
}

// rawOK reports whether data can be a raw string literal that reads back unchanged: Go
// drops carriage returns from raw strings, and source may not hold NUL or a byte-order mark.
func rawOK(data []byte) bool {
	return utf8.Valid(data) && !bytes.ContainsAny(data, "`\r\x00\ufeff")
}
