package prime

import (
	"cmp"
	"errors"
	"fmt"
	"hash/maphash"
	"iter"
	"math"
	"math/bits"
	"math/rand/v2"
	"runtime"
	"slices"
	"strings"
	"sync"
	"sync/atomic"

	"github.com/bits-and-blooms/bitset"

	"github.com/failmodes/prime/internal/jsonl"
)

// A Dataset holds records compactly, ready for analysis: labels,
// predictions and tags are ids into vocabularies, and records are indexed
// by class. Build one with NewDataset, ReadDataset or a DatasetBuilder; a
// Dataset is immutable and safe for concurrent use.
//
// Its memory grows with the records, never with the text they were read
// from: per record, 37 bytes and its id (16 bytes more and its path when
// records have images), and 4 bytes per tag it carries; the vocabularies
// hold each distinct label, prediction and tag once. BenchmarkDatasetMemory
// measures 53.6 bytes per record with ids of 15 bytes, and 4.03 bytes per
// tag. Reading it from a file holds, besides, its records a second time
// while their chunks are joined, and a few chunks of the file. Records
// that keep scores (Record.TagScores, Record.PredScores) take 8 bytes per
// score more, and 12 bytes a record when some do; records without scores
// take nothing for them.
type Dataset struct {
	columns           // the records, with labels, predictions and tags as ids into these:
	labels  []string  // class names, ascending
	preds   []string  // predicted labels, each once
	tags    []string  // tag names, ascending, each carried by a record
	byLabel [][]int32 // record indices of each class, in input order

	scoredTags, scoredPreds []string // the names of tagScores and predScores, in the order first seen
}

// scoreColumns are the scores records keep, in columns: record i's are
// ids[start[i]:start[i+1]] (into a dictionary of names), with the values
// vals[start[i]:start[i+1]]. start is nil while no record has scores.
type scoreColumns struct {
	start []int
	ids   []int32
	vals  []float32
}

// appendScores appends scores, those of a record after records records,
// to c; their names get ids in dict.
func appendScores(c *scoreColumns, dict *jsonl.Dict, records int, scores []Score) {
	if c.start == nil {
		if len(scores) == 0 {
			return
		}
		c.start = make([]int, records+1, 2*records+2)
	}
	for _, s := range scores {
		c.ids = append(c.ids, dict.Add(s.Name))
		c.vals = append(c.vals, s.Value)
	}
	c.start = append(c.start, len(c.ids))
}

// record returns the range of record i's scores, none when c has none.
func (c *scoreColumns) record(i int) (from, to int) {
	if c.start == nil {
		return 0, 0
	}
	return c.start[i], c.start[i+1]
}

// list returns the scores from to to of c, named by names, highest first
// (by name on ties), in a new slice, non-nil.
func (c *scoreColumns) list(from, to int, names []string) []Score {
	out := make([]Score, to-from)
	for k := range out {
		out[k] = Score{Name: names[c.ids[from+k]], Value: c.vals[from+k]}
	}
	sortScores(out)
	return out
}

// subset returns the scores of records idx (ascending), nil columns when
// none of them has any.
func (c *scoreColumns) subset(idx []int32) scoreColumns {
	if c.start == nil {
		return scoreColumns{}
	}
	out := scoreColumns{start: make([]int, 1, len(idx)+1)}
	for _, i := range idx {
		from, to := c.record(int(i))
		out.ids = append(out.ids, c.ids[from:to]...)
		out.vals = append(out.vals, c.vals[from:to]...)
		out.start = append(out.start, len(out.ids))
	}
	if len(out.ids) == 0 {
		return scoreColumns{}
	}
	return out
}

// sortScores orders scores highest first, by name on ties.
func sortScores(scores []Score) {
	slices.SortFunc(scores, func(a, b Score) int {
		if c := cmp.Compare(b.Value, a.Value); c != 0 {
			return c
		}
		return strings.Compare(a.Name, b.Name)
	})
}

var errNoRecords = errors.New("no records")

// A DatasetBuilder builds a Dataset one record at a time, holding the
// records as compactly as the Dataset will: it is how records reach a
// Dataset without a []Record, from readers of record files (ReadDataset
// for JSON Lines) as from NewDataset. Its zero value is ready to use. A
// DatasetBuilder is not safe for concurrent use.
type DatasetBuilder struct {
	columns              // the records Add added since the last of parts
	parts         []part // the records before, in order
	n             int    // records in parts
	labels, preds jsonl.Dict
	tags          jsonl.TagDict
	scoredTags    jsonl.Dict // the names of tag scores
	scoredPreds   jsonl.Dict // the names of class scores
	seen          seenDicts  // the dictionaries of the last calls of AddColumns
	scratch       struct {   // AddColumns's, reused
		lastUse, predMap []int32
		mapped           []uint8
	}
}

