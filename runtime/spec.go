package runtime

import (
	"context"
	"log/slog"
	"math/rand/v2"
	"time"
)

// The API in this file is what generated code calls. It changes only together with
// GenVersion, so that code generated for another runtime fails to compile with a message
// that names the fix (see EnforceVersion).

// GenVersion is the version of generated code this runtime supports.
// Version 2 added ExperimentSpec.Timeout and TrialSpec.Timeout; version 3 the Slurm
// resources (ExperimentSpec.Slurm, TrialSpec.Slurm).
const GenVersion = 3

// MinGenVersion is the oldest generated code this runtime still supports.
const MinGenVersion = 1

// EnforceVersion is used by generated code as
//
//	const _ = runtime.EnforceVersion(runtime.GenVersion - N)
//	const _ = runtime.EnforceVersion(N - runtime.MinGenVersion)
//
// where N is the version the generator emitted for. A constant overflow of this unsigned
// type is a compile error, so stale generated code fails `go build`; regenerate it with
// `go generate ./...` using the expman version in go.mod.
type EnforceVersion uint

// ExperimentSpec is an experiment as compiled into a program.
type ExperimentSpec struct {
	Name string
	ID   int
	Desc string
	// Files are the config sources the program was generated from, copied into the
	// workspace's configs/ folder so a run records exactly what defined it.
	Files []ConfigFile
	// Timeout limits each run of every trial (experiment.yaml "timeout"); 0 means none.
	Timeout time.Duration
	// Slurm holds the resources each array task asks for when the experiment is submitted
	// to Slurm (experiment.yaml "slurm"); nil means Slurm's defaults.
	Slurm *SlurmSpec
}

// SlurmSpec is the "slurm" section of experiment.yaml, or a trial's override of it, where
// a zero field means "as the experiment says" (for a trial) or "Slurm's default".
type SlurmSpec struct {
	Partition        string   // --partition
	Time             string   // --time, in Slurm's format, such as "1:00:00" or "30"
	CPUsPerTask      int      // --cpus-per-task
	Mem              string   // --mem, such as "4G"
	GPUs             int      // --gpus per run
	ArrayParallelism int      // the %P of --array: how many runs at once
	Account          string   // --account
	QOS              string   // --qos
	Constraint       string   // --constraint
	Setup            []string // shell lines run before each task, such as "module load cuda"
	Extra            []string // raw #SBATCH lines, without the "#SBATCH " prefix
}

// ConfigFile is one config source, by base name.
type ConfigFile struct {
	Name    string
	Content string
}

// TrialSpec is one trial of the registry: its resolved, typed settings.
type TrialSpec[S any] struct {
	Name     string
	ID       int
	Repeat   int // how many runs, >= 1
	Settings S
	// Timeout limits each run of this trial (its "timeout" in trials.yaml), overriding the
	// experiment's; 0 means the experiment's.
	Timeout time.Duration
	// Slurm overrides the experiment's Slurm resources for this trial's runs; nil: none.
	Slurm *SlurmSpec
}

// TrialFunc runs one repeat of a trial.
type TrialFunc[S any] func(ctx context.Context, t *Trial[S]) error

// Ptr returns a pointer to v. Generated code uses it for optional settings.
func Ptr[T any](v T) *T { return &v }

// Trial is one run: a repeat of a trial, as seen by user code.
type Trial[S any] struct {
	Settings   S
	Experiment string // experiment name
	Name       string // trial name
	ID         int    // trial id
	Repeat     int    // 1-based index of this repeat
	Repeats    int    // how many repeats the trial has
	Dir        string // this repeat's directory
	Seed       int64  // derived from experiment id, trial id and repeat; see Seed
	Rand       *rand.Rand
	Logger     *slog.Logger
	// GPU is the GPU slot this run holds ("" without WithGPUs), e.g. "2". Env exports it as
	// CUDA_VISIBLE_DEVICES for the processes the run starts.
	GPU string

	sink *runSink // metrics and summaries of this run; nil outside a run
}

// Run executes the selected repeats of the trials (all of them unless WithRunPattern or
// WithRepeat narrow it down), calling fn for each with the run's settings, folder, seed,
// random generator, logger and, with WithGPUs, GPU slot. Runs start in file order, one at
// a time or, with WithParallel, several at once. Runs that completed before with the same
// settings are skipped, and failed, interrupted and stale ones run again, so starting Run
// again resumes; runs another process holds are left to it.
//
// Before creating anything, Run returns the errors of its options, a schema.ErrorList when
// names, ids or repeat counts are unusable, and a *SettingsChangedError when trials have
// completed runs made with other settings (unless WithRerun). Otherwise it returns nil when
// every run it executed completed, and a *RunError naming the failed, interrupted and
// unstarted runs when not; with WithDryRun it only prints the plan. Generated
// RunExperiment functions call it; see the package documentation for timeouts, signals,
// metrics, results and the workspace, run.json and logs it writes.
func Run[S any](ctx context.Context, exp ExperimentSpec, trials []TrialSpec[S], fn TrialFunc[S], opts ...Option) error {
	o, err := buildOptions(opts)
	if err != nil {
		return err
	}
	return run(ctx, plan[S]{spec: exp, trials: trials, fn: fn}, o)
}

// Option configures Run and Experiment.Run: WithWorkspace, WithConsole, WithLogLevel.
type Option func(*options)

// WithWorkspace sets the folder that holds experiments' directories. Default "outputs".
// An empty dir is an error.
func WithWorkspace(dir string) Option { return func(o *options) { o.workspace = dir } }
