package results

import (
	"fmt"
	"io"
	"strings"
	"text/tabwriter"
	"time"
)

// String lists the non-zero counts in the order of States: "2 completed, 1 failed".
func (c Counts) String() string {
	var parts []string
	for _, s := range States {
		if n := c[s]; n > 0 {
			parts = append(parts, fmt.Sprintf("%d %s", n, s))
		}
	}
	if len(parts) == 0 {
		return "no runs"
	}
	return strings.Join(parts, ", ")
}

// WriteText writes the report for people: a line with the experiment's counts, then a line
// per trial with its counts, followed by its runs that need attention (failed, interrupted,
// running, stale) with their durations and errors, and the runs Slurm still has queued.
func (r *Report) WriteText(w io.Writer) error {
	total := 0
	for _, n := range r.Counts {
		total += n
	}
	fmt.Fprintf(w, "%s: %d runs: %s\n", r.Experiment, total, r.Counts)
	tw := tabwriter.NewWriter(w, 0, 8, 2, ' ', 0)
	for _, t := range r.Trials {
		fmt.Fprintf(tw, "%s (id %d): %s%s\n", t.Trial, t.TrialID, t.Counts, meanCompleted(t.Runs))
		for _, run := range t.Runs {
			if (run.State == Completed || run.State == Planned) && run.Slurm == nil {
				continue
			}
			fmt.Fprintf(tw, "  repeat_%d\t%s\t%s\t%s\n", run.Repeat, run.State, humanDuration(run), runNote(run))
		}
	}
	return tw.Flush()
}

// meanCompleted says how long the trial's completed runs took on average, or nothing.
func meanCompleted(runs []RunStatus) string {
	var sum time.Duration
	n := 0
	for _, run := range runs {
		if run.State == Completed && run.DurationSeconds != nil {
			sum += run.Duration()
			n++
		}
	}
	if n == 0 {
		return ""
	}
	return fmt.Sprintf(" (%s each on average)", (sum / time.Duration(n)).Round(time.Millisecond))
}

// humanDuration is how long the run took, or has been running (to the second).
func humanDuration(run RunStatus) string {
	if run.DurationSeconds == nil {
		return "-"
	}
	d := run.Duration()
	if run.State == Running || run.State == Stale || d >= time.Minute {
		return d.Round(time.Second).String()
	}
	return d.Round(time.Millisecond).String()
}

func runNote(run RunStatus) string {
	var notes []string
	if s := run.Slurm; s != nil {
		note := "slurm " + s.Task + " " + s.State
		if s.Reason != "" {
			note += " (" + s.Reason + ")"
		}
		notes = append(notes, note)
	}
	if run.Owner != nil && (run.State == Running || run.State == Stale) {
		notes = append(notes, fmt.Sprintf("owner %s pid %d", run.Owner.Host, run.Owner.PID))
	}
	if run.State == Stale {
		notes = append(notes, "no process holds its lock")
	}
	if run.LockUnknown {
		notes = append(notes, "lock cannot be checked here; may be stale")
	}
	if run.Error != "" {
		// One line per run: the first line of the error (a panic's stack is in run.log).
		msg, _, _ := strings.Cut(run.Error, "\n")
		notes = append(notes, msg)
	}
	return strings.Join(notes, "; ")
}

// WriteJSON writes the report as indented JSON.
func (r *Report) WriteJSON(w io.Writer) error {
	data, err := marshal(r)
	if err != nil {
		return err
	}
	_, err = w.Write(data)
	return err
}
