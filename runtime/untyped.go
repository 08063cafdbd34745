package runtime

import (
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"slices"

	"github.com/expman-dev/expman/runtime/internal/workspace"
	"github.com/expman-dev/expman/schema"
	"github.com/expman-dev/expman/schema/config"
)

// This file is the untyped API, for programs that read a config folder at run time instead
// of generating code. It mirrors the seed's Python API:
//
//	env = Environment(workspace="outputs")  ->  env := runtime.NewEnvironment("outputs")
//	env.setup_environment()                  ->  err := env.Setup()
//	Experiment.from_config(config_dir, env)  ->  x, err := runtime.Load(ctx, configDir, env)
//	experiment.run()                         ->  err = x.Run(ctx, fn)
//
// Loading, merging, validation, layout and logs are the ones of generated programs: Run
// goes through the same machinery as runtime.Run.

// Environment is a workspace: the folder that holds experiments, with its own configs/,
// logs/ and artifacts/ folders for whatever the program keeps outside any experiment.
type Environment struct {
	Workspace string
}

// NewEnvironment returns the environment of the workspace folder; "" means
// DefaultWorkspace. Nothing is created until Setup or an experiment's Run.
func NewEnvironment(workspace string) *Environment {
	if workspace == "" {
		workspace = DefaultWorkspace
	}
	return &Environment{Workspace: workspace}
}

// ConfigsDir is the workspace's configs/ folder.
func (e *Environment) ConfigsDir() string { return filepath.Join(e.Workspace, workspace.ConfigsDir) }

// LogsDir is the workspace's logs/ folder.
func (e *Environment) LogsDir() string { return filepath.Join(e.Workspace, workspace.LogsDir) }

// ArtifactsDir is the workspace's artifacts/ folder.
func (e *Environment) ArtifactsDir() string {
	return filepath.Join(e.Workspace, workspace.ArtifactsDir)
}

// Setup creates the workspace and its configs/, logs/ and artifacts/ folders. It is
// idempotent, and Experiment.Run calls it; calling it yourself is only needed to use the
// folders before running.
func (e *Environment) Setup() error {
	if e.Workspace == "" {
		return errors.New(`runtime: Environment has an empty workspace; want a path such as "outputs"`)
	}
	for _, d := range []string{e.ConfigsDir(), e.LogsDir(), e.ArtifactsDir()} {
		if err := os.MkdirAll(d, 0o755); err != nil {
			return fmt.Errorf("runtime: setting up the workspace: %w", err)
		}
	}
	return nil
}

// Experiment is an experiment loaded from a config folder at run time. Its trials have
// untyped settings: map[string]any holding nil, bool, int64, float64, string, []any and
// map[string]any.
type Experiment struct {
	env *Environment
	cfg *config.Config
}

// Load reads, merges and validates the config folder configDir (experiment.yaml, base.yaml,
// trials.yaml, settings.schema.json) for running in env (nil means NewEnvironment("")).
// Problems in the configs are returned together as a schema.ErrorList, one
// "file:line:col: message" each. Load writes nothing.
func Load(ctx context.Context, configDir string, env *Environment) (*Experiment, error) {
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	if env == nil {
		env = NewEnvironment("")
	}
	cfg, err := config.Load(os.DirFS(configDir), config.Options{})
	if err != nil {
		var list schema.ErrorList
		if errors.As(err, &list) {
			return nil, list
		}
		return nil, fmt.Errorf("runtime: loading %s: %w", configDir, err)
	}
	return FromConfig(cfg, env), nil
}

// FromConfig makes an Experiment of a configuration already loaded with config.Load, for
// callers that load it their own way (another file system, a settings schema kept
// elsewhere). A nil env is NewEnvironment("").
func FromConfig(cfg *config.Config, env *Environment) *Experiment {
	if env == nil {
		env = NewEnvironment("")
	}
	return &Experiment{env: env, cfg: cfg}
}

// Name is the experiment's name, also its folder in the workspace.
func (x *Experiment) Name() string { return x.cfg.Experiment.Name }

// ID is the experiment's id, part of every run's seed.
func (x *Experiment) ID() int { return x.cfg.Experiment.ID }

// Desc is the experiment's description.
func (x *Experiment) Desc() string { return x.cfg.Experiment.Desc }

// Environment is the environment the experiment runs in.
func (x *Experiment) Environment() *Environment { return x.env }

// Config is the loaded configuration, with positions and layers of every setting.
func (x *Experiment) Config() *config.Config { return x.cfg }

// Trials returns the trials in file order with their resolved settings.
func (x *Experiment) Trials() []TrialSpec[map[string]any] {
	out := make([]TrialSpec[map[string]any], len(x.cfg.Trials))
	for i, t := range x.cfg.Trials {
		out[i] = TrialSpec[map[string]any]{Name: t.Name, ID: t.ID, Repeat: t.Repeat, Settings: settingsMap(t.Settings), Timeout: t.Timeout, Slurm: slurmSpec(t.Slurm)}
	}
	return out
}

// Spec returns the experiment as runtime.Run takes it, config files included.
func (x *Experiment) Spec() ExperimentSpec {
	e := x.cfg.Experiment
	spec := ExperimentSpec{Name: e.Name, ID: e.ID, Desc: e.Desc, Timeout: e.Timeout, Slurm: slurmSpec(e.Slurm)}
	for _, f := range x.cfg.Files {
		spec.Files = append(spec.Files, ConfigFile{Name: f.Name, Content: string(f.Data)})
	}
	return spec
}

// Run executes the experiment in the environment's workspace (an option may name another),
// setting the workspace up once the run goes ahead, exactly as runtime.Run does for generated programs.
// Overrides (WithOverrides, -set) are applied here, by the same code as for generated
// programs, and checked against the loaded schema before anything is created; Trials and
// Config show the settings without them.
func (x *Experiment) Run(ctx context.Context, fn TrialFunc[map[string]any], opts ...Option) error {
	o, err := buildOptions(append([]Option{WithWorkspace(x.env.Workspace)}, opts...))
	if err != nil {
		return err
	}
	p := plan[map[string]any]{
		spec:   x.Spec(),
		trials: x.Trials(),
		fn:     fn,
		decode: settingsMap,
		schema: x.cfg.Schema,
	}
	for _, t := range x.cfg.Trials {
		p.values = append(p.values, t.Settings)
	}
	if err := p.check(); err != nil {
		return err
	}
	// Overrides are checked before the environment is set up: bad input creates nothing.
	if p, err = p.override(o.exec.overrides); err != nil {
		return err
	}
	// The environment is set up only once the run goes ahead: a dry run, a refused start
	// or a Slurm submission with nothing to submit create nothing.
	o.setup = NewEnvironment(o.workspace).Setup
	return run(ctx, p, o)
}

// settingsMap converts a trial's settings to a fresh map, empty (not nil) when it has none.
func settingsMap(v *schema.Value) map[string]any {
	if m, ok := v.Interface().(map[string]any); ok {
		return m
	}
	return map[string]any{}
}

// slurmSpec converts a config's Slurm section to the runtime's, nil for none. The two
// types have the same fields, so a change to one that is not made to the other stops the
// build here.
func slurmSpec(s *config.Slurm) *SlurmSpec {
	if s == nil {
		return nil
	}
	out := SlurmSpec(*s)
	out.Setup, out.Extra = slices.Clone(s.Setup), slices.Clone(s.Extra)
	return &out
}
