package runtime

import (
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"time"

	"github.com/expman-dev/expman/schema"
	"github.com/expman-dev/expman/schema/config"
)

// UsageError is what Run returns when the command line given to WithArgs or WithFlags is
// wrong: an unknown flag, a bad value, an unexpected argument. The usage has already been
// printed; ExitCode maps it to 2.
type UsageError struct {
	Err error
}

func (e *UsageError) Error() string { return e.Err.Error() }

// Unwrap returns the parse error.
func (e *UsageError) Unwrap() error { return e.Err }

// WithArgs makes a program understand the runtime's command line. Pass it os.Args[1:]:
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
//	-h                print the usage
//
// It also turns on WithSignals(DefaultGrace) and WithProgress(os.Stderr), and records the
// command line for configs/environment.json.
//
// Options apply in order, so the rule is: a flag given on the command line overrides the
// options before WithArgs (they act as the program's defaults), and options after WithArgs
// override everything, flags included. A flag not given changes nothing.
//
// WithArgs rejects flags it does not know and any argument that is not a flag. A program
// with flags of its own uses WithFlags instead. On a bad command line the usage (with
// examples) goes to standard error and Run returns a *UsageError; for -h it returns an
// error wrapping flag.ErrHelp. Either way nothing runs and nothing is created. See ExitCode
// for the main function that goes with it.
func WithArgs(args []string) Option {
	fs := flag.NewFlagSet(filepath.Base(os.Args[0]), flag.ContinueOnError)
	cl, err := parseCommandLine(fs, args, true)
	return cl.option(err, os.Stdout)
}

// WithFlags is WithArgs for a program with flags of its own: it adds the runtime's flags to
// fs, parses args with it at once, so the program's flag variables are set when WithFlags
// returns, and leaves the arguments after the flags in fs.Args() for the program. For
// example:
//
//	fs := flag.NewFlagSet("train", flag.ContinueOnError)
//	data := fs.String("data", "data/", "`DIR` with the training data")
//	err := RunExperiment(ctx, train, runtime.WithFlags(fs, os.Args[1:]))
//
// The usage lists the program's flags together with the runtime's. fs should use
// flag.ContinueOnError so that Run returns the error; with flag.ExitOnError the flag package
// exits the process itself (0 for -h, 2 for a bad flag). A flag of the program whose name
// the runtime uses makes Run fail before anything runs.
func WithFlags(fs *flag.FlagSet, args []string) Option {
	cl, err := parseCommandLine(fs, args, false)
	return cl.option(err, os.Stdout)
}

// commandLine is what the runtime's flags said; set holds the names of the flags given.
type commandLine struct {
	set       map[string]bool
	args      []string
	workspace string
	parallel  int
	gpus      string
	run       string
	repeat    int
	rerun     bool
	timeout   time.Duration
	failFast  bool
	dryRun    bool
	sets      []string // -set, in order
	slurm     bool     // -slurm
	slurmTask string   // -slurm-task, written by the batch script of -slurm
}

// parseCommandLine registers the runtime's flags on fs and parses args. The flag package
// prints nothing itself: on an error or -h this prints the usage once to fs.Output(), so
// the error message the program prints last is not lost above the usage.
func parseCommandLine(fs *flag.FlagSet, args []string, onlyFlags bool) (*commandLine, error) {
	cl := &commandLine{set: map[string]bool{}, args: append([]string(nil), args...)}
	if err := cl.register(fs); err != nil {
		return cl, err
	}
	out := fs.Output()
	fs.Usage = func() { printUsage(fs, onlyFlags) }
	fs.SetOutput(io.Discard)
	err := fs.Parse(args)
	fs.SetOutput(out)
	if err == nil && onlyFlags && fs.NArg() > 0 {
		err = fmt.Errorf("unexpected argument %q: the program takes flags only", fs.Arg(0))
	}
	if err != nil {
		fs.Usage()
		if errors.Is(err, flag.ErrHelp) {
			return cl, err
		}
		return cl, &UsageError{Err: err}
	}
	fs.Visit(func(f *flag.Flag) { cl.set[f.Name] = true })
	return cl, nil
}

