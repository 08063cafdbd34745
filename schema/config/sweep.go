package config

import (
	"hash/fnv"
	"math"
	"math/big"
	"strconv"
	"strings"

	"github.com/expman-dev/expman/schema"
)

// A trial's "sweep:" and "zip:" make it a family of trials, its points. Each axis of the
// cartesian product is one sweep key, in the order written, the first varying slowest;
// the zip lists, paired element by element, form one more axis after them (so the zip
// varies fastest). A point's name is the trial's name, "/", then path=value for every
// sweep key and then every zip key, in the order written; see pointName.

// pointIDSpan is the room each trial's sweep points have for their ids: a point's id is
// the trial's id times pointIDSpan plus a number from 1 to pointIDSpan-1 derived from the
// point's name, so it reads as the trial's id followed by nine digits, never changes when
// values are added, and does not depend on the point's place in the grid.
const pointIDSpan = 1_000_000_000

// axis is one sweep key with its values, or the zip keys with theirs.
type axis struct {
	paths  []string          // one path, or the zip's paths
	split  [][]string        // paths split at dots
	values [][]*schema.Value // values[k] is the k-th value of each path
}

// sweepSpec is the parsed sweep: and zip: of one trial entry.
type sweepSpec struct {
	axes []axis
}

// parseSweep reads a trial entry's sweep: and zip:. It returns nil and true when the entry
// has neither (or both are empty mappings), and false when they are broken (and
// reported): a broken sweep expands to nothing.
func (l *loader) parseSweep(sch *Schema, te *trialEntry) (*sweepSpec, bool) {
	sweep, zip := te.node.Get("sweep"), te.node.Get("zip")
	if sweep == nil && zip == nil {
		return nil, true
	}
	label := "trial " + strconv.Quote(te.Name)
	ok := true
	spec := &sweepSpec{}
	type seenKey struct {
		key string
		at  schema.Pos
	}
	var seen []seenKey
	check := func(section string, f schema.Field) ([]string, bool) {
		path, err := splitPath(f.Key)
		if err != nil {
			l.errs.Add(f.KeyPos, "%s: %s: %v", label, section, err)
			return nil, false
		}
		for _, prev := range seen {
			if prev.key == f.Key || strings.HasPrefix(f.Key, prev.key+".") || strings.HasPrefix(prev.key, f.Key+".") {
				l.errs.Add(f.KeyPos, "%s: %s: %q overlaps %q (line %d); a setting may be swept once", label, section, f.Key, prev.key, prev.at.Line)
				return nil, false
			}
		}
		seen = append(seen, seenKey{f.Key, f.KeyPos})
		if e := sch.checkPath(path, f.KeyPos, "setting"); e != nil {
			e.Msg = label + ": " + section + ": " + e.Msg
			l.errs = append(l.errs, e)
			return nil, false
		}
		if f.Value.Kind != schema.List || len(f.Value.List) == 0 {
			return nil, false // reported by trials.schema.json
		}
		return path, true
	}
	if sweep != nil && sweep.Kind == schema.Map {
		for _, f := range sweep.Fields {
			path, good := check("sweep", f)
			ok = ok && good
			if good {
				spec.axes = append(spec.axes, axis{paths: []string{f.Key}, split: [][]string{path}, values: columns(f.Value.List)})
			}
		}
	}
	if zip != nil && zip.Kind == schema.Map && len(zip.Fields) > 0 {
		z := axis{}
		for _, f := range zip.Fields {
			path, good := check("zip", f)
			ok = ok && good
			if !good {
				continue
			}
			if z.values != nil && len(f.Value.List) != len(z.values) {
				l.errs.Add(f.Value.Pos, "%s: zip.%s: want %d values, as many as zip.%s (line %d), got %d; zip pairs its lists element by element",
					label, f.Key, len(z.values), z.paths[0], zip.Fields[0].KeyPos.Line, len(f.Value.List))
				ok = false
				continue
			}
			if z.values == nil {
				z.values = make([][]*schema.Value, len(f.Value.List))
			}
			for k, v := range f.Value.List {
				z.values[k] = append(z.values[k], v)
			}
			z.paths = append(z.paths, f.Key)
			z.split = append(z.split, path)
		}
		spec.axes = append(spec.axes, z)
	}
	if sweep != nil && sweep.Kind != schema.Map || zip != nil && zip.Kind != schema.Map {
		ok = false // reported by trials.schema.json
	}
	if !ok || len(spec.axes) == 0 {
		return nil, ok
	}
	if n, fits := spec.points(); !fits || n > MaxTrialPoints {
		l.errs.Add(sweepKeyPos(te.node), "%s: sweep has %s points; at most %d", label, spec.count(), MaxTrialPoints)
		return nil, false
	}
	return spec, true
}

// sweepKeyPos is where a trial entry's "sweep:" key is, or its "zip:" key when it has
// no sweep.
func sweepKeyPos(entry *schema.Value) schema.Pos {
	if f := entry.Field("sweep"); f != nil {
		return f.KeyPos
	}
	if f := entry.Field("zip"); f != nil {
		return f.KeyPos
	}
	return entry.Pos
}

// MaxTrialPoints is the most points one trial's sweep may have, and MaxPoints the most
// all trials' points together: each point becomes a trial in memory, in generated code and
// in the workspace, so a grid beyond these is almost surely a mistake, and checking the
// count before expanding keeps a short file from exhausting memory.
const (
	MaxTrialPoints = 100_000
	MaxPoints      = 1_000_000
)

