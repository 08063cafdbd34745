package cli

import (
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"slices"
	"strings"
	"text/tabwriter"

	"github.com/expman-dev/expman/schema"
	"github.com/expman-dev/expman/schema/config"
	"gopkg.in/yaml.v3"
)

const explainExamples = `	expman explain -config ./configs -trial small_network
	expman explain -config ./configs -trial 'lr_grid/learning_rate=0.01' -set epochs=3
	expman explain -config ./configs -trial large_network -format json | jq '.settings[]'
`

// runExplain prints the resolved settings of one trial, each leaf with the file and line
// that set it and the layer of the merge that file is, so a user sees why a value is what
// it is.
func runExplain(_ context.Context, e *env, args []string) error {
	var sf settingsFlags
	fs := newFlagSet(e, "explain", "-config DIR -trial NAME [-schema FILE] [-set PATH=VALUE]... [-format text|json]", explainExamples)
	sf.register(fs)
	name := fs.String("trial", "", "`NAME` of the trial, as expman plan lists it (required)")
	if err := parse(fs, args); err != nil {
		return err
	}
	if err := sf.check(fs); err != nil {
		return err
	}
	if *name == "" {
		return usageError(fs, "-trial is required")
	}
	cfg, err := sf.load()
	if err != nil {
		return err
	}
	t, err := findTrial(cfg, sf.dir, *name)
	if err != nil {
		return err
	}
	leaves := settingLeaves(t.Settings)
	if sf.format == "json" {
		return writeExplainJSON(e.stdout, cfg, t, leaves)
	}
	return writeExplainText(e.stdout, cfg, t, leaves)
}

func writeExplainText(w io.Writer, cfg *config.Config, t *config.Trial, leaves []settingLeaf) error {
	fmt.Fprintf(w, "trial %s of experiment %s: id %d, %d %s", t.Name, cfg.Experiment.Name, t.ID, t.Repeat, plural(t.Repeat, "repeat", "repeats"))
	if t.Sweep != nil {
		fmt.Fprintf(w, ", a point of sweep %s", t.Sweep.Base)
	}
	fmt.Fprintln(w)
	if len(leaves) == 0 {
		fmt.Fprintln(w, "(no settings)")
		return nil
	}
	tw := tabwriter.NewWriter(w, 0, 8, 2, ' ', 0)
	for _, l := range leaves {
		fmt.Fprintf(tw, "%s:\t%s\t%s (%s)\n", l.path, flowValue(l.value), linePos(l.value.Pos), l.value.Layer)
	}
	return tw.Flush()
}

// explainedSetting is one leaf of -format json.
type explainedSetting struct {
	Path  string        `json:"path"`
	Value *schema.Value `json:"value"`
	File  string        `json:"file,omitempty"`
	Line  int           `json:"line,omitempty"`
	Col   int           `json:"col,omitempty"`
	Layer string        `json:"layer"`
}

func writeExplainJSON(w io.Writer, cfg *config.Config, t *config.Trial, leaves []settingLeaf) error {
	out := struct {
		Experiment string             `json:"experiment"`
		Trial      string             `json:"trial"`
		ID         int                `json:"id"`
		Repeat     int                `json:"repeat"`
		Sweep      string             `json:"sweep,omitempty"`
		Settings   []explainedSetting `json:"settings"`
	}{Experiment: cfg.Experiment.Name, Trial: t.Name, ID: t.ID, Repeat: t.Repeat, Settings: []explainedSetting{}}
	if t.Sweep != nil {
		out.Sweep = t.Sweep.Base
	}
	for _, l := range leaves {
		p := l.value.Pos
		out.Settings = append(out.Settings, explainedSetting{l.path, l.value, p.File, p.Line, p.Col, l.value.Layer.String()})
	}
	return writeJSON(w, out)
}

func writeJSON(w io.Writer, v any) error {
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	return enc.Encode(v)
}

