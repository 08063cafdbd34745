package metrics

import (
	"bufio"
	"bytes"
	"cmp"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"strconv"
	"strings"
)

// Point is one line of a metrics file.
type Point struct {
	Name  string  `json:"name"`
	Step  int     `json:"step"`
	Value float64 `json:"value"`
	Time  float64 `json:"time"` // Unix seconds
}

// ReadAll returns the points of the metrics file at path in file order. A last line
// without its newline is ignored: it is what a crash during a write leaves. Any other
// line that is not a point is an error "path:line: ...". A missing file is an error
// satisfying errors.Is(err, fs.ErrNotExist).
func ReadAll(path string) ([]Point, error) {
	var points []Point
	err := scan(path, func(p Point) { points = append(points, p) })
	return points, err
}

// LastValues returns, for every name in the metrics file at path, the value of its last
// point in file order (the one logged last). A run that logged no metric has no file:
// for a missing file LastValues returns an empty map and no error. Like ReadAll, it
// ignores a partial last line; unlike ReadAll it reads past a malformed complete line,
// so that one bad line does not hide a run's results: it returns the values of the good
// lines and an error naming the bad ones.
func LastValues(path string) (map[string]float64, error) {
	last := map[string]float64{}
	var bad []string
	err := scanLines(path, func(n int, line []byte) {
		p, err := parseLine(line)
		if err != nil {
			bad = append(bad, strconv.Itoa(n))
			return
		}
		last[p.Name] = p.Value
	})
	switch {
	case errors.Is(err, fs.ErrNotExist):
		return last, nil
	case err != nil:
		return nil, err
	case len(bad) > 0:
		return last, fmt.Errorf("%s: line %s: not a metric point; want {\"name\":..., \"step\":..., \"value\":..., \"time\":...}",
			path, strings.Join(bad, ", "))
	}
	return last, nil
}

// scan calls fn for every complete line of the file at path, failing on the first
// malformed one.
func scan(path string, fn func(Point)) error {
	var bad error
	err := scanLines(path, func(n int, line []byte) {
		if bad != nil {
			return
		}
		p, err := parseLine(line)
		if err != nil {
			bad = fmt.Errorf("%s:%d: %w", path, n, err)
			return
		}
		fn(p)
	})
	return cmp.Or(err, bad)
}

// scanLines calls fn with every complete line of the file at path and its number. A last
// line without its newline is partial (the writer may be in the middle of it, or was
// killed there) and is left out.
func scanLines(path string, fn func(n int, line []byte)) error {
	f, err := os.Open(path)
	if err != nil {
		return err
	}
	defer f.Close()
	r := bufio.NewReaderSize(f, 64<<10)
	for n := 1; ; n++ {
		line, err := r.ReadBytes('\n')
		if err == io.EOF {
			return nil
		}
		if err != nil {
			return fmt.Errorf("%s: %w", path, err)
		}
		if len(bytes.TrimSpace(line)) > 0 {
			fn(n, line)
		}
	}
}

// parseLine decodes one complete line, requiring every field of the format.
func parseLine(line []byte) (Point, error) {
	var raw struct {
		Name  *string  `json:"name"`
		Step  *int     `json:"step"`
		Value *float64 `json:"value"`
		Time  *float64 `json:"time"`
	}
	if err := json.Unmarshal(bytes.TrimSpace(line), &raw); err != nil {
		return Point{}, fmt.Errorf("not a metric point: %w", err)
	}
	var missing []string
	for _, f := range []struct {
		name string
		ok   bool
	}{{"name", raw.Name != nil}, {"step", raw.Step != nil}, {"value", raw.Value != nil}, {"time", raw.Time != nil}} {
		if !f.ok {
			missing = append(missing, f.name)
		}
	}
	if len(missing) > 0 {
		return Point{}, fmt.Errorf("metric point lacks %q; want name, step, value and time", missing)
	}
	return Point{Name: *raw.Name, Step: *raw.Step, Value: *raw.Value, Time: *raw.Time}, nil
}
