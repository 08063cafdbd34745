package cli

import (
	"context"
	"errors"
	"fmt"
	"io"
	"strings"
	"text/tabwriter"

	"github.com/expman-dev/expman/schema"
)

const diffExamples = `	expman diff -config ./configs small_network large_network
	expman diff -config ./configs 'lr_grid/learning_rate=0.1' 'lr_grid/learning_rate=0.01'
	expman diff -config ./configs -format json baseline momentum
`

// runDiff prints the settings in which two trials differ, so a user sees what a
// comparison of their results actually compares.
func runDiff(_ context.Context, e *env, args []string) error {
	var sf settingsFlags
	fs := newFlagSet(e, "diff", "-config DIR [-schema FILE] [-set PATH=VALUE]... [-format text|json] TRIAL_A TRIAL_B", diffExamples)
	sf.register(fs)
	names, err := parseOperands(fs, args, "TRIAL_A", "TRIAL_B")
	if err != nil {
		return err
	}
	if err := sf.check(fs); err != nil {
		return err
	}
	cfg, err := sf.load()
	if err != nil {
		return err
	}
	a, errA := findTrial(cfg, sf.dir, names[0])
	b, errB := findTrial(cfg, sf.dir, names[1])
	if errA != nil || errB != nil {
		return errors.Join(errA, errB)
	}
	var diffs []settingDiff
	for _, path := range differingPaths([]*schema.Value{a.Settings, b.Settings}) {
		diffs = append(diffs, settingDiff{Path: path, A: lookupSetting(a.Settings, path), B: lookupSetting(b.Settings, path)})
	}
	if sf.format == "json" {
		return writeJSON(e.stdout, struct {
			A           string        `json:"a"`
			B           string        `json:"b"`
			Differences []settingDiff `json:"differences"`
		}{a.Name, b.Name, append([]settingDiff{}, diffs...)})
	}
	return writeDiffText(e.stdout, a.Name, b.Name, diffs)
}

// settingDiff is one setting that differs; a nil side is a setting the trial does not
// have, which -format json leaves out.
type settingDiff struct {
	Path string        `json:"path"`
	A    *schema.Value `json:"a,omitempty"`
	B    *schema.Value `json:"b,omitempty"`
}

func writeDiffText(w io.Writer, a, b string, diffs []settingDiff) error {
	if len(diffs) == 0 {
		_, err := fmt.Fprintf(w, "%s and %s have the same settings\n", a, b)
		return err
	}
	tw := tabwriter.NewWriter(w, 0, 8, 2, ' ', 0)
	fmt.Fprintf(tw, "SETTING\t%s\t%s\n", a, b)
	for _, d := range diffs {
		fmt.Fprintf(tw, "%s\t%s\t%s\n", d.Path, flowValue(d.A), flowValue(d.B))
	}
	return tw.Flush()
}

// differingPaths returns the dotted paths of the settings whose values are not the same in
// all of trees (a setting some do not have differs), in order of first appearance.
func differingPaths(trees []*schema.Value) []string {
	var paths []string
	seen := map[string]bool{}
	for _, t := range trees {
		for _, l := range settingLeaves(t) {
			if !seen[l.path] {
				seen[l.path] = true
				paths = append(paths, l.path)
			}
		}
	}
	var out []string
	for _, p := range paths {
		first := lookupSetting(trees[0], p)
		for _, t := range trees[1:] {
			if !sameValue(first, lookupSetting(t, p)) {
				out = append(out, p)
				break
			}
		}
	}
	return out
}

// lookupSetting returns the value at a dotted path, or nil.
func lookupSetting(settings *schema.Value, path string) *schema.Value {
	cur := settings
	for _, key := range strings.Split(path, ".") {
		if cur = cur.Get(key); cur == nil {
			return nil
		}
	}
	return cur
}
