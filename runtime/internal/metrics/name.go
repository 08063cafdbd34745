package metrics

import (
	"fmt"
	"unicode/utf8"
)

// MaxNameLen is the longest name, in bytes.
const MaxNameLen = 128

// NameError is a name that CheckName refused.
type NameError struct {
	Name   string
	Reason string // what is wrong and what would be right
}

func (e *NameError) Error() string { return fmt.Sprintf("name %q %s", e.Name, e.Reason) }

// wantName says what a good name looks like; every NameError ends with it.
const wantName = "want 1 to 128 ASCII letters, digits, '_', '-', '.' or ':', starting with a letter, digit or '_'"

// CheckName returns nil if name may name a metric or a summary, a *NameError otherwise.
// A good name is 1 to MaxNameLen ASCII letters, digits, '_', '-', '.' or ':' that starts
// with a letter, a digit or '_' ("loss", "val.acc", "eval:top-5"). The rule keeps names
// usable as JSON strings without escaping, as CSV column names and as file names, and
// leaves out '/' so that no name ever looks like a path. It does not allocate when name is
// good.
func CheckName(name string) error {
	if name == "" {
		return &NameError{Name: name, Reason: "is empty; " + wantName}
	}
	if len(name) > MaxNameLen {
		return &NameError{Name: name, Reason: fmt.Sprintf("is %d bytes long; %s", len(name), wantName)}
	}
	if !nameStart(name[0]) {
		return &NameError{Name: name, Reason: fmt.Sprintf("starts with %s; %s", describe(name, 0), wantName)}
	}
	for i := 1; i < len(name); i++ {
		if !nameByte(name[i]) {
			return &NameError{Name: name, Reason: fmt.Sprintf("has %s at byte %d; %s", describe(name, i), i, wantName)}
		}
	}
	return nil
}

func nameStart(c byte) bool {
	return 'a' <= c && c <= 'z' || 'A' <= c && c <= 'Z' || '0' <= c && c <= '9' || c == '_'
}

func nameByte(c byte) bool { return nameStart(c) || c == '-' || c == '.' || c == ':' }

// describe names the character at byte i of s for an error message.
func describe(s string, i int) string {
	r, _ := utf8.DecodeRuneInString(s[i:])
	switch r {
	case '/', '\\':
		return fmt.Sprintf("a path separator %q", r)
	case ' ':
		return "a space"
	}
	if r < 0x20 || r == 0x7f {
		return fmt.Sprintf("a control character %U", r)
	}
	if r == utf8.RuneError {
		return fmt.Sprintf("an invalid UTF-8 byte %#x", s[i])
	}
	return fmt.Sprintf("%q", r)
}
