// Package results reads an experiment's folder and reports on it: statistics across the
// repeats of each trial, a results table across trials, and the state of every run. It only
// reads run files (writing just its own summary and results files, atomically), so it is
// safe while an experiment runs, from any process or machine that sees the workspace.
// Package runtime calls it; it never imports runtime.
//
// # What the executor calls
//
//   - WriteTrialSummary(trialDir) once a trial's repeats have ended: trials/<trial>/summary.json.
//   - WriteExperiment(expDir) at the end of a run of the experiment: results.json, results.csv.
//
// Both write what they can even when some run files are unreadable, and then return an
// error naming them; the caller should log it, not fail the experiment.
//
// # Sweep points
//
// A sweep point is a trial named "<trial>/<key>=<value>,..." whose folder is nested in its
// sweep's: trials/<trial>/<point>/. A folder under trials/ whose subfolders' names hold '='
// (no folder of a trial's own does) is read as those points; it is a trial itself only if
// it also holds anything else. Points appear in every report under their full name,
// ordered where configs/trials.yaml lists their sweep, then by id. A sweep's points that
// have not started have no folder, so Status does not list them as planned.
//
// # Statistics
//
// Only completed runs contribute values. A run's values are its summaries (run.json
// "summaries") and, for every metric in its metrics.jsonl, the last point logged (in file
// order). A name that is a summary in any completed run of the trial takes its values from
// summaries only. For each name: n, mean, the sample standard deviation (divisor n-1),
// min, max and the 95% confidence interval of the mean, mean ± t·std/√n, where t is the
// 0.975 quantile of Student's t with n-1 degrees of freedom: a table for 1..30, and beyond
// the Cornish-Fisher expansion around the normal 1.96 (within 1e-5 of the exact quantile;
// TestT975 checks both against the t density). With n = 1 the std is 0 and the interval
// is the mean itself.
//
// metrics.jsonl is read tolerantly: a last line without its newline is being written (or
// its writer was killed) and is ignored; a complete line that is not a metric point is
// skipped and named in the error.
//
// # Results table
//
// One row per trial that has a folder, in configs/trials.yaml order (trials it no longer
// lists follow by id, then name). Columns: trial, trial_id, completed, failed, then every
// setting path (dotted, from trials/<trial>/configs/trial.yaml "settings") whose value is
// not the same in all trials, in first-appearance order, then <name>_mean, <name>_std and
// <name>_n for every aggregated name, sorted. Lists are leaves, shown as compact JSON.
// Load computes the table from the run files as they are now; Table renders it as aligned
// text (mean ± std), CSV, JSON or Markdown.
//
// # Status
//
// Status lists every run of every trial: the status its run.json records; "stale" for a
// run recorded as running whose lock (repeat_<k>/.lock, flock(2)) no process holds; and
// "planned" for repeats configs/trials.yaml (or trial.yaml) asks for that have not
// recorded a status. The lock is probed with a non-blocking shared lock on a read-only
// descriptor, released at once. This needs flock(2) to work across the processes involved:
// local file systems, and NFS with its lock manager. Where the lock cannot be probed, a
// running run stays running and is flagged LockUnknown.
package results
