package stats

import (
	"math"
	"math/rand/v2"
	"slices"
)

// BootstrapAccuracy returns the percentile bootstrap interval, at the given
// level, for the accuracy correct/n of n outcomes of which correct are 1.
// It draws b resamples; each one's number of ones is a Binomial(n,
// correct/n) variate, so the interval costs O(b) whatever n. The ends are
// the (1−level)/2 and (1+level)/2 quantiles of the b resampled accuracies
// by the type-7 rule (see the package documentation).
//
// When correct is 0 or n every resample equals the sample, and the
// percentile interval would be the single point correct/n, a claim of
// certainty that no sample can support. The interval is then Wilson's
// score interval (see Wilson), which needs no resampling and keeps its
// coverage at the boundary; rng is not used. When n is 0 the accuracy is
// undefined and both ends are NaN.
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
		return Wilson(n, correct, level)
	}
	s := newBinomialSampler(rng, n, correct)
	fn := float64(n)
	if !s.wide {
		// Count the draws of each value of the table: the order
		// statistics come from the counts, with no sorting.
		hist := make([]int32, len(s.cum))
		for range b {
			hist[s.drawIndex()]++
		}
		at := func(j int) float64 { return float64(s.lo+histOrder(hist, j)) / fn }
		return quantile7Of(at, b, (1-level)/2), quantile7Of(at, b, (1+level)/2)
	}
	var buf [stackResamples]float64
	x := resampleBuffer(buf[:], b)
	for i := range x {
		x[i] = float64(s.draw()) / fn
	}
	return percentileInterval(x, level)
}

// stackResamples is the number of resamples held on the stack.
const stackResamples = 1024

// resampleBuffer returns buf[:b] when it fits, or a new slice.
func resampleBuffer(buf []float64, b int) []float64 {
	if b <= len(buf) {
		return buf[:b]
	}
	return make([]float64, b)
}

// histOrder returns the index of the j-th smallest (from 0) of the values
// counted in hist, value i occurring hist[i] times.
func histOrder(hist []int32, j int) int {
	seen := 0
	for i, c := range hist {
		seen += int(c)
		if seen > j {
			return i
		}
	}
	return len(hist) - 1
}

// BootstrapDrop returns the percentile bootstrap interval, at the given
// level, for the drop cOut/nOut − cIn/nIn: the accuracy of the rest of a
// class (nOut records, cOut correct) minus that of a group in it (nIn
// records, cIn correct). The two parts are resampled independently with
// their sizes fixed (a stratified bootstrap): each of the b replicates
// draws Binomial(nIn, cIn/nIn) and then Binomial(nOut, cOut/nOut). The
// quantile rule is BootstrapAccuracy's.
//
// When either part has all or none of its records correct, that part does
// not vary from resample to resample and the percentile interval would
// leave its uncertainty out; the interval is then Newcombe's (Newcombe),
// which builds on Wilson's intervals as BootstrapAccuracy does at the
// boundary, and rng is not used. When nIn is 0 the group's accuracy is
// undefined and both ends are NaN. When nOut is 0 there is no rest; its
// accuracy is taken to be the whole class's, (cIn+cOut)/(nIn+nOut), which
// is the group's, so the drop is 0 by definition and the interval is
// [0, 0].
//
// The drop against the whole class, (cIn+cOut)/(nIn+nOut) − cIn/nIn,
// equals nOut/(nIn+nOut) times this drop, in every replicate as in the
// sample, so its interval is this one scaled by nOut/(nIn+nOut).
//
// BootstrapDrop panics if rng is nil, a count is negative, cIn > nIn,
// cOut > nOut, b < 1 or level is outside (0, 1).
func BootstrapDrop(rng *rand.Rand, nIn, cIn, nOut, cOut, b int, level float64) (lo, hi float64) {
	checkBootstrap("BootstrapDrop", rng, b, level)
	checkCounts("BootstrapDrop", nIn, cIn)
	checkCounts("BootstrapDrop", nOut, cOut)
	switch {
	case nIn == 0:
		return math.NaN(), math.NaN()
	case nOut == 0:
		return 0, 0
	case cIn == 0 || cIn == nIn || cOut == 0 || cOut == nOut:
		return Newcombe(nIn, cIn, nOut, cOut, level)
	}
	in := newBinomialSampler(rng, nIn, cIn)
	out := newBinomialSampler(rng, nOut, cOut)
	var buf [stackResamples]float64
	x := resampleBuffer(buf[:], b)
	if in.tabulated() && out.tabulated() {
		// The same values as below, each division done once per
		// possible count rather than once per replicate.
		vIn := countValues(in.lo, len(in.cum), float64(nIn))
		vOut := countValues(out.lo, len(out.cum), float64(nOut))
		for i := range x {
			ci := in.drawIndex()
			co := out.drawIndex()
			x[i] = vOut[co] - vIn[ci]
		}
		return percentileInterval(x, level)
	}
	fIn, fOut := float64(nIn), float64(nOut)
	for i := range x {
		ci := in.draw()
		co := out.draw()
		x[i] = float64(co)/fOut - float64(ci)/fIn
	}
	return percentileInterval(x, level)
}

// countValues returns the accuracies (lo+i)/n for i < size.
func countValues(lo, size int, n float64) []float64 {
	v := make([]float64, size)
	for i := range v {
		v[i] = float64(lo+i) / n
	}
	return v
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
// is the i-th smallest, from 0. It may reorder x. Order statistics near
// either end (those of a 95% interval from 1000 resamples) are found by
// keeping the few smallest or largest values in a sorted buffer, in one
// pass; others by quickselect; both take O(len(x)) expected time.
func quantile7(x []float64, a float64) float64 {
	n := len(x)
	j := int(a * float64(n-1))
	const few = 64
	var buf [few]float64
	var at func(i int) float64
	switch {
	case j+2 <= few:
		k := min(j+2, n)
		kSmallest(buf[:k], x)
		at = func(i int) float64 { return buf[i] }
	case n-j <= few:
		// The largest values are the smallest of the negated ones.
		negate(x)
		kSmallest(buf[:n-j], x)
		negate(x)
		at = func(i int) float64 { return -buf[n-1-i] }
	default:
		selectK(x, j)
		next := math.Inf(1)
		if j+1 < n {
			next = x[j+1]
			for _, y := range x[j+2:] {
				next = min(next, y)
			}
		}
		at = func(i int) float64 {
			if i == j {
				return x[j]
			}
			return next
		}
	}
	return quantile7Of(at, n, a)
}

// quantile7Of returns the type-7 quantile for probability a of n values
// whose i-th smallest is at(i); it asks for at(j) and, when needed,
// at(j+1), with j = ⌊a·(n−1)⌋.
func quantile7Of(at func(int) float64, n int, a float64) float64 {
	h := a * float64(n-1)
	j := int(h)
	v := at(j)
	if f := h - float64(j); f > 0 && j+1 < n {
		v += f * (at(j+1) - v)
	}
	return v
}

func negate(x []float64) {
	for i := range x {
		x[i] = -x[i]
	}
}

// kSmallest writes the len(buf) smallest values of x to buf, ascending.
func kSmallest(buf, x []float64) {
	k := len(buf)
	copy(buf, x[:k])
	slices.Sort(buf)
	for _, v := range x[k:] {
		if v >= buf[k-1] {
			continue
		}
		i := k - 1
		for ; i > 0 && buf[i-1] > v; i-- {
			buf[i] = buf[i-1]
		}
		buf[i] = v
	}
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
		pivot := max(min(a, b), min(max(a, b), c)) // the median of the three
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
	slices.Sort(x[lo : hi+1])
}
