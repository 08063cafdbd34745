package workspace

import (
	"encoding/json"
	"fmt"
	"os"
	"time"
)

// Status is the state of one run, as recorded in its run.json.
type Status string

const (
	Running     Status = "running"
	Completed   Status = "completed"
	Failed      Status = "failed"
	Interrupted Status = "interrupted"
)

// RunRecord is the content of run.json. Times are UTC in RFC 3339 with nanoseconds.
type RunRecord struct {
	Experiment string     `json:"experiment"`
	Trial      string     `json:"trial"`
	TrialID    int        `json:"trial_id"`
	Repeat     int        `json:"repeat"`
	Status     Status     `json:"status"`
	Seed       int64      `json:"seed"`
	Start      time.Time  `json:"start"`
	End        *time.Time `json:"end,omitempty"`
	// DurationSeconds is End - Start in seconds, for machines; Duration the same for people.
	DurationSeconds *float64 `json:"duration_seconds,omitempty"`
	Duration        string   `json:"duration,omitempty"`
	Error           string   `json:"error,omitempty"`
	// SettingsHash identifies the resolved settings the run used ("sha256:<hex>"); a run is
	// the same run again only when experiment, trial, repeat and this hash match.
	SettingsHash string `json:"settings_hash,omitempty"`
	// Summaries are the run's final values (Trial.Summary), by name.
	Summaries map[string]float64 `json:"summaries,omitempty"`
	// Owner is the process that holds (or held) the run's lock.
	Owner   *Owner `json:"owner,omitempty"`
	GPU     string `json:"gpu,omitempty"`
	Timeout string `json:"timeout,omitempty"`
}

// Owner names a process on a host.
type Owner struct {
	Host string `json:"host"`
	PID  int    `json:"pid"`
}

func (o *Owner) String() string {
	if o == nil {
		return "an unknown process"
	}
	return fmt.Sprintf("pid %d on %s", o.PID, o.Host)
}

// Finish sets the end of the run and its duration.
func (r *RunRecord) Finish(status Status, end time.Time, err error) {
	end = end.UTC()
	d := end.Sub(r.Start)
	secs := d.Seconds()
	r.Status = status
	r.End = &end
	r.DurationSeconds = &secs
	r.Duration = d.Round(time.Millisecond).String()
	if err != nil {
		r.Error = err.Error()
	}
}

// WriteRecord writes rec to path as indented JSON.
func WriteRecord(path string, rec *RunRecord, d Durability) error {
	data, err := json.MarshalIndent(rec, "", "  ")
	if err != nil {
		return err
	}
	return WriteFile(path, append(data, '\n'), d)
}

// ReadRecord reads a run.json.
func ReadRecord(path string) (*RunRecord, error) {
	data, err := os.ReadFile(path)
	if err != nil {
		return nil, err
	}
	var rec RunRecord
	if err := json.Unmarshal(data, &rec); err != nil {
		return nil, fmt.Errorf("%s: %w", path, err)
	}
	return &rec, nil
}