// columns are the records of a Dataset or of a DatasetBuilder, with
// labels, predictions and tags as ids into dictionaries.
type columns struct {
	ids      []string // per record
	images   []string // per record ("" when unknown); nil when no record has one
	label    []int32
	pred     []int32 // -1 when only correctness is known
	correct  []bool
	tagStart []int   // len(label)+1, once a record is added: record i's tags are tagIDs[tagStart[i]:tagStart[i+1]]
	tagIDs   []int32 // no repeats within a record, in no set order

	// The scores records keep; empty when none does. tagFloor holds each
	// record's, NoFloor for one that keeps no tag scores, and is nil when
	// none does.
	tagScores, predScores scoreColumns
	tagFloor              []float32
}

// A part is records of a DatasetBuilder whose labels and tags are ids into
// dictionaries of their own, which labelMap and tagMap take to the
// builder's; nil maps when they are the builder's ids.
type part struct {
	columns
	labelMap, tagMap []int32
}

// Len returns the number of records added since the builder was made or
// last gave its Dataset.
func (b *DatasetBuilder) Len() int { return b.n + len(b.label) }

// Add adds a record. It refuses, with a *RecordError naming the record's
// index (the builder's Len), what CheckRecord refuses; a record refused is
// not added. A tag repeated within a record counts once; Predicted empty
// means that only Correct is known (see Record.IsCorrect). Add keeps none
// of r's slices.
func (b *DatasetBuilder) Add(r *Record) error {
	if field, err := CheckRecord(r); err != nil {
		return &RecordError{Index: b.Len(), Field: field, Err: err}
	}
	b.ids = append(b.ids, r.ID)
	if r.Image != "" && b.images == nil {
		b.images = make([]string, len(b.ids)-1, cap(b.ids))
	}
	if b.images != nil {
		b.images = append(b.images, r.Image)
	}
	b.label = append(b.label, b.labels.Add(r.Label))
	pred := int32(-1)
	if r.Predicted != "" {
		pred = b.preds.Add(r.Predicted)
	}
	b.pred = append(b.pred, pred)
	b.correct = append(b.correct, r.IsCorrect())
	if len(b.tagStart) == 0 {
		b.tagStart = append(b.tagStart, 0)
	}
	b.tags.Begin()
	for _, t := range r.Tags {
		if id := b.tags.Add(t); b.tags.First(id) {
			b.tagIDs = append(b.tagIDs, id)
		}
	}
	b.tagStart = append(b.tagStart, len(b.tagIDs))
	n := len(b.label) - 1 // records before this one
	if b.tagFloor = jsonl.AppendFloor(b.tagFloor, n, r.TagScores != nil, r.TagFloor); b.tagFloor != nil {
		appendScores(&b.tagScores, &b.scoredTags, n, r.TagScores)
	}
	appendScores(&b.predScores, &b.scoredPreds, n, r.PredScores)
	return nil
}

// Dataset returns the Dataset of the records added, in their order, and
// leaves the builder empty. It refuses, with a *RecordError naming the
// record's index, a record whose ID an earlier record has; and a builder
// without records.
func (b *DatasetBuilder) Dataset() (*Dataset, error) {
	if b.Len() == 0 {
		return nil, errors.New("prime: no records")
	}
	d := b.finish()
	if i, j, ok := firstRepeat(d.ids); ok {
		return nil, &RecordError{Index: j, Field: "id", Err: &RepeatedIDError{ID: d.ids[j], First: i}}
	}
	return d, nil
}

// endPart ends the builder's current columns, unless empty, as a part.
func (b *DatasetBuilder) endPart() {
	if len(b.label) > 0 {
		b.parts = append(b.parts, part{columns: b.columns})
		b.n += len(b.label)
	}
	b.columns = columns{}
}

