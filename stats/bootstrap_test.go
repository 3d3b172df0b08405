package stats

import (
	"fmt"
	"math"
	"math/rand/v2"
	"slices"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"gonum.org/v1/gonum/stat/distuv"
)

// TestBinomialSamplerTable checks the tabulated distribution against
// gonum's binomial probabilities, and that it covers all but a negligible
// mass.
func TestBinomialSamplerTable(t *testing.T) {
	for _, c := range []struct{ n, k int }{
		{1, 0}, {2, 1}, {30, 1}, {30, 12}, {30, 29}, {43, 20}, {1300, 1100},
		{1300, 1}, {100000, 3}, {1000000, 300000}, {5000000, 4999990},
	} {
		t.Run(fmt.Sprintf("%d_%d", c.n, c.k), func(t *testing.T) {
			s := newBinomialSampler(rand.New(rand.NewPCG(1, 2)), c.n, c.k)
			if c.k == 0 || c.k == c.n {
				require.Equal(t, c.k, s.fixed)
				return
			}
			require.False(t, s.wide)
			// The tabulated distribution against probabilities computed
			// apart, by Loader's saddle-point method (gonum's Binomial.CDF
			// loses ten digits for such n and p), and the mass left out on
			// either side is negligible.
			n := float64(c.n)
			p, q := float64(c.k)/n, float64(c.n-c.k)/n
			pmf := func(x int) float64 { return math.Exp(logBinomRaw(float64(x), n, p, q)) }
			want := 0.0
			for i, cum := range s.cum {
				want += pmf(s.lo + i)
				assert.InDelta(t, want, float64(cum)/(1<<53), 1e-13, "P(X≤%d)", s.lo+i)
			}
			assert.InDelta(t, 1, want, 1e-13)
			assert.Less(t, pmf(s.lo-1), 1e-17)
			assert.Less(t, pmf(s.lo+len(s.cum)), 1e-17)
			require.GreaterOrEqual(t, len(s.guide), len(s.cum))
			for j, g := range s.guide { // the index table points where it must
				u := uint64(j) << s.shift
				require.Greater(t, s.cum[g], u)
				if g > 0 {
					require.LessOrEqual(t, s.cum[g-1], u)
				}
			}
		})
	}
}

// TestBinomialSamplerMoments checks the mean and variance of draws by every
// method, the gonum fallback for gigantic groups included.
func TestBinomialSamplerMoments(t *testing.T) {
	for _, c := range []struct{ n, k int }{
		{30, 12}, {1300, 1100}, {1000000, 300000}, {200000000, 100000000},
	} {
		t.Run(fmt.Sprintf("%d_%d", c.n, c.k), func(t *testing.T) {
			rng := rand.New(rand.NewPCG(3, 4))
			s := newBinomialSampler(rng, c.n, c.k)
			require.Equal(t, c.n >= 200000000, s.wide)
			const draws = 20000
			var sum, sum2 float64
			for range draws {
				x := float64(s.draw())
				require.True(t, x >= 0 && x <= float64(c.n))
				sum += x
				sum2 += x * x
			}
			p := float64(c.k) / float64(c.n)
			mean, variance := float64(c.n)*p, float64(c.n)*p*(1-p)
			m := sum / draws
			v := sum2/draws - m*m
			assert.InDelta(t, mean, m, 5*math.Sqrt(variance/draws))
			assert.InDelta(t, 1, v/variance, 0.1)
		})
	}
}

// TestBinomialSamplerFrequencies compares the frequencies of many draws of
// a small binomial with its probabilities by a chi-square statistic.
func TestBinomialSamplerFrequencies(t *testing.T) {
	rng := rand.New(rand.NewPCG(5, 6))
	const n, k, draws = 40, 11, 200000
	s := newBinomialSampler(rng, n, k)
	var freq [n + 1]float64
	for range draws {
		freq[s.draw()]++
	}
	ref := distuv.Binomial{N: n, P: float64(k) / n}
	chi2, df := 0.0, -1
	for x := range freq {
		e := draws * ref.Prob(float64(x))
		if e < 5 {
			continue
		}
		chi2 += (freq[x] - e) * (freq[x] - e) / e
		df++
	}
	crit := distuv.ChiSquared{K: float64(df)}.Quantile(0.999)
	assert.Less(t, chi2, crit, "chi-square %v on %d degrees of freedom", chi2, df)
}

