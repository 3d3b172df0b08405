package prime

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"iter"
	"math"
	"math/rand/v2"
	"runtime"
	"slices"
	"sync"
	"sync/atomic"

	"github.com/failmodes/prime/internal/jsonl"
)

// A Dataset holds records compactly, ready for analysis: strings are
// interned, tags are ids into a sorted vocabulary, and records are indexed
// by class. Build one with NewDataset or ReadDataset; a Dataset is immutable
// after that and safe for concurrent use.
type Dataset struct {
	ids       []string  // per record
	images    []string  // per record ("" when unknown); nil when no record has one
	predicted []string  // per record; "" when only correctness is known
	correct   []bool    // per record
	label     []int32   // per record: index into labels
	labels    []string  // class names, ascending
	tagStart  []int     // len n+1: record i's tags are tagIDs[tagStart[i]:tagStart[i+1]]
	tagIDs    []int32   // ascending within a record, no repeats
	tags      []string  // tag names, ascending, each carried by at least one record
	byLabel   [][]int32 // record indices of each class, in input order
}

var errNoRecords = errors.New("no records")

// NewDataset builds a Dataset of records, in their order. It refuses, with
// a *RecordError naming the record's index, a record with an empty ID or
// Label, an empty tag, a string that is not valid UTF-8, or an ID used by
// an earlier record; and an empty slice. A tag repeated within a record
// counts once. The Dataset keeps none of records' slices.
func NewDataset(records []Record) (*Dataset, error) {
	if len(records) == 0 {
		return nil, errors.New("prime: no records")
	}
	in := newInterner()
	p := &part{in: in}
	for i := range records {
		r := &records[i]
		if field, err := checkRecord(r); err != nil {
			return nil, &RecordError{Index: i, Field: field, Err: err}
		}
		p.ids = append(p.ids, r.ID)
		if r.Image != "" && p.images == nil {
			p.images = make([]string, i, len(records))
		}
		if p.images != nil {
			p.images = append(p.images, r.Image)
		}
		p.label = append(p.label, in.label(r.Label))
		pred := int32(-1)
		if r.Predicted != "" {
			pred = in.str(r.Predicted)
		}
		p.pred = append(p.pred, pred)
		p.correct = append(p.correct, r.IsCorrect())
		in.seq++
		for _, t := range r.Tags {
			if id := in.tag(t); in.stamp[id] != in.seq {
				in.stamp[id] = in.seq
				p.tags = append(p.tags, id)
			}
		}
		p.tagEnd = append(p.tagEnd, int32(len(p.tags)))
	}
	d := build([]*part{p}, 1)
	seed := jsonl.NewSeed()
	hashes := make([]uint64, len(d.ids))
	for i, id := range d.ids {
		hashes[i] = jsonl.Hash(seed, id)
	}
	if i, j, ok := firstRepeat(d.ids, hashes, dupWorkers(len(d.ids))); ok {
		return nil, &RecordError{Index: j, Field: "id", Err: fmt.Errorf("repeated: %q first appears as record %d", d.ids[j], i)}
	}
	return d, nil
}

// chunkSize is the length of the pieces of a records file parsed in
// parallel by ReadDataset.
const chunkSize = 1 << 20

// ReadDataset reads a records file into a Dataset: JSON Lines, one record
// object per line, in the format RecordReader reads (see there), every
// record in the file's order. name is the file's name for messages ("-"
// or "stdin" for standard input). A bad line is reported as a *LineError,
// the first in the file; a repeated id is reported on the line where it
// repeats, naming the line where it first appears; a file without records
// is an error too. Lines are parsed in parallel on GOMAXPROCS goroutines,
// a chunk of the stream at a time, so memory holds the Dataset and a few
// chunks, never the whole file.
func ReadDataset(r io.Reader, name string) (*Dataset, error) {
	return readDataset(r, name, runtime.GOMAXPROCS(0), chunkSize)
}

