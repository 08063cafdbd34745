package runtime

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"reflect"
	"slices"
	"strconv"
	"strings"

	"github.com/expman-dev/expman/schema"
	"github.com/expman-dev/expman/schema/config"
)

// OverridesFile is the file in the experiment's configs/ folder that records the
// overrides of the latest start: a YAML list of {path, value} in the order given, "[]" when
// there were none.
const OverridesFile = "overrides.yaml"

// WithOverrides sets settings of every trial, as -set does on the command line: each set
// is "path=value", the path dotted (optimizer.lr), the value read as YAML: a scalar (0.01,
// adam, true) or a flow collection ([32, 16], {name: adam}). Overrides are the highest
// layer, after base, experiment, trial and sweep settings, applied in order (a later one
// wins). Options add to each other, so WithOverrides before WithArgs gives defaults that
// -set flags extend and override.
//
// Run checks every override of every trial before creating anything: against the
// settings schema (settings.schema.json in ExperimentSpec.Files; an unknown key gets a
// "did you mean"), and for a typed program against the compiled settings type too, so a
// value the schema allows but the Go type cannot hold is refused as well. All problems
// come back as one schema.ErrorList, each positioned at its override:
//
//	-set hidden_layers=[32,"x"]: trial "small": settings.hidden_layers[1]: want integer, got string "x"
//
// Overridden settings are the trial's settings: they go into trial.yaml and the settings
// hash, so a trial whose completed runs had other values stops Run with a
// *SettingsChangedError (WithRerun archives them), and the same overrides given again
// resume. The overrides are recorded in <experiment>/configs/overrides.yaml.
func WithOverrides(sets ...string) Option {
	return func(o *options) { o.exec.overrides = append(o.exec.overrides, sets...) }
}

// override returns p with the overrides sets applied to every trial's settings and
// overrides.yaml added to the config files, or every problem found. Without overrides only
// the file is added, "[]", so configs/ never shows overrides of an earlier start.
//
// It applies once: on a plan it returned, it does nothing, so that Experiment.Run can
// check overrides before it sets the environment up and run need not know.
func (p plan[S]) override(sets []string) (plan[S], error) {
	if p.overridden {
		return p, nil
	}
	ovs, err := config.ParseOverrides(sets)
	if err != nil {
		return p, err
	}
	p.overridden, p.overrides = true, slices.Clone(sets)
	p.spec.Files = withFile(p.spec.Files, ConfigFile{Name: OverridesFile, Content: string(config.OverridesYAML(ovs))})
	if len(ovs) == 0 || len(p.trials) == 0 {
		return p, nil
	}
	sch, err := p.settingsSchema()
	if err != nil {
		return p, err
	}
	trials := slices.Clone(p.trials)
	values := slices.Clone(p.values)
	var found []trialProblems
	for i := range trials {
		subject := fmt.Sprintf("trial %q", trials[i].Name)
		v, settings, errs := p.overrideTrial(i, ovs, sch)
		if len(errs) > 0 {
			found = append(found, trialProblems{subject, errs})
			continue
		}
		trials[i].Settings = settings
		if values != nil {
			values[i] = v
		}
	}
	if err := mergeProblems(found, len(trials)); err != nil {
		return p, err
	}
	p.trials, p.values = trials, values
	return p, nil
}

// overrideTrial applies ovs to trial i's settings and returns them as a value and as S,
// or every problem: those the schema finds, and for a typed plan the overrides the
// compiled type cannot hold (each checked alone, so one bad override hides no other).
func (p *plan[S]) overrideTrial(i int, ovs []config.Override, sch *config.Schema) (*schema.Value, S, schema.ErrorList) {
	var zero S
	subject := fmt.Sprintf("trial %q", p.trials[i].Name)
	orig, err := p.settingsValue(i)
	if err != nil {
		return nil, zero, schema.ErrorList{{Msg: fmt.Sprintf("runtime: %s: settings cannot be overridden: %v", subject, err)}}
	}
	v, err := config.ApplyOverrides(orig, ovs, sch, subject)
	errs := asList(err)
	if err != nil {
		// ApplyOverrides validates only when every path is right: validate the overrides
		// whose paths are, so that one attempt shows every problem.
		if rest := unblamed(ovs, errs); len(rest) > 0 && len(rest) < len(ovs) {
			_, err := config.ApplyOverrides(orig, rest, sch, subject)
			errs = append(errs, asList(err)...)
		}
	}
	if p.values != nil {
		if err != nil {
			return nil, zero, errs
		}
		return v, p.decode(v), nil
	}
	var all error // the combined settings' decoding problem, when the schema found none
	if err == nil {
		s, derr := decodeStrict[S](v)
		if derr == nil {
			return v, s, nil
		}
		all = derr
	}
	return nil, zero, append(errs, typeProblems[S](subject, orig, unblamed(ovs, errs), all)...)
}

// asList returns err's problems as a list.
func asList(err error) schema.ErrorList {
	var l schema.ErrorList
	l.Append(err)
	return l
}

// unblamed returns the overrides none of errs is positioned at.
func unblamed(ovs []config.Override, errs schema.ErrorList) []config.Override {
	return slices.DeleteFunc(slices.Clone(ovs), func(o config.Override) bool {
		return slices.ContainsFunc(errs, func(e *schema.Error) bool { return e.Pos == o.Pos() })
	})
}

// settingsValue is trial i's settings as a value: as loaded for an untyped plan, through
// their JSON form for typed settings.
func (p *plan[S]) settingsValue(i int) (*schema.Value, error) {
	if p.values != nil {
		return p.values[i], nil
	}
	data, err := json.Marshal(p.trials[i].Settings)
	if err != nil {
		return nil, err
	}
	return schema.FromJSON(data)
}

