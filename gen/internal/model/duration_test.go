package model

import (
	"strconv"
	"strings"
	"testing"
	"time"
)

// source prints a Duration as the emitter does, before gofmt's spacing.
func source(d Duration) string {
	var parts []string
	for _, t := range d {
		p := "time." + t.Unit
		if t.Count != 1 {
			p = strconv.FormatInt(t.Count, 10) + "*" + p
		}
		parts = append(parts, p)
	}
	return strings.Join(parts, " + ")
}

var unitOf = map[string]time.Duration{
	"Hour": time.Hour, "Minute": time.Minute, "Second": time.Second,
	"Millisecond": time.Millisecond, "Microsecond": time.Microsecond, "Nanosecond": time.Nanosecond,
}

func TestDurationOf(t *testing.T) {
	for _, c := range []struct {
		in   string
		want string
	}{
		{"1h", "time.Hour"},
		{"2h", "2*time.Hour"},
		{"1000h", "1000*time.Hour"},
		{"30m", "30*time.Minute"},
		{"1h30m", "90*time.Minute"},
		{"90s", "90*time.Second"},
		{"1s", "time.Second"},
		{"1.5s", "time.Second + 500*time.Millisecond"},
		{"250ms", "250*time.Millisecond"},
		{"0.5h", "30*time.Minute"},
		{"16h40m", "16*time.Hour + 40*time.Minute"},                 // 1000 minutes
		{"1h30m15s", "time.Hour + 30*time.Minute + 15*time.Second"}, // 5415 seconds
		{"2h0m0.5s", "2*time.Hour + 500*time.Millisecond"},
		{"1ns", "time.Nanosecond"},
		{"2562047h47m16.854775807s", "2562047*time.Hour + 47*time.Minute + 16*time.Second + 854*time.Millisecond + 775*time.Microsecond + 807*time.Nanosecond"},
	} {
		d, err := time.ParseDuration(c.in)
		if err != nil {
			t.Fatal(err)
		}
		got := durationOf(d)
		if s := source(got); s != c.want {
			t.Errorf("durationOf(%s) = %s, want %s", c.in, s, c.want)
		}
		var sum time.Duration
		for _, term := range got {
			sum += time.Duration(term.Count) * unitOf[term.Unit]
		}
		if sum != d {
			t.Errorf("durationOf(%s) sums to %v", c.in, sum)
		}
	}
	for _, d := range []time.Duration{0, -time.Second} {
		if got := durationOf(d); got != nil {
			t.Errorf("durationOf(%v) = %v, want none", d, got)
		}
	}
}