func TestQuantile7(t *testing.T) {
	rng := rand.New(rand.NewPCG(7, 8))
	for trial := range 300 {
		n := 1 + rng.IntN(200)
		if trial%3 == 2 {
			n = 1 + rng.IntN(3000)
		}
		x := make([]float64, n)
		for i := range x {
			if trial%2 == 0 {
				x[i] = float64(rng.IntN(5)) // many ties
			} else {
				x[i] = rng.NormFloat64()
			}
		}
		sorted := slices.Clone(x)
		slices.Sort(sorted)
		for _, a := range []float64{0, 0.005, 0.025, 0.1, 0.5, 0.9, 0.975, 0.995, 1} {
			h := a * float64(n-1)
			j := int(math.Floor(h))
			want := sorted[j]
			if j+1 < n {
				want += (h - float64(j)) * (sorted[j+1] - sorted[j])
			}
			got := quantile7(slices.Clone(x), a)
			require.Equal(t, want, got, "n=%d a=%v", n, a)
		}
	}
}

// TestBootstrapAccuracyHistogram checks that the order statistics taken
// from counts of the tabulated draws are those of the resampled accuracies
// themselves.
func TestBootstrapAccuracyHistogram(t *testing.T) {
	for _, c := range []struct{ n, k, b int }{{30, 12, 1000}, {1300, 1000, 999}, {97, 3, 10}, {5, 2, 1}, {1000000, 400000, 2000}} {
		for _, level := range []float64{0.5, 0.9, 0.95, 0.999} {
			lo, hi := BootstrapAccuracy(rand.New(rand.NewPCG(5, 5)), c.n, c.k, c.b, level)
			s := newBinomialSampler(rand.New(rand.NewPCG(5, 5)), c.n, c.k)
			x := make([]float64, c.b)
			for i := range x {
				x[i] = float64(s.draw()) / float64(c.n)
			}
			slices.Sort(x)
			require.Equal(t, quantile7(slices.Clone(x), (1-level)/2), lo, "%v level %v", c, level)
			require.Equal(t, quantile7(x, (1+level)/2), hi, "%v level %v", c, level)
		}
	}
}

// TestBootstrapDropTables checks that the drop intervals computed with
// tables of values are those of the replicates computed one by one.
func TestBootstrapDropTables(t *testing.T) {
	for _, c := range []struct{ nIn, cIn, nOut, cOut int }{
		{30, 12, 1270, 1100}, {43, 1, 57, 56}, {1000000, 300000, 2000000, 1500000}, {5, 3, 7, 2},
	} {
		lo, hi := BootstrapDrop(rand.New(rand.NewPCG(8, 8)), c.nIn, c.cIn, c.nOut, c.cOut, 1000, 0.95)
		rng := rand.New(rand.NewPCG(8, 8))
		in := newBinomialSampler(rng, c.nIn, c.cIn)
		out := newBinomialSampler(rng, c.nOut, c.cOut)
		x := make([]float64, 1000)
		for i := range x {
			ci, co := in.draw(), out.draw()
			x[i] = float64(co)/float64(c.nOut) - float64(ci)/float64(c.nIn)
		}
		wantLo, wantHi := percentileInterval(x, 0.95)
		require.Equal(t, wantLo, lo, "%v", c)
		require.Equal(t, wantHi, hi, "%v", c)
	}
}

