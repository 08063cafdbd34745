// Command mlp is the expman quick start, for real: it trains a multilayer perceptron in pure
// Go on a two-spirals data set for every trial and repeat of the experiment in configs/, and
// prints the test accuracy of each trial.
//
//	go run ./examples/mlp [-workspace DIR] [-parallel N] [-run REGEXP] [-dry-run] ...
//
// It understands the runtime's whole command line (runtime.WithArgs; -h lists it): run
// again to resume, -parallel 2 to use both cores, Ctrl-C to stop cleanly.
//
// The settings types and the trial registry come from configs/ through go generate
// (experiment_gen.go); the program carries them, so its binary runs without configs/.
package main

//go:generate go run github.com/expman-dev/expman/cmd/expman gen -config ./configs

import (
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"math"
	"math/rand/v2"
	"os"
	"path/filepath"
	"slices"
	"sync"
	"text/tabwriter"

	"github.com/expman-dev/expman/examples/mlp/internal/nn"
	"github.com/expman-dev/expman/runtime"
)

func main() {
	var results accuracies
	err := RunExperiment(context.Background(), func(ctx context.Context, t *runtime.Trial[Settings]) error {
		acc, err := train(ctx, t)
		if err != nil {
			return err
		}
		results.add(t, acc)
		return writeJSON(filepath.Join(t.ArtifactsDir(), "accuracy.json"), map[string]float64{"test_accuracy": acc})
	}, runtime.WithArgs(os.Args[1:]))

	// Only runs that happened here are shown: none for -h, -dry-run or a bad command line,
	// and none for runs skipped because they completed before.
	if results.len() > 0 {
		results.print(os.Stdout)
	}
	if err != nil && !errors.Is(err, flag.ErrHelp) {
		fmt.Fprintln(os.Stderr, "mlp:", err)
	}
	os.Exit(runtime.ExitCode(err))
}

// train runs one repeat. The data set comes from its own fixed seed, so every trial sees the
// same data; weights and shuffling come from the run's seeded Rand, so a repeat is
// reproducible and repeats differ.
func train(ctx context.Context, t *runtime.Trial[Settings]) (float64, error) {
	s := t.Settings
	dataRng := rand.New(rand.NewPCG(uint64(s.Dataset.Seed), 0))
	trainSet, testSet := nn.Spirals(s.Dataset.Points, 2, s.Dataset.Noise, dataRng).Split(0.8, dataRng)
	net := nn.New(2, s.HiddenLayers, 2, t.Rand)
	t.Logger.Info("training", "network", net.String(), "train_points", trainSet.Len(), "test_points", testSet.Len())

	cfg := nn.TrainConfig{Epochs: s.Epochs, BatchSize: s.BatchSize, LearningRate: s.LearningRate, Rng: t.Rand}
	err := net.Train(ctx, trainSet, cfg, func(e nn.Epoch) {
		t.Logger.Info("epoch", "epoch", e.N, "loss", round(e.Loss), "train_accuracy", round(e.Accuracy))
	})
	if err != nil {
		return 0, err
	}
	acc := net.Accuracy(testSet)
	t.Logger.Info("done", "test_accuracy", round(acc))
	return acc, nil
}

func writeJSON(path string, v any) error {
	data, err := json.MarshalIndent(v, "", "  ")
	if err != nil {
		return err
	}
	return os.WriteFile(path, append(data, '\n'), 0o644)
}

func round(x float64) float64 { return math.Round(x*1e4) / 1e4 }

// accuracies collects test accuracies per trial, in the order trials finish their first
// run. Runs may finish concurrently (-parallel).
type accuracies struct {
	mu     sync.Mutex
	order  []string
	byName map[string][]float64
	dir    string // the experiment's folder
}

func (a *accuracies) add(t *runtime.Trial[Settings], acc float64) {
	a.mu.Lock()
	defer a.mu.Unlock()
	if a.byName == nil {
		a.byName = map[string][]float64{}
		// A trial's folder is <experiment>/trials/<trial>.
		a.dir = filepath.Dir(filepath.Dir(t.TrialDir()))
	}
	if _, ok := a.byName[t.Name]; !ok {
		a.order = append(a.order, t.Name)
	}
	a.byName[t.Name] = append(a.byName[t.Name], acc)
}

func (a *accuracies) len() int {
	a.mu.Lock()
	defer a.mu.Unlock()
	return len(a.order)
}

func (a *accuracies) print(w io.Writer) {
	a.mu.Lock()
	defer a.mu.Unlock()
	tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', 0)
	fmt.Fprintln(tw, "\ntrial\truns\ttest accuracy\tmin\tmax")
	for _, name := range a.order {
		accs := a.byName[name]
		mean, std := meanStd(accs)
		fmt.Fprintf(tw, "%s\t%d\t%.3f ± %.3f\t%.3f\t%.3f\n", name, len(accs), mean, std, slices.Min(accs), slices.Max(accs))
	}
	tw.Flush()
	fmt.Fprintf(w, "\nworkspace: %s\n", a.dir)
}

// meanStd returns the mean and the sample standard deviation.
func meanStd(xs []float64) (mean, std float64) {
	for _, x := range xs {
		mean += x
	}
	mean /= float64(len(xs))
	if len(xs) < 2 {
		return mean, 0
	}
	var ss float64
	for _, x := range xs {
		ss += (x - mean) * (x - mean)
	}
	return mean, math.Sqrt(ss / float64(len(xs)-1))
}