// register adds the runtime's flags to fs. The values check themselves, so a bad value is
// reported by the flag package with the flag's name: -parallel x, -timeout 5.
func (cl *commandLine) register(fs *flag.FlagSet) error {
	for _, name := range []string{"workspace", "parallel", "gpus", "run", "repeat", "rerun", "timeout", "fail-fast", "dry-run", "set", "slurm", "slurm-task"} {
		if fs.Lookup(name) != nil {
			return fmt.Errorf("runtime: WithFlags: the program defines flag -%s, which the runtime's flags use; rename the program's flag", name)
		}
	}
	fs.StringVar(&cl.workspace, "workspace", "", "`DIR` that holds the experiments (default "+strconv.Quote(DefaultWorkspace)+" unless the program sets one)")
	fs.Var(intFlag{&cl.parallel}, "parallel", "run up to `N` runs at once (default 1)")
	fs.StringVar(&cl.gpus, "gpus", "", "`LIST` of GPU slots, comma-separated, such as 0,1,2,3; each concurrent run holds one")
	fs.Var(regexpFlag{&cl.run}, "run", "run only the trials whose name matches `REGEXP`, as go test -run")
	fs.Var(intFlag{&cl.repeat}, "repeat", "run only repeat `K` (1-based) of each trial")
	fs.BoolVar(&cl.rerun, "rerun", false, "rerun trials whose settings changed since their completed runs, archiving the old runs")
	fs.Var(durationFlag{&cl.timeout}, "timeout", "limit every run to `DURATION` (such as 90s or 2h), overriding the configs")
	fs.BoolVar(&cl.failFast, "fail-fast", false, "stop starting runs after the first failure")
	fs.BoolVar(&cl.dryRun, "dry-run", false, "print the plan (every trial and repeat, its folder, run or skip) and run nothing")
	fs.BoolVar(&cl.slurm, "slurm", false, "submit the runs still to do to Slurm as one job array, and return (with -dry-run: print the batch script)")
	fs.StringVar(&cl.slurmTask, "slurm-task", "", "run one Slurm array task's run of the run list `FILE` (used by the batch script of -slurm)")
	fs.Var(setFlag{&cl.sets}, "set", "override a setting of every trial with `PATH=VALUE`, such as lr=0.01 or hidden_layers=[32,16] (repeatable)")
	return nil
}

// option returns the Option that applies cl, or carries err to Run.
func (cl *commandLine) option(err error, stdout io.Writer) Option {
	return func(o *options) {
		if err != nil {
			o.argsErr = err
			return
		}
		WithSignals(DefaultGrace)(o)
		WithProgress(os.Stderr)(o)
		for _, opt := range cl.flagOptions(stdout) {
			opt(o)
		}
		o.exec.args = append([]string(nil), cl.args...)
		o.exec.slurm.cmdline = true // Slurm tasks start the program again with it
	}
}

// flagOptions returns the options of the flags given, and only those.
func (cl *commandLine) flagOptions(stdout io.Writer) []Option {
	var opts []Option
	add := func(name string, opt Option) {
		if cl.set[name] {
			opts = append(opts, opt)
		}
	}
	add("workspace", WithWorkspace(cl.workspace))
	add("parallel", WithParallel(cl.parallel))
	add("gpus", WithGPUs(cl.gpus))
	add("run", WithRunPattern(cl.run))
	add("repeat", WithRepeat(cl.repeat))
	// The switches are set both ways, so that -rerun=false overrides WithRerun before it.
	add("rerun", func(o *options) { o.exec.rerun = cl.rerun })
	add("timeout", WithTimeout(cl.timeout))
	add("set", WithOverrides(cl.sets...))
	add("fail-fast", func(o *options) { o.exec.failFast = cl.failFast })
	add("slurm", func(o *options) { o.exec.slurm.submit, o.exec.slurm.out = cl.slurm, stdout })
	add("slurm-task", func(o *options) { o.exec.slurm.task = cl.slurmTask })
	add("dry-run", func(o *options) {
		o.exec.dryRun = nil
		if cl.dryRun {
			WithDryRun(stdout)(o)
		}
	})
	return opts
}

