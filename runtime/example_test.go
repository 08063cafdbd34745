package runtime_test

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"

	"github.com/expman-dev/expman/runtime"
)

func ExampleRun() {
	ws, err := os.MkdirTemp("", "expman-example")
	if err != nil {
		panic(err)
	}
	defer os.RemoveAll(ws)

	// What expman gen would generate from a config folder.
	type Settings struct {
		HiddenLayers []int   `yaml:"hidden_layers"`
		LearningRate float64 `yaml:"learning_rate"`
	}
	exp := runtime.ExperimentSpec{Name: "demo", ID: 1}
	trials := []runtime.TrialSpec[Settings]{
		{Name: "small", ID: 1, Repeat: 2, Settings: Settings{[]int{64, 32}, 0.001}},
		{Name: "large", ID: 2, Repeat: 1, Settings: Settings{[]int{256, 128}, 1}},
	}

	err = runtime.Run(context.Background(), exp, trials,
		func(ctx context.Context, t *runtime.Trial[Settings]) error {
			fmt.Printf("%s of %d: lr %g\n", t.RunName(), t.Repeats, t.Settings.LearningRate)
			if t.Settings.LearningRate > 0.1 {
				return errors.New("loss diverged")
			}
			return os.WriteFile(filepath.Join(t.ArtifactsDir(), "accuracy.txt"), []byte("0.97\n"), 0o644)
		},
		runtime.WithWorkspace(ws), runtime.WithConsole(io.Discard))
	fmt.Println("error:", err)

	trialYAML, _ := os.ReadFile(filepath.Join(ws, "demo/trials/small/configs/trial.yaml"))
	fmt.Print(string(trialYAML))
	// Output:
	// small#1 of 2: lr 0.001
	// small#2 of 2: lr 0.001
	// large#1 of 1: lr 1
	// error: 1 run failed: large#1 (loss diverged)
	// name: small
	// id: 1
	// repeat: 2
	// settings:
	//   hidden_layers: [64, 32]
	//   learning_rate: 0.001
}

func ExampleLoad() {
	dir, err := os.MkdirTemp("", "expman-example")
	if err != nil {
		panic(err)
	}
	defer os.RemoveAll(dir)
	configs := filepath.Join(dir, "configs")
	os.Mkdir(configs, 0o755)
	for name, content := range map[string]string{
		"experiment.yaml":      "name: demo\nid: 1\n",
		"base.yaml":            "settings:\n  epochs: 10\n",
		"trials.yaml":          "- name: quick\n  id: 1\n  settings:\n    epochs: 2\n- name: full\n  id: 2\n",
		"settings.schema.json": `{"type": "object", "properties": {"epochs": {"type": "integer"}}}`,
	} {
		os.WriteFile(filepath.Join(configs, name), []byte(content), 0o644)
	}

	ctx := context.Background()
	env := runtime.NewEnvironment(filepath.Join(dir, "outputs"))
	exp, err := runtime.Load(ctx, configs, env)
	if err != nil {
		fmt.Println(err) // every problem, as file:line:col: message
		return
	}
	err = exp.Run(ctx, func(ctx context.Context, t *runtime.Trial[map[string]any]) error {
		fmt.Println(t.RunName(), "epochs:", t.Settings["epochs"])
		return nil
	}, runtime.WithConsole(io.Discard))
	fmt.Println("error:", err)
	// Output:
	// quick#1 epochs: 2
	// full#1 epochs: 10
	// error: <nil>
}
