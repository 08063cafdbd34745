package config

import (
	"errors"
	"fmt"
	"io/fs"
	"math"
	"path"
	"regexp"
	"strconv"
	"strings"
	"time"

	"github.com/expman-dev/expman/schema"
)

// loader holds the state of one Load: what was read so far and every problem found.
type loader struct {
	fsys       fs.FS
	schemaPath string
	errs       schema.ErrorList
	files      []File
	// settingsIncomplete is set when a layer's settings could not be read (a missing or
	// broken file, settings that are not a mapping). Validating settings then would only
	// report the consequences, such as every setting of a broken file missing.
	settingsIncomplete bool
	overrideArgs       []string
}

// what each file must hold, for the message when it is missing.
var expected = map[string]string{
	ExperimentFile: `want the experiment's name, e.g. "name: my_experiment"`,
	TrialsFile:     `want a list of trials, e.g. "- name: baseline"`,
}

// read returns a file's content; nil with no error when it is missing (and recorded).
func (l *loader) read(name, want string, optional bool) ([]byte, error) {
	data, err := fs.ReadFile(l.fsys, name)
	switch {
	case err == nil:
		// The schema is copied into workspaces under its usual name, wherever it was read.
		saveAs := path.Base(name)
		if name == l.schemaPath {
			saveAs = SchemaFile
		}
		l.files = append(l.files, File{Name: saveAs, Data: data})
		return data, nil
	case errors.Is(err, fs.ErrNotExist):
		if !optional {
			l.errs.Add(schema.Pos{File: name}, "file not found; %s", want)
		}
		return nil, nil
	}
	return nil, err
}

func (l *loader) load() (*Config, error) {
	var raw [4][]byte
	for i, f := range []struct {
		name, want string
		optional   bool
	}{
		{ExperimentFile, expected[ExperimentFile], false},
		{BaseFile, "", true},
		{TrialsFile, expected[TrialsFile], false},
		{l.schemaPath, "want the JSON Schema of the settings", false},
	} {
		data, err := l.read(f.name, f.want, f.optional)
		if err != nil {
			return nil, err
		}
		raw[i] = data
	}
	sch := l.loadSchema(raw[3])
	exp := l.loadExperiment(raw[0])
	base := l.loadBase(raw[1])
	trials := l.loadTrials(raw[2])
	cfg := &Config{Experiment: exp.Experiment, Schema: sch, Files: l.files}
	l.crossCheck(trials)
	trials = l.expandSweeps(sch, trials)
	ovs := l.overrides(sch)
	cfg.Trials = l.resolve(sch, base, exp.settings, trials, ovs)
	return cfg, nil
}

// parseFile parses a YAML file, checks it against its embedded schema and marks its
// settings with layer. It returns nil when the file is missing or not YAML.
func (l *loader) parseFile(name string, data []byte, schemaFile string) *schema.Value {
	if data == nil {
		return nil
	}
	v, errs := parseYAML(name, data)
	l.errs = append(l.errs, errs...)
	if len(errs) > 0 {
		l.settingsIncomplete = true
	}
	if v == nil {
		return nil
	}
	if v.Kind == schema.Null {
		return v // an empty file: each file says what that means
	}
	emptySettingsAreMappings(v)
	fileSchema, err := embeddedSchema(schemaFile)
	if err != nil {
		l.errs.Append(err) // a bug in expman, not in the user's files
		return v
	}
	t := fileTarget(name, v)
	l.errs = append(l.errs, fileSchema.validate(t)...)
	return v
}

// emptySettingsAreMappings turns "settings:" with nothing after it into an empty mapping.
func emptySettingsAreMappings(v *schema.Value) {
	fix := func(m *schema.Value) {
		if f := m.Field("settings"); f != nil && f.Value.Kind == schema.Null {
			f.Value = &schema.Value{Kind: schema.Map, Fields: []schema.Field{}, Pos: f.Value.Pos}
		}
	}
	fix(v)
	for _, e := range v.List {
		fix(e)
	}
}

