package runtime

import (
	"fmt"
	"os"
	"path/filepath"
	"strings"

	"github.com/expman-dev/expman/runtime/internal/workspace"
)

// maxArtifactElem is the longest element of an artifact name: the usual limit of a file
// name.
const maxArtifactElem = 255

// wantArtifact says what a good artifact name looks like; every artifact NameError ends
// with it.
const wantArtifact = `want a relative path such as "model.bin" or "plots/loss.png": elements separated by '/', each of letters, digits, '_', '-' or '.', other than "." and ".."`

// ArtifactPath returns the path of the file name in this run's artifacts/ folder, after
// creating the folders it lies in, for files that a library writes itself (a plot, a
// checkpoint). name is a relative path with '/' between elements, like "plots/loss.png";
// each element is letters, digits, '_', '-' or '.', other than "." and "..", so the path
// never leads outside artifacts/. Otherwise ArtifactPath returns a *NameError.
//
// Write through a temporary file and a rename, as WriteArtifact does, when other programs
// may read the file while the run goes on.
func (t *Trial[S]) ArtifactPath(name string) (string, error) {
	if t.sink == nil {
		return "", fmt.Errorf("artifact %q: %w", name, ErrNotInRun)
	}
	if reason := checkArtifactName(name); reason != "" {
		return "", &NameError{Kind: "artifact", Name: name, Reason: reason + "; " + wantArtifact}
	}
	path := filepath.Join(t.sink.artifactsDir(), filepath.FromSlash(name))
	if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
		return "", err
	}
	return path, nil
}

// WriteArtifact replaces the file name in this run's artifacts/ folder with data,
// creating the folders it lies in. name follows ArtifactPath's rule. Like WriteFile, it
// writes atomically and durably: a reader, or a crash, sees the old file or the new one,
// never half of one, and a completed run's artifacts survive a power loss.
func (t *Trial[S]) WriteArtifact(name string, data []byte) error {
	path, err := t.ArtifactPath(name)
	if err != nil {
		return err
	}
	if !t.sink.open() {
		return fmt.Errorf("artifact %q: %w", name, ErrRunOver)
	}
	return workspace.WriteFile(path, data, workspace.Durable)
}

// checkArtifactName returns what is wrong with an artifact name, or "" if it is good.
func checkArtifactName(name string) string {
	switch {
	case name == "":
		return "is empty"
	case strings.HasPrefix(name, "/") || filepath.IsAbs(name):
		return "is an absolute path"
	}
	for i, elem := range strings.Split(name, "/") {
		if reason := checkArtifactElem(elem); reason != "" {
			return fmt.Sprintf("has element %d %q that %s", i+1, elem, reason)
		}
	}
	return ""
}

func checkArtifactElem(elem string) string {
	switch {
	case elem == "":
		return "is empty (a leading, trailing or doubled '/')"
	case elem == "." || elem == "..":
		return "would lead out of the folder"
	case len(elem) > maxArtifactElem:
		return fmt.Sprintf("is %d bytes long, more than %d", len(elem), maxArtifactElem)
	}
	// The same characters as the workspace's own folder names.
	if err := workspace.CheckName("artifact", elem); err != nil {
		return "has characters other than letters, digits, '_', '-' or '.'"
	}
	return ""
}
