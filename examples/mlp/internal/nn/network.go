package nn

import (
	"fmt"
	"math"
	"math/rand/v2"
	"strconv"
	"strings"
)

// Network is a multilayer perceptron: dense layers with ReLU activations between them and a
// softmax over the last layer's outputs. Train changes its weights; Predict and Accuracy only
// read them, so they may run concurrently with each other but not with Train.
type Network struct {
	sizes  []int     // units per layer, inputs first and outputs last
	params []float64 // all weights and biases, laid out as described at views
	layers []dense   // views into params
	// invalid says why New could not build the network; Train reports it. A Network not made
	// by New has no sizes and is invalid too.
	invalid []string
}

// dense is one fully connected layer as views into a flat parameter (or gradient) slice:
// w holds out rows of in weights each, so that a unit's weights are contiguous and the inner
// loops of the forward and backward passes walk memory in order.
type dense struct {
	in, out int
	w, b    []float64
}

// New returns a network with the given number of inputs, hidden layer sizes and outputs
// (classes). Hidden layers use ReLU; their weights are drawn from rng with He initialisation,
// the output layer's with Xavier (Glorot) initialisation, and biases start at zero.
//
// New does not fail: if a size is below 1 or rng is nil, it returns a network that predicts -1
// and whose Train returns an error describing every problem.
func New(inputs int, hidden []int, outputs int, rng *rand.Rand) *Network {
	sizes := make([]int, 0, len(hidden)+2)
	sizes = append(append(append(sizes, inputs), hidden...), outputs)
	n := &Network{sizes: sizes, invalid: checkSizes(sizes, rng)}
	if len(n.invalid) > 0 {
		return n
	}
	n.params = make([]float64, countParams(sizes))
	n.layers = views(sizes, n.params)
	for i, l := range n.layers {
		// He keeps the variance of ReLU activations steady from layer to layer; the output layer
		// feeds softmax, not ReLU, so it uses Xavier's fan-in plus fan-out instead.
		std := math.Sqrt(2 / float64(l.in))
		if i == len(n.layers)-1 {
			std = math.Sqrt(2 / float64(l.in+l.out))
		}
		for j := range l.w {
			l.w[j] = std * rng.NormFloat64()
		}
	}
	return n
}

// checkSizes describes every layer size below 1, and a nil rng.
func checkSizes(sizes []int, rng *rand.Rand) []string {
	var c ConfigError
	for i, s := range sizes {
		if s >= 1 {
			continue
		}
		switch {
		case i == 0:
			c.add("inputs = %d, want >= 1", s)
		case i == len(sizes)-1:
			c.add("outputs = %d, want >= 1 (the number of classes)", s)
		default:
			c.add("hidden layer %d has %d units, want >= 1", i, s)
		}
	}
	if rng == nil {
		c.add("New needs a random number generator for the initial weights, got nil")
	}
	return c.Problems
}

// countParams returns the number of weights and biases of a network with these layer sizes.
func countParams(sizes []int) int {
	total := 0
	for i := 1; i < len(sizes); i++ {
		total += (sizes[i-1] + 1) * sizes[i]
	}
	return total
}

// views cuts flat, which holds countParams(sizes) numbers, into per-layer weights and biases:
// layer 1's weights, layer 1's biases, layer 2's weights, and so on. Parameters and gradients
// share this layout, so the optimiser can treat both as plain vectors.
func views(sizes []int, flat []float64) []dense {
	layers := make([]dense, 0, len(sizes)-1)
	for i := 1; i < len(sizes); i++ {
		in, out := sizes[i-1], sizes[i]
		l := dense{in: in, out: out}
		l.w, flat = flat[:in*out:in*out], flat[in*out:]
		l.b, flat = flat[:out:out], flat[out:]
		layers = append(layers, l)
	}
	return layers
}

// Shape returns the number of units per layer, inputs first and outputs last.
func (n *Network) Shape() []int { return append([]int(nil), n.sizes...) }

// NumParams returns the number of trainable weights and biases.
func (n *Network) NumParams() int { return len(n.params) }

// String describes the network as its layer sizes and parameter count, for logs.
func (n *Network) String() string {
	parts := make([]string, len(n.sizes))
	for i, s := range n.sizes {
		parts[i] = strconv.Itoa(s)
	}
	return fmt.Sprintf("mlp %s (%d parameters)", strings.Join(parts, "-"), len(n.params))
}

// Predict returns the most likely class of x, or -1 if x does not have one value per input
// (or the network is invalid, see New).
func (n *Network) Predict(x []float64) int {
	if !n.valid() || len(x) != n.sizes[0] {
		return -1
	}
	s := n.newScratch(1)
	copy(s.acts[0], x)
	n.forward(s.acts, 1)
	return argmax(s.acts[len(s.acts)-1])
}

// Accuracy returns the fraction of points in data whose class Predict gets right, or 0 for an
// empty data set. A point with the wrong number of features counts as wrong.
func (n *Network) Accuracy(data Dataset) float64 {
	total := min(len(data.X), len(data.Y))
	if !n.valid() || total == 0 {
		return 0
	}
	const chunk = 64 // enough points per pass to amortise the loops, few enough to stay in cache
	s := n.newScratch(chunk)
	out := n.sizes[len(n.sizes)-1]
	correct := 0
	idx := make([]int, 0, chunk)
	for start := 0; start < total; start += chunk {
		idx = idx[:0]
		for i := start; i < min(start+chunk, total); i++ {
			if len(data.X[i]) == n.sizes[0] {
				idx = append(idx, i)
			}
		}
		s.load(data, idx)
		n.forward(s.acts, len(idx))
		probs := s.acts[len(s.acts)-1]
		for r, i := range idx {
			if argmax(probs[r*out:(r+1)*out]) == data.Y[i] {
				correct++
			}
		}
	}
	return float64(correct) / float64(total)
}

func (n *Network) valid() bool { return n != nil && len(n.sizes) >= 2 && len(n.invalid) == 0 }

// argmax returns the index of the largest value, the first one on ties.
func argmax(v []float64) int {
	best := 0
	for i, x := range v {
		if x > v[best] {
			best = i
		}
	}
	return best
}
