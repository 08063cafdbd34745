package runtime

import (
	"errors"
	"io"
	"log/slog"
	"os"
)

// DefaultWorkspace is the workspace used when no WithWorkspace option is given.
const DefaultWorkspace = "outputs"

type options struct {
	workspace string
	console   io.Writer  // nil: no console output
	fileLevel slog.Level // lowest level written to log files
}

// WithConsole sets where INFO and higher records are shown for people. Default os.Stderr;
// nil or io.Discard silences the console (log files are written either way).
func WithConsole(w io.Writer) Option { return func(o *options) { o.console = w } }

// WithLogLevel sets the lowest level written to the log files (run.log, trial.log,
// experiment.log). Default slog.LevelDebug: files keep everything. The console always shows
// INFO and above.
func WithLogLevel(l slog.Level) Option { return func(o *options) { o.fileLevel = l } }

func buildOptions(opts []Option) (options, error) {
	o := options{workspace: DefaultWorkspace, console: os.Stderr, fileLevel: slog.LevelDebug}
	for _, opt := range opts {
		if opt != nil {
			opt(&o)
		}
	}
	if o.console == io.Discard {
		o.console = nil
	}
	if o.workspace == "" {
		return o, errors.New(`runtime: WithWorkspace(""): the workspace folder is empty; want a path such as "outputs"`)
	}
	return o, nil
}
