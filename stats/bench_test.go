package stats

import (
	"fmt"
	"math/rand/v2"
	"testing"

	"github.com/failmodes/prime/internal/cputime"
	"gonum.org/v1/gonum/stat/distuv"
)

// A benchMode is a failure mode's counts: the group and the rest of its
// class.
type benchMode struct{ nIn, cIn, nOut, cOut int }

// benchModes returns n modes as an ImageNet-scale run finds them: classes
// of 1300 records at about 85% accuracy, groups of 30 to 330 records at 20
// to 70 points below.
func benchModes(n int) []benchMode {
	rng := rand.New(rand.NewPCG(1, 2))
	modes := make([]benchMode, n)
	for i := range modes {
		const class = 1300
		nIn := 30 + rng.IntN(300)
		accIn := 0.15 + 0.5*rng.Float64()
		cIn := int(accIn * float64(nIn))
		nOut := class - nIn
		cOut := int((0.82 + 0.1*rng.Float64()) * float64(nOut))
		modes[i] = benchMode{nIn, cIn, nOut, cOut}
	}
	return modes
}

var sink float64

// BenchmarkModes measures the statistics of a whole report: for each mode
// its accuracy interval, its drop interval, its Fisher p-value, and then the
// Benjamini–Hochberg q-values over all, with B = 1000 at level 0.95. The
// issue's figure is modes=10000: at most 1 s per op. It also reports the
// processor time per op (cpu-ns/op), which a machine busy with other work
// inflates less than the wall time.
func BenchmarkModes(b *testing.B) {
	for _, n := range []int{1000, 10000} {
		modes := benchModes(n)
		b.Run(fmt.Sprintf("modes=%d/B=1000", n), func(b *testing.B) {
			p := make([]float64, n)
			cpu := cputime.Process()
			for b.Loop() {
				rng := rand.New(rand.NewPCG(7, 7))
				for i, m := range modes {
					lo, hi := BootstrapAccuracy(rng, m.nIn, m.cIn, 1000, 0.95)
					dlo, dhi := BootstrapDrop(rng, m.nIn, m.cIn, m.nOut, m.cOut, 1000, 0.95)
					p[i] = FisherGreater(m.nIn-m.cIn, m.nIn, m.nOut-m.cOut, m.nOut)
					sink += lo + hi + dlo + dhi
				}
				q := BenjaminiHochberg(nil, p)
				sink += q[0]
			}
			b.ReportMetric(float64(cputime.Process()-cpu)/float64(b.N), "cpu-ns/op")
		})
	}
}

// BenchmarkGeneratorFloor measures the floor under BenchmarkModes: the
// 3000 generator calls per mode (1000 resamples of the group for its
// accuracy, 1000 of the group and 1000 of the rest for its drop) that any
// exact inversion sampler needs, and nothing else. Read within one run, the
// ratio of the two says how much the statistics add to the random numbers.
func BenchmarkGeneratorFloor(b *testing.B) {
	for _, n := range []int{1000, 10000} {
		b.Run(fmt.Sprintf("modes=%d/B=1000", n), func(b *testing.B) {
			var x uint64
			cpu := cputime.Process()
			for b.Loop() {
				rng := rand.New(rand.NewPCG(7, 7))
				for range n * 3000 {
					x += rng.Uint64()
				}
			}
			sink += float64(x)
			b.ReportMetric(float64(cputime.Process()-cpu)/float64(b.N), "cpu-ns/op")
		})
	}
}

// BenchmarkBinomialSampler compares the bootstrap intervals of an
// ImageNet-scale run (3,000 modes, as many as prime mine reports on the
// records of prime synth -classes 1000 -records 1300: an accuracy interval
// and a drop interval each, B = 1000) drawn by the package's tabulated
// binomialSampler with the same intervals drawn by gonum's
// distuv.Binomial. The ratio of gonum to table is the figure that
// binomialSampler's documentation gives.
func BenchmarkBinomialSampler(b *testing.B) {
	modes := benchModes(3000)
	b.Run("sampler=table", func(b *testing.B) {
		for b.Loop() {
			rng := rand.New(rand.NewPCG(7, 7))
			for _, m := range modes {
				lo, hi := BootstrapAccuracy(rng, m.nIn, m.cIn, 1000, 0.95)
				dlo, dhi := BootstrapDrop(rng, m.nIn, m.cIn, m.nOut, m.cOut, 1000, 0.95)
				sink += lo + hi + dlo + dhi
			}
		}
	})
	b.Run("sampler=gonum", func(b *testing.B) {
		x := make([]float64, 1000)
		for b.Loop() {
			rng := rand.New(rand.NewPCG(7, 7))
			for _, m := range modes {
				in := distuv.Binomial{N: float64(m.nIn), P: float64(m.cIn) / float64(m.nIn), Src: rng}
				out := distuv.Binomial{N: float64(m.nOut), P: float64(m.cOut) / float64(m.nOut), Src: rng}
				for i := range x {
					x[i] = in.Rand() / float64(m.nIn)
				}
				lo, hi := percentileInterval(x, 0.95)
				for i := range x {
					x[i] = out.Rand()/float64(m.nOut) - in.Rand()/float64(m.nIn)
				}
				dlo, dhi := percentileInterval(x, 0.95)
				sink += lo + hi + dlo + dhi
			}
		}
	})
}

func BenchmarkBootstrapAccuracy(b *testing.B) {
	for _, n := range []int{30, 1300, 1_000_000, 300_000_000} {
		b.Run(fmt.Sprintf("n=%d/B=1000", n), func(b *testing.B) {
			rng := rand.New(rand.NewPCG(1, 1))
			for b.Loop() {
				lo, hi := BootstrapAccuracy(rng, n, n/3, 1000, 0.95)
				sink += lo + hi
			}
		})
	}
}

func BenchmarkBootstrapDrop(b *testing.B) {
	for _, n := range []int{30, 1300, 1_000_000} {
		b.Run(fmt.Sprintf("n=%d/B=1000", n), func(b *testing.B) {
			rng := rand.New(rand.NewPCG(1, 1))
			for b.Loop() {
				lo, hi := BootstrapDrop(rng, n, n/3, 4*n, 3*n, 1000, 0.95)
				sink += lo + hi
			}
		})
	}
}

func BenchmarkFisherGreater(b *testing.B) {
	for _, c := range []struct {
		name string
		m    benchMode
	}{
		{"n=43", benchMode{43, 18, 1257, 1080}},
		{"n=1300", benchMode{1300, 650, 100000, 85000}},
		{"n=1000000", benchMode{1000000, 969000, 99000000, 96100000}},
	} {
		b.Run(c.name, func(b *testing.B) {
			m := c.m
			for b.Loop() {
				sink += FisherGreater(m.nIn-m.cIn, m.nIn, m.nOut-m.cOut, m.nOut)
			}
		})
	}
}

func BenchmarkAdjust(b *testing.B) {
	rng := rand.New(rand.NewPCG(1, 1))
	for _, n := range []int{10000, 1000000} {
		p := randomP(rng, n, false)
		counts := make([]int64, n)
		for i := range counts {
			counts[i] = 1 + rng.Int64N(20)
		}
		dst := make([]float64, n)
		for _, m := range []Method{MethodBH, MethodHolm, MethodBonferroni} {
			b.Run(fmt.Sprintf("entries=%d/%v", n, m), func(b *testing.B) {
				for b.Loop() {
					Adjust(dst, p, counts, m)
				}
			})
		}
	}
}
