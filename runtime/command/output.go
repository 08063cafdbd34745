package command

import (
	"bytes"
	"errors"
	"io"
	"os"
	"sync"

	"github.com/expman-dev/expman/runtime"
)

// maxLine bounds a line kept in memory: longer ones are cut into pieces of this size.
const maxLine = 64 << 10

// copyOutput copies one of the child's output pipes into its log file and, line by line,
// into the console (prefixed) and tail (when not nil), until the pipe ends.
func (c *Command) copyOutput(t *runtime.Trial[map[string]any], r *os.File, log *os.File, console io.Writer, prefix string, tail *tail) {
	var sinks []func([]byte)
	if console != nil {
		sinks = append(sinks, func(line []byte) { c.consoleLine(console, prefix, line) })
	}
	if tail != nil {
		sinks = append(sinks, tail.add)
	}
	split := lineSplitter{emit: func(line []byte) {
		for _, s := range sinks {
			s(line)
		}
	}}
	buf := make([]byte, 32<<10)
	logFailed := false
	for {
		n, err := r.Read(buf)
		if n > 0 {
			if _, werr := log.Write(buf[:n]); werr != nil && !logFailed {
				// Keep reading: a full disk must not block the child on a full pipe.
				logFailed = true
				t.Logger.Warn("cannot write the command's output log", "file", log.Name(), "error", werr)
			}
			split.write(buf[:n])
		}
		if err != nil {
			if !errors.Is(err, io.EOF) && !errors.Is(err, os.ErrDeadlineExceeded) {
				t.Logger.Warn("cannot read the command's output", "error", err)
			}
			break
		}
	}
	split.flush()
}

// consoleLine writes one whole line, so that lines of parallel runs never mix.
func (c *Command) consoleLine(w io.Writer, prefix string, line []byte) {
	out := make([]byte, 0, len(prefix)+len(line)+1)
	out = append(append(append(out, prefix...), line...), '\n')
	c.consoleMu.Lock()
	defer c.consoleMu.Unlock()
	w.Write(out)
}

// lineSplitter hands out whole lines (without the newline or a carriage return before
// it) from a stream written in arbitrary pieces.
type lineSplitter struct {
	buf  []byte
	emit func(line []byte)
}

func (s *lineSplitter) write(p []byte) {
	for len(p) > 0 {
		i := bytes.IndexByte(p, '\n')
		if i < 0 {
			s.buf = append(s.buf, p...)
			for len(s.buf) >= maxLine {
				s.emit(s.buf[:maxLine])
				s.buf = append(s.buf[:0], s.buf[maxLine:]...)
			}
			return
		}
		if len(s.buf) == 0 {
			s.emit(bytes.TrimSuffix(p[:i], []byte("\r")))
		} else {
			s.buf = append(s.buf, p[:i]...)
			s.emit(bytes.TrimSuffix(s.buf, []byte("\r")))
			s.buf = s.buf[:0]
		}
		p = p[i+1:]
	}
}

// flush hands out the last line when the stream did not end with a newline.
func (s *lineSplitter) flush() {
	if len(s.buf) > 0 {
		s.emit(s.buf)
		s.buf = s.buf[:0]
	}
}

// tail keeps the last n lines of a stream, each cut to maxTailLine bytes.
type tail struct {
	mu    sync.Mutex
	n     int
	ring  []string
	start int
}

const maxTailLine = 1000

func newTail(n int) *tail { return &tail{n: n} }

func (t *tail) add(line []byte) {
	if len(line) > maxTailLine {
		line = append(line[:maxTailLine:maxTailLine], "..."...)
	}
	t.mu.Lock()
	defer t.mu.Unlock()
	if len(t.ring) < t.n {
		t.ring = append(t.ring, string(line))
		return
	}
	t.ring[t.start] = string(line)
	t.start = (t.start + 1) % t.n
}

func (t *tail) lines() []string {
	t.mu.Lock()
	defer t.mu.Unlock()
	out := append([]string(nil), t.ring[t.start:]...)
	return append(out, t.ring[:t.start]...)
}
