package command

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/expman-dev/expman/runtime"
	"github.com/expman-dev/expman/schema"
)

// Files a run's child uses, in the repeat's folder.
const (
	// SettingsFile holds the run's resolved settings as JSON ($EXPMAN_SETTINGS_FILE).
	SettingsFile = "settings.json"
	// MetricsFile is where the child appends metric lines ($EXPMAN_METRICS_FILE). The
	// runtime's own metrics.jsonl is written from it.
	MetricsFile = "child_metrics.jsonl"
	// StdoutLog and StderrLog, in the repeat's logs/ folder, hold the child's output.
	StdoutLog = "stdout.log"
	StderrLog = "stderr.log"
)

// Defaults of Options.
const (
	DefaultGrace       = 5 * time.Second
	DefaultPoll        = 200 * time.Millisecond
	DefaultStderrLines = 20
)

// Options say how a Command runs. The zero value runs the child in the repeat's folder,
// without console output, with the defaults above.
type Options struct {
	// KeepDir runs the child in the caller's working directory instead of the repeat's
	// folder.
	KeepDir bool
	// Stdout and Stderr, when not nil, also receive the child's output, a whole line at a
	// time, each prefixed "trial#repeat | ". Writes are serialised across the runs of one
	// Command, so parallel runs never interleave within a line.
	Stdout, Stderr io.Writer
	// Grace is how long the child's process group has between SIGTERM (or the signal that
	// stopped the experiment) and SIGKILL. Keep it below the runtime's grace
	// (runtime.DefaultGrace), so the child is gone before its run is recorded interrupted.
	Grace time.Duration
	// Poll is how often the metrics file is read while the child runs.
	Poll time.Duration
	// StderrLines is how many of stderr's last lines a failed run's error holds.
	StderrLines int
}

// Command is a program that runs as every run of an experiment. New checks it; Run is a
// runtime.TrialFunc. A Command is safe for concurrent runs.
type Command struct {
	name string // as given, for messages and the child's argv[0]
	path string // resolved, absolute when it contains a separator
	args []template
	opts Options

	consoleMu sync.Mutex // serialises the console lines of concurrent runs
}

// New returns the command argv (the program, then its arguments with placeholders) for
// the experiment's trials, after checking everything that can be checked before a run:
// the program is found (exec.LookPath: on PATH, or a path to an executable file), every
// placeholder is well formed, and names a setting of every trial (or a built-in) that
// can be an argument. Every problem comes back at once, as a schema.ErrorList.
func New(argv []string, trials []runtime.TrialSpec[map[string]any], opts Options) (*Command, error) {
	if len(argv) == 0 || argv[0] == "" {
		return nil, errors.New("no command given; want a program and its arguments, such as python3 train.py --lr {learning_rate}")
	}
	c := &Command{name: argv[0], opts: withDefaults(opts)}
	var errs schema.ErrorList
	path, err := lookPath(argv[0])
	if err != nil {
		errs.Add(schema.Pos{}, "%v", err)
	}
	c.path = path
	for i, a := range argv[1:] {
		t, err := parseTemplate(a)
		if err != nil {
			errs.Add(schema.Pos{}, "argument %d %q: %v", i+1, a, err)
			continue
		}
		c.args = append(c.args, t)
		for _, name := range t.placeholders() {
			if msg := checkPlaceholder(name, trials); msg != "" {
				errs.Add(schema.Pos{}, "argument %d %q: %s", i+1, a, msg)
			}
		}
	}
	if len(errs) > 0 {
		return nil, errs
	}
	return c, nil
}

func withDefaults(o Options) Options {
	if o.Grace <= 0 {
		o.Grace = DefaultGrace
	}
	if o.Poll <= 0 {
		o.Poll = DefaultPoll
	}
	if o.StderrLines <= 0 {
		o.StderrLines = DefaultStderrLines
	}
	return o
}

