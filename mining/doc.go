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
// recomputed. The frequent sets of each size are kept as a prefix tree, the
// tags numbered from the rarest to the most common, and each level is a
// walk down that tree carrying the records of the set it is in as a bitset
// (InPlaceIntersection). At a set P, the candidates that extend P's
// children by one more tag are counted in one of two ways, whichever the
// cost model (byTable) says is cheaper:
//
//   - by bitsets: IntersectionCardinality of each child's records with
//     each candidate tag's, a cost of a bitset's words per candidate;
//   - by table: record by record over P's records, each pair of children a
//     record carries adds one to a table of pairs, a cost that follows the
//     records, not the number of candidates.
//
// Bitsets win on small classes and dense tags, tables on large classes
// with sparse tags. In processor time, with BenchmarkMine at s = 30,
// k = 3: on the one class of prime synth -classes 1 -records 1000000
// -tags 1000 -min-tags 12 -max-tags 12 (records=1000000), bitsets alone
// take 84 s, 35 times the 2.4 s of the choice by cost; on ten classes of
// 13,000 records, 0.45 s, 2.8 times its 0.16 s (tables alone 0.19 s); on
// 100 classes of 1,300 records of each setting of package synth
// (records=1300), the choice is within the noise of a shared machine of
// bitsets alone (3.5 to 28 ms; with 20 to 40 tags per record 99 ms
// against 134), and tables alone take up to 2.8 times more.
//
// Result.Tested counts every set that meets the size condition, the
// hypotheses a multiple-testing correction counts. Modes come in a
// deterministic order: by tag count, then by tag ids. Mine looks at its
// context between units of work, and may run on many classes at once; a
// Miner reuses its memory from one class to the next.
// Params.MemoryLimit bounds the memory the search holds: before counting
// the sets of each size it bounds how many it may keep, and stops with a
// *LimitError when they would not fit.
package mining
