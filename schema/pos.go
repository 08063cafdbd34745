package schema

import (
	"cmp"
	"fmt"
	"slices"
	"strings"
)

// Pos is a position in a config file. Line and Col are 1-based; zero means unknown,
// in which case only the parts that are known are printed.
type Pos struct {
	File string // path relative to the config folder, e.g. "trials.yaml"
	Line int
	Col  int
}

// String formats p the way compilers do: "file:line:col".
func (p Pos) String() string {
	switch {
	case p.Line == 0:
		return p.File
	case p.Col == 0:
		return fmt.Sprintf("%s:%d", p.File, p.Line)
	default:
		return fmt.Sprintf("%s:%d:%d", p.File, p.Line, p.Col)
	}
}

// IsValid reports whether p names a line.
func (p Pos) IsValid() bool { return p.Line > 0 }

// Compare orders positions by file, line and column.
func (p Pos) Compare(q Pos) int {
	if c := strings.Compare(p.File, q.File); c != 0 {
		return c
	}
	if c := cmp.Compare(p.Line, q.Line); c != 0 {
		return c
	}
	return cmp.Compare(p.Col, q.Col)
}

// Error is one problem in the user's input, at a position.
// Msg says what is wrong and, where it can, what would be right.
type Error struct {
	Pos Pos
	Msg string
}

func (e *Error) Error() string {
	if e.Pos.File == "" {
		return e.Msg
	}
	return e.Pos.String() + ": " + e.Msg
}

// Errorf returns an Error at pos.
func Errorf(pos Pos, format string, args ...any) *Error {
	return &Error{Pos: pos, Msg: fmt.Sprintf(format, args...)}
}

// ErrorList collects every problem found in one pass, so a user fixes them all at once.
// Its zero value is ready to use.
type ErrorList []*Error

// Add appends an error at pos.
func (l *ErrorList) Add(pos Pos, format string, args ...any) {
	*l = append(*l, Errorf(pos, format, args...))
}

// Append adds the errors of err: an ErrorList, an *Error, or any other error (without position).
func (l *ErrorList) Append(err error) {
	switch e := err.(type) {
	case nil:
	case ErrorList:
		*l = append(*l, e...)
	case *Error:
		*l = append(*l, e)
	default:
		*l = append(*l, &Error{Msg: err.Error()})
	}
}

// Sort orders the list by position, then message, and drops exact duplicates.
func (l *ErrorList) Sort() {
	slices.SortStableFunc(*l, func(a, b *Error) int {
		if c := a.Pos.Compare(b.Pos); c != 0 {
			return c
		}
		return strings.Compare(a.Msg, b.Msg)
	})
	*l = slices.CompactFunc(*l, func(a, b *Error) bool { return a.Pos == b.Pos && a.Msg == b.Msg })
}

// Err returns nil for an empty list and the sorted list otherwise.
func (l ErrorList) Err() error {
	if len(l) == 0 {
		return nil
	}
	l.Sort()
	return l
}

// Error prints one error a line, then a count when there is more than one.
func (l ErrorList) Error() string {
	var b strings.Builder
	for i, e := range l {
		if i > 0 {
			b.WriteByte('\n')
		}
		b.WriteString(e.Error())
	}
	if len(l) > 1 {
		fmt.Fprintf(&b, "\n%d errors", len(l))
	}
	return b.String()
}