// finish returns the Dataset of the records added, at least one, and
// leaves the builder empty. The parts' columns are copied into the
// Dataset's, in parallel, or taken when there is one part; labels and
// tags go to the sorted vocabularies on the way.
func (b *DatasetBuilder) finish() *Dataset {
	b.endPart()
	labels, labelMap := sortVocab(b.labels.Names())
	tags, tagMap := sortVocab(b.tags.Names())
	parts := b.parts
	d := &Dataset{labels: labels, preds: b.preds.Names(), tags: tags}
	n, nt, images := 0, 0, false
	for _, p := range parts {
		n += len(p.label)
		nt += len(p.tagIDs)
		images = images || p.images != nil
	}
	if len(parts) == 1 {
		d.columns = parts[0].columns
	} else {
		d.ids, d.label, d.pred, d.correct = make([]string, n), make([]int32, n), make([]int32, n), make([]bool, n)
		d.tagStart, d.tagIDs = make([]int, n+1), make([]int32, nt)
		d.tagStart[n] = nt
		if images {
			d.images = make([]string, n)
		}
		d.tagScores = joinScores(parts, func(c *columns) *scoreColumns { return &c.tagScores })
		d.predScores = joinScores(parts, func(c *columns) *scoreColumns { return &c.predScores })
		d.tagFloor = joinFloors(parts, n)
	}
	// Each part's records go from base on (its tags from tagBase on),
	// with the labels and tags mapped to the sorted vocabularies.
	base, tagBase := make([]int, len(parts)), make([]int, len(parts))
	for k := 1; k < len(parts); k++ {
		base[k] = base[k-1] + len(parts[k-1].label)
		tagBase[k] = tagBase[k-1] + len(parts[k-1].tagIDs)
	}
	var next atomic.Int64
	var wg sync.WaitGroup
	for range min(len(parts), runtime.GOMAXPROCS(0)) {
		wg.Go(func() {
			for k := int(next.Add(1) - 1); k < len(parts); k = int(next.Add(1) - 1) {
				p, base, tagBase := parts[k], base[k], tagBase[k]
				if len(parts) > 1 {
					copy(d.ids[base:], p.ids)
					if d.images != nil && p.images != nil {
						copy(d.images[base:], p.images)
					}
					copy(d.pred[base:], p.pred)
					copy(d.correct[base:], p.correct)
				}
				labels, tags := compose(p.labelMap, labelMap), compose(p.tagMap, tagMap)
				for i, l := range p.label {
					d.label[base+i] = labels[l]
				}
				for i, start := range p.tagStart[:len(p.label)] {
					d.tagStart[base+i] = tagBase + start
				}
				for i, t := range p.tagIDs {
					d.tagIDs[tagBase+i] = tags[t]
				}
			}
		})
	}
	wg.Wait()
	d.byLabel = groupByLabel(d.label, len(labels))
	if d.tagFloor != nil {
		d.scoredTags = b.scoredTags.Names()
	}
	if d.predScores.start != nil {
		d.scoredPreds = b.scoredPreds.Names()
	}
	*b = DatasetBuilder{}
	return d
}

// compose returns the map that takes an id through first, when not nil,
// and then through second; first's entries below 0 stay below 0.
func compose(first, second []int32) []int32 {
	if first == nil {
		return second
	}
	out := make([]int32, len(first))
	for k, id := range first {
		out[k] = -1
		if id >= 0 {
			out[k] = second[id]
		}
	}
	return out
}

// joinScores joins the score columns that get returns of each of parts,
// more than one.
func joinScores(parts []part, get func(*columns) *scoreColumns) scoreColumns {
	n, total, some := 0, 0, false
	for k := range parts {
		c := get(&parts[k].columns)
		n += len(parts[k].label)
		total += len(c.ids)
		some = some || c.start != nil
	}
	if !some {
		return scoreColumns{}
	}
	out := scoreColumns{start: make([]int, 1, n+1), ids: make([]int32, 0, total), vals: make([]float32, 0, total)}
	for k := range parts {
		c, base := get(&parts[k].columns), len(out.ids)
		if c.start == nil {
			for range parts[k].label {
				out.start = append(out.start, base)
			}
			continue
		}
		for _, e := range c.start[1:] {
			out.start = append(out.start, base+e)
		}
		out.ids = append(out.ids, c.ids...)
		out.vals = append(out.vals, c.vals...)
	}
	return out
}

// joinFloors joins the tag floors of the parts, of n records in all.
func joinFloors(parts []part, n int) []float32 {
	if !slices.ContainsFunc(parts, func(p part) bool { return p.tagFloor != nil }) {
		return nil
	}
	out := make([]float32, 0, n)
	for _, c := range parts {
		if c.tagFloor == nil {
			c.tagFloor = slices.Repeat([]float32{NoFloor}, len(c.label))
		}
		out = append(out, c.tagFloor...)
	}
	return out
}

// sortVocab returns names sorted, and where each of names went.
func sortVocab(names []string) (sorted []string, moved []int32) {
	sorted = slices.Sorted(slices.Values(names))
	moved = make([]int32, len(names))
	for i, s := range names {
		k, _ := slices.BinarySearch(sorted, s)
		moved[i] = int32(k)
	}
	return sorted, moved
}

