package mining

import (
	"context"
	"fmt"
	"math/bits"
	"slices"

	"github.com/bits-and-blooms/bitset"
)

// MaxRecords is the largest number of records a Class may hold: record
// numbers fit an int32, and every product of two counts fits an int64.
const MaxRecords = 1<<31 - 1

// A Miner mines classes one at a time, keeping its scratch memory from one
// call to the next. The zero value is ready to use. A Miner must not be
// used by several goroutines at once: give each goroutine its own. Results
// never share memory with the Miner.
type Miner struct {
	m miner
}

// Mine is the function Mine, run with the Miner's scratch memory.
func (mn *Miner) Mine(ctx context.Context, c *Class, p Params) (*Result, error) {
	if err := p.validate(); err != nil {
		return nil, err
	}
	if c == nil {
		return nil, fmt.Errorf("mining: nil Class")
	}
	if err := c.validate(); err != nil {
		return nil, err
	}
	if err := ctx.Err(); err != nil {
		return nil, fmt.Errorf("mining: %w", err)
	}
	m := &mn.m
	m.reset(ctx, c, p)
	m.run(c)
	res := m.finish()
	m.release()
	if m.err != nil {
		return nil, fmt.Errorf("mining: %w", m.err)
	}
	return res, nil
}

// validate checks p, and writes the zero Ratio as 0/1.
func (p *Params) validate() error {
	if p.MinSize < 1 {
		return fmt.Errorf("%w: MinSize %d is not in [1, ∞)", ErrParams, p.MinSize)
	}
	if p.MaxTags < 1 {
		return fmt.Errorf("%w: MaxTags %d is not in [1, ∞)", ErrParams, p.MaxTags)
	}
	if err := validRatio("MinDrop", &p.MinDrop); err != nil {
		return err
	}
	if err := validRatio("MinMarginalDrop", &p.MinMarginalDrop); err != nil {
		return err
	}
	if p.Baseline != BaselineRest && p.Baseline != BaselineClass {
		return fmt.Errorf("%w: Baseline %d is neither BaselineRest (0) nor BaselineClass (1)", ErrParams, p.Baseline)
	}
	return nil
}

func validRatio(name string, r *Ratio) error {
	if *r == (Ratio{}) {
		r.Den = 1 // the zero Ratio is the number 0
	}
	if r.Den < 1 || r.Num < 0 || r.Num > r.Den {
		return fmt.Errorf("%w: %s %d/%d is not a ratio in [0, 1] with a positive denominator", ErrParams, name, r.Num, r.Den)
	}
	return nil
}

func (c *Class) validate() error {
	if c.N < 0 || c.N > MaxRecords {
		return fmt.Errorf("mining: Class.N %d is not in [0, %d]", c.N, MaxRecords)
	}
	if c.Correct != nil {
		if r, ok := bitBeyond(c.Correct, c.N); ok {
			return fmt.Errorf("mining: Class.Correct has record %d, not below N = %d", r, c.N)
		}
	}
	for t, b := range c.Tags {
		if b == nil {
			continue
		}
		if r, ok := bitBeyond(b, c.N); ok {
			return fmt.Errorf("mining: Class.Tags[%d] has record %d, not below N = %d", t, r, c.N)
		}
	}
	return nil
}

// bitBeyond returns the first set bit at n or beyond, if there is one.
func bitBeyond(b *bitset.BitSet, n int) (int, bool) {
	w := b.Words()
	i := n >> 6
	if i >= len(w) {
		return 0, false
	}
	if x := w[i] >> (uint(n) & 63); x != 0 {
		return n + bits.TrailingZeros64(x), true
	}
	for j := i + 1; j < len(w); j++ {
		if w[j] != 0 {
			return j<<6 + bits.TrailingZeros64(w[j]), true
		}
	}
	return 0, false
}

// item is a record of a tag set's support: record r, and the position p of
// the set's last tag in a row of tags of r (a row of recTags, or of a
// projection of it), so that the tags of r that can still extend the set
// are rows[p+1:] up to the next -1.
type item struct{ r, p int32 }

// level holds the frequent tag sets of one size l (with SkipTested, only
// those that are not skipped), in lexicographic order, as a prefix tree:
// set i is the set parent[i] of level l−1 plus the tag last[i]; the sets
// extending set i by one tag are entries child[i] to child[i+1]−1 of level
// l+1. Tags are dense ids (indices into level 1).
type level struct {
	last, parent []int32
	n, c         []int32
	// minC/minN is the lowest accuracy among the set and all its non-empty
	// subsets, the quantity the minimality condition of a superset needs.
	minC, minN []int32
	child      []int32
}