// lookPath finds the program. A path with a separator is made absolute, because the child
// runs in another folder.
func lookPath(name string) (string, error) {
	path, err := exec.LookPath(name)
	if err != nil {
		if strings.ContainsRune(name, filepath.Separator) {
			return "", fmt.Errorf("command %q: %v; want the path of an executable file", name, unwrapExec(err))
		}
		return "", fmt.Errorf("command %q not found in PATH; check the spelling, or give its path", name)
	}
	if strings.ContainsRune(path, filepath.Separator) && !filepath.IsAbs(path) {
		if abs, err := filepath.Abs(path); err == nil {
			path = abs
		}
	}
	return path, nil
}

func unwrapExec(err error) error {
	var e *exec.Error
	if errors.As(err, &e) {
		return e.Err
	}
	return err
}

// checkPlaceholder returns what is wrong with a placeholder for these trials, or "".
func checkPlaceholder(name string, trials []runtime.TrialSpec[map[string]any]) string {
	var missing, bad []string
	var problem string
	builtin := slices.Contains(builtins, name)
	for _, t := range trials {
		v, ok := lookup(t.Settings, name)
		if !ok {
			if !builtin {
				missing = append(missing, strconv.Quote(t.Name))
			}
			continue
		}
		if _, err := format(v); err != nil {
			_, err = resolve(name, t.Settings, nil) // the same error, worded for the path
			bad = append(bad, strconv.Quote(t.Name))
			problem = err.Error()
		}
	}
	switch {
	case len(bad) > 0 && len(bad) == len(trials):
		return problem
	case len(bad) > 0:
		return fmt.Sprintf("%s (%s)", problem, trialList(bad))
	case len(missing) == 0:
		return ""
	case len(missing) < len(trials):
		verb := "has"
		if len(missing) > 1 {
			verb = "have"
		}
		return fmt.Sprintf("%s %s no setting %s; give it one, or remove the placeholder", trialList(missing), verb, name)
	}
	return unknownPlaceholder(name, trials)
}

// trialList names quoted trials: trial "a", trials "a" and "b", trials "a", "b" and "c";
// a long list (a sweep) names the first few and counts the rest.
func trialList(quoted []string) string {
	const shown = 4
	switch {
	case len(quoted) == 1:
		return "trial " + quoted[0]
	case len(quoted) > shown:
		return fmt.Sprintf("trials %s and %d more", strings.Join(quoted[:shown-1], ", "), len(quoted)-shown+1)
	}
	return "trials " + strings.Join(quoted[:len(quoted)-1], ", ") + " and " + quoted[len(quoted)-1]
}

// unknownPlaceholder explains a name that no trial has, with what exists.
func unknownPlaceholder(name string, trials []runtime.TrialSpec[map[string]any]) string {
	var known []string
	for _, t := range trials {
		for _, p := range leafPaths(t.Settings) {
			if !slices.Contains(known, p) {
				known = append(known, p)
			}
		}
	}
	slices.Sort(known)
	msg := fmt.Sprintf("unknown placeholder {%s}.", name)
	if s := closest(name, append(slices.Clone(known), builtins...)); s != "" {
		msg = fmt.Sprintf("unknown placeholder {%s}; did you mean {%s}?", name, s)
	}
	if len(known) > 0 {
		msg += " Settings: " + strings.Join(known, ", ") + "."
	}
	return msg + " Built in: " + strings.Join(builtins, ", ") + "."
}

// Run runs the command as one run of the experiment: it is a runtime.TrialFunc, for
// Experiment.Run. See the package documentation for what the child gets and how its end
// becomes the run's status.
func (c *Command) Run(ctx context.Context, t *runtime.Trial[map[string]any]) error {
	dir, err := filepath.Abs(t.Dir)
	if err != nil {
		return err
	}
	args, err := c.expand(t, dir)
	if err != nil {
		return err
	}
	cwd := dir
	if c.opts.KeepDir {
		cwd = ""
	}
	files, err := prepare(t, dir)
	if err != nil {
		return err
	}
	defer files.close()
	cmd := &exec.Cmd{Path: c.path, Args: append([]string{c.name}, args...), Dir: cwd, Env: c.env(t, dir)}
	return c.execute(ctx, t, cmd, files)
}