func embeddedSchema(name string) (*compiledSchema, error) {
	raw, err := schema.FileSchema(name)
	if err != nil {
		return nil, err
	}
	doc, err := parseJSON(name, raw)
	if err != nil {
		return nil, err
	}
	s, errs := compileSchema(name, raw, doc)
	if errs != nil {
		return nil, fmt.Errorf("embedded %s: %w", name, errs.Err())
	}
	return s, nil
}

func (l *loader) loadSchema(raw []byte) *Schema {
	if raw == nil {
		return nil
	}
	doc, err := parseJSON(l.schemaPath, raw)
	if err != nil {
		l.errs.Append(err)
		return nil
	}
	if doc.Kind != schema.Map && doc.Kind != schema.Bool {
		l.errs.Add(doc.Pos, "invalid schema: want a JSON object, got %s", describe(doc))
		return nil
	}
	compiled, errs := compileSchema(l.schemaPath, raw, doc)
	if errs != nil {
		l.errs = append(l.errs, errs...)
		return nil
	}
	return &Schema{Path: l.schemaPath, Doc: doc, Raw: raw, compiled: compiled}
}

type experimentFile struct {
	Experiment
	settings *schema.Value
}

func (l *loader) loadExperiment(data []byte) experimentFile {
	v := l.parseFile(ExperimentFile, data, schema.ExperimentSchemaFile)
	if v == nil {
		l.settingsIncomplete = true
		return experimentFile{}
	}
	e := experimentFile{Experiment: Experiment{Pos: v.Pos}}
	if v.Kind == schema.Null {
		l.errs.Add(v.Pos, "empty file; %s", expected[ExperimentFile])
		l.settingsIncomplete = true
		return e
	}
	e.Name = str(v.Get("name"))
	e.ID = l.integer(v.Get("id"), "id")
	e.Desc = str(v.Get("desc"))
	e.Timeout = l.duration(v.Get("timeout"), "timeout")
	e.Slurm = l.slurmOf(v.Get("slurm"), "")
	e.settings = l.settingsOf(v, schema.LayerExperiment)
	return e
}

func (l *loader) loadBase(data []byte) *schema.Value {
	v := l.parseFile(BaseFile, data, schema.BaseSchemaFile)
	if v == nil {
		if data != nil {
			l.settingsIncomplete = true
		}
		return nil
	}
	return l.settingsOf(v, schema.LayerBase)
}

// trialEntry is one entry of trials.yaml as read.
type trialEntry struct {
	Trial
	node     *schema.Value // the entry
	settings *schema.Value // its settings, nil when it has none
	broken   bool          // its settings are not a mapping
	// sweepPaths are the split paths of Trial.Sweep.Values, for a sweep point.
	sweepPaths [][]string
}

func (l *loader) loadTrials(data []byte) []trialEntry {
	v := l.parseFile(TrialsFile, data, schema.TrialsSchemaFile)
	if v == nil {
		return nil
	}
	if v.Kind == schema.Null || (v.Kind == schema.List && len(v.List) == 0) {
		l.errs.Add(v.Pos, "no trials; %s", expected[TrialsFile])
		return nil
	}
	var out []trialEntry
	for i, e := range v.List {
		if e.Kind != schema.Map {
			continue // reported by the file's schema
		}
		t := trialEntry{node: e, Trial: Trial{Name: str(e.Get("name")), Pos: e.Pos}}
		label := "trial " + strconv.Quote(t.Name)
		if t.Name == "" {
			t.Name = "#" + strconv.Itoa(i+1)
			label = "trial " + t.Name
		}
		t.ID = l.integer(e.Get("id"), label+": id")
		t.Repeat = l.repeat(e.Get("repeat"), label+": repeat")
		t.Timeout = l.duration(e.Get("timeout"), fileTarget(TrialsFile, v).subject([]string{strconv.Itoa(i), "timeout"}))
		t.Slurm = l.slurmOf(e.Get("slurm"), label+": ")
		t.settings = settingsOf(e, schema.LayerTrial)
		t.broken = e.Get("settings") != nil && t.settings == nil
		out = append(out, t)
	}
	return out
}

