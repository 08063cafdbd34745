package metrics

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"math"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"
)

func newWriter(t *testing.T) *Writer {
	t.Helper()
	w := NewWriter(filepath.Join(t.TempDir(), FileName))
	t.Cleanup(func() { w.Close() })
	return w
}

func readLines(t *testing.T, path string) []string {
	t.Helper()
	data, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	if len(data) > 0 && data[len(data)-1] != '\n' {
		t.Fatalf("%s does not end with a newline: %q", path, data)
	}
	return strings.Split(strings.TrimSuffix(string(data), "\n"), "\n")
}

func TestLineFormat(t *testing.T) {
	w := newWriter(t)
	before := time.Now()
	values := []float64{0.25, 0, -3, 1e21, 1e-7, 123456789, math.MaxFloat64, math.SmallestNonzeroFloat64, -0.000001}
	for i, v := range values {
		if err := w.Write("loss", i-1, v); err != nil {
			t.Fatal(err)
		}
	}
	if err := w.Close(); err != nil {
		t.Fatal(err)
	}
	after := time.Now()
	lines := readLines(t, w.Path())
	if len(lines) != len(values) {
		t.Fatalf("got %d lines, want %d", len(lines), len(values))
	}
	for i, line := range lines {
		// Exactly the fields of the format, in its order, with JSON numbers.
		dec := json.NewDecoder(strings.NewReader(line))
		dec.UseNumber()
		var got map[string]any
		if err := dec.Decode(&got); err != nil {
			t.Fatalf("line %d %q is not JSON: %v", i+1, line, err)
		}
		if len(got) != 4 || !strings.HasPrefix(line, `{"name":"loss","step":`) {
			t.Errorf("line %d = %q, want the fields name, step, value, time", i+1, line)
		}
		if step, _ := got["step"].(json.Number).Int64(); step != int64(i-1) {
			t.Errorf("line %d: step %d, want %d", i+1, step, i-1)
		}
		if v, _ := got["value"].(json.Number).Float64(); v != values[i] {
			t.Errorf("line %d: value %v, want %v exactly", i+1, v, values[i])
		}
		ts := string(got["time"].(json.Number))
		if _, frac, ok := strings.Cut(ts, "."); !ok || len(frac) != 6 {
			t.Errorf("line %d: time %s, want seconds with 6 decimals", i+1, ts)
		}
		sec, _ := got["time"].(json.Number).Float64()
		if sec < float64(before.UnixMicro())/1e6-1e-6 || sec > float64(after.UnixMicro())/1e6+1e-6 {
			t.Errorf("line %d: time %f not within the test's %v..%v", i+1, sec, before, after)
		}
	}
	// encoding/json's spelling of small and large numbers.
	if !strings.Contains(lines[4], `"value":1e-7,`) || !strings.Contains(lines[3], `"value":1e+21,`) {
		t.Errorf("exponents spelled unlike encoding/json: %q, %q", lines[3], lines[4])
	}
}

func TestAppendUnixMicro(t *testing.T) {
	for _, tc := range []struct {
		t    time.Time
		want string
	}{
		{time.UnixMicro(1764244800123456), "1764244800.123456"},
		{time.UnixMicro(1764244800000001), "1764244800.000001"},
		{time.UnixMicro(0), "0.000000"},
		{time.UnixMicro(-1), "-1.999999"}, // one microsecond before 1970: -1 + 0.999999
	} {
		var c clock
		if got := string(c.appendUnixMicro(nil, tc.t.UnixMicro())); got != tc.want {
			t.Errorf("appendUnixMicro(%d µs) = %s, want %s", tc.t.UnixMicro(), got, tc.want)
		}
	}
}