// TestBootstrapCoverage simulates 2,000 groups (n log-uniform in
// [30, 3000], true accuracy uniform in [0.3, 0.9]) and checks that the 95%
// interval, with B = 1000, covers the true accuracy in 93% to 97% of them.
func TestBootstrapCoverage(t *testing.T) {
	const groups, b, level = 2000, 1000, 0.95
	world := rand.New(rand.NewPCG(2024, 11))
	boot := rand.New(rand.NewPCG(2025, 12))
	covered, coveredDrop := 0, 0
	for range groups {
		n := int(30 * math.Pow(100, world.Float64()))
		p := 0.3 + 0.6*world.Float64()
		correct := int(distuv.Binomial{N: float64(n), P: p, Src: world}.Rand())
		lo, hi := BootstrapAccuracy(boot, n, correct, b, level)
		if lo <= p && p <= hi {
			covered++
		}
		// The drop against a rest of 1300 records of true accuracy 0.9.
		const nOut, pOut = 1300, 0.9
		cOut := int(distuv.Binomial{N: nOut, P: pOut, Src: world}.Rand())
		lo, hi = BootstrapDrop(boot, n, correct, nOut, cOut, b, level)
		if d := pOut - p; lo <= d && d <= hi {
			coveredDrop++
		}
	}
	share := float64(covered) / groups
	t.Logf("accuracy interval coverage %.4f, drop interval coverage %.4f", share, float64(coveredDrop)/groups)
	assert.GreaterOrEqual(t, share, 0.93)
	assert.LessOrEqual(t, share, 0.97)
	shareDrop := float64(coveredDrop) / groups
	assert.GreaterOrEqual(t, shareDrop, 0.93)
	assert.LessOrEqual(t, shareDrop, 0.97)
}

func TestBootstrapDeterministic(t *testing.T) {
	type fn func(rng *rand.Rand) (float64, float64)
	for name, f := range map[string]fn{
		"accuracy":     func(r *rand.Rand) (float64, float64) { return BootstrapAccuracy(r, 137, 61, 1000, 0.95) },
		"accuracyHuge": func(r *rand.Rand) (float64, float64) { return BootstrapAccuracy(r, 300000000, 1000000, 200, 0.9) },
		"drop":         func(r *rand.Rand) (float64, float64) { return BootstrapDrop(r, 43, 18, 1257, 1080, 1000, 0.95) },
	} {
		t.Run(name, func(t *testing.T) {
			lo1, hi1 := f(rand.New(rand.NewPCG(42, 1)))
			lo2, hi2 := f(rand.New(rand.NewPCG(42, 1)))
			require.Equal(t, math.Float64bits(lo1), math.Float64bits(lo2))
			require.Equal(t, math.Float64bits(hi1), math.Float64bits(hi2))
			require.Less(t, lo1, hi1)
			if name == "drop" {
				// Resampled drops take many values, so another seed moves
				// the ends (accuracies of 137 records may well not).
				lo3, hi3 := f(rand.New(rand.NewPCG(43, 1)))
				assert.False(t, lo1 == lo3 && hi1 == hi3, "another seed gave the same interval")
			}
		})
	}
}