// expand renders the arguments for one run.
func (c *Command) expand(t *runtime.Trial[map[string]any], dir string) ([]string, error) {
	builtin := map[string]string{
		phExperiment: t.Experiment,
		phTrial:      t.Name,
		phTrialID:    strconv.Itoa(t.ID),
		phRepeat:     strconv.Itoa(t.Repeat),
		phSeed:       strconv.FormatInt(t.Seed, 10),
		phRunDir:     dir,
	}
	out := make([]string, len(c.args))
	for i, a := range c.args {
		s, err := a.expand(t.Settings, builtin)
		if errors.Is(err, errNoSetting) {
			err = fmt.Errorf("no setting named by %q", a.raw)
		}
		if err != nil {
			return nil, fmt.Errorf("argument %d %q: %w", i+1, a.raw, err)
		}
		out[i] = s
	}
	return out, nil
}

// env is the child's environment: the run's (with CUDA_VISIBLE_DEVICES for its GPU), and
// the EXPMAN_ variables. Later entries win in exec.Cmd, so these override inherited ones.
func (c *Command) env(t *runtime.Trial[map[string]any], dir string) []string {
	return append(t.Env(),
		"EXPMAN_EXPERIMENT="+t.Experiment,
		"EXPMAN_TRIAL="+t.Name,
		"EXPMAN_TRIAL_ID="+strconv.Itoa(t.ID),
		"EXPMAN_REPEAT="+strconv.Itoa(t.Repeat),
		"EXPMAN_SEED="+strconv.FormatInt(t.Seed, 10),
		"EXPMAN_SEED32="+strconv.FormatUint(uint64(uint32(t.Seed)), 10),
		"EXPMAN_RUN_DIR="+dir,
		"EXPMAN_ARTIFACTS_DIR="+filepath.Join(dir, "artifacts"),
		"EXPMAN_SETTINGS_FILE="+filepath.Join(dir, SettingsFile),
		"EXPMAN_METRICS_FILE="+filepath.Join(dir, MetricsFile),
	)
}

// runFiles are the files of one run the child and its readers use.
type runFiles struct {
	stdout, stderr *os.File
	metrics        *os.File // read side of the child's metrics file
	metricsPath    string
}

func (f *runFiles) close() {
	for _, x := range []*os.File{f.stdout, f.stderr, f.metrics} {
		if x != nil {
			x.Close()
		}
	}
}

// prepare writes settings.json and starts this attempt's logs and metrics file afresh, so
// that they hold what the run.json's attempt did, as the runtime's metrics.jsonl does.
func prepare(t *runtime.Trial[map[string]any], dir string) (*runFiles, error) {
	data, err := json.MarshalIndent(t.Settings, "", "  ")
	if err != nil {
		return nil, fmt.Errorf("writing %s: %w", SettingsFile, err)
	}
	if err := runtime.WriteFile(filepath.Join(dir, SettingsFile), append(data, '\n')); err != nil {
		return nil, err
	}
	for _, d := range []string{t.LogsDir(), t.ArtifactsDir()} {
		if err := os.MkdirAll(d, 0o755); err != nil {
			return nil, err
		}
	}
	f := &runFiles{metricsPath: filepath.Join(dir, MetricsFile)}
	open := func(path string, mode int) *os.File {
		x, e := os.OpenFile(path, os.O_CREATE|os.O_TRUNC|mode, 0o644)
		err = errors.Join(err, e)
		return x
	}
	f.stdout = open(filepath.Join(t.LogsDir(), StdoutLog), os.O_WRONLY)
	f.stderr = open(filepath.Join(t.LogsDir(), StderrLog), os.O_WRONLY)
	// Read and write: O_TRUNC needs write access; the child appends through its own open.
	f.metrics = open(f.metricsPath, os.O_RDWR)
	if err != nil {
		f.close()
		return nil, err
	}
	return f, nil
}