func (lv *level) len() int { return len(lv.last) }

func (lv *level) reset() {
	lv.last, lv.parent = lv.last[:0], lv.parent[:0]
	lv.n, lv.c = lv.n[:0], lv.c[:0]
	lv.minC, lv.minN = lv.minC[:0], lv.minN[:0]
	lv.child = lv.child[:0]
}

func (lv *level) add(last, parent, n, c, minC, minN int32) {
	lv.last = append(lv.last, last)
	lv.parent = append(lv.parent, parent)
	lv.n = append(lv.n, n)
	lv.c = append(lv.c, c)
	lv.minC = append(lv.minC, minC)
	lv.minN = append(lv.minN, minN)
}

// tuning chooses between the two ways of counting supports. The costs are
// relative times per unit, measured with the benchmarks of this package.
type tuning struct {
	maxBitWords int     // sets are counted by bitsets only when a bitset has at most this many words
	allBitWords int     // and always by bitsets when it has at most this many
	wordCost    float64 // AND+popcount of one word of a candidate's two bitsets
	scanCost    float64 // one tag of a record visited in record-wise counting
	triChildren int     // pairs of children are counted into a table only for sets of at most this many children
	force       int     // tests: 0 choose by cost, 1 always bitsets, 2 always records
}

// defaultTuning: with BenchmarkMineCounting on synthetic classes of 10 to
// 25 tags per record, bitsets alone took 0.4 times the CPU time of
// record-wise counting at 1,300 records (21 words), record-wise counting
// 0.85 times that of bitsets alone at 13,000 (204 words), and the cost
// model about the better of the two.
var defaultTuning = tuning{maxBitWords: 1 << 12, allBitWords: 64, wordCost: 1, scanCost: 4, triChildren: 1024}

const (
	forceNone = iota
	forceBits
	forceRecords
)

// miner is the state of one search. Nothing in it is shared between
// searches, and all of it is scratch that the next search reuses.
type miner struct {
	ctx  context.Context
	p    Params
	tune tuning
	err  error
	work int

	n      int      // records
	words  int      // words per bitset
	nc     int64    // correct records
	corr   []uint64 // correctness, words long
	padded []uint64 // backing store of padded copies of short bitsets

	tagID    []int32    // dense id → tag id of Class.Tags
	tagWords [][]uint64 // dense id → its bitset, words long; nil unless useBits
	useBits  bool       // counting by bitsets is allowed
	bitsOnly bool       // counting by bitsets is the rule

	rowOff  []int32 // where each record's row starts in recTags
	recTags []int32 // every record's frequent tags, ascending dense ids, each row ended by -1
	avgRow  float64 // mean row length
	col     []item  // the support of every level-1 set, by dense id
	colOff  []int32

	levels []level // levels[l]: sets of l tags; levels[0] unused

	// per-depth scratch of the depth-first walk
	rows   [][]int32 // rows[d]: the rows of the set at depth d, projected on its children
	bufs   [][]item
	offs   [][]int32
	bitBuf []uint64 // a set's bitset and its correct records, for counting by bitsets
	slot   []int32
	cnt    []uint64 // record-wise counts: n in the low 32 bits, correct in the high 32
	tri    []uint64 // counts of pairs of children, as cnt

	qtags   []int32
	sub     []int32
	candY   []int32
	candE   []int32
	lists   []int32 // other lists: pairs of (cursor, end)
	tested  []uint64
	sortBuf []uint64

	modeTags  []int  // the tags of every mode found, one after the other
	modeStart []int  // where each mode's tags start in modeTags
	modes     []Mode // the modes found, without their tags
	eval      int64
}

func (m *miner) reset(ctx context.Context, c *Class, p Params) {
	if m.tune.maxBitWords == 0 && m.tune.force == forceNone {
		m.tune = defaultTuning
	}
	m.ctx, m.p, m.err, m.work = ctx, p, nil, 0
	m.n = c.N
	m.words = (c.N + 63) >> 6
	m.tagID = m.tagID[:0]
	m.tagWords = m.tagWords[:0]
	m.tested = m.tested[:0]
	m.modeTags = m.modeTags[:0]
	m.modeStart = m.modeStart[:0]
	m.modes = m.modes[:0]
	m.eval = 0
	m.padded = m.padded[:0]
	m.useBits = m.tune.force == forceBits || m.tune.force == forceNone && m.words <= m.tune.maxBitWords
	m.bitsOnly = m.tune.force == forceBits || m.tune.force == forceNone && m.words <= m.tune.allBitWords
	if len(m.levels) < 2 {
		m.levels = make([]level, 2)
	}
	for i := range m.levels {
		m.levels[i].reset()
	}
}

