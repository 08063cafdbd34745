package workspace

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"
)

// filePerm is the mode of written files (before umask).
const filePerm = 0o644

// Durability says whether a write must survive a power loss or only a crash of the process.
type Durability bool

const (
	// Atomic: readers see the old content or the new one, never a mix. Enough for files
	// that are rewritten soon anyway, such as the "running" run.json.
	Atomic Durability = false
	// Durable: Atomic, and the content and the rename are on disk when WriteFile returns
	// (file and folder fsync'd). For final states, such as a completed run.json.
	Durable Durability = true
)

// WriteFile replaces the file at path with data: it writes a temporary file in the same
// folder (so the rename cannot cross file systems), optionally fsyncs it, and renames it
// over path. On any error the temporary file is removed and path is left as it was.
func WriteFile(path string, data []byte, d Durability) (err error) {
	dir, base := filepath.Split(path)
	if dir == "" {
		dir = "."
	}
	tmp, err := os.CreateTemp(dir, "."+base+".tmp-*")
	if err != nil {
		return err
	}
	defer func() {
		if err != nil {
			tmp.Close()
			os.Remove(tmp.Name())
		}
	}()
	if _, err := tmp.Write(data); err != nil {
		return err
	}
	// CreateTemp makes 0600 files; written state is meant to be read by the group too.
	if err := tmp.Chmod(filePerm); err != nil {
		return err
	}
	if d == Durable {
		if err := tmp.Sync(); err != nil {
			return err
		}
	}
	if err := tmp.Close(); err != nil {
		return err
	}
	if err := os.Rename(tmp.Name(), path); err != nil {
		return err
	}
	if d == Durable {
		// The rename lives in the folder: without this fsync a power loss may undo it.
		if err := syncDir(dir); err != nil {
			return fmt.Errorf("%s written, but its folder could not be synced: %w", path, err)
		}
	}
	return nil
}

func syncDir(dir string) error {
	f, err := os.Open(dir)
	if err != nil {
		return err
	}
	err = f.Sync()
	// Some file systems cannot fsync a folder; the data itself is synced already.
	if errors.Is(err, os.ErrInvalid) {
		err = nil
	}
	return errors.Join(err, f.Close())
}