func printUsage(fs *flag.FlagSet, onlyFlags bool) {
	w, name := fs.Output(), fs.Name()
	args := ""
	if !onlyFlags {
		args = " [arguments]"
	}
	fmt.Fprintf(w, "Usage: %s [flags]%s\n\n", name, args)
	fmt.Fprintf(w, "Runs the experiment's trials. Runs completed in the workspace are skipped, so\nrunning again resumes; failed, interrupted and stale runs run again.\n\nFlags:\n")
	fs.PrintDefaults()
	fmt.Fprintf(w, "\nExamples:\n")
	for _, ex := range [][2]string{
		{"", "run every trial and repeat"},
		{"-dry-run", "show what would run and what would be skipped"},
		{"-parallel 4", "run four runs at once"},
		{"-gpus 0,1 -parallel 2", "two runs at once, one GPU each"},
		{"-run '^small' -repeat 1", "only the first repeat of trials starting with small"},
		{"-timeout 30m -fail-fast", "limit each run, stop at the first failure"},
		{"-set lr=0.01 -set hidden_layers=[32,16]", "override settings of every trial"},
		{"-workspace /scratch/runs", "keep the results elsewhere"},
		{"-slurm -workspace /shared/runs", "submit to Slurm as one job array (binary and workspace on a shared file system)"},
	} {
		fmt.Fprintf(w, "  %s\n      %s\n", strings.TrimSpace(name+" "+ex[0]), ex[1])
	}
}

// intFlag is a whole number >= 1.
type intFlag struct{ p *int }

func (f intFlag) String() string {
	if f.p == nil {
		return "0"
	}
	return strconv.Itoa(*f.p)
}

func (f intFlag) Set(s string) error {
	n, err := strconv.Atoi(s)
	if err != nil || n < 1 {
		return errors.New("want a whole number >= 1")
	}
	*f.p = n
	return nil
}

// durationFlag is a positive duration with a unit.
type durationFlag struct{ p *time.Duration }

func (f durationFlag) String() string {
	if f.p == nil {
		return "0s"
	}
	return f.p.String()
}

func (f durationFlag) Set(s string) error {
	d, err := time.ParseDuration(s)
	if err != nil || d <= 0 {
		return errors.New("want a positive duration with a unit, such as 90s, 30m or 2h")
	}
	*f.p = d
	return nil
}

// regexpFlag is a regular expression, checked when given so that a typo is a usage error.
type regexpFlag struct{ p *string }

func (f regexpFlag) String() string {
	if f.p == nil {
		return ""
	}
	return *f.p
}

func (f regexpFlag) Set(s string) error {
	if _, err := regexp.Compile(s); err != nil {
		return fmt.Errorf("want a regular expression: %v", err)
	}
	*f.p = s
	return nil
}

// setFlag collects -set PATH=VALUE overrides, each checked when given, so that a value
// that is not YAML is a usage error naming the flag.
type setFlag struct{ p *[]string }

func (f setFlag) String() string {
	if f.p == nil {
		return ""
	}
	return strings.Join(*f.p, " ")
}

func (f setFlag) Set(s string) error {
	if _, err := config.ParseOverrides([]string{s}); err != nil {
		var list schema.ErrorList
		if errors.As(err, &list) && len(list) == 1 {
			return errors.New(list[0].Msg)
		}
		return err
	}
	*f.p = append(*f.p, s)
	return nil
}