// release drops references to the caller's data.
func (m *miner) release() {
	m.ctx = nil
	m.corr = nil
	clear(m.tagWords[:cap(m.tagWords)])
}

// fit returns w cut or padded to exactly m.words words.
func (m *miner) fit(w []uint64) []uint64 {
	if len(w) >= m.words {
		return w[:m.words]
	}
	start := len(m.padded)
	m.padded = append(m.padded, w...)
	m.padded = append(m.padded, make([]uint64, m.words-len(w))...)
	return m.padded[start:len(m.padded):len(m.padded)]
}

// tick counts work done and, every so often, looks at the context.
func (m *miner) tick(units int) bool {
	if m.err != nil {
		return false
	}
	m.work += units
	if m.work >= 1<<16 {
		m.work = 0
		if err := m.ctx.Err(); err != nil {
			m.err = err
			return false
		}
	}
	return true
}

func (m *miner) run(c *Class) {
	var corr []uint64
	if c.Correct != nil {
		corr = c.Correct.Words()
	}
	// Padded copies must not move once handed out: reserve room for all.
	need := m.words
	for _, b := range c.Tags {
		if b != nil && len(b.Words()) < m.words {
			need += m.words
		}
	}
	if cap(m.padded) < need {
		m.padded = make([]uint64, 0, need)
	}
	m.corr = m.fit(corr)
	m.nc = int64(popcount(m.corr))

	// Level 1: every non-nil tag's support is counted.
	p := &m.p
	s := int64(p.MinSize)
	l1 := &m.levels[1]
	for t, b := range c.Tags {
		if b == nil {
			continue
		}
		if !m.tick(m.words) {
			return
		}
		w := b.Words()
		if len(w) > m.words {
			w = w[:m.words]
		}
		m.eval++
		n := int64(popcount(w))
		if n < s {
			continue
		}
		k := int64(popAnd(w, m.corr[:len(w)]))
		if !p.SkipTested {
			m.tested = append(m.tested, uint64(n)<<32|uint64(k))
		}
		if m.dropOK(k, n) {
			m.modeStart = append(m.modeStart, len(m.modeTags))
			m.modeTags = append(m.modeTags, t)
			m.modes = append(m.modes, Mode{N: int(n), Correct: int(k)})
		}
		if p.MaxTags < 2 || p.SkipTested && m.dead(k, n, k, n) {
			continue
		}
		l1.add(int32(l1.len()), -1, int32(n), int32(k), int32(k), int32(n))
		m.tagID = append(m.tagID, int32(t))
		if m.useBits {
			m.tagWords = append(m.tagWords, m.fit(w))
		}
	}
	if p.MaxTags < 2 || l1.len() < 2 {
		return
	}
	if m.bitsOnly {
		// Counting by bitsets alone needs no rows: only the scratch the
		// walk shares with record-wise counting.
		f := m.levels[1].len()
		m.slot = grow(m.slot, f)
		for i := range m.slot {
			m.slot[i] = -1
		}
	} else {
		m.transpose(c)
	}
	for l := 2; l <= p.MaxTags && m.err == nil; l++ {
		if m.levels[l-1].len() < 2 {
			break
		}
		if l < p.MaxTags && len(m.levels) <= l {
			m.levels = append(m.levels, level{})
		}
		m.pass(l)
		if l < p.MaxTags {
			m.linkChildren(l - 1)
		}
	}
}

// transpose builds every record's row of frequent tags and the support of
// every level-1 set as items.
func (m *miner) transpose(c *Class) {
	f := m.levels[1].len()
	m.rowOff = grow(m.rowOff, m.n+1)
	clear(m.rowOff)
	for x := 0; x < f; x++ {
		w := c.Tags[m.tagID[x]].Words()
		for i, v := range w[:min(len(w), m.words)] {
			for v != 0 {
				m.rowOff[i<<6+bits.TrailingZeros64(v)+1]++
				v &= v - 1
			}
		}
		if !m.tick(m.words) {
			return
		}
	}
	// Each row gets one more slot, for the -1 that ends it.
	for r := 0; r < m.n; r++ {
		m.rowOff[r+1] += m.rowOff[r] + 1
	}
	size := int(m.rowOff[m.n])
	m.recTags = grow(m.recTags, size)
	fill := grow(m.offs0(), max(m.n, f))
	m.offs[0] = fill
	copy(fill, m.rowOff[:m.n])
	for x := 0; x < f; x++ {
		w := c.Tags[m.tagID[x]].Words()
		for i, v := range w[:min(len(w), m.words)] {
			for v != 0 {
				r := i<<6 + bits.TrailingZeros64(v)
				m.recTags[fill[r]] = int32(x)
				fill[r]++
				v &= v - 1
			}
		}
		if !m.tick(m.words) {
			return
		}
	}
	for r := 0; r < m.n; r++ {
		m.recTags[m.rowOff[r+1]-1] = -1
	}
	nnz := size - m.n
	m.avgRow = float64(nnz) / float64(max(1, m.n))
	// Columns: the items of each level-1 set, in record order.
	m.colOff = grow(m.colOff, f+1)
	m.colOff[0] = 0
	for x := 0; x < f; x++ {
		m.colOff[x+1] = m.colOff[x] + m.levels[1].n[x]
	}
	m.col = grow(m.col, nnz)
	copy(fill[:f], m.colOff[:f])
	for r := 0; r < m.n; r++ {
		for q := m.rowOff[r]; q < m.rowOff[r+1]-1; q++ {
			x := m.recTags[q]
			m.col[fill[x]] = item{int32(r), q}
			fill[x]++
		}
	}
	m.slot = grow(m.slot, f)
	for i := range m.slot {
		m.slot[i] = -1
	}
	m.cnt = grow(m.cnt, f)
	clear(m.cnt)
}

