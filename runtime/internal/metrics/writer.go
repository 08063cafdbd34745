package metrics

import (
	"bufio"
	"errors"
	"fmt"
	"math"
	"os"
	"strconv"
	"sync"
	"time"
)

// FileName is the name of a run's metrics file in its repeat folder.
const FileName = "metrics.jsonl"

// FlushInterval is the longest a written point waits in the buffer.
const FlushInterval = time.Second

// BufferSize is the write buffer: 64 KiB, about a thousand points. A point costs its share
// of a write(2), so a larger buffer makes points cheaper; the flusher still writes it out
// at least once a FlushInterval.
const BufferSize = 64 << 10

// ErrNotFinite is the error for a NaN or infinite value, which JSON cannot hold.
var ErrNotFinite = errors.New("value is not a finite number; JSON cannot hold NaN or ±Inf")

// ErrClosed is the error of a Write after Close.
var ErrClosed = errors.New("metrics file is closed")

// Writer appends points to a metrics file. Its zero value is not usable; see NewWriter.
type Writer struct {
	path string

	mu        sync.Mutex
	f         *os.File // nil until the first point
	buf       *bufio.Writer
	line      []byte // reused to encode a line
	clock     clock
	lastFlush time.Duration // when buf was last flushed, since clock.start
	err       error         // first write error; every later call returns it
	closed    bool
	stop      chan struct{} // closed by Close to stop the flusher
	done      chan struct{} // closed by the flusher when it returns
}

// NewWriter returns a writer that appends to the file at path, creating it on the first
// point. Its folder must exist by then. Call Close when done.
func NewWriter(path string) *Writer { return &Writer{path: path} }

// Path is the file the writer appends to.
func (w *Writer) Path() string { return w.path }

// Write appends one point, stamped with the current wall time. A bad name or value is
// refused (see CheckName and ErrNotFinite) and nothing is written.
func (w *Writer) Write(name string, step int, value float64) error {
	if err := checkPoint(name, value); err != nil {
		return err
	}
	w.mu.Lock()
	defer w.mu.Unlock()
	if err := w.ready(); err != nil {
		return err
	}
	now := w.clock.now()
	w.line = w.clock.appendLine(w.line[:0], name, step, value, now)
	return w.put(now)
}

// WriteBatch appends n points of one step, all stamped with the same wall time; point(i)
// returns the name and value of point i. The points are written together, without lines
// of other goroutines between them, or, when any is bad, none is written. point is called
// twice per point and must return the same both times.
func (w *Writer) WriteBatch(step, n int, point func(i int) (name string, value float64)) error {
	for i := range n {
		if err := checkPoint(point(i)); err != nil {
			return err
		}
	}
	if n == 0 {
		return nil
	}
	w.mu.Lock()
	defer w.mu.Unlock()
	if err := w.ready(); err != nil {
		return err
	}
	now := w.clock.now()
	w.line = w.line[:0]
	for i := range n {
		name, value := point(i)
		w.line = w.clock.appendLine(w.line, name, step, value, now)
	}
	return w.put(now)
}

func checkPoint(name string, value float64) error {
	if err := CheckName(name); err != nil {
		return err
	}
	if math.IsNaN(value) || math.IsInf(value, 0) {
		return fmt.Errorf("%q: %v: %w", name, value, ErrNotFinite)
	}
	return nil
}

// ready opens the file on the first point and reports whether the writer can take one.
// Called with w.mu held.
func (w *Writer) ready() error {
	switch {
	case w.err != nil:
		return w.err
	case w.closed:
		return ErrClosed
	case w.f != nil:
		return nil
	}
	f, err := os.OpenFile(w.path, os.O_WRONLY|os.O_CREATE|os.O_APPEND, 0o644)
	if err != nil {
		w.err = err
		return err
	}
	w.f = f
	w.buf = bufio.NewWriterSize(f, BufferSize)
	w.line = make([]byte, 0, 256)
	w.clock.init()
	w.stop, w.done = make(chan struct{}), make(chan struct{})
	go w.flusher(w.stop, w.done)
	return nil
}

// put buffers w.line and flushes when the last flush is FlushInterval old, so that a busy
// writer keeps the file current without waiting for the flusher. Called with w.mu held.
func (w *Writer) put(now time.Duration) error {
	if _, err := w.buf.Write(w.line); err != nil {
		w.err = err
		return err
	}
	if now-w.lastFlush >= FlushInterval {
		return w.flush(now)
	}
	return nil
}

// flush writes the buffer to the file. Called with w.mu held.
func (w *Writer) flush(now time.Duration) error {
	w.lastFlush = now
	if err := w.buf.Flush(); err != nil {
		w.err = err
		return err
	}
	return nil
}

// flusher flushes points that an idle writer left in the buffer and keeps the clock in
// step with the wall clock. It runs twice per FlushInterval so that no point waits much
// longer than FlushInterval.
func (w *Writer) flusher(stop <-chan struct{}, done chan<- struct{}) {
	defer close(done)
	tick := time.NewTicker(FlushInterval / 2)
	defer tick.Stop()
	for {
		select {
		case <-stop:
			return
		case <-tick.C:
			w.mu.Lock()
			w.clock.sync()
			if w.err == nil && w.buf.Buffered() > 0 {
				w.flush(w.clock.now()) // the error is kept in w.err for the next call
			}
			w.mu.Unlock()
		}
	}
}

// Close flushes the buffer, fsyncs the file (when a point was written, so that a run's
// metrics survive a power loss like its final record), closes it and stops the flusher.
// It returns the first error the writer met. Calling it again returns nil.
func (w *Writer) Close() error {
	w.mu.Lock()
	if w.closed {
		w.mu.Unlock()
		return nil
	}
	w.closed = true
	stop, done := w.stop, w.done
	w.mu.Unlock()
	if stop == nil {
		return w.err // never opened: no file, no flusher
	}
	// The flusher takes w.mu, so it is stopped without holding it.
	close(stop)
	<-done

	w.mu.Lock()
	defer w.mu.Unlock()
	err := w.err
	if err == nil {
		err = w.buf.Flush()
	}
	if err == nil {
		err = w.f.Sync()
	}
	return errors.Join(err, w.f.Close())
}

// appendFloat formats v like encoding/json: the shortest text that reads back as v,
// in plain notation unless v is very small or very large.
func appendFloat(b []byte, v float64) []byte {
	abs := math.Abs(v)
	format := byte('f')
	if abs != 0 && (abs < 1e-6 || abs >= 1e21) {
		format = 'e'
	}
	b = strconv.AppendFloat(b, v, format, -1, 64)
	if format == 'e' {
		// 1e-07 reads better, and as encoding/json writes it, as 1e-7.
		if n := len(b); n >= 4 && b[n-4] == 'e' && b[n-3] == '-' && b[n-2] == '0' {
			b[n-2] = b[n-1]
			b = b[:n-1]
		}
	}
	return b
}