// settingsOf is settingsOf for a whole file: it notes settings that cannot be used.
func (l *loader) settingsOf(v *schema.Value, layer schema.Layer) *schema.Value {
	s := settingsOf(v, layer)
	if s == nil && v.Get("settings") != nil {
		l.settingsIncomplete = true
	}
	return s
}

// settingsOf returns the "settings" mapping of a file or trial entry, marked with layer;
// nil when there is none or it is not a mapping (which the file's schema reports).
func settingsOf(v *schema.Value, layer schema.Layer) *schema.Value {
	s := v.Get("settings")
	if s == nil || s.Kind != schema.Map {
		return nil
	}
	setLayer(s, layer)
	return s
}

func str(v *schema.Value) string {
	if v == nil || v.Kind != schema.String {
		return ""
	}
	return v.Str
}

// MaxRepeat is the most runs a trial may ask for: each run gets a directory and a seed, so
// more is almost surely a typo, and a bound keeps repeat well inside an int.
const MaxRepeat = 1_000_000

// integer reads an integer whose type the file's schema has checked (JSON Schema also
// counts 1.0 and 1e3 as integers), and reports one beyond int64's range, which would
// otherwise silently become another number. It returns 0 for a missing or unusable value;
// subject names it in messages.
func (l *loader) integer(v *schema.Value, subject string) int {
	n, err := v.Int64()
	if errors.Is(err, schema.ErrIntRange) {
		l.errs.Add(v.Pos, "%s: want an integer between %d and %d, got %s", subject, int64(math.MinInt64), int64(math.MaxInt64), number(v))
	}
	return int(n)
}

// repeat reads a trial's repeat, 1 when absent or unusable (the file's schema reports a
// wrong type or a value below 1).
func (l *loader) repeat(v *schema.Value, subject string) int {
	if v == nil {
		return 1
	}
	n, err := v.Int64()
	switch {
	case errors.Is(err, schema.ErrIntRange) || err == nil && n > MaxRepeat:
		l.errs.Add(v.Pos, "%s: want 1..%d, got %s", subject, MaxRepeat, number(v))
	case err == nil && n >= 1:
		return int(n)
	}
	return 1
}

// number prints a number as written in short form: 1e+19, 42.
func number(v *schema.Value) string {
	if v.Kind == schema.Float {
		return strconv.FormatFloat(v.Float, 'g', -1, 64)
	}
	return strconv.FormatInt(v.Int, 10)
}

var durationRE = regexp.MustCompile(schema.DurationPattern)

// duration reads a timeout whose shape the file's schema has checked, and reports what a
// pattern cannot: a zero duration, or one beyond time.Duration's range. It returns 0 for a
// missing or unusable value; subject names it in messages, e.g. `trial "big": timeout`.
func (l *loader) duration(v *schema.Value, subject string) time.Duration {
	if v == nil || v.Kind != schema.String || !durationRE.MatchString(v.Str) {
		return 0 // absent, or reported by the file's schema
	}
	d, err := time.ParseDuration(v.Str)
	switch {
	case err != nil: // the pattern holds, so the number is too large
		l.errs.Add(v.Pos, "%s: want a duration of at most %s, got %s", subject, time.Duration(math.MaxInt64), describe(v))
		return 0
	case d <= 0:
		l.errs.Add(v.Pos, "%s: want a duration > 0, got %s", subject, describe(v))
		return 0
	}
	return d
}