// offs0 is a scratch slice of int32 not used during transpose otherwise.
func (m *miner) offs0() []int32 {
	if len(m.offs) == 0 {
		m.offs = append(m.offs, nil)
	}
	return m.offs[0]
}

func grow[T any](s []T, n int) []T {
	if cap(s) < n {
		return make([]T, n)
	}
	return s[:n]
}

// linkChildren fills level l's child index from level l+1's parents.
func (m *miner) linkChildren(l int) {
	lv, next := &m.levels[l], &m.levels[l+1]
	lv.child = grow(lv.child, lv.len()+1)
	j := 0
	for i := 0; i <= lv.len(); i++ {
		for j < next.len() && int(next.parent[j]) < i {
			j++
		}
		lv.child[i] = int32(j)
	}
}

// scratch makes sure the per-depth scratch exists for depth d.
func (m *miner) scratch(d int) {
	for len(m.bufs) <= d {
		m.bufs = append(m.bufs, nil)
	}
	for len(m.offs) <= d {
		m.offs = append(m.offs, nil)
	}
	for len(m.rows) <= d {
		m.rows = append(m.rows, nil)
	}
}

// pass builds level l (l ≥ 2) from level l−1: it walks the prefix tree of
// the frequent sets depth first, carrying each set's support as items (and,
// for small classes, as bitsets), and at depth l−1 counts the supports of
// that set's candidate extensions.
func (m *miner) pass(l int) {
	if l < m.p.MaxTags {
		m.levels[l].reset()
	}
	m.scratch(l)
	f := m.levels[1].len()
	if l == 2 && !m.bitsOnly && m.useTri(f, m.n, m.avgRow) {
		all := grow(m.bufs[0], m.n)
		m.bufs[0] = all
		for r := range all {
			all[r] = item{int32(r), m.rowOff[r] - 1}
		}
		tri := m.countPairs(&m.levels[1], 0, int32(f), all, m.recTags)
		for x := 0; x < f && m.err == nil; x++ {
			m.extend(l, int32(x), nil, nil, 0, tri[x*f:(x+1)*f], 0)
		}
		return
	}
	for x := 0; x < f; x++ {
		if m.err != nil {
			return
		}
		if err := m.ctx.Err(); err != nil {
			m.err = err
			return
		}
		if m.bitsOnly {
			m.visit(l, 1, int32(x), nil, nil, 0)
		} else {
			m.visit(l, 1, int32(x), m.col[m.colOff[x]:m.colOff[x+1]], m.recTags, m.avgRow)
		}
	}
}

