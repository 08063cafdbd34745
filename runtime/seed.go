package runtime

import "math/rand/v2"

// Seed returns the seed of repeat `repeat` (1-based) of trial trialID in experiment
// experimentID. It is what Trial.Seed holds, exported so anyone can reproduce a run's
// random numbers from its run.json or its ids:
//
//	h = splitmix64(uint64(experimentID))
//	h = splitmix64(h ^ uint64(trialID))
//	h = splitmix64(h ^ uint64(repeat))
//	seed = int64(h)
//
// where splitmix64 is the finaliser of Steele, Lea and Flood's SplitMix64 generator
// (add 0x9e3779b97f4a7c15, then xor-shift-multiply by 0xbf58476d1ce4e5b9 and
// 0x94d049bb133111eb). Every step is a bijection of uint64, so for a fixed experiment and
// trial, different repeats never get the same seed; neighbouring ids and repeats still get
// unrelated seeds. The seed may be negative.
func Seed(experimentID, trialID, repeat int) int64 {
	h := splitmix64(uint64(experimentID))
	h = splitmix64(h ^ uint64(trialID))
	h = splitmix64(h ^ uint64(repeat))
	return int64(h)
}

func splitmix64(z uint64) uint64 {
	z += 0x9e3779b97f4a7c15
	z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9
	z = (z ^ (z >> 27)) * 0x94d049bb133111eb
	return z ^ (z >> 31)
}

// NewRand returns the generator a run with this seed gets as Trial.Rand:
// rand.New(rand.NewPCG(uint64(seed), 0)).
func NewRand(seed int64) *rand.Rand {
	return rand.New(rand.NewPCG(uint64(seed), 0))
}
