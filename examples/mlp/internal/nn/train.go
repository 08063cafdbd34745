package nn

import (
	"context"
	"fmt"
	"math"
	"math/rand/v2"
)

// TrainConfig says how Train fits a network to data.
type TrainConfig struct {
	// Epochs is the number of passes over the data, at least 1.
	Epochs int
	// BatchSize is the number of points per gradient step, at least 1. The last batch of an
	// epoch holds the remainder and may be smaller.
	BatchSize int
	// LearningRate is Adam's step size, a positive finite number; 0.001 is the usual default.
	LearningRate float64
	// Rng shuffles the data before every epoch. It must not be nil.
	Rng *rand.Rand
}

// Epoch is what Train reports after each pass over the data.
type Epoch struct {
	// N is the 1-based number of the epoch.
	N int
	// Loss is the mean cross-entropy and Accuracy the fraction of points classified correctly,
	// both over the epoch's points, each measured on its batch just before that batch's update
	// (the running figures most training loops report; they need no extra pass over the data).
	Loss, Accuracy float64
}

// Train fits the network to data with mini-batch gradient descent and the Adam optimiser,
// minimising the mean cross-entropy of the softmax outputs. It calls onEpoch, if not nil,
// after every epoch.
//
// Adam rather than plain SGD: at learning rates around 0.001, which suit Adam, plain SGD barely
// moves a freshly initialised network within a few epochs (on the example's spirals it stays
// at chance, where Adam gets past 95 %). Adam scales each step by a running estimate of the
// gradient's size, so the learning rate is roughly the distance every weight moves per step,
// whatever the scale of its gradient. The optimiser's state lives for one call:
// a second Train continues from the current weights with a fresh optimiser.
//
// Before training, Train checks the network (see New), cfg and data together and returns a
// *ConfigError listing every problem. It checks ctx before every batch and returns ctx.Err()
// once ctx is done, leaving the weights as the last completed batch made them. If the loss
// becomes NaN or infinite it stops with an error wrapping ErrDiverged.
//
// Training is deterministic: the same weights, data, cfg (including the state of cfg.Rng)
// give the same epochs and the same final weights on every run on the same platform.
func (n *Network) Train(ctx context.Context, data Dataset, cfg TrainConfig, onEpoch func(Epoch)) error {
	if err := n.check(data, cfg); err != nil {
		return err
	}
	t := n.newTrainer(cfg, data.Len())
	for epoch := 1; epoch <= cfg.Epochs; epoch++ {
		e, err := t.epoch(ctx, data, epoch)
		if err != nil {
			return err
		}
		if math.IsNaN(e.Loss) || math.IsInf(e.Loss, 0) {
			return fmt.Errorf("nn: %w: loss is %v in epoch %d; try a smaller learning rate than %g",
				ErrDiverged, e.Loss, epoch, cfg.LearningRate)
		}
		if onEpoch != nil {
			onEpoch(e)
		}
	}
	return nil
}

// check reports every problem with the network, cfg and data in one *ConfigError.
func (n *Network) check(data Dataset, cfg TrainConfig) error {
	var c ConfigError
	if len(n.sizes) < 2 {
		c.add("the network was not made by New")
	}
	c.Problems = append(c.Problems, n.invalid...)
	if cfg.Epochs < 1 {
		c.add("epochs = %d, want >= 1", cfg.Epochs)
	}
	if cfg.BatchSize < 1 {
		c.add("batch size = %d, want >= 1", cfg.BatchSize)
	}
	if !(cfg.LearningRate > 0) || math.IsInf(cfg.LearningRate, 1) {
		c.add("learning rate = %v, want a positive number such as 0.001", cfg.LearningRate)
	}
	if cfg.Rng == nil {
		c.add("TrainConfig.Rng is nil, want a random number generator to shuffle the data")
	}
	inputs, outputs := 0, 0 // unknown for a network not made by New
	if len(n.sizes) >= 2 {
		inputs, outputs = n.sizes[0], n.sizes[len(n.sizes)-1]
	}
	checkData(&c, data, inputs, outputs)
	return c.orNil()
}

// maxPointProblems bounds how many bad points check lists, so that a wholly wrong data set
// gives a readable error rather than one line per point.
const maxPointProblems = 5

