package stats

import "math"

// ScoreGreater returns the one-sided p-value of the Miettinen–Nurminen
// score test that the error rate in a group (wrongIn errors in nIn records)
// exceeds that of the rest (wrongOut errors in nOut records) by more than
// margin: the test of H0: wrongIn/nIn − wrongOut/nOut ≤ margin against
// H1: … > margin. In terms of accuracies, the difference is the drop of
// the group against the rest, so ScoreGreater(…, a) tests whether the drop
// exceeds a, where FisherGreater tests only whether it exceeds 0.
//
// The statistic is (d̂ − margin)/σ̃, d̂ the observed difference and σ̃² the
// variance of d̂ at the maximum-likelihood rates under the constraint that
// their difference is margin (Farrington and Manning 1990, Statistics in
// Medicine 9:1447–1454, solved in closed form as a cubic), multiplied by
// N/(N−1) with N = nIn+nOut (Miettinen and Nurminen 1985, Statistics in
// Medicine 4:213–226); the p-value is its upper normal tail. This is the
// standard test of a difference of proportions against a non-zero margin,
// as in non-inferiority trials; with margin 0 the constrained rates are
// the pooled rate. It is statsmodels' test_proportions_2indep(wrongIn,
// nIn, wrongOut, nOut, value=margin, method="score", compare="diff",
// alternative="larger").pvalue where statsmodels solves the cubic right
// (see restricted).
//
// When nIn or nOut is 0 there is no difference to test and the p-value is
// 1; so it is when margin is 1 or more, which no difference of rates
// exceeds. ScoreGreater panics if a count is negative, wrongIn > nIn,
// wrongOut > nOut, or margin is NaN or negative.
func ScoreGreater(wrongIn, nIn, wrongOut, nOut int, margin float64) float64 {
	checkCounts("ScoreGreater", nIn, wrongIn)
	checkCounts("ScoreGreater", nOut, wrongOut)
	if !(margin >= 0) {
		panic("stats: ScoreGreater: margin NaN or negative")
	}
	if nIn == 0 || nOut == 0 || margin >= 1 {
		return 1
	}
	n1, n0 := float64(nIn), float64(nOut)
	c1, c0 := float64(wrongIn), float64(wrongOut)
	r1, r0 := restricted(c1, n1, c0, n0, margin)
	n := n1 + n0
	v := (r1*(1-r1)/n1 + r0*(1-r0)/n0) * n / (n - 1)
	diff := c1/n1 - c0/n0 - margin
	if !(v > 0) {
		// Only with margin 0 and every record right, or every one
		// wrong: the rates are equal and nothing points to H1.
		if diff > 0 {
			return 0
		}
		return 1
	}
	z := diff / math.Sqrt(v)
	return 0.5 * math.Erfc(z/math.Sqrt2)
}

// restricted returns the maximum-likelihood rates (r1, r0) of two binomial
// samples, c1 of n1 and c0 of n0, under the constraint r1 − r0 = d, for
// 0 ≤ d < 1: with d = 0 the pooled rate; otherwise r0 is the root in
// [0, 1−d] of the likelihood equation, a cubic, taken by Farrington and
// Manning's trigonometric formula. (statsmodels 0.14 and earlier write
// count0 for nobs0 in the cubic's linear coefficient, statsmodels issue
// 10269, and so get other rates and p-values for a non-zero margin; the
// tests check these against the likelihood solved in 50-digit
// arithmetic.) Where rounding
// leaves that formula without a root in the range (the cosine's argument
// a hair outside [−1, 1], or a degenerate cubic), the root is found by
// bisection on the likelihood's derivative, which decreases over the
// range.
func restricted(c1, n1, c0, n0, d float64) (r1, r0 float64) {
	n, c := n1+n0, c1+c0
	if d == 0 {
		return c / n, c / n
	}
	t3 := n
	t2 := (n1+2*n0)*d - n - c
	t1 := (n0*d-n-2*c0)*d + c
	t0 := c0 * d * (1 - d)
	q := math.Pow(t2/(3*t3), 3) - t1*t2/(6*t3*t3) + t0/(2*t3)
	p := math.Sqrt(math.Pow(t2/(3*t3), 2) - t1/(3*t3))
	if q < 0 {
		p = -p
	}
	r0 = 2*p*math.Cos((math.Pi+math.Acos(q/(p*p*p)))/3) - t2/(3*t3)
	if !(r0 >= 0 && r0 <= 1-d) {
		r0 = restrictedBisect(c1, n1, c0, n0, d)
	}
	return r0 + d, r0
}

// restrictedBisect finds the root r0 in [0, 1−d] of the derivative of the
// log-likelihood c1·log(r0+d) + (n1−c1)·log(1−r0−d) + c0·log(r0) +
// (n0−c0)·log(1−r0), which decreases from +∞ (or a positive value) to −∞
// (or a negative one); an end is returned when the derivative keeps one
// sign over the range.
func restrictedBisect(c1, n1, c0, n0, d float64) float64 {
	term := func(count, rate float64) float64 { // count/rate, 0 for no count
		if count == 0 {
			return 0
		}
		return count / rate
	}
	deriv := func(r0 float64) float64 {
		r1 := r0 + d
		return term(c1, r1) - term(n1-c1, 1-r1) + term(c0, r0) - term(n0-c0, 1-r0)
	}
	lo, hi := 0.0, 1-d
	switch {
	case deriv(lo) <= 0:
		return lo
	case deriv(hi) >= 0:
		return hi
	}
	for range 200 {
		mid := lo + (hi-lo)/2
		if mid <= lo || mid >= hi {
			break
		}
		if deriv(mid) > 0 {
			lo = mid
		} else {
			hi = mid
		}
	}
	return lo + (hi-lo)/2
}