// visit walks the subtree of set e of level d, whose support is items in
// the rows src (avg tags per row), for pass l.
func (m *miner) visit(l, d int, e int32, items []item, src []int32, avg float64) {
	if d == l-1 {
		m.extend(l, e, items, src, avg, nil, 0)
		return
	}
	lv, next := &m.levels[d], &m.levels[d+1]
	c0, c1 := lv.child[e], lv.child[e+1]
	if c0 == c1 {
		return
	}
	if !m.tick(len(items)) {
		return
	}
	if m.bitsOnly || d == l-2 && m.allBits(d, c0, c1, avg) {
		// The sets below are counted with bitsets alone: no projection.
		for ch := c0; ch < c1 && m.err == nil; ch++ {
			m.visit(l, d+1, ch, nil, nil, 0)
		}
		return
	}
	if d == l-2 && m.useTri(int(c1-c0), len(items), avg) {
		tri := m.countPairs(next, c0, c1, items, src)
		c := int(c1 - c0)
		for ch := c0; ch < c1 && m.err == nil; ch++ {
			i := int(ch - c0)
			m.extend(l, ch, nil, nil, 0, tri[i*c:(i+1)*c], c0)
		}
		return
	}
	// Project the rows on the children and bucket the items by child. A
	// candidate Q ∪ {y} below child Q = A ∪ {x} needs A ∪ {y} frequent, so
	// only tags y that are children of A can extend any set below A: the
	// projected rows keep those alone. Each child's support is the records
	// whose projected row holds the child's tag.
	offs := grow(m.offs[d], int(c1-c0)+1)
	m.offs[d] = offs
	total := int32(0)
	for ch := c0; ch < c1; ch++ {
		offs[ch-c0] = total
		total += next.n[ch]
		m.slot[next.last[ch]] = ch - c0
	}
	offs[c1-c0] = total
	buf := grow(m.bufs[d], int(total))
	m.bufs[d] = buf
	dst := grow(m.rows[d], int(total)+len(items))
	m.rows[d] = dst
	fill := grow(m.offs[0], int(c1-c0))
	m.offs[0] = fill
	copy(fill, offs[:c1-c0])
	slot := m.slot
	w, nrows := int32(0), 0
	for _, it := range items {
		start := w
		for q := it.p + 1; ; q++ {
			z := src[q]
			if z < 0 {
				break
			}
			if s := slot[z]; s >= 0 {
				dst[w] = z
				buf[fill[s]] = item{it.r, w}
				fill[s]++
				w++
			}
		}
		if w > start {
			dst[w] = -1
			w++
			nrows++
		}
	}
	for ch := c0; ch < c1; ch++ {
		m.slot[next.last[ch]] = -1
	}
	avg = float64(int(w)-nrows) / float64(max(1, nrows))
	for ch := c0; ch < c1 && m.err == nil; ch++ {
		m.visit(l, d+1, ch, buf[offs[ch-c0]:offs[ch-c0+1]], dst, avg)
	}
}

// useTri reports whether the c children of a set, whose support is n
// records of rows of avg tags, are best extended by counting every pair of
// children record by record into a c×c table (countPairs): the table must
// be small, and clearing it cheap beside the counting.
func (m *miner) useTri(c, n int, avg float64) bool {
	return c <= m.tune.triChildren && float64(c*c) <= 4*float64(n)*avg*avg/2
}

// countPairs counts, for every two children x < y (entries c0..c1-1 of
// level next) of a set whose support is items in the rows src, the records
// of the support carrying both: the support of the set with x and y. It
// reads each row once, in order, so the memory is read as it lies. The
// count of x and y is at [(x−c0)·c + (y−c0)], c = c1−c0, in the form of
// m.cnt.
func (m *miner) countPairs(next *level, c0, c1 int32, items []item, src []int32) []uint64 {
	c := int(c1 - c0)
	tri := grow(m.tri, c*c)
	m.tri = tri
	clear(tri)
	for ch := c0; ch < c1; ch++ {
		m.slot[next.last[ch]] = ch - c0
	}
	slot, corr := m.slot, m.corr
	row := m.qtags[:0]
	for k, it := range items {
		row = row[:0]
		for q := it.p + 1; ; q++ {
			z := src[q]
			if z < 0 {
				break
			}
			if s := slot[z]; s >= 0 {
				row = append(row, s)
			}
		}
		inc := 1 + (corr[it.r>>6]>>(uint(it.r)&63)&1)<<32
		for i, x := range row {
			t := tri[int(x)*c:]
			for _, y := range row[i+1:] {
				t[y] += inc
			}
		}
		if k&1023 == 0 && !m.tick(1024*len(row)*len(row)) {
			break
		}
	}
	m.qtags = row
	for ch := c0; ch < c1; ch++ {
		m.slot[next.last[ch]] = -1
	}
	return tri
}

// allBits reports whether every child c0..c1-1 of a set at depth d, whose
// rows hold avg tags, is cheaper to count by bitsets than record by record,
// even with every later sibling as a candidate: then the items of the
// children need not be built.
func (m *miner) allBits(d int, c0, c1 int32, avg float64) bool {
	if !m.useBits || m.tune.force == forceRecords {
		return false
	}
	if m.bitsOnly {
		return true
	}
	next := &m.levels[d+1]
	for ch := c0; ch < c1; ch++ {
		bitCost := float64((2*int(c1-ch-1)+d+2)*m.words) * m.tune.wordCost
		if bitCost >= float64(next.n[ch])*avg/2*m.tune.scanCost {
			return false
		}
	}
	return true
}

