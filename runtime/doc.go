// Package runtime runs experiments: it executes every repeat of every trial, gives each run
// its own folder, seed, random generator and logger, records each run's status in run.json
// and reports the runs that failed.
//
// # Two ways in
//
// Programs that generate code (expman gen) call the generated RunExperiment, which calls
// Run with the experiment and its typed trial registry compiled in:
//
//	func main() {
//		err := RunExperiment(ctx, func(ctx context.Context, t *runtime.Trial[Settings]) error {
//			t.Logger.Info("training", "lr", t.Settings.LearningRate)
//			return train(ctx, t.Settings, t.Rand, t.ArtifactsDir())
//		}, runtime.WithWorkspace("outputs"))
//		...
//	}
//
// Programs that read a config folder at run time use the untyped API, which mirrors the
// seed's Python API and goes through the same loading, validation and execution:
//
//	Python                                   Go
//	env = Environment(workspace="outputs")   env := runtime.NewEnvironment("outputs")
//	env.setup_environment()                  err := env.Setup() // optional: Run does it
//	exp = Experiment.from_config(dir, env)   exp, err := runtime.Load(ctx, dir, env)
//	exp.run()                                err = exp.Run(ctx, fn)
//
// There, Trial.Settings is a map[string]any of nil, bool, int64, float64, string, []any and
// map[string]any values. An invalid config folder makes Load return a schema.ErrorList with
// every problem as "file:line:col: message", and nothing is written.
//
// # Execution
//
// Trials run in the order given, each trial's repeats 1..N one after another. The trial
// function gets a context and a *Trial:
//
//   - It returns nil: the run is completed.
//   - It returns an error or panics: the run failed. The error (and, for a panic, the stack)
//     goes to the run's logs and the experiment log; the other runs still run.
//   - The context passed to Run is cancelled: no further run starts. A run in progress sees
//     its context done; if it then returns an error, it is interrupted rather than failed
//     (a run that returns nil still completed; a panic is still a failure).
//
// Run returns nil when every run completed. Otherwise it returns a *RunError listing the
// failed and interrupted runs (each with its error) and those never started; when the
// context was cancelled the RunError wraps ctx.Err(), so errors.Is(err, context.Canceled)
// holds. A panic's error is a *PanicError holding the value and the stack.
//
// Before anything is created Run checks the plan: experiment, trial and config file names
// must match schema.NamePattern and not be "." or "..", so no name can lead outside the
// workspace; trial names must be unique (ignoring case) and so must ids; repeats must be at
// least 1. Problems come back together as a schema.ErrorList.
//
// # Workspace
//
// Under the workspace folder (WithWorkspace, default "outputs"):
//
//	<experiment>/
//	  configs/       experiment.yaml base.yaml trials.yaml settings.schema.json (as given)
//	  logs/          experiment.log
//	  artifacts/
//	  trials/<trial>/
//	    configs/     trial.yaml: name, id, repeat (count) and the resolved settings
//	    logs/        trial.log
//	    artifacts/   shared by the trial's repeats
//	    repeat_<k>/  logs/run.log  artifacts/  run.json
//
// Folders are created when needed, and running again in the same workspace reuses them and
// appends to the logs. trial.yaml uses two-space indentation, keys in config order (typed
// settings: field order), lists of scalars on one line and floats that stay floats.
// A trial's folder appears when its first run starts.
//
// run.json is written "running" when a run starts and replaced with its final status when it
// ends. Every write goes to a temporary file in the same folder that is renamed over the
// target, so a reader never sees half a file; the final record is also fsync'd (file and
// folder), so a completed run survives a power loss. Its fields:
//
//	experiment, trial, trial_id, repeat   which run
//	status             running | completed | failed | interrupted
//	seed               the run's seed (see Seed)
//	start, end         RFC 3339 UTC, nanoseconds
//	duration_seconds   end - start, as a number
//	duration           the same for people, e.g. "1.5s"
//	error              the error text, for failed and interrupted runs
//
// A run that never started has no run.json.
//
// # Logs
//
// Trial.Logger is a *slog.Logger whose every record carries the attributes experiment,
// trial and repeat. Its records go to the repeat's logs/run.log, the trial's logs/trial.log
// and the experiment's logs/experiment.log. Experiment-level records (experiment started;
// the plan: trials and runs; experiment finished with counts of completed, failed,
// interrupted and not started runs; the failed runs) go to experiment.log.
//
// Files use slog's text format, one record a line (time=... level=... msg=... key=value,
// values with spaces or newlines quoted), from DEBUG up unless WithLogLevel says otherwise.
// The console (WithConsole, default os.Stderr) shows INFO and above compactly:
//
//	12:02:02 INFO  small#2 epoch done loss=0.25
//	12:02:02 ERROR large#1 run failed duration=5ms error="panic: ..."
//	    stack:
//	        ...
//
// Loggers are safe for concurrent use; each record is written whole, so goroutines a trial
// starts may log freely. Log files are closed when their run, trial or experiment ends.
//
// # Seeds
//
// Each run's Seed comes from the experiment id, the trial id and the repeat index through a
// documented SplitMix64 mix (see Seed), so results are reproducible and every repeat of a
// trial gets a different seed. Trial.Rand is NewRand(Seed), ready to use.
//
// # For generated code
//
// spec.go holds what generated code calls: ExperimentSpec, TrialSpec, Run, Ptr and the
// EnforceVersion check that makes stale generated code fail to compile.
package runtime
