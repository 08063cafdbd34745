package cli

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"

	"github.com/expman-dev/expman/runtime"
	"github.com/expman-dev/expman/schema/config"
	"github.com/google/go-cmp/cmp"
)

var update = flag.Bool("update", false, "rewrite the golden files of testdata/golden")

// study is a config folder with defaults, nested settings and a sweep.
const study = "testdata/study"

// noWorkspace is a workspace that does not exist: every run is new.
const noWorkspace = "testdata/no_workspace"

// TestSettingsCommandsGolden runs plan, explain and diff on testdata configs and compares
// exit code, stdout and stderr with testdata/golden/NAME.golden (go test -update rewrites
// them).
func TestSettingsCommandsGolden(t *testing.T) {
	sweepPoint := "lr_grid/learning_rate=0.01,hidden_layers=128-64"
	for _, tc := range []struct {
		name string
		args []string
	}{
		{"plan", []string{"plan", "-config", study, "-workspace", noWorkspace}},
		{"plan_json", []string{"plan", "-config", study, "-workspace", noWorkspace, "-format", "json"}},
		{"plan_mlp", []string{"plan", "-config", goodConfig, "-workspace", noWorkspace}},
		{"plan_bad_override", []string{"plan", "-config", study, "-set", `hidden_layers=[32,"x"]`, "-set", "nope=1"}},
		{"plan_bad_config", []string{"plan", "-config", filepath.Join(badCases, "wrong_setting_type")}},
		{"explain_sweep_point", []string{"explain", "-config", study, "-trial", sweepPoint, "-set", "optimizer.beta=0.5"}},
		{"explain_json", []string{"explain", "-config", study, "-trial", "adam", "-format", "json"}},
		{"explain_mlp", []string{"explain", "-config", goodConfig, "-trial", "large_network"}},
		{"explain_unknown_trial", []string{"explain", "-config", study, "-trial", "adma"}},
		{"explain_sweep_name", []string{"explain", "-config", study, "-trial", "lr_grid"}},
		{"explain_far_name", []string{"explain", "-config", study, "-trial", "transformer"}},
		{"diff", []string{"diff", "-config", study, "baseline", "adam"}},
		{"diff_flags_last", []string{"diff", "baseline", sweepPoint, "-config", study}},
		{"diff_json", []string{"diff", "-config", study, "-format", "json", "baseline", "adam"}},
		{"diff_same", []string{"diff", "-config", study, "-set", "optimizer.name=adam", "baseline", "baseline"}},
		{"diff_unknown", []string{"diff", "-config", study, "basline", "adamw"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			code, stdout, stderr := run(t, tc.args...)
			checkGolden(t, "testdata/golden", tc.name, transcript(code, stdout, stderr))
		})
	}
}

// transcript is what a golden file holds: the exit code and both outputs.
func transcript(code int, stdout, stderr string) string {
	return "exit " + strconv.Itoa(code) + "\n-- stdout --\n" + stdout + "-- stderr --\n" + stderr
}

// checkGolden compares got with dir/name.golden; dir is absolute in tests that change
// directory.
func checkGolden(t *testing.T, dir, name, got string) {
	t.Helper()
	path := filepath.Join(dir, name+".golden")
	if *update {
		if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(path, []byte(got), 0o644); err != nil {
			t.Fatal(err)
		}
		return
	}
	want, err := os.ReadFile(path)
	if err != nil {
		t.Fatalf("%v (run go test -update to create it)", err)
	}
	if diff := cmp.Diff(string(want), got); diff != "" {
		t.Errorf("%s differs (-want +got):\n%s", path, diff)
	}
}

// TestPlanSkipsCompletedRuns runs part of the study for real, then asks plan what a start
// would do: completed runs are skipped, a failed one reruns, the rest are new; changed
// settings make plan fail as a start would, after showing the plan.
func TestPlanSkipsCompletedRuns(t *testing.T) {
	// The workspace is given relative to the current directory, so the output does not
	// depend on where the temporary directory is.
	studyDir, err := filepath.Abs(study)
	if err != nil {
		t.Fatal(err)
	}
	goldenDir, err := filepath.Abs("testdata/golden")
	if err != nil {
		t.Fatal(err)
	}
	t.Chdir(t.TempDir())
	const ws = "ws"
	cfg, err := config.Load(os.DirFS(studyDir), config.Options{})
	if err != nil {
		t.Fatal(err)
	}
	fn := func(_ context.Context, tr *runtime.Trial[map[string]any]) error {
		if tr.Name == "adam" {
			return errors.New("diverged")
		}
		return nil
	}
	err = runtime.Run(context.Background(), experimentSpec(cfg), trialSpecs(cfg), fn,
		runtime.WithWorkspace(ws), runtime.WithConsole(nil), runtime.WithRunPattern("^(baseline|adam)$"))
	var runErr *runtime.RunError
	if !errors.As(err, &runErr) {
		t.Fatalf("setting up the workspace: %v", err)
	}
	before := snapshot(t, ws)

	code, stdout, stderr := run(t, "plan", "-config", studyDir, "-workspace", ws)
	checkGolden(t, goldenDir, "plan_resume", transcript(code, stdout, stderr))

	code, stdout, stderr = run(t, "plan", "-config", studyDir, "-workspace", ws, "-set", "epochs=3", "-format", "json")
	checkGolden(t, goldenDir, "plan_settings_changed", transcript(code, stdout, stderr))

	if after := snapshot(t, ws); !cmp.Equal(before, after) {
		t.Errorf("plan changed the workspace (-before +after):\n%s", cmp.Diff(before, after))
	}
}

// snapshot lists every file under dir with its size and modification time.
func snapshot(t *testing.T, dir string) map[string]string {
	t.Helper()
	out := map[string]string{}
	err := filepath.WalkDir(dir, func(path string, d os.DirEntry, err error) error {
		if err != nil {
			return err
		}
		info, err := d.Info()
		if err != nil {
			return err
		}
		out[path] = fmt.Sprint(info.ModTime(), " ", info.Size())
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	return out
}

func TestSettingsCommandsUsage(t *testing.T) {
	for _, tc := range []struct {
		args     []string
		inStderr string
	}{
		{[]string{"plan"}, "-config is required"},
		{[]string{"plan", "-config", study, "-format", "xml"}, "-format must be text or json"},
		{[]string{"plan", "-config", study, "-workspace", ""}, "-workspace must not be empty"},
		{[]string{"plan", "-config", study, "-set", "epochs"}, "want PATH=VALUE"},
		{[]string{"plan", "-config", study, "extra"}, `unexpected argument "extra"`},
		{[]string{"explain", "-config", study}, "-trial is required"},
		{[]string{"explain", "-trial", "adam"}, "-config is required"},
		{[]string{"diff", "-config", study, "adam"}, "TRIAL_B is required"},
		{[]string{"diff", "-config", study}, "TRIAL_A and TRIAL_B are required"},
		{[]string{"diff", "-config", study, "a", "b", "c"}, `unexpected argument "c"`},
		{[]string{"completion"}, "a shell is required"},
		{[]string{"completion", "fish"}, `unknown shell "fish"`},
	} {
		code, _, stderr := run(t, tc.args...)
		if code != exitUsage || !strings.Contains(stderr, tc.inStderr) {
			t.Errorf("expman %s: exit %d, want %d; stderr lacks %q:\n%s", strings.Join(tc.args, " "), code, exitUsage, tc.inStderr, stderr)
		}
	}
}
