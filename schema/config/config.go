package config

import (
	"fmt"
	"io/fs"
	"time"

	"github.com/expman-dev/expman/schema"
)

// File names inside a config folder.
const (
	ExperimentFile = "experiment.yaml"
	BaseFile       = "base.yaml"
	TrialsFile     = "trials.yaml"
	SchemaFile     = "settings.schema.json"
)

// Options tune Load.
type Options struct {
	// SchemaPath is the settings schema's path in the file system given to Load.
	// Empty means SchemaFile.
	SchemaPath string
	// Overrides are "path=value" settings from the command line (-set), applied to every
	// trial as the highest layer, in order; see ParseOverrides.
	Overrides []string
}

// Config is a loaded, merged and validated experiment definition.
type Config struct {
	Experiment Experiment
	Trials     []Trial
	Schema     *Schema
	// Files are the sources as read, in the order experiment.yaml, base.yaml, trials.yaml,
	// settings.schema.json (named by their base name), for copying into a workspace.
	Files []File
}

// Experiment is what experiment.yaml says of the experiment itself.
type Experiment struct {
	Name string
	ID   int
	Desc string
	// Timeout limits each run of every trial ("timeout: 1h30m"); 0 when unset. A trial's own
	// Timeout overrides it: the runtime applies the trial's when set, else this one.
	Timeout time.Duration
	// Slurm is experiment.yaml's "slurm" section; nil when there is none.
	Slurm *Slurm
	Pos   schema.Pos // the document's top mapping
}

// Trial is one trial with its resolved settings.
type Trial struct {
	Name     string
	ID       int
	Repeat   int           // >= 1
	Settings *schema.Value // a Map; every leaf carries the position and layer that set it
	// Timeout is the trial's own "timeout", 0 when unset; it is not resolved against
	// Experiment.Timeout here, so that a program can tell the two apart. The runtime applies
	// the trial's timeout when set, else the experiment's.
	Timeout time.Duration
	// Slurm is the trial's own "slurm" section, nil when it has none; like Timeout it is not
	// resolved against Experiment.Slurm (see Slurm.Over).
	Slurm *Slurm
	Pos   schema.Pos // the trial's entry in trials.yaml
	// Sweep is set for a sweep point (see the package doc): the trial it was expanded from
	// and the values that make the point; nil for a trial written by hand.
	Sweep *SweepPoint
}

// SweepPoint says where a trial expanded from a sweep came from.
type SweepPoint struct {
	Base   string       // the name of the trial in trials.yaml that has the sweep
	BaseID int          // its id
	Values []SweepValue // the point's values, in the order of the name
}

// SweepValue is one coordinate of a sweep point.
type SweepValue struct {
	Path  string        // the setting path as written in sweep: or zip:, e.g. "optimizer.lr"
	Value *schema.Value // positioned at the value in the list, of LayerSweep
}

// File is one config source.
type File struct {
	Name string
	Data []byte
}

// Schema is the settings schema: its document with positions, and its compiled form.
type Schema struct {
	Path string        // as given, e.g. "settings.schema.json"
	Doc  *schema.Value // the JSON document, positions are line:col in Path
	Raw  []byte

	compiled *compiledSchema
}

// Validate checks settings (for example, settings a program builds at run time) against the
// schema. Problems are positioned where settings' values were written; subject names the
// settings in messages, e.g. `trial "a"`.
func (s *Schema) Validate(subject string, settings *schema.Value) error {
	if s == nil || s.compiled == nil || settings == nil {
		return fmt.Errorf("config: Validate needs a schema from Load and settings")
	}
	errs := s.compiled.validate(settingsTarget(settings, nil))
	for _, e := range errs {
		e.Msg = subject + ": " + e.Msg
	}
	return errs.Err()
}

// Load reads, merges and validates the config folder held in fsys (paths are relative to
// its root). Any problem in the input is returned as a schema.ErrorList holding all of
// them, sorted; other errors (an unreadable file system) are returned as they are.
func Load(fsys fs.FS, opts Options) (*Config, error) {
	schemaPath := opts.SchemaPath
	if schemaPath == "" {
		schemaPath = SchemaFile
	}
	l := &loader{fsys: fsys, schemaPath: schemaPath, overrideArgs: opts.Overrides}
	cfg, err := l.load()
	if err != nil {
		return nil, err
	}
	if err := l.errs.Err(); err != nil {
		return nil, err
	}
	return cfg, nil
}
