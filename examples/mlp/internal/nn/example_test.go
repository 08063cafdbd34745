package nn_test

import (
	"context"
	"fmt"
	"math/rand/v2"

	"github.com/expman-dev/expman/examples/mlp/internal/nn"
)

// The example program's small trial: two spirals, a 2-64-32-2 network, ten epochs of Adam.
func Example() {
	// A fixed seed for the data, so that every trial sees the same points and the same split.
	dataRng := rand.New(rand.NewPCG(1, 2))
	train, test := nn.Spirals(2000, 2, 0.05, dataRng).Split(0.8, dataRng)

	// The trial's own generator (the runtime derives one per repeat) for weights and shuffling.
	rng := rand.New(rand.NewPCG(42, 0))
	net := nn.New(2, []int{64, 32}, 2, rng)
	cfg := nn.TrainConfig{Epochs: 10, BatchSize: 32, LearningRate: 0.001, Rng: rng}
	var first, last nn.Epoch
	err := net.Train(context.Background(), train, cfg, func(e nn.Epoch) {
		if e.N == 1 {
			first = e
		}
		last = e
	})
	if err != nil {
		fmt.Println(err)
		return
	}
	fmt.Println(net)
	fmt.Println("loss fell by more than a third:", last.Loss < first.Loss*2/3)
	fmt.Println("test accuracy above 90%:", net.Accuracy(test) > 0.9)
	// Output:
	// mlp 2-64-32-2 (2338 parameters)
	// loss fell by more than a third: true
	// test accuracy above 90%: true
}

func ExampleConfigError() {
	net := nn.New(2, []int{64, 0}, 2, rand.New(rand.NewPCG(1, 2)))
	err := net.Train(context.Background(), nn.Dataset{}, nn.TrainConfig{Epochs: 10, BatchSize: 32}, nil)
	fmt.Println(err)
	// Output:
	// nn: 4 problems: hidden layer 2 has 0 units, want >= 1; learning rate = 0, want a positive number such as 0.001; TrainConfig.Rng is nil, want a random number generator to shuffle the data; data set is empty, want at least one point
}
