// Package stats holds the statistics that prime puts on top of its failure
// modes: confidence intervals for an accuracy (bootstrap, Wilson,
// Clopper–Pearson) and for a drop, the difference of two accuracies
// (bootstrap, Newcombe's hybrid score interval and its Clopper–Pearson
// form), a one-sided Fisher exact test that a group's error rate exceeds
// the rest's, a one-sided score test that it does so by more than a margin,
// and multiple-testing corrections (Benjamini–Hochberg,
// Benjamini–Yekutieli, Holm, Bonferroni), including a weighted form for
// many hypotheses that share a p-value.
//
// # What the numbers mean
//
// A 95% interval is computed by a rule that, over repeated samples, covers
// the true accuracy or drop at least about 95% of the time; a q-value at
// most α marks a hypothesis rejected by a procedure that keeps the
// expected share of false rejections among all rejections at most α.
// Neither says anything about groups chosen because they looked extreme in
// the same data: there the intervals are too narrow and the errors larger,
// and only numbers measured again on other data (prime's Report.Validate)
// are free of the selection.
//
// # Interval methods
//
// An Interval names a method for both an accuracy and a drop. Wilson's
// score interval (1927) is the interval for a proportion that Brown, Cai
// and DasGupta (2001) recommend for small samples; the Clopper–Pearson
// interval (1934) inverts the exact binomial test and so covers the truth
// at least at its level, at the price of width. For a drop, Newcombe's
// hybrid score interval, the method that Newcombe (1998) recommends among
// eleven, combines the two groups' Wilson intervals, and
// NewcombeClopperPearson combines their exact ones the same way. The
// percentile bootstrap, the default, is honest only where resampling has
// something to resample: for a group with all or none of its records
// correct every resample equals the sample, so there the bootstrap
// functions give Wilson's and Newcombe's intervals instead (see
// BootstrapAccuracy). With this rule each method's 95% interval covers the
// truth in at least 92% of simulated groups of 30, 100 and 1,000 records
// at true accuracies from 0.01 to 0.99 (TestCoverageTable), where the
// percentile bootstrap alone covers an accuracy of 0.99 in groups of 30 a
// quarter of the time.
//
// # Multiple testing
//
// Benjamini–Hochberg controls the false discovery rate when the tests are
// independent or positively dependent (PRDS, Benjamini and Yekutieli 2001),
// as tests of nested tag sets sharing records usually are but need not be;
// Benjamini–Yekutieli controls it under any dependence, at the price of
// q-values larger by the factor 1 + 1/2 + … + 1/m.
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
// records) they come by inversion, which BenchmarkBinomialSampler finds
// some 50 times faster on the intervals of an ImageNet-scale run than
// gonum's rejection sampler: the distribution is tabulated once per
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