// readDataset is ReadDataset with workers parsing chunks of about size
// bytes.
func readDataset(r io.Reader, name string, workers, size int) (*Dataset, error) {
	type job struct {
		seq int
		buf []byte
	}
	jobs := make(chan job)
	results := make(chan *part, workers)
	free := make(chan []byte, workers+2)
	for range workers + 2 {
		free <- nil
	}
	done := make(chan struct{})
	seed := jsonl.NewSeed() // for hashing ids
	var readErr error
	go func() { // the reader
		defer close(jobs)
		c := jsonl.NewChunker(r, size)
		for seq := 0; ; seq++ {
			var buf []byte
			select {
			case buf = <-free:
			case <-done:
				return
			}
			buf, err := c.Next(buf)
			if err != nil {
				if err != io.EOF {
					readErr = err
				}
				return
			}
			select {
			case jobs <- job{seq, buf}:
			case <-done:
				return
			}
		}
	}()
	var wg sync.WaitGroup
	for range workers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			in := newInterner()
			p := jsonl.Parser{TagTable: in.tags}
			var rec jsonl.Record
			for j := range jobs {
				pt := parseChunk(&p, &rec, in, seed, j.buf)
				pt.seq = j.seq
				free <- j.buf[:0]
				results <- pt
			}
		}()
	}
	go func() {
		wg.Wait()
		close(results)
	}()

	// Collect the parts in the file's order, stopping at the first bad
	// line.
	var (
		parts   []*part
		pending = map[int]*part{}
		lines   int
		bad     *part
	)
	for pt := range results {
		if bad != nil {
			continue // draining
		}
		pending[pt.seq] = pt
		for {
			q, ok := pending[len(parts)]
			if !ok {
				break
			}
			delete(pending, len(parts))
			q.lineBase = lines
			lines += q.lines
			parts = append(parts, q)
			if q.err != nil {
				bad = q
				close(done)
				break
			}
		}
	}
	if bad == nil && readErr != nil {
		return nil, fmt.Errorf("prime: reading %s: %w", name, readErr)
	}
	if bad != nil {
		// A repeated id on an earlier line comes first.
		if err := repeatedID(parts, nil, name, 1); err != nil {
			return nil, err
		}
		var e *jsonl.Error
		le := &LineError{File: name, Line: bad.lineBase + bad.errLine, Err: bad.err}
		if errors.As(bad.err, &e) {
			le.Field, le.Err = e.Field, e.Err
		}
		return nil, le
	}
	n := 0
	for _, p := range parts {
		n += p.len()
	}
	if n == 0 {
		return nil, &LineError{File: name, Err: errNoRecords}
	}
	d := build(parts, workers)
	if err := repeatedID(parts, d.ids, name, workers); err != nil {
		return nil, err
	}
	return d, nil
}

// repeatedID reports the first line whose id appeared on an earlier line,
// over the records of parts; ids are theirs, or nil to take them from
// parts.
func repeatedID(parts []*part, ids []string, name string, workers int) error {
	var hashes []uint64
	if len(parts) == 1 {
		hashes = parts[0].idHash
	} else {
		for _, p := range parts {
			hashes = append(hashes, p.idHash...)
		}
	}
	if ids == nil {
		ids = make([]string, len(hashes))
		k := 0
		for _, p := range parts {
			p.fillIDs(ids[k:])
			k += p.len()
		}
	}
	i, j, ok := firstRepeat(ids, hashes, min(workers, dupWorkers(len(ids))))
	if !ok {
		return nil
	}
	line := func(k int) int {
		for _, p := range parts {
			if k < p.len() {
				return p.lineBase + int(p.line[k])
			}
			k -= p.len()
		}
		return 0
	}
	return &LineError{File: name, Line: line(j), Field: "id",
		Err: fmt.Errorf("repeated: %q first appears on line %d", ids[j], line(i))}
}

// dupWorkers is the number of goroutines worth starting to find repeats
// among n ids.
func dupWorkers(n int) int { return max(1, min(runtime.GOMAXPROCS(0), n/50000)) }

// firstRepeat returns the least j such that ids[j] equals an earlier
// ids[i], and that i; hashes[k] is the hash of ids[k]. Each of the workers
// takes the ids whose hashes fall to it into an open-addressing table, in
// order, so that its first repeat is its least j.
func firstRepeat(ids []string, hashes []uint64, workers int) (i, j int, ok bool) {
	workers = max(1, workers)
	type hit struct{ i, j int }
	hits := make([]hit, workers)
	var wg sync.WaitGroup
	for w := range workers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			hits[w] = hit{-1, -1}
			type slot struct {
				hash uint32 // the hash's high bits
				k    int32  // index+1; 0 when empty
			}
			size := 64
			for size < 2*(len(ids)/workers+1) {
				size *= 2
			}
			table := make([]slot, size)
			mask := uint64(size - 1)
			for k, h := range hashes {
				if workers > 1 && int((h>>32)%uint64(workers)) != w {
					continue
				}
				hi := uint32(h >> 32)
				for s := h & mask; ; s = (s + 1) & mask {
					sl := table[s]
					if sl.k == 0 {
						table[s] = slot{hi, int32(k) + 1}
						break
					}
					if sl.hash == hi && ids[sl.k-1] == ids[k] {
						hits[w] = hit{int(sl.k - 1), k}
						return
					}
				}
			}
		}()
	}
	wg.Wait()
	i, j = -1, math.MaxInt
	for _, h := range hits {
		if h.j >= 0 && h.j < j {
			i, j = h.i, h.j
		}
	}
	return i, j, i >= 0
}

