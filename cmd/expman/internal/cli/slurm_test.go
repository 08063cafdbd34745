package cli

import (
	"bytes"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"
)

// TestSlurmCommandTrials submits command trials with expman run -slurm to a real Slurm
// (EXPMAN_SLURM=1 after .ci/slurm-up.sh; skipped otherwise): one job array, and every run
// completed by the command with its metrics, logs and Slurm's output in the workspace.
// It runs a built expman, since each array task starts that binary again.
func TestSlurmCommandTrials(t *testing.T) {
	if os.Getenv("EXPMAN_SLURM") != "1" {
		t.Skip("needs a real Slurm: run bash .ci/slurm-up.sh (as root) and set EXPMAN_SLURM=1")
	}
	if _, err := exec.LookPath("sbatch"); err != nil {
		t.Fatal("EXPMAN_SLURM=1 but sbatch is not installed: run bash .ci/slurm-up.sh")
	}
	dir := t.TempDir()
	bin := filepath.Join(dir, "expman")
	if out, err := exec.Command("go", "build", "-o", bin, "github.com/expman-dev/expman/cmd/expman").CombinedOutput(); err != nil {
		t.Fatalf("go build: %v\n%s", err, out)
	}
	configs, err := filepath.Abs(pythonConfigs)
	if err != nil {
		t.Fatal(err)
	}
	marks := filepath.Join(dir, "marks")
	sh := shScript(t, `echo "$EXPMAN_TRIAL#$EXPMAN_REPEAT" >> "$1"
echo "{\"name\":\"loss\",\"step\":1,\"value\":0.5}" >> "$EXPMAN_METRICS_FILE"
echo "{\"name\":\"score\",\"value\":$EXPMAN_REPEAT,\"summary\":true}" >> "$EXPMAN_METRICS_FILE"
echo "trained $EXPMAN_TRIAL"
`)
	expman := func(args ...string) string {
		t.Helper()
		cmd := exec.Command(bin, args...)
		cmd.Dir = dir
		var stdout, stderr bytes.Buffer
		cmd.Stdout, cmd.Stderr = &stdout, &stderr
		if err := cmd.Run(); err != nil {
			t.Fatalf("%s: %v\n%s%s", cmd, err, &stdout, &stderr)
		}
		return stdout.String()
	}
	out := expman("run", "-config", configs, "-workspace", "ws", "-slurm", "--", sh, marks)
	m := regexp.MustCompile(`submitted 4 runs as Slurm job (\d+) `).FindStringSubmatch(out)
	if m == nil {
		t.Fatalf("expman run -slurm printed %q; want 4 runs submitted", out)
	}
	job := m[1]
	deadline := time.Now().Add(90 * time.Second)
	for {
		q, err := exec.Command("squeue", "--noheader", "--jobs="+job).CombinedOutput()
		if strings.TrimSpace(string(q)) == "" || err != nil && strings.Contains(string(q), "Invalid job id") {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("job %s still queued after 90s:\n%s", job, q)
		}
		time.Sleep(300 * time.Millisecond)
	}
	ws := filepath.Join(dir, "ws")
	for _, trial := range []string{"fast", "slow_regularised"} {
		for k := 1; k <= 2; k++ {
			r := readRun(t, ws, trial, k)
			if r.Status != "completed" || r.Summaries["score"] != float64(k) {
				t.Errorf("%s#%d: %+v; want completed with score %d", trial, k, r, k)
			}
			logs := filepath.Join(ws, "python_logreg", "trials", trial, "repeat_"+string(rune('0'+k)), "logs")
			if data, err := os.ReadFile(filepath.Join(logs, "stdout.log")); err != nil || !strings.Contains(string(data), "trained "+trial) {
				t.Errorf("%s#%d: stdout.log: %v, %q", trial, k, err, data)
			}
			if outs, _ := filepath.Glob(filepath.Join(logs, "slurm-"+job+"_*.out")); len(outs) != 1 {
				t.Errorf("%s#%d: Slurm output files %v; want one", trial, k, outs)
			}
		}
	}
	data, err := os.ReadFile(marks)
	if err != nil || strings.Count(string(data), "\n") != 4 {
		t.Errorf("the command ran %q (%v); want once per run, 4 times", data, err)
	}
	if out := expman("run", "-config", configs, "-workspace", "ws", "-slurm", "--", sh, marks); !strings.Contains(out, "nothing to submit: 4 completed") {
		t.Errorf("second expman run -slurm printed %q; want nothing to submit", out)
	}
}