// prefix writes the dense tags of set e of level d into m.qtags.
func (m *miner) prefix(d int, e int32) []int32 {
	m.qtags = grow(m.qtags, d)
	for j := d; j >= 1; j-- {
		m.qtags[j-1] = m.levels[j].last[e]
		e = m.levels[j].parent[e]
	}
	return m.qtags
}

// lookup returns the entry of the set tags (dense ids, ascending) in level
// len(tags), or -1.
func (m *miner) lookup(tags []int32) int32 {
	e := tags[0]
	for j := 1; j < len(tags); j++ {
		lv, next := &m.levels[j], &m.levels[j+1]
		lo, hi := lv.child[e], lv.child[e+1]
		i, ok := slices.BinarySearch(next.last[lo:hi], tags[j])
		if !ok {
			return -1
		}
		e = lo + int32(i)
	}
	return e
}

// extend counts and evaluates the candidates of level l that extend set e
// of level l−1 (whose support is items, or b and bc) by one tag.
//
// Supports come from tri when it is not nil: tri[j-g0] holds the counts of
// Q ∪ {y} for the sibling y = entry j of level l−1, its siblings starting
// at entry g0. Otherwise they are counted from items, in rows, or with
// bitsets when items is nil or that is cheaper.
func (m *miner) extend(l int, e int32, items []item, rows []int32, avg float64, tri []uint64, g0 int32) {
	d := l - 1
	lv := &m.levels[d]
	q := m.prefix(d, e)
	x := q[d-1]

	// Candidates (Apriori): U = Q ∪ {y}, y > x, is a candidate when each
	// of its subsets of l−1 tags is in level l−1. Those subsets are Q, the
	// sibling P ∪ {y} (P = Q without x), and (Q without q_i) ∪ {y} for
	// each q_i in P: y must be a later sibling of x and a child of each
	// Q without q_i. The lists are sorted, so they are merged.
	var s0, s1 int32
	if d == 1 {
		s0, s1 = e+1, int32(lv.len())
	} else {
		up := &m.levels[d-1]
		s0, s1 = e+1, up.child[lv.parent[e]+1]
	}
	nl := d - 1 // other lists
	m.lists = grow(m.lists, 2*nl)
	if nl > 0 {
		m.sub = grow(m.sub, d-1)
		up := &m.levels[d-1]
		for i := 0; i < nl; i++ {
			m.sub = append(m.sub[:0], q[:i]...)
			m.sub = append(m.sub, q[i+1:]...)
			g := m.lookup(m.sub)
			if g < 0 { // cannot happen: every subset of a stored set is stored
				return
			}
			m.lists[2*i], m.lists[2*i+1] = up.child[g], up.child[g+1]
		}
	}
	m.candY = m.candY[:0]
	m.candE = m.candE[:0]
	last := lv.last
merge:
	for j := s0; j < s1; j++ {
		y := last[j]
		for i := 0; i < nl; i++ {
			cur, end := m.lists[2*i], m.lists[2*i+1]
			for cur < end && last[cur] < y {
				cur++
			}
			m.lists[2*i] = cur
			if cur == end {
				break merge
			}
			if last[cur] != y {
				continue merge
			}
		}
		m.candY = append(m.candY, y)
		m.candE = append(m.candE, j)
		for i := 0; i < nl; i++ {
			m.candE = append(m.candE, m.lists[2*i])
		}
	}
	nc := len(m.candY)
	m.eval += int64(nc)
	if !m.tick(int(s1-s0) + nc) {
		return
	}
	if nc == 0 {
		return
	}

	s := uint64(m.p.MinSize)
	stride := 1 + nl
	if tri != nil {
		for i, y := range m.candY {
			v := tri[m.candE[i*stride]-g0]
			if v&0xffffffff >= s {
				m.evaluate(l, e, m.candE[i*stride:(i+1)*stride], y, int64(v&0xffffffff), int64(v>>32))
			}
		}
		return
	}
	useBits := items == nil || m.bitsOnly || m.useBits && m.tune.force != forceRecords
	if useBits && items != nil && !m.bitsOnly {
		// Record-wise counting visits every tag after x in each record of
		// the support, about half a row; bitsets AND two words per word
		// of each candidate, after building Q's bitsets.
		scan := float64(len(items)) * avg / 2
		useBits = float64((2*nc+d+1)*m.words)*m.tune.wordCost < scan*m.tune.scanCost
	}
	if useBits {
		// Q's records, and its correct records, as bitsets.
		bb := grow(m.bitBuf, 2*m.words)
		m.bitBuf = bb
		b, bc := bb[:m.words], bb[m.words:]
		if d == 1 {
			b = m.tagWords[x]
		} else {
			andTo(b, m.tagWords[q[0]], m.tagWords[q[1]])
			for _, t := range q[2:] {
				andTo(b, b, m.tagWords[t])
			}
		}
		andTo(bc, b, m.corr)
		for i, y := range m.candY {
			// Most candidates are not frequent: count their correct
			// records only when they are.
			tw := m.tagWords[y]
			if n := popAnd(b, tw); uint64(n) >= s {
				c := popAnd(bc, tw)
				m.evaluate(l, e, m.candE[i*stride:(i+1)*stride], y, int64(n), int64(c))
			}
		}
		m.tick(2 * m.words * nc)
		return
	}
	cnt, corr := m.cnt, m.corr
	scan := 0
	for _, it := range items {
		inc := 1 + (corr[it.r>>6]>>(uint(it.r)&63)&1)<<32
		q := it.p + 1
		for ; rows[q] >= 0; q++ {
			cnt[rows[q]] += inc
		}
		scan += int(q - it.p)
	}
	for i, y := range m.candY {
		v := cnt[y]
		if v&0xffffffff >= s {
			m.evaluate(l, e, m.candE[i*stride:(i+1)*stride], y, int64(v&0xffffffff), int64(v>>32))
		}
	}
	if rest := len(cnt) - int(x) - 1; rest <= scan {
		clear(cnt[x+1:])
	} else {
		for _, it := range items {
			for q := it.p + 1; rows[q] >= 0; q++ {
				cnt[rows[q]] = 0
			}
		}
	}
	m.tick(scan)
}

