package runlog

import (
	"context"
	"io"
	"log/slog"
	"strconv"
	"strings"
	"sync"
	"time"
)

// Attribute keys the console treats specially: experiment is the same on every line and
// left out; trial and repeat become the "trial#repeat" column.
const (
	KeyExperiment = "experiment"
	KeyTrial      = "trial"
	KeyRepeat     = "repeat"
)

// Console is a handler for people at a terminal. A line reads
//
//	15:04:05 INFO  small_network#2 epoch done loss=0.25 acc=0.9
//
// Values with newlines (a stack) follow the line, indented, so they stay readable.
type Console struct {
	mu     *sync.Mutex // shared by every handler derived from one NewConsole
	w      io.Writer
	level  slog.Leveler
	run    string // "trial#repeat", from attributes added with WithAttrs
	attrs  string // preformatted " key=value" pairs
	blocks []string
	group  string // prefix for keys, "a.b."
	omit   map[string]bool
}

// NewConsole returns a console handler writing to w records at level or above.
func NewConsole(w io.Writer, level slog.Leveler) *Console {
	return &Console{mu: new(sync.Mutex), w: w, level: level}
}

// Omitting returns a console like c that leaves out records below WARN whose message is
// one of msgs. The runtime uses it for the routine "run started" and "run completed"
// records when a progress display on the same writer already shows them; warnings and
// errors always appear. Log files are not affected.
func (c *Console) Omitting(msgs ...string) *Console {
	d := *c
	d.omit = make(map[string]bool, len(c.omit)+len(msgs))
	for m := range c.omit {
		d.omit[m] = true
	}
	for _, m := range msgs {
		d.omit[m] = true
	}
	return &d
}

// Enabled reports whether l is at or above the console's level.
func (c *Console) Enabled(_ context.Context, l slog.Level) bool { return l >= c.level.Level() }

// Handle writes r as one line (plus indented multi-line values).
func (c *Console) Handle(_ context.Context, r slog.Record) error {
	if r.Level < slog.LevelWarn && c.omit[r.Message] {
		return nil
	}
	var b strings.Builder
	if !r.Time.IsZero() {
		b.WriteString(r.Time.Format(time.TimeOnly))
		b.WriteByte(' ')
	}
	lvl := r.Level.String()
	b.WriteString(lvl)
	b.WriteString(strings.Repeat(" ", max(1, 6-len(lvl))))
	run, attrs, blocks := c.run, c.attrs, c.blocks
	var tail strings.Builder
	tail.WriteString(attrs)
	r.Attrs(func(a slog.Attr) bool {
		run, blocks = c.appendAttr(&tail, run, blocks, c.group, a)
		return true
	})
	if run != "" {
		b.WriteString(run)
		b.WriteByte(' ')
	}
	b.WriteString(r.Message)
	b.WriteString(tail.String())
	b.WriteByte('\n')
	for _, blk := range blocks {
		b.WriteString(blk)
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	_, err := io.WriteString(c.w, b.String())
	return err
}

// WithAttrs returns a handler that adds as to every record.
func (c *Console) WithAttrs(as []slog.Attr) slog.Handler {
	d := *c
	var b strings.Builder
	b.WriteString(c.attrs)
	d.blocks = append([]string(nil), c.blocks...)
	for _, a := range as {
		d.run, d.blocks = d.appendAttr(&b, d.run, d.blocks, c.group, a)
	}
	d.attrs = b.String()
	return &d
}

// WithGroup returns a handler that qualifies later keys with name.
func (c *Console) WithGroup(name string) slog.Handler {
	if name == "" {
		return c
	}
	d := *c
	d.group = c.group + name + "."
	return &d
}

// appendAttr formats a as " key=value" into b, or takes it as the run's name, or adds it as
// a block. It returns the (possibly updated) run name and blocks.
func (c *Console) appendAttr(b *strings.Builder, run string, blocks []string, group string, a slog.Attr) (string, []string) {
	a.Value = a.Value.Resolve()
	if a.Equal(slog.Attr{}) {
		return run, blocks
	}
	if a.Value.Kind() == slog.KindGroup {
		prefix := group
		if a.Key != "" {
			prefix += a.Key + "."
		}
		for _, ga := range a.Value.Group() {
			run, blocks = c.appendAttr(b, run, blocks, prefix, ga)
		}
		return run, blocks
	}
	if group == "" {
		switch a.Key {
		case KeyExperiment:
			return run, blocks
		case KeyTrial:
			return a.Value.String() + repeatOf(run), blocks
		case KeyRepeat:
			return trialOf(run) + "#" + a.Value.String(), blocks
		}
	}
	v := formatValue(a.Value)
	if strings.Contains(v, "\n") {
		return run, append(blocks, indent(group+a.Key+":", v))
	}
	b.WriteByte(' ')
	b.WriteString(group + a.Key)
	b.WriteByte('=')
	b.WriteString(quoteIfNeeded(v))
	return run, blocks
}

func trialOf(run string) string {
	t, _, _ := strings.Cut(run, "#")
	return t
}

func repeatOf(run string) string {
	if i := strings.IndexByte(run, '#'); i >= 0 {
		return run[i:]
	}
	return ""
}

func formatValue(v slog.Value) string {
	switch v.Kind() {
	case slog.KindTime:
		return v.Time().Format(time.RFC3339)
	case slog.KindDuration:
		return v.Duration().String()
	}
	return v.String()
}

func quoteIfNeeded(s string) string {
	if s == "" || strings.ContainsAny(s, " =\"\t") || !strconv.CanBackquote(s) {
		return strconv.Quote(s)
	}
	return s
}

func indent(title, text string) string {
	var b strings.Builder
	b.WriteString("    ")
	b.WriteString(title)
	b.WriteByte('\n')
	for line := range strings.Lines(strings.TrimRight(text, "\n")) {
		b.WriteString("        ")
		b.WriteString(strings.TrimRight(line, "\n"))
		b.WriteByte('\n')
	}
	return b.String()
}
