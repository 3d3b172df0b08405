package mining

import (
	"math"
	"strconv"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestRatioOf(t *testing.T) {
	hi, lo := 0.7, 0.5 // variables: constant arithmetic would be exact
	tests := []struct {
		f    float64
		want Ratio
	}{
		{0, Ratio{0, 1}},
		{0.2, Ratio{1, 5}},
		{0.05, Ratio{1, 20}},
		{1, Ratio{1, 1}},
		{hi - lo, Ratio{4999999999999999, 25000000000000000}}, // 0.19999999999999996
		{1.0 / 3, Ratio{3333333333333333, 10000000000000000}},
		{0.125, Ratio{1, 8}},
		{1.5, Ratio{3, 2}},
		{250, Ratio{250, 1}},
		{1e-5, Ratio{1, 100000}},
		{2.5e-3, Ratio{1, 400}},
		{1e18, Ratio{1000000000000000000, 1}},
	}
	for _, tt := range tests {
		t.Run(fmtFloat(tt.f), func(t *testing.T) {
			got, err := RatioOf(tt.f)
			require.NoError(t, err)
			assert.Equal(t, tt.want, got)
			assert.Equal(t, tt.f, got.Float64())
		})
	}
}

func fmtFloat(f float64) string { return strconv.FormatFloat(f, 'g', -1, 64) }

func TestRatioOfErrors(t *testing.T) {
	for _, f := range []float64{math.NaN(), math.Inf(1), math.Inf(-1), -0.2, -1e-300, 1e-20, 1e19, math.SmallestNonzeroFloat64, math.MaxFloat64} {
		_, err := RatioOf(f)
		require.Error(t, err, "%v", f)
		assert.Contains(t, err.Error(), "mining: ")
	}
}

func TestParseRatio(t *testing.T) {
	tests := []struct {
		s    string
		want Ratio
	}{
		{"0.2", Ratio{1, 5}},
		{".05", Ratio{1, 20}},
		{"0", Ratio{0, 1}},
		{"0.000", Ratio{0, 1}},
		{"1", Ratio{1, 1}},
		{"1.", Ratio{1, 1}},
		{"+0.5", Ratio{1, 2}},
		{"2.5e-3", Ratio{1, 400}},
		{"2.5E+1", Ratio{25, 1}},
		{"1e5", Ratio{100000, 1}},
		{"0.30000000000000004", Ratio{7500000000000001, 25000000000000000}},
		{"120e-2", Ratio{6, 5}},
		{"007.50", Ratio{15, 2}},
		{"100000000000000000000e-20", Ratio{1, 1}},
		{"1/5", Ratio{1, 5}},
		{"2/10", Ratio{1, 5}},
		{"0x10", Ratio{16, 1}},
	}
	for _, tt := range tests {
		t.Run(tt.s, func(t *testing.T) {
			got, err := ParseRatio(tt.s)
			require.NoError(t, err)
			assert.Equal(t, tt.want, got)
		})
	}
	for _, s := range []string{"", ".", "-0.2", "-1/5", "0.2.3", "1/0", "e5", "1e", "1e+", "1e+-5", "1e++5", "abc", " 0.2", "NaN", "Inf", "1e-30", "123456789012345678901", "1e999999"} {
		t.Run("bad "+s, func(t *testing.T) {
			_, err := ParseRatio(s)
			require.Error(t, err)
			assert.Contains(t, err.Error(), "mining: ratio")
		})
	}
}

func TestAtLeast(t *testing.T) {
	const big = 1<<31 - 1
	tests := []struct {
		name           string
		c1, n1, c2, n2 int64
		r              Ratio
		want           bool
	}{
		{"0.7 − 0.5 ≥ 0.2", 7, 10, 5, 10, Ratio{1, 5}, true},
		{"0.7 − 0.5 ≥ 0.2 from float", 7, 10, 1, 2, mustRatio(t, 0.2), true},
		{"0.7 − 0.5 < 0.2000001", 7, 10, 5, 10, Ratio{2000001, 10000000}, false},
		{"negative difference", 1, 2, 3, 4, Ratio{0, 1}, false},
		{"zero difference, zero threshold", 1, 2, 2, 4, Ratio{0, 1}, true},
		{"one", 5, 5, 0, 7, Ratio{1, 1}, true},
		{"huge counts", big, big, big - 1, big, Ratio{1, big}, true},
		{"huge counts, just short", big, big, big - 1, big, Ratio{1, big - 1}, false},
		{"huge denominator", big, big, 0, big, Ratio{math.MaxInt64, math.MaxInt64}, true},
		{"huge denominator, just short", big - 1, big, 0, big, Ratio{math.MaxInt64 - 1, math.MaxInt64}, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			assert.Equal(t, tt.want, atLeast(tt.c1, tt.n1, tt.c2, tt.n2, tt.r))
		})
	}
}

func mustRatio(t *testing.T, f float64) Ratio {
	r, err := RatioOf(f)
	require.NoError(t, err)
	return r
}
