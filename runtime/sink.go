package runtime

import (
	"errors"
	"io/fs"
	"os"
	"path/filepath"
	"sync"

	"github.com/expman-dev/expman/runtime/internal/metrics"
	"github.com/expman-dev/expman/runtime/internal/workspace"
)

// runSink receives a run's metrics, summaries and artifacts. executeRun opens one per run,
// hands it to the run's Trial, and closes it before writing the final run.json, whose
// summaries are what close returns.
type runSink struct {
	dir     string // the repeat folder
	metrics *metrics.Writer

	mu        sync.Mutex
	summaries map[string]float64
	closed    bool
}

// openRunSink prepares a run's metrics and summaries in the repeat folder dir. A run is
// executed from its start, so the metrics.jsonl of an earlier attempt in dir (failed,
// interrupted, killed) is removed: its points would otherwise mix with this attempt's.
// The new file is only created when the run logs its first metric.
func openRunSink(dir string) (*runSink, error) {
	path := filepath.Join(dir, metrics.FileName)
	if err := os.Remove(path); err != nil && !errors.Is(err, fs.ErrNotExist) {
		return nil, err
	}
	return &runSink{dir: dir, metrics: metrics.NewWriter(path)}, nil
}

// close flushes, syncs and closes metrics.jsonl and returns the run's summaries (nil when
// none). Metric, Summary and WriteArtifact fail with ErrRunOver afterwards, which catches
// goroutines that outlive their run. Calling close again returns nil, nil.
func (s *runSink) close() (map[string]float64, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.closed {
		return nil, nil
	}
	s.closed = true
	sums := s.summaries
	s.summaries = nil
	return sums, s.metrics.Close()
}

// summary records a final value; the last one for a name wins.
func (s *runSink) summary(name string, value float64) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.closed {
		return ErrRunOver
	}
	if s.summaries == nil {
		s.summaries = map[string]float64{}
	}
	s.summaries[name] = value
	return nil
}

// artifactsDir is the run's artifacts/ folder.
func (s *runSink) artifactsDir() string { return filepath.Join(s.dir, workspace.ArtifactsDir) }

// open reports whether the run still accepts output.
func (s *runSink) open() bool {
	s.mu.Lock()
	defer s.mu.Unlock()
	return !s.closed
}
