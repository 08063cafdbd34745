package nn

import (
	"errors"
	"fmt"
	"strings"
)

// ConfigError reports every problem with a network's shape, a training configuration or a data
// set that Train found before it started. Nothing was trained.
type ConfigError struct {
	// Problems says, one entry each, what is wrong and what would be right.
	Problems []string
}

func (e *ConfigError) Error() string {
	if len(e.Problems) == 1 {
		return "nn: " + e.Problems[0]
	}
	return fmt.Sprintf("nn: %d problems: %s", len(e.Problems), strings.Join(e.Problems, "; "))
}

func (e *ConfigError) add(format string, args ...any) {
	e.Problems = append(e.Problems, fmt.Sprintf(format, args...))
}

// orNil returns e as an error if it holds a problem. A nil *ConfigError must not become a
// non-nil error interface, which is the usual trap with typed errors.
func (e *ConfigError) orNil() error {
	if len(e.Problems) == 0 {
		return nil
	}
	return &ConfigError{Problems: e.Problems}
}

// ErrDiverged is wrapped by the error Train returns when the loss stops being a finite number,
// which almost always means the learning rate is too large.
var ErrDiverged = errors.New("training diverged")
