// Package runlog wires log/slog for experiments: append-only log files shared by many
// loggers, a handler that sends each record to several handlers, and a compact console
// handler for people.
//
// Files use slog's text format (logfmt: time=... level=... msg=... key=value), one record a
// line; a value with newlines, such as a stack, is quoted on that line, so every line is one
// whole record and a reader can tolerate a partial last line after a crash. All handlers are
// safe for concurrent use and write each record with a single Write call under a lock, so
// records of parallel runs never interleave within a line.
package runlog

import (
	"context"
	"errors"
	"log/slog"
	"os"
	"sync"
)

// File is an append-only log file. Every handler derived from its Handler writes to it
// under one lock.
type File struct {
	mu   sync.Mutex
	f    *os.File
	h    slog.Handler
	path string
}

// Open opens (creating, or appending to) the log file at path; records below level are
// dropped.
func Open(path string, level slog.Leveler) (*File, error) {
	f, err := os.OpenFile(path, os.O_WRONLY|os.O_CREATE|os.O_APPEND, 0o644)
	if err != nil {
		return nil, err
	}
	lf := &File{f: f, path: path}
	lf.h = slog.NewTextHandler(lf, &slog.HandlerOptions{Level: level})
	return lf, nil
}

// Handler returns the handler that writes to the file.
func (f *File) Handler() slog.Handler { return f.h }

// Path is where the file is.
func (f *File) Path() string { return f.path }

// Write appends one formatted record. Holding the lock across the write keeps records
// whole even when several handler trees share the file.
func (f *File) Write(p []byte) (int, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	if f.f == nil {
		return 0, os.ErrClosed
	}
	return f.f.Write(p)
}

// Close closes the file. Records logged afterwards are dropped (their Write fails with
// os.ErrClosed), so a goroutine a trial left behind cannot corrupt anything.
func (f *File) Close() error {
	f.mu.Lock()
	defer f.mu.Unlock()
	if f.f == nil {
		return nil
	}
	err := f.f.Close()
	f.f = nil
	return err
}

// Fanout returns a handler that passes each record to every one of hs that is enabled for
// its level. Nil handlers are skipped.
func Fanout(hs ...slog.Handler) slog.Handler {
	out := make(fanout, 0, len(hs))
	for _, h := range hs {
		if h != nil {
			out = append(out, h)
		}
	}
	return out
}

type fanout []slog.Handler

func (f fanout) Enabled(ctx context.Context, l slog.Level) bool {
	for _, h := range f {
		if h.Enabled(ctx, l) {
			return true
		}
	}
	return false
}

func (f fanout) Handle(ctx context.Context, r slog.Record) error {
	var errs []error
	for _, h := range f {
		if h.Enabled(ctx, r.Level) {
			// Clone: a handler may keep or modify the record's attributes.
			if err := h.Handle(ctx, r.Clone()); err != nil {
				errs = append(errs, err)
			}
		}
	}
	return errors.Join(errs...)
}

func (f fanout) WithAttrs(as []slog.Attr) slog.Handler {
	out := make(fanout, len(f))
	for i, h := range f {
		out[i] = h.WithAttrs(as)
	}
	return out
}

func (f fanout) WithGroup(name string) slog.Handler {
	out := make(fanout, len(f))
	for i, h := range f {
		out[i] = h.WithGroup(name)
	}
	return out
}