// points returns the number of points of the sweep, and false when it exceeds an int.
func (s *sweepSpec) points() (int, bool) {
	n := 1
	for _, ax := range s.axes {
		k := len(ax.values)
		if k != 0 && n > math.MaxInt/k {
			return 0, false
		}
		n *= k
	}
	return n, true
}

// count is the number of points in decimal, exact however large.
func (s *sweepSpec) count() string {
	n := big.NewInt(1)
	for _, ax := range s.axes {
		n.Mul(n, big.NewInt(int64(len(ax.values))))
	}
	return n.String()
}

// columns makes each value of a sweep list a one-element tuple.
func columns(list []*schema.Value) [][]*schema.Value {
	out := make([][]*schema.Value, len(list))
	for i, v := range list {
		out[i] = []*schema.Value{v}
	}
	return out
}

// expand returns te's sweep points, in order: the cartesian product of the axes, the
// first axis varying slowest. Points whose values cannot be named, or whose names clash,
// are reported and left out.
func (l *loader) expand(te trialEntry, spec *sweepSpec) []trialEntry {
	var out []trialEntry
	names := map[string]schema.Pos{}
	idx := make([]int, len(spec.axes))
	for {
		if p, ok := l.point(te, spec, idx, names); ok {
			out = append(out, p)
		}
		// Advance the odometer: the last axis fastest.
		i := len(idx) - 1
		for ; i >= 0; i-- {
			idx[i]++
			if idx[i] < len(spec.axes[i].values) {
				break
			}
			idx[i] = 0
		}
		if i < 0 {
			return out
		}
	}
}

// point builds the sweep point at idx (one index per axis).
func (l *loader) point(te trialEntry, spec *sweepSpec, idx []int, names map[string]schema.Pos) (trialEntry, bool) {
	var pairs []string
	var values []SweepValue
	var paths [][]string
	ok := true
	for a, ax := range spec.axes {
		for j, v := range ax.values[idx[a]] {
			text, err := pointValueName(v)
			if err != "" {
				l.errs.Add(v.Pos, "trial %q: sweep value of %s: %s", te.Name, ax.paths[j], err)
				ok = false
				continue
			}
			pairs = append(pairs, sanitize(ax.paths[j])+"="+text)
			sv := v.Clone()
			setLayer(sv, schema.LayerSweep)
			values = append(values, SweepValue{Path: ax.paths[j], Value: sv})
			paths = append(paths, ax.split[j])
		}
	}
	if !ok {
		return trialEntry{}, false
	}
	point := strings.Join(pairs, ",")
	name := te.Name + "/" + point
	at := values[len(values)-1].Value.Pos
	if first, dup := names[name]; dup {
		l.errs.Add(at, "trial %q: sweep point %q has the name of the point whose value is at %d:%d; values that differ only in characters outside [A-Za-z0-9_.+-] get the same name",
			te.Name, name, first.Line, first.Col)
		return trialEntry{}, false
	}
	names[name] = at
	p := te
	p.Name = name
	p.ID = pointID(te.ID, point)
	p.Sweep = &SweepPoint{Base: te.Name, BaseID: te.ID, Values: values}
	p.sweepPaths = paths
	return p, true
}

// pointID derives a sweep point's id from its trial's id and the point's part of the name
// (after "/"), with FNV-1a: stable across runs, versions and edits to the sweep lists.
func pointID(base int, point string) int {
	h := fnv.New64a()
	h.Write([]byte(point))
	n := int(h.Sum64()%(pointIDSpan-1)) + 1
	if base < 0 {
		return base*pointIDSpan - n
	}
	return base*pointIDSpan + n
}

// maxSweptID is the largest trial id whose sweep points' ids fit in an int64.
const maxSweptID = math.MaxInt64/pointIDSpan - 1

// pointValueName names one swept value in a point's name: numbers in their shortest form,
// strings as themselves, booleans and null as words, a list of these joined with "-"; all
// reduced to [A-Za-z0-9_.+-]. It returns a reason when the value cannot be named.
func pointValueName(v *schema.Value) (string, string) {
	switch v.Kind {
	case schema.Null:
		return "null", ""
	case schema.Bool:
		return strconv.FormatBool(v.Bool), ""
	case schema.Int:
		return strconv.FormatInt(v.Int, 10), ""
	case schema.Float:
		return sanitize(strconv.FormatFloat(v.Float, 'g', -1, 64)), ""
	case schema.String:
		return sanitize(v.Str), ""
	case schema.List:
		parts := make([]string, 0, len(v.List))
		for _, e := range v.List {
			if e.Kind == schema.List || e.Kind == schema.Map {
				return "", "a list of lists or mappings cannot be named; sweep over a setting inside it, or over lists of plain values"
			}
			s, _ := pointValueName(e)
			parts = append(parts, s)
		}
		return strings.Join(parts, "-"), ""
	}
	return "", "a mapping cannot be named; sweep over the settings inside it instead, such as optimizer.lr"
}

// sanitize replaces every character outside [A-Za-z0-9_.+-] by "_".
func sanitize(s string) string {
	return strings.Map(func(r rune) rune {
		switch {
		case 'a' <= r && r <= 'z', 'A' <= r && r <= 'Z', '0' <= r && r <= '9', strings.ContainsRune("_.+-", r):
			return r
		}
		return '_'
	}, s)
}
