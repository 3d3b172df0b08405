package mining

import (
	"fmt"
	"math"
	"math/big"
	"math/bits"
	"strconv"
)

// RatioOf returns the exact rational number written by the shortest decimal
// that reads back as f (strconv.FormatFloat(f, 'g', -1, 64)), in lowest
// terms: RatioOf(0.2) is {1, 5}, not the binary fraction nearest to 0.2.
// It fails for NaN, infinities, negative numbers and decimals whose
// numerator or denominator does not fit in an int64 (such as 1e-20).
func RatioOf(f float64) (Ratio, error) {
	if math.IsNaN(f) || math.IsInf(f, 0) {
		return Ratio{}, fmt.Errorf("mining: ratio of %v: not a finite number", f)
	}
	return ParseRatio(strconv.FormatFloat(f, 'g', -1, 64))
}

// ParseRatio reads s, written in any form big.Rat's SetString reads (a
// decimal such as "0.2" or "2.5e-3", a fraction such as "1/5"), as the
// exact non-negative rational it denotes, in lowest terms. It fails for
// anything else, negative numbers included, and for numbers whose
// numerator or denominator does not fit in an int64.
func ParseRatio(s string) (Ratio, error) {
	r, ok := new(big.Rat).SetString(s)
	switch {
	case !ok:
		return Ratio{}, fmt.Errorf("mining: ratio %q: not a number", s)
	case r.Sign() < 0:
		return Ratio{}, fmt.Errorf("mining: ratio %q: negative", s)
	case !r.Num().IsInt64() || !r.Denom().IsInt64():
		return Ratio{}, fmt.Errorf("mining: ratio %q: too many digits for an int64 numerator and denominator", s)
	}
	return Ratio{Num: r.Num().Int64(), Den: r.Denom().Int64()}, nil
}

// String formats r as "Num/Den".
func (r Ratio) String() string {
	return strconv.FormatInt(r.Num, 10) + "/" + strconv.FormatInt(r.Den, 10)
}

// Float64 returns the float64 nearest to r (0 when Den is 0).
func (r Ratio) Float64() float64 {
	if r.Den == 0 {
		return 0
	}
	return float64(r.Num) / float64(r.Den)
}

// atLeast reports whether c1/n1 − c2/n2 ≥ r.Num/r.Den, exactly, for
// 0 ≤ c1 ≤ n1, 0 ≤ c2 ≤ n2, 1 ≤ n1, n2 ≤ 2^31 and 0 ≤ r.Num, 1 ≤ r.Den.
// It decides (c1·n2 − c2·n1)·Den ≥ Num·n1·n2: the products c·n and n1·n2
// are below 2^62 and fit an int64; the two sides, below 2^62 · 2^63, are
// formed as 128-bit unsigned numbers with math/bits, so nothing overflows.
func atLeast(c1, n1, c2, n2 int64, r Ratio) bool {
	d := c1*n2 - c2*n1
	if d < 0 {
		return false // the left side is negative, the right side is not
	}
	lh, ll := bits.Mul64(uint64(d), uint64(r.Den))
	rh, rl := bits.Mul64(uint64(r.Num), uint64(n1*n2))
	return lh > rh || lh == rh && ll >= rl
}

// less reports whether c1/n1 < c2/n2 for counts below 2^31, n1, n2 ≥ 1.
func less(c1, n1, c2, n2 int64) bool {
	return c1*n2 < c2*n1
}
