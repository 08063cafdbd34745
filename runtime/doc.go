// Package runtime runs experiments: it executes every repeat of every trial, one at a time
// or several at once, gives each run its own folder, seed, random generator, logger and
// metrics file, records each run's status in run.json, resumes where an earlier start
// stopped (after a crash too), and aggregates the results across repeats.
//
// # Two ways in
//
// Programs that generate code (expman gen) call the generated RunExperiment, which calls
// Run with the experiment and its typed trial registry compiled in. The recommended main
// passes the command line on with WithArgs and exits with ExitCode:
//
//	func main() {
//		err := RunExperiment(context.Background(), func(ctx context.Context, t *runtime.Trial[Settings]) error {
//			t.Logger.Info("training", "lr", t.Settings.LearningRate)
//			return train(ctx, t)
//		}, runtime.WithArgs(os.Args[1:]))
//		if err != nil && !errors.Is(err, flag.ErrHelp) {
//			fmt.Fprintln(os.Stderr, err)
//		}
//		os.Exit(runtime.ExitCode(err))
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
// every problem as "file:line:col: message", and nothing is written. Everything below
// applies to both ways in.
//
// # Execution
//
// Run first checks everything that needs no disk: the options (every bad value at once,
// such as WithParallel(0) or an invalid WithRunPattern), then the plan. Experiment and
// config file names must match schema.NamePattern and not be "." or "..", and trial names
// schema.TrialNamePattern (a sweep point is "<trial>/<key>=<value>,...", see Workspace), so
// no name can lead outside the workspace; trial names must be unique (ignoring case) and
// so must ids; repeats must be at least 1. Plan problems come back together as a
// schema.ErrorList. Then the overrides (see Overrides). Nothing is created before these
// checks pass.
//
// Run then selects the runs (WithRunPattern: trials whose whole name matches, a sweep
// point's "/" included, as go test -run;
// WithRepeat: only that repeat of each), reads what the workspace holds of them (see
// Resume) and starts them in file order: trial by trial, repeats 1..N. By default one run
// goes at a time; with WithParallel(n) up to n at once, each in its own goroutine with its
// own context and logger. The trial function gets a context and a *Trial:
//
//   - It returns nil: the run is completed.
//   - It returns an error or panics: the run failed. The error (and, for a panic, the stack)
//     goes to the run's logs and the experiment log; the other runs still run, unless
//     WithFailFast: then no run starts after the first failure (runs in progress finish).
//   - The context passed to Run is cancelled: no further run starts. A run in progress sees
//     its context done; if it then returns an error, it is interrupted rather than failed
//     (a run that returns nil still completed; a panic is still a failure).
//
// Run returns nil when every run this process was to execute completed. Otherwise it
// returns a *RunError listing the failed and interrupted runs (each with its error) and
// those never started, in plan order; when the context was cancelled the RunError wraps
// its cause, so errors.Is(err, context.Canceled) holds. A panic's error is a *PanicError
// holding the value and the stack. Runs skipped because they completed before, or because
// another process is executing them, are not failures.
//
// # Timeouts
//
// A run may be given a time limit: "timeout" in experiment.yaml (every run), "timeout" of a
// trial in trials.yaml (that trial's runs, overriding the experiment's), or WithTimeout
// (-timeout), which overrides both. When the limit passes, the run's context is cancelled
// with context.DeadlineExceeded; if the function then returns an error, the run is failed
// with a *TimeoutError ("timed out after 30s: ..."), which also matches
// errors.Is(err, context.DeadlineExceeded). A function that returns nil still completed,
// and one that ignores its context runs on until it returns. The limit is recorded in
// run.json as "timeout".
//
// # Parallel runs and GPU slots
//
// WithParallel(n) runs up to n runs at once. Runs still start in file order; they may end
// in any order. Log records are written whole, so the logs of parallel runs never
// interleave within a line, and each run writes only its own files.
//
// WithGPUs("0,1,2,3") gives each concurrent run one slot of the list: a run waits for a
// free slot before it starts and returns it when it ends. The run sees its slot as
// Trial.GPU, run.json records it as "gpu", and Trial.Env returns the program's
// environment with CUDA_VISIBLE_DEVICES set to it, for exec.Cmd.Env of processes the run
// starts. Without WithParallel, as many runs execute at once as there are slots.
//
// # Metrics, summaries and artifacts
//
// Trial.Metric(name, step, value) appends one point to the run's metrics.jsonl;
// Trial.Metrics(step, M("loss", l), M("acc", a)) appends several of one step, with one
// time, all or none. Each point is one JSON object a line:
//
//	{"name":"loss","step":3,"value":0.25,"time":1764244800.123456}
//
// where time is the wall clock in Unix seconds with microseconds. Points are buffered and
// handed to the operating system within about a second (by the next point, or by a
// background flush when the run logs nothing more) and when the run ends, so a crash of
// the process loses at most the last second; at the end the file is also fsync'd. A
// crash may leave a partial last line, which readers ignore. The file is created on the
// first point, and an earlier attempt's file is removed when a run is executed again, so
// points of two attempts never mix. Logging a point does not allocate, and the methods are
// safe to call from goroutines the run starts.
//
// Trial.Summary(name, value) records a final value of the run, such as a test accuracy;
// the last value given for a name wins. Summaries go to run.json, under "summaries", when
// the run ends.
//
// Metric and summary names are 1 to 128 ASCII letters, digits, '_', '-', '.' or ':',
// starting with a letter, a digit or '_' ("loss", "val.acc", "eval:top-5"); no '/' and no
// spaces, so a name is never a path and always a valid CSV column. A bad name returns a
// *NameError, a NaN or infinite value an error wrapping ErrNotFinite, and nothing is
// written. Steps are any int, in any order.
//
// Trial.ArtifactPath(name) returns the path of a file in the run's artifacts/ folder,
// creating the folders it lies in, for files a library writes itself; name is a relative
// path such as "plots/loss.png" whose elements are letters, digits, '_', '-' or '.' and
// not "." or "..", otherwise it returns a *NameError. Trial.WriteArtifact(name, data)
// replaces such a file atomically and durably (see WriteFile).
//
// These methods return ErrNotInRun on a Trial that Run did not create, and Metric,
// Metrics, Summary and WriteArtifact return ErrRunOver once the run's function has
// returned (a goroutine it left behind): the run's record is final by then.
//
// # Results across repeats
//
// When a trial's selected runs have all ended, and this process executed at least one of
// them, the trial's folder gets summary.json, computed from every run on disk:
//
//	{"trial": "small", "trial_id": 1, "repeats": 3, "completed": 3, "failed": 0,
//	 "interrupted": 0, "values": {"loss": {"n": 3, "mean": 0.21, "std": 0.02, "min": 0.19,
//	 "max": 0.23, "ci95_low": 0.16, "ci95_high": 0.26, "source": "metric"}}}
//
// Only completed runs contribute values: each summary, and the last value of each metric
// (a summary wins over a metric of the same name). std is the sample standard deviation
// (divisor n-1); the 95% confidence interval is mean ± t·std/√n with Student's t at n-1
// degrees of freedom; with n = 1, std is 0 and the interval is the mean.
//
// After its runs, also when some failed or the experiment was interrupted, Run writes
// results.csv and results.json to the experiment folder:
// one row per trial, with the columns trial, trial_id, completed, failed, then every
// setting (a dotted path such as optimizer.name) whose value differs between trials, then
// <name>_mean, <name>_std and <name>_n for every aggregated value. They are computed from
// what the workspace holds at that moment, runs of other processes included. A problem
// writing summary.json or the results files is logged as a warning rather than failing
// the experiment: the runs are recorded, and expman report computes the table again.
//
// Package results (github.com/expman-dev/expman/runtime/results) computes all of this
// from the files alone, so it works while an experiment runs, from any machine that sees
// the workspace. The expman command uses it:
//
//	expman report [-format text|csv|json|markdown] DIR   the results table
//	expman status [-format text|json] DIR                every run by status, with durations
//
// # Resume
//
// A run's identity is its experiment name, trial name, repeat index and settings hash:
// "sha256:<hex>" of the canonical JSON (encoding/json) of its resolved settings, typed
// struct or map alike. Starting an experiment again in the same workspace looks at each
// selected run's run.json and
//
//   - skips it when it completed with the same settings hash;
//   - reruns it when it is new, failed, interrupted, or its run.json is unreadable;
//   - reruns it when it is stale: run.json says running but no process holds its lock
//     (its process was killed or its host died);
//   - leaves it to the process that holds its lock: it is running elsewhere.
//
// The plan, logged to experiment.log before any run starts, counts the runs to run and to
// skip by reason, and lists each run with its reason at DEBUG level.
//
// A trial whose completed runs were made with other resolved settings is not silently
// mixed with new ones. Unless WithRerun (-rerun) is given, Run stops before creating
// anything with a *SettingsChangedError that names each such trial, its completed repeats
// and the settings that differ (dotted path, old -> new value). With WithRerun, the
// trial's repeat_<k> folders made with other settings and its trial.yaml are first moved
// to trials/<trial>/archive/<UTC time>/ and its runs execute afresh. Archiving takes the
// lock of every repeat of the trial first: if another process is executing any of them,
// nothing is moved and Run fails before running anything. Under the locks it reads each
// run.json again and archives only runs whose settings hash differs from the current one,
// so a second runner never archives the new runs of the first. A failed move is undone.
// The lock file moves with its folder; the lock tells the moved file from the one at the
// path (see Locks).
//
// # Locks and several processes
//
// A process executes a run only while it holds the run's lock: repeat_<k>/.lock, an
// exclusive flock(2) taken without waiting. Having taken it, it reads run.json again,
// since another process may have completed the run meanwhile, and only that reading
// decides whether the run executes. The kernel releases the lock however the process
// ends, SIGKILL included, which is what makes a "running" record with a free lock
// provably stale. The lock file is never removed; when archiving moves it with its folder,
// a process that locked the moved file sees that it is no longer the file at the path
// (device and inode differ) and locks the new one instead.
//
// Readers probe locks: expman status, a dry run and another runner's survey take a shared
// lock for an instant. A runner that finds a run's lock held tries again for 200ms before
// leaving the run to another process (logged at INFO), so a probe never makes it skip one.
//
// So several processes, on one machine or on several machines sharing the workspace, may
// start the same experiment at once: each takes the runs no one holds, no run is executed
// twice, and together they complete all of them. Each process reports only the runs it
// executed, writes results.csv and results.json when it ends and rewrites configs/environment.json for its own start. On a shared
// file system this needs flock(2) to work between the machines (NFSv4, or NFSv3 with its
// lock manager, or Lustre with flock enabled).
//
// results.json and results.csv are read and written under the experiment's lock
// (<experiment>/.results.lock, waited for up to a minute), and a trial's summary.json under
// the trial's (trials/<trial>/.summary.lock): whoever writes them last also read the runs
// last, so the tables never go back to an older state.
//
// # Crash safety
//
// Every file the runtime writes in one piece (run.json, trial.yaml, summary.json,
// results.csv and .json, the config copies, environment.json) goes to a temporary file in
// the same folder that is renamed over the target, so no reader ever sees half a file and
// a crash leaves the old version or the new. Log files and metrics.jsonl are append-only,
// one whole record a line; after a crash only their last line may be partial.
//
// The final run.json is also fsync'd, file and folder, so a completed run survives a
// power loss. That is the one fsync the bookkeeping of a run costs; a run also pays for
// its metrics.jsonl's fsync when it logged metrics, and for the artifacts it writes with
// WriteArtifact. The "running" record is not synced: if a power loss takes it, the run is
// rerun, which is what would happen anyway. Killing the process at any moment and starting
// again therefore ends with every run completed exactly once.
//
// # Signals
//
// With WithSignals(grace) (WithArgs turns it on with DefaultGrace), Run handles SIGINT and
// SIGTERM for its duration. The first signal stops starting runs and cancels the running
// ones' contexts; they get grace to return and are then recorded as interrupted. A run
// still going after the grace period is recorded interrupted anyway and left behind. Run
// then returns a *RunError that wraps a *SignalError (and so context.Canceled), for which
// ExitCode gives 128+signal. A second signal (SIGINT or SIGTERM) exits the process
// at once with status 128+signal (130 for SIGINT); its runs stay "running" with a free
// lock, so the next start reruns them as stale.
//
// # Command line
//
// WithArgs(os.Args[1:]) makes a program understand the runtime's flags; WithFlags(fs,
// args) does the same for a program with flags of its own:
//
//	-workspace DIR    folder that holds the experiments (WithWorkspace)
//	-parallel N       up to N runs at once (WithParallel)
//	-gpus LIST        GPU slots such as 0,1,2,3, one per concurrent run (WithGPUs)
//	-run REGEXP       only trials whose name matches, as go test -run (WithRunPattern)
//	-repeat K         only repeat K of each trial (WithRepeat)
//	-rerun            rerun trials whose settings changed, archiving old runs (WithRerun)
//	-timeout D        limit every run to D, such as 90s or 2h (WithTimeout)
//	-fail-fast        stop starting runs after the first failure (WithFailFast)
//	-dry-run          print the plan to standard output and run nothing (WithDryRun)
//	-set PATH=VALUE   override a setting of every trial; repeatable (WithOverrides)
//	-slurm            submit the runs still to do to Slurm as one job array (WithSlurm)
//	-h                print the usage, with examples
//
// Both also turn on WithSignals(DefaultGrace) and WithProgress(os.Stderr) and record the
// command line in environment.json. Options before WithArgs are the program's defaults,
// which flags given on the command line override; options after it override everything.
// A bad command line prints the usage and makes Run return a *UsageError; -h makes it
// return an error wrapping flag.ErrHelp; either way nothing runs. ExitCode maps Run's
// error to the exit status: 0 for nil and -h, 2 for a bad command line, 130 (128+signal)
// for an interrupted experiment, 1 otherwise.
//
// WithDryRun(w) (-dry-run) prints the plan, every selected run with its folder, whether it
// would run or be skipped and why, creates nothing and runs nothing:
//
//	experiment demo: 3 runs selected, 1 to run, 2 to skip
//	small#1  outputs/demo/trials/small/repeat_1  skip  completed
//	small#2  outputs/demo/trials/small/repeat_2  run   failed before, rerun
//	large#1  outputs/demo/trials/large/repeat_1  skip  running in pid 4242 on node7
//
// It then returns nil, or the *SettingsChangedError a real start would stop with.
//
// # Overrides
//
// WithOverrides("lr=0.01") (-set lr=0.01, repeatable) sets a setting of every trial: the
// path is dotted (optimizer.lr), the value YAML, a scalar or a flow collection
// (-set hidden_layers=[32,16]). Overrides are the highest layer, above base, experiment,
// trial and sweep settings, applied in order; options add up, so WithOverrides before
// WithArgs gives defaults that -set extends and, for the same path, overrides.
//
// Before anything is created, every trial's overridden settings are validated against the
// settings schema (settings.schema.json in ExperimentSpec.Files; the loaded one for the
// untyped API), and, for typed settings, decoded strictly into the compiled type, so that a
// value the schema allows but the Go type cannot hold (the schema changed, go generate was
// not run) is refused too. Typed settings travel as JSON: their json names must be the
// schema's, as generated code's are. Every problem comes back at once in a
// schema.ErrorList, positioned at its override, and a problem every trial has is reported
// once:
//
//	-set hidden_layers=[32,"x"]: settings.hidden_layers[1]: want integer, got string "x"
//	-set lerning_rate=0.1: settings: unknown setting "lerning_rate"; did you mean "learning_rate"?
//	-set warmup=0.5: settings.warmup: the program's compiled settings want an integer (Go int), got number 0.5; ...
//
// Overridden settings are the trial's settings: trial.yaml shows them and the settings
// hash covers them, so a start with overrides that change completed trials stops with a
// *SettingsChangedError (-rerun archives the old runs) and one with the same overrides
// resumes. The experiment log's plan record lists the overrides, and
// configs/overrides.yaml records those of the latest start as a list of {path, value}, in
// order; it is "[]" after a start without overrides, so it never shows an earlier start's.
//
// # Slurm
//
// WithSlurm (-slurm) submits the experiment to Slurm instead of running it: Run surveys the
// selected runs as a local start would, refuses changed settings the same way (with
// -rerun it archives them, once, here), and submits the runs still to do (new, failed,
// interrupted, stale; never completed ones, nor those whose task from an earlier
// submission Slurm still has queued) as ONE job array, sbatch --parsable
// --array=0-(N-1)%P, P being slurm.array_parallelism. It writes the batch script and the
// run list to the experiment's slurm/ folder (submission-<n>.sh, submission-<n>.json),
// appends the job id to slurm/jobs.jsonl, prints the id with the commands to watch and
// cancel it, and returns nil. With -dry-run it prints the plan, the array size and the
// script, and submits nothing.
//
// Array task i starts this same program, with its command line plus -slurm-task and the
// run list, from the same folder; the task runs entry i through the normal machinery
// (lock, run.json, logs, metrics, summaries, results), so a task is a local start of
// exactly one run. Slurm's stdout and stderr for the task go to the run's
// logs/slurm-<job>_<task>.out. A task handles signals whatever its options say: Slurm's
// SIGTERM (time limit, scancel, preemption) cancels the run's context and the run is
// recorded interrupted, never completed, within 8s, before Slurm's SIGKILL (after
// KillWait). So the program must pass its command line with WithArgs or WithFlags, be a
// built binary (go run deletes its own), and it, the working directory and the workspace
// must be on a file system the nodes share, with flock(2) working across them (see Locks).
//
// The resources come from experiment.yaml's slurm section and each trial's override.
// Slurm gives every task of an array the same resources, so the job asks for the largest
// time, mem, cpus_per_task and gpus any submitted trial asks for; partition, account,
// qos, constraint and extra cannot be maximised, and trials that differ there are
// refused (submit them separately with -run). Setup lines are per task: each runs its
// trial's.
//
// expman status shows each run's array task while Slurm has it (pending and why,
// running); a task that vanished without recording an end (a node failure, SIGKILL)
// leaves its run stale, and the next -slurm resubmits it. CancelSlurm (expman cancel)
// cancels the experiment's jobs and records their running runs interrupted.
//
// # Progress
//
// WithProgress(w) shows how far the experiment has got, in one of two forms, never both.
// When w is a terminal, one live line rewritten in place, with done/total (runs skipped as
// completed count as done), running, failed, elapsed time and ETA:
//
//	[12/40] running 2, failed 1, elapsed 1m3s, ETA 2m10s
//
// When it is not (a file, a pipe, a CI log), one line per finished run:
//
//	[3/6] small#2 completed in 1.2s
//
// When the console writes to the same writer, its records go through the display so they
// never garble the live line, and the routine "run started" and "run completed" records
// are left to the display.
//
// # Workspace
//
// Under the workspace folder (WithWorkspace or -workspace, default "outputs"):
//
//	<experiment>/
//	  configs/       experiment.yaml base.yaml trials.yaml settings.schema.json (as given)
//	                 environment.json  overrides.yaml
//	  logs/          experiment.log
//	  artifacts/
//	  results.csv    results.json   .results.lock
//	  slurm/         submission-<n>.sh  submission-<n>.json  jobs.jsonl  logs/   (-slurm)
//	  trials/<trial>/
//	    configs/     trial.yaml: name, id, repeat (count) and the resolved settings
//	    logs/        trial.log
//	    artifacts/   shared by the trial's repeats
//	    summary.json  .summary.lock
//	    repeat_<k>/  run.json  metrics.jsonl  .lock  logs/run.log  artifacts/
//	    archive/<UTC time>/  trial.yaml  repeat_<k>/ ...   (runs of older settings, WithRerun)
//
// A sweep point, a trial named "<trial>/<key>=<value>,..." such as
// "lr_grid/learning_rate=0.01,hidden_layers=128-64", has the layout of any trial one level
// down: trials/lr_grid/learning_rate=0.01,hidden_layers=128-64/. Its runs print as
// "lr_grid/learning_rate=0.01,hidden_layers=128-64#2".
//
// Folders are created when needed, and running again in the same workspace reuses them and
// appends to the logs. A trial's trial.yaml and trial.log appear when the first of its runs
// that executes starts. trial.yaml uses two-space indentation, keys in config order (typed
// settings: field order), lists of scalars on one line and floats that stay floats.
//
// configs/environment.json records where the experiment was started: go_version,
// module_path, module_version, vcs, vcs_revision, vcs_time, vcs_modified (from the build
// info; empty when the binary has none), hostname, os, arch, num_cpu, program, args, user,
// pid and start_time.
//
// run.json is written "running" when a run starts and replaced with its final status when
// it ends. Its fields:
//
//	experiment, trial, trial_id, repeat   which run
//	status             running | completed | failed | interrupted
//	seed               the run's seed (see Seed)
//	start, end         RFC 3339 UTC, nanoseconds
//	duration_seconds   end - start, as a number
//	duration           the same for people, e.g. "1.5s"
//	error              the error text, for failed and interrupted runs
//	settings_hash      "sha256:<hex>" of the resolved settings (see Resume)
//	summaries          name -> number (Trial.Summary); omitted when none
//	owner              {"host", "pid"} of the process that executes or executed the run
//	gpu                the run's GPU slot; omitted without WithGPUs
//	timeout            the run's time limit, e.g. "30m0s"; omitted when none
//
// A run that never started has no run.json.
//
// # Logs
//
// Trial.Logger is a *slog.Logger whose every record carries the attributes experiment,
// trial and repeat. Its records go to the repeat's logs/run.log, the trial's logs/trial.log
// and the experiment's logs/experiment.log. Experiment-level records (experiment started;
// the plan; experiment finished with counts of completed, failed, interrupted, not started,
// skipped and elsewhere-running runs; the failed runs) go to experiment.log.
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
// Loggers are safe for concurrent use; each record is written whole, so parallel runs and
// goroutines a trial starts may log freely. Log files are closed when their run, trial or
// experiment ends.
//
// # Seeds
//
// Each run's Seed comes from the experiment id, the trial id and the repeat index through a
// documented SplitMix64 mix (see Seed), so results are reproducible and every repeat of a
// trial gets a different seed. Trial.Rand is NewRand(Seed), ready to use. run.json records
// the seed.
//
// # For generated code
//
// spec.go holds what generated code calls: ExperimentSpec, TrialSpec, Run, Ptr and the
// EnforceVersion check that makes stale generated code fail to compile.
package runtime
