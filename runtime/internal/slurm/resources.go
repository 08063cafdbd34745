package slurm

import (
	"errors"
	"fmt"
	"math"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"time"
)

// Resources is what one array task asks Slurm for: runtime.SlurmSpec without the runtime.
// A zero field means "Slurm's default" in a job and "as the experiment says" in a trial's
// override.
type Resources struct {
	Partition   string
	Time        string // Slurm's format: "30", "1:00:00", "2-12", ...
	CPUsPerTask int
	Mem         string // "4G", "500M", "4000" (megabytes)
	GPUs        int
	Account     string
	QOS         string
	Constraint  string
	Setup       []string // shell lines run before the task's program
	Extra       []string // raw #SBATCH lines, without "#SBATCH "
}

// Overlay returns r with the non-zero fields of over in place of its own: a trial's
// override of the experiment's resources.
func (r Resources) Overlay(over Resources) Resources {
	str := func(dst *string, v string) {
		if v != "" {
			*dst = v
		}
	}
	num := func(dst *int, v int) {
		if v != 0 {
			*dst = v
		}
	}
	str(&r.Partition, over.Partition)
	str(&r.Time, over.Time)
	num(&r.CPUsPerTask, over.CPUsPerTask)
	str(&r.Mem, over.Mem)
	num(&r.GPUs, over.GPUs)
	str(&r.Account, over.Account)
	str(&r.QOS, over.QOS)
	str(&r.Constraint, over.Constraint)
	if over.Setup != nil {
		r.Setup = over.Setup
	}
	if over.Extra != nil {
		r.Extra = over.Extra
	}
	return r
}

// Demand is the resources one trial's runs ask for, named for messages.
type Demand struct {
	Trial string
	Resources
}

// Combine returns the resources of one job array whose tasks run trials with different
// demands. Slurm gives every task of an array the same resources, so each number is the
// largest any trial asks for (time, memory, CPUs and GPUs: a task may get more than its
// trial needs, never less). Where taking the largest makes no sense (partition, account,
// QOS, constraint and the extra #SBATCH lines) the trials must agree, and an error names
// the two that do not: they belong in separate submissions (-run). Setup lines are not
// combined: each task runs its own trial's (see Script).
func Combine(demands []Demand) (Resources, error) {
	var out Resources
	var errs []error
	if len(demands) == 0 {
		return out, nil
	}
	for _, d := range demands {
		errs = append(errs, d.check()...)
	}
	if len(errs) > 0 {
		return out, errors.Join(errs...)
	}
	first := demands[0]
	out = first.Resources
	out.Setup = nil
	for _, d := range demands[1:] {
		out.CPUsPerTask = max(out.CPUsPerTask, d.CPUsPerTask)
		out.GPUs = max(out.GPUs, d.GPUs)
		out.Time = larger(out.Time, d.Time, parseTime)
		out.Mem = larger(out.Mem, d.Mem, parseMem)
		for _, f := range []struct {
			key      string
			has, got string
		}{
			{"partition", out.Partition, d.Partition},
			{"account", out.Account, d.Account},
			{"qos", out.QOS, d.QOS},
			{"constraint", out.Constraint, d.Constraint},
			{"extra", strings.Join(out.Extra, "\n"), strings.Join(d.Extra, "\n")},
		} {
			if f.has != f.got {
				errs = append(errs, fmt.Errorf("trials %q and %q ask for different slurm.%s (%q and %q), and one job array has one; submit them separately with -run", first.Trial, d.Trial, f.key, f.has, f.got))
			}
		}
	}
	return out, errors.Join(errs...)
}

// larger returns the larger of two values that parse (checked before), "" counting as
// unset: an unset limit is Slurm's default, which a set one may not exceed, so the set
// one wins.
func larger(a, b string, parse func(string) (float64, error)) string {
	if a == "" || b == "" {
		return a + b
	}
	x, _ := parse(a)
	y, _ := parse(b)
	if y > x {
		return b
	}
	return a
}

