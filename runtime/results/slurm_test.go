package results

import (
	"errors"
	"os"
	"path/filepath"
	"testing"
)

func TestAddSlurmWithoutSubmission(t *testing.T) {
	exp := filepath.Join(t.TempDir(), "demo")
	rep := &Report{Experiment: "demo", Dir: exp, Counts: Counts{}}
	if err := rep.AddSlurm(t.Context()); err != nil {
		t.Errorf("AddSlurm of an experiment never submitted = %v; want nil", err)
	}
}

func TestAddSlurmWithoutSqueue(t *testing.T) {
	exp := filepath.Join(t.TempDir(), "demo")
	if err := os.MkdirAll(filepath.Join(exp, "slurm"), 0o755); err != nil {
		t.Fatal(err)
	}
	line := `{"job_id":"12","submission":1,"runs":1,"script":"submission-1.sh","run_list":"submission-1.json"}` + "\n"
	if err := os.WriteFile(filepath.Join(exp, "slurm", "jobs.jsonl"), []byte(line), 0o644); err != nil {
		t.Fatal(err)
	}
	t.Setenv("PATH", t.TempDir()) // a PATH without squeue
	rep := &Report{Experiment: "demo", Dir: exp, Counts: Counts{}}
	if err := rep.AddSlurm(t.Context()); !errors.Is(err, ErrNoSqueue) {
		t.Errorf("AddSlurm without squeue = %v; want ErrNoSqueue", err)
	}
	if len(rep.Trials) != 0 {
		t.Errorf("the report changed: %+v", rep.Trials)
	}
}
