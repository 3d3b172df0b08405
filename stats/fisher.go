package stats

import "math"

// FisherGreater returns the one-sided p-value of Fisher's exact test that
// the error rate in a group (wrongIn errors in nIn records) is higher than
// in the rest (wrongOut errors in nOut records): P(X ≥ wrongIn) where X is
// hypergeometric, the number of errors among nIn records drawn without
// replacement from the nIn+nOut records holding wrongIn+wrongOut errors. It
// is SciPy's fisher_exact([[wrongIn, wrongOut], [nIn−wrongIn,
// nOut−wrongOut]], alternative="greater").
//
// The p-value keeps its relative precision for groups of any size: against
// 50-digit sums it agrees to 1e-13 relative, tables of a hundred million
// records included, down to the smallest positive float64 (below which it
// is 0). The hypergeometric probability where the sum starts is computed
// by Loader's saddle-point method (the deviance form used by R's dhyper),
// which keeps full relative precision where differences of log-factorials
// of millions would lose nine digits; the following terms come from the
// ratio of neighbours. The tail is summed outward from the mode side, where
// terms decrease, and stops once a term is below 1e-17 of the sum. When
// wrongIn is at or below the mode, the lower tail P(X < wrongIn) is summed
// instead and subtracted from 1 if it is at most 1/2, so that no
// cancellation can occur; otherwise the upper tail is summed directly.
//
// FisherGreater panics if a count is negative, wrongIn > nIn or
// wrongOut > nOut.
func FisherGreater(wrongIn, nIn, wrongOut, nOut int) float64 {
	checkCounts("FisherGreater", nIn, wrongIn)
	checkCounts("FisherGreater", nOut, wrongOut)
	h := hypergeom{
		total: float64(nIn + nOut),
		succ:  float64(wrongIn + wrongOut),
		draws: float64(nIn),
	}
	kmin := max(0, nIn-(nIn-wrongIn+nOut-wrongOut)) // draws beyond the failures
	kmax := min(nIn, wrongIn+wrongOut)
	a := wrongIn
	if a <= kmin {
		return 1
	}
	mode := int(math.Floor((h.draws + 1) * (h.succ + 1) / (h.total + 2)))
	mode = min(max(mode, kmin), kmax)
	if a > mode {
		return min(1, h.upperTail(a, kmax, mode))
	}
	if lower := h.lowerTail(a-1, kmin); lower <= 0.5 {
		return 1 - lower
	}
	return min(1, h.upperTail(a, kmax, mode))
}

// hypergeom is the distribution of the successes among draws records drawn
// without replacement from total records holding succ successes.
type hypergeom struct {
	total, succ, draws float64
}

// upperTail returns P(a ≤ X ≤ kmax), summing upward from a. Terms past the
// mode decrease, and the sum stops there once a term is negligible.
func (h hypergeom) upperTail(a, kmax, mode int) float64 {
	t := h.pmf(float64(a))
	sum := t
	for k := a; k < kmax; k++ {
		fk := float64(k)
		t *= (h.succ - fk) * (h.draws - fk) / ((fk + 1) * (h.total - h.succ - h.draws + fk + 1))
		sum += t
		if k >= mode && t <= 1e-17*sum {
			break
		}
	}
	return sum
}

// lowerTail returns P(kmin ≤ X ≤ b) for b below the mode, summing downward
// from b, where terms decrease.
func (h hypergeom) lowerTail(b, kmin int) float64 {
	t := h.pmf(float64(b))
	sum := t
	for k := b; k > kmin; k-- {
		fk := float64(k)
		t *= fk * (h.total - h.succ - h.draws + fk) / ((h.succ - fk + 1) * (h.draws - fk + 1))
		sum += t
		if t <= 1e-17*sum {
			break
		}
	}
	return sum
}

