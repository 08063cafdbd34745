// Package progress shows how far an experiment has got, in one of two forms chosen by where
// the output goes, never both:
//
//   - On a terminal, one live line, rewritten in place ("\r", the line, clear to the end of
//     the line), at most about ten times a second and when something happens:
//
//     [12/40] running 2, failed 1, elapsed 1m3s, ETA 2m10s
//
//     done/total counts runs skipped because they completed before (resume) as done. The
//     ETA is the mean duration of the runs finished so far, times the runs remaining,
//     divided by the most runs seen running at once; it is shown from the first finished
//     run on. Stop clears the line.
//
//   - Anywhere else (a file, a pipe, a CI log), one line per finished run:
//
//     [3/6] small#2 completed in 1.2s
//
// Other output for the same destination, such as the console log, must go through
// Reporter.Writer: on a terminal it clears the live line, writes, and draws the line again
// below, so a log record never garbles the live line; otherwise it keeps records and
// progress lines whole. Because the live line or the per-run lines already say that a run
// started and finished, the runtime leaves its routine "run started" and "run completed"
// records off the console when progress goes to the console's writer (see
// runlog.Console.Omitting); warnings and errors, such as a failed run with its error, stay.
//
// Every Reporter is safe for concurrent use.
package progress
