package results

import (
	"bytes"
	"encoding/csv"
	"encoding/json"
	"fmt"
	"io"
	"strconv"
	"strings"
	"text/tabwriter"
)

// WriteCSV writes the table as results.csv: a header of Columns, then one record per
// trial. Floats are written in their shortest exact form; a value the trial does not have
// is an empty mean and std and an n of 0; a setting the trial does not have is empty.
func (t *Table) WriteCSV(w io.Writer) error {
	cw := csv.NewWriter(w)
	if err := cw.Write(t.Columns()); err != nil {
		return err
	}
	for _, r := range t.Rows {
		rec := []string{r.Trial, strconv.Itoa(r.TrialID), strconv.Itoa(r.Completed), strconv.Itoa(r.Failed)}
		for _, s := range r.Settings {
			rec = append(rec, s.Text)
		}
		for _, name := range t.Values {
			if s, ok := r.Values[name]; ok {
				rec = append(rec, formatFloat(s.Mean), formatFloat(s.Std), strconv.Itoa(s.N))
			} else {
				rec = append(rec, "", "", "0")
			}
		}
		if err := cw.Write(rec); err != nil {
			return err
		}
	}
	cw.Flush()
	return cw.Error()
}

// WriteJSON writes the table as results.json:
//
//	{"experiment": "...", "columns": [...], "rows": [{"trial": ..., ...}, ...]}
//
// Each row has every column, in the order of columns: settings keep their YAML type
// (null when the trial does not have them), means and stds are null for a value the
// trial does not have.
func (t *Table) WriteJSON(w io.Writer) error {
	rows := make([]object, len(t.Rows))
	for i, r := range t.Rows {
		o := object{
			{"trial", r.Trial}, {"trial_id", r.TrialID}, {"completed", r.Completed}, {"failed", r.Failed},
		}
		for j, s := range r.Settings {
			o = append(o, field{t.Settings[j], s.Value})
		}
		for _, name := range t.Values {
			var mean, std any
			n := 0
			if s, ok := r.Values[name]; ok {
				mean, std, n = s.Mean, s.Std, s.N
			}
			o = append(o, field{name + "_mean", mean}, field{name + "_std", std}, field{name + "_n", n})
		}
		rows[i] = o
	}
	data, err := marshal(object{{"experiment", t.Experiment}, {"columns", t.Columns()}, {"rows", rows}})
	if err != nil {
		return err
	}
	_, err = w.Write(data)
	return err
}

// object is a JSON object whose keys keep their order.
type object []field

type field struct {
	key   string
	value any
}

func (o object) MarshalJSON() ([]byte, error) {
	var b bytes.Buffer
	b.WriteByte('{')
	for i, f := range o {
		if i > 0 {
			b.WriteByte(',')
		}
		k, err := json.Marshal(f.key)
		if err != nil {
			return nil, err
		}
		v, err := json.Marshal(f.value)
		if err != nil {
			return nil, fmt.Errorf("%s: %w", f.key, err)
		}
		b.Write(k)
		b.WriteByte(':')
		b.Write(v)
	}
	b.WriteByte('}')
	return b.Bytes(), nil
}

// cells is the table for people: the counts as "completed/planned", the values as
// "mean ± std" to four significant digits ("-" when the trial has none).
func (t *Table) cells() (header []string, rows [][]string) {
	header = []string{"trial", "id", "done", "failed"}
	header = append(header, t.Settings...)
	header = append(header, t.Values...)
	for _, r := range t.Rows {
		row := []string{r.Trial, strconv.Itoa(r.TrialID), fmt.Sprintf("%d/%d", r.Completed, r.Repeats), strconv.Itoa(r.Failed)}
		for _, s := range r.Settings {
			row = append(row, s.Text)
		}
		for _, name := range t.Values {
			row = append(row, meanStd(r.Values, name))
		}
		rows = append(rows, row)
	}
	return header, rows
}

func meanStd(values map[string]Stats, name string) string {
	s, ok := values[name]
	switch {
	case !ok:
		return "-"
	case s.N == 1:
		return shortFloat(s.Mean)
	}
	return shortFloat(s.Mean) + " ± " + shortFloat(s.Std)
}

// WriteText writes the table as aligned columns, for a terminal.
func (t *Table) WriteText(w io.Writer) error {
	header, rows := t.cells()
	tw := tabwriter.NewWriter(w, 0, 8, 2, ' ', 0)
	fmt.Fprintln(tw, strings.Join(header, "\t"))
	for _, r := range rows {
		for i := range r {
			if r[i] == "" {
				r[i] = "-"
			}
		}
		fmt.Fprintln(tw, strings.Join(r, "\t"))
	}
	return tw.Flush()
}

// WriteMarkdown writes the table as a GitHub-flavoured Markdown table.
func (t *Table) WriteMarkdown(w io.Writer) error {
	header, rows := t.cells()
	var b strings.Builder
	line := func(cells []string) {
		b.WriteString("|")
		for _, c := range cells {
			b.WriteString(" " + strings.ReplaceAll(c, "|", `\|`) + " |")
		}
		b.WriteString("\n")
	}
	line(header)
	sep := make([]string, len(header))
	for i := range sep {
		sep[i] = "---"
		if i == 1 || i == 3 {
			sep[i] = "--:"
		}
	}
	line(sep)
	for _, r := range rows {
		line(r)
	}
	_, err := io.WriteString(w, b.String())
	return err
}
