package results

import (
	"cmp"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"

	"github.com/expman-dev/expman/runtime/internal/metrics"
	"github.com/expman-dev/expman/runtime/internal/workspace"
	"gopkg.in/yaml.v3"
)

// File names this package reads or writes, next to those of package workspace.
const (
	SummaryFile     = "summary.json"     // trials/<trial>/summary.json
	ResultsJSONFile = "results.json"     // <experiment>/results.json
	ResultsCSVFile  = "results.csv"      // <experiment>/results.csv
	MetricsFile     = metrics.FileName   // trials/<trial>/repeat_<k>/metrics.jsonl
	LockFile        = workspace.LockFile // trials/<trial>/repeat_<k>/.lock
	TrialsFile      = "trials.yaml"      // <experiment>/configs/trials.yaml
	repeatPrefix    = "repeat_"
)

// record is run.json as this package reads it.
type record = workspace.RunRecord

// Owner is the process that holds or held a run.
type Owner = workspace.Owner

// repeatDir is one repeat_<k> folder of a trial.
type repeatDir struct {
	k   int
	dir string
}

// repeatDirs lists the repeat_<k> folders of trialDir by k. Folders whose suffix is not a
// positive integer are not runs and are skipped.
func repeatDirs(trialDir string) ([]repeatDir, error) {
	ents, err := os.ReadDir(trialDir)
	if err != nil {
		return nil, err
	}
	var out []repeatDir
	for _, e := range ents {
		rest, ok := strings.CutPrefix(e.Name(), repeatPrefix)
		if !ok || !e.IsDir() {
			continue
		}
		k, err := strconv.Atoi(rest)
		if err != nil || k < 1 || strconv.Itoa(k) != rest {
			continue
		}
		out = append(out, repeatDir{k, filepath.Join(trialDir, e.Name())})
	}
	slices.SortFunc(out, func(a, b repeatDir) int { return cmp.Compare(a.k, b.k) })
	return out, nil
}

// readRecord reads a run.json. A missing file is reported with fs.ErrNotExist.
func readRecord(path string) (*record, error) { return workspace.ReadRecord(path) }

// trialConfig is what this package needs of trials/<trial>/configs/trial.yaml.
type trialConfig struct {
	Name     string    `yaml:"name"`
	ID       int       `yaml:"id"`
	Repeat   int       `yaml:"repeat"`
	Settings yaml.Node `yaml:"settings"`
}

// readTrialConfig reads a trial.yaml; a missing file gives nil and no error.
func readTrialConfig(trialDir string) (*trialConfig, error) {
	path := filepath.Join(trialDir, workspace.ConfigsDir, workspace.TrialFile)
	data, err := os.ReadFile(path)
	if errors.Is(err, fs.ErrNotExist) {
		return nil, nil
	}
	if err != nil {
		return nil, err
	}
	var tc trialConfig
	if err := yaml.Unmarshal(data, &tc); err != nil {
		return nil, fmt.Errorf("%s: %w", path, err)
	}
	return &tc, nil
}

// plannedTrial is one entry of configs/trials.yaml.
type plannedTrial struct {
	Name   string `yaml:"name"`
	ID     int    `yaml:"id"`
	Repeat int    `yaml:"repeat"`
	// Sweep and Zip are only tested for presence: an entry with either is a sweep, whose
	// points are the trials "<name>/<point>", and not a trial itself.
	Sweep yaml.Node `yaml:"sweep"`
	Zip   yaml.Node `yaml:"zip"`
}

// isSweep reports whether the entry expands into sweep points.
func (p plannedTrial) isSweep() bool { return p.Sweep.Kind != 0 || p.Zip.Kind != 0 }

// readPlan reads the experiment's configs/trials.yaml: the trials in the user's order and
// their repeat counts (1 when not given). A missing file gives nil and no error.
func readPlan(expDir string) ([]plannedTrial, error) {
	path := filepath.Join(expDir, workspace.ConfigsDir, TrialsFile)
	data, err := os.ReadFile(path)
	if errors.Is(err, fs.ErrNotExist) {
		return nil, nil
	}
	if err != nil {
		return nil, err
	}
	var plan []plannedTrial
	if err := yaml.Unmarshal(data, &plan); err != nil {
		return nil, fmt.Errorf("%s: %w", path, err)
	}
	for i := range plan {
		if plan[i].Repeat < 1 {
			plan[i].Repeat = 1
		}
	}
	return plan, nil
}