// groupByLabel returns the indices of the records of each of n classes,
// in order; label holds each record's class.
func groupByLabel(label []int32, n int) [][]int32 {
	counts := make([]int32, n)
	for _, l := range label {
		counts[l]++
	}
	groups := make([][]int32, n)
	all := make([]int32, len(label))
	off := int32(0)
	for c, k := range counts {
		groups[c] = all[off : off : off+k]
		off += k
	}
	for i, l := range label {
		groups[l] = append(groups[l], int32(i))
	}
	return groups
}

// firstRepeat returns the least j such that ids[j] equals an earlier
// ids[i], and that i. Most files have no repeat, and most ids cannot be
// one: a bitset of 16 bits an id marks each id's hash, and only the ids
// whose bit another id marks too, about one in sixteen, go into a map to
// be compared (BenchmarkFirstRepeat, 1.3 million ids: 0.042 CPU seconds,
// 4.4 times less than a map of every id, medians of five runs).
func firstRepeat(ids []string) (i, j int, ok bool) {
	hashes := hashIDs(ids)
	mask := uint64(1)<<bits.Len(uint(16*len(ids))) - 1
	once, twice := bitset.New(uint(mask+1)), bitset.New(uint(mask+1))
	for _, h := range hashes {
		if b := uint(h & mask); once.Test(b) {
			twice.Set(b)
		} else {
			once.Set(b)
		}
	}
	var maybe []string
	var at []int // the index in ids of each of maybe
	for k, h := range hashes {
		if twice.Test(uint(h & mask)) {
			maybe, at = append(maybe, ids[k]), append(at, k)
		}
	}
	if i, j, ok = firstRepeatMap(maybe); ok {
		return at[i], at[j], true
	}
	return 0, 0, false
}

// firstRepeatMap is firstRepeat with a map alone.
func firstRepeatMap(ids []string) (i, j int, ok bool) {
	first := make(map[string]int, len(ids))
	for j, id := range ids {
		if i, dup := first[id]; dup {
			return i, j, true
		}
		first[id] = j
	}
	return 0, 0, false
}

// hashIDs returns the hashes of ids, computed on GOMAXPROCS goroutines.
func hashIDs(ids []string) []uint64 {
	seed := maphash.MakeSeed()
	hashes := make([]uint64, len(ids))
	workers := max(1, min(runtime.GOMAXPROCS(0), len(ids)/10000))
	var wg sync.WaitGroup
	for w := range workers {
		wg.Go(func() {
			for k := w * len(ids) / workers; k < (w+1)*len(ids)/workers; k++ {
				hashes[k] = maphash.String(seed, ids[k])
			}
		})
	}
	wg.Wait()
	return hashes
}

// NewDataset builds a Dataset of records, in their order, through a
// DatasetBuilder: it refuses what Add and Dataset refuse, with a
// *RecordError naming the record's index, and an empty slice. The Dataset
// keeps none of records' slices.
func NewDataset(records []Record) (*Dataset, error) {
	var b DatasetBuilder
	for i := range records {
		if err := b.Add(&records[i]); err != nil {
			return nil, err
		}
	}
	return b.Dataset()
}

// Len returns the number of records.
func (d *Dataset) Len() int { return len(d.ids) }

// Record returns record i, 0 ≤ i < Len(), with its tags sorted and without
// repeats, and its scores, if it keeps any, highest first (by name on
// ties). The Record's slices are new on every call.
func (d *Dataset) Record(i int) Record {
	r := Record{
		ID:        d.ids[i],
		Label:     d.labels[d.label[i]],
		Predicted: d.predicted(i),
		Correct:   d.correct[i],
	}
	if d.images != nil {
		r.Image = d.images[i]
	}
	ids := slices.Sorted(slices.Values(d.recordTags(i)))
	if len(ids) > 0 {
		r.Tags = make([]string, len(ids))
		for k, id := range ids {
			r.Tags[k] = d.tags[id]
		}
	}
	if d.hasTagScores(i) {
		from, to := d.tagScores.record(i)
		r.TagScores, r.TagFloor = d.tagScores.list(from, to, d.scoredTags), d.tagFloor[i]
	}
	if from, to := d.predScores.record(i); to > from {
		r.PredScores = d.predScores.list(from, to, d.scoredPreds)
	}
	return r
}

// hasTagScores reports whether record i keeps tag scores.
func (d *Dataset) hasTagScores(i int) bool {
	return d.tagFloor != nil && d.tagFloor[i] >= 0
}

