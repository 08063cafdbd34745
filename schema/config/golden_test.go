package config

import (
	"errors"
	"flag"
	"os"
	"path/filepath"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/expman-dev/expman/schema"
)

var update = flag.Bool("update", false, "rewrite testdata/bad/*/errors.golden from Load's output")

// TestBadConfigs loads every folder under testdata/bad and compares the errors Load returns
// with the folder's errors.golden. go test ./schema/config -update rewrites the goldens.
func TestBadConfigs(t *testing.T) {
	dirs, err := filepath.Glob("testdata/bad/*")
	if err != nil {
		t.Fatal(err)
	}
	if len(dirs) < 22 {
		t.Fatalf("only %d bad cases, want at least 22", len(dirs))
	}
	for _, dir := range dirs {
		t.Run(filepath.Base(dir), func(t *testing.T) {
			cfg, err := Load(os.DirFS(dir), Options{})
			if err == nil {
				t.Fatalf("Load succeeded with %d trials, want errors", len(cfg.Trials))
			}
			var list schema.ErrorList
			if !errors.As(err, &list) {
				t.Fatalf("Load error is %T, want schema.ErrorList: %v", err, err)
			}
			for _, e := range list {
				if e.Pos.File == "" {
					t.Errorf("error without a file: %s", e.Msg)
				}
			}
			got := err.Error() + "\n"
			golden := filepath.Join(dir, "errors.golden")
			if *update {
				if err := os.WriteFile(golden, []byte(got), 0o644); err != nil {
					t.Fatal(err)
				}
				return
			}
			want, err := os.ReadFile(golden)
			if err != nil {
				t.Fatalf("missing golden (run go test ./schema/config -update): %v", err)
			}
			if diff := cmp.Diff(string(want), got); diff != "" {
				t.Errorf("errors differ (-want +got):\n%s", diff)
			}
		})
	}
}
