package nn

import (
	"context"
	"errors"
	"math"
	"reflect"
	"slices"
	"testing"
	"time"
)

// run trains a fresh network on fresh spirals, everything drawn from seed, the way the
// example program does, and returns the epochs Train reported and the network.
func run(t *testing.T, seed uint64, hidden []int, cfg TrainConfig) ([]Epoch, *Network, Dataset) {
	t.Helper()
	rng := newRand(seed)
	train, test := Spirals(400, 2, 0.05, rng).Split(0.75, rng)
	n := New(2, hidden, 2, rng)
	cfg.Rng = rng
	var epochs []Epoch
	if err := n.Train(context.Background(), train, cfg, func(e Epoch) { epochs = append(epochs, e) }); err != nil {
		t.Fatalf("Train: %v", err)
	}
	return epochs, n, test
}

func TestTrainIsDeterministic(t *testing.T) {
	cfg := TrainConfig{Epochs: 3, BatchSize: 16, LearningRate: 0.01}
	epochsA, netA, testA := run(t, 1, []int{16, 8}, cfg)
	epochsB, netB, testB := run(t, 1, []int{16, 8}, cfg)
	if !reflect.DeepEqual(epochsA, epochsB) {
		t.Errorf("same seed, different epochs:\n%v\n%v", epochsA, epochsB)
	}
	if !slices.Equal(netA.params, netB.params) {
		t.Error("same seed, different weights")
	}
	if a, b := netA.Accuracy(testA), netB.Accuracy(testB); a != b {
		t.Errorf("same seed, test accuracy %g and %g", a, b)
	}
	if epochsC, _, _ := run(t, 2, []int{16, 8}, cfg); reflect.DeepEqual(epochsA, epochsC) {
		t.Error("different seeds gave the same epochs")
	}
}

func TestTrainLearnsSpirals(t *testing.T) {
	cfg := TrainConfig{Epochs: 30, BatchSize: 16, LearningRate: 0.01}
	epochs, n, test := run(t, 1, []int{32, 32}, cfg)
	if len(epochs) != 30 {
		t.Fatalf("got %d epochs, want 30", len(epochs))
	}
	for i, e := range epochs {
		if e.N != i+1 {
			t.Errorf("epoch %d reported as N = %d", i+1, e.N)
		}
	}
	first, last := epochs[0], epochs[len(epochs)-1]
	if last.Loss > first.Loss/3 {
		t.Errorf("loss went from %.3f to %.3f, want it at least three times lower", first.Loss, last.Loss)
	}
	// Two classes: chance is 0.5.
	if last.Accuracy < 0.9 {
		t.Errorf("training accuracy in the last epoch %.3f, want >= 0.9", last.Accuracy)
	}
	if acc := n.Accuracy(test); acc < 0.85 {
		t.Errorf("test accuracy %.3f, want >= 0.85", acc)
	}
}

// TestTrainExampleSettings trains with the example's small trial, on the example's data
// sizes, and checks that it does clearly better than chance (0.5).
func TestTrainExampleSettings(t *testing.T) {
	rng := newRand(3)
	train, test := Spirals(2000, 2, 0.05, rng).Split(0.8, rng)
	n := New(2, []int{64, 32}, 2, rng)
	cfg := TrainConfig{Epochs: 10, BatchSize: 32, LearningRate: 0.001, Rng: rng}
	if err := n.Train(context.Background(), train, cfg, nil); err != nil {
		t.Fatal(err)
	}
	if acc := n.Accuracy(test); acc < 0.85 {
		t.Errorf("test accuracy %.3f, want >= 0.85", acc)
	}
}

func TestTrainBatchLargerThanData(t *testing.T) {
	epochs, _, _ := run(t, 1, []int{4}, TrainConfig{Epochs: 2, BatchSize: 10000, LearningRate: 0.01})
	if len(epochs) != 2 {
		t.Errorf("got %d epochs, want 2", len(epochs))
	}
}