// An interner gives small ids to the strings of one parsing goroutine:
// class names and predictions in one table, tags in another.
type interner struct {
	strs    *jsonl.Table
	isLabel []bool // strs' string i is used as a label
	tags    *jsonl.Table
	stamp   []uint64 // per tag: the last record (seq, from 1) that carried it
	seq     uint64
}

func newInterner() *interner {
	return &interner{strs: jsonl.NewTable(), tags: jsonl.NewTable()}
}

func (in *interner) str(s string) int32 {
	id := in.strs.String(s)
	if int(id) == len(in.isLabel) {
		in.isLabel = append(in.isLabel, false)
	}
	return id
}

func (in *interner) strBytes(b []byte) int32 {
	id := in.strs.Bytes(b)
	if int(id) == len(in.isLabel) {
		in.isLabel = append(in.isLabel, false)
	}
	return id
}

func (in *interner) label(s string) int32 {
	id := in.str(s)
	in.isLabel[id] = true
	return id
}

func (in *interner) tag(s string) int32 {
	id := in.tags.String(s)
	if int(id) == len(in.stamp) {
		in.stamp = append(in.stamp, 0)
	}
	return id
}

// used reports whether a record carries tag id. (The parser interns the
// tags of a bad line too, which no record carries.)
func (in *interner) used(id int32) bool {
	return int(id) < len(in.stamp) && in.stamp[id] != 0
}

// A part is a run of records parsed by one goroutine, with ids local to its
// interner.
type part struct {
	in     *interner
	seq    int
	idHash []uint64 // hash of each id, for finding repeats
	// The ids and images: as strings (ids; images nil when no record has
	// one), or as pieces of an arena (idArena[idEnd[k-1]:idEnd[k]]; imgEnd
	// nil when no record has an image).
	ids, images       []string
	idArena, imgArena string
	idEnd, imgEnd     []int32
	label             []int32 // into in.strs.Names()
	pred              []int32 // into in.strs.Names(); -1 when not given
	correct           []bool
	tagEnd            []int32 // record k's tags are tags[tagEnd[k-1]:tagEnd[k]]
	tags              []int32 // into in.tags.Names(), no repeats within a record

	// Only for parts read from a file:
	line     []int32 // each record's line, 1-based within the part
	lines    int     // lines in the part (up to and including a bad one)
	lineBase int     // lines before the part
	err      error   // the first bad line's error, at errLine
	errLine  int
}

// parseChunk parses the lines of buf into a part.
func parseChunk(p *jsonl.Parser, rec *jsonl.Record, in *interner, seed uint64, buf []byte) *part {
	est := len(buf)/200 + 1
	pt := &part{
		in:      in,
		idHash:  make([]uint64, 0, est),
		label:   make([]int32, 0, est),
		pred:    make([]int32, 0, est),
		correct: make([]bool, 0, est),
		tagEnd:  make([]int32, 0, est),
		tags:    make([]int32, 0, est*16),
		line:    make([]int32, 0, est),
	}
	var idArena, imgArena []byte
	var idEnd, imgEnd []int32
	rest := buf
	for len(rest) > 0 {
		var line []byte
		if k := bytes.IndexByte(rest, '\n'); k >= 0 {
			line, rest = rest[:k], rest[k+1:]
		} else {
			line, rest = rest, nil
		}
		pt.lines++
		err := p.Parse(line, rec)
		if err == jsonl.ErrBlank {
			continue
		}
		if err != nil {
			pt.err, pt.errLine = err, pt.lines
			break
		}
		pt.line = append(pt.line, int32(pt.lines))
		id := rec.Bytes(rec.ID)
		pt.idHash = append(pt.idHash, jsonl.Hash(seed, id))
		idArena = append(idArena, id...)
		idEnd = append(idEnd, int32(len(idArena)))
		if rec.Image.Len() > 0 && imgEnd == nil {
			imgEnd = make([]int32, len(idEnd)-1, cap(idEnd))
		}
		if imgEnd != nil {
			imgArena = append(imgArena, rec.Bytes(rec.Image)...)
			imgEnd = append(imgEnd, int32(len(imgArena)))
		}
		label := rec.Bytes(rec.Label)
		l := in.strBytes(label)
		in.isLabel[l] = true
		pt.label = append(pt.label, l)
		pred := int32(-1)
		correct := rec.Correct
		if rec.HasPred {
			p := rec.Bytes(rec.Pred)
			pred = in.strBytes(p)
			correct = bytes.Equal(p, label)
		}
		pt.pred = append(pt.pred, pred)
		pt.correct = append(pt.correct, correct)
		in.seq++
		if n := in.tags.Len(); n > len(in.stamp) {
			in.stamp = append(in.stamp, make([]uint64, n-len(in.stamp))...)
		}
		for _, id := range rec.TagIDs {
			if in.stamp[id] != in.seq {
				in.stamp[id] = in.seq
				pt.tags = append(pt.tags, id)
			}
		}
		pt.tagEnd = append(pt.tagEnd, int32(len(pt.tags)))
	}
	pt.idArena, pt.idEnd = string(idArena), idEnd
	if imgEnd != nil {
		pt.imgArena, pt.imgEnd = string(imgArena), imgEnd
	}
	return pt
}

