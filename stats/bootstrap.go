package stats

import (
	"math"
	"math/rand/v2"
)

// BootstrapAccuracy returns the percentile bootstrap interval, at the given
// level, for the accuracy correct/n of n outcomes of which correct are 1.
// It draws b resamples; each one's number of ones is a Binomial(n,
// correct/n) variate, so the interval costs O(b) whatever n. The ends are
// the (1−level)/2 and (1+level)/2 quantiles of the b resampled accuracies
// by the type-7 rule (see the package documentation).
//
// When n is 0 the accuracy is undefined and both ends are NaN. When correct
// is 0 or n every resample equals the sample and the interval is the
// single point correct/n; rng is then not used.
//
// The same rng state and arguments give the same interval, bit for bit.
// BootstrapAccuracy panics if rng is nil, n < 0, correct is outside
// [0, n], b < 1 or level is outside (0, 1).
func BootstrapAccuracy(rng *rand.Rand, n, correct, b int, level float64) (lo, hi float64) {
	checkBootstrap("BootstrapAccuracy", rng, b, level)
	checkCounts("BootstrapAccuracy", n, correct)
	if n == 0 {
		return math.NaN(), math.NaN()
	}
	if correct == 0 || correct == n {
		a := float64(correct) / float64(n)
		return a, a
	}
	s := newBinomialSampler(rng, n, correct)
	x := make([]float64, b)
	fn := float64(n)
	for i := range x {
		x[i] = float64(s.draw()) / fn
	}
	return percentileInterval(x, level)
}

// BootstrapDrop returns the percentile bootstrap interval, at the given
// level, for the drop cOut/nOut − cIn/nIn: the accuracy of the rest of a
// class (nOut records, cOut correct) minus that of a group in it (nIn
// records, cIn correct). The two parts are resampled independently with
// their sizes fixed (a stratified bootstrap): each of the b replicates
// draws Binomial(nIn, cIn/nIn) and then Binomial(nOut, cOut/nOut). The
// quantile rule is BootstrapAccuracy's.
//
// When nIn is 0 the group's accuracy is undefined and both ends are NaN.
// When nOut is 0 there is no rest; its accuracy is taken to be the whole
// class's, (cIn+cOut)/(nIn+nOut), which is the group's, so the drop is 0 in
// every replicate and the interval is [0, 0].
//
// BootstrapDrop panics if rng is nil, a count is negative, cIn > nIn,
// cOut > nOut, b < 1 or level is outside (0, 1).
func BootstrapDrop(rng *rand.Rand, nIn, cIn, nOut, cOut, b int, level float64) (lo, hi float64) {
	return bootstrapDrop("BootstrapDrop", rng, nIn, cIn, nOut, cOut, b, level, false)
}

// BootstrapDropWhole is BootstrapDrop for the drop against the whole class:
// the interval for (cIn+cOut)/(nIn+nOut) − cIn/nIn, with the same
// stratified resampling of the group and the rest, the same edge cases and
// the same panics.
func BootstrapDropWhole(rng *rand.Rand, nIn, cIn, nOut, cOut, b int, level float64) (lo, hi float64) {
	return bootstrapDrop("BootstrapDropWhole", rng, nIn, cIn, nOut, cOut, b, level, true)
}

func bootstrapDrop(name string, rng *rand.Rand, nIn, cIn, nOut, cOut, b int, level float64, whole bool) (lo, hi float64) {
	checkBootstrap(name, rng, b, level)
	checkCounts(name, nIn, cIn)
	checkCounts(name, nOut, cOut)
	switch {
	case nIn == 0:
		return math.NaN(), math.NaN()
	case nOut == 0:
		return 0, 0
	}
	in := newBinomialSampler(rng, nIn, cIn)
	out := newBinomialSampler(rng, nOut, cOut)
	x := make([]float64, b)
	fIn, fOut, fAll := float64(nIn), float64(nOut), float64(nIn+nOut)
	for i := range x {
		ci := in.draw()
		co := out.draw()
		if whole {
			x[i] = float64(ci+co)/fAll - float64(ci)/fIn
		} else {
			x[i] = float64(co)/fOut - float64(ci)/fIn
		}
	}
	return percentileInterval(x, level)
}

func checkBootstrap(name string, rng *rand.Rand, b int, level float64) {
	switch {
	case rng == nil:
		panic("stats: " + name + ": nil *rand.Rand")
	case b < 1:
		panic("stats: " + name + ": fewer than 1 resample")
	}
	checkLevel(name, level)
}

func checkLevel(name string, level float64) {
	if !(level > 0 && level < 1) {
		panic("stats: " + name + ": level outside (0, 1)")
	}
}

func checkCounts(name string, n, correct int) {
	if n < 0 || correct < 0 || correct > n {
		panic("stats: " + name + ": counts out of range (want 0 ≤ correct ≤ n)")
	}
}

// percentileInterval returns the type-7 quantiles (1−level)/2 and
// (1+level)/2 of x, reordering x.
func percentileInterval(x []float64, level float64) (lo, hi float64) {
	return quantile7(x, (1-level)/2), quantile7(x, (1+level)/2)
}

// quantile7 returns the type-7 quantile of x for probability a in [0, 1]:
// with h = a·(len(x)−1) and j = ⌊h⌋, x(j) + (h−j)·(x(j+1)−x(j)) where x(i)
// is the i-th smallest, from 0. It reorders x, in O(len(x)) expected time.
func quantile7(x []float64, a float64) float64 {
	h := a * float64(len(x)-1)
	j := int(h)
	selectK(x, j)
	v := x[j]
	if f := h - float64(j); f > 0 && j+1 < len(x) {
		w := x[j+1]
		for _, y := range x[j+2:] {
			w = min(w, y)
		}
		v += f * (w - v)
	}
	return v
}

// selectK reorders x so that x[k] is its k-th smallest element (from 0),
// with x[:k] ≤ x[k] ≤ x[k+1:]. It is a quickselect with a median-of-three
// pivot and a three-way partition, so many equal values (as resampled
// accuracies of small groups are) cost no more than distinct ones. x holds
// no NaN.
func selectK(x []float64, k int) {
	lo, hi := 0, len(x)-1
	for hi-lo >= 16 {
		mid := lo + (hi-lo)/2
		a, b, c := x[lo], x[mid], x[hi]
		if a > b {
			a, b = b, a
		}
		if b > c {
			b = c
		}
		pivot := max(a, b)
		// [lo, lt) < pivot, [lt, i) == pivot, (gt, hi] > pivot.
		lt, i, gt := lo, lo, hi
		for i <= gt {
			switch v := x[i]; {
			case v < pivot:
				x[lt], x[i] = v, x[lt]
				lt++
				i++
			case v > pivot:
				x[i], x[gt] = x[gt], v
				gt--
			default:
				i++
			}
		}
		switch {
		case k < lt:
			hi = lt - 1
		case k > gt:
			lo = gt + 1
		default:
			return
		}
	}
	for i := lo + 1; i <= hi; i++ { // insertion sort of the last few
		v := x[i]
		j := i
		for ; j > lo && x[j-1] > v; j-- {
			x[j] = x[j-1]
		}
		x[j] = v
	}
}
