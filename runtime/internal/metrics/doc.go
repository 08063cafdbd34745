// Package metrics writes and reads a run's metrics.jsonl: one JSON object a line,
//
//	{"name":"loss","step":3,"value":0.25,"time":1764244800.123456}
//
// where time is the wall clock in Unix seconds with microseconds.
//
// # Writing
//
// A Writer appends points to one file through a buffer. It is built for a training loop
// that logs millions of points: a point costs one short critical section and no
// allocation, and the file is only touched when the buffer fills or once a second. The
// guarantees:
//
//   - Nothing happens until the first point: a run that logs none creates no file and
//     starts no goroutine.
//   - A point is on its way to the file (flushed to the operating system) at most about a
//     second after it was written, by the next Write or by a background flusher when the
//     writer is idle; a crash of the process loses at most that last second.
//   - Close flushes, fsyncs (when anything was written) and stops the flusher.
//   - Every line is whole or, after a crash, a partial last line that readers skip.
//   - Bad points are refused with an error and write nothing: names that are not a
//     CheckName name (*NameError) and values that JSON cannot hold, NaN and ±Inf
//     (ErrNotFinite). Steps may be any int, negative ones included: a step is the
//     caller's ordering key, not an index this package interprets.
//
// A Writer is safe for concurrent use; lines from concurrent writers never interleave.
//
// # Reading
//
// ReadAll returns every complete line of a file; LastValues returns the last value logged
// per name (last in file order, which is the order the points were logged). Both ignore a
// final line without its newline: it is what a crash leaves behind. Any other malformed
// line is an error naming the file and the line.
package metrics
