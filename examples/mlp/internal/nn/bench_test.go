package nn

import (
	"context"
	"testing"
)

// BenchmarkEpoch measures one epoch of the example's two networks on the example's training
// set (800 points, batch 32). Besides ns/op it reports the arithmetic rate: forward pass,
// weight gradients and input gradients each take about one multiply-add per weight and point.
// BenchmarkKernels measures the floor: the dot product and axpy loops that the passes spend
// most of their time in, alone on rows of 256 numbers. The ratio of the MFLOP/s figures shows
// what the rest (ReLU, softmax, Adam, bookkeeping) costs.
func BenchmarkEpoch(b *testing.B) {
	for _, bc := range []struct {
		name   string
		hidden []int
	}{
		{"small", []int{64, 32}},
		{"large", []int{256, 128, 64}},
	} {
		b.Run(bc.name, func(b *testing.B) {
			rng := newRand(1)
			data := Spirals(800, 2, 0.05, rng)
			n := New(2, bc.hidden, 2, rng)
			cfg := TrainConfig{Epochs: 1, BatchSize: 32, LearningRate: 0.001, Rng: rng}
			b.ReportAllocs()
			for b.Loop() {
				if err := n.Train(context.Background(), data, cfg, nil); err != nil {
					b.Fatal(err)
				}
			}
			flops := 2 * 3 * float64(n.NumParams()) * float64(data.Len())
			b.ReportMetric(flops*float64(b.N)/b.Elapsed().Seconds()/1e6, "MFLOP/s")
		})
	}
}

func BenchmarkKernels(b *testing.B) {
	x, y := make([]float64, 256), make([]float64, 256)
	for i := range x {
		x[i], y[i] = float64(i), 1/float64(i+1)
	}
	flops := 2 * float64(len(x))
	b.Run("dot", func(b *testing.B) {
		var sink float64
		for b.Loop() {
			sink += dot(x, y)
		}
		b.ReportMetric(flops*float64(b.N)/b.Elapsed().Seconds()/1e6, "MFLOP/s")
		_ = sink
	})
	b.Run("axpy", func(b *testing.B) {
		for b.Loop() {
			axpy(1e-9, x, y)
		}
		b.ReportMetric(flops*float64(b.N)/b.Elapsed().Seconds()/1e6, "MFLOP/s")
	})
}