// predicted returns the prediction of record i, "" when only its
// correctness is known.
func (d *Dataset) predicted(i int) string {
	if p := d.pred[i]; p >= 0 {
		return d.preds[p]
	}
	return ""
}

// recordTags returns the tag ids of record i, without repeats, in no set
// order.
func (d *Dataset) recordTags(i int) []int32 {
	return d.tagIDs[d.tagStart[i]:d.tagStart[i+1]]
}

// All returns an iterator over the records, with their indices, in order.
func (d *Dataset) All() iter.Seq2[int, Record] {
	return func(yield func(int, Record) bool) {
		for i := range d.ids {
			if !yield(i, d.Record(i)) {
				return
			}
		}
	}
}

// Labels returns the class names, ascending: every label of a record,
// once. The slice is a copy; the caller may modify it.
func (d *Dataset) Labels() []string { return slices.Clone(d.labels) }

// Tags returns the tag vocabulary, ascending: every tag carried by a
// record, once. The slice is a copy; the caller may modify it.
func (d *Dataset) Tags() []string { return slices.Clone(d.tags) }

// Split divides d at random into two Datasets, stratified by class: of each
// class's n_c records, round(frac·n_c) go to second (the held-out part) and
// the rest to first; each part keeps the records' order. The same rng
// state gives the same split. Each part is what NewDataset would build
// from its records: its labels and tags are those its records carry; a part
// may have no records (Len 0, no labels, no tags), as second has when frac
// is 0. Split panics if frac is not in [0, 1].
func (d *Dataset) Split(frac float64, rng *rand.Rand) (first, second *Dataset) {
	if !(frac >= 0 && frac <= 1) {
		panic(fmt.Sprintf("prime: Split fraction %v not in [0, 1]", frac))
	}
	held := make([]bool, d.Len())
	var idx []int32
	for _, recs := range d.byLabel {
		idx = append(idx[:0], recs...)
		rng.Shuffle(len(idx), func(i, j int) { idx[i], idx[j] = idx[j], idx[i] })
		for _, i := range idx[:int(math.Round(frac*float64(len(idx))))] {
			held[i] = true
		}
	}
	var a, b []int32
	for i, h := range held {
		if h {
			b = append(b, int32(i))
		} else {
			a = append(a, int32(i))
		}
	}
	return d.subset(a), d.subset(b)
}

// subset returns the Dataset of records idx (ascending).
func (d *Dataset) subset(idx []int32) *Dataset {
	labelMap := make([]int32, len(d.labels))
	tagMap := make([]int32, len(d.tags))
	for _, i := range idx {
		labelMap[d.label[i]] = 1
		for _, t := range d.recordTags(int(i)) {
			tagMap[t] = 1
		}
	}
	s := &Dataset{preds: d.preds, labels: keepUsed(d.labels, labelMap), tags: keepUsed(d.tags, tagMap)}
	s.ids, s.images, s.pred, s.correct = pick(d.ids, idx), pick(d.images, idx), pick(d.pred, idx), pick(d.correct, idx)
	s.label = pick(d.label, idx)
	for k, l := range s.label {
		s.label[k] = labelMap[l]
	}
	s.tagStart = make([]int, 1, len(idx)+1)
	for _, i := range idx {
		for _, t := range d.recordTags(int(i)) {
			s.tagIDs = append(s.tagIDs, tagMap[t])
		}
		s.tagStart = append(s.tagStart, len(s.tagIDs))
	}
	s.byLabel = groupByLabel(s.label, len(s.labels))
	s.tagScores, s.predScores = d.tagScores.subset(idx), d.predScores.subset(idx)
	if s.tagFloor = pick(d.tagFloor, idx); slices.ContainsFunc(s.tagFloor, func(f float32) bool { return f >= 0 }) {
		s.scoredTags = d.scoredTags
	} else {
		s.tagFloor = nil
	}
	if s.predScores.start != nil {
		s.scoredPreds = d.scoredPreds
	}
	if !slices.ContainsFunc(s.images, func(p string) bool { return p != "" }) {
		s.images = nil
	}
	return s
}

// pick returns the elements of s at idx, nil when s is nil.
func pick[T any](s []T, idx []int32) []T {
	if s == nil {
		return nil
	}
	out := make([]T, len(idx))
	for k, i := range idx {
		out[k] = s[i]
	}
	return out
}

// keepUsed returns the names whose entry of used is 1, in order, and sets
// each entry of used to the index its name has among them.
func keepUsed(names []string, used []int32) []string {
	var kept []string
	for k, u := range used {
		used[k] = int32(len(kept))
		if u == 1 {
			kept = append(kept, names[k])
		}
	}
	return kept
}
