package runtime

import "github.com/expman-dev/expman/runtime/internal/workspace"

// WriteFile replaces the file at path with data so that no reader, and no crash, ever sees
// half of it: it writes a temporary file beside path, syncs it to disk and renames it over
// path. On error, path is left as it was and no temporary file remains. Use it for results
// that other programs read while an experiment runs.
func WriteFile(path string, data []byte) error {
	return workspace.WriteFile(path, data, workspace.Durable)
}
