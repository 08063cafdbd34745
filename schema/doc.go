// Package schema holds what the config layer, the generator and the runtime share about
// an experiment's config folder:
//
//   - the Go types of experiment.yaml, base.yaml and trials.yaml (files.go), the source of
//     truth for their structure;
//   - their JSON Schemas, generated from those types and embedded (FileSchemas), for
//     validation and for editors: a first line
//     "# yaml-language-server: $schema=trials.schema.json" in trials.yaml gives completion
//     and checks once `expman schema` has written the schemas next to it;
//   - positions and error lists (Pos, Error, ErrorList): every problem in the input is
//     reported as "file:line:col: message", all of them in one pass, sorted;
//   - Value, an ordered settings tree in which every node remembers its position and the
//     layer (schema default, base, experiment, trial, sweep, override) that set it;
//     FromInterface and FromJSON build one from Go values or JSON (no positions);
//   - NamePattern and TrialNamePattern: what trial names may be, before and after sweeps
//     are expanded into points such as "lr_grid/learning_rate=0.01,hidden_layers=128-64".
//
// Loading, merging and validating a config folder is package config's job.
//
// The schema files are regenerated with
//
//	go generate ./schema
//
// and a test fails when the checked-in files differ from what the types produce.
package schema

//go:generate go run ./internal/schemagen
