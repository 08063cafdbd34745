// Package envinfo records the environment an experiment ran in, for
// <experiment>/configs/environment.json: enough to rebuild the program (Go version, module
// and VCS revision from the build info) and to know where, by whom and how it was started.
//
// Fields the build info lacks (a binary built without module or VCS information, such as
// a test binary or `go run` outside a repository) are left empty rather than guessed.
package envinfo

import (
	"encoding/json"
	"os"
	"os/user"
	goruntime "runtime"
	"runtime/debug"
	"time"

	"github.com/expman-dev/expman/runtime/internal/workspace"
)

// Info is the content of environment.json.
type Info struct {
	GoVersion     string    `json:"go_version"`
	ModulePath    string    `json:"module_path"`
	ModuleVersion string    `json:"module_version"`
	VCS           string    `json:"vcs,omitempty"` // "git", ...
	VCSRevision   string    `json:"vcs_revision"`
	VCSTime       string    `json:"vcs_time,omitempty"`
	VCSModified   bool      `json:"vcs_modified"`
	Hostname      string    `json:"hostname"`
	OS            string    `json:"os"`
	Arch          string    `json:"arch"`
	NumCPU        int       `json:"num_cpu"`
	Program       string    `json:"program"` // os.Args[0]
	Args          []string  `json:"args"`    // the arguments after it, as given to WithArgs
	User          string    `json:"user"`
	PID           int       `json:"pid"`
	StartTime     time.Time `json:"start_time"`
}

// Collect gathers the Info of this process, which started the experiment at start with the
// command-line arguments args (without the program name).
func Collect(args []string, start time.Time) Info {
	info := Info{
		GoVersion: goruntime.Version(),
		OS:        goruntime.GOOS,
		Arch:      goruntime.GOARCH,
		NumCPU:    goruntime.NumCPU(),
		Args:      append([]string{}, args...), // [] rather than null in the JSON
		User:      userName(),
		PID:       os.Getpid(),
		StartTime: start.UTC(),
	}
	if len(os.Args) > 0 {
		info.Program = os.Args[0]
	}
	info.Hostname, _ = os.Hostname()
	if bi, ok := debug.ReadBuildInfo(); ok {
		info.addBuild(bi)
	}
	return info
}

func (info *Info) addBuild(bi *debug.BuildInfo) {
	if bi.GoVersion != "" {
		info.GoVersion = bi.GoVersion
	}
	info.ModulePath, info.ModuleVersion = bi.Main.Path, bi.Main.Version
	for _, s := range bi.Settings {
		switch s.Key {
		case "vcs":
			info.VCS = s.Value
		case "vcs.revision":
			info.VCSRevision = s.Value
		case "vcs.time":
			info.VCSTime = s.Value
		case "vcs.modified":
			info.VCSModified = s.Value == "true"
		}
	}
}

// userName is the login name of the current user; $USER when the user database has no
// entry (a container running under an arbitrary uid).
func userName() string {
	if u, err := user.Current(); err == nil && u.Username != "" {
		return u.Username
	}
	return os.Getenv("USER")
}

// FileName is the record's name in an experiment's configs folder.
const FileName = "environment.json"

// Write writes info to path as indented JSON, atomically: a reader sees the old file or the
// new one, never a part.
func Write(path string, info Info) error {
	data, err := json.MarshalIndent(info, "", "  ")
	if err != nil {
		return err
	}
	return workspace.WriteFile(path, append(data, '\n'), workspace.Atomic)
}
