package config

import (
	"fmt"
	"strconv"
	"strings"

	"github.com/expman-dev/expman/schema"
)

// sharedErrors collects validation problems of many trials, so that one problem (a bad
// value in base.yaml, in a sweep list, in an override) is reported once, naming the trials
// it affects in a form that stays short for large sweeps.
type sharedErrors struct {
	all    int            // how many trials there are
	points map[string]int // sweep base name -> how many points it has
	order  []string
	byKey  map[string]*sharedError
}

type sharedError struct {
	err    *schema.Error
	trials []trialEntry
}

func newSharedErrors(trials []trialEntry) *sharedErrors {
	s := &sharedErrors{all: len(trials), points: map[string]int{}, byKey: map[string]*sharedError{}}
	for _, t := range trials {
		if t.Sweep != nil {
			s.points[t.Sweep.Base]++
		}
	}
	return s
}

func (s *sharedErrors) add(e *schema.Error, te trialEntry) {
	key := e.Pos.String() + "\x00" + e.Msg
	se := s.byKey[key]
	if se == nil {
		se = &sharedError{err: e}
		s.byKey[key] = se
		s.order = append(s.order, key)
	}
	for _, t := range se.trials {
		if t.Name == te.Name {
			return
		}
	}
	se.trials = append(se.trials, te)
}

func (s *sharedErrors) list() schema.ErrorList {
	var out schema.ErrorList
	for _, k := range s.order {
		se := s.byKey[k]
		e := se.err
		// An override applies to every trial: a problem it causes in all of them is the
		// override's alone, and its position already says which one.
		if strings.HasPrefix(e.Pos.File, OverrideFlag+" ") && len(se.trials) == s.all {
			out = append(out, &schema.Error{Pos: e.Pos, Msg: e.Msg})
			continue
		}
		out = append(out, &schema.Error{Pos: e.Pos, Msg: s.label(se.trials) + ": " + e.Msg})
	}
	return out
}

// label names trials: `trial "a"`, `trials "a", "b"`; several points of one sweep are
// named by their trial, e.g. `trial "lr_grid" (2 of 6 sweep points)`.
func (s *sharedErrors) label(trials []trialEntry) string {
	var names []string
	count := map[string]int{}
	for _, t := range trials {
		if t.Sweep != nil {
			count[t.Sweep.Base]++
		}
	}
	done := map[string]bool{}
	for _, t := range trials {
		switch {
		case t.Sweep == nil || count[t.Sweep.Base] == 1:
			names = append(names, strconv.Quote(t.Name))
		case !done[t.Sweep.Base]:
			done[t.Sweep.Base] = true
			n, of := count[t.Sweep.Base], s.points[t.Sweep.Base]
			which := fmt.Sprintf("%d of %d sweep points", n, of)
			if n == of {
				which = fmt.Sprintf("all %d sweep points", n)
			}
			names = append(names, fmt.Sprintf("%q (%s)", t.Sweep.Base, which))
		}
	}
	if len(names) == 1 {
		return "trial " + names[0]
	}
	return "trials " + strings.Join(names, ", ")
}
