// Package command runs a program, in any language, as the runs of an experiment: each
// repeat of each trial starts the program once as a child process, and the child's exit
// status, output and metrics become the run's status, logs and metrics. It is what
// "expman run -config DIR -- COMMAND [ARGS...]" does, and a Go program can do the same:
//
//	x, err := runtime.Load(ctx, "configs", nil)
//	if err != nil { ... }
//	cmd, err := command.New([]string{"python3", "/abs/train.py", "--lr", "{learning_rate}"},
//		x.Trials(), command.Options{})
//	if err != nil { ... } // every problem at once, before anything runs
//	err = x.Run(ctx, cmd.Run, runtime.WithParallel(2))
//
// Command.Run is a runtime.TrialFunc, so everything the runtime does for a run (folders,
// run.json, resume, locks, parallel runs, GPU slots, timeouts, signals, results) applies
// unchanged; this package only adds the child process.
//
// # Checked before anything runs
//
// New finds the program as a shell would (exec.LookPath: a name on PATH, or a path to an
// executable file; a relative path is made absolute, since the child runs elsewhere) and
// checks every placeholder of the arguments against the settings of every trial. Each
// problem is one line of the returned schema.ErrorList, naming the argument:
//
//	argument 2 "--lr={lerning_rate}": unknown placeholder {lerning_rate}; did you mean {learning_rate}? Settings: ...
//	command "pyhton3" not found in PATH; check the spelling, or give its path
//
// # What the child gets
//
// Working directory: the repeat's folder (<workspace>/<experiment>/trials/<trial>/repeat_<k>),
// or, with Options.KeepDir, the caller's. Paths given to the child are absolute.
//
// Environment: the caller's, plus
//
//	EXPMAN_EXPERIMENT     experiment name
//	EXPMAN_TRIAL          trial name
//	EXPMAN_TRIAL_ID       trial id
//	EXPMAN_REPEAT         repeat index, 1-based
//	EXPMAN_SEED           the run's seed, as in run.json (a signed 64-bit integer)
//	EXPMAN_SEED32         the seed reduced to 0..2^32-1, for APIs limited to 32 bits
//	                      such as numpy.random.seed
//	EXPMAN_RUN_DIR        the repeat's folder
//	EXPMAN_ARTIFACTS_DIR  its artifacts/ folder, for the files the run produces
//	EXPMAN_SETTINGS_FILE  settings.json in the repeat's folder: the resolved settings
//	EXPMAN_METRICS_FILE   child_metrics.jsonl in the repeat's folder: see Metrics
//	CUDA_VISIBLE_DEVICES  the run's GPU slot, with runtime.WithGPUs (-gpus)
//
// Arguments: each {name} is replaced by the setting at that path, for the run's trial:
// {learning_rate}, {optimizer.name} for a nested setting. Numbers are written in their
// shortest form (0.001, 1e-05, 64), booleans as true and false, null as an empty
// argument, and a list of such values comma-separated ({hidden_layers} gives 128,64); a
// mapping, or a list holding one, is an error. These are built in, and a setting of the
// same name wins over them: {experiment}, {trial}, {trial_id}, {repeat}, {seed} and
// {run_dir}. "{{" and "}}" stand for literal braces. Placeholders are replaced inside a
// single argument and never split it: "--lr={learning_rate}" stays one argument, and no
// shell is involved, so no quoting is needed.
//
// # Metrics
//
// The child reports metrics by appending lines of JSON to $EXPMAN_METRICS_FILE, one
// object a line:
//
//	{"name": "loss", "step": 3, "value": 0.25}
//	{"name": "accuracy", "value": 0.93, "summary": true}
//
// A line with a step is a point of a metric, as runtime.Trial.Metric records it: it ends
// up in the run's metrics.jsonl, with the time expman read it. A line with "summary":
// true is a final value, as runtime.Trial.Summary records it: it ends up in run.json and
// the results (the last value of a name wins); its step, if any, is ignored. Names follow
// the runtime's rules (letters, digits, '_', '-', '.', ':'); steps are whole numbers;
// values are finite numbers. Other fields are ignored.
//
// expman reads the file while the child runs (every Options.Poll, 200ms by default),
// only whole lines, and the rest when the child has ended, so a last line without a
// newline counts too. Open the file for appending and flush after each line (in Python:
// open(path, "a", buffering=1)); a file rewritten from the start is read again from the
// start, with a warning. A line that is not valid (not JSON, no value, a bad name, NaN,
// which JSON cannot express) is skipped with a warning in the run's log naming its line
// number; it does not fail the run. In a shell:
//
//	echo "{\"name\":\"loss\",\"step\":$epoch,\"value\":$loss}" >> "$EXPMAN_METRICS_FILE"
//
// # Output and status
//
// The child's standard output and error go to the repeat's logs/stdout.log and
// logs/stderr.log, which hold the latest attempt of the run (as metrics.jsonl does), and,
// with Options.Stdout and Options.Stderr, to the console as whole lines prefixed
// "trial#repeat | ". Exit status 0 makes the run completed. Any other status, or a signal,
// makes it failed with an *ExitError: its first line is the status and the last line of
// stderr, then come stderr's last lines (Options.StderrLines, 20 by default); run.json's
// "error" and the logs hold it all.
//
// # Stopping
//
// The child leads a process group of its own, and every signal goes to the whole group,
// so the processes it starts stop with it. When the run's context is done (a timeout, or
// the experiment stopped by SIGINT or SIGTERM), the group gets the signal the experiment
// received (SIGTERM for a timeout), and SIGKILL if anything of it is still running after
// Options.Grace (5s by default, shorter than the runtime's grace, so the child is gone
// before its run is recorded interrupted). Such a run is never completed, even if the
// child then exits with status 0: it did not finish. When the child ends on its own,
// processes it left running in its group get SIGTERM, then SIGKILL after the grace
// period. So when Run returns, nothing of the group runs.
//
// On Linux the child also gets SIGTERM if expman dies without stopping it (killed with
// SIGKILL, or a second Ctrl-C, which exits at once). That reaches the child only: what it
// started in turn must watch its parent. A process that leaves the group (setsid) is out
// of reach; its hold on the output pipes is cut after the grace period.
//
// # For a single run
//
// A scheduler that runs one repeat per job (a Slurm array task) selects it with the
// runtime's options, and the runtime's locks and run.json do the rest:
//
//	err = x.Run(ctx, cmd.Run,
//		runtime.WithRunPattern("^"+regexp.QuoteMeta(trial)+"$"), runtime.WithRepeat(k))
package command