// crossCheck enforces what no single entry's schema can: unique trial names and ids.
func (l *loader) crossCheck(trials []trialEntry) {
	names := make(map[string]*schema.Value)
	ids := make(map[int]trialEntry)
	for _, t := range trials {
		if n := t.node.Get("name"); n != nil && n.Kind == schema.String {
			if first, dup := names[n.Str]; dup {
				l.errs.Add(n.Pos, "duplicate trial name %q; first used at line %d; trial names must be unique", n.Str, first.Pos.Line)
			} else {
				names[n.Str] = n
			}
		}
		id := t.node.Get("id")
		if id != nil && id.Kind != schema.Int && id.Kind != schema.Float {
			continue // reported by the file's schema
		}
		// A trial without an id has id 0: two such trials would give their runs the same
		// seeds, which defeats repeats across trials. The second one is an error.
		first, dup := ids[t.ID]
		switch {
		case !dup:
			ids[t.ID] = t
		case id == nil:
			l.errs.Add(t.node.Pos, "trial %q has no id, and neither has trial %q at line %d (or it is 0); give each trial a unique id, since seeds are derived from it",
				t.Name, first.Name, first.node.Pos.Line)
		default:
			l.errs.Add(id.Pos, "duplicate trial id %d; first used by trial %q at line %d; trial ids must be unique",
				t.ID, first.Name, idLine(first))
		}
	}
}

// idLine is the line of a trial's id, or of the trial when it has none.
func idLine(t trialEntry) int {
	if id := t.node.Get("id"); id != nil {
		return id.Pos.Line
	}
	return t.node.Pos.Line
}

// expandSweeps replaces every trial that has a sweep by its points, in place, and checks
// that the points' ids are unique among all trials. A trial whose sweep is broken is
// reported and left out.
func (l *loader) expandSweeps(sch *Schema, trials []trialEntry) []trialEntry {
	out := make([]trialEntry, 0, len(trials))
	total := 0                  // points so far, against MaxPoints
	ids := make(map[int]string) // id -> trial name, for the hand-written ids
	for _, t := range trials {
		if id := t.node.Get("id"); id != nil {
			ids[t.ID] = t.Name
		}
	}
	for _, te := range trials {
		spec, ok := l.parseSweep(sch, &te)
		switch {
		case !ok:
			continue
		case spec == nil:
			out = append(out, te)
			continue
		}
		if te.ID > maxSweptID || te.ID < -maxSweptID {
			at := te.node.Get("id")
			l.errs.Add(at.Pos, "trial %q: id %d is too large for a trial with a sweep; want at most %d, since its points get ids of the form id*%d+n",
				te.Name, te.ID, maxSweptID, pointIDSpan)
			continue
		}
		n, _ := spec.points() // parseSweep checked that it fits
		if total += n; total > MaxPoints {
			l.errs.Add(sweepKeyPos(te.node), "trial %q: sweep brings the points of all trials to %d; at most %d", te.Name, total, MaxPoints)
			total -= n
			continue
		}
		for _, p := range l.expand(te, spec) {
			if other, dup := ids[p.ID]; dup {
				at := p.Sweep.Values[len(p.Sweep.Values)-1].Value.Pos
				if strings.HasPrefix(other, te.Name+"/") {
					// Two points of one sweep whose names hash alike (about one pair in a
					// billion): the trial's id cannot separate them, only a value can.
					l.errs.Add(at, "trial %q: sweep points %q and %q get the same id %d, by a collision of their name hashes; change one of their values (0.1 to 0.10000001, say)",
						te.Name, other, p.Name, p.ID)
				} else {
					l.errs.Add(at, "trial %q: sweep point %q gets id %d, which trial %q has; change the id of one of the two trials",
						te.Name, p.Name, p.ID, other)
				}
				continue
			}
			ids[p.ID] = p.Name
			out = append(out, p)
		}
	}
	return out
}

// overrides parses Options.Overrides and checks their paths against the schema, once for
// all trials. Bad ones are reported and left out.
func (l *loader) overrides(sch *Schema) []Override {
	var out []Override
	for _, arg := range l.overrideArgs {
		o, err := parseOverride(arg)
		if err != nil {
			l.errs.Append(err)
			continue
		}
		if e := sch.checkPath(o.Path, o.Pos(), "setting"); e != nil {
			l.errs = append(l.errs, e)
			continue
		}
		out = append(out, o)
	}
	return out
}