func TestBadNames(t *testing.T) {
	for _, tc := range []struct {
		name, want string
	}{
		{"", "is empty"},
		{"val/loss", "path separator '/'"},
		{`val\loss`, `path separator '\\'`},
		{"loss ", "a space"},
		{" loss", "starts with a space"},
		{"a\nb", "control character U+000A"},
		{"a\x00", "control character U+0000"},
		{`a"b`, `'"'`},
		{"lösung", "'ö'"},
		{"\xff", "invalid UTF-8"},
		{".hidden", "starts with '.'"},
		{"-x", "starts with '-'"},
		{strings.Repeat("a", MaxNameLen+1), "is 129 bytes long"},
	} {
		t.Run(fmt.Sprintf("%q", tc.name), func(t *testing.T) {
			w := newWriter(t)
			err := w.Write(tc.name, 1, 1)
			var ne *NameError
			if !errors.As(err, &ne) || ne.Name != tc.name {
				t.Fatalf("Write(%q) = %v, want a *NameError naming it", tc.name, err)
			}
			if msg := err.Error(); !strings.Contains(msg, tc.want) || !strings.Contains(msg, "want 1 to 128 ASCII letters") {
				t.Errorf("error %q does not say %q and what would be right", msg, tc.want)
			}
			if _, err := os.Stat(w.Path()); !errors.Is(err, fs.ErrNotExist) {
				t.Errorf("a refused point created the file (%v)", err)
			}
		})
	}
	for _, good := range []string{"loss", "val.acc", "eval:top-5", "_x", "0", strings.Repeat("a", MaxNameLen)} {
		if err := CheckName(good); err != nil {
			t.Errorf("CheckName(%q) = %v, want nil", good, err)
		}
	}
}

func TestNonFiniteRefused(t *testing.T) {
	w := newWriter(t)
	for _, v := range []float64{math.NaN(), math.Inf(1), math.Inf(-1)} {
		if err := w.Write("loss", 1, v); !errors.Is(err, ErrNotFinite) || !strings.Contains(err.Error(), `"loss"`) {
			t.Errorf("Write(%v) = %v, want ErrNotFinite naming the metric", v, err)
		}
	}
	err := w.WriteBatch(1, 2, func(i int) (string, float64) { return []string{"a", "b"}[i], []float64{1, math.NaN()}[i] })
	if !errors.Is(err, ErrNotFinite) {
		t.Errorf("WriteBatch with a NaN = %v, want ErrNotFinite", err)
	}
	if _, err := os.Stat(w.Path()); !errors.Is(err, fs.ErrNotExist) {
		t.Errorf("refused points created the file (%v)", err)
	}
}

func TestLazyCreation(t *testing.T) {
	w := NewWriter(filepath.Join(t.TempDir(), FileName))
	if err := w.Close(); err != nil {
		t.Fatal(err)
	}
	if _, err := os.Stat(w.Path()); !errors.Is(err, fs.ErrNotExist) {
		t.Errorf("a writer without points created its file (%v)", err)
	}
	if err := w.Write("loss", 1, 1); !errors.Is(err, ErrClosed) {
		t.Errorf("Write after Close = %v, want ErrClosed", err)
	}
}

func TestAppends(t *testing.T) {
	path := filepath.Join(t.TempDir(), FileName)
	for i := range 2 {
		w := NewWriter(path)
		if err := w.Write("loss", i, float64(i)); err != nil {
			t.Fatal(err)
		}
		if err := w.Close(); err != nil {
			t.Fatal(err)
		}
	}
	if got := readLines(t, path); len(got) != 2 {
		t.Errorf("got lines %q, want the two writers' points", got)
	}
}

func TestBatch(t *testing.T) {
	w := newWriter(t)
	names, values := []string{"loss", "acc"}, []float64{0.5, 0.9}
	if err := w.WriteBatch(7, 2, func(i int) (string, float64) { return names[i], values[i] }); err != nil {
		t.Fatal(err)
	}
	err := w.WriteBatch(8, 2, func(i int) (string, float64) { return []string{"ok", "bad/name"}[i], 1 })
	if ne := (*NameError)(nil); !errors.As(err, &ne) || ne.Name != "bad/name" {
		t.Errorf("WriteBatch with a bad name = %v, want a *NameError for it", err)
	}
	if err := w.Close(); err != nil {
		t.Fatal(err)
	}
	points, err := ReadAll(w.Path())
	if err != nil {
		t.Fatal(err)
	}
	if len(points) != 2 || points[0].Name != "loss" || points[1].Name != "acc" ||
		points[0].Step != 7 || points[1].Step != 7 || points[0].Time != points[1].Time {
		t.Errorf("got %+v, want loss and acc at step 7 with one time, and nothing of the refused batch", points)
	}
}

