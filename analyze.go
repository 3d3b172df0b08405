package prime

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"sync"
	"sync/atomic"

	"github.com/bits-and-blooms/bitset"

	"github.com/failmodes/prime/mining"
)

// Analyze mines records for failure modes: it builds a Dataset from them and
// calls its Analyze method. A nil opts means the defaults.
func Analyze(ctx context.Context, records []Record, opts *Options) (*Report, error) {
	d, err := NewDataset(records)
	if err != nil {
		return nil, err
	}
	return d.Analyze(ctx, opts)
}

// Analyze mines every class of d for failure modes, exactly as defined in
// the package documentation, and adds the statistics. Classes are mined by
// a bounded set of workers (Options.Workers); the Report is the same
// whatever their number. A nil opts means the defaults. Analyze returns an
// error wrapping ctx.Err() when ctx is cancelled first, and an
// *OptionError for an option out of range.
func (d *Dataset) Analyze(ctx context.Context, opts *Options) (*Report, error) {
	o, err := opts.withDefaults()
	if err != nil {
		return nil, err
	}
	params, err := o.miningParams()
	if err != nil {
		return nil, err
	}
	classes, err := d.mineClasses(ctx, &o, params)
	if err != nil {
		return nil, err
	}
	r := &Report{
		Options: o,
		Records: d.Len(),
		Tags:    len(d.tags),
	}
	r.Options.Progress = nil
	for c := range classes {
		r.Evaluated += classes[c].evaluated
		for _, s := range classes[c].tested {
			r.Hypotheses += s.Sets
		}
	}
	if err := r.addStatistics(d, classes); err != nil {
		return nil, err
	}
	r.Classes = make([]ClassSummary, len(classes))
	for c := range classes {
		cr := &classes[c]
		r.Classes[c] = ClassSummary{Label: d.labels[c], N: cr.n, Correct: cr.correct, Accuracy: ratio(cr.correct, cr.n)}
	}
	for i := range r.Modes {
		c, _ := slices.BinarySearch(d.labels, r.Modes[i].Label)
		r.Classes[c].Modes++
	}
	return r, nil
}

// miningParams converts the thresholds to exact rationals.
func (o *Options) miningParams() (mining.Params, error) {
	a, err := mining.RatioOf(o.minDrop())
	if err != nil {
		return mining.Params{}, &OptionError{Name: "MinDrop", Value: fmt.Sprint(o.MinDrop), Range: "a decimal from 0 to 1"}
	}
	b, err := mining.RatioOf(o.minMarginalDrop())
	if err != nil {
		return mining.Params{}, &OptionError{Name: "MinMarginalDrop", Value: fmt.Sprint(o.MinMarginalDrop), Range: "a decimal from 0 to 1"}
	}
	return mining.Params{MinSize: o.MinSize, MinDrop: a, MinMarginalDrop: b, MaxTags: o.MaxTags, Baseline: o.Baseline}, nil
}

// classResult is what mining one class gives, with the p-values of its
// tested sets (p[j] and dropP[j] are those of tested[j]), before the
// multiple-testing correction.
type classResult struct {
	n, correct int
	modes      []candidate
	tested     []mining.Support
	p, dropP   []float64
	evaluated  int64
}

// candidate is a set that met the definition, with its class's counts and
// examples, waiting for its statistics.
type candidate struct {
	tags     []int32
	n, right int
	examples []Example
}

// mineClasses mines every class on o.Workers workers.
func (d *Dataset) mineClasses(ctx context.Context, o *Options, params mining.Params) ([]classResult, error) {
	ctx, cancel := context.WithCancelCause(ctx)
	defer cancel(nil)
	results := make([]classResult, len(d.labels))
	var (
		next     atomic.Int64 // the next class to mine
		wg       sync.WaitGroup
		mu       sync.Mutex // guards done and the Progress calls
		done     int
		firstErr error
	)
	workers := min(o.Workers, len(d.labels))
	if o.MemoryLimit > 0 {
		params.MemoryLimit = max(1, o.MemoryLimit/int64(max(1, workers)))
	}
	var modes atomic.Int64 // found in all classes, for the report
	for range workers {
		wg.Go(func() {
			m := newClassMiner(d, params)
			for c := int(next.Add(1) - 1); c < len(d.labels) && ctx.Err() == nil; c = int(next.Add(1) - 1) {
				res, err := m.mine(ctx, c)
				if n := modes.Add(int64(len(res.modes))); err == nil && o.MemoryLimit > 0 && n*reportModeBytes > o.MemoryLimit {
					err = &mining.LimitError{Modes: true, Sets: n, Bytes: n * reportModeBytes, Limit: o.MemoryLimit}
				}
				if _, ok := errors.AsType[*mining.LimitError](err); ok {
					err = fmt.Errorf("prime: class %q: %w; raise MinSize (%d) or lower MaxTags (%d), or raise MemoryLimit",
						d.labels[c], err, o.MinSize, o.MaxTags)
				}
				if err != nil {
					cancel(err)
					mu.Lock()
					if firstErr == nil {
						firstErr = err
					}
					mu.Unlock()
					continue
				}
				res.addPValues(o)
				results[c] = res
				if o.Progress != nil {
					mu.Lock()
					done++
					o.Progress(done, len(d.labels))
					mu.Unlock()
				}
			}
		})
	}
	wg.Wait()
	if firstErr != nil {
		return nil, firstErr
	}
	if err := context.Cause(ctx); err != nil {
		return nil, fmt.Errorf("prime: analyze: %w", err)
	}
	return results, nil
}

