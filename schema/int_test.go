package schema

import (
	"errors"
	"math"
	"testing"
)

func TestInt64(t *testing.T) {
	for _, tc := range []struct {
		v    *Value
		want int64
		err  error
	}{
		{&Value{Kind: Int, Int: -3}, -3, nil},
		{&Value{Kind: Float, Float: 1e3}, 1000, nil},
		{&Value{Kind: Float, Float: -9223372036854775808}, math.MinInt64, nil},
		{&Value{Kind: Float, Float: 9223372036854775807}, 0, ErrIntRange}, // rounds to 2^63
		{&Value{Kind: Float, Float: 1e19}, 0, ErrIntRange},
		{&Value{Kind: Float, Float: -1e300}, 0, ErrIntRange},
		{&Value{Kind: Float, Float: math.Inf(1)}, 0, ErrIntRange},
		{&Value{Kind: Float, Float: 1.5}, 0, ErrNotInteger},
		{&Value{Kind: Float, Float: math.NaN()}, 0, ErrNotInteger},
		{&Value{Kind: String, Str: "1"}, 0, ErrNotInteger},
		{nil, 0, ErrNotInteger},
	} {
		got, err := tc.v.Int64()
		if got != tc.want || !errors.Is(err, tc.err) {
			t.Errorf("%+v.Int64() = %d, %v; want %d, %v", tc.v, got, err, tc.want, tc.err)
		}
	}
}
