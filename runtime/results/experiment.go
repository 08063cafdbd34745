package results

import (
	"cmp"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"slices"
	"strings"

	"github.com/expman-dev/expman/runtime/internal/workspace"
)

// experimentData is everything read from an experiment folder.
type experimentData struct {
	name    string
	dir     string
	plan    []plannedTrial // configs/trials.yaml; nil when absent
	trials  []*trialData   // trials with a folder, in plan order, then by id and name
	problem error
}

// readExperiment reads every trial folder of expDir. It fails only when expDir is not an
// experiment folder; unreadable files inside are collected in problem.
func readExperiment(expDir string) (*experimentData, error) {
	if err := checkExperiment(expDir); err != nil {
		return nil, err
	}
	x := &experimentData{name: filepath.Base(filepath.Clean(expDir)), dir: expDir}
	var problems []error
	plan, err := readPlan(expDir)
	if err != nil {
		problems = append(problems, err)
	}
	x.plan = plan
	dirs, err := trialDirs(filepath.Join(expDir, workspace.TrialsDir))
	if err != nil {
		return nil, err
	}
	for _, d := range dirs {
		td, err := readTrial(d)
		if err != nil {
			problems = append(problems, err)
			continue
		}
		if td.problem != nil {
			problems = append(problems, td.problem)
		}
		x.trials = append(x.trials, td)
	}
	x.sortTrials()
	x.problem = errors.Join(problems...)
	return x, nil
}

// trialDirs lists the trial folders in trialsDir (<experiment>/trials): each folder there,
// and the sweep points nested in it (trials/<trial>/<point>, a point's name always holds
// '=', which no folder of a trial's own does). A folder that holds nothing but sweep points
// is their group, not a trial. A missing trialsDir holds none.
func trialDirs(trialsDir string) ([]string, error) {
	ents, err := os.ReadDir(trialsDir)
	if err != nil && !errors.Is(err, fs.ErrNotExist) {
		return nil, err
	}
	var out []string
	for _, e := range ents {
		if !e.IsDir() {
			continue
		}
		dir := filepath.Join(trialsDir, e.Name())
		sub, err := os.ReadDir(dir)
		if err != nil {
			return nil, err
		}
		var points []string
		own := len(sub) == 0 // an empty folder is a trial not started yet, as before
		for _, s := range sub {
			switch {
			case s.IsDir() && strings.Contains(s.Name(), "="):
				points = append(points, filepath.Join(dir, s.Name()))
			default:
				own = true
			}
		}
		if own {
			out = append(out, dir)
		}
		out = append(out, points...)
	}
	return out, nil
}

// trialName is the name of the trial whose folder is dir: its base name, or for a sweep
// point "<trial>/<point>".
func trialName(dir string) string {
	base := filepath.Base(dir)
	if strings.Contains(base, "=") {
		return filepath.Base(filepath.Dir(dir)) + "/" + base
	}
	return base
}

// sortTrials orders trials as trials.yaml lists them, a sweep's points where it lists the
// sweep; trials it does not list (left from an earlier config) follow, by id and then name.
func (x *experimentData) sortTrials() {
	pos := make(map[string]int, len(x.plan))
	for i, p := range x.plan {
		pos[p.Name] = i
	}
	rank := func(td *trialData) int {
		if i, ok := pos[td.name]; ok {
			return i
		}
		if base, _, ok := strings.Cut(td.name, "/"); ok {
			if i, ok := pos[base]; ok {
				return i
			}
		}
		return len(x.plan)
	}
	slices.SortStableFunc(x.trials, func(a, b *trialData) int {
		if c := cmp.Compare(rank(a), rank(b)); c != 0 {
			return c
		}
		// A sweep's points have ids derived from hashes: their names, which hold the swept
		// values, give an order a reader can follow.
		if strings.Contains(a.name, "/") && strings.Contains(b.name, "/") {
			return strings.Compare(a.name, b.name)
		}
		return cmp.Or(cmp.Compare(a.id(), b.id()), strings.Compare(a.name, b.name))
	})
}

// checkExperiment tells whether dir looks like an experiment folder: a folder holding
// configs/ or trials/.
func checkExperiment(dir string) error {
	st, err := os.Stat(dir)
	if err != nil {
		return fmt.Errorf("%s: %w; want an experiment folder (<workspace>/<experiment>, holding configs/ and trials/)", dir, unwrapPath(err))
	}
	if !st.IsDir() {
		return fmt.Errorf("%s is a file; want an experiment folder (<workspace>/<experiment>, holding configs/ and trials/)", dir)
	}
	if !isExperiment(dir) {
		return fmt.Errorf("%s is not an experiment folder; want <workspace>/<experiment>, holding configs/ and trials/", dir)
	}
	return nil
}

// isExperiment tells an experiment folder from a workspace: both may hold configs/ (the
// untyped API's Environment sets up the workspace with configs/, logs/ and artifacts/),
// but only an experiment has trials/ or its configs/experiment.yaml.
func isExperiment(dir string) bool {
	if st, err := os.Stat(filepath.Join(dir, workspace.TrialsDir)); err == nil && st.IsDir() {
		return true
	}
	_, err := os.Stat(filepath.Join(dir, workspace.ConfigsDir, "experiment.yaml"))
	return err == nil
}

// unwrapPath drops the *fs.PathError around err, whose path the message already names.
func unwrapPath(err error) error {
	var pe *fs.PathError
	if errors.As(err, &pe) {
		return pe.Err
	}
	return err
}

// FindExperiment resolves dir to an experiment folder: dir itself when it is one, or the
// only experiment of the workspace dir. A workspace with several experiments is an error
// that lists them, so the user can pick one.
func FindExperiment(dir string) (string, error) {
	st, err := os.Stat(dir)
	if err != nil {
		return "", fmt.Errorf("%s: %w; want an experiment folder (<workspace>/<experiment>) or a workspace holding one", dir, unwrapPath(err))
	}
	if !st.IsDir() {
		return "", fmt.Errorf("%s is a file; want an experiment folder (<workspace>/<experiment>) or a workspace holding one", dir)
	}
	if isExperiment(dir) {
		return dir, nil
	}
	ents, err := os.ReadDir(dir)
	if err != nil {
		return "", err
	}
	var found []string
	for _, e := range ents {
		if e.IsDir() && isExperiment(filepath.Join(dir, e.Name())) {
			found = append(found, e.Name())
		}
	}
	switch len(found) {
	case 1:
		return filepath.Join(dir, found[0]), nil
	case 0:
		return "", fmt.Errorf("%s holds no experiment; want an experiment folder (<workspace>/<experiment>, holding configs/ and trials/) or a workspace holding one", dir)
	}
	paths := make([]string, len(found))
	for i, f := range found {
		paths[i] = filepath.Join(dir, f)
	}
	return "", fmt.Errorf("%s is a workspace with %d experiments; name one of:\n\t%s", dir, len(found), strings.Join(paths, "\n\t"))
}
