package metrics

import (
	"errors"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
)

func writeFile(t *testing.T, content string) string {
	t.Helper()
	path := filepath.Join(t.TempDir(), FileName)
	if err := os.WriteFile(path, []byte(content), 0o644); err != nil {
		t.Fatal(err)
	}
	return path
}

const twoPoints = `{"name":"loss","step":1,"value":0.5,"time":1764244800.123456}
{"name":"acc","step":1,"value":0.75,"time":1764244800.123456}
`

func TestReadAll(t *testing.T) {
	for _, tc := range []struct {
		name, content string
		want          []Point
	}{
		{"whole", twoPoints, []Point{
			{Name: "loss", Step: 1, Value: 0.5, Time: 1764244800.123456},
			{Name: "acc", Step: 1, Value: 0.75, Time: 1764244800.123456},
		}},
		// A crash leaves any prefix of a line; even one that parses is not trusted.
		{"partial last line", twoPoints + `{"name":"loss","step":2,"val`, nil},
		{"partial number", twoPoints + `{"name":"loss","step":2,"value":0.2,"time":1764244801.1}`, nil},
		{"empty", "", nil},
	} {
		t.Run(tc.name, func(t *testing.T) {
			want := tc.want
			if want == nil && tc.content != "" {
				want, _ = ReadAll(writeFile(t, twoPoints))
			}
			got, err := ReadAll(writeFile(t, tc.content))
			if err != nil {
				t.Fatal(err)
			}
			if diff := cmp.Diff(want, got); diff != "" {
				t.Errorf("ReadAll (-want +got):\n%s", diff)
			}
		})
	}
}

func TestReadAllBadLines(t *testing.T) {
	for _, tc := range []struct {
		name, content, want string
	}{
		{"torn middle line", `{"name":"loss","st` + "\n" + twoPoints, ":1: not a metric point"},
		{"missing field", twoPoints + `{"name":"loss","step":2,"value":1}` + "\n", `:3: metric point lacks ["time"]`},
		{"null value", `{"name":"loss","step":2,"value":null,"time":1}` + "\n", `:1: metric point lacks ["value"]`},
	} {
		t.Run(tc.name, func(t *testing.T) {
			path := writeFile(t, tc.content)
			_, err := ReadAll(path)
			if err == nil || !strings.Contains(err.Error(), path+tc.want) {
				t.Errorf("ReadAll = %v, want an error containing %q", err, path+tc.want)
			}
			if _, err := LastValues(path); err == nil {
				t.Errorf("LastValues accepted a malformed line")
			}
		})
	}
}

func TestLastValues(t *testing.T) {
	path := writeFile(t, twoPoints+`{"name":"loss","step":2,"value":0.25,"time":1764244801}`+"\n"+`{"name":"loss","step":3,"va`)
	got, err := LastValues(path)
	if err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff(map[string]float64{"loss": 0.25, "acc": 0.75}, got); diff != "" {
		t.Errorf("LastValues (-want +got):\n%s", diff)
	}
}

func TestMissingFile(t *testing.T) {
	path := filepath.Join(t.TempDir(), FileName)
	if _, err := ReadAll(path); !errors.Is(err, fs.ErrNotExist) {
		t.Errorf("ReadAll of a missing file = %v, want fs.ErrNotExist", err)
	}
	got, err := LastValues(path)
	if err != nil || len(got) != 0 {
		t.Errorf("LastValues of a missing file = %v, %v; want no values and no error", got, err)
	}
}

// TestRoundTrip reads back what the writer wrote, with the writer's exact values.
func TestRoundTrip(t *testing.T) {
	w := NewWriter(filepath.Join(t.TempDir(), FileName))
	values := []float64{0.1, 1.0 / 3, -2.5e-300, 6.02214076e23}
	for i, v := range values {
		if err := w.Write("x", i, v); err != nil {
			t.Fatal(err)
		}
	}
	if err := w.Close(); err != nil {
		t.Fatal(err)
	}
	points, err := ReadAll(w.Path())
	if err != nil {
		t.Fatal(err)
	}
	for i, p := range points {
		if p.Value != values[i] || p.Step != i {
			t.Errorf("point %d = %+v, want step %d value %v", i, p, i, values[i])
		}
	}
}
