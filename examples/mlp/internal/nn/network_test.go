package nn

import (
	"math"
	"reflect"
	"sync"
	"testing"
)

func TestNewShape(t *testing.T) {
	n := New(2, []int{3, 4}, 5, newRand(1))
	if got, want := n.Shape(), []int{2, 3, 4, 5}; !reflect.DeepEqual(got, want) {
		t.Errorf("Shape() = %v, want %v", got, want)
	}
	// (inputs + 1 bias) * outputs per layer: 3*3 + 4*4 + 5*5.
	if got := n.NumParams(); got != 50 {
		t.Errorf("NumParams() = %d, want 50", got)
	}
	if got, want := n.String(), "mlp 2-3-4-5 (50 parameters)"; got != want {
		t.Errorf("String() = %q, want %q", got, want)
	}
}

func TestNewDoesNotKeepCallersSlice(t *testing.T) {
	hidden := []int{3}
	n := New(2, hidden, 2, newRand(1))
	hidden[0] = 100
	if got := n.Shape()[1]; got != 3 {
		t.Errorf("hidden layer has %d units after the caller changed its slice, want 3", got)
	}
}

// TestNewInitialisation checks the spread of the initial weights: He (variance 2/fan-in) for
// hidden layers, Xavier (2/(fan-in+fan-out)) for the output layer, and zero biases.
func TestNewInitialisation(t *testing.T) {
	n := New(200, []int{100}, 50, newRand(1))
	for i, want := range []float64{2.0 / 200, 2.0 / (100 + 50)} {
		l := n.layers[i]
		if v := variance(l.w); math.Abs(v-want) > 0.05*want {
			t.Errorf("layer %d: weight variance %.5f, want %.5f within 5%%", i+1, v, want)
		}
		for j, b := range l.b {
			if b != 0 {
				t.Errorf("layer %d: bias %d = %g, want 0", i+1, j, b)
			}
		}
	}
}

func variance(v []float64) float64 {
	var sum, sq float64
	for _, x := range v {
		sum += x
		sq += x * x
	}
	mean := sum / float64(len(v))
	return sq/float64(len(v)) - mean*mean
}

func TestPredictRejectsBadInput(t *testing.T) {
	n := New(2, []int{4}, 3, newRand(1))
	if got := n.Predict([]float64{1, 2}); got < 0 || got > 2 {
		t.Errorf("Predict of a valid point = %d, want a class in 0..2", got)
	}
	for _, x := range [][]float64{nil, {1}, {1, 2, 3}} {
		if got := n.Predict(x); got != -1 {
			t.Errorf("Predict(%v) = %d, want -1 for a point without 2 features", x, got)
		}
	}
	var zero Network
	if got := zero.Predict([]float64{1, 2}); got != -1 {
		t.Errorf("Predict on a zero Network = %d, want -1", got)
	}
	invalid := New(2, []int{0}, 3, newRand(1))
	if got := invalid.Predict([]float64{1, 2}); got != -1 {
		t.Errorf("Predict on a network with an empty layer = %d, want -1", got)
	}
	if got := invalid.Accuracy(Spirals(10, 3, 0, newRand(1))); got != 0 {
		t.Errorf("Accuracy of a network with an empty layer = %g, want 0", got)
	}
}

// TestAccuracyMatchesPredict covers Accuracy's batching: more points than one chunk, a point
// of the wrong width (which counts as wrong) and a label without a row.
func TestAccuracyMatchesPredict(t *testing.T) {
	n := New(2, []int{8}, 3, newRand(1))
	d := Spirals(150, 3, 0.1, newRand(2))
	d.X[70] = []float64{1, 2, 3}
	correct := 0
	for i, x := range d.X {
		if n.Predict(x) == d.Y[i] {
			correct++
		}
	}
	want := float64(correct) / 150
	if got := n.Accuracy(d); got != want {
		t.Errorf("Accuracy = %g, want %g (from Predict)", got, want)
	}
	if got := n.Accuracy(Dataset{}); got != 0 {
		t.Errorf("Accuracy of an empty data set = %g, want 0", got)
	}
	short := Dataset{X: d.X[:10], Y: d.Y}
	if got, want := n.Accuracy(short), n.Accuracy(Dataset{X: d.X[:10], Y: d.Y[:10]}); got != want {
		t.Errorf("Accuracy with more labels than rows = %g, want %g (the rows that have labels)", got, want)
	}
}

func TestSoftmaxIsStableForLargeLogits(t *testing.T) {
	v := []float64{1000, 1000 + math.Log(3)}
	softmax(v)
	if math.Abs(v[0]-0.25) > 1e-12 || math.Abs(v[1]-0.75) > 1e-12 {
		t.Errorf("softmax = %v, want [0.25 0.75]", v)
	}
}

// TestPredictConcurrently backs the promise that reading a network from several goroutines is
// safe; run it with -race.
func TestPredictConcurrently(t *testing.T) {
	n := New(2, []int{8}, 2, newRand(1))
	d := Spirals(100, 2, 0.1, newRand(2))
	want := n.Accuracy(d)
	var wg sync.WaitGroup
	for range 4 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			if got := n.Accuracy(d); got != want {
				t.Errorf("concurrent Accuracy = %g, want %g", got, want)
			}
			n.Predict(d.X[0])
		}()
	}
	wg.Wait()
}