// settingsOfTrial merges one trial's settings: the common layers, the trial's, its sweep
// point's values, then the overrides. It reports paths that cannot be set, and returns
// false when a sweep value could not be set (validating would repeat the consequences).
func (l *loader) settingsOfTrial(common *schema.Value, te trialEntry, ovs []Override) (*schema.Value, bool) {
	settings := Merge(common, te.settings)
	ok := true
	if te.Sweep != nil {
		for i, sv := range te.Sweep.Values {
			next, err := setPath(settings, te.sweepPaths[i], sv.Value, sv.Value.Pos)
			if err != nil {
				err.Msg = fmt.Sprintf("trial %q: sweep: %s", te.Sweep.Base, err.Msg)
				l.errs = append(l.errs, err)
				ok = false
				continue
			}
			settings = next
		}
	}
	for _, o := range ovs {
		next, err := setPath(settings, o.Path, o.Value, o.Pos())
		if err != nil {
			// Reported once when it is the same for every trial; the trial is still
			// validated without this override.
			l.errs = append(l.errs, err)
			continue
		}
		settings = next
	}
	return settings, ok
}

// resolve merges each trial's settings and validates them. A problem that several trials
// share (a bad value in base.yaml) is reported once, naming the trials.
func (l *loader) resolve(sch *Schema, base, exp *schema.Value, trials []trialEntry, ovs []Override) []Trial {
	start := &schema.Value{Kind: schema.Map, Fields: []schema.Field{}}
	if sch != nil {
		start = Defaults(sch.Doc)
	}
	common := Merge(Merge(start, base), exp)
	shared := newSharedErrors(trials)
	out := make([]Trial, 0, len(trials))
	for _, te := range trials {
		t := te.Trial
		settings, ok := l.settingsOfTrial(common, te, ovs)
		t.Settings = settings
		out = append(out, t)
		if sch == nil || l.settingsIncomplete || te.broken || !ok {
			continue
		}
		for _, e := range sch.compiled.validate(settingsTarget(t.Settings, &te)) {
			shared.add(e, te)
		}
	}
	l.errs = append(l.errs, shared.list()...)
	return out
}

// settingsTarget describes resolved settings for validation messages. A missing required
// top-level setting is reported at the trial's settings mapping, or at the trial's entry
// when it has none.
func settingsTarget(settings *schema.Value, te *trialEntry) *target {
	t := &target{
		inst:    settings,
		subject: func(path []string) string { return dotted("settings", path, settings) },
		noun:    "setting",
	}
	if te != nil {
		t.missingAt = func(path []string, v *schema.Value) schema.Pos {
			switch {
			case len(path) > 0:
				return v.Pos
			case te.settings != nil:
				return te.settings.Pos
			}
			return te.node.Pos
		}
	}
	return t
}

// fileTarget describes one of the three YAML files for validation messages.
func fileTarget(name string, v *schema.Value) *target {
	t := &target{inst: v, noun: "key"}
	t.subject = func(path []string) string { return dotted("", path, v) }
	if name == TrialsFile {
		t.subject = func(path []string) string {
			if len(path) == 0 || v.Kind != schema.List {
				return ""
			}
			i, err := strconv.Atoi(path[0])
			if err != nil || i < 0 || i >= len(v.List) {
				return dotted("", path, v)
			}
			entry := v.List[i]
			label := "trial #" + strconv.Itoa(i+1)
			if n := entry.Get("name"); n != nil && n.Kind == schema.String {
				label = "trial " + strconv.Quote(n.Str)
			}
			if rest := dotted("", path[1:], entry); rest != "" {
				return label + ": " + rest
			}
			return label
		}
	}
	return t
}