func TestTrainCancelled(t *testing.T) {
	data := Spirals(100, 2, 0.05, newRand(1))
	cfg := TrainConfig{Epochs: 5, BatchSize: 10, LearningRate: 0.01, Rng: newRand(2)}

	t.Run("before the first batch", func(t *testing.T) {
		n := New(2, []int{4}, 2, newRand(1))
		before := slices.Clone(n.params)
		ctx, cancel := context.WithCancel(context.Background())
		cancel()
		err := n.Train(ctx, data, cfg, func(Epoch) { t.Error("epoch reported after cancellation") })
		if !errors.Is(err, context.Canceled) {
			t.Errorf("Train = %v, want context.Canceled", err)
		}
		if !slices.Equal(before, n.params) {
			t.Error("weights changed although no batch ran")
		}
	})
	t.Run("between epochs", func(t *testing.T) {
		n := New(2, []int{4}, 2, newRand(1))
		ctx, cancel := context.WithCancel(context.Background())
		defer cancel()
		reported := 0
		err := n.Train(ctx, data, cfg, func(e Epoch) {
			if reported++; e.N == 2 {
				cancel()
			}
		})
		if !errors.Is(err, context.Canceled) || reported != 2 {
			t.Errorf("Train = %v after %d epochs, want context.Canceled after 2", err, reported)
		}
	})
	t.Run("deadline", func(t *testing.T) {
		n := New(2, []int{4}, 2, newRand(1))
		ctx, cancel := context.WithDeadline(context.Background(), time.Unix(0, 0))
		defer cancel()
		if err := n.Train(ctx, data, cfg, nil); !errors.Is(err, context.DeadlineExceeded) {
			t.Errorf("Train = %v, want context.DeadlineExceeded", err)
		}
	})
}

func TestTrainDiverged(t *testing.T) {
	n := New(2, []int{4}, 2, newRand(1))
	data := Spirals(100, 2, 0.05, newRand(1))
	// Adam moves every weight by about the learning rate per step, so this sends them
	// towards infinity within a step or two.
	cfg := TrainConfig{Epochs: 3, BatchSize: 10, LearningRate: 1e300, Rng: newRand(2)}
	err := n.Train(context.Background(), data, cfg, func(e Epoch) { t.Errorf("epoch %d reported", e.N) })
	if !errors.Is(err, ErrDiverged) {
		t.Errorf("Train = %v, want ErrDiverged", err)
	}
}

