package schema_test

import (
	"encoding/json"
	"io/fs"
	"maps"
	"slices"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/expman-dev/expman/schema"
	"github.com/expman-dev/expman/schema/internal/fileschemas"
)

// TestSchemasUpToDate fails when the checked-in *.schema.json files drift from the Go types.
func TestSchemasUpToDate(t *testing.T) {
	want, err := fileschemas.Generate()
	if err != nil {
		t.Fatal(err)
	}
	for _, name := range slices.Sorted(maps.Keys(want)) {
		got, err := schema.FileSchema(name)
		if err != nil {
			t.Errorf("%s is not embedded: %v", name, err)
			continue
		}
		if diff := cmp.Diff(string(want[name]), string(got)); diff != "" {
			t.Errorf("%s is stale; run `go generate ./schema` (-want from types, +got checked in):\n%s", name, diff)
		}
	}
}

func TestFileSchemasAreValidJSON(t *testing.T) {
	names, err := fs.Glob(schema.FileSchemas(), "*.schema.json")
	if err != nil {
		t.Fatal(err)
	}
	if len(names) != 3 {
		t.Fatalf("embedded schemas = %v, want 3", names)
	}
	for _, name := range names {
		data, _ := fs.ReadFile(schema.FileSchemas(), name)
		var v map[string]any
		if err := json.Unmarshal(data, &v); err != nil {
			t.Errorf("%s: %v", name, err)
		}
		if v["$schema"] == nil {
			t.Errorf("%s has no $schema", name)
		}
	}
}
