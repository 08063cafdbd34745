package runtime

import (
	"errors"
	"fmt"
	"math"

	"github.com/expman-dev/expman/runtime/internal/metrics"
)

// ErrNotInRun is the error of Metric, Summary, ArtifactPath and WriteArtifact on a Trial
// that Run did not create (such as a zero Trial in a test): there is no run folder to
// write to.
var ErrNotInRun = errors.New("this Trial is not part of a run; only the Trial that Run passes to the trial function can record metrics, summaries and artifacts")

// ErrRunOver is the error of Metric, Summary and WriteArtifact after the run's function
// returned, typically from a goroutine it left running: the run's record is final.
var ErrRunOver = errors.New("the run is over; its metrics, summaries and record are final")

// ErrNotFinite is the error for a NaN or infinite metric or summary value, which JSON, and
// so metrics.jsonl and run.json, cannot hold. Nothing is recorded.
var ErrNotFinite = metrics.ErrNotFinite

// NameError is a metric, summary or artifact name that cannot be used. Nothing is written.
type NameError struct {
	Kind   string // "metric", "summary" or "artifact"
	Name   string
	Reason string // what is wrong and what would be right
}

func (e *NameError) Error() string { return fmt.Sprintf("%s name %q %s", e.Kind, e.Name, e.Reason) }

// Point is one metric of a step logged with Metrics; M makes one.
type Point struct {
	Name  string
	Value float64
}

// M returns the Point name=value, for Metrics.
func M(name string, value float64) Point { return Point{Name: name, Value: value} }

// Metric appends the point (name, step, value) to the run's metrics.jsonl, stamped with
// the wall time:
//
//	{"name":"loss","step":3,"value":0.25,"time":1764244800.123456}
//
// The name must be 1 to 128 ASCII letters, digits, '_', '-', '.' or ':', starting with a
// letter, digit or '_' (no '/': use "val.loss" or "val:loss"); otherwise Metric returns a
// *NameError. A NaN or infinite value returns an error wrapping ErrNotFinite. Steps are
// the caller's: any int, including negative ones, in any order. Nothing is written when
// Metric returns an error.
//
// Points are buffered and reach the file within about a second, and at the end of the
// run, so a crash loses at most the last second. Metric is safe to call from several
// goroutines and does not allocate.
func (t *Trial[S]) Metric(name string, step int, value float64) error {
	if t.sink == nil {
		return fmt.Errorf("metric %q: %w", name, ErrNotInRun)
	}
	return t.sink.metricError(t.sink.metrics.Write(name, step, value), "metric")
}

// Metrics logs several metrics of one step at once, all with the same time, as Metric
// would one by one:
//
//	t.Metrics(step, runtime.M("loss", loss), runtime.M("acc", acc))
//
// If any point is bad, none is written. Like Metric, it does not allocate.
func (t *Trial[S]) Metrics(step int, points ...Point) error {
	if t.sink == nil {
		return fmt.Errorf("metrics: %w", ErrNotInRun)
	}
	err := t.sink.metrics.WriteBatch(step, len(points), func(i int) (string, float64) {
		return points[i].Name, points[i].Value
	})
	return t.sink.metricError(err, "metric")
}

// Summary records a final value of the run, such as a test accuracy: the last value
// given for a name wins. Summaries go to the run's run.json, under "summaries", when the
// run ends, and into the results across repeats, where a summary wins over a metric of
// the same name. Names follow Metric's rule; a NaN or infinite value is refused.
func (t *Trial[S]) Summary(name string, value float64) error {
	if t.sink == nil {
		return fmt.Errorf("summary %q: %w", name, ErrNotInRun)
	}
	if err := metrics.CheckName(name); err != nil {
		return t.sink.metricError(err, "summary")
	}
	if math.IsNaN(value) || math.IsInf(value, 0) {
		return fmt.Errorf("summary %q: %v: %w", name, value, ErrNotFinite)
	}
	return t.sink.summary(name, value)
}

// metricError turns an error of the metrics package into one of this package's.
func (s *runSink) metricError(err error, kind string) error {
	if err == nil {
		return nil
	}
	var ne *metrics.NameError
	switch {
	case errors.As(err, &ne):
		return &NameError{Kind: kind, Name: ne.Name, Reason: ne.Reason}
	case errors.Is(err, metrics.ErrClosed):
		return ErrRunOver
	case errors.Is(err, ErrNotFinite):
		return fmt.Errorf("%s %w", kind, err)
	}
	return fmt.Errorf("%s cannot be recorded: %w", kind, err) // the error names the file
}
