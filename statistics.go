package prime

import (
	"fmt"
	"hash/fnv"
	"math/rand/v2"
	"slices"

	"github.com/failmodes/prime/mining"
	"github.com/failmodes/prime/stats"
)

// addStatistics turns every class's candidates into FailureModes: it
// computes each candidate's one-sided Fisher p-value, adjusts the p-values
// of every tested tag set (all sets that met the size condition, in every
// class) for multiple testing, keeps the candidates with q ≤ FDR and adds
// their bootstrap intervals.
//
// A p-value depends only on a set's counts and its class's, so it is
// computed once per distinct (n, correct) pair of a class, and the
// correction weighs each pair by the number of sets that share it.
func (r *Report) addStatistics(d *Dataset, classes []classResult) error {
	o := &r.Options
	method := stats.MethodBH
	r.Correction = method.String()

	start := make([]int, len(classes)+1) // class c's pairs are p[start[c]:start[c+1]]
	for c := range classes {
		start[c+1] = start[c] + len(classes[c].tested)
	}
	p := make([]float64, start[len(classes)])
	counts := make([]int64, len(p))
	for c := range classes {
		cr := &classes[c]
		for j, s := range cr.tested {
			p[start[c]+j] = pValue(s.N, s.Correct, cr.n, cr.correct)
			counts[start[c]+j] = s.Sets
		}
	}
	q := stats.Adjust(nil, p, counts, method)

	for c := range classes {
		cr := &classes[c]
		for _, cand := range cr.modes {
			j, found := slices.BinarySearchFunc(cr.tested, cand, func(s mining.Support, m candidate) int {
				if s.N != m.n {
					return s.N - m.n
				}
				return s.Correct - m.right
			})
			if !found {
				return fmt.Errorf("prime: internal error: failure mode %v of class %q is not among the tested sets", cand.tags, d.labels[c])
			}
			k := start[c] + j
			if q[k] > o.FDR {
				continue
			}
			fm := r.newMode(d, c, cr, &cand)
			fm.P, fm.Q = p[k], q[k]
			r.Modes = append(r.Modes, fm)
		}
	}
	return nil
}

// newMode computes a candidate's numbers and, unless intervals are off, its
// bootstrap intervals from a generator seeded by the Seed and the mode
// itself, so that a mode's intervals depend on nothing else in the run.
func (r *Report) newMode(d *Dataset, c int, cr *classResult, cand *candidate) FailureMode {
	o := &r.Options
	fm := FailureMode{
		Label:        d.labels[c],
		Tags:         make([]string, len(cand.tags)),
		N:            cand.n,
		Correct:      cand.right,
		ClassN:       cr.n,
		ClassCorrect: cr.correct,
		Examples:     cand.examples,
	}
	for i, t := range cand.tags {
		fm.Tags[i] = d.tags[t]
	}
	fm.measure(o.Baseline)
	if o.Bootstrap > 0 {
		rng := rand.New(rand.NewPCG(o.Seed, modeStream(fm.Label, fm.Tags)))
		fm.CI, fm.DropCI = intervals(rng, o, fm.N, fm.Correct, fm.ClassN, fm.ClassCorrect)
	}
	return fm
}

// measure sets the accuracies and the drop from the counts.
func (m *FailureMode) measure(baseline Baseline) {
	m.Accuracy = ratio(m.Correct, m.N)
	m.ClassAcc = ratio(m.ClassCorrect, m.ClassN)
	m.RestAccuracy = restAccuracy(m.N, m.Correct, m.ClassN, m.ClassCorrect)
	if baseline == BaselineClass {
		m.Drop = m.ClassAcc - m.Accuracy
	} else {
		m.Drop = m.RestAccuracy - m.Accuracy
	}
}

// restAccuracy is the accuracy of a class's records outside a set, defined
// as the class's accuracy when the set holds the whole class.
func restAccuracy(n, correct, classN, classCorrect int) float64 {
	if n == classN {
		return ratio(classCorrect, classN)
	}
	return ratio(classCorrect-correct, classN-n)
}

// pValue is the one-sided Fisher exact p-value that a set of n records with
// correct right has a higher error rate than the rest of its class.
func pValue(n, correct, classN, classCorrect int) float64 {
	wrongIn := n - correct
	wrongOut := (classN - classCorrect) - wrongIn
	return stats.FisherGreater(wrongIn, n, wrongOut, classN-n)
}

// intervals returns the bootstrap intervals of a set's accuracy and of its
// drop against the baseline. The drop against the whole class is the drop
// against the rest scaled by the rest's share of the class, so its
// interval is scaled the same way.
func intervals(rng *rand.Rand, o *Options, n, correct, classN, classCorrect int) (ci, dropCI [2]float64) {
	ci[0], ci[1] = stats.BootstrapAccuracy(rng, n, correct, o.Bootstrap, o.Confidence)
	dropCI[0], dropCI[1] = stats.BootstrapDrop(rng, n, correct, classN-n, classCorrect-correct, o.Bootstrap, o.Confidence)
	if o.Baseline == BaselineClass {
		w := float64(classN-n) / float64(classN)
		dropCI[0], dropCI[1] = w*dropCI[0], w*dropCI[1]
	}
	return ci, dropCI
}

// modeStream names a mode's random stream: a hash of its label and tags.
func modeStream(label string, tags []string) uint64 {
	h := fnv.New64a()
	h.Write([]byte(label))
	for _, t := range tags {
		h.Write([]byte{0})
		h.Write([]byte(t))
	}
	return h.Sum64()
}
