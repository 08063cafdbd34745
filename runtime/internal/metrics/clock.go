package metrics

import (
	"strconv"
	"time"
)

// clock stamps points with the wall time at a fraction of time.Now's cost: it reads the
// monotonic clock for each point, which costs half as much, and adds an offset to the wall
// clock that the Writer's flusher renews twice a second. A stamp is thus as close to the
// wall clock as time.Now's, give or take the clock's slew over half a second.
//
// It also keeps the text of the last whole second, which most points share.
type clock struct {
	start    time.Time // when the writer opened its file; durations count from here
	wallNano int64     // Unix nanoseconds at start, as of the last sync
	sec      int64     // the second whose text secText holds
	secText  []byte
}

func (c *clock) init() {
	c.start = time.Now()
	c.wallNano = c.start.UnixNano()
}

// sync re-reads the wall clock, so that stamps follow its adjustments.
func (c *clock) sync() {
	t := time.Now()
	c.wallNano = t.UnixNano() - int64(t.Sub(c.start))
}

// now is the (monotonic) time since start.
func (c *clock) now() time.Duration { return time.Since(c.start) }

// appendLine appends the JSON line of a point logged at elapsed since start. name must
// have passed CheckName, so it needs no escaping, and value must be finite.
func (c *clock) appendLine(b []byte, name string, step int, value float64, elapsed time.Duration) []byte {
	b = append(b, `{"name":"`...)
	b = append(b, name...)
	b = append(b, `","step":`...)
	b = strconv.AppendInt(b, int64(step), 10)
	b = append(b, `,"value":`...)
	b = appendFloat(b, value)
	b = append(b, `,"time":`...)
	b = c.appendUnixMicro(b, (c.wallNano+int64(elapsed))/1e3)
	return append(b, "}\n"...)
}

// appendUnixMicro appends the Unix time us (in microseconds) as seconds with six
// decimals, without going through a float64, which cannot hold microseconds exactly.
func (c *clock) appendUnixMicro(b []byte, us int64) []byte {
	sec, frac := us/1e6, us%1e6
	if frac < 0 { // before 1970
		sec, frac = sec-1, frac+1e6
	}
	if c.secText == nil || sec != c.sec {
		c.sec, c.secText = sec, strconv.AppendInt(c.secText[:0], sec, 10)
	}
	b = append(b, c.secText...)
	b = append(b, ".000000"...)
	for i := len(b) - 1; frac > 0; i-- { // a constant divisor: no division instruction
		b[i] = byte('0' + frac%10)
		frac /= 10
	}
	return b
}
