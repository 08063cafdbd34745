package config

import (
	"strconv"

	"github.com/expman-dev/expman/schema"
)

// Slurm is a "slurm" section: the resources each Slurm array task asks for. In
// experiment.yaml it applies to every run; in a trial, its non-zero fields override the
// experiment's for that trial's runs (ArrayParallelism is the experiment's only). A zero
// field means "not set": Slurm's default, or the experiment's for a trial.
//
// Its fields are those of runtime.SlurmSpec, in the same order and of the same types, so
// the runtime converts with runtime.SlurmSpec(*s).
type Slurm struct {
	Partition        string   // --partition
	Time             string   // --time, in Slurm's format, such as "1:00:00" or "30"
	CPUsPerTask      int      // --cpus-per-task
	Mem              string   // --mem, such as "4G"
	GPUs             int      // --gpus per run
	ArrayParallelism int      // the %P of --array: how many runs at once
	Account          string   // --account
	QOS              string   // --qos
	Constraint       string   // --constraint
	Setup            []string // shell lines run before each task, such as "module load cuda"
	Extra            []string // raw #SBATCH lines, without the "#SBATCH " prefix
}

// Over returns s with the non-zero fields of o (a trial's section) laid over it; either
// may be nil. Lists in o replace those of s whole. The result is nil when both are.
func (s *Slurm) Over(o *Slurm) *Slurm {
	switch {
	case s == nil && o == nil:
		return nil
	case s == nil:
		c := o.clone()
		return c
	case o == nil:
		return s.clone()
	}
	out := s.clone()
	for _, f := range []struct {
		dst *string
		src string
	}{
		{&out.Partition, o.Partition}, {&out.Time, o.Time}, {&out.Mem, o.Mem},
		{&out.Account, o.Account}, {&out.QOS, o.QOS}, {&out.Constraint, o.Constraint},
	} {
		if f.src != "" {
			*f.dst = f.src
		}
	}
	for _, f := range []struct {
		dst *int
		src int
	}{
		{&out.CPUsPerTask, o.CPUsPerTask}, {&out.GPUs, o.GPUs}, {&out.ArrayParallelism, o.ArrayParallelism},
	} {
		if f.src != 0 {
			*f.dst = f.src
		}
	}
	if o.Setup != nil {
		out.Setup = append([]string(nil), o.Setup...)
	}
	if o.Extra != nil {
		out.Extra = append([]string(nil), o.Extra...)
	}
	return out
}

func (s *Slurm) clone() *Slurm {
	c := *s
	c.Setup = append([]string(nil), s.Setup...)
	c.Extra = append([]string(nil), s.Extra...)
	if s.Setup == nil {
		c.Setup = nil
	}
	if s.Extra == nil {
		c.Extra = nil
	}
	return &c
}

// slurmOf reads a "slurm" section whose shape the file's schema has checked; values of
// the wrong type are left zero (and reported by the schema). It returns nil when v is nil.
func (l *loader) slurmOf(v *schema.Value, subject string) *Slurm {
	if v == nil || v.Kind != schema.Map {
		return nil
	}
	text := func(key string) string {
		f := v.Get(key)
		switch {
		case f == nil:
		case f.Kind == schema.String:
			return f.Str
		case f.Kind == schema.Int: // time in minutes, mem in megabytes, as Slurm reads them
			return strconv.FormatInt(f.Int, 10)
		}
		return ""
	}
	lines := func(key string) []string {
		f := v.Get(key)
		if f == nil || f.Kind != schema.List {
			return nil
		}
		out := make([]string, 0, len(f.List))
		for _, e := range f.List {
			if e.Kind == schema.String {
				out = append(out, e.Str)
			}
		}
		return out
	}
	return &Slurm{
		Partition:        text("partition"),
		Time:             text("time"),
		CPUsPerTask:      l.integer(v.Get("cpus_per_task"), subject+"slurm.cpus_per_task"),
		Mem:              text("mem"),
		GPUs:             l.integer(v.Get("gpus"), subject+"slurm.gpus"),
		ArrayParallelism: l.integer(v.Get("array_parallelism"), subject+"slurm.array_parallelism"),
		Account:          text("account"),
		QOS:              text("qos"),
		Constraint:       text("constraint"),
		Setup:            lines("setup"),
		Extra:            lines("extra"),
	}
}
