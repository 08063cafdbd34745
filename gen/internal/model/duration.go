package model

import "time"

// units are the time package's constants, largest first.
var units = []struct {
	name string
	d    time.Duration
}{
	{"Hour", time.Hour},
	{"Minute", time.Minute},
	{"Second", time.Second},
	{"Millisecond", time.Millisecond},
	{"Microsecond", time.Microsecond},
	{"Nanosecond", time.Nanosecond},
}

// maxCount is the largest count a one-term duration may have: three digits read at a glance.
const maxCount = 999

// durationOf decides how d reads in generated code, always exactly. It is one term in the
// largest unit that divides d when that term's count has at most three digits
// (90*time.Minute, 250*time.Millisecond, 36*time.Hour); otherwise one term per unit, as a
// duration string spells it (time.Hour + 30*time.Minute + 15*time.Second). Hours are never
// split, whatever their count. d <= 0 means no duration.
func durationOf(d time.Duration) Duration {
	if d <= 0 {
		return nil
	}
	for _, u := range units {
		if d%u.d != 0 {
			continue
		}
		// The largest unit that divides d; a smaller one would only make the count larger.
		if n := d / u.d; n <= maxCount || u.d == time.Hour {
			return Duration{{Count: int64(n), Unit: u.name}}
		}
		break
	}
	var out Duration
	for _, u := range units {
		if n := d / u.d; n > 0 {
			out = append(out, DurationTerm{Count: int64(n), Unit: u.name})
			d -= n * u.d
		}
	}
	return out
}
