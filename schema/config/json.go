package config

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"regexp"
	"strconv"
	"unicode/utf8"

	"github.com/expman-dev/expman/schema"
)

// parseJSON reads a JSON document into a Value whose positions are line:col in file.
// encoding/json reports only byte offsets, and only where a token ends, so the builder
// finds each token's start by skipping blanks and separators after the previous one.
func parseJSON(file string, data []byte) (*schema.Value, error) {
	// Editors on Windows may save a byte-order mark, which YAML allows and JSON does not.
	// It becomes one blank: a character, as columns count it, so positions stay right.
	if bytes.HasPrefix(data, []byte("\uFEFF")) {
		data = append([]byte(" "), data[3:]...)
	}
	p := &jsonParser{file: file, data: data, dec: json.NewDecoder(bytes.NewReader(data))}
	p.dec.UseNumber()
	v, err := p.value(0)
	if err != nil {
		return nil, err
	}
	end := p.posAt(p.start())
	if _, err := p.dec.Token(); !errors.Is(err, io.EOF) {
		return nil, schema.Errorf(end, "invalid JSON: data after the top-level value")
	}
	return v, nil
}

type jsonParser struct {
	file string
	data []byte
	dec  *json.Decoder
}

// start returns the offset at which the next token begins.
func (p *jsonParser) start() int {
	off := int(p.dec.InputOffset())
	for off < len(p.data) {
		switch p.data[off] {
		case ' ', '\t', '\r', '\n', ',', ':':
			off++
		default:
			return off
		}
	}
	return off
}

func (p *jsonParser) posAt(off int) schema.Pos {
	if off > len(p.data) {
		off = len(p.data)
	}
	before := p.data[:off]
	line := bytes.Count(before, []byte("\n")) + 1
	lineStart := bytes.LastIndexByte(before, '\n') + 1
	return schema.Pos{File: p.file, Line: line, Col: utf8.RuneCount(before[lineStart:]) + 1}
}

// next reads a token and the position where it starts.
func (p *jsonParser) next() (json.Token, schema.Pos, error) {
	pos := p.posAt(p.start())
	tok, err := p.dec.Token()
	if err != nil {
		return nil, pos, p.syntaxError(err, pos)
	}
	return tok, pos, nil
}

func (p *jsonParser) syntaxError(err error, at schema.Pos) error {
	var se *json.SyntaxError
	switch {
	case errors.As(err, &se):
		return schema.Errorf(p.posAt(p.offending(se)), "invalid JSON: %s", se.Error())
	case errors.Is(err, io.EOF), errors.Is(err, io.ErrUnexpectedEOF):
		return schema.Errorf(p.posAt(len(p.data)), "invalid JSON: unexpected end of file")
	}
	return schema.Errorf(at, "invalid JSON: %v", err)
}

var badCharRE = regexp.MustCompile(`^invalid character '(.)'`)

// offending finds the byte a syntax error is about. encoding/json's offsets point near it,
// sometimes before the blanks that precede it, so look for the named character from there.
func (p *jsonParser) offending(se *json.SyntaxError) int {
	off := min(max(int(se.Offset), 0), len(p.data))
	if m := badCharRE.FindStringSubmatch(se.Error()); m != nil {
		for _, from := range []int{off, max(off-1, 0)} {
			if i := bytes.IndexByte(p.data[from:], m[1][0]); i >= 0 {
				return from + i
			}
		}
	}
	return max(off-1, 0)
}

func (p *jsonParser) value(depth int) (*schema.Value, error) {
	tok, pos, err := p.next()
	if err != nil {
		return nil, err
	}
	if depth > 1000 {
		return nil, schema.Errorf(pos, "invalid JSON: nested too deeply")
	}
	return p.valueFrom(tok, pos, depth)
}

func (p *jsonParser) valueFrom(tok json.Token, pos schema.Pos, depth int) (*schema.Value, error) {
	v := &schema.Value{Pos: pos}
	switch t := tok.(type) {
	case nil:
		v.Kind = schema.Null
	case bool:
		v.Kind, v.Bool = schema.Bool, t
	case string:
		v.Kind, v.Str = schema.String, t
	case json.Number:
		if i, err := strconv.ParseInt(string(t), 10, 64); err == nil {
			v.Kind, v.Int = schema.Int, i
		} else if f, err := t.Float64(); err == nil {
			v.Kind, v.Float = schema.Float, f
		} else {
			return nil, schema.Errorf(pos, "invalid JSON: number %s out of range", t)
		}
	case json.Delim:
		switch t {
		case '{':
			return p.object(v, depth)
		case '[':
			return p.array(v, depth)
		}
		return nil, schema.Errorf(pos, "invalid JSON: unexpected %q", rune(t))
	default:
		return nil, schema.Errorf(pos, "invalid JSON: unexpected token %v", tok)
	}
	return v, nil
}

func (p *jsonParser) object(v *schema.Value, depth int) (*schema.Value, error) {
	v.Kind, v.Fields = schema.Map, []schema.Field{}
	seen := make(map[string]int)
	for p.dec.More() {
		tok, kpos, err := p.next()
		if err != nil {
			return nil, err
		}
		key, ok := tok.(string)
		if !ok {
			return nil, schema.Errorf(kpos, "invalid JSON: object key must be a string")
		}
		if line, dup := seen[key]; dup {
			return nil, schema.Errorf(kpos, "duplicate key %q; first defined at line %d", key, line)
		}
		seen[key] = kpos.Line
		val, err := p.value(depth + 1)
		if err != nil {
			return nil, err
		}
		v.Fields = append(v.Fields, schema.Field{Key: key, KeyPos: kpos, Value: val})
	}
	return v, p.closing('}')
}

func (p *jsonParser) array(v *schema.Value, depth int) (*schema.Value, error) {
	v.Kind, v.List = schema.List, []*schema.Value{}
	for p.dec.More() {
		e, err := p.value(depth + 1)
		if err != nil {
			return nil, err
		}
		v.List = append(v.List, e)
	}
	return v, p.closing(']')
}

func (p *jsonParser) closing(want json.Delim) error {
	tok, pos, err := p.next()
	if err != nil {
		return err
	}
	if tok != want {
		return schema.Errorf(pos, "invalid JSON: want %q, got %v", rune(want), fmt.Sprint(tok))
	}
	return nil
}
