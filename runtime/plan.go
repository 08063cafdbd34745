package runtime

import (
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"strings"
	"time"

	"github.com/expman-dev/expman/runtime/internal/workspace"
	"github.com/expman-dev/expman/schema"
	"github.com/expman-dev/expman/schema/config"
	"gopkg.in/yaml.v3"
)

// plan is what one call of Run executes: the experiment, its trials in order and the
// function. The untyped API fills values, decode and schema; generated code leaves them
// nil.
type plan[S any] struct {
	spec   ExperimentSpec
	trials []TrialSpec[S]
	fn     TrialFunc[S]
	// values holds each trial's settings as loaded, with positions and layers, keys in
	// config order; trials[i].Settings is decode(values[i]). Nil: the settings are typed,
	// and trials[i].Settings is the truth.
	values []*schema.Value
	// decode converts a trial's settings value to S; set with values.
	decode func(*schema.Value) S
	// schema is the settings schema overrides are validated with. Nil: compiled from the
	// settings.schema.json in spec.Files, if any.
	schema *config.Schema
	// overridden is set once override has applied the overrides, overrides ("path=value",
	// in order) to log them.
	overridden bool
	overrides  []string
}

// runSettings returns trial i's settings for one run, fresh for each run of an untyped
// plan so that a run that modifies its map cannot affect the next.
func (p *plan[S]) runSettings(i int) S {
	if p.values != nil {
		return p.decode(p.values[i])
	}
	return p.trials[i].Settings
}

func (p *plan[S]) trialYAML(i int) ([]byte, error) {
	var (
		node *yaml.Node
		err  error
	)
	switch {
	case p.values == nil:
		node, err = workspace.ToNode(p.trials[i].Settings)
	case p.values[i] != nil:
		node = p.values[i].YAMLNode()
	}
	if err != nil {
		return nil, fmt.Errorf("trial %q: settings cannot be written as YAML: %w", p.trials[i].Name, err)
	}
	t := p.trials[i]
	return workspace.TrialConfig(t.Name, t.ID, t.Repeat, node)
}

// runs is the number of runs the plan holds.
func (p *plan[S]) runs() int {
	n := 0
	for _, t := range p.trials {
		n += t.Repeat
	}
	return n
}

// check reports every problem that would make the plan unsafe to run: names that cannot be
// folders (a sweep point's "<trial>/<point>" is one nested folder), duplicate names (also ones differing only in case, which collide on
// case-insensitive file systems) or ids (which would share seeds), repeat counts below 1.
// Generated code and config.Load never produce these; programs calling Run directly might.
func (p *plan[S]) check() error {
	var errs schema.ErrorList
	add := func(err error) {
		if err != nil {
			errs.Add(schema.Pos{}, "runtime: %v", err)
		}
	}
	if p.fn == nil {
		add(fmt.Errorf("the trial function is nil"))
	}
	add(workspace.CheckName("experiment", p.spec.Name))
	for _, f := range p.spec.Files {
		add(workspace.CheckName("config file", f.Name))
	}
	names := map[string]string{}
	ids := map[int]string{}
	for _, t := range p.trials {
		add(workspace.CheckTrialName(t.Name))
		if prev, ok := names[strings.ToLower(t.Name)]; ok {
			add(fmt.Errorf("trial name %q is used twice (as %q and %q); want unique names, also ignoring case", t.Name, prev, t.Name))
		} else {
			names[strings.ToLower(t.Name)] = t.Name
		}
		if prev, ok := ids[t.ID]; ok {
			add(fmt.Errorf("trials %q and %q both have id %d; want unique ids, they make the seeds", prev, t.Name, t.ID))
		} else {
			ids[t.ID] = t.Name
		}
		if t.Repeat < 1 {
			add(fmt.Errorf("trial %q has repeat %d; want 1 or more", t.Name, t.Repeat))
		}
	}
	return errs.Err()
}

// job is one run of the plan: repeat (1-based) of trials[trial].
type job struct {
	trial, repeat int
}

// jobs lists the runs e selects, in file order: trials matching the run pattern, all their
// repeats or only the one WithRepeat names.
func (p *plan[S]) jobs(e executionOptions) []job {
	re, _ := e.pattern() // checked by buildOptions
	var out []job
	for i, t := range p.trials {
		if re != nil && !re.MatchString(t.Name) {
			continue
		}
		for k := 1; k <= t.Repeat; k++ {
			if e.repeat == 0 || e.repeat == k {
				out = append(out, job{i, k})
			}
		}
	}
	return out
}

// hashes returns each trial's settings hash, the part of a run's identity that says which
// configuration it ran.
func (p *plan[S]) hashes() ([]string, error) {
	out := make([]string, len(p.trials))
	var errs schema.ErrorList
	for i := range p.trials {
		h, err := settingsHash(p.runSettings(i))
		if err != nil {
			errs.Add(schema.Pos{}, "runtime: trial %q: settings cannot be hashed: %v", p.trials[i].Name, err)
		}
		out[i] = h
	}
	return out, errs.Err()
}

// settingsHash is "sha256:<hex>" of the canonical JSON of settings: encoding/json, which
// writes struct fields in declaration order and map keys sorted, so equal settings always
// give equal bytes.
func settingsHash(settings any) (string, error) {
	data, err := canonicalJSON(settings)
	if err != nil {
		return "", err
	}
	sum := sha256.Sum256(data)
	return "sha256:" + hex.EncodeToString(sum[:]), nil
}

// canonicalJSON encodes settings so that equal settings give equal bytes whatever their Go
// form: a generated struct (fields in schema order) and the same settings as a map (keys
// sorted) must hash alike, or a workspace made by one would look changed to the other.
// Objects are re-encoded with sorted keys; numbers keep their JSON text.
func canonicalJSON(settings any) ([]byte, error) {
	data, err := json.Marshal(settings)
	if err != nil {
		return nil, err
	}
	dec := json.NewDecoder(bytes.NewReader(data))
	dec.UseNumber()
	var v any
	if err := dec.Decode(&v); err != nil {
		return nil, err
	}
	return json.Marshal(v)
}

// timeout is the limit of each run of trial i: the option's, else the trial's, else the
// experiment's; 0 is none.
func (p *plan[S]) timeout(i int, e executionOptions) time.Duration {
	switch {
	case e.timeout > 0:
		return e.timeout
	case p.trials[i].Timeout > 0:
		return p.trials[i].Timeout
	}
	return p.spec.Timeout
}
