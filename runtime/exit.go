package runtime

import (
	"context"
	"errors"
	"flag"
	"syscall"
)

// ExitCode is the process exit code for the error Run returned, following the Go tools'
// habits and the shell's convention for a process stopped by SIGINT:
//
//	0    nil, or -h (flag.ErrHelp): nothing went wrong
//	2    a bad command line (*UsageError)
//	130  the experiment was interrupted (errors.Is(err, context.Canceled)): SIGINT, or
//	     the program cancelled its context; 128+n for another signal n (143 for SIGTERM)
//	1    anything else: failed runs, bad configs, a workspace that cannot be written
//
// The main function that goes with WithArgs:
//
//	func main() {
//		err := RunExperiment(context.Background(), train, runtime.WithArgs(os.Args[1:]))
//		if err != nil && !errors.Is(err, flag.ErrHelp) {
//			fmt.Fprintln(os.Stderr, err)
//		}
//		os.Exit(runtime.ExitCode(err))
//	}
//
// The usage has already been printed for -h, so there is no error to show then.
func ExitCode(err error) int {
	var usage *UsageError
	var sig *SignalError
	switch {
	case err == nil, errors.Is(err, flag.ErrHelp):
		return 0
	case errors.As(err, &usage):
		return 2
	case errors.As(err, &sig):
		if n, ok := sig.Signal.(syscall.Signal); ok {
			return 128 + int(n)
		}
		return 130
	case errors.Is(err, context.Canceled):
		return 130
	}
	return 1
}