// evaluate decides a frequent candidate U = Q ∪ {y} of level l with n
// records, c of them correct. Q is entry e of level l−1, and subs are the
// entries in level l−1 of U's other subsets of l−1 tags.
func (m *miner) evaluate(l int, e int32, subs []int32, y int32, n, c int64) {
	p := &m.p
	if !p.SkipTested {
		m.tested = append(m.tested, uint64(n)<<32|uint64(c))
	}
	store := l < p.MaxTags
	drop := m.dropOK(c, n)
	if !store && !drop {
		return // the minimality condition is not needed
	}
	// The lowest accuracy among U's proper non-empty subsets: each lies in
	// one of U's subsets of l−1 tags, which record the lowest accuracy
	// among themselves and their own subsets.
	lv := &m.levels[l-1]
	mc, mn := int64(lv.minC[e]), int64(lv.minN[e])
	for _, g := range subs {
		if gc, gn := int64(lv.minC[g]), int64(lv.minN[g]); less(gc, gn, mc, mn) {
			mc, mn = gc, gn
		}
	}
	if drop && atLeast(mc, mn, c, n, p.MinMarginalDrop) {
		m.addMode(m.prefix(l-1, e), y, n, c)
	}
	if !store {
		return
	}
	if less(c, n, mc, mn) {
		mc, mn = c, n
	}
	if p.SkipTested && m.dead(mc, mn, c, n) {
		return
	}
	m.levels[l].add(y, e, int32(n), int32(c), int32(mc), int32(mn))
}

// addMode records the failure mode q ∪ {y} (dense ids).
func (m *miner) addMode(q []int32, y int32, n, c int64) {
	m.modeStart = append(m.modeStart, len(m.modeTags))
	for _, t := range q {
		m.modeTags = append(m.modeTags, int(m.tagID[t]))
	}
	m.modeTags = append(m.modeTags, int(m.tagID[y]))
	m.modes = append(m.modes, Mode{N: int(n), Correct: int(c)})
}

// dropOK reports whether a set of n records, c correct, meets the drop
// condition.
func (m *miner) dropOK(c, n int64) bool {
	N, C := int64(m.n), m.nc
	if m.p.Baseline == BaselineClass {
		return atLeast(C, N, c, n, m.p.MinDrop)
	}
	if n == N { // the rest is empty: its accuracy is the class's
		return atLeast(C, N, c, n, m.p.MinDrop)
	}
	return atLeast(C-c, N-n, c, n, m.p.MinDrop)
}