// reportModeBytes is the memory a failure mode takes in a Report, at
// most, with its examples; Options.MemoryLimit bounds the modes of a
// Report by it.
const reportModeBytes = 2 << 10

// A classMiner turns one class of a Dataset into bitsets and mines it. It
// keeps its scratch space from class to class; one per worker.
type classMiner struct {
	d      *Dataset
	params mining.Params
	count  []int32          // per tag: records of the class carrying it
	seen   []int32          // the tags of the class, those whose count is not 0
	sets   []*bitset.BitSet // per tag, reused across classes
	class  mining.Class
	miner  mining.Miner
}

func newClassMiner(d *Dataset, params mining.Params) *classMiner {
	return &classMiner{
		d:      d,
		params: params,
		count:  make([]int32, len(d.tags)),
		sets:   make([]*bitset.BitSet, len(d.tags)),
		class:  mining.Class{Tags: make([]*bitset.BitSet, len(d.tags)), Correct: new(bitset.BitSet)},
	}
}

// mine mines class c. Only tags carried by at least MinSize of the class's
// records get a bitset: no other tag can be in a failure mode.
func (m *classMiner) mine(ctx context.Context, c int) (classResult, error) {
	d := m.d
	recs := d.byLabel[c]
	n := len(recs)
	cls := &m.class
	// The tags of the class before are cleared, not the whole vocabulary.
	for _, t := range m.seen {
		m.count[t], cls.Tags[t] = 0, nil
	}
	m.seen = m.seen[:0]
	for _, i := range recs {
		for _, t := range d.recordTags(int(i)) {
			if m.count[t] == 0 {
				m.seen = append(m.seen, t)
			}
			m.count[t]++
		}
	}
	cls.N = n
	resetBits(cls.Correct, n)
	right := 0
	for j, i := range recs {
		if d.correct[i] {
			cls.Correct.Set(uint(j))
			right++
		}
	}
	for _, t := range m.seen {
		if int(m.count[t]) >= m.params.MinSize {
			if m.sets[t] == nil {
				m.sets[t] = new(bitset.BitSet)
			}
			resetBits(m.sets[t], n)
			cls.Tags[t] = m.sets[t]
		}
	}
	for j, i := range recs {
		for _, t := range d.recordTags(int(i)) {
			if s := cls.Tags[t]; s != nil {
				s.Set(uint(j))
			}
		}
	}
	res, err := m.miner.Mine(ctx, cls, m.params)
	if err != nil {
		return classResult{}, err
	}
	out := classResult{n: n, correct: right, tested: res.Tested, evaluated: res.Evaluated}
	out.modes = make([]candidate, len(res.Modes))
	for k, mode := range res.Modes {
		tags := make([]int32, len(mode.Tags))
		for j, t := range mode.Tags {
			tags[j] = int32(t)
		}
		out.modes[k] = candidate{tags: tags, n: mode.N, right: mode.Correct, examples: m.examples(recs, tags)}
	}
	return out, nil
}

// examples returns up to MaxExamples records of the class that carry every
// tag, misclassified ones first.
func (m *classMiner) examples(recs []int32, tags []int32) []Example {
	members := m.sets[tags[0]].Clone()
	for _, t := range tags[1:] {
		members.InPlaceIntersection(m.sets[t])
	}
	var wrong, right []Example
	for j, ok := members.NextSet(0); ok && len(wrong) < MaxExamples; j, ok = members.NextSet(j + 1) {
		i := recs[j]
		e := m.d.example(int(i))
		if e.Correct {
			if len(right) < MaxExamples {
				right = append(right, e)
			}
		} else {
			wrong = append(wrong, e)
		}
	}
	return append(wrong, right[:min(len(right), MaxExamples-len(wrong))]...)
}

// resetBits makes s an empty set able to hold n bits without growing.
func resetBits(s *bitset.BitSet, n int) {
	s.ClearAll()
	if s.Len() < uint(n) {
		*s = *bitset.New(uint(n))
	}
}

// example describes record i for a report.
func (d *Dataset) example(i int) Example {
	e := Example{ID: d.ids[i], Predicted: d.predicted(i), Correct: d.correct[i]}
	if d.images != nil {
		e.Image = d.images[i]
	}
	return e
}

// ratio is num/den as a float64, 0 when den is 0.
func ratio(num, den int) float64 {
	if den == 0 {
		return 0
	}
	return float64(num) / float64(den)
}