// linePos is "file:line": the column adds nothing for a person reading a settings list.
func linePos(p schema.Pos) string {
	p.Col = 0
	return p.String()
}

func plural(n int, one, many string) string {
	if n == 1 {
		return one
	}
	return many
}

// settingsFlags are the flags of commands that show resolved settings: the config folder,
// overrides and the output format.
type settingsFlags struct {
	configFlags
	sets   repeatedSet
	format string
}

func (s *settingsFlags) register(fs *flag.FlagSet) {
	s.configFlags.register(fs)
	fs.Var(&s.sets, "set", "override a setting of every trial, as `PATH=VALUE` (a YAML scalar or flow collection, such as lr=0.1 or layers=[32,16]); repeatable")
	fs.StringVar(&s.format, "format", "text", "output `format`: text (for people) or json (for machines)")
}

func (s *settingsFlags) check(fs *flag.FlagSet) error {
	if err := s.configFlags.check(fs); err != nil {
		return err
	}
	if s.format != "text" && s.format != "json" {
		return usageError(fs, "-format must be text or json, not %q", s.format)
	}
	return nil
}

// load reads, merges and validates the config folder with the overrides applied. Positions
// in files are made relative to the current directory; an override's position (-set ...)
// is left as it is.
func (s *settingsFlags) load() (*config.Config, error) {
	fsys, opts := s.source()
	opts.Overrides = s.sets
	cfg, err := config.Load(fsys, opts)
	var list schema.ErrorList
	if !errors.As(err, &list) {
		return cfg, err
	}
	out := make(schema.ErrorList, len(list))
	for i, x := range list {
		out[i] = x
		if !strings.HasPrefix(x.Pos.File, config.OverrideFlag+" ") {
			out[i] = s.relocate(schema.ErrorList{x}).(schema.ErrorList)[0]
		}
	}
	return nil, out
}

// repeatedSet collects every -set, in order.
type repeatedSet []string

func (r *repeatedSet) String() string { return strings.Join(*r, " ") }

func (r *repeatedSet) Set(s string) error {
	if !strings.Contains(s, "=") {
		return fmt.Errorf("want PATH=VALUE, such as learning_rate=0.01, not %q", s)
	}
	*r = append(*r, s)
	return nil
}

// findTrial returns the trial called name. An unknown name is an error that suggests the
// closest names, and a sweep's own name lists its points.
func findTrial(cfg *config.Config, dir, name string) (*config.Trial, error) {
	var points []string
	for i := range cfg.Trials {
		t := &cfg.Trials[i]
		if t.Name == name {
			return t, nil
		}
		if t.Sweep != nil && t.Sweep.Base == name {
			points = append(points, t.Name)
		}
	}
	if len(points) > 0 {
		return nil, fmt.Errorf("%q is a sweep of %d %s; name one of them:\n\t%s", name, len(points), plural(len(points), "trial", "trials"), strings.Join(points, "\n\t"))
	}
	var names []string
	for _, t := range cfg.Trials {
		switch {
		case t.Sweep == nil:
			names = append(names, t.Name)
		case !slices.Contains(names, t.Sweep.Base):
			names = append(names, t.Sweep.Base)
		}
	}
	msg := fmt.Sprintf("no trial %q in %s", name, dir)
	if close := closestNames(name, names); len(close) > 0 {
		return nil, fmt.Errorf("%s; did you mean %s?", msg, strings.Join(quoteAll(close), " or "))
	}
	if len(names) > 8 {
		names = append(names[:8:8], "...")
	}
	return nil, fmt.Errorf("%s; its trials are %s", msg, strings.Join(names, ", "))
}

