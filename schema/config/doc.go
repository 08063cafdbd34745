// Package config loads an experiment's config folder: it reads experiment.yaml, base.yaml,
// trials.yaml and settings.schema.json with positions, merges each trial's settings and
// validates them, reporting every problem in one pass.
//
// It is the one home of loading, merging and validating; the generator and the runtime
// both call Load. It knows nothing of code generation or execution.
//
// # Files
//
//	experiment.yaml   name (required; letters, digits, _ - .), id (integer), desc,
//	                  timeout (duration), settings
//	base.yaml         settings                       (optional file)
//	trials.yaml       a list of: name (required, unique), id (integer, unique),
//	                  repeat (integer >= 1, default 1), timeout (duration), settings
//	settings.schema.json   JSON Schema of the merged settings; draft 2020-12 (the default)
//	                  or draft-07, chosen by "$schema"; only local $refs (#/$defs/...)
//
// A timeout is a Go duration (time.ParseDuration) greater than zero, such as "90s", "30m"
// or "1h30m", and limits each run. Experiment.Timeout and Trial.Timeout hold what each file
// says, 0 when unset; the runtime applies a trial's own timeout when set, else the
// experiment's.
//
// Unknown keys in the three YAML files are errors; their structure is checked against the
// JSON Schemas embedded in package schema. "settings:" with nothing after it is an empty
// mapping. Anchors, aliases and merge keys (<<) are resolved; tags such as !!binary,
// non-string keys and duplicate keys are errors.
//
// # Merge
//
// A trial's settings are, from lowest to highest: the "default"s of the schema's properties
// (recursively, through nested objects and local $refs), base.yaml's settings,
// experiment.yaml's settings, the trial's settings. Mappings merge key by key, recursively;
// scalars and lists are replaced whole; keys keep the order of their first appearance. Every
// value remembers the file, line, column and layer that set it (schema.Value.Pos, .Layer).
//
// # Errors
//
// Problems in the input are returned as a sorted schema.ErrorList, one line each, then a
// count:
//
//	trials.yaml:6:20: trial "small_network": settings.learning_rate: want number, got string "big"
//	trials.yaml:12:5: trial "large_network": settings: unknown setting "lerning_rate"; did you mean "learning_rate"?
//	base.yaml:3:15: trials "small_network", "large_network": settings.batch_size: want >= 1, got integer -4
//	3 errors
//
// A settings error sits at the value that is wrong, in whichever file set it (a schema
// default's position is in the schema file); a missing required setting sits at the trial's
// settings mapping, or at the trial's entry when it has none. A problem shared by several
// trials is reported once, naming them. A missing file is reported without a line. When a
// file cannot be read as YAML, settings are not validated: that would only repeat the
// consequences.
package config
