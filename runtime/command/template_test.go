package command

import (
	"testing"
)

func TestExpand(t *testing.T) {
	settings := map[string]any{
		"lr": 0.001, "tiny": 1e-7, "big": 1e21, "whole": float64(3), "n": int64(64),
		"name": "adam", "on": true, "none": nil, "layers": []any{int64(128), int64(64)},
		"mixed": []any{"a", 1.5, false}, "empty": []any{},
		"opt":    map[string]any{"name": "sgd", "inner": map[string]any{"x": int64(1)}},
		"seed":   int64(7), // a setting wins over the built-in of the same name
		"nested": []any{[]any{int64(1)}}, "maps": []any{map[string]any{"a": int64(1)}},
	}
	builtin := map[string]string{"trial": "t", "repeat": "2", "seed": "99", "run_dir": "/r"}
	for _, c := range []struct{ arg, want string }{
		{"{lr}", "0.001"},
		{"{tiny}", "1e-07"},
		{"{big}", "1e+21"},
		{"{whole}", "3"},
		{"--n={n}", "--n=64"},
		{"{name}/{on}/{none}/", "adam/true//"},
		{"{layers}", "128,64"},
		{"{mixed}", "a,1.5,false"},
		{"[{empty}]", "[]"},
		{"{opt.name}-{opt.inner.x}", "sgd-1"},
		{"{seed} {trial}#{repeat} {run_dir}", "7 t#2 /r"},
		{"{{x}} {{{name}}} }}{{", "{x} {adam} }{"},
		{"", ""},
		{"plain", "plain"},
	} {
		tpl, err := parseTemplate(c.arg)
		if err != nil {
			t.Errorf("parseTemplate(%q): %v", c.arg, err)
			continue
		}
		got, err := tpl.expand(settings, builtin)
		if err != nil || got != c.want {
			t.Errorf("expand(%q) = %q, %v; want %q", c.arg, got, err, c.want)
		}
	}
	for _, c := range []struct{ arg, want string }{
		{"{opt}", "setting opt is a mapping; name one of its values instead, such as {opt.inner.x}"},
		{"{nested}", "setting nested is a list holding a list; only lists of numbers, strings and booleans become an argument (comma-separated)"},
		{"{maps}", "setting maps is a list holding a mapping; only lists of numbers, strings and booleans become an argument (comma-separated)"},
		{"{missing}", "no such setting"},
		{"{opt.name.deeper}", "no such setting"},
	} {
		tpl, err := parseTemplate(c.arg)
		if err != nil {
			t.Fatal(err)
		}
		if _, err := tpl.expand(settings, builtin); err == nil || err.Error() != c.want {
			t.Errorf("expand(%q) error = %v; want %q", c.arg, err, c.want)
		}
	}
}

func TestClosest(t *testing.T) {
	known := []string{"learning_rate", "optimizer.name", "seed", "epochs"}
	for name, want := range map[string]string{
		"lerning_rate":   "learning_rate",
		"optimiser.name": "optimizer.name",
		"sed":            "seed",
		"epoch":          "epochs",
		"batch_size":     "",
		"x":              "",
	} {
		if got := closest(name, known); got != want {
			t.Errorf("closest(%q) = %q, want %q", name, got, want)
		}
	}
}

func TestTail(t *testing.T) {
	tl := newTail(3)
	var s lineSplitter
	s.emit = tl.add
	s.write([]byte("a\nb"))
	s.write([]byte("c\r\nd\ne"))
	s.flush()
	got := tl.lines()
	if len(got) != 3 || got[0] != "bc" || got[1] != "d" || got[2] != "e" {
		t.Errorf("tail = %q, want [bc d e]", got)
	}
}
