package schema

// The Go types below are the source of truth for the structure of the three config files.
// experiment.schema.json, base.schema.json and trials.schema.json are generated from them
// (go generate ./schema) and embedded; TestSchemasUpToDate fails when they drift.
//
// Settings are kept as map[string]any here: their structure is the user's, described by
// settings.schema.json, and loaded as positioned Values by package config.

// NamePattern is what experiment and trial names may contain: they become directory names.
const NamePattern = `^[A-Za-z0-9_.-]+$`

// TrialNamePattern is what a trial's name may be once sweeps are expanded: a name written
// in trials.yaml (NamePattern), or a sweep point's, which is that name, "/", then
// "key=value" pairs joined by ",", such as "lr_grid/learning_rate=0.01,hidden_layers=128-64".
// Keys and values hold only the characters [A-Za-z0-9_.+-] (package config replaces the
// others by "_"), so the part after "/" is one directory name and reads back unambiguously.
const TrialNamePattern = `^[A-Za-z0-9_.-]+(?:/` + pointPair + `(?:,` + pointPair + `)*)?$`

// pointPair is one key=value of a sweep point's name.
const pointPair = `[A-Za-z0-9_.+-]+=[A-Za-z0-9_.+-]*`

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
	Slurm    *SlurmFile     `json:"slurm,omitempty" yaml:"slurm,omitempty" jsonschema:"description=Resources each run asks for when the experiment is submitted to Slurm (-slurm); a trial's slurm section overrides them."`
}

// BaseFile is base.yaml.
type BaseFile struct {
	Settings map[string]any `json:"settings,omitempty" yaml:"settings,omitempty" jsonschema:"description=Settings every trial starts from."`
}

// TrialFile is one entry of trials.yaml.
type TrialFile struct {
	Name     string           `json:"name" yaml:"name" jsonschema:"description=Name of the trial\\, unique in the experiment; also its folder. Letters\\, digits\\, _ - and . only."`
	ID       int              `json:"id,omitempty" yaml:"id,omitempty" jsonschema:"description=Numeric id of the trial\\, unique in the experiment; part of every run's seed."`
	Repeat   int              `json:"repeat,omitempty" yaml:"repeat,omitempty" jsonschema:"minimum=1,default=1,description=How many times the trial runs\\, each with its own seed."`
	Timeout  string           `json:"timeout,omitempty" yaml:"timeout,omitempty" jsonschema:"description=Longest time each run of this trial may take\\, as a duration such as 90s\\, 30m or 1h30m; a run that exceeds it is cancelled and marked failed. Overrides the timeout of experiment.yaml."`
	Settings map[string]any   `json:"settings,omitempty" yaml:"settings,omitempty" jsonschema:"description=Settings of this trial; overlay experiment.yaml and base.yaml."`
	Sweep    map[string][]any `json:"sweep,omitempty" yaml:"sweep,omitempty" jsonschema:"description=Setting paths (dotted for nesting\\, e.g. optimizer.lr) to lists of values: the trial runs once per combination (the cartesian product\\, in the order written)\\, each a trial of its own named <name>/<path>=<value>\\,..."`
	Zip      map[string][]any `json:"zip,omitempty" yaml:"zip,omitempty" jsonschema:"description=Setting paths to lists of equal length\\, paired element by element instead of crossed; with a sweep\\, every pair is combined with every sweep combination."`
	Slurm    *SlurmResources  `json:"slurm,omitempty" yaml:"slurm,omitempty" jsonschema:"description=Slurm resources of this trial's runs; override those of experiment.yaml."`
}

// SlurmResources is what a run asks Slurm for: a trial's slurm section, and the part of
// experiment.yaml's that a trial may override.
type SlurmResources struct {
	Partition   string   `json:"partition,omitempty" yaml:"partition,omitempty" jsonschema:"description=Partition to run in (--partition)."`
	Time        string   `json:"time,omitempty" yaml:"time,omitempty" jsonschema:"description=Time limit of each run in Slurm's format (--time)\\, such as 30 (minutes)\\, 1:00:00 or 1-12:00:00."`
	CPUsPerTask int      `json:"cpus_per_task,omitempty" yaml:"cpus_per_task,omitempty" jsonschema:"minimum=1,description=CPUs of each run (--cpus-per-task)."`
	Mem         string   `json:"mem,omitempty" yaml:"mem,omitempty" jsonschema:"description=Memory of each run (--mem)\\, such as 4G or 500M; a number is megabytes."`
	GPUs        int      `json:"gpus,omitempty" yaml:"gpus,omitempty" jsonschema:"minimum=0,description=GPUs of each run (--gpus)."`
	Account     string   `json:"account,omitempty" yaml:"account,omitempty" jsonschema:"description=Account to charge (--account)."`
	QOS         string   `json:"qos,omitempty" yaml:"qos,omitempty" jsonschema:"description=Quality of service (--qos)."`
	Constraint  string   `json:"constraint,omitempty" yaml:"constraint,omitempty" jsonschema:"description=Node features required (--constraint)."`
	Setup       []string `json:"setup,omitempty" yaml:"setup,omitempty" jsonschema:"description=Shell lines run before each run on the node\\, such as module load cuda."`
	Extra       []string `json:"extra,omitempty" yaml:"extra,omitempty" jsonschema:"description=Raw #SBATCH lines without the #SBATCH prefix\\, such as --mail-type=END."`
}

// SlurmFile is experiment.yaml's slurm section.
type SlurmFile struct {
	SlurmResources
	ArrayParallelism int `json:"array_parallelism,omitempty" yaml:"array_parallelism,omitempty" jsonschema:"minimum=1,description=How many runs of the job array run at once (the %P of --array)."`
}

// TrialsFile is trials.yaml: a list of trials.
type TrialsFile []TrialFile
