package runtime

import (
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/expman-dev/expman/runtime/internal/workspace"
)

func TestBadArtifactNames(t *testing.T) {
	tr, sink := trialWithSink(t)
	for _, tc := range []struct{ name, want string }{
		{"", "is empty"},
		{"/etc/passwd", "is an absolute path"},
		{"..", `element 1 ".." that would lead out`},
		{"../x", `element 1 ".." that would lead out`},
		{"plots/../../x", `element 2 ".." that would lead out`},
		{"./x", `element 1 "." that would lead out`},
		{"a//b", `element 2 "" that is empty`},
		{"a/", `element 2 "" that is empty`},
		{`a\b`, "has characters other than"},
		{"loss plot.png", "has characters other than"},
		{"a\x00b", "has characters other than"},
		{strings.Repeat("x", 256), "is 256 bytes long"},
	} {
		_, err := tr.ArtifactPath(tc.name)
		var ne *NameError
		if !errors.As(err, &ne) || ne.Kind != "artifact" || ne.Name != tc.name ||
			!strings.Contains(err.Error(), tc.want) || !strings.Contains(err.Error(), "want a relative path") {
			t.Errorf("ArtifactPath(%q) = %v, want an artifact *NameError saying %q and what would be right", tc.name, err, tc.want)
		}
		if err := tr.WriteArtifact(tc.name, []byte("x")); !errors.As(err, &ne) {
			t.Errorf("WriteArtifact(%q) = %v, want a *NameError", tc.name, err)
		}
	}
	if entries, _ := os.ReadDir(sink.artifactsDir()); len(entries) != 0 {
		t.Errorf("bad names left files in artifacts/: %v", entries)
	}
}

func TestArtifactPath(t *testing.T) {
	tr, sink := trialWithSink(t)
	artifacts := filepath.Join(sink.dir, workspace.ArtifactsDir)
	for _, name := range []string{"model.bin", "plots/loss.png", "a/b/c/.hidden", "v1.2_final-x"} {
		path, err := tr.ArtifactPath(name)
		if err != nil {
			t.Fatalf("ArtifactPath(%q): %v", name, err)
		}
		if want := filepath.Join(artifacts, filepath.FromSlash(name)); path != want {
			t.Errorf("ArtifactPath(%q) = %s, want %s", name, path, want)
		}
		if info, err := os.Stat(filepath.Dir(path)); err != nil || !info.IsDir() {
			t.Errorf("ArtifactPath(%q) did not create its folder: %v", name, err)
		}
	}
}

func TestWriteArtifact(t *testing.T) {
	tr, sink := trialWithSink(t)
	for _, content := range []string{"first", "second"} { // the second replaces the first
		if err := tr.WriteArtifact("plots/loss.csv", []byte(content)); err != nil {
			t.Fatal(err)
		}
	}
	dir := filepath.Join(sink.artifactsDir(), "plots")
	got, err := os.ReadFile(filepath.Join(dir, "loss.csv"))
	if err != nil || string(got) != "second" {
		t.Errorf("artifact = %q, %v; want %q", got, err, "second")
	}
	entries, err := os.ReadDir(dir)
	if err != nil || len(entries) != 1 {
		t.Errorf("plots/ holds %v (%v), want only loss.csv and no temporary file", entries, err)
	}
}