// closestNames returns the names nearest to name by edit distance, when they are close
// enough to be a typo: at most a third of the longer name's length.
func closestNames(name string, names []string) []string {
	best, out := -1, []string(nil)
	for _, n := range names {
		d := editDistance(strings.ToLower(name), strings.ToLower(n))
		if d > max(len(name), len(n))/3 && !strings.HasPrefix(n, name) {
			continue
		}
		switch {
		case best < 0 || d < best:
			best, out = d, []string{n}
		case d == best:
			out = append(out, n)
		}
	}
	if len(out) > 3 {
		out = out[:3]
	}
	return out
}

// editDistance is the optimal string alignment distance between a and b, in bytes: the
// edits of Levenshtein plus swapping two neighbours, the commonest typo.
func editDistance(a, b string) int {
	d := make([][]int, len(a)+1)
	for i := range d {
		d[i] = make([]int, len(b)+1)
		d[i][0] = i
	}
	for j := range d[0] {
		d[0][j] = j
	}
	for i := 1; i <= len(a); i++ {
		for j := 1; j <= len(b); j++ {
			cost := 1
			if a[i-1] == b[j-1] {
				cost = 0
			}
			d[i][j] = min(d[i-1][j]+1, d[i][j-1]+1, d[i-1][j-1]+cost)
			if i > 1 && j > 1 && a[i-1] == b[j-2] && a[i-2] == b[j-1] {
				d[i][j] = min(d[i][j], d[i-2][j-2]+1)
			}
		}
	}
	return d[len(a)][len(b)]
}

func quoteAll(names []string) []string {
	out := make([]string, len(names))
	for i, n := range names {
		out[i] = fmt.Sprintf("%q", n)
	}
	return out
}

// settingLeaf is one setting: a scalar, a list (replaced whole by the merge, so one
// setting) or an empty mapping, at its dotted path.
type settingLeaf struct {
	path  string
	value *schema.Value
}

// settingLeaves lists the leaves of a settings mapping in order.
func settingLeaves(settings *schema.Value) []settingLeaf {
	var out []settingLeaf
	var walk func(prefix string, v *schema.Value)
	walk = func(prefix string, v *schema.Value) {
		if v.Kind != schema.Map || len(v.Fields) == 0 {
			out = append(out, settingLeaf{prefix, v})
			return
		}
		for _, f := range v.Fields {
			walk(strings.TrimPrefix(prefix+"."+f.Key, "."), f.Value)
		}
	}
	if settings != nil && settings.Kind == schema.Map {
		for _, f := range settings.Fields {
			walk(f.Key, f.Value)
		}
	}
	return out
}

// flowValue prints v as YAML on one line: 0.001, adam, [64, 32], {name: adam}.
func flowValue(v *schema.Value) string {
	if v == nil {
		return "(unset)"
	}
	n := v.YAMLNode()
	flowStyle(n)
	data, err := yaml.Marshal(n)
	if err != nil {
		return fmt.Sprint(v.Interface())
	}
	return strings.TrimSuffix(string(data), "\n")
}

func flowStyle(n *yaml.Node) {
	if n.Kind == yaml.SequenceNode || n.Kind == yaml.MappingNode {
		n.Style = yaml.FlowStyle
	}
	for _, c := range n.Content {
		flowStyle(c)
	}
}

// sameValue reports whether two settings are equal in kind and value; positions and
// layers do not matter.
func sameValue(a, b *schema.Value) bool {
	if a == nil || b == nil {
		return a == b
	}
	if a.Kind != b.Kind {
		return false
	}
	switch a.Kind {
	case schema.Bool:
		return a.Bool == b.Bool
	case schema.Int:
		return a.Int == b.Int
	case schema.Float:
		return a.Float == b.Float
	case schema.String:
		return a.Str == b.Str
	case schema.List:
		return slices.EqualFunc(a.List, b.List, sameValue)
	case schema.Map:
		if len(a.Fields) != len(b.Fields) {
			return false
		}
		for _, f := range a.Fields {
			if other := b.Get(f.Key); other == nil || !sameValue(f.Value, other) {
				return false
			}
		}
	}
	return true
}
