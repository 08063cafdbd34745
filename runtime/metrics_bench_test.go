package runtime

import (
	"bufio"
	"os"
	"path/filepath"
	"strconv"
	"testing"
	"time"

	"github.com/expman-dev/expman/runtime/internal/metrics"
)

// floorLine is the line the sink writes for the benchmark's points, give or take the
// digits of the step and time.
var floorLine = []byte(`{"name":"loss","step":123456,"value":0.25,"time":1764244800.123456}` + "\n")

// BenchmarkMetric compares logging a point with Trial.Metric against floors that write the
// same JSON line through a bufio.Writer to the same kind of file (in b.TempDir()):
//
//   - x-floor: the raw buffered write the issue names: bufio.NewWriter (its default 4 KiB
//     buffer) and a bare copy of the already encoded line.
//   - x-floor-same-buffer: the same, with the 64 KiB buffer expman uses, so that both pay
//     the same write(2) per byte: what expman's own work costs, the syscalls aside.
//   - x-encode-floor: the line encoded by hand with strconv from the name, step, value and
//     the wall clock, then written with bufio.NewWriter: the least a program that makes this
//     line itself pays.
//
// Sub-benchmarks:
//   - floor: the pre-encoded write alone.
//   - expman: Trial.Metric through a real sink. It also runs every floor, untimed, in
//     alternating chunks of the same size, so that all see the same machine load, and
//     reports its time over each floor's. The goal is x-floor at most 2 with 0 allocs/op.
//   - expman-3: Trial.Metrics with three points a step, against three floor lines.
func BenchmarkMetric(b *testing.B) {
	b.Run("floor", func(b *testing.B) {
		w := newFloorWriter(b, defaultBufio)
		b.ReportAllocs()
		for b.Loop() {
			if _, err := w.Write(floorLine); err != nil {
				b.Fatal(err)
			}
		}
	})
	b.Run("expman", func(b *testing.B) {
		benchAgainstFloor(b, 1, func(t *Trial[struct{}], step int) error { return t.Metric("loss", step, 0.25) })
	})
	b.Run("expman-3", func(b *testing.B) {
		benchAgainstFloor(b, 3, func(t *Trial[struct{}], step int) error {
			return t.Metrics(step, M("loss", 0.25), M("acc", 0.75), M("lr", 0.001))
		})
	})
}

// defaultBufio is the buffer size of bufio.NewWriter.
const defaultBufio = 4096

func newFloorWriter(b *testing.B, size int) *bufio.Writer {
	f, err := os.OpenFile(filepath.Join(b.TempDir(), metrics.FileName), os.O_WRONLY|os.O_CREATE|os.O_APPEND, 0o644)
	if err != nil {
		b.Fatal(err)
	}
	w := bufio.NewWriterSize(f, size)
	b.Cleanup(func() {
		w.Flush()
		f.Close()
	})
	return w
}

// benchAgainstFloor times log, which writes lines points, against lines floor writes per
// call, in alternating chunks, and reports the ratio as x-floor.
func benchAgainstFloor(b *testing.B, lines int, log func(t *Trial[struct{}], step int) error) {
	sink, err := openRunSink(b.TempDir())
	if err != nil {
		b.Fatal(err)
	}
	defer sink.close()
	t := &Trial[struct{}]{sink: sink}
	if err := log(t, 0); err != nil { // opens the file, as newFloorWriter does
		b.Fatal(err)
	}
	floor := newFloorWriter(b, defaultBufio)
	same := newFloorWriter(b, metrics.BufferSize)
	encoded := newFloorWriter(b, defaultBufio)
	var line []byte
	const chunk = 4096
	var own, raw, rawSame, enc time.Duration
	b.ReportAllocs()
	b.ResetTimer()
	for i := 0; i < b.N; i += chunk {
		n := min(chunk, b.N-i)
		start := time.Now()
		for step := i; step < i+n; step++ {
			if err := log(t, step); err != nil {
				b.Fatal(err)
			}
		}
		own += time.Since(start)

		b.StopTimer()
		start = time.Now()
		for range n * lines {
			if _, err := floor.Write(floorLine); err != nil {
				b.Fatal(err)
			}
		}
		raw += time.Since(start)
		start = time.Now()
		for range n * lines {
			if _, err := same.Write(floorLine); err != nil {
				b.Fatal(err)
			}
		}
		rawSame += time.Since(start)
		start = time.Now()
		for step := range n * lines {
			line = encodeLine(line[:0], "loss", step, 0.25, time.Now())
			if _, err := encoded.Write(line); err != nil {
				b.Fatal(err)
			}
		}
		enc += time.Since(start)
		b.StartTimer()
	}
	if raw > 0 && rawSame > 0 && enc > 0 {
		b.ReportMetric(float64(own)/float64(raw), "x-floor")
		b.ReportMetric(float64(own)/float64(rawSame), "x-floor-same-buffer")
		b.ReportMetric(float64(own)/float64(enc), "x-encode-floor")
	}
}

// encodeLine is the hand-written floor: the metrics.jsonl line with no checks, no lock and
// a plain time.Now.
func encodeLine(buf []byte, name string, step int, value float64, now time.Time) []byte {
	buf = append(buf, `{"name":"`...)
	buf = append(buf, name...)
	buf = append(buf, `","step":`...)
	buf = strconv.AppendInt(buf, int64(step), 10)
	buf = append(buf, `,"value":`...)
	buf = strconv.AppendFloat(buf, value, 'g', -1, 64)
	buf = append(buf, `,"time":`...)
	buf = strconv.AppendFloat(buf, float64(now.UnixMicro())/1e6, 'f', 6, 64)
	return append(buf, "}\n"...)
}