// TestBootstrapValues checks intervals against what they must be: around
// the estimate, inside the range of the statistic, and the edge cases.
func TestBootstrapValues(t *testing.T) {
	rng := rand.New(rand.NewPCG(9, 10))
	lo, hi := BootstrapAccuracy(rng, 0, 0, 100, 0.95)
	assert.True(t, math.IsNaN(lo) && math.IsNaN(hi), "n = 0")
	lo, hi = BootstrapDrop(rng, 30, 12, 0, 0, 100, 0.95)
	assert.Equal(t, [2]float64{0, 0}, [2]float64{lo, hi}, "no rest")
	lo, hi = BootstrapDrop(rng, 0, 0, 30, 12, 100, 0.95)
	assert.True(t, math.IsNaN(lo) && math.IsNaN(hi), "empty group")

	// Where a group has all or none of its records right, resampling has
	// nothing to resample: the intervals are Wilson's and Newcombe's, of
	// non-zero width, and the generator is not used.
	for _, c := range []struct{ nIn, cIn, nOut, cOut int }{
		{30, 0, 1270, 1100}, {30, 30, 1270, 1100}, {60, 0, 939, 939}, {30, 12, 100, 100}, {45, 40, 300, 0},
	} {
		used := rand.New(rand.NewPCG(3, 3))
		fresh := rand.New(rand.NewPCG(3, 3))
		lo, hi := BootstrapDrop(used, c.nIn, c.cIn, c.nOut, c.cOut, 1000, 0.95)
		wlo, whi := Newcombe(c.nIn, c.cIn, c.nOut, c.cOut, 0.95)
		assert.Equal(t, [2]float64{wlo, whi}, [2]float64{lo, hi}, "drop %v", c)
		assert.Less(t, lo, hi, "drop %v", c)
		if c.cIn == 0 || c.cIn == c.nIn {
			lo, hi = BootstrapAccuracy(used, c.nIn, c.cIn, 1000, 0.95)
			wlo, whi = Wilson(c.nIn, c.cIn, 0.95)
			assert.Equal(t, [2]float64{wlo, whi}, [2]float64{lo, hi}, "accuracy %v", c)
			assert.Less(t, lo, hi, "accuracy %v", c)
		}
		assert.Equal(t, fresh.Uint64(), used.Uint64(), "the generator is not used")
	}
	// The demo's 60 boats on sand, none classified right: [0, 6.0%].
	lo, hi = BootstrapAccuracy(rng, 60, 0, 1000, 0.95)
	assert.Equal(t, 0.0, lo)
	assert.InDelta(t, 0.0602, hi, 5e-5)

	for _, c := range []struct{ nIn, cIn, nOut, cOut int }{
		{30, 12, 1270, 1100}, {1000, 700, 5000, 4500}, {45, 40, 300, 100},
	} {
		aIn := float64(c.cIn) / float64(c.nIn)
		aOut := float64(c.cOut) / float64(c.nOut)
		aAll := float64(c.cIn+c.cOut) / float64(c.nIn+c.nOut)
		lo, hi := BootstrapAccuracy(rng, c.nIn, c.cIn, 1000, 0.95)
		assert.True(t, lo < aIn && aIn < hi && lo >= 0 && hi <= 1, "accuracy %v in [%v, %v]", aIn, lo, hi)
		// Roughly the normal interval.
		se := math.Sqrt(aIn * (1 - aIn) / float64(c.nIn))
		assert.InDelta(t, 2*1.96*se, hi-lo, 0.25*2*1.96*se)
		lo, hi = BootstrapDrop(rng, c.nIn, c.cIn, c.nOut, c.cOut, 1000, 0.95)
		assert.True(t, lo < aOut-aIn && aOut-aIn < hi, "drop %v in [%v, %v]", aOut-aIn, lo, hi)
		// Against the whole class, the drop is the rest's scaled by
		// nOut/(nIn+nOut), in the sample as in every replicate.
		w := float64(c.nOut) / float64(c.nIn+c.nOut)
		assert.InDelta(t, aAll-aIn, w*(aOut-aIn), 1e-15)
	}
}

