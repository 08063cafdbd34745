package gen

import (
	"errors"
	"fmt"
	"go/token"
	"io/fs"

	"github.com/expman-dev/expman/gen/internal/emit"
	"github.com/expman-dev/expman/gen/internal/model"
	"github.com/expman-dev/expman/schema"
	"github.com/expman-dev/expman/schema/config"
)

// DefaultOutput is the generated file's name when Config.Output is empty.
const DefaultOutput = "experiment_gen.go"

// Config says what to generate from.
type Config struct {
	// FS holds the config folder at its root: experiment.yaml, base.yaml, trials.yaml and,
	// unless SchemaPath says otherwise, settings.schema.json.
	FS fs.FS
	// SchemaPath is the settings schema's path in FS. Empty means settings.schema.json.
	SchemaPath string
	// Package is the Go package clause of the generated file. Empty means "main".
	Package string
	// Output is the generated file's name in Result. Empty means DefaultOutput.
	Output string
}

// Result is what Generate produced, for the caller to write, compare or test.
type Result struct {
	Files []File // sorted by Name
}

// File is one generated file.
type File struct {
	Name    string
	Content []byte
}

// Generate loads, merges and validates the config folder in cfg.FS and returns the Go
// source of its typed settings and trial registry. It reads only through cfg.FS and
// writes nothing.
//
// Problems in the config folder, the settings schema included, come back as one
// schema.ErrorList holding all of them ("file:line:col: message"); a bad Config or an
// unreadable file system comes back as a plain error. When the YAML has errors but the
// schema compiles, the schema's Go-type problems (such as "oneOf") are reported with them.
func Generate(cfg Config) (*Result, error) {
	cfg, err := cfg.withDefaults()
	if err != nil {
		return nil, err
	}
	loaded, err := config.Load(cfg.FS, config.Options{SchemaPath: cfg.SchemaPath})
	if err != nil {
		return nil, withTypeErrors(cfg, err)
	}
	m, err := model.Build(loaded, cfg.Package)
	if err != nil {
		return nil, err
	}
	src, err := emit.File(m)
	if err != nil {
		// The model guarantees valid Go, so this is a bug in expman, not in the input.
		return nil, fmt.Errorf("expman gen: internal error: %w", err)
	}
	return &Result{Files: []File{{Name: cfg.Output, Content: src}}}, nil
}

// withTypeErrors adds to a config folder's errors those of turning its settings schema
// into Go types, when the schema itself compiles, so one run reports both. Trial literals
// are skipped: their settings are what the config errors are about.
func withTypeErrors(cfg Config, loadErr error) error {
	var list schema.ErrorList
	if !errors.As(loadErr, &list) {
		return loadErr
	}
	name := cfg.SchemaPath
	if name == "" {
		name = config.SchemaFile
	}
	data, err := fs.ReadFile(cfg.FS, name)
	if err != nil {
		return loadErr // reported by Load
	}
	sch, err := config.CompileSchema(name, data)
	if err != nil {
		return loadErr // the schema's own errors are in loadErr already
	}
	var more schema.ErrorList
	if !errors.As(model.CheckTypes(sch), &more) {
		return loadErr
	}
	merged := append(append(schema.ErrorList{}, list...), more...)
	merged.Sort()
	return merged
}

func (cfg Config) withDefaults() (Config, error) {
	if cfg.FS == nil {
		return cfg, errors.New("gen: Config.FS is nil; give the config folder, e.g. os.DirFS(dir)")
	}
	if cfg.Package == "" {
		cfg.Package = "main"
	}
	if !token.IsIdentifier(cfg.Package) || cfg.Package == "_" {
		return cfg, fmt.Errorf("gen: package name %q is not a Go identifier", cfg.Package)
	}
	if cfg.Output == "" {
		cfg.Output = DefaultOutput
	}
	return cfg, nil
}
