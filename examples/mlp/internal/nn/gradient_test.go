package nn

import (
	"math"
	"testing"
)

// TestGradient compares backpropagation with central differences of the loss, weight by
// weight, on tiny networks.
func TestGradient(t *testing.T) {
	for _, tc := range []struct {
		name   string
		hidden []int
	}{
		{"no hidden layer", nil},
		{"one hidden layer", []int{5}},
		{"two hidden layers", []int{4, 3}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			n := New(2, tc.hidden, 3, newRand(1))
			data := Spirals(7, 3, 0.1, newRand(2))
			analytic := gradient(n, data)
			const h = 1e-6
			for k := range n.params {
				saved := n.params[k]
				n.params[k] = saved + h
				up := meanLoss(n, data)
				n.params[k] = saved - h
				down := meanLoss(n, data)
				n.params[k] = saved
				numeric := (up - down) / (2 * h)
				if err := math.Abs(numeric-analytic[k]) / max(1, math.Abs(numeric)); err > 1e-6 {
					t.Errorf("parameter %d: backprop %.9f, central difference %.9f", k, analytic[k], numeric)
				}
			}
		})
	}
}

// gradient returns the backpropagated gradient of the mean loss over data.
func gradient(n *Network, data Dataset) []float64 {
	s := n.newScratch(data.Len())
	idx := make([]int, data.Len())
	for i := range idx {
		idx[i] = i
	}
	s.load(data, idx)
	n.forward(s.acts, len(idx))
	grads := make([]float64, len(n.params))
	n.backward(s, data.Y, views(n.sizes, grads))
	return grads
}

// meanLoss computes the mean cross-entropy of n on data from the forward pass alone, one point
// at a time.
func meanLoss(n *Network, data Dataset) float64 {
	s := n.newScratch(1)
	out := s.acts[len(s.acts)-1]
	total := 0.0
	for i, x := range data.X {
		copy(s.acts[0], x)
		n.forward(s.acts, 1)
		total -= math.Log(out[data.Y[i]])
	}
	return total / float64(data.Len())
}
