package config

import (
	"bytes"
	"errors"
	"io"
	"regexp"
	"strconv"
	"strings"

	"gopkg.in/yaml.v3"

	"github.com/expman-dev/expman/schema"
)

// maxYAMLNodes bounds the size of a document after aliases are expanded, so that a small
// file of nested aliases (a "billion laughs") cannot exhaust memory.
const maxYAMLNodes = 1 << 20

// parseYAML reads one YAML document into a Value whose positions are in file. An empty
// document is a null Value at 1:1. Every problem is returned, positioned.
func parseYAML(file string, data []byte) (*schema.Value, schema.ErrorList) {
	dec := yaml.NewDecoder(bytes.NewReader(data))
	var doc yaml.Node
	if err := dec.Decode(&doc); err != nil {
		if errors.Is(err, io.EOF) {
			return &schema.Value{Kind: schema.Null, Pos: schema.Pos{File: file, Line: 1, Col: 1}}, nil
		}
		return nil, schema.ErrorList{yamlSyntaxError(file, data, err)}
	}
	var errs schema.ErrorList
	var extra yaml.Node
	if err := dec.Decode(&extra); err == nil {
		errs.Add(schema.Pos{File: file, Line: extra.Line, Col: extra.Column},
			"a second YAML document; want exactly one document in the file")
	} else if !errors.Is(err, io.EOF) {
		errs = append(errs, yamlSyntaxError(file, data, err))
	}
	c := &yamlConverter{file: file}
	root := &doc
	if doc.Kind == yaml.DocumentNode && len(doc.Content) == 1 {
		root = doc.Content[0]
	}
	v := c.convert(root, 0)
	errs = append(errs, c.errs...)
	return v, errs
}

var yamlLineRE = regexp.MustCompile(`^yaml: line (\d+): (.*)$`)

// yamlSyntaxError turns a yaml.v3 error, which gives at best a line, into a positioned
// Error. The column is that of the line's first non-blank character: yaml.v3 does not say
// more, and pointing at the line's content is what an editor jump needs.
func yamlSyntaxError(file string, data []byte, err error) *schema.Error {
	msg := err.Error()
	pos := schema.Pos{File: file, Line: 1, Col: 1}
	if m := yamlLineRE.FindStringSubmatch(msg); m != nil {
		pos.Line, _ = strconv.Atoi(m[1])
		msg = m[2]
		if isParserProblem(msg) {
			// yaml.v3 prints the parser's 0-based line (its scanner's lines are 1-based).
			pos.Line++
		}
		pos.Col = firstNonBlankCol(data, pos.Line)
	} else {
		msg = trimPrefix(msg, "yaml: ")
	}
	return schema.Errorf(pos, "YAML syntax error: %s", msg)
}

// isParserProblem reports whether msg is one of yaml.v3's parser (not scanner) problems.
func isParserProblem(msg string) bool {
	for _, p := range []string{"did not find expected", "found duplicate %", "found incompatible YAML document", "found undefined tag handle"} {
		if strings.HasPrefix(msg, p) {
			return true
		}
	}
	return false
}

func trimPrefix(s, prefix string) string {
	if len(s) >= len(prefix) && s[:len(prefix)] == prefix {
		return s[len(prefix):]
	}
	return s
}

// firstNonBlankCol returns the 1-based column of the first non-blank character of line,
// or 1 when the line is blank or past the end.
func firstNonBlankCol(data []byte, line int) int {
	lines := bytes.Split(data, []byte("\n"))
	if line < 1 || line > len(lines) {
		return 1
	}
	for i, c := range lines[line-1] {
		if c != ' ' && c != '\t' {
			return i + 1
		}
	}
	return 1
}

type yamlConverter struct {
	file  string
	nodes int
	errs  schema.ErrorList
}

func (c *yamlConverter) pos(n *yaml.Node) schema.Pos {
	return schema.Pos{File: c.file, Line: n.Line, Col: n.Column}
}

