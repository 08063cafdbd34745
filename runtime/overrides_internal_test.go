package runtime

import (
	"io"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
)

func TestSetFlagAddsToWithOverrides(t *testing.T) {
	var before options
	WithOverrides("epochs=1")(&before)
	o, err, _ := parseArgs(t, before, io.Discard, "-set", "lr=0.1", "-set", "hidden_layers=[32, 16]")
	if err != nil {
		t.Fatal(err)
	}
	// The program's WithOverrides are defaults the command line extends; in order, so a
	// -set of the same path wins.
	if diff := cmp.Diff([]string{"epochs=1", "lr=0.1", "hidden_layers=[32, 16]"}, o.exec.overrides); diff != "" {
		t.Errorf("overrides (-want +got):\n%s", diff)
	}
}

func TestSetFlagRejectsBadValues(t *testing.T) {
	for _, arg := range []string{"epochs", "=1", "a..b=1", "x=[1,"} {
		_, err, usage := parseArgs(t, options{}, io.Discard, "-set", arg)
		if err == nil || !strings.Contains(err.Error(), `invalid value "`+arg+`" for flag -set: `) || !strings.Contains(usage, "-set PATH=VALUE") {
			t.Errorf("-set %s: error %v, usage %q; want a usage error naming the flag", arg, err, usage)
		}
	}
}
