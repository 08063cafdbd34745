package schema

// The Go types below are the source of truth for the structure of the three config files.
// experiment.schema.json, base.schema.json and trials.schema.json are generated from them
// (go generate ./schema) and embedded; TestSchemasUpToDate fails when they drift.
//
// Settings are kept as map[string]any here: their structure is the user's, described by
// settings.schema.json, and loaded as positioned Values by package config.

// NamePattern is what experiment and trial names may contain: they become directory names.
const NamePattern = `^[A-Za-z0-9_.-]+$`

// DurationPattern is what a timeout may be: a positive Go duration as time.ParseDuration
// reads it, such as "90s", "30m" or "1h30m" (units ns, us, µs, ms, s, m, h). It has no sign,
// so an editor flags a negative duration; a zero one ("0s") matches, and package config
// rejects it.
const DurationPattern = `^(?:(?:[0-9]+(?:\.[0-9]*)?|\.[0-9]+)(?:ns|us|µs|μs|ms|s|m|h))+$`

// ExperimentFile is experiment.yaml.
type ExperimentFile struct {
	Name     string         `json:"name" yaml:"name" jsonschema:"description=Name of the experiment; also its workspace folder. Letters\\, digits\\, _ - and . only."`
	ID       int            `json:"id,omitempty" yaml:"id,omitempty" jsonschema:"description=Numeric id of the experiment; part of every run's seed."`
	Desc     string         `json:"desc,omitempty" yaml:"desc,omitempty" jsonschema:"description=What the experiment is for."`
	Timeout  string         `json:"timeout,omitempty" yaml:"timeout,omitempty" jsonschema:"description=Longest time each run of every trial may take\\, as a duration such as 90s\\, 30m or 1h30m; a run that exceeds it is cancelled and marked failed. A trial's own timeout overrides it."`
	Settings map[string]any `json:"settings,omitempty" yaml:"settings,omitempty" jsonschema:"description=Settings shared by all trials; overlay base.yaml."`
}

// BaseFile is base.yaml.
type BaseFile struct {
	Settings map[string]any `json:"settings,omitempty" yaml:"settings,omitempty" jsonschema:"description=Settings every trial starts from."`
}

// TrialFile is one entry of trials.yaml.
type TrialFile struct {
	Name     string         `json:"name" yaml:"name" jsonschema:"description=Name of the trial\\, unique in the experiment; also its folder. Letters\\, digits\\, _ - and . only."`
	ID       int            `json:"id,omitempty" yaml:"id,omitempty" jsonschema:"description=Numeric id of the trial\\, unique in the experiment; part of every run's seed."`
	Repeat   int            `json:"repeat,omitempty" yaml:"repeat,omitempty" jsonschema:"minimum=1,default=1,description=How many times the trial runs\\, each with its own seed."`
	Timeout  string         `json:"timeout,omitempty" yaml:"timeout,omitempty" jsonschema:"description=Longest time each run of this trial may take\\, as a duration such as 90s\\, 30m or 1h30m; a run that exceeds it is cancelled and marked failed. Overrides the timeout of experiment.yaml."`
	Settings map[string]any `json:"settings,omitempty" yaml:"settings,omitempty" jsonschema:"description=Settings of this trial; overlay experiment.yaml and base.yaml."`
}

// TrialsFile is trials.yaml: a list of trials.
type TrialsFile []TrialFile