// TestFlushWithoutClose checks that an idle writer's points reach the file by themselves.
// It polls with a generous deadline: it asserts that the flush happens, not its timing.
func TestFlushWithoutClose(t *testing.T) {
	w := newWriter(t)
	if err := w.Write("loss", 1, 0.5); err != nil {
		t.Fatal(err)
	}
	deadline := time.Now().Add(10 * FlushInterval)
	for {
		data, err := os.ReadFile(w.Path())
		if err == nil && bytes.HasSuffix(data, []byte("}\n")) {
			return
		}
		if time.Now().After(deadline) {
			t.Fatalf("the point is not in the file %v after it was written (file: %q, %v)", 10*FlushInterval, data, err)
		}
		time.Sleep(20 * time.Millisecond)
	}
}

func TestConcurrentWholeLines(t *testing.T) {
	w := newWriter(t)
	const goroutines, points = 8, 2000
	var wg sync.WaitGroup
	for g := range goroutines {
		wg.Add(1)
		go func() {
			defer wg.Done()
			name := fmt.Sprintf("g%d", g)
			for i := range points {
				var err error
				if i%2 == 0 {
					err = w.Write(name, i, float64(i))
				} else {
					err = w.WriteBatch(i, 1, func(int) (string, float64) { return name, float64(i) })
				}
				if err != nil {
					t.Error(err)
					return
				}
			}
		}()
	}
	wg.Wait()
	if err := w.Close(); err != nil {
		t.Fatal(err)
	}
	lines := readLines(t, w.Path())
	if len(lines) != goroutines*points {
		t.Fatalf("got %d lines, want %d", len(lines), goroutines*points)
	}
	next := map[string]int{}
	for n, line := range lines {
		p, err := parseLine([]byte(line))
		if err != nil {
			t.Fatalf("line %d %q: %v", n+1, line, err)
		}
		if p.Step != next[p.Name] || p.Value != float64(p.Step) {
			t.Fatalf("line %d %q: want step %d of %s", n+1, line, next[p.Name], p.Name)
		}
		next[p.Name]++
	}
}

func TestWriteAllocatesNothing(t *testing.T) {
	w := newWriter(t)
	if err := w.Write("warmup", 0, 1); err != nil { // opens the file
		t.Fatal(err)
	}
	step := 0
	allocs := testing.AllocsPerRun(10000, func() {
		step++
		if err := w.Write("loss", step, 1/float64(step)); err != nil {
			t.Fatal(err)
		}
	})
	if allocs != 0 {
		t.Errorf("Write allocates %v times per point, want 0", allocs)
	}
	names := []string{"loss", "acc", "lr"}
	allocs = testing.AllocsPerRun(10000, func() {
		step++
		err := w.WriteBatch(step, len(names), func(i int) (string, float64) { return names[i], float64(step) })
		if err != nil {
			t.Fatal(err)
		}
	})
	if allocs != 0 {
		t.Errorf("WriteBatch allocates %v times per batch, want 0", allocs)
	}
}

func TestWriteErrorIsKept(t *testing.T) {
	dir := t.TempDir()
	w := NewWriter(filepath.Join(dir, "missing", FileName)) // its folder does not exist
	err := w.Write("loss", 1, 1)
	if !errors.Is(err, fs.ErrNotExist) {
		t.Fatalf("Write = %v, want the open error", err)
	}
	if err2 := w.Write("loss", 2, 1); !errors.Is(err2, fs.ErrNotExist) {
		t.Errorf("second Write = %v, want the first error again", err2)
	}
	if err := w.Close(); !errors.Is(err, fs.ErrNotExist) {
		t.Errorf("Close = %v, want the first error", err)
	}
}
