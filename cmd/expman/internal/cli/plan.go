package cli

import (
	"bufio"
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"regexp"
	"strings"
	"text/tabwriter"

	"github.com/expman-dev/expman/runtime"
	"github.com/expman-dev/expman/schema"
	"github.com/expman-dev/expman/schema/config"
)

const planExamples = `	expman plan -config ./configs
	expman plan -config ./configs -workspace /scratch/outputs    # what a start there would skip
	expman plan -config ./configs -set epochs=3 -format json | jq '.runs[] | select(.action == "run")'
`

// runPlan prints what starting the experiment would do: every trial (sweeps expanded), the
// settings that tell them apart, and every run with its folder and whether it would run or
// be skipped. The run-or-skip decisions are the runtime's own (its dry run), so they are
// exactly what a start would do.
func runPlan(ctx context.Context, e *env, args []string) error {
	var sf settingsFlags
	fs := newFlagSet(e, "plan", "-config DIR [-schema FILE] [-set PATH=VALUE]... [-workspace DIR] [-format text|json]", planExamples)
	sf.register(fs)
	ws := fs.String("workspace", runtime.DefaultWorkspace, "workspace `DIR` whose completed runs would be skipped")
	if err := parse(fs, args); err != nil {
		return err
	}
	if err := sf.check(fs); err != nil {
		return err
	}
	if *ws == "" {
		return usageError(fs, "-workspace must not be empty")
	}
	cfg, err := sf.load()
	if err != nil {
		return err
	}
	p, err := newExperimentPlan(ctx, cfg, *ws)
	if p == nil {
		return err
	}
	// A plan a start would refuse (settings changed under completed runs) is still shown,
	// then the refusal.
	var werr error
	if sf.format == "json" {
		werr = p.writeJSON(e.stdout, err)
	} else {
		werr = p.writeText(e.stdout)
	}
	if werr != nil {
		return werr
	}
	return err
}

// experimentPlan is what expman plan shows.
type experimentPlan struct {
	cfg       *config.Config
	workspace string
	differing []string  // settings whose values differ between trials
	runs      []planRun // in the order a start would run them
}

// planRun is one run of the plan.
type planRun struct {
	Trial  string `json:"trial"`
	Repeat int    `json:"repeat"`
	Dir    string `json:"dir"`
	Action string `json:"action"` // run or skip
	Reason string `json:"reason"`
}

// newExperimentPlan asks the runtime for its dry run in workspace. Besides the plan, it
// returns the error a start would stop with after showing it (a *SettingsChangedError);
// a nil plan comes with the error that prevented it.
func newExperimentPlan(ctx context.Context, cfg *config.Config, workspace string) (*experimentPlan, error) {
	p := &experimentPlan{cfg: cfg, workspace: workspace}
	settings := make([]*schema.Value, len(cfg.Trials))
	for i, t := range cfg.Trials {
		settings[i] = t.Settings
	}
	p.differing = differingPaths(settings)

	var out bytes.Buffer
	err := runtime.Run(ctx, experimentSpec(cfg), trialSpecs(cfg), planNothing,
		runtime.WithWorkspace(workspace), runtime.WithDryRun(&out), runtime.WithConsole(nil))
	var changed *runtime.SettingsChangedError
	if err != nil && !errors.As(err, &changed) {
		return nil, err
	}
	runs, perr := parseDryRun(&out, cfg)
	if perr != nil {
		return nil, fmt.Errorf("expman plan: reading the runtime's dry run: %w\n%s", perr, out.String())
	}
	p.runs = runs
	return p, err
}

// planNothing is the trial function of the dry run, which calls none.
func planNothing(context.Context, *runtime.Trial[map[string]any]) error {
	return errors.New("expman plan runs nothing")
}

// experimentSpec and trialSpecs hand the loaded configs (with -schema and -set applied) to
// the runtime as its untyped API does, so settings hashes, and with them the decisions to
// skip completed runs, are those of expman run.
func experimentSpec(cfg *config.Config) runtime.ExperimentSpec {
	e := cfg.Experiment
	spec := runtime.ExperimentSpec{Name: e.Name, ID: e.ID, Desc: e.Desc, Timeout: e.Timeout}
	for _, f := range cfg.Files {
		spec.Files = append(spec.Files, runtime.ConfigFile{Name: f.Name, Content: string(f.Data)})
	}
	return spec
}

func trialSpecs(cfg *config.Config) []runtime.TrialSpec[map[string]any] {
	out := make([]runtime.TrialSpec[map[string]any], len(cfg.Trials))
	for i, t := range cfg.Trials {
		m, _ := t.Settings.Interface().(map[string]any)
		if m == nil {
			m = map[string]any{}
		}
		out[i] = runtime.TrialSpec[map[string]any]{Name: t.Name, ID: t.ID, Repeat: t.Repeat, Settings: m, Timeout: t.Timeout}
	}
	return out
}

// dryRunAction finds the last two columns of a dry-run line, "run" or "skip" and the
// reason: the runtime aligns columns with at least two spaces, and reasons are words
// separated by single spaces, so the last match is the action even when the folder has
// spaces in it.
var dryRunAction = regexp.MustCompile(`^(.*\S) {2,}(run|skip)(?: {2,}(.*))?$`)

