// Command mlp is the expman quick start, for real: it trains a multilayer perceptron in pure
// Go on a two-spirals data set for every trial and repeat of the experiment in configs/,
// records the loss per epoch as metrics and the test accuracy as a summary, and prints the
// accuracy of each trial across its repeats.
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
	"math/rand/v2"
	"os"
	"path/filepath"
	"sync"

	"github.com/expman-dev/expman/examples/mlp/internal/nn"
	"github.com/expman-dev/expman/runtime"
	"github.com/expman-dev/expman/runtime/results"
)

func main() {
	var expDir experimentDir
	err := RunExperiment(context.Background(), func(ctx context.Context, t *runtime.Trial[Settings]) error {
		expDir.note(t)
		return train(ctx, t)
	}, runtime.WithArgs(os.Args[1:]))

	// The table covers every completed run in the workspace, resumed ones included. It is
	// shown only when runs happened here: not for -h, -dry-run or a bad command line.
	if dir, ok := expDir.get(); ok {
		printResults(dir)
	}
	if err != nil && !errors.Is(err, flag.ErrHelp) {
		fmt.Fprintln(os.Stderr, "mlp:", err)
	}
	os.Exit(runtime.ExitCode(err))
}

// train runs one repeat. The data set comes from its own fixed seed, so every trial sees the
// same data; weights and shuffling come from the run's seeded Rand, so a repeat is
// reproducible and repeats differ.
func train(ctx context.Context, t *runtime.Trial[Settings]) error {
	s := t.Settings
	dataRng := rand.New(rand.NewPCG(uint64(s.Dataset.Seed), 0))
	trainSet, testSet := nn.Spirals(s.Dataset.Points, 2, s.Dataset.Noise, dataRng).Split(0.8, dataRng)
	net := nn.New(2, s.HiddenLayers, 2, t.Rand)
	t.Logger.Info("training", "network", net.String(), "train_points", trainSet.Len(), "test_points", testSet.Len())

	var metricErr error
	cfg := nn.TrainConfig{Epochs: s.Epochs, BatchSize: s.BatchSize, LearningRate: s.LearningRate, Rng: t.Rand}
	err := net.Train(ctx, trainSet, cfg, func(e nn.Epoch) {
		t.Logger.Debug("epoch", "epoch", e.N, "loss", e.Loss, "train_accuracy", e.Accuracy)
		metricErr = errors.Join(metricErr, t.Metrics(e.N, runtime.M("loss", e.Loss), runtime.M("train_accuracy", e.Accuracy)))
	})
	if err = errors.Join(err, metricErr); err != nil {
		return err
	}
	acc := net.Accuracy(testSet)
	t.Logger.Info("trained", "test_accuracy", acc)
	if err := t.Summary("test_accuracy", acc); err != nil {
		return err
	}
	data, err := json.MarshalIndent(map[string]any{"network": net.String(), "test_accuracy": acc}, "", "  ")
	if err != nil {
		return err
	}
	return t.WriteArtifact("accuracy.json", append(data, '\n'))
}

// printResults prints the experiment's table: per trial, the settings that differ and the
// mean ± standard deviation of each value across repeats.
func printResults(dir string) {
	table, err := results.Load(dir)
	if err != nil {
		fmt.Fprintln(os.Stderr, "mlp: results:", err)
		return
	}
	fmt.Println()
	table.WriteText(os.Stdout)
	fmt.Printf("\nworkspace: %s\n", dir)
}

// experimentDir remembers the experiment's folder from the runs, which may run at once.
type experimentDir struct {
	mu  sync.Mutex
	dir string
}

func (e *experimentDir) note(t *runtime.Trial[Settings]) {
	e.mu.Lock()
	defer e.mu.Unlock()
	// A trial's folder is <experiment>/trials/<trial>.
	e.dir = filepath.Dir(filepath.Dir(t.TrialDir()))
}

func (e *experimentDir) get() (string, bool) {
	e.mu.Lock()
	defer e.mu.Unlock()
	return e.dir, e.dir != ""
}
