package command

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"math"
	"os"
	"time"

	"github.com/expman-dev/expman/runtime"
)

// maxWarnings bounds the warnings about bad metric lines one run logs; the rest are
// counted.
const maxWarnings = 20

// metricsReader follows the child's metrics file and records each line through the run.
type metricsReader struct {
	t      *runtime.Trial[map[string]any]
	f      *os.File
	offset int64  // bytes read so far
	buf    []byte // the start of a line not yet complete
	line   int    // number of the last line handled, 1-based
	bad    int    // lines ignored
}

// metricLine is one line of the protocol. Other fields are ignored.
type metricLine struct {
	Name    string   `json:"name"`
	Step    *float64 `json:"step"`
	Value   *float64 `json:"value"`
	Summary bool     `json:"summary"`
}

// follow reads the file every poll until stop is closed, then reads the rest, a last line
// without newline included: the child has ended, so the line is as complete as it gets.
func (m *metricsReader) follow(stop <-chan struct{}, poll time.Duration) {
	tick := time.NewTicker(poll)
	defer tick.Stop()
	for {
		select {
		case <-tick.C:
			m.read(false)
		case <-stop:
			m.read(true)
			if m.bad > maxWarnings {
				m.t.Logger.Warn("more metrics lines ignored", "file", MetricsFile, "count", m.bad-maxWarnings)
			}
			return
		}
	}
}

// read handles the complete lines appended since the last read.
func (m *metricsReader) read(final bool) {
	if fi, err := m.f.Stat(); err == nil && fi.Size() < m.offset {
		m.t.Logger.Warn("metrics file was truncated; reading it again from the start (open it for appending, mode \"a\")", "file", MetricsFile)
		m.offset, m.buf = 0, m.buf[:0]
	}
	chunk := make([]byte, 32<<10)
	for {
		n, err := m.f.ReadAt(chunk, m.offset)
		m.offset += int64(n)
		m.buf = append(m.buf, chunk[:n]...)
		if err != nil || n == 0 {
			if err != nil && !errors.Is(err, io.EOF) {
				m.t.Logger.Warn("cannot read the metrics file", "file", MetricsFile, "error", err)
			}
			break
		}
	}
	rest := m.buf
	for {
		i := bytes.IndexByte(rest, '\n')
		if i < 0 {
			break
		}
		m.handle(rest[:i])
		rest = rest[i+1:]
	}
	m.buf = append(m.buf[:0], rest...)
	if final && len(m.buf) > 0 {
		m.handle(m.buf)
		m.buf = m.buf[:0]
	}
}

// handle records one line; a line that is not a valid point is a warning, not a failure.
func (m *metricsReader) handle(line []byte) {
	m.line++
	line = bytes.TrimSpace(line)
	if len(line) == 0 {
		return
	}
	if err := m.record(line); err != nil {
		m.bad++
		if m.bad <= maxWarnings {
			m.t.Logger.Warn("metrics line ignored", "file", MetricsFile, "line", m.line, "error", err.Error())
		}
	}
}

func (m *metricsReader) record(line []byte) error {
	var p metricLine
	if err := json.Unmarshal(line, &p); err != nil {
		return fmt.Errorf("want a JSON object such as {\"name\":\"loss\",\"step\":3,\"value\":0.25}: %v", err)
	}
	if p.Value == nil {
		return errors.New(`"value" is missing; want a number`)
	}
	if p.Summary {
		return m.t.Summary(p.Name, *p.Value)
	}
	if p.Step == nil {
		return errors.New(`"step" is missing; want a whole number, or "summary": true for a final value`)
	}
	step := *p.Step
	if step != math.Trunc(step) || math.Abs(step) > 1<<53 {
		return fmt.Errorf(`"step" is %v; want a whole number`, step)
	}
	return m.t.Metric(p.Name, int(step), *p.Value)
}