func TestTrainConfigErrors(t *testing.T) {
	good := TrainConfig{Epochs: 1, BatchSize: 1, LearningRate: 0.1, Rng: newRand(1)}
	data := Spirals(20, 2, 0.05, newRand(1))
	with := func(change func(*TrainConfig)) TrainConfig {
		c := good
		change(&c)
		return c
	}
	net := func(hidden []int, outputs int) *Network { return New(2, hidden, outputs, newRand(1)) }
	manyBad := Dataset{X: make([][]float64, 8), Y: make([]int, 8)}
	for _, tc := range []struct {
		name string
		net  *Network
		data Dataset
		cfg  TrainConfig
		want []string
	}{
		{"no epochs", net(nil, 2), data, with(func(c *TrainConfig) { c.Epochs = 0 }),
			[]string{"epochs = 0, want >= 1"}},
		{"negative batch", net(nil, 2), data, with(func(c *TrainConfig) { c.BatchSize = -1 }),
			[]string{"batch size = -1, want >= 1"}},
		{"zero learning rate", net(nil, 2), data, with(func(c *TrainConfig) { c.LearningRate = 0 }),
			[]string{"learning rate = 0, want a positive number such as 0.001"}},
		{"NaN learning rate", net(nil, 2), data, with(func(c *TrainConfig) { c.LearningRate = math.NaN() }),
			[]string{"learning rate = NaN, want a positive number such as 0.001"}},
		{"infinite learning rate", net(nil, 2), data, with(func(c *TrainConfig) { c.LearningRate = math.Inf(1) }),
			[]string{"learning rate = +Inf, want a positive number such as 0.001"}},
		{"nil rng", net(nil, 2), data, with(func(c *TrainConfig) { c.Rng = nil }),
			[]string{"TrainConfig.Rng is nil, want a random number generator to shuffle the data"}},
		{"everything at once", net(nil, 2), data, TrainConfig{LearningRate: -1}, []string{
			"epochs = 0, want >= 1",
			"batch size = 0, want >= 1",
			"learning rate = -1, want a positive number such as 0.001",
			"TrainConfig.Rng is nil, want a random number generator to shuffle the data",
		}},
		{"empty hidden layer", net([]int{8, 0}, 2), data, good,
			[]string{"hidden layer 2 has 0 units, want >= 1"}},
		{"no inputs or outputs", New(0, nil, -1, newRand(1)), data, good, []string{
			"inputs = 0, want >= 1",
			"outputs = -1, want >= 1 (the number of classes)",
		}},
		{"nil rng for New", New(2, nil, 2, nil), data, with(func(c *TrainConfig) { c.Epochs = 0 }), []string{
			"New needs a random number generator for the initial weights, got nil",
			"epochs = 0, want >= 1",
		}},
		{"zero Network", &Network{}, data, good,
			[]string{"the network was not made by New"}},
		{"empty data", net(nil, 2), Dataset{}, good,
			[]string{"data set is empty, want at least one point"}},
		{"labels missing", net(nil, 2), Dataset{X: data.X, Y: data.Y[:5]}, good,
			[]string{"data has 20 feature rows but 5 labels, want one label per row"}},
		{"bad points", net(nil, 2), Dataset{
			X: [][]float64{{0, 0}, {1}, {0, 0}, {math.NaN(), 0}},
			Y: []int{0, 0, 2, 1},
		}, good, []string{
			"point 1 has 1 features, want 2 (the network's inputs)",
			"point 2 has label 2, want 0..1 (the network has 2 outputs)",
			"point 3 has a NaN or infinite feature, want finite numbers",
		}},
		{"many bad points", net(nil, 2), manyBad, good, []string{
			"point 0 has 0 features, want 2 (the network's inputs)",
			"point 1 has 0 features, want 2 (the network's inputs)",
			"point 2 has 0 features, want 2 (the network's inputs)",
			"point 3 has 0 features, want 2 (the network's inputs)",
			"point 4 has 0 features, want 2 (the network's inputs)",
			"and 3 more bad points",
		}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			before := slices.Clone(tc.net.params)
			err := tc.net.Train(context.Background(), tc.data, tc.cfg, func(Epoch) { t.Error("epoch reported") })
			var ce *ConfigError
			if !errors.As(err, &ce) {
				t.Fatalf("Train = %v, want a *ConfigError", err)
			}
			if !slices.Equal(ce.Problems, tc.want) {
				t.Errorf("problems:\n got %q\nwant %q", ce.Problems, tc.want)
			}
			if !slices.Equal(before, tc.net.params) {
				t.Error("weights changed although the configuration was rejected")
			}
		})
	}
}

func TestConfigErrorMessage(t *testing.T) {
	one := &ConfigError{Problems: []string{"epochs = 0, want >= 1"}}
	if got, want := one.Error(), "nn: epochs = 0, want >= 1"; got != want {
		t.Errorf("Error() = %q, want %q", got, want)
	}
	two := &ConfigError{Problems: []string{"a", "b"}}
	if got, want := two.Error(), "nn: 2 problems: a; b"; got != want {
		t.Errorf("Error() = %q, want %q", got, want)
	}
}

// TestAdamFirstStep checks the optimiser against the algorithm: after bias correction the
// first step moves every weight by the learning rate against the sign of its gradient.
func TestAdamFirstStep(t *testing.T) {
	a := newAdam(0.1, 3)
	params := []float64{1, 1, 1}
	a.step(params, []float64{5, -0.01, 0})
	want := []float64{0.9, 1.1, 1}
	for i := range params {
		if math.Abs(params[i]-want[i]) > 1e-6 {
			t.Errorf("after one step params = %v, want %v", params, want)
			break
		}
	}
}
