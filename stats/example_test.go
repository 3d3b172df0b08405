package stats_test

import (
	"fmt"
	"math/rand/v2"

	"github.com/failmodes/prime/stats"
)

// A failure mode's numbers, the way prime computes them: a group of 43
// images of a class with 18 classified correctly, the other 1257 images of
// the class with 1080 correct.
func Example() {
	const nIn, cIn, nOut, cOut = 43, 18, 1257, 1080
	rng := rand.New(rand.NewPCG(1, 2)) // seeded: the same numbers every run

	lo, hi := stats.BootstrapAccuracy(rng, nIn, cIn, 1000, 0.95)
	fmt.Printf("accuracy %.3f [%.3f, %.3f]\n", float64(cIn)/nIn, lo, hi)

	lo, hi = stats.BootstrapDrop(rng, nIn, cIn, nOut, cOut, 1000, 0.95)
	fmt.Printf("drop %.3f [%.3f, %.3f]\n", float64(cOut)/nOut-float64(cIn)/nIn, lo, hi)

	p := stats.FisherGreater(nIn-cIn, nIn, nOut-cOut, nOut)
	fmt.Printf("p = %.2g\n", p)
	// Output:
	// accuracy 0.419 [0.279, 0.581]
	// drop 0.441 [0.298, 0.587]
	// p = 7.5e-11
}

func ExampleBootstrapAccuracy() {
	rng := rand.New(rand.NewPCG(1, 2))
	// Resampling 1,000,000 outcomes costs no more than resampling 30: each
	// resample is one binomial draw.
	for _, n := range []int{30, 1000, 1000000} {
		lo, hi := stats.BootstrapAccuracy(rng, n, n*7/10, 1000, 0.95)
		fmt.Printf("n=%d: [%.4f, %.4f]\n", n, lo, hi)
	}
	// Output:
	// n=30: [0.5333, 0.8667]
	// n=1000: [0.6720, 0.7270]
	// n=1000000: [0.6991, 0.7009]
}

func ExampleWilson() {
	lo, hi := stats.Wilson(43, 18, 0.95)
	fmt.Printf("Wilson [%.4f, %.4f]\n", lo, hi)
	lo, hi = stats.ClopperPearson(43, 18, 0.95)
	fmt.Printf("Clopper-Pearson [%.4f, %.4f]\n", lo, hi)
	// Output:
	// Wilson [0.2838, 0.5667]
	// Clopper-Pearson [0.2701, 0.5787]
}

func ExampleFisherGreater() {
	// 12 errors in a group of 30 against 200 in the 1270 other records.
	fmt.Printf("%.4g\n", stats.FisherGreater(12, 30, 200, 1270))
	// The same error rates in groups of millions.
	fmt.Printf("%.4g\n", stats.FisherGreater(400000, 1000000, 200000000, 1270000000))
	// Output:
	// 0.001464
	// 0
}

func ExampleBenjaminiHochberg() {
	p := []float64{0.01, 0.04, 0.03, 0.005, 0.5}
	fmt.Printf("%.4g\n", stats.BenjaminiHochberg(nil, p))
	fmt.Printf("%.4g\n", stats.Holm(nil, p))
	fmt.Printf("%.4g\n", stats.Bonferroni(nil, p))
	// Output:
	// [0.025 0.05 0.05 0.025 0.5]
	// [0.04 0.09 0.09 0.025 0.5]
	// [0.05 0.2 0.15 0.025 1]
}

// A search that tests ten million tag sets finds few distinct (n, errors)
// pairs: each p-value is computed once and stands for all the sets that
// share it.
func ExampleAdjust() {
	p := []float64{1e-9, 2e-7, 0.01, 0.3}
	counts := []int64{1, 3, 4_000_000, 5_999_996}
	q := stats.Adjust(nil, p, counts, stats.MethodBH)
	fmt.Printf("%.4g\n", q)
	m, _ := stats.ParseMethod("holm")
	fmt.Println(m, stats.Adjust(nil, p, counts, m)[:2])
	// Output:
	// [0.01 0.025 0.025 0.3]
	// holm [0.01 1]
}

// A group of 60 records that the classifier gets all wrong, against 939
// others of the class it gets all right: the bootstrap has nothing to
// resample there, and gives Wilson's and Newcombe's intervals, which do
// not claim certainty.
func ExampleNewcombe() {
	rng := rand.New(rand.NewPCG(1, 2))
	lo, hi := stats.BootstrapAccuracy(rng, 60, 0, 1000, 0.95)
	fmt.Printf("accuracy 0 [%.4f, %.4f]\n", lo, hi)
	lo, hi = stats.Newcombe(60, 0, 939, 939, 0.95)
	fmt.Printf("drop 1 [%.4f, %.4f]\n", lo, hi)
	lo, hi = stats.NewcombeClopperPearson(60, 0, 939, 939, 0.95)
	fmt.Printf("drop 1 [%.4f, %.4f] from exact intervals\n", lo, hi)
	// Output:
	// accuracy 0 [0.0000, 0.0602]
	// drop 1 [0.9397, 1.0000]
	// drop 1 [0.9402, 1.0000] from exact intervals
}

// A group of 43 records with 25 errors against 177 errors in the 1257
// others: the error rate is 44 points higher (Fisher's test), but is it
// higher by more than 20 points?
func ExampleScoreGreater() {
	fmt.Printf("drop > 0:   p = %.2g\n", stats.FisherGreater(25, 43, 177, 1257))
	fmt.Printf("drop > 0.2: p = %.2g\n", stats.ScoreGreater(25, 43, 177, 1257, 0.2))
	fmt.Printf("drop > 0.4: p = %.2g\n", stats.ScoreGreater(25, 43, 177, 1257, 0.4))
	// Output:
	// drop > 0:   p = 7.5e-11
	// drop > 0.2: p = 0.00051
	// drop > 0.4: p = 0.3
}

func ExampleBenjaminiYekutieli() {
	p := []float64{0.01, 0.04, 0.03, 0.005, 0.5}
	fmt.Printf("%.4g\n", stats.BenjaminiHochberg(nil, p))
	fmt.Printf("%.4g\n", stats.BenjaminiYekutieli(nil, p))
	// Output:
	// [0.025 0.05 0.05 0.025 0.5]
	// [0.05708 0.1142 0.1142 0.05708 1]
}
