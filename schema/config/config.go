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
	Pos     schema.Pos // the document's top mapping
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
	Pos     schema.Pos // the trial's entry in trials.yaml
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
	l := &loader{fsys: fsys, schemaPath: schemaPath}
	cfg, err := l.load()
	if err != nil {
		return nil, err
	}
	if err := l.errs.Err(); err != nil {
		return nil, err
	}
	return cfg, nil
}