// len returns the number of records in p.
func (p *part) len() int { return len(p.label) }

// fillIDs writes the ids of p's records to dst.
func (p *part) fillIDs(dst []string) {
	if p.ids != nil {
		copy(dst, p.ids)
		return
	}
	slice(dst, p.idArena, p.idEnd)
}

// hasImages reports whether a record of p has an image.
func (p *part) hasImages() bool { return p.images != nil || p.imgEnd != nil }

// fillImages writes the images of p's records to dst.
func (p *part) fillImages(dst []string) {
	if p.images != nil {
		copy(dst, p.images)
		return
	}
	slice(dst, p.imgArena, p.imgEnd)
}

// slice writes to dst the pieces of s that end at ends.
func slice(dst []string, s string, ends []int32) {
	start := int32(0)
	for k, e := range ends {
		dst[k] = s[start:e]
		start = e
	}
}

// build assembles parts, in order, into a Dataset, using up to workers
// goroutines.
func build(parts []*part, workers int) *Dataset {
	// The interners, once each, with their tables mapped to the Dataset's
	// sorted labels and tags.
	type tables struct {
		label []int32  // str id -> label index, -1 when not a label
		names []string // str id -> string shared by every interner
		tag   []int32  // tag id -> tag index
	}
	maps := map[*interner]*tables{}
	var ins []*interner
	for _, p := range parts {
		if maps[p.in] == nil {
			maps[p.in] = &tables{}
			ins = append(ins, p.in)
		}
	}
	labelSet := map[string]int32{}
	tagSet := map[string]int32{}
	strSet := map[string]string{}
	for _, in := range ins {
		for i, s := range in.strs.Names() {
			if in.isLabel[i] {
				labelSet[s] = 0
			}
			if _, ok := strSet[s]; !ok {
				strSet[s] = s
			}
		}
		for i, s := range in.tags.Names() {
			if in.used(int32(i)) {
				tagSet[s] = 0
			}
		}
	}
	d := &Dataset{}
	d.labels = sortedKeys(labelSet)
	d.tags = sortedKeys(tagSet)
	for i, s := range d.labels {
		labelSet[s] = int32(i)
	}
	for i, s := range d.tags {
		tagSet[s] = int32(i)
	}
	for _, in := range ins {
		t := maps[in]
		t.label = make([]int32, len(in.strs.Names()))
		t.names = make([]string, len(in.strs.Names()))
		for i, s := range in.strs.Names() {
			t.label[i] = -1
			if in.isLabel[i] {
				t.label[i] = labelSet[s]
			}
			t.names[i] = strSet[s]
		}
		t.tag = make([]int32, len(in.tags.Names()))
		for i, s := range in.tags.Names() {
			t.tag[i] = -1
			if in.used(int32(i)) {
				t.tag[i] = tagSet[s]
			}
		}
	}

	// Where each part goes.
	n, nt := 0, 0
	recBase := make([]int, len(parts))
	tagBase := make([]int, len(parts))
	hasImages := false
	for k, p := range parts {
		recBase[k], tagBase[k] = n, nt
		n += p.len()
		if len(p.tagEnd) > 0 {
			nt += int(p.tagEnd[len(p.tagEnd)-1])
		}
		hasImages = hasImages || p.hasImages()
	}
	d.ids = make([]string, n)
	d.predicted = make([]string, n)
	d.correct = make([]bool, n)
	d.label = make([]int32, n)
	d.tagStart = make([]int, n+1)
	d.tagIDs = make([]int32, nt)
	if hasImages {
		d.images = make([]string, n)
	}
	d.tagStart[n] = nt

	var next atomic.Int64
	var wg sync.WaitGroup
	for range max(1, min(workers, len(parts))) {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for {
				k := int(next.Add(1) - 1)
				if k >= len(parts) {
					return
				}
				p, t := parts[k], maps[parts[k].in]
				base, tb := recBase[k], tagBase[k]
				p.fillIDs(d.ids[base:])
				copy(d.correct[base:], p.correct)
				if p.hasImages() {
					p.fillImages(d.images[base:])
				}
				start := int32(0)
				for i := range p.len() {
					d.label[base+i] = t.label[p.label[i]]
					if q := p.pred[i]; q >= 0 {
						d.predicted[base+i] = t.names[q]
					}
					end := p.tagEnd[i]
					d.tagStart[base+i] = tb + int(start)
					dst := d.tagIDs[tb+int(start) : tb+int(end)]
					if len(dst) > 64 {
						for j, id := range p.tags[start:end] {
							dst[j] = t.tag[id]
						}
						slices.Sort(dst)
					} else {
						for j, id := range p.tags[start:end] {
							g := t.tag[id]
							// Insertion sort: a record has few tags.
							for j > 0 && dst[j-1] > g {
								dst[j] = dst[j-1]
								j--
							}
							dst[j] = g
						}
					}
					start = end
				}
			}
		}()
	}
	wg.Wait()

	counts := make([]int32, len(d.labels))
	for _, l := range d.label {
		counts[l]++
	}
	d.byLabel = make([][]int32, len(d.labels))
	all := make([]int32, n)
	off := int32(0)
	for c, k := range counts {
		d.byLabel[c] = all[off : off : off+k]
		off += k
	}
	for i, l := range d.label {
		d.byLabel[l] = append(d.byLabel[l], int32(i))
	}
	return d
}

