package nn

import (
	"math"
	"math/rand/v2"
	"reflect"
	"testing"
)

func newRand(seed uint64) *rand.Rand { return rand.New(rand.NewPCG(seed, 0)) }

func TestSpiralsShape(t *testing.T) {
	d := Spirals(101, 3, 0, newRand(1))
	if d.Len() != 101 || len(d.X) != 101 {
		t.Fatalf("got %d points and %d rows, want 101 of each", d.Len(), len(d.X))
	}
	counts := make([]int, 3)
	for i, x := range d.X {
		counts[d.Y[i]]++
		if len(x) != 2 {
			t.Fatalf("point %d has %d features, want 2", i, len(x))
		}
		// Without noise every point lies on its arm, between radius 0.1 and 1.
		if r := math.Hypot(x[0], x[1]); r < 0.1 || r > 1 {
			t.Errorf("point %d has radius %g, want it in [0.1, 1]", i, r)
		}
	}
	if want := []int{34, 34, 33}; !reflect.DeepEqual(counts, want) {
		t.Errorf("points per class = %v, want %v", counts, want)
	}
}

// TestSpiralsInterleave checks that the arms wind around each other, so that every quadrant
// holds points of both classes and no straight line through the origin separates them.
func TestSpiralsInterleave(t *testing.T) {
	d := Spirals(400, 2, 0, newRand(1))
	quadrants := map[[2]bool]map[int]bool{}
	for i, x := range d.X {
		q := [2]bool{x[0] > 0, x[1] > 0}
		if quadrants[q] == nil {
			quadrants[q] = map[int]bool{}
		}
		quadrants[q][d.Y[i]] = true
	}
	for q, classes := range quadrants {
		if len(classes) != 2 {
			t.Errorf("quadrant %v holds classes %v, want both", q, classes)
		}
	}
}

func TestSpiralsDeterministic(t *testing.T) {
	a := Spirals(200, 2, 0.1, newRand(7))
	b := Spirals(200, 2, 0.1, newRand(7))
	if !reflect.DeepEqual(a, b) {
		t.Error("same seed gave different data sets")
	}
	if c := Spirals(200, 2, 0.1, newRand(8)); reflect.DeepEqual(a, c) {
		t.Error("different seeds gave the same data set")
	}
}

func TestSpiralsInvalidArguments(t *testing.T) {
	for _, tc := range []struct {
		name       string
		n, classes int
		noise      float64
		rng        *rand.Rand
	}{
		{"no points", 0, 2, 0.1, newRand(1)},
		{"negative points", -5, 2, 0.1, newRand(1)},
		{"no classes", 10, 0, 0.1, newRand(1)},
		{"negative noise", 10, 2, -0.1, newRand(1)},
		{"NaN noise", 10, 2, math.NaN(), newRand(1)},
		{"infinite noise", 10, 2, math.Inf(1), newRand(1)},
		{"nil rng", 10, 2, 0.1, nil},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if d := Spirals(tc.n, tc.classes, tc.noise, tc.rng); d.Len() != 0 || len(d.X) != 0 {
				t.Errorf("got %d points, want an empty data set", d.Len())
			}
		})
	}
}

func TestSplit(t *testing.T) {
	d := Spirals(101, 2, 0.1, newRand(1))
	train, test := d.Split(0.8, newRand(2))
	if train.Len() != 81 || test.Len() != 20 {
		t.Fatalf("split 101 points 0.8 into %d and %d, want 81 and 20", train.Len(), test.Len())
	}
	// Every point of d lands in exactly one part, with its own label.
	seen := map[*float64]int{}
	for _, part := range []Dataset{train, test} {
		for i, x := range part.X {
			seen[&x[0]]++
			if want := labelOf(d, x); part.Y[i] != want {
				t.Errorf("point %v has label %d, want %d", x, part.Y[i], want)
			}
		}
	}
	for i, x := range d.X {
		if seen[&x[0]] != 1 {
			t.Errorf("point %d appears %d times in the parts, want once", i, seen[&x[0]])
		}
	}
	// Shuffled: the training part is not simply the first 81 points.
	if reflect.DeepEqual(train.Y, d.Y[:81]) {
		t.Error("training part has the original order, want it shuffled")
	}
	again, _ := d.Split(0.8, newRand(2))
	if !reflect.DeepEqual(train, again) {
		t.Error("same seed gave a different split")
	}
}

func labelOf(d Dataset, x []float64) int {
	for i, row := range d.X {
		if &row[0] == &x[0] {
			return d.Y[i]
		}
	}
	return -1
}

func TestSplitEdges(t *testing.T) {
	d := Spirals(10, 2, 0.1, newRand(1))
	for _, tc := range []struct {
		name        string
		frac        float64
		rng         *rand.Rand
		train, test int
	}{
		{"all train", 1, newRand(1), 10, 0},
		{"all test", 0, newRand(1), 0, 10},
		{"rounds", 0.25, newRand(1), 3, 7},
		{"frac above 1", 1.5, newRand(1), 0, 0},
		{"negative frac", -0.1, newRand(1), 0, 0},
		{"NaN frac", math.NaN(), newRand(1), 0, 0},
		{"nil rng", 0.5, nil, 0, 0},
	} {
		t.Run(tc.name, func(t *testing.T) {
			train, test := d.Split(tc.frac, tc.rng)
			if train.Len() != tc.train || test.Len() != tc.test {
				t.Errorf("got %d and %d points, want %d and %d", train.Len(), test.Len(), tc.train, tc.test)
			}
		})
	}
}
