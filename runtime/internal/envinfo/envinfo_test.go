package envinfo

import (
	"encoding/json"
	"os"
	"path/filepath"
	goruntime "runtime"
	"runtime/debug"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
)

func TestWriteAndReadBack(t *testing.T) {
	start := time.Date(2025, 11, 27, 12, 0, 0, 123456789, time.FixedZone("CET", 3600))
	info := Collect([]string{"-parallel", "2"}, start)
	path := filepath.Join(t.TempDir(), "environment.json")
	if err := Write(path, info); err != nil {
		t.Fatal(err)
	}
	data, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	var fields map[string]any
	if err := json.Unmarshal(data, &fields); err != nil {
		t.Fatalf("environment.json is not valid JSON: %v\n%s", err, data)
	}
	for _, key := range []string{"go_version", "module_path", "module_version", "vcs_revision",
		"vcs_modified", "hostname", "os", "arch", "num_cpu", "program", "args", "user", "pid", "start_time"} {
		if _, ok := fields[key]; !ok {
			t.Errorf("environment.json has no %q:\n%s", key, data)
		}
	}
	var back Info
	if err := json.Unmarshal(data, &back); err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff(info, back); diff != "" {
		t.Errorf("read back (-written +read):\n%s", diff)
	}
	if got, want := fields["start_time"], "2025-11-27T11:00:00.123456789Z"; got != want {
		t.Errorf("start_time = %v, want %v (UTC)", got, want)
	}
	if diff := cmp.Diff([]any{"-parallel", "2"}, fields["args"]); diff != "" {
		t.Errorf("args (-want +got):\n%s", diff)
	}
	if info.GoVersion == "" || info.OS != goruntime.GOOS || info.Arch != goruntime.GOARCH || info.NumCPU < 1 || info.Hostname == "" {
		t.Errorf("environment fields missing: %+v", info)
	}
}

func TestNoArgsIsAnEmptyList(t *testing.T) {
	data, err := json.Marshal(Collect(nil, time.Now()))
	if err != nil {
		t.Fatal(err)
	}
	var fields map[string]json.RawMessage
	json.Unmarshal(data, &fields)
	if string(fields["args"]) != "[]" {
		t.Errorf("args = %s, want []", fields["args"])
	}
}

func TestBuildInfo(t *testing.T) {
	var info Info
	info.addBuild(&debug.BuildInfo{
		GoVersion: "go1.26.0",
		Main:      debug.Module{Path: "example.com/lab", Version: "v1.2.3"},
		Settings: []debug.BuildSetting{
			{Key: "vcs", Value: "git"},
			{Key: "vcs.revision", Value: "0123abcd"},
			{Key: "vcs.time", Value: "2025-11-27T10:00:00Z"},
			{Key: "vcs.modified", Value: "true"},
		},
	})
	want := Info{GoVersion: "go1.26.0", ModulePath: "example.com/lab", ModuleVersion: "v1.2.3",
		VCS: "git", VCSRevision: "0123abcd", VCSTime: "2025-11-27T10:00:00Z", VCSModified: true}
	if diff := cmp.Diff(want, info); diff != "" {
		t.Errorf("(-want +got):\n%s", diff)
	}
}

func TestWriteFailsOnAMissingFolder(t *testing.T) {
	if err := Write(filepath.Join(t.TempDir(), "no", "environment.json"), Info{}); err == nil {
		t.Error("Write into a missing folder succeeded")
	}
}