func sortedKeys(m map[string]int32) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	return keys
}

// Len returns the number of records.
func (d *Dataset) Len() int { return len(d.ids) }

// Record returns record i, 0 ≤ i < Len(), with its tags sorted and without
// repeats. The Record's Tags slice is new on every call.
func (d *Dataset) Record(i int) Record {
	r := Record{
		ID:        d.ids[i],
		Label:     d.labels[d.label[i]],
		Predicted: d.predicted[i],
		Correct:   d.correct[i],
	}
	if d.images != nil {
		r.Image = d.images[i]
	}
	ids := d.tagIDs[d.tagStart[i]:d.tagStart[i+1]]
	if len(ids) > 0 {
		r.Tags = make([]string, len(ids))
		for k, id := range ids {
			r.Tags[k] = d.tags[id]
		}
	}
	return r
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
	n := len(idx)
	labelMap := make([]int32, len(d.labels))
	tagMap := make([]int32, len(d.tags))
	for _, i := range idx {
		labelMap[d.label[i]] = 1
		for _, t := range d.tagIDs[d.tagStart[i]:d.tagStart[i+1]] {
			tagMap[t] = 1
		}
	}
	s := &Dataset{}
	for l, used := range labelMap {
		labelMap[l] = int32(len(s.labels))
		if used == 1 {
			s.labels = append(s.labels, d.labels[l])
		}
	}
	for t, used := range tagMap {
		tagMap[t] = int32(len(s.tags))
		if used == 1 {
			s.tags = append(s.tags, d.tags[t])
		}
	}
	s.ids = make([]string, n)
	s.predicted = make([]string, n)
	s.correct = make([]bool, n)
	s.label = make([]int32, n)
	s.tagStart = make([]int, n+1)
	if d.images != nil {
		s.images = make([]string, n)
	}
	for k, i := range idx {
		s.ids[k] = d.ids[i]
		s.predicted[k] = d.predicted[i]
		s.correct[k] = d.correct[i]
		s.label[k] = labelMap[d.label[i]]
		if d.images != nil {
			s.images[k] = d.images[i]
		}
		s.tagStart[k] = len(s.tagIDs)
		for _, t := range d.tagIDs[d.tagStart[i]:d.tagStart[i+1]] {
			s.tagIDs = append(s.tagIDs, tagMap[t])
		}
	}
	s.tagStart[n] = len(s.tagIDs)
	s.byLabel = make([][]int32, len(s.labels))
	for k, l := range s.label {
		s.byLabel[l] = append(s.byLabel[l], int32(k))
	}
	if s.images != nil && !slices.ContainsFunc(s.images, func(p string) bool { return p != "" }) {
		s.images = nil
	}
	return s
}