// check reports every value of d that would be an invalid #SBATCH line.
func (d Demand) check() []error {
	var errs []error
	bad := func(key, value, want string) {
		errs = append(errs, fmt.Errorf("trial %q: slurm.%s %q: want %s", d.Trial, key, value, want))
	}
	if d.Time != "" {
		if _, err := parseTime(d.Time); err != nil {
			bad("time", d.Time, "minutes, MM:SS, HH:MM:SS, D-HH, D-HH:MM or D-HH:MM:SS, such as 30 or 2:00:00")
		}
	}
	if d.Mem != "" {
		if _, err := parseMem(d.Mem); err != nil {
			bad("mem", d.Mem, "a size such as 500M, 4G or 4000 (megabytes)")
		}
	}
	if d.CPUsPerTask < 0 {
		bad("cpus_per_task", strconv.Itoa(d.CPUsPerTask), "1 or more")
	}
	if d.GPUs < 0 {
		bad("gpus", strconv.Itoa(d.GPUs), "0 or more")
	}
	for key, v := range map[string]string{"partition": d.Partition, "account": d.Account, "qos": d.QOS, "constraint": d.Constraint} {
		if strings.ContainsAny(v, "\n\r\x00 \t") {
			bad(key, v, "one word without spaces or line breaks")
		}
	}
	for _, line := range d.Extra {
		if strings.ContainsAny(line, "\n\r\x00") || strings.TrimSpace(line) == "" {
			bad("extra", line, `one #SBATCH option a line, such as "--exclusive"`)
		}
	}
	// The map above is iterated in random order; messages are sorted for a stable report.
	slices.SortFunc(errs, func(a, b error) int { return strings.Compare(a.Error(), b.Error()) })
	return errs
}

var (
	timeRE = regexp.MustCompile(`^(?:(\d+)-)?(\d+)(?::(\d+))?(?::(\d+))?$`)
	memRE  = regexp.MustCompile(`^(\d+(?:\.\d+)?)([KMGTkmgt]?)[Bb]?$`)
)

// parseTime reads a Slurm time limit and returns it in seconds; "infinite" and
// "unlimited" are +Inf. Slurm reads "a" as minutes, "a:b" as minutes:seconds, "a:b:c" as
// hours:minutes:seconds, and with a "d-" prefix "d-a" as days-hours, "d-a:b" as
// days-hours:minutes and "d-a:b:c" as days-hours:minutes:seconds.
func parseTime(s string) (float64, error) {
	switch strings.ToLower(s) {
	case "infinite", "unlimited":
		return math.Inf(1), nil
	}
	m := timeRE.FindStringSubmatch(s)
	if m == nil {
		return 0, fmt.Errorf("not a Slurm time: %q", s)
	}
	n := func(i int) float64 {
		v, _ := strconv.ParseFloat(m[i], 64)
		return v
	}
	var parts []float64 // the numbers after the day, in order
	for i := 2; i <= 4; i++ {
		if m[i] != "" {
			parts = append(parts, n(i))
		}
	}
	h, mi, sec := time.Hour.Seconds(), time.Minute.Seconds(), 1.0
	var units []float64
	switch {
	case m[1] != "": // days-hours[:minutes[:seconds]]
		units = []float64{h, mi, sec}
	case len(parts) == 1:
		units = []float64{mi}
	case len(parts) == 2:
		units = []float64{mi, sec}
	default:
		units = []float64{h, mi, sec}
	}
	total := 0.0
	if m[1] != "" {
		total = n(1) * 24 * h
	}
	for i, p := range parts {
		total += p * units[i]
	}
	return total, nil
}

// parseMem reads a Slurm memory size and returns it in megabytes (the unit without a
// suffix).
func parseMem(s string) (float64, error) {
	m := memRE.FindStringSubmatch(s)
	if m == nil {
		return 0, fmt.Errorf("not a Slurm memory size: %q", s)
	}
	v, _ := strconv.ParseFloat(m[1], 64)
	switch strings.ToUpper(m[2]) {
	case "K":
		v /= 1024
	case "G":
		v *= 1024
	case "T":
		v *= 1024 * 1024
	}
	return v, nil
}