func (c *yamlConverter) convert(n *yaml.Node, depth int) *schema.Value {
	c.nodes++
	if c.nodes > maxYAMLNodes || depth > 1000 {
		if c.nodes == maxYAMLNodes+1 || depth == 1001 {
			c.errs.Add(c.pos(n), "document too large or too deeply nested after expanding aliases")
		}
		return &schema.Value{Kind: schema.Null, Pos: c.pos(n)}
	}
	switch n.Kind {
	case yaml.AliasNode:
		// The value is the anchored one, positioned where it is written.
		return c.convert(n.Alias, depth+1)
	case yaml.MappingNode:
		return c.mapping(n, depth)
	case yaml.SequenceNode:
		v := &schema.Value{Kind: schema.List, Pos: c.pos(n), List: []*schema.Value{}}
		for _, e := range n.Content {
			v.List = append(v.List, c.convert(e, depth+1))
		}
		return v
	case yaml.ScalarNode:
		return c.scalar(n)
	}
	c.errs.Add(c.pos(n), "unexpected YAML node")
	return &schema.Value{Kind: schema.Null, Pos: c.pos(n)}
}

func (c *yamlConverter) mapping(n *yaml.Node, depth int) *schema.Value {
	v := &schema.Value{Kind: schema.Map, Pos: c.pos(n), Fields: []schema.Field{}}
	seen := make(map[string]int) // key -> line of first occurrence
	var merged []*yaml.Node
	for i := 0; i+1 < len(n.Content); i += 2 {
		k, val := n.Content[i], n.Content[i+1]
		if k.Kind == yaml.ScalarNode && k.ShortTag() == "!!merge" {
			merged = append(merged, val)
			continue
		}
		if k.Kind != yaml.ScalarNode || k.ShortTag() != "!!str" {
			c.errs.Add(c.pos(k), "mapping key must be a string, got %s", yamlNodeWhat(k))
			continue
		}
		if line, dup := seen[k.Value]; dup {
			c.errs.Add(c.pos(k), "duplicate key %q; first defined at line %d", k.Value, line)
			continue
		}
		seen[k.Value] = k.Line
		v.Fields = append(v.Fields, schema.Field{Key: k.Value, KeyPos: c.pos(k), Value: c.convert(val, depth+1)})
	}
	for _, m := range merged {
		c.merge(v, m, seen, depth)
	}
	return v
}

// merge applies a YAML merge key ("<<: *anchor" or "<<: [*a, *b]"): keys written in the
// mapping itself win, then earlier merged mappings win over later ones.
func (c *yamlConverter) merge(v *schema.Value, m *yaml.Node, seen map[string]int, depth int) {
	srcs := []*yaml.Node{m}
	if m.Kind == yaml.SequenceNode {
		srcs = m.Content
	}
	for _, src := range srcs {
		from := c.convert(src, depth+1)
		if from.Kind != schema.Map {
			c.errs.Add(c.pos(src), "a merge key (<<) needs a mapping or a list of mappings, got %s", from.Kind)
			continue
		}
		for _, f := range from.Fields {
			if _, ok := seen[f.Key]; ok {
				continue
			}
			seen[f.Key] = f.KeyPos.Line
			v.Fields = append(v.Fields, f)
		}
	}
}

func (c *yamlConverter) scalar(n *yaml.Node) *schema.Value {
	v := &schema.Value{Pos: c.pos(n)}
	switch tag := n.ShortTag(); tag {
	case "!!null":
		v.Kind = schema.Null
	case "!!str", "!!timestamp":
		// A date is kept as written: JSON, and so the settings, have no time type.
		v.Kind, v.Str = schema.String, n.Value
	case "!!bool":
		v.Kind = schema.Bool
		c.decode(n, &v.Bool)
	case "!!int":
		v.Kind = schema.Int
		if err := n.Decode(&v.Int); err != nil {
			c.errs.Add(v.Pos, "integer %s does not fit in 64 bits", n.Value)
		}
	case "!!float":
		v.Kind = schema.Float
		c.decode(n, &v.Float)
	default:
		c.errs.Add(v.Pos, "unsupported YAML tag %s; want a plain string, number, boolean or null", tag)
		// Kept as the text written, so that checks further on do not report it again.
		v.Kind, v.Str = schema.String, n.Value
	}
	return v
}

func (c *yamlConverter) decode(n *yaml.Node, out any) {
	if err := n.Decode(out); err != nil {
		c.errs.Add(c.pos(n), "cannot read %q as %s", n.Value, n.ShortTag())
	}
}

func yamlNodeWhat(n *yaml.Node) string {
	switch n.Kind {
	case yaml.MappingNode:
		return "a mapping"
	case yaml.SequenceNode:
		return "a list"
	case yaml.AliasNode:
		return "an alias"
	}
	return n.ShortTag() + " " + strconv.Quote(n.Value)
}
