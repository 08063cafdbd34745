package schema

import (
	"errors"
	"math"
)

// The reasons Value.Int64 gives for a value that is not an int64.
var (
	// ErrNotInteger: the value is not a number, or has a fractional part.
	ErrNotInteger = errors.New("not an integer")
	// ErrIntRange: the value is a whole number outside the range of int64 (Go's int on
	// the 64-bit platforms expman supports).
	ErrIntRange = errors.New("does not fit in a Go int")
)

// Int64 returns v as an int64. JSON Schema counts a number with a zero fractional part,
// such as 1.0 or 1e3, as an integer, so a Float is accepted when it is whole and within
// int64's range; converting one outside the range would silently yield a wrong number.
// This is the one rule the config layer and the generator both use.
func (v *Value) Int64() (int64, error) {
	switch {
	case v == nil:
		return 0, ErrNotInteger
	case v.Kind == Int:
		return v.Int, nil
	case v.Kind != Float || math.IsNaN(v.Float) || v.Float != math.Trunc(v.Float):
		return 0, ErrNotInteger
	// float64(math.MaxInt64) rounds up to 2^63, which does not fit: hence < on that side.
	case v.Float < math.MinInt64 || v.Float >= math.MaxInt64:
		return 0, ErrIntRange
	}
	return int64(v.Float), nil
}
