// Package workspace owns the experiment's folder on disk: its layout, the names that may
// become directories, and the files written there (atomically, so no reader ever sees half
// of one).
//
// The layout, under the workspace root:
//
//	<experiment>/
//	  configs/    experiment.yaml base.yaml trials.yaml settings.schema.json
//	  logs/       experiment.log
//	  artifacts/
//	  trials/<trial>/
//	    configs/  trial.yaml
//	    logs/     trial.log
//	    artifacts/
//	    repeat_<k>/  logs/run.log  artifacts/  run.json  .lock
//	    archive/<UTC time>/  trial.yaml  repeat_<k>/ ...  (runs of older settings)
//
// A sweep point is a trial named "<trial>/<point>", such as
// "lr_grid/learning_rate=0.01,hidden_layers=128-64": its folder is nested one level,
// trials/lr_grid/learning_rate=0.01,hidden_layers=128-64/, with the layout of any trial.
// A point always contains '=', which hand-written names cannot, so a point's folder is
// never mistaken for one of a trial's own folders (configs, logs, repeat_<k>, ...).
package workspace

import (
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"time"

	"github.com/expman-dev/expman/schema"
)

// File and folder names of the layout.
const (
	ConfigsDir   = "configs"
	LogsDir      = "logs"
	ArtifactsDir = "artifacts"
	TrialsDir    = "trials"

	ExperimentLog = "experiment.log"
	TrialLog      = "trial.log"
	RunLog        = "run.log"
	TrialFile     = "trial.yaml"
	RunFile       = "run.json"
	LockFile      = ".lock"
	ArchiveDir    = "archive"
)

// dirPerm is the mode of created directories (before umask).
const dirPerm = 0o755

var nameRE = regexp.MustCompile(schema.NamePattern)

// trialNameRE is what a trial name may be: a hand-written name, or a sweep point
// "<trial>/<key>=<value>,...".
var trialNameRE = regexp.MustCompile(schema.TrialNamePattern)

// CheckName reports whether name may be used as one path element of the workspace: it must
// match schema.NamePattern and must not be "." or "..", so no name can ever lead outside
// the folder it is placed in. what says what the name is, for the message.
func CheckName(what, name string) error {
	switch {
	case name == "":
		return fmt.Errorf("%s name is empty; want letters, digits, '_', '-' or '.'", what)
	case name == "." || name == "..":
		return fmt.Errorf("%s name %q is not allowed; want letters, digits, '_', '-' or '.' other than %q", what, name, name)
	case !nameRE.MatchString(name):
		return fmt.Errorf("%s name %q has characters that cannot be a folder name; want only letters, digits, '_', '-' or '.'", what, name)
	}
	return nil
}

// CheckTrialName reports whether name may be a trial's folder below trials/: a name that
// passes CheckName, or a sweep point "<trial>/<point>" whose two elements are not "." or
// "..", so that the folder is at most two levels deep and always inside trials/.
func CheckTrialName(name string) error {
	base, point, nested := strings.Cut(name, "/")
	if !nested {
		return CheckName("trial", name)
	}
	for _, elem := range []string{base, point} {
		if elem == "." || elem == ".." {
			return fmt.Errorf("trial name %q has the element %q; want <trial>/<key>=<value>,... with neither part %q", name, elem, elem)
		}
	}
	if !trialNameRE.MatchString(name) {
		return fmt.Errorf("trial name %q has characters that cannot be a folder name; want letters, digits, '_', '-' or '.', or for a sweep point <trial>/<key>=<value>,... of letters, digits and '_', '.', '+', '-'", name)
	}
	return nil
}

// Experiment is the folder of one experiment.
type Experiment struct {
	Dir       string // <workspace>/<experiment>
	Configs   string
	Logs      string
	Artifacts string
	Trials    string
}

// NewExperiment returns the folders of the experiment name under root. The name must have
// passed CheckName.
func NewExperiment(root, name string) Experiment {
	dir := filepath.Join(root, name)
	return Experiment{
		Dir:       dir,
		Configs:   filepath.Join(dir, ConfigsDir),
		Logs:      filepath.Join(dir, LogsDir),
		Artifacts: filepath.Join(dir, ArtifactsDir),
		Trials:    filepath.Join(dir, TrialsDir),
	}
}

// LogFile is the experiment's log.
func (e Experiment) LogFile() string { return filepath.Join(e.Logs, ExperimentLog) }

// Create makes the experiment's folders; it is a no-op for those that exist.
func (e Experiment) Create() error { return mkdirs(e.Configs, e.Logs, e.Artifacts, e.Trials) }

// Trial returns the folders of the trial name, which must have passed CheckTrialName; a
// sweep point's folder is nested in its trial's (trials/<trial>/<point>).
func (e Experiment) Trial(name string) Trial {
	dir := filepath.Join(e.Trials, filepath.FromSlash(name))
	return Trial{
		Dir:       dir,
		Configs:   filepath.Join(dir, ConfigsDir),
		Logs:      filepath.Join(dir, LogsDir),
		Artifacts: filepath.Join(dir, ArtifactsDir),
	}
}

// Trial is the folder of one trial.
type Trial struct {
	Dir       string
	Configs   string
	Logs      string
	Artifacts string
}

// Create makes the trial's folders; it is a no-op for those that exist.
func (t Trial) Create() error { return mkdirs(t.Configs, t.Logs, t.Artifacts) }

// LogFile is the trial's log.
func (t Trial) LogFile() string { return filepath.Join(t.Logs, TrialLog) }

// ConfigFile is the trial's trial.yaml.
func (t Trial) ConfigFile() string { return filepath.Join(t.Configs, TrialFile) }

// Run returns the folders of repeat k (1-based).
func (t Trial) Run(k int) Run {
	dir := filepath.Join(t.Dir, "repeat_"+strconv.Itoa(k))
	return Run{
		Dir:       dir,
		Logs:      filepath.Join(dir, LogsDir),
		Artifacts: filepath.Join(dir, ArtifactsDir),
	}
}

// Run is the folder of one repeat of a trial.
type Run struct {
	Dir       string
	Logs      string
	Artifacts string
}

// Create makes the run's folders; it is a no-op for those that exist.
func (r Run) Create() error { return mkdirs(r.Logs, r.Artifacts) }

// LogFile is the run's log.
func (r Run) LogFile() string { return filepath.Join(r.Logs, RunLog) }

// RecordFile is the run's run.json.
func (r Run) RecordFile() string { return filepath.Join(r.Dir, RunFile) }

// LockFile is the file a process locks while it executes the run.
func (r Run) LockFile() string { return filepath.Join(r.Dir, LockFile) }

// Archive returns the folder that keeps the trial's runs replaced at time at, named by its
// UTC time so that archives sort by age.
func (t Trial) Archive(at time.Time) string {
	return filepath.Join(t.Dir, ArchiveDir, at.UTC().Format("20060102T150405.000000000Z"))
}

func mkdirs(dirs ...string) error {
	for _, d := range dirs {
		if err := os.MkdirAll(d, dirPerm); err != nil {
			return err
		}
	}
	return nil
}
