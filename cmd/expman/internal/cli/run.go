package cli

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"

	"github.com/expman-dev/expman/runtime"
	runexec "github.com/expman-dev/expman/runtime/command"
)

const runSynopsis = "-config DIR [flags] -- COMMAND [ARGS...]"

const runAbout = `Runs every trial and repeat of the experiment in DIR by starting COMMAND as a child
process, as a generated program would run its trial function: same workspace, resume,
parallelism, timeouts, signals, results. Runs completed in the workspace are skipped,
so running again resumes.

The child runs in its repeat's folder (-keep-cwd: in this one) and gets the settings in
$EXPMAN_SETTINGS_FILE (JSON) and through {placeholders} in ARGS: {learning_rate},
{optimizer.name} (a list becomes comma-separated), and {experiment}, {trial},
{trial_id}, {repeat}, {seed}, {run_dir}; "{{" and "}}" are literal braces. It also gets
EXPMAN_EXPERIMENT, EXPMAN_TRIAL, EXPMAN_TRIAL_ID, EXPMAN_REPEAT, EXPMAN_SEED,
EXPMAN_RUN_DIR, EXPMAN_ARTIFACTS_DIR, EXPMAN_METRICS_FILE, and CUDA_VISIBLE_DEVICES
with -gpus. Lines of JSON it appends to $EXPMAN_METRICS_FILE become the run's metrics:

	{"name": "loss", "step": 3, "value": 0.25}
	{"name": "accuracy", "value": 0.93, "summary": true}

Its output goes to the repeat's logs/stdout.log and logs/stderr.log (and, with -tee,
here). Exit status 0 completes the run; anything else fails it, with the status and
the last lines of stderr in run.json.
`

const runExamples = `	expman run -config ./configs -- python3 "$PWD/train.py"
	expman run -config ./configs -- python3 "$PWD/train.py" --lr {learning_rate} --layers {hidden_layers}
	expman run -config ./configs -keep-cwd -tee -- ./train.sh {trial} {seed}
	expman run -config ./configs -dry-run -- python3 "$PWD/train.py"
	expman run -config ./configs -parallel 4 -timeout 30m -- Rscript "$PWD/fit.R"
	expman run -config ./configs -gpus 0,1 -run '^large' -- python3 "$PWD/train.py"
`

// runFlags are the flags of expman run besides the runtime's.
type runFlags struct {
	config  configFlags
	keepCwd bool
	tee     bool
}

func (f *runFlags) register(fs *flag.FlagSet) {
	f.config.register(fs)
	fs.BoolVar(&f.keepCwd, "keep-cwd", false, "run COMMAND in the current folder instead of each run's folder")
	fs.BoolVar(&f.tee, "tee", false, "also show the command's output here, each line prefixed trial#repeat |")
}

// runFlagSet returns the flag set of expman run: its own flags and the runtime's.
func runFlagSet(out io.Writer, f *runFlags) *flag.FlagSet {
	fs := flag.NewFlagSet("run", flag.ContinueOnError)
	fs.SetOutput(out)
	f.register(fs)
	// Registers the runtime's flags on fs; with no arguments there is nothing to parse.
	_ = runtime.WithFlags(fs, nil)
	fs.Usage = func() {
		fmt.Fprintf(fs.Output(), "Usage: expman run %s\n\n%s\nFlags:\n", runSynopsis, runAbout)
		fs.PrintDefaults()
		fmt.Fprintf(fs.Output(), "\nExamples:\n%s", runExamples)
	}
	return fs
}

// runRun is expman run: it checks the configs and the command, then runs the experiment.
func runRun(ctx context.Context, e *env, args []string) error {
	var f runFlags
	fs := runFlagSet(e.stderr, &f)
	if err := fs.Parse(args); err != nil {
		if errors.Is(err, flag.ErrHelp) {
			return err
		}
		return errUsage
	}
	if err := f.config.check(fs); err != nil {
		return err
	}
	argv := fs.Args()
	if len(argv) == 0 {
		return usageError(fs, "no COMMAND given; write it after --, such as: expman run -config %s -- python3 train.py", f.config.dir)
	}
	// The runtime turns its flags into options itself; parsing again on a twin flag set is
	// how to get them, and cannot fail now that the first parse passed.
	var twin runFlags
	twinFS := flag.NewFlagSet("run", flag.ContinueOnError)
	twinFS.SetOutput(io.Discard)
	twin.register(twinFS)
	flags := runtime.WithFlags(twinFS, args)

	cfg, err := f.config.load()
	if err != nil {
		return err
	}
	x := runtime.FromConfig(cfg, nil)
	opts := runexec.Options{KeepDir: f.keepCwd}
	if f.tee {
		opts.Stdout, opts.Stderr = e.stdout, e.stderr
	}
	cmd, err := runexec.New(argv, x.Trials(), opts)
	if err != nil {
		return err
	}
	if !f.keepCwd {
		warnRelativePaths(e, argv[1:])
	}
	runOpts := []runtime.Option{flags, runtime.WithConsole(e.stderr), runtime.WithProgress(e.stderr)}
	if f.tee && isTerminal(e.stderr) {
		// The live progress line would be torn apart by the command's lines.
		runOpts = append(runOpts, runtime.WithProgress(nil))
	}
	if fs.Lookup("dry-run").Value.String() == "true" {
		runOpts = append(runOpts, runtime.WithDryRun(e.stdout))
	}
	return x.Run(ctx, cmd.Run, runOpts...)
}

// warnRelativePaths warns about arguments that name a file relative to this folder: the
// command runs in each run's folder, where the path leads nowhere. It is a warning, not
// an error, because the argument may mean a file the command creates there.
func warnRelativePaths(e *env, args []string) {
	for _, a := range args {
		if a == "" || strings.HasPrefix(a, "-") || filepath.IsAbs(a) || strings.ContainsAny(a, "{}") {
			continue
		}
		if fi, err := os.Stat(a); err == nil && fi.Mode().IsRegular() {
			fmt.Fprintf(e.stderr, "expman run: warning: %q is a path relative to the current folder, but the command runs in each run's folder; give \"$PWD/%s\" or use -keep-cwd\n", a, a)
		}
	}
}

// isTerminal reports whether w is a terminal (a character device).
func isTerminal(w io.Writer) bool {
	f, ok := w.(*os.File)
	if !ok {
		return false
	}
	fi, err := f.Stat()
	return err == nil && fi.Mode()&os.ModeCharDevice != 0
}
