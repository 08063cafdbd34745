package results

import "math"

// Stats aggregates one value over the completed runs of a trial.
type Stats struct {
	N    int     `json:"n"`
	Mean float64 `json:"mean"`
	// Std is the sample standard deviation (divisor n-1); 0 when n is 1.
	Std float64 `json:"std"`
	Min float64 `json:"min"`
	Max float64 `json:"max"`
	// CI95Low and CI95High bound the 95% confidence interval of the mean,
	// mean ± t(0.975, n-1)·std/√n; both equal the mean when n is 1.
	CI95Low  float64 `json:"ci95_low"`
	CI95High float64 `json:"ci95_high"`
	// Source is SourceSummary or SourceMetric: where the value came from.
	Source string `json:"source"`
}

// Where an aggregated value comes from.
const (
	SourceSummary = "summary" // a run's t.Summary(name, value)
	SourceMetric  = "metric"  // the last value a run logged for a metric
)

// Compute returns the statistics of xs, which must not be empty. The variance is computed
// in two passes with the corrected sum of squares, which keeps values far from zero
// (timestamps, large losses) precise where the one-pass sum of squares would cancel.
func Compute(xs []float64) Stats {
	s := Stats{N: len(xs), Min: xs[0], Max: xs[0]}
	var sum float64
	for _, x := range xs {
		sum += x
		s.Min = min(s.Min, x)
		s.Max = max(s.Max, x)
	}
	n := float64(s.N)
	s.Mean = sum / n
	s.CI95Low, s.CI95High = s.Mean, s.Mean
	if s.N == 1 {
		return s
	}
	var ss, comp float64
	for _, x := range xs {
		d := x - s.Mean
		ss += d * d
		comp += d
	}
	s.Std = math.Sqrt(max(0, ss-comp*comp/n) / (n - 1))
	half := T975(s.N-1) * s.Std / math.Sqrt(n)
	s.CI95Low, s.CI95High = s.Mean-half, s.Mean+half
	return s
}

// t975 holds the 0.975 quantile of Student's t distribution for 1..30 degrees of freedom
// (the two-sided 95% critical value), to nine decimals.
var t975 = [...]float64{
	12.706204736, 4.302652730, 3.182446305, 2.776445105, 2.570581836,
	2.446911851, 2.364624252, 2.306004135, 2.262157163, 2.228138852,
	2.200985160, 2.178812830, 2.160368656, 2.144786688, 2.131449546,
	2.119905299, 2.109815578, 2.100922040, 2.093024054, 2.085963447,
	2.079613845, 2.073873068, 2.068657610, 2.063898562, 2.059538553,
	2.055529439, 2.051830516, 2.048407142, 2.045229642, 2.042272456,
}

// z975 is the 0.975 quantile of the standard normal distribution.
const z975 = 1.959963984540054

// T975 returns the 0.975 quantile of Student's t distribution with df degrees of freedom
// (df >= 1). Up to 30 it comes from a table; beyond, from the Cornish-Fisher expansion of t
// around the normal quantile, which is within 1e-5 of the exact value there. Using the
// normal 1.96 instead would shrink the interval by up to 4% at 31 degrees of freedom.
func T975(df int) float64 {
	if df < 1 {
		return math.NaN()
	}
	if df <= len(t975) {
		return t975[df-1]
	}
	z, v := z975, float64(df)
	z3, z5, z7 := z*z*z, z*z*z*z*z, z*z*z*z*z*z*z
	return z +
		(z3+z)/(4*v) +
		(5*z5+16*z3+3*z)/(96*v*v) +
		(3*z7+19*z5+17*z3-15*z)/(384*v*v*v)
}
