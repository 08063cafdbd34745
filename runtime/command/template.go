package command

import (
	"fmt"
	"slices"
	"strconv"
	"strings"
)

// An argument of the command is a template: literal text and {name} placeholders. "{{" and
// "}}" stand for literal braces.
type template struct {
	raw   string
	parts []part
}

// part is literal text, or a placeholder when name is set.
type part struct {
	text string
	name string
}

// Built-in placeholders: what every run knows about itself. A setting of the same name
// wins, because a name in the user's configs is the more specific one.
const (
	phExperiment = "experiment"
	phTrial      = "trial"
	phTrialID    = "trial_id"
	phRepeat     = "repeat"
	phSeed       = "seed"
	phRunDir     = "run_dir"
)

var builtins = []string{phExperiment, phTrial, phTrialID, phRepeat, phSeed, phRunDir}

// parseTemplate splits an argument into literal text and placeholders. A placeholder
// name is a setting path: letters, digits, '_' and '-', with '.' between the keys of a
// nested setting.
func parseTemplate(s string) (template, error) {
	t := template{raw: s}
	var lit strings.Builder
	for i := 0; i < len(s); i++ {
		switch c := s[i]; {
		case c == '{' && i+1 < len(s) && s[i+1] == '{', c == '}' && i+1 < len(s) && s[i+1] == '}':
			lit.WriteByte(c)
			i++
		case c == '}':
			return t, fmt.Errorf(`"}" at byte %d closes no placeholder; write "}}" for a literal brace`, i+1)
		case c == '{':
			end := strings.IndexByte(s[i+1:], '}')
			if end < 0 {
				return t, fmt.Errorf(`"{" at byte %d is not closed; write {name} for a setting, or "{{" for a literal brace`, i+1)
			}
			name := s[i+1 : i+1+end]
			if !validName(name) {
				return t, fmt.Errorf(`{%s} is not a placeholder: want {name} with a setting path such as {learning_rate} or {optimizer.name}; write "{{" and "}}" for literal braces`, name)
			}
			if lit.Len() > 0 {
				t.parts = append(t.parts, part{text: lit.String()})
				lit.Reset()
			}
			t.parts = append(t.parts, part{name: name})
			i += end + 1
		default:
			lit.WriteByte(c)
		}
	}
	if lit.Len() > 0 || len(t.parts) == 0 {
		t.parts = append(t.parts, part{text: lit.String()})
	}
	return t, nil
}

// validName reports whether name is a dotted path of non-empty keys.
func validName(name string) bool {
	if name == "" {
		return false
	}
	for _, key := range strings.Split(name, ".") {
		if key == "" {
			return false
		}
		for _, r := range key {
			ok := r == '_' || r == '-' || '0' <= r && r <= '9' || 'a' <= r && r <= 'z' || 'A' <= r && r <= 'Z'
			if !ok {
				return false
			}
		}
	}
	return true
}

// placeholders returns the names the template uses, in order, without repeats.
func (t template) placeholders() []string {
	var names []string
	for _, p := range t.parts {
		if p.name != "" && !slices.Contains(names, p.name) {
			names = append(names, p.name)
		}
	}
	return names
}

// expand renders the template for one run: settings first, then built-ins.
func (t template) expand(settings map[string]any, builtin map[string]string) (string, error) {
	var b strings.Builder
	for _, p := range t.parts {
		if p.name == "" {
			b.WriteString(p.text)
			continue
		}
		s, err := resolve(p.name, settings, builtin)
		if err != nil {
			return "", err
		}
		b.WriteString(s)
	}
	return b.String(), nil
}

// errNoSetting is what resolve returns for a name that is neither a setting nor built in.
var errNoSetting = fmt.Errorf("no such setting")

func resolve(name string, settings map[string]any, builtin map[string]string) (string, error) {
	if v, ok := lookup(settings, name); ok {
		s, err := format(v)
		if err == nil {
			return s, nil
		}
		if m, ok := v.(map[string]any); ok {
			if paths := leafPaths(m); len(paths) > 0 {
				return "", fmt.Errorf("setting %s is a mapping; name one of its values instead, such as {%s.%s}", name, name, paths[0])
			}
		}
		return "", fmt.Errorf("setting %s %w", name, err)
	}
	if s, ok := builtin[name]; ok {
		return s, nil
	}
	return "", errNoSetting
}

// lookup follows a dotted path through nested mappings.
func lookup(settings map[string]any, path string) (any, bool) {
	var v any = settings
	for _, key := range strings.Split(path, ".") {
		m, ok := v.(map[string]any)
		if !ok {
			return nil, false
		}
		if v, ok = m[key]; !ok {
			return nil, false
		}
	}
	return v, true
}

// format writes a setting as one argument: numbers in their shortest form, booleans as
// true/false, null as the empty string, a list of scalars comma-separated.
func format(v any) (string, error) {
	if list, ok := v.([]any); ok {
		items := make([]string, len(list))
		for i, item := range list {
			s, err := scalar(item)
			if err != nil {
				return "", fmt.Errorf("is a list holding a %s; only lists of numbers, strings and booleans become an argument (comma-separated)", err)
			}
			items[i] = s
		}
		return strings.Join(items, ","), nil
	}
	s, err := scalar(v)
	if err != nil {
		return "", fmt.Errorf("is a %s; name one of its values instead", err)
	}
	return s, nil
}

// kindError names a value that cannot be an argument.
type kindError string

func (k kindError) Error() string { return string(k) }

func scalar(v any) (string, error) {
	switch x := v.(type) {
	case nil:
		return "", nil
	case string:
		return x, nil
	case bool:
		return strconv.FormatBool(x), nil
	case int64:
		return strconv.FormatInt(x, 10), nil
	case int:
		return strconv.Itoa(x), nil
	case float64:
		return strconv.FormatFloat(x, 'g', -1, 64), nil
	case map[string]any:
		return "", kindError("mapping")
	case []any:
		return "", kindError("list")
	default:
		return fmt.Sprint(x), nil
	}
}

// leafPaths lists every setting a placeholder can name: scalars and lists, as dotted
// paths, in sorted order.
func leafPaths(settings map[string]any) []string {
	var out []string
	var walk func(prefix string, m map[string]any)
	walk = func(prefix string, m map[string]any) {
		for k, v := range m {
			if sub, ok := v.(map[string]any); ok {
				walk(prefix+k+".", sub)
				continue
			}
			out = append(out, prefix+k)
		}
	}
	walk("", settings)
	slices.Sort(out)
	return out
}
