// Package stats holds the statistics that prime puts on top of its failure
// modes: bootstrap confidence intervals for an accuracy and for a difference
// of two accuracies, the Wilson and Clopper–Pearson intervals, a one-sided
// Fisher exact test, and multiple-testing corrections (Benjamini–Hochberg,
// Holm, Bonferroni), including a weighted form for many hypotheses that
// share a p-value.
//
// # Conventions
//
// The package follows gonum's shape, stated here once:
//
//   - Plain functions on counts and slices; no types to construct first.
//   - A function that writes a slice takes it first, named dst. A nil dst
//     asks for a new slice; a non-nil dst must have the length of the
//     input and may be the input itself (the work is then done in place).
//     The slice written is returned.
//   - Elsewhere nil means the default: a nil counts slice in Adjust means
//     one hypothesis for each p-value.
//   - Randomness is passed in as a *rand.Rand from math/rand/v2. Nothing
//     here reads a global source or keeps state between calls, so the same
//     generator state and arguments give the same result, bit for bit.
//     Only the bootstrap functions use randomness.
//   - Functions panic only on programmer errors, each documented: counts
//     that contradict each other (correct > n, a negative n), a level
//     outside (0, 1), a number of resamples below 1, slices of different
//     lengths, a p-value outside [0, 1]. Conditions of the data, such as
//     an empty group, give NaN or a documented value, never a panic.
//
// # Bootstrap intervals
//
// A bootstrap resample of n outcomes that are each 0 or 1 is described in
// full by its number of ones, which is a Binomial(n, correct/n) draw. The
// bootstrap functions therefore draw one binomial variate per resample and
// group, so an interval costs O(B), whatever n. The binomial variates are
// exact. Where n·p·(1−p) is at most 9,000,000 (any group under 36 million
// records) they come by inversion: the distribution is tabulated once per
// interval, to where the probabilities fall below 1e-20 of the mode's,
// and each variate is the first value whose cumulative probability,
// rounded to a multiple of 2^-53, exceeds a uniform 53-bit draw (one
// Uint64 of the generator), found through an index table (Chen and Asau)
// in a step or two. Beyond, they come from gonum's rejection sampler
// (distuv.Binomial). The interval is the percentile interval: its
// ends are the (1−level)/2 and (1+level)/2 quantiles of the B replicates,
// by the rule called type 7 in Hyndman and Fan (1996), the default of R's
// quantile and NumPy's percentile: for probability α the sorted replicates
// x[0] ≤ … ≤ x[B−1] give x[j] + (h−j)·(x[j+1]−x[j]) with h = α·(B−1),
// j = ⌊h⌋.
package stats
