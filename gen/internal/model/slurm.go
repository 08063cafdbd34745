package model

import "github.com/expman-dev/expman/schema/config"

// slurmOf decides the runtime.SlurmSpec literal of a slurm section: its non-zero fields,
// in the order runtime.SlurmSpec declares them.
func slurmOf(s *config.Slurm) *Slurm {
	if s == nil {
		return nil
	}
	out := &Slurm{}
	str := func(name, v string) {
		if v != "" {
			out.Fields = append(out.Fields, SlurmField{Name: name, Kind: SlurmString, Str: v})
		}
	}
	num := func(name string, v int) {
		if v != 0 {
			out.Fields = append(out.Fields, SlurmField{Name: name, Kind: SlurmInt, Int: v})
		}
	}
	lines := func(name string, v []string) {
		if len(v) > 0 {
			out.Fields = append(out.Fields, SlurmField{Name: name, Kind: SlurmLines, Lines: v})
		}
	}
	str("Partition", s.Partition)
	str("Time", s.Time)
	num("CPUsPerTask", s.CPUsPerTask)
	str("Mem", s.Mem)
	num("GPUs", s.GPUs)
	num("ArrayParallelism", s.ArrayParallelism)
	str("Account", s.Account)
	str("QOS", s.QOS)
	str("Constraint", s.Constraint)
	lines("Setup", s.Setup)
	lines("Extra", s.Extra)
	return out
}
