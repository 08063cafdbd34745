package cli

import (
	"strings"
	"testing"
)

// The cancellation itself runs against a real Slurm in the runtime's tests
// (TestSlurmStatusAndCancel); here, what expman cancel says without one.

func TestCancelWithoutSlurmJobs(t *testing.T) {
	_, exp := resultsWorkspace(t)
	code, stdout, stderr := run(t, "cancel", exp)
	if code != exitFail || stdout != "" || !strings.Contains(stderr, "records no Slurm job; was the experiment submitted with -slurm?") {
		t.Errorf("expman cancel of an experiment never submitted: exit %d, stdout %q, stderr %q; want 1 and why", code, stdout, stderr)
	}
}

func TestCancelUsage(t *testing.T) {
	for _, args := range [][]string{{"cancel"}, {"cancel", "-wait", "-1s", "x"}, {"cancel", "a", "b"}} {
		if code, _, stderr := run(t, args...); code != exitUsage || !strings.Contains(stderr, "Usage: expman cancel") {
			t.Errorf("expman %v: exit %d, stderr %q; want 2 and the usage", args, code, stderr)
		}
	}
}
