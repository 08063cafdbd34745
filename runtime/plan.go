package runtime

import (
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"strings"
	"time"

	"github.com/expman-dev/expman/runtime/internal/workspace"
	"github.com/expman-dev/expman/schema"
	"gopkg.in/yaml.v3"
)

// plan is what one call of Run executes: the experiment, its trials in order and the
// function. The untyped API fills the two adapters; generated code leaves them nil.
type plan[S any] struct {
	spec   ExperimentSpec
	trials []TrialSpec[S]
	fn     TrialFunc[S]
	// settings returns trial i's settings for one run, fresh for each run so that a run
	// that modifies them cannot affect the next. Nil: trials[i].Settings.
	settings func(i int) S
	// settingsYAML returns trial i's settings for its trial.yaml, keys in config order.
	// Nil: the settings value marshalled through its yaml tags.
	settingsYAML func(i int) (*yaml.Node, error)
}

func (p *plan[S]) runSettings(i int) S {
	if p.settings != nil {
		return p.settings(i)
	}
	return p.trials[i].Settings
}

func (p *plan[S]) trialYAML(i int) ([]byte, error) {
	var (
		node *yaml.Node
		err  error
	)
	if p.settingsYAML != nil {
		node, err = p.settingsYAML(i)
	} else {
		node, err = workspace.ToNode(p.trials[i].Settings)
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
// folders, duplicate names (also ones differing only in case, which collide on
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
		add(workspace.CheckName("trial", t.Name))
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
	data, err := json.Marshal(settings)
	if err != nil {
		return "", err
	}
	sum := sha256.Sum256(data)
	return "sha256:" + hex.EncodeToString(sum[:]), nil
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
