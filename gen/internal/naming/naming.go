// Package naming turns setting keys and enum values into Go identifiers.
//
// A key is split into words at every character that is not a letter or digit
// (snake_case, kebab-case, dotted.keys, spaces) and at case changes (camelCase,
// HTTPServer). Each word is then capitalised, common initialisms are written in
// upper case as Go style asks (id -> ID, url -> URL), and a name that would not
// start with an upper-case letter is prefixed with X, so every result is an
// exported identifier. Go keywords are all lower case, so no result is a keyword.
//
// The functions are pure; deciding what to do when two keys map to one name is
// the caller's job (package model reports it as a positioned error).
package naming

import (
	"strings"
	"unicode"
	"unicode/utf8"
)

// initialisms are written all upper case in Go names (see Go Code Review Comments,
// "Initialisms"). Keys are compared in lower case.
var initialisms = map[string]bool{
	"acl": true, "api": true, "ascii": true, "cpu": true, "css": true, "csv": true,
	"db": true, "dns": true, "eof": true, "gpu": true, "guid": true, "html": true, "http": true,
	"https": true, "id": true, "io": true, "ip": true, "json": true, "lhs": true,
	"mlp": true, "qps": true, "ram": true, "rhs": true, "rpc": true, "sla": true,
	"smtp": true, "sql": true, "ssh": true, "tcp": true, "tls": true, "ttl": true,
	"udp": true, "ui": true, "uid": true, "uri": true, "url": true, "utf8": true,
	"uuid": true, "vm": true, "xml": true, "xmpp": true, "xsrf": true, "xss": true,
	"yaml": true, "toml": true,
}

// IsInitialism reports whether word (any case) is written all upper case in Go names.
func IsInitialism(word string) bool { return initialisms[strings.ToLower(word)] }

// Exported returns the exported Go identifier for a setting key:
// "model_type" -> "ModelType", "user_id" -> "UserID", "learningRate" -> "LearningRate",
// "2d" -> "X2d". A key without letters or digits yields "X".
func Exported(key string) string {
	name := join(Words(key))
	if r, _ := utf8.DecodeRuneInString(name); !unicode.IsUpper(r) {
		// A digit, a letter without case, or nothing at all: an identifier must start
		// with a letter, and an exported one with an upper-case letter.
		name = "X" + name
	}
	return name
}

func join(words []string) string {
	var b strings.Builder
	for _, w := range words {
		b.WriteString(word(w))
	}
	return b.String()
}

// word capitalises one word: initialisms in upper case, all-caps words (DEBUG) in title
// case so that constants read LogLevelDebug, and anything else with its first letter raised.
func word(w string) string {
	if IsInitialism(w) {
		return strings.ToUpper(w)
	}
	if strings.ToUpper(w) == w {
		w = strings.ToLower(w)
	}
	r, size := utf8.DecodeRuneInString(w)
	return string(unicode.ToUpper(r)) + w[size:]
}

// Words splits key into words at non-alphanumeric characters and at case changes:
// "hidden_layers" -> [hidden layers], "learningRate" -> [learning Rate],
// "HTTPServer" -> [HTTP Server], "conv2d" -> [conv2d].
func Words(key string) []string {
	var words []string
	for _, part := range strings.FieldsFunc(key, func(r rune) bool {
		return !unicode.IsLetter(r) && !unicode.IsDigit(r)
	}) {
		words = append(words, splitCase(part)...)
	}
	return words
}

// splitCase splits one alphanumeric run at lower->Upper changes ("userId" -> user Id) and
// before the last capital of an upper-case run followed by lower case ("HTTPServer" ->
// HTTP Server). Digits stay with the letters before them.
func splitCase(s string) []string {
	rs := []rune(s)
	var words []string
	start := 0
	for i := 1; i < len(rs); i++ {
		prev, cur := rs[i-1], rs[i]
		lowerToUpper := (unicode.IsLower(prev) || unicode.IsDigit(prev)) && unicode.IsUpper(cur)
		acronymEnd := unicode.IsUpper(prev) && unicode.IsUpper(cur) &&
			i+1 < len(rs) && unicode.IsLower(rs[i+1])
		if lowerToUpper || acronymEnd {
			words = append(words, string(rs[start:i]))
			start = i
		}
	}
	return append(words, string(rs[start:]))
}

// EnumConst returns the name of the constant for value of the enum type typeName:
// ("Optimizer", "sgd-momentum") -> "OptimizerSgdMomentum", ("LogLevel", "DEBUG") ->
// "LogLevelDebug". ok is false when value has no letters or digits to name it by.
func EnumConst(typeName, value string) (name string, ok bool) {
	words := Words(value)
	if len(words) == 0 {
		return "", false
	}
	// After the type name the suffix need not start with a capital: "2d" gives Conv2d.
	return typeName + join(words), true
}

// Singular guesses the singular of an exported name, to name the element type of a list or
// map: "Layers" -> "Layer", "Policies" -> "Policy", "Boxes" -> "Box". It returns name
// unchanged when it does not look plural.
func Singular(name string) string {
	switch {
	case strings.HasSuffix(name, "ies") && len(name) > 3:
		return name[:len(name)-3] + "y"
	case strings.HasSuffix(name, "sses"), strings.HasSuffix(name, "xes"),
		strings.HasSuffix(name, "ches"), strings.HasSuffix(name, "shes"):
		return name[:len(name)-2]
	case strings.HasSuffix(name, "ss"), strings.HasSuffix(name, "us"), strings.HasSuffix(name, "is"):
		return name
	case strings.HasSuffix(name, "s") && len(name) > 1:
		return name[:len(name)-1]
	}
	return name
}