// checkData adds the problems of data, for a network with the given inputs and outputs, to c.
// An input or output count below 1 has been reported already (or is unknown); then the points
// are not held against it, which would only repeat that problem once per point.
func checkData(c *ConfigError, data Dataset, inputs, outputs int) {
	switch {
	case len(data.X) != len(data.Y):
		c.add("data has %d feature rows but %d labels, want one label per row", len(data.X), len(data.Y))
		return
	case len(data.X) == 0:
		c.add("data set is empty, want at least one point")
		return
	}
	bad := 0
	for i, x := range data.X {
		var problem string
		switch y := data.Y[i]; {
		case inputs >= 1 && len(x) != inputs:
			problem = fmt.Sprintf("point %d has %d features, want %d (the network's inputs)", i, len(x), inputs)
		case outputs >= 1 && (y < 0 || y >= outputs):
			problem = fmt.Sprintf("point %d has label %d, want 0..%d (the network has %d outputs)", i, y, outputs-1, outputs)
		case !finite(x):
			problem = fmt.Sprintf("point %d has a NaN or infinite feature, want finite numbers", i)
		default:
			continue
		}
		if bad++; bad <= maxPointProblems {
			c.Problems = append(c.Problems, problem)
		}
	}
	if bad > maxPointProblems {
		c.add("and %d more bad points", bad-maxPointProblems)
	}
}

func finite(x []float64) bool {
	for _, v := range x {
		if math.IsNaN(v) || math.IsInf(v, 0) {
			return false
		}
	}
	return true
}

// trainer is the state of one Train call: buffers sized once, so that the loop over batches
// allocates nothing.
type trainer struct {
	net   *Network
	cfg   TrainConfig
	grads []float64 // gradient of the current batch, laid out like net.params
	gl    []dense   // views into grads
	s     *scratch
	opt   adam
	order []int // the epoch's permutation of the data
	ys    []int // labels of the current batch
}

func (n *Network) newTrainer(cfg TrainConfig, points int) *trainer {
	batch := min(cfg.BatchSize, points)
	t := &trainer{
		net:   n,
		cfg:   cfg,
		grads: make([]float64, len(n.params)),
		s:     n.newScratch(batch),
		opt:   newAdam(cfg.LearningRate, len(n.params)),
		order: make([]int, points),
		ys:    make([]int, 0, batch),
	}
	t.gl = views(n.sizes, t.grads)
	for i := range t.order {
		t.order[i] = i
	}
	return t
}

// epoch shuffles the data and makes one step per batch.
func (t *trainer) epoch(ctx context.Context, data Dataset, number int) (Epoch, error) {
	// Shuffling the previous epoch's order, not a fresh identity, is as random and keeps the
	// sequence of draws from Rng simple: one Shuffle per epoch.
	t.cfg.Rng.Shuffle(len(t.order), func(i, j int) { t.order[i], t.order[j] = t.order[j], t.order[i] })
	var loss float64
	var correct int
	for start := 0; start < len(t.order); start += t.cfg.BatchSize {
		if err := ctx.Err(); err != nil {
			return Epoch{}, err
		}
		l, c := t.step(data, t.order[start:min(start+t.cfg.BatchSize, len(t.order))])
		loss += l
		correct += c
	}
	points := float64(len(t.order))
	return Epoch{N: number, Loss: loss / points, Accuracy: float64(correct) / points}, nil
}

// step computes the gradient on the points at idx and updates the weights. It returns the
// batch's summed loss and number of correct predictions.
func (t *trainer) step(data Dataset, idx []int) (loss float64, correct int) {
	t.ys = t.ys[:0]
	for _, i := range idx {
		t.ys = append(t.ys, data.Y[i])
	}
	t.s.load(data, idx)
	t.net.forward(t.s.acts, len(idx))
	clear(t.grads)
	loss, correct = t.net.backward(t.s, t.ys, t.gl)
	t.opt.step(t.net.params, t.grads)
	return loss, correct
}

// adam is the Adam optimiser (Kingma and Ba, 2015) with its usual constants.
type adam struct {
	lr   float64
	m, v []float64 // running means of the gradient and of its square
	t    int       // steps taken, for the bias correction
}

const (
	adamBeta1   = 0.9
	adamBeta2   = 0.999
	adamEpsilon = 1e-8
)

func newAdam(lr float64, params int) adam {
	return adam{lr: lr, m: make([]float64, params), v: make([]float64, params)}
}

// step moves params against grads.
func (a *adam) step(params, grads []float64) {
	a.t++
	// The running means start at zero and so underestimate early on; the bias corrections
	// divide m by 1-beta1^t and v by 1-beta2^t. Both are folded into per-step constants,
	// which keeps one square root and one division per weight.
	rate := a.lr / (1 - math.Pow(adamBeta1, float64(a.t)))
	rootScale := 1 / math.Sqrt(1-math.Pow(adamBeta2, float64(a.t)))
	m, v := a.m[:len(params)], a.v[:len(params)]
	grads = grads[:len(params)]
	for i, g := range grads {
		m[i] = adamBeta1*m[i] + (1-adamBeta1)*g
		v[i] = adamBeta2*v[i] + (1-adamBeta2)*g*g
		params[i] -= rate * m[i] / (math.Sqrt(v[i])*rootScale + adamEpsilon)
	}
}
