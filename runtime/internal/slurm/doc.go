// Package slurm is what the runtime knows of Slurm: the batch script of a job array with
// one task per run, the files a submission leaves in the experiment's slurm/ folder, and
// the three commands it calls (sbatch --parsable, squeue, scancel) with their output
// parsed.
//
// Slurm is not asked to remember anything. Accounting may be off (sacct then knows
// nothing) and squeue forgets a job minutes after it ends, so the workspace is the record:
// jobs.jsonl says which job ran which run list, run.json says what happened to each run,
// and squeue only adds what is live (pending and why, running).
//
// One experiment submission is one job array: Slurm gives all tasks of an array the same
// resources, so Combine takes the largest each trial asks for, and refuses trials that
// disagree on what cannot be maximised (partition, account, QOS, constraint, extra
// lines). Setup lines are per task.
package slurm