// dead reports, for SkipTested, that no proper superset of a set T can be
// a failure mode. T has n records, c correct, and mc/mn is the lowest
// accuracy among T and its non-empty subsets.
//
// Proof. Let W ⊋ T be a mode. S(W) ⊆ S(T), so W has at most w = n − c
// wrong records, and n_W ≥ s. Its accuracy is 1 − w_W/n_W ≥ 1 − w/n_W ≥
// 1 − w/s (the bound grows with n_W), and at least 0: A_W ≥ lo =
// max(0, s − w)/s. Every non-empty T' ⊆ T is a proper subset of W, so
// minimality asks A_T' − A_W ≥ b, in particular mc/mn − lo ≥ mc/mn − A_W ≥ b.
// The drop asks, against the class, A_c − lo ≥ A_c − A_W ≥ a, and against
// the rest, whose accuracy is at most 1, 1 − lo ≥ a. When any of these
// fails, no such W exists.
func (m *miner) dead(mc, mn, c, n int64) bool {
	s := int64(m.p.MinSize)
	lo := max(0, s-(n-c))
	if !atLeast(mc, mn, lo, s, m.p.MinMarginalDrop) {
		return true
	}
	if m.p.Baseline == BaselineClass {
		return !atLeast(m.nc, int64(m.n), lo, s, m.p.MinDrop)
	}
	return !atLeast(1, 1, lo, s, m.p.MinDrop)
}

func (m *miner) finish() *Result {
	res := &Result{Evaluated: m.eval}
	if m.err != nil {
		return res
	}
	if len(m.modes) > 0 {
		tags := slices.Clone(m.modeTags)
		res.Modes = slices.Clone(m.modes)
		for i := range res.Modes {
			end := len(tags)
			if i+1 < len(m.modeStart) {
				end = m.modeStart[i+1]
			}
			res.Modes[i].Tags = tags[m.modeStart[i]:end:end]
		}
	}
	m.sortTested()
	for i := 0; i < len(m.tested); {
		j := i + 1
		for j < len(m.tested) && m.tested[j] == m.tested[i] {
			j++
		}
		v := m.tested[i]
		res.Tested = append(res.Tested, Support{N: int(v >> 32), Correct: int(v & 0xffffffff), Sets: int64(j - i)})
		i = j
	}
	return res
}

// sortTested sorts m.tested (n<<32 | c) by LSD radix sort on the bits the
// counts use, 11 bits a pass: a few linear passes instead of a comparison
// sort.
func (m *miner) sortTested() {
	keys := m.tested
	if len(keys) < 256 {
		slices.Sort(keys)
		return
	}
	var maxN, maxC uint64
	for _, k := range keys {
		maxN = max(maxN, k>>32)
		maxC = max(maxC, k&0xffffffff)
	}
	cb := uint(bits.Len64(maxC))
	for i, k := range keys {
		keys[i] = k>>32<<cb | k&0xffffffff
	}
	width := uint(bits.Len64(maxN)) + cb
	tmp := grow(m.sortBuf, len(keys))
	m.sortBuf = tmp
	var count [1 << 11]int
	for shift := uint(0); shift < width; shift += 11 {
		clear(count[:])
		for _, k := range keys {
			count[k>>shift&(1<<11-1)]++
		}
		sum := 0
		for i, c := range count {
			count[i] = sum
			sum += c
		}
		for _, k := range keys {
			d := k >> shift & (1<<11 - 1)
			tmp[count[d]] = k
			count[d]++
		}
		keys, tmp = tmp, keys
	}
	mask := uint64(1)<<cb - 1
	for i, k := range keys {
		m.tested[i] = k>>cb<<32 | k&mask
	}
}

func popcount(w []uint64) int {
	var s0, s1, s2, s3 int
	i := 0
	for ; i+4 <= len(w); i += 4 {
		s0 += bits.OnesCount64(w[i])
		s1 += bits.OnesCount64(w[i+1])
		s2 += bits.OnesCount64(w[i+2])
		s3 += bits.OnesCount64(w[i+3])
	}
	for ; i < len(w); i++ {
		s0 += bits.OnesCount64(w[i])
	}
	return s0 + s1 + s2 + s3
}

// popAnd returns the number of bits set in both a and b (len(b) ≥ len(a)).
func popAnd(a, b []uint64) int {
	b = b[:len(a)]
	var s0, s1, s2, s3 int
	i := 0
	for ; i+4 <= len(a); i += 4 {
		s0 += bits.OnesCount64(a[i] & b[i])
		s1 += bits.OnesCount64(a[i+1] & b[i+1])
		s2 += bits.OnesCount64(a[i+2] & b[i+2])
		s3 += bits.OnesCount64(a[i+3] & b[i+3])
	}
	for ; i < len(a); i++ {
		s0 += bits.OnesCount64(a[i] & b[i])
	}
	return s0 + s1 + s2 + s3
}

// andTo sets dst to a AND b, all of the same length.
func andTo(dst, a, b []uint64) {
	a = a[:len(dst)]
	b = b[:len(dst)]
	for i := range dst {
		dst[i] = a[i] & b[i]
	}
}
