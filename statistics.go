package prime

import (
	"fmt"
	"hash/fnv"
	"math/rand/v2"
	"slices"
	"sync"

	"github.com/failmodes/prime/mining"
	"github.com/failmodes/prime/stats"
)

// addStatistics turns every class's candidates into FailureModes. For every
// tested tag set (all sets that met the size condition, in every class) it
// computes two one-sided p-values, Fisher's exact test that the set's error
// rate is above the rest's (drop > 0) and the score test that it is above
// by more than MinDrop (drop > a), and adjusts each family of p-values by
// the Correction. It keeps the candidates with q ≤ FDR (and, with
// Confident, those marked confident) and adds their intervals.
//
// A p-value depends only on a set's counts and its class's, so it is
// computed once per distinct (n, correct) pair of a class, and the
// correction weighs each pair by the number of sets that share it.
func (r *Report) addStatistics(d *Dataset, classes []classResult) error {
	o := &r.Options
	r.Correction = o.Correction.String()

	start := make([]int, len(classes)+1) // class c's pairs are p[start[c]:start[c+1]]
	for c := range classes {
		start[c+1] = start[c] + len(classes[c].tested)
	}
	p := make([]float64, 0, start[len(classes)])
	dropP := make([]float64, 0, len(p))
	counts := make([]int64, 0, len(p))
	for c := range classes {
		cr := &classes[c]
		p = append(p, cr.p...)
		dropP = append(dropP, cr.dropP...)
		for _, s := range cr.tested {
			counts = append(counts, s.Sets)
		}
	}
	// The two corrections are independent: each sorts its p-values, on a
	// core of its own.
	var q, dropQ []float64
	var wg sync.WaitGroup
	wg.Go(func() { dropQ = stats.Adjust(nil, dropP, counts, o.Correction) })
	q = stats.Adjust(nil, p, counts, o.Correction)
	wg.Wait()

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
			confident := dropQ[k] <= o.confidentLevel()
			if q[k] > o.FDR || o.Confident && !confident {
				continue
			}
			fm := r.newMode(d, c, cr, &cand)
			fm.P, fm.Q = p[k], q[k]
			fm.DropP, fm.DropQ, fm.Confident = dropP[k], dropQ[k], confident
			r.Modes = append(r.Modes, fm)
		}
	}
	return nil
}

// addPValues computes the p-values of the class's tested sets, as
// addStatistics describes. It runs on the worker that mined the class, so
// that the classes' p-values are computed in parallel.
func (cr *classResult) addPValues(o *Options) {
	cr.p = make([]float64, len(cr.tested))
	cr.dropP = make([]float64, len(cr.tested))
	for j, s := range cr.tested {
		cr.p[j] = pValue(s.N, s.Correct, cr.n, cr.correct)
		cr.dropP[j] = dropPValue(o, s.N, s.Correct, cr.n, cr.correct)
	}
}

// newMode computes a candidate's numbers and, unless intervals are off, its
// intervals, the bootstrap's from a generator seeded by the Seed and the
// mode itself, so that a mode's intervals depend on nothing else in the run.
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
	fm.CI, fm.DropCI = intervals(o, modeStream(fm.Label, fm.Tags), fm.N, fm.Correct, fm.ClassN, fm.ClassCorrect)
	return fm
}

// measure sets the accuracies and the drop from the counts.
func (m *FailureMode) measure(baseline Baseline) {
	m.Accuracy = ratio(m.Correct, m.N)
	m.ClassAccuracy = ratio(m.ClassCorrect, m.ClassN)
	m.RestAccuracy = restAccuracy(m.N, m.Correct, m.ClassN, m.ClassCorrect)
	if baseline == BaselineClass {
		m.Drop = m.ClassAccuracy - m.Accuracy
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

// dropPValue is the one-sided score p-value that a set's drop against the
// baseline exceeds MinDrop. The drop against the whole class is the drop
// against the rest times the rest's share of the class, so against the
// class it tests the rest's drop with the margin divided by that share.
func dropPValue(o *Options, n, correct, classN, classCorrect int) float64 {
	if n == classN {
		return 1 // no rest: the drop is 0 by definition
	}
	margin := o.minDrop()
	if o.Baseline == BaselineClass {
		margin *= float64(classN) / float64(classN-n)
	}
	wrongIn := n - correct
	wrongOut := (classN - classCorrect) - wrongIn
	return stats.ScoreGreater(wrongIn, n, wrongOut, classN-n, margin)
}

// intervals returns the intervals of a set's accuracy and of its drop
// against the baseline by o.Interval, or nils when intervals are off. The
// bootstrap draws from a generator seeded by o.Seed and stream. The drop
// against the whole class is the drop against the rest scaled by the
// rest's share of the class, so its interval is scaled the same way.
func intervals(o *Options, stream uint64, n, correct, classN, classCorrect int) (ci, dropCI *[2]float64) {
	if !o.intervals() {
		return nil, nil
	}
	ci, dropCI = new([2]float64), new([2]float64)
	nOut, cOut := classN-n, classCorrect-correct
	switch o.Interval {
	case stats.IntervalWilson:
		ci[0], ci[1] = stats.Wilson(n, correct, o.Confidence)
		dropCI[0], dropCI[1] = stats.Newcombe(n, correct, nOut, cOut, o.Confidence)
	case stats.IntervalClopperPearson:
		ci[0], ci[1] = stats.ClopperPearson(n, correct, o.Confidence)
		dropCI[0], dropCI[1] = stats.NewcombeClopperPearson(n, correct, nOut, cOut, o.Confidence)
	default:
		rng := rand.New(rand.NewPCG(o.Seed, stream))
		ci[0], ci[1] = stats.BootstrapAccuracy(rng, n, correct, o.Bootstrap, o.Confidence)
		dropCI[0], dropCI[1] = stats.BootstrapDrop(rng, n, correct, nOut, cOut, o.Bootstrap, o.Confidence)
	}
	if o.Baseline == BaselineClass {
		w := float64(nOut) / float64(classN)
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
