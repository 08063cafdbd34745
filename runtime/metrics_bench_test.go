package runtime

import (
	"bufio"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/expman-dev/expman/runtime/internal/metrics"
)

// floorLine is the line the sink writes for the benchmark's points, give or take the
// digits of the step and time.
var floorLine = []byte(`{"name":"loss","step":123456,"value":0.25,"time":1764244800.123456}` + "\n")

// BenchmarkMetric compares logging a point with Trial.Metric against its floor: a raw
// bufio.Writer of the same buffer size writing the same, already encoded, JSON line to
// the same kind of file (both in b.TempDir(), so both pay the same write(2) per buffer).
//
//   - floor: the raw write alone.
//   - expman: Trial.Metric through a real sink. It also runs the floor, untimed, in
//     alternating chunks of the same size, so that both see the same machine load, and
//     reports its time over the floor's as x-floor. The goal is at most 2 with 0 allocs/op.
//   - expman-3: Trial.Metrics with three points a step, against three floor lines.
func BenchmarkMetric(b *testing.B) {
	b.Run("floor", func(b *testing.B) {
		w := newFloorWriter(b)
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

func newFloorWriter(b *testing.B) *bufio.Writer {
	f, err := os.OpenFile(filepath.Join(b.TempDir(), metrics.FileName), os.O_WRONLY|os.O_CREATE|os.O_APPEND, 0o644)
	if err != nil {
		b.Fatal(err)
	}
	w := bufio.NewWriterSize(f, 4096)
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
	floor := newFloorWriter(b)
	const chunk = 4096
	var own, raw time.Duration
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
		b.StartTimer()
	}
	if raw > 0 {
		b.ReportMetric(float64(own)/float64(raw), "x-floor")
	}
}