func TestPanics(t *testing.T) {
	rng := rand.New(rand.NewPCG(1, 1))
	for name, f := range map[string]func(){
		"bootstrap nil rng":        func() { BootstrapAccuracy(nil, 30, 10, 100, 0.95) },
		"bootstrap no resample":    func() { BootstrapAccuracy(rng, 30, 10, 0, 0.95) },
		"bootstrap level 0":        func() { BootstrapAccuracy(rng, 30, 10, 100, 0) },
		"bootstrap level 1":        func() { BootstrapAccuracy(rng, 30, 10, 100, 1) },
		"bootstrap level NaN":      func() { BootstrapAccuracy(rng, 30, 10, 100, math.NaN()) },
		"bootstrap correct > n":    func() { BootstrapAccuracy(rng, 30, 31, 100, 0.95) },
		"bootstrap n < 0":          func() { BootstrapAccuracy(rng, -1, 0, 100, 0.95) },
		"drop correct < 0":         func() { BootstrapDrop(rng, 30, -1, 30, 10, 100, 0.95) },
		"drop rest correct > n":    func() { BootstrapDrop(rng, 30, 10, 30, 31, 100, 0.95) },
		"drop level 1.5":           func() { BootstrapDrop(rng, 30, 10, 30, 10, 100, 1.5) },
		"drop nil rng":             func() { BootstrapDrop(nil, 30, 10, 30, 10, 100, 0.95) },
		"newcombe level":           func() { Newcombe(30, 10, 30, 10, 1) },
		"newcombe counts":          func() { Newcombe(30, 31, 30, 10, 0.95) },
		"newcombe-cp counts":       func() { NewcombeClopperPearson(30, 10, -1, 0, 0.95) },
		"score counts":             func() { ScoreGreater(31, 30, 0, 30, 0.2) },
		"score margin NaN":         func() { ScoreGreater(3, 30, 0, 30, math.NaN()) },
		"score margin < 0":         func() { ScoreGreater(3, 30, 0, 30, -0.1) },
		"adjust by dst length":     func() { BenjaminiYekutieli(make([]float64, 3), []float64{0.1}) },
		"wilson level":             func() { Wilson(30, 10, 1) },
		"wilson counts":            func() { Wilson(30, 40, 0.95) },
		"clopper-pearson level":    func() { ClopperPearson(30, 10, -0.5) },
		"clopper-pearson counts":   func() { ClopperPearson(-3, 0, 0.95) },
		"fisher wrongIn > nIn":     func() { FisherGreater(31, 30, 0, 30) },
		"fisher negative":          func() { FisherGreater(0, 30, -1, 30) },
		"adjust dst length":        func() { Adjust(make([]float64, 2), []float64{0.1}, nil, MethodBH) },
		"adjust counts length":     func() { Adjust(nil, []float64{0.1}, []int64{1, 2}, MethodBH) },
		"adjust count 0":           func() { Adjust(nil, []float64{0.1}, []int64{0}, MethodHolm) },
		"adjust p NaN":             func() { Adjust(nil, []float64{math.NaN()}, nil, MethodBonferroni) },
		"adjust p > 1":             func() { BenjaminiHochberg(nil, []float64{1.5}) },
		"adjust p < 0":             func() { Holm(nil, []float64{-0.1}) },
		"adjust method":            func() { Adjust(nil, []float64{0.1}, nil, Method(7)) },
		"bonferroni dst length":    func() { Bonferroni(make([]float64, 1), []float64{0.1, 0.2}) },
		"benjamini dst too short":  func() { BenjaminiHochberg([]float64{}, []float64{0.1}) },
		"adjust too many hypothes": func() { Adjust(nil, []float64{0.1, 0.2}, []int64{1 << 53, 1}, MethodBH) },
	} {
		t.Run(name, func(t *testing.T) { require.Panics(t, f) })
	}
}

func TestIntervalsEdges(t *testing.T) {
	lo, hi := Wilson(0, 0, 0.95)
	assert.True(t, math.IsNaN(lo) && math.IsNaN(hi))
	lo, hi = ClopperPearson(0, 0, 0.95)
	assert.True(t, math.IsNaN(lo) && math.IsNaN(hi))
	// Clopper–Pearson with no successes has the closed form 1 − (α/2)^(1/n).
	for _, n := range []int{1, 30, 1300, 1000000} {
		_, hi := ClopperPearson(n, 0, 0.95)
		want := -math.Expm1(math.Log(0.025) / float64(n))
		assert.LessOrEqual(t, relErr(hi, want), 1e-14, "n=%d: %v, want %v", n, hi, want)
		lo, _ := ClopperPearson(n, n, 0.95)
		assert.LessOrEqual(t, relErr(lo, math.Pow(0.025, 1/float64(n))), 1e-14, "n=%d: %v", n, lo)
	}
}
