package runtime

import (
	"path/filepath"

	"github.com/expman-dev/expman/runtime/internal/workspace"
)

// ArtifactsDir is this repeat's artifacts/ folder: files the run produces.
func (t *Trial[S]) ArtifactsDir() string { return filepath.Join(t.Dir, workspace.ArtifactsDir) }

// LogsDir is this repeat's logs/ folder; its run.log holds the run's records.
func (t *Trial[S]) LogsDir() string { return filepath.Join(t.Dir, workspace.LogsDir) }

// TrialDir is the trial's folder, shared by its repeats.
func (t *Trial[S]) TrialDir() string { return filepath.Dir(t.Dir) }

// RunName is "trial#repeat", the name the console, the logs and RunError use.
func (t *Trial[S]) RunName() string { return RunRef{Trial: t.Name, Repeat: t.Repeat}.String() }
