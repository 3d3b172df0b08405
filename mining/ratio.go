package mining

import (
	"errors"
	"fmt"
	"math"
	"math/bits"
	"strconv"
	"strings"
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
	if f < 0 {
		return Ratio{}, fmt.Errorf("mining: ratio of %v: negative", f)
	}
	r, err := ParseRatio(strconv.FormatFloat(f, 'g', -1, 64))
	if err != nil {
		return Ratio{}, fmt.Errorf("mining: ratio of %v: %w", f, errors.Unwrap(err))
	}
	return r, nil
}

var errRatioDigits = errors.New("too many digits for an int64 numerator and denominator")

// ParseRatio reads a non-negative decimal number (digits, an optional
// fraction, an optional exponent: "0.2", ".05", "1", "2.5e-3") as the exact
// rational it denotes, in lowest terms. It fails for anything else,
// negative numbers included, and for decimals whose numerator or
// denominator does not fit in an int64.
func ParseRatio(s string) (Ratio, error) {
	r, err := parseRatio(s)
	if err != nil {
		return Ratio{}, fmt.Errorf("mining: ratio %q: %w", s, err)
	}
	return r, nil
}

func parseRatio(s string) (Ratio, error) {
	t := strings.TrimPrefix(s, "+")
	mant, exp := t, 0
	if i := strings.IndexAny(t, "eE"); i >= 0 {
		mant = t[:i]
		es := t[i+1:]
		neg := strings.HasPrefix(es, "-")
		es = strings.TrimPrefix(strings.TrimPrefix(es, "-"), "+")
		if es == "" || !allDigits(es) || len(t[i+1:])-len(es) > 1 {
			return Ratio{}, errors.New("not a non-negative decimal number")
		}
		es = strings.TrimLeft(es, "0")
		if len(es) > 5 {
			return Ratio{}, errRatioDigits
		}
		exp, _ = strconv.Atoi("0" + es)
		if neg {
			exp = -exp
		}
	}
	intPart, frac, _ := strings.Cut(mant, ".")
	if intPart == "" && frac == "" || !allDigits(intPart) || !allDigits(frac) {
		return Ratio{}, errors.New("not a non-negative decimal number")
	}
	digits := strings.TrimLeft(intPart+frac, "0")
	// Trailing zeros of the digits only scale the value by ten.
	scale := exp - len(frac)
	for strings.HasSuffix(digits, "0") {
		digits = digits[:len(digits)-1]
		scale++
	}
	if digits == "" {
		return Ratio{Num: 0, Den: 1}, nil
	}
	if len(digits) > 18 {
		return Ratio{}, errRatioDigits
	}
	num, err := strconv.ParseInt(digits, 10, 64)
	if err != nil {
		return Ratio{}, errRatioDigits
	}
	den := int64(1)
	for ; scale > 0; scale-- {
		hi, lo := bits.Mul64(uint64(num), 10)
		if hi != 0 || lo > math.MaxInt64 {
			return Ratio{}, errRatioDigits
		}
		num = int64(lo)
	}
	for ; scale < 0; scale++ {
		if den > math.MaxInt64/10 {
			return Ratio{}, errRatioDigits
		}
		den *= 10
	}
	g := gcd(num, den)
	return Ratio{Num: num / g, Den: den / g}, nil
}

func allDigits(s string) bool {
	for i := 0; i < len(s); i++ {
		if s[i] < '0' || s[i] > '9' {
			return false
		}
	}
	return true
}

func gcd(a, b int64) int64 {
	for b != 0 {
		a, b = b, a%b
	}
	return a
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
