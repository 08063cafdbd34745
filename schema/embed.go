package schema

import (
	"embed"
	"io/fs"
)

// Names of the embedded JSON Schemas of the three config files.
const (
	ExperimentSchemaFile = "experiment.schema.json"
	BaseSchemaFile       = "base.schema.json"
	TrialsSchemaFile     = "trials.schema.json"
)

//go:embed experiment.schema.json base.schema.json trials.schema.json
var fileSchemas embed.FS

// FileSchemas returns the JSON Schemas of experiment.yaml, base.yaml and trials.yaml, named
// as the constants above, at the root of the returned file system. `expman schema` writes
// them out; package config validates the files against them.
func FileSchemas() fs.FS { return fileSchemas }

// FileSchema returns the content of one of the embedded schemas.
func FileSchema(name string) ([]byte, error) { return fileSchemas.ReadFile(name) }
