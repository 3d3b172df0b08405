// Package mining is the search at the heart of prime: for one class, tag
// bitsets and a correctness bitset in, every failure mode out, exactly as
// defined below. It is pure: no images, no files, no printing.
//
// # The failure-mode definition
//
// For each class c separately: D_c the records whose true label is c, A_c
// their accuracy (share with Predicted == Label). For a tag set T with
// 1 ≤ |T| ≤ k: S(T) the records of D_c that carry every tag of T,
// n_T = |S(T)|, A_T the accuracy on S(T), R(T) = D_c \ S(T) and A_R(T) its
// accuracy (defined as A_c when R(T) is empty).
//
// T is a failure mode of class c when all three hold:
//
//  1. size: n_T ≥ s;
//  2. drop: A_R(T) − A_T ≥ a (BaselineRest, as in the paper's example;
//     BaselineClass uses A_c − A_T);
//  3. minimality: for every proper non-empty subset T' ⊂ T, A_T' − A_T ≥ b.
//
// Here s is Params.MinSize, a Params.MinDrop, b Params.MinMarginalDrop and
// k Params.MaxTags. Candidate tags of class c are those carried by at least
// s of its records (a tag carried by fewer can be in no failure mode). The
// conditions are decided exactly, never by float rounding: a threshold given
// as a decimal (0.2) is the rational 1/5 (see RatioOf and ParseRatio), and
// c1/n1 − c2/n2 ≥ num/den is checked as (c1·n2 − c2·n1)·den ≥ num·n1·n2 in
// 128-bit integers. In floats 0.7 − 0.5 is 0.19999999999999996, and a drop
// of exactly 0.2 counts.
//
// # The search
//
// Mine enumerates tag sets level by level (Apriori): a set of l+1 tags is a
// candidate only when all its subsets of l tags are frequent (n ≥ s), and
// the statistics of subsets come from the previous levels, never
// recomputed. Supports are counted without allocating, in one of three
// ways chosen per class or per set from the work each would do (the
// choices were measured with the package's benchmarks): AND and popcount
// over the bitsets' words (small classes); record by record over each
// record's row of frequent tags, projected at each set on the tags that can
// still extend it (large classes); and, for the pairs of extensions of one
// set, record by record into a table of pairs, which reads the rows in
// order. Result.Tested lists every set that meets the size condition, the
// hypotheses a multiple-testing correction counts; Params.SkipTested trades
// it for a search that skips the sets no failure mode can extend (see
// Params). Modes come in a deterministic order: by tag count, then by tag
// ids. Mine looks at its context between units of work, and may run on many
// classes at once; a Miner reuses its memory from one class to the next.
package mining
