package nn

import "math"

// scratch holds the activations and error signals of one pass over up to rows points, so that
// the passes themselves allocate nothing. acts[0] is the input batch and acts[l] the output of
// layer l, each stored row by row (point by point); deltas[l] is the gradient of the loss with
// respect to layer l's pre-activation output, in the same layout.
type scratch struct {
	acts, deltas [][]float64
}

func (n *Network) newScratch(rows int) *scratch {
	s := &scratch{acts: make([][]float64, len(n.sizes)), deltas: make([][]float64, len(n.sizes))}
	for i, size := range n.sizes {
		s.acts[i] = make([]float64, rows*size)
		if i > 0 {
			s.deltas[i] = make([]float64, rows*size)
		}
	}
	return s
}

// load copies the feature rows of data at idx, which must all have the network's input width,
// into the input batch.
func (s *scratch) load(data Dataset, idx []int) {
	for r, i := range idx {
		x := data.X[i]
		copy(s.acts[0][r*len(x):(r+1)*len(x)], x)
	}
}

// forward computes acts[1:] from the first rows points of acts[0]. Hidden layers apply ReLU;
// the last layer's outputs become class probabilities through softmax.
func (n *Network) forward(acts [][]float64, rows int) {
	last := len(n.layers) - 1
	for li, l := range n.layers {
		x, y := acts[li], acts[li+1]
		for r := range rows {
			xr := x[r*l.in : (r+1)*l.in]
			yr := y[r*l.out : (r+1)*l.out]
			for j := range yr {
				yr[j] = l.b[j] + dot(l.w[j*l.in:(j+1)*l.in], xr)
			}
			if li == last {
				softmax(yr)
			} else {
				relu(yr)
			}
		}
	}
}

// backward computes the gradient of the mean cross-entropy of the first rows points, whose
// labels are ys, and adds it to grads (views of a flat gradient vector, like the network's
// layers). forward must have run on the same batch. It returns the summed (not mean) loss and
// the number of points the network classified correctly.
func (n *Network) backward(s *scratch, ys []int, grads []dense) (loss float64, correct int) {
	rows := len(ys)
	last := len(n.layers) - 1
	out := n.layers[last].out
	probs, delta := s.acts[last+1], s.deltas[last+1]
	for r, y := range ys {
		p := probs[r*out : (r+1)*out]
		// Softmax followed by cross-entropy has the gradient p - onehot(y) with respect to the
		// logits; dividing by rows makes the step size independent of the batch size.
		loss -= math.Log(max(p[y], math.SmallestNonzeroFloat64))
		if argmax(p) == y {
			correct++
		}
		d := delta[r*out : (r+1)*out]
		for j := range d {
			d[j] = p[j] / float64(rows)
		}
		d[y] -= 1 / float64(rows)
	}
	for li := last; li >= 0; li-- {
		l, g := n.layers[li], grads[li]
		x, dy := s.acts[li], s.deltas[li+1]
		for r := range rows {
			xr := x[r*l.in : (r+1)*l.in]
			for j, d := range dy[r*l.out : (r+1)*l.out] {
				if d == 0 { // common after ReLU; skipping it saves a third of the work
					continue
				}
				g.b[j] += d
				axpy(d, xr, g.w[j*l.in:(j+1)*l.in])
			}
		}
		if li > 0 {
			n.backpropInput(l, s.deltas[li], dy, x, rows)
		}
	}
	return loss, correct
}

// backpropInput sets dx to the gradient with respect to the pre-activation output of the layer
// below l, given l's output gradient dy and its input x (the ReLU output of that layer).
func (n *Network) backpropInput(l dense, dx, dy, x []float64, rows int) {
	clear(dx[:rows*l.in])
	for r := range rows {
		dxr := dx[r*l.in : (r+1)*l.in]
		for j, d := range dy[r*l.out : (r+1)*l.out] {
			if d != 0 {
				axpy(d, l.w[j*l.in:(j+1)*l.in], dxr)
			}
		}
		// ReLU passes the gradient only where its output was positive.
		for i, a := range x[r*l.in : (r+1)*l.in] {
			if a <= 0 {
				dxr[i] = 0
			}
		}
	}
}

func dot(a, b []float64) float64 {
	b = b[:len(a)] // one bounds check here lets the compiler drop the one in the loop
	sum := 0.0
	for i, x := range a {
		sum += x * b[i]
	}
	return sum
}

// axpy adds a*x to y.
func axpy(a float64, x, y []float64) {
	y = y[:len(x)]
	for i, v := range x {
		y[i] += a * v
	}
}

func relu(v []float64) {
	for i, x := range v {
		if x < 0 {
			v[i] = 0
		}
	}
}

// softmax turns logits into probabilities in place. Subtracting the largest logit first keeps
// exp from overflowing without changing the result.
func softmax(v []float64) {
	m := v[argmax(v)]
	sum := 0.0
	for i, x := range v {
		v[i] = math.Exp(x - m)
		sum += v[i]
	}
	for i := range v {
		v[i] /= sum
	}
}
