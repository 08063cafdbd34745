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
//	                  timeout (duration), settings, slurm
//	base.yaml         settings                       (optional file)
//	trials.yaml       a list of: name (required, unique), id (integer, unique),
//	                  repeat (integer 1..1000000, default 1), timeout (duration), settings,
//	                  sweep, zip, slurm
//	settings.schema.json   JSON Schema of the merged settings; draft 2020-12 (the default)
//	                  or draft-07, chosen by "$schema"; only local $refs (#/$defs/...)
//
// An id is an int64: 1.0 and 1e3 count as integers (as in JSON Schema), a number beyond
// int64's range is an error rather than a silently different id (schema.Value.Int64).
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
// # Sweeps
//
// A trial's "sweep:" maps setting paths (keys joined by dots for nesting, such as
// optimizer.lr; a decimal part indexes a list) to non-empty lists of values; "zip:" has the
// same shape, with lists of equal length:
//
//	# trials.yaml
//	- name: lr_grid
//	  id: 3
//	  settings: {optimizer: {name: adam}}
//	  sweep:
//	    learning_rate: [0.1, 0.01]
//	    hidden_layers: [[64], [128, 64]]
//	  zip:
//	    epochs: [5, 10]
//	    batch_size: [16, 32]
//
// The trial becomes its points, in its place: the cartesian product of one axis per sweep
// key, in the order written, the first varying slowest, and, last, one axis for the zip,
// whose lists are paired element by element (epochs 5 with batch_size 16, 10 with 32). The
// example has 2*2*2 = 8 points; a trial may have a sweep, a zip, or both. A point is a
// trial of its own with the trial's repeat, timeout and slurm; its settings are the
// trial's with the point's values laid over them (schema.LayerSweep, positioned at the
// value in its list), then merged and validated like any trial's, so an error points at the
// sweep value that caused it.
//
// A point's name is the trial's, "/", then path=value for every sweep key and then every
// zip key, in the order written, joined by ",":
//
//	lr_grid/learning_rate=0.1,hidden_layers=128-64,epochs=5,batch_size=16
//
// Numbers are written in their shortest form (0.010 is 0.01, 1e-5 is 1e-05), strings as
// themselves, booleans as true or false, null as null, and a list of these joined by "-";
// every character outside [A-Za-z0-9_.+-] becomes "_" (schema.TrialNamePattern). A name
// depends only on the point's values, so adding a value to a list keeps the name, and
// the id, of every existing point: resume reruns nothing. A mapping, or a list holding
// lists or mappings, cannot be named and is an error: sweep over the settings inside it.
//
// A point's id is the trial's id times 1,000,000,000 plus a number from 1 to 999,999,999
// taken from a 64-bit FNV-1a hash of the name's part after "/" (minus, for a negative
// id): it is stable, and reads as the trial's id followed by nine digits. An id that
// another trial already has, the same id for two points, two points with the same name
// ("a b" and "a_b" both become a_b), a sweep path the schema does not have, an empty or
// non-list sweep list and zip lists of different lengths are errors positioned in
// trials.yaml. Config.Trials holds the points, each with Trial.Sweep saying what it came
// from.
//
// # Overrides
//
// Options.Overrides are "path=value" strings (the -set flag of expman run and of a
// generated program), applied to every trial, in order, as the highest layer
// (schema.LayerOverride), after its sweep values. The path is dotted like a sweep's; the
// value is read as YAML (a scalar or a flow collection: 0.1, adam, [32, 16], {name: adam});
// a mapping merges into a mapping setting, anything else replaces. Problems are positioned
// at the flag as written:
//
//	-set hidden_layers=[32,"x"]: settings.hidden_layers[1]: want integer, got string "x"
//	-set lerning_rate=0.1: settings: unknown setting "lerning_rate"; did you mean "learning_rate"?
//
// A path is unknown when the schema's object forbids other keys (additionalProperties or
// unevaluatedProperties false) and neither names nor pattern-matches it.
//
// A program that carries its settings compiled in applies overrides without a config
// folder:
//
//	ovs, err := config.ParseOverrides(args)            // "path=value" each
//	sch, err := config.CompileSchema("settings.schema.json", schemaText)
//	settings := schema.FromInterface(typedSettings)     // or schema.FromJSON(data)
//	settings, err = config.ApplyOverrides(settings, ovs, sch, `trial "small"`)
//	data, err := settings.MarshalJSON()                 // then json.Unmarshal into the type
//	record := config.OverridesYAML(ovs)                 // configs/overrides.yaml
//
// # Slurm
//
// experiment.yaml's "slurm:" holds what each Slurm array task asks for: partition, time
// (Slurm's format, such as "1:00:00"; a number is minutes), cpus_per_task (>= 1), mem
// ("4G"; a number is megabytes), gpus (>= 0), array_parallelism (>= 1; how many runs at
// once), account, qos, constraint, setup (shell lines run before each task) and extra (raw
// #SBATCH lines without the prefix). A trial's "slurm:" may set the same keys except
// array_parallelism. Unknown keys and wrong types are positioned errors. Experiment.Slurm
// and Trial.Slurm hold what each file says (nil when absent); Slurm.Over lays a trial's
// over the experiment's. Slurm has the fields of runtime.SlurmSpec, so the runtime
// converts with runtime.SlurmSpec(*s).
//
// # Merge
//
// A trial's settings are, from lowest to highest: the "default"s of the schema's properties
// (recursively, through nested objects and local $refs), base.yaml's settings,
// experiment.yaml's settings, the trial's settings, its sweep point's values, the
// overrides. Mappings merge key by key, recursively;
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