// pmf returns P(X = x) by Loader's method, as R's dhyper: with p the share
// of records drawn, the product of the binomial probabilities of x of the
// successes and draws−x of the failures being drawn, over that of draws of
// all the records.
func (h hypergeom) pmf(x float64) float64 {
	if h.draws == 0 {
		if x == 0 {
			return 1
		}
		return 0
	}
	p := h.draws / h.total
	q := (h.total - h.draws) / h.total
	l := logBinomRaw(x, h.succ, p, q) +
		logBinomRaw(h.draws-x, h.total-h.succ, p, q) -
		logBinomRaw(h.draws, h.total, p, q)
	return math.Exp(l)
}

// logBinomRaw returns the log of the binomial probability of x successes in
// n trials of probability p (q = 1 − p, given apart), by Loader's
// saddle-point expansion (R's dbinom_raw, with its log(x·(n−x)/n) term
// formed symmetrically so that it stays accurate for n−x small against n).
func logBinomRaw(x, n, p, q float64) float64 {
	switch {
	case p == 0:
		if x == 0 {
			return 0
		}
		return math.Inf(-1)
	case q == 0:
		if x == n {
			return 0
		}
		return math.Inf(-1)
	case x == 0:
		if n == 0 {
			return 0
		}
		if p < 0.1 {
			return -bd0(n, n*q) - n*p
		}
		return n * math.Log(q)
	case x == n:
		if q < 0.1 {
			return -bd0(n, n*p) - n*q
		}
		return n * math.Log(p)
	case x < 0 || x > n:
		return math.Inf(-1)
	}
	lc := stirlerr(n) - stirlerr(x) - stirlerr(n-x) - bd0(x, n*p) - bd0(n-x, n*q)
	// lf = log(2π·x·(n−x)/n), formed so that it keeps its precision
	// where x or n−x is small against n.
	lf := math.Log(2 * math.Pi)
	if x <= n-x {
		lf += math.Log(x) + math.Log1p(-x/n)
	} else {
		lf += math.Log(n-x) + math.Log1p(-(n-x)/n)
	}
	return lc - 0.5*lf
}

// stirlerr returns log(n!) − log(√(2π)·n^(n+½)·e^(−n)), the error of
// Stirling's formula, for a whole number n ≥ 1.
func stirlerr(n float64) float64 {
	const (
		s0 = 1.0 / 12
		s1 = 1.0 / 360
		s2 = 1.0 / 1260
		s3 = 1.0 / 1680
		s4 = 1.0 / 1188
	)
	if n <= 15 {
		// The values for 0 (unused), 1, …, 15, to 25 digits.
		small := [16]float64{
			0,
			0.08106146679532725821967026,
			0.04134069595540929409382208,
			0.02767792568499833914878929,
			0.02079067210376509311152277,
			0.01664469118982119216319487,
			0.01387612882307074799874573,
			0.01189670994589177009505572,
			0.01041126526197209649747857,
			0.009255462182712732917728637,
			0.008330563433362871256469319,
			0.007573675487951840794972024,
			0.006942840107209529865664153,
			0.006408994188004207068439631,
			0.005951370112758847735624416,
			0.00555473355196280137103869,
		}
		return small[int(n)]
	}
	nn := n * n
	switch {
	case n > 500:
		return (s0 - s1/nn) / n
	case n > 80:
		return (s0 - (s1-s2/nn)/nn) / n
	case n > 35:
		return (s0 - (s1-(s2-s3/nn)/nn)/nn) / n
	}
	return (s0 - (s1-(s2-(s3-s4/nn)/nn)/nn)/nn) / n
}

// bd0 returns the deviance term x·log(x/np) + np − x, by its series where
// x is close to np so that no digits cancel.
func bd0(x, np float64) float64 {
	if math.Abs(x-np) < 0.1*(x+np) {
		v := (x - np) / (x + np)
		s := (x - np) * v
		if math.Abs(s) < math.SmallestNonzeroFloat64*(1<<52) {
			return s
		}
		ej := 2 * x * v
		v *= v
		for j := 1; j < 1000; j++ {
			ej *= v
			s1 := s + ej/float64(2*j+1)
			if s1 == s {
				return s1
			}
			s = s1
		}
	}
	return x*math.Log(x/np) + np - x
}
