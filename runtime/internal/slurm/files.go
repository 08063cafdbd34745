package slurm

import (
	"bufio"
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"strconv"
	"time"

	"github.com/expman-dev/expman/runtime/internal/workspace"
)

// The experiment's slurm/ folder:
//
//	slurm/
//	  submission-<n>.sh    the batch script of submission n (1, 2, ...)
//	  submission-<n>.json  its run list: array task i runs entry i
//	  jobs.jsonl           one line per submitted job: its id, submission, time, size
//	  logs/                what tasks printed before reaching their run's logs/
//
// Submissions are numbered by their run list, created exclusively, so two processes
// submitting at once never share a number. jobs.jsonl is append-only, one whole line per
// job; readers ignore a partial last line.
const (
	Dir      = "slurm"
	JobsFile = "jobs.jsonl"
)

// RunList is one submission's runs, in array order.
type RunList struct {
	Experiment string   `json:"experiment"`
	Dir        string   `json:"dir"` // absolute experiment folder at submission
	Submission int      `json:"submission"`
	Runs       []RunRef `json:"runs"`
}

// RunRef names a run: a repeat (1-based) of a trial.
type RunRef struct {
	Trial  string `json:"trial"`
	Repeat int    `json:"repeat"`
}

func (r RunRef) String() string { return r.Trial + "#" + strconv.Itoa(r.Repeat) }

// Job is one line of jobs.jsonl: a submitted job array.
type Job struct {
	JobID      string    `json:"job_id"`
	Submission int       `json:"submission"`
	Submitted  time.Time `json:"submitted"`
	Runs       int       `json:"runs"` // array size
	Script     string    `json:"script"`
	RunList    string    `json:"run_list"`
	Host       string    `json:"host,omitempty"`
	User       string    `json:"user,omitempty"`
}

// ScriptFile and RunListFile are submission n's files in the slurm/ folder slurmDir.
func ScriptFile(slurmDir string, n int) string {
	return filepath.Join(slurmDir, "submission-"+strconv.Itoa(n)+".sh")
}

// RunListFile is submission n's run list in the slurm/ folder slurmDir.
func RunListFile(slurmDir string, n int) string {
	return filepath.Join(slurmDir, "submission-"+strconv.Itoa(n)+".json")
}

// NextSubmission returns the number the next submission would get, for a dry run.
func NextSubmission(slurmDir string) int {
	n := 1
	for ; ; n++ {
		if _, err := os.Stat(RunListFile(slurmDir, n)); errors.Is(err, fs.ErrNotExist) {
			return n
		}
	}
}

// CreateSubmission claims the next submission number in slurmDir (creating the folder
// and its logs/) and writes its run list there; list.Submission is set to it.
func CreateSubmission(slurmDir string, list *RunList) (int, error) {
	if err := os.MkdirAll(filepath.Join(slurmDir, EarlyLogs), 0o755); err != nil {
		return 0, err
	}
	for n := NextSubmission(slurmDir); ; n++ {
		f, err := os.OpenFile(RunListFile(slurmDir, n), os.O_WRONLY|os.O_CREATE|os.O_EXCL, 0o644)
		if errors.Is(err, fs.ErrExist) {
			continue // another process took n meanwhile
		}
		if err != nil {
			return 0, err
		}
		f.Close()
		list.Submission = n
		data, err := json.MarshalIndent(list, "", "  ")
		if err != nil {
			return 0, err
		}
		return n, workspace.WriteFile(RunListFile(slurmDir, n), append(data, '\n'), workspace.Durable)
	}
}

// RemoveSubmission removes submission n's files, after sbatch refused it.
func RemoveSubmission(slurmDir string, n int) {
	os.Remove(ScriptFile(slurmDir, n))
	os.Remove(RunListFile(slurmDir, n))
}

// ReadRunList reads a run list.
func ReadRunList(path string) (*RunList, error) {
	data, err := os.ReadFile(path)
	if err != nil {
		return nil, err
	}
	var l RunList
	if err := json.Unmarshal(data, &l); err != nil {
		return nil, fmt.Errorf("%s: %w", path, err)
	}
	return &l, nil
}

// AppendJob records a submitted job in slurmDir's jobs.jsonl, durably: it is how expman
// status and expman cancel find the experiment's jobs.
func AppendJob(slurmDir string, j Job) error {
	line, err := json.Marshal(j)
	if err != nil {
		return err
	}
	f, err := os.OpenFile(filepath.Join(slurmDir, JobsFile), os.O_WRONLY|os.O_CREATE|os.O_APPEND, 0o644)
	if err != nil {
		return err
	}
	// One write call per line: appends of several processes do not interleave within it.
	if _, err := f.Write(append(line, '\n')); err != nil {
		f.Close()
		return err
	}
	if err := f.Sync(); err != nil {
		f.Close()
		return err
	}
	return f.Close()
}

// ReadJobs returns the jobs recorded in slurmDir, oldest first; none when the experiment
// was never submitted. A partial or unreadable line (a crash while appending) is skipped.
func ReadJobs(slurmDir string) ([]Job, error) {
	data, err := os.ReadFile(filepath.Join(slurmDir, JobsFile))
	if errors.Is(err, fs.ErrNotExist) {
		return nil, nil
	}
	if err != nil {
		return nil, err
	}
	var jobs []Job
	sc := bufio.NewScanner(bytes.NewReader(data))
	sc.Buffer(nil, 1<<20)
	for sc.Scan() {
		var j Job
		if json.Unmarshal(sc.Bytes(), &j) == nil && j.JobID != "" {
			jobs = append(jobs, j)
		}
	}
	return jobs, nil
}

// Assignment is where a run was last sent: array task Task of job JobID.
type Assignment struct {
	JobID string
	Task  int
}

// TaskID is the run's Slurm name, "<job>_<task>", as squeue shows it.
func (a Assignment) TaskID() string { return a.JobID + "_" + strconv.Itoa(a.Task) }

// Assignments maps each run of the recorded jobs to its latest task: a run resubmitted
// later belongs to the later job. Run lists that cannot be read are skipped and named in
// the error.
func Assignments(slurmDir string, jobs []Job) (map[RunRef]Assignment, error) {
	out := map[RunRef]Assignment{}
	var errs []error
	for _, j := range jobs {
		l, err := ReadRunList(filepath.Join(slurmDir, j.RunList))
		if err != nil {
			errs = append(errs, err)
			continue
		}
		for i, r := range l.Runs {
			out[r] = Assignment{JobID: j.JobID, Task: i}
		}
	}
	return out, errors.Join(errs...)
}