// parseDryRun reads the runtime's dry run (see runtime.WithDryRun): a summary line, then
// one line per run, "trial#repeat  folder  run|skip  reason", in the order of the plan,
// which is every repeat of every trial here.
func parseDryRun(r io.Reader, cfg *config.Config) ([]planRun, error) {
	sc := bufio.NewScanner(r)
	if !sc.Scan() {
		return nil, errors.New("no output")
	}
	var runs []planRun
	for _, t := range cfg.Trials {
		for k := 1; k <= t.Repeat; k++ {
			ref := runtime.RunRef{Trial: t.Name, Repeat: k}.String()
			if !sc.Scan() {
				return nil, fmt.Errorf("no line for %s", ref)
			}
			line := strings.TrimRight(sc.Text(), " ")
			rest, ok := strings.CutPrefix(line, ref+" ")
			m := dryRunAction.FindStringSubmatch(rest)
			if !ok || m == nil {
				return nil, fmt.Errorf("line %q is not %s's", line, ref)
			}
			runs = append(runs, planRun{Trial: t.Name, Repeat: k, Dir: strings.TrimSpace(m[1]), Action: m[2], Reason: m[3]})
		}
	}
	return runs, sc.Err()
}

func (p *experimentPlan) counts() (runs, skip int) {
	for _, r := range p.runs {
		if r.Action == "skip" {
			skip++
		}
	}
	return len(p.runs), skip
}

func (p *experimentPlan) writeText(w io.Writer) error {
	n, skip := p.counts()
	points := 0
	for _, t := range p.cfg.Trials {
		if t.Sweep != nil {
			points++
		}
	}
	fmt.Fprintf(w, "experiment %s: %d %s", p.cfg.Experiment.Name, len(p.cfg.Trials), plural(len(p.cfg.Trials), "trial", "trials"))
	if points > 0 {
		fmt.Fprintf(w, " (%d from sweeps)", points)
	}
	fmt.Fprintf(w, ", %d %s; in workspace %s: %d to run, %d to skip\n\n", n, plural(n, "run", "runs"), p.workspace, n-skip, skip)
	tw := tabwriter.NewWriter(w, 0, 8, 2, ' ', 0)
	fmt.Fprint(tw, "TRIAL\tID\tREPEAT")
	for _, path := range p.differing {
		fmt.Fprintf(tw, "\t%s", path)
	}
	fmt.Fprintln(tw)
	for _, t := range p.cfg.Trials {
		fmt.Fprintf(tw, "%s\t%d\t%d", t.Name, t.ID, t.Repeat)
		for _, path := range p.differing {
			fmt.Fprintf(tw, "\t%s", flowValue(lookupSetting(t.Settings, path)))
		}
		fmt.Fprintln(tw)
	}
	if err := tw.Flush(); err != nil {
		return err
	}
	fmt.Fprintln(w)
	tw = tabwriter.NewWriter(w, 0, 8, 2, ' ', 0)
	fmt.Fprintln(tw, "RUN\tFOLDER\tACTION\tREASON")
	for _, r := range p.runs {
		fmt.Fprintf(tw, "%s\t%s\t%s\t%s\n", runtime.RunRef{Trial: r.Trial, Repeat: r.Repeat}, r.Dir, r.Action, r.Reason)
	}
	return tw.Flush()
}

// plannedTrial is one trial of -format json: the settings shown are those that differ
// between trials (all of them with expman explain).
type plannedTrial struct {
	Name     string                   `json:"name"`
	ID       int                      `json:"id"`
	Repeat   int                      `json:"repeat"`
	Sweep    string                   `json:"sweep,omitempty"`
	Settings map[string]*schema.Value `json:"settings"`
}

func (p *experimentPlan) writeJSON(w io.Writer, refusal error) error {
	n, skip := p.counts()
	out := struct {
		Experiment string         `json:"experiment"`
		Workspace  string         `json:"workspace"`
		Runs       int            `json:"run_count"`
		ToRun      int            `json:"to_run"`
		ToSkip     int            `json:"to_skip"`
		Differing  []string       `json:"differing_settings"`
		Trials     []plannedTrial `json:"trials"`
		RunList    []planRun      `json:"runs"`
		Error      string         `json:"error,omitempty"`
	}{Experiment: p.cfg.Experiment.Name, Workspace: p.workspace, Runs: n, ToRun: n - skip, ToSkip: skip,
		Differing: append([]string{}, p.differing...), RunList: p.runs}
	for _, t := range p.cfg.Trials {
		pt := plannedTrial{Name: t.Name, ID: t.ID, Repeat: t.Repeat, Settings: map[string]*schema.Value{}}
		if t.Sweep != nil {
			pt.Sweep = t.Sweep.Base
		}
		for _, path := range p.differing {
			if v := lookupSetting(t.Settings, path); v != nil {
				pt.Settings[path] = v
			}
		}
		out.Trials = append(out.Trials, pt)
	}
	if refusal != nil {
		out.Error = refusal.Error()
	}
	return writeJSON(w, out)
}
