package cli

import (
	"errors"
	"flag"
	"io/fs"
	"os"
	"path/filepath"
	"strings"

	"github.com/expman-dev/expman/gen"
	"github.com/expman-dev/expman/schema"
	"github.com/expman-dev/expman/schema/config"
)

var osGetenv = os.Getenv

// configFlags are the flags every command that reads a config folder shares.
type configFlags struct {
	dir    string
	schema string
}

func (c *configFlags) register(fs *flag.FlagSet) {
	fs.StringVar(&c.dir, "config", "", "config `DIR` holding experiment.yaml, base.yaml and trials.yaml (required)")
	fs.StringVar(&c.schema, "schema", "", "settings JSON Schema `FILE` (default DIR/"+config.SchemaFile+")")
}

func (c *configFlags) check(fs *flag.FlagSet) error {
	if c.dir == "" {
		return usageError(fs, "-config is required")
	}
	return nil
}

// source returns the file system and load options for the config folder. A schema outside
// the folder is served under its own path, so that errors still name it as the user wrote it.
func (c *configFlags) source() (fs.FS, config.Options) {
	fsys := os.DirFS(c.dir)
	if c.schema == "" {
		return fsys, config.Options{}
	}
	rel, err := filepath.Rel(c.dir, c.schema)
	if err == nil && fs.ValidPath(filepath.ToSlash(rel)) {
		return fsys, config.Options{SchemaPath: filepath.ToSlash(rel)}
	}
	name := filepath.ToSlash(c.schema)
	return overlayFS{FS: fsys, name: name, osPath: c.schema}, config.Options{SchemaPath: name}
}

// relocate makes error positions relative to the current directory instead of the config
// folder, so that editors and terminals can jump to them.
func (c *configFlags) relocate(err error) error {
	var list schema.ErrorList
	if !errors.As(err, &list) {
		return err
	}
	out := make(schema.ErrorList, len(list))
	for i, e := range list {
		moved := *e
		if isConfigFile(moved.Pos.File) && moved.Pos.File != filepath.ToSlash(c.schema) {
			moved.Pos.File = filepath.ToSlash(filepath.Join(c.dir, moved.Pos.File))
		}
		out[i] = &moved
	}
	return out
}

// isConfigFile reports whether an error position names a file inside the config folder,
// rather than an absolute path or a command-line override ("-set x=1").
func isConfigFile(name string) bool {
	return name != "" && !filepath.IsAbs(name) && !strings.HasPrefix(name, config.OverrideFlag+" ")
}

// load reads, merges and validates the config folder.
func (c *configFlags) load() (*config.Config, error) {
	fsys, opts := c.source()
	cfg, err := config.Load(fsys, opts)
	return cfg, c.relocate(err)
}

// generateFiles runs the generator on the config folder, in memory.
func (c *configFlags) generateFiles(pkg, output string) (*gen.Result, error) {
	fsys, opts := c.source()
	res, err := gen.Generate(gen.Config{FS: fsys, SchemaPath: opts.SchemaPath, Package: pkg, Output: output})
	return res, c.relocate(err)
}

// generate reports whether the generator accepts the config folder, writing nothing.
func (c *configFlags) generate(pkg, output string) error {
	_, err := c.generateFiles(pkg, output)
	return err
}

// overlayFS adds one file from outside the folder.
type overlayFS struct {
	fs.FS
	name   string
	osPath string
}

func (o overlayFS) Open(name string) (fs.File, error) {
	if name == o.name {
		return os.Open(o.osPath)
	}
	return o.FS.Open(name)
}
