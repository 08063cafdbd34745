package runtime

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"syscall"
	"testing"
)

func TestExitCode(t *testing.T) {
	usage := &UsageError{Err: errors.New("flag provided but not defined: -x")}
	for _, c := range []struct {
		err  error
		want int
	}{
		{nil, 0},
		{flag.ErrHelp, 0},
		{fmt.Errorf("mlp: %w", flag.ErrHelp), 0},
		{usage, 2},
		{fmt.Errorf("mlp: %w", usage), 2},
		{context.Canceled, 130},
		{&RunError{Interrupted: []RunRef{{Trial: "a", Repeat: 1}}, Err: context.Canceled}, 130},
		{&RunError{Err: &SignalError{Signal: syscall.SIGINT}}, 130},
		{&RunError{Err: &SignalError{Signal: syscall.SIGTERM}}, 143},
		{&RunError{Failed: []RunRef{{Trial: "a", Repeat: 1}}}, 1},
		{context.DeadlineExceeded, 1},
		{errors.New("configs: bad"), 1},
	} {
		if got := ExitCode(c.err); got != c.want {
			t.Errorf("ExitCode(%v) = %d, want %d", c.err, got, c.want)
		}
	}
}
