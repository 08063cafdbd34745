package schema_test

import (
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/expman-dev/expman/schema"
)

// TestDurationPatternAgreesWithGo checks that DurationPattern accepts exactly the unsigned
// strings time.ParseDuration reads, so that editors and package config agree with Go; the
// one exception is a bare "0", which Go reads without a unit and a timeout cannot be.
func TestDurationPatternAgreesWithGo(t *testing.T) {
	re := regexp.MustCompile(schema.DurationPattern)
	for _, s := range []string{
		"30s", "90m", "1h30m", "1h30m15s", "1.5h", ".5h", "1.h", "0s", "0.000001ms",
		"100ns", "100us", "100µs", "100μs", "10ms", "2h45m30.5s", "1m1m",
		"", "0", "30", "soon", "1 h", " 1h", "1h ", "1H", "1d", "1hr", ".h", ".", "h", "1.2.3s",
		"-5m", "+5m", "--5m", "5m-", "1e3s", "0x10s",
	} {
		_, err := time.ParseDuration(s)
		goReads := err == nil && !strings.HasPrefix(s, "-") && !strings.HasPrefix(s, "+") && s != "0"
		if got := re.MatchString(s); got != goReads {
			t.Errorf("pattern matches %q = %v, want %v (ParseDuration error: %v)", s, got, goReads, err)
		}
	}
}
