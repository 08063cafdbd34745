package runtime

// runSink receives a run's metrics and summaries. Implemented by the metrics work
// (issue 3); executeRun opens one per run and closes it before the final run.json.
type runSink struct{}