// settingsSchema is the schema overrides are checked against: the untyped plan's, else
// the settings.schema.json the program carries, else none (then the typed decoding is the
// only check).
func (p *plan[S]) settingsSchema() (*config.Schema, error) {
	if p.schema != nil {
		return p.schema, nil
	}
	for _, f := range p.spec.Files {
		if f.Name == config.SchemaFile {
			return config.CompileSchema(f.Name, []byte(f.Content))
		}
	}
	return nil, nil
}

// decodeStrict decodes v into a new S, refusing fields S does not have, so that a value
// the schema allows but the compiled type cannot hold is an error, not silently dropped.
func decodeStrict[S any](v *schema.Value) (S, error) {
	var s S
	data, err := v.MarshalJSON()
	if err != nil {
		return s, err
	}
	dec := json.NewDecoder(bytes.NewReader(data))
	dec.DisallowUnknownFields()
	err = dec.Decode(&s)
	return s, err
}

// typeProblems explains why overridden settings do not fit S. encoding/json stops at the
// first problem, so each override is tried alone on the original settings, and every one
// that does not fit is reported at its position. all, when not nil, is the decoding
// problem of all overrides together, reported as it is if no override alone has one.
func typeProblems[S any](subject string, orig *schema.Value, ovs []config.Override, all error) schema.ErrorList {
	var errs schema.ErrorList
	for i, o := range ovs {
		if superseded(o, ovs[i+1:]) {
			continue // its value is not the one the settings get
		}
		v, err := config.ApplyOverrides(orig, []config.Override{o}, nil, subject)
		if err != nil {
			continue // a path through a non-mapping: ApplyOverrides reported it already
		}
		if _, err := decodeStrict[S](v); err != nil {
			errs.Add(o.Pos(), "%s: %s", subject, typeMessage(err))
		}
	}
	if len(errs) == 0 && all != nil {
		errs.Add(schema.Pos{}, "runtime: %s: the overridden settings do not fit the compiled settings type: %s", subject, typeMessage(all))
	}
	return errs
}

// superseded reports whether one of later sets o's setting, or a mapping holding it.
func superseded(o config.Override, later []config.Override) bool {
	return slices.ContainsFunc(later, func(l config.Override) bool {
		return len(l.Path) <= len(o.Path) && slices.Equal(l.Path, o.Path[:len(l.Path)])
	})
}

// typeMessage says what a strict decoding error means for the user: which setting the
// program's compiled type cannot hold, and what it wants there.
func typeMessage(err error) string {
	var te *json.UnmarshalTypeError
	if errors.As(err, &te) {
		where := "settings"
		if te.Field != "" {
			where += "." + te.Field
		}
		return fmt.Sprintf("%s: the program's compiled settings want %s, got %s; regenerate the code (go generate) if the schema changed, or give a value of that type",
			where, goTypeName(te.Type), te.Value)
	}
	if key, ok := strings.CutPrefix(err.Error(), "json: unknown field "); ok {
		k, qerr := strconv.Unquote(key)
		if qerr != nil {
			k = key
		}
		return fmt.Sprintf("the program's compiled settings have no setting %q; regenerate the code (go generate) if the schema changed", k)
	}
	return "the program's compiled settings cannot hold the value: " + err.Error()
}

// goTypeName describes a Go type in the words of settings.
func goTypeName(t reflect.Type) string {
	switch t.Kind() {
	case reflect.Int, reflect.Int8, reflect.Int16, reflect.Int32, reflect.Int64,
		reflect.Uint, reflect.Uint8, reflect.Uint16, reflect.Uint32, reflect.Uint64:
		return fmt.Sprintf("an integer (Go %s)", t)
	case reflect.Float32, reflect.Float64:
		return fmt.Sprintf("a number (Go %s)", t)
	case reflect.String:
		return fmt.Sprintf("a string (Go %s)", t)
	case reflect.Bool:
		return "a boolean"
	case reflect.Slice, reflect.Array:
		return fmt.Sprintf("a list (Go %s)", t)
	case reflect.Struct, reflect.Map:
		return fmt.Sprintf("a mapping (Go %s)", t)
	}
	return "Go " + t.String()
}

// trialProblems are the problems overrides cause in one trial.
type trialProblems struct {
	subject string
	errs    schema.ErrorList
}

// mergeProblems returns every problem once: a problem every one of the n trials has (an
// unknown key, a value of the wrong type) is reported once, without naming a trial, and
// others with the trial they concern.
func mergeProblems(found []trialProblems, n int) error {
	type key struct {
		pos schema.Pos
		msg string
	}
	strip := func(subject string, e *schema.Error) key {
		return key{e.Pos, strings.TrimPrefix(e.Msg, subject+": ")}
	}
	count := map[key]int{}
	for _, tp := range found {
		seen := map[key]bool{}
		for _, e := range tp.errs {
			if k := strip(tp.subject, e); !seen[k] {
				seen[k] = true
				count[k]++
			}
		}
	}
	var out schema.ErrorList
	for _, tp := range found {
		for _, e := range tp.errs {
			if k := strip(tp.subject, e); count[k] == n {
				out = append(out, &schema.Error{Pos: k.pos, Msg: k.msg})
			} else {
				out = append(out, e)
			}
		}
	}
	return out.Err()
}

// withFile returns files with f, replacing a file of the same name.
func withFile(files []ConfigFile, f ConfigFile) []ConfigFile {
	out := slices.DeleteFunc(slices.Clone(files), func(c ConfigFile) bool { return c.Name == f.Name })
	return append(out, f)
}
