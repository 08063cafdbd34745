package nn

import (
	"math"
	"math/rand/v2"
)

// Dataset is a labelled set of points: X[i] is the feature vector of point i and Y[i] its
// class, an integer in 0..classes-1.
type Dataset struct {
	X [][]float64
	Y []int
}

// Len returns the number of points in d.
func (d Dataset) Len() int { return len(d.Y) }

// spiralTurns is how far each spiral arm winds around the origin, in full turns. One turn makes
// a boundary that no straight line comes close to, yet one that a small network learns within
// the example's ten epochs; at 1.5 turns it barely gets past 65 % in that budget.
const spiralTurns = 1

// Spirals returns n points in the plane on as many interleaved spiral arms as there are
// classes, spread over the arms as evenly as possible; the points of arm k have label k. The
// arms start near the origin and wind outwards to radius 1; noise is the standard deviation of
// the Gaussian noise added to each coordinate (0.05 to 0.1 keeps the arms apart). Points are
// ordered by arm; Split and Train shuffle them.
//
// The result depends only on the arguments and the state of rng, so a fixed seed gives the same
// data set on every run. Arguments that cannot make a data set (n < 1, classes < 1, a negative
// or non-finite noise, a nil rng) give an empty Dataset, which Train reports as an error.
func Spirals(n, classes int, noise float64, rng *rand.Rand) Dataset {
	if n < 1 || classes < 1 || !(noise >= 0) || math.IsInf(noise, 1) || rng == nil {
		return Dataset{}
	}
	d := Dataset{X: make([][]float64, 0, n), Y: make([]int, 0, n)}
	for k := range classes {
		// Spread the remainder of n/classes over the first arms so that exactly n points come out.
		m := n / classes
		if k < n%classes {
			m++
		}
		phase := 2 * math.Pi * float64(k) / float64(classes)
		for j := range m {
			t := (float64(j) + 0.5) / float64(m) // position along the arm, in (0, 1)
			angle := phase + 2*math.Pi*spiralTurns*t
			r := 0.1 + 0.9*t // starting off the origin keeps the arms' tips from coinciding
			x := r*math.Cos(angle) + noise*rng.NormFloat64()
			y := r*math.Sin(angle) + noise*rng.NormFloat64()
			d.X = append(d.X, []float64{x, y})
			d.Y = append(d.Y, k)
		}
	}
	return d
}

// Split shuffles d with rng and returns the first round(frac*len) points as train and the rest
// as test. The parts share their feature rows with d. frac must be in [0, 1] and rng non-nil;
// otherwise both parts are empty.
func (d Dataset) Split(frac float64, rng *rand.Rand) (train, test Dataset) {
	if !(frac >= 0 && frac <= 1) || rng == nil || len(d.X) != len(d.Y) {
		return Dataset{}, Dataset{}
	}
	order := rng.Perm(d.Len())
	cut := int(math.Round(frac * float64(len(order))))
	return d.subset(order[:cut]), d.subset(order[cut:])
}

// subset returns the points of d at the given indices, in that order.
func (d Dataset) subset(idx []int) Dataset {
	s := Dataset{X: make([][]float64, len(idx)), Y: make([]int, len(idx))}
	for i, j := range idx {
		s.X[i], s.Y[i] = d.X[j], d.Y[j]
	}
	return s
}
