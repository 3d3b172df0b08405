package mining

import (
	"cmp"
	"context"
	"fmt"
	"maps"
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
	ctx  context.Context
	p    Params
	err  error
	work int
	way  counting // tests: how supports are counted; 0 chooses by cost

	n       int            // records
	words   int            // words of a bitset of n records
	nc      int64          // correct records
	rowLen  float64        // frequent tags per record, on average
	correct *bitset.BitSet // the correct records, never nil
	none    bitset.BitSet  // the empty set, for a nil Class.Correct

	first  [][3]int32       // the frequent tags' n, correct and index in Class.Tags
	tags   []*bitset.BitSet // dense id → its records
	tagID  []int32          // dense id → index in Class.Tags
	levels []level          // levels[l]: the kept sets of l tags; levels[0] unused

	// Scratch of the walk. stack[d] holds the records of the set at depth d;
	// set and setCorrect those of a set whose extensions are counted by
	// bitsets.
	stack           []bitset.BitSet
	set, setCorrect bitset.BitSet
	// Counting by table: every record's frequent tags (dense ids,
	// ascending) are rows[rowStart[r]:rowStart[r+1]].
	rows, rowStart []int32
	recs           []uint   // records of a set
	slot           []int32  // dense id → index among the children counted, or -1
	proj           []int32  // a record's row projected on the children
	table          []uint64 // counts of pairs of children: n in the low 32 bits, correct in the high 32

	q, sub, lists, candY, candE []int32

	tested  map[uint64]int64 // n<<32 | correct → how many frequent sets have these counts
	lastKey uint64           // the counts of the last run of sets not yet in tested
	lastRun int64            // and their number
	modes   []Mode           // the modes found
	eval    int64
	held    int64 // bytes held for kept sets and modes, against Params.MemoryLimit
}

// counting is a way of counting supports.
type counting int

const (
	byCost   counting = iota // bitsets or table, whichever costs less
	byBits                   // always bitsets
	byTables                 // always tables
)

// Mine is the function Mine, run with the Miner's scratch memory.
func (m *Miner) Mine(ctx context.Context, c *Class, p Params) (*Result, error) {
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
	m.reset(ctx, c, p)
	m.run(c)
	res := m.result()
	m.ctx, m.correct = nil, nil // drop references to the caller's data
	clear(m.tags)
	if le, ok := m.err.(*LimitError); ok {
		return nil, le
	}
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
	if p.MemoryLimit < 0 {
		return fmt.Errorf("%w: MemoryLimit %d is not in [0, ∞)", ErrParams, p.MemoryLimit)
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
		if r, ok := c.Correct.NextSet(uint(c.N)); ok {
			return fmt.Errorf("mining: Class.Correct has record %d, not below N = %d", r, c.N)
		}
	}
	for t, b := range c.Tags {
		if b == nil {
			continue
		}
		if r, ok := b.NextSet(uint(c.N)); ok {
			return fmt.Errorf("mining: Class.Tags[%d] has record %d, not below N = %d", t, r, c.N)
		}
	}
	return nil
}

// level holds the kept sets of one size l, in lexicographic order, as a
// prefix tree: set i is the set parent[i] of level l−1 plus the tag
// last[i]; the sets extending set i by one tag are entries child[i] to
// child[i+1]−1 of level l+1. Tags are dense ids (indices into level 1).
type level struct {
	last, parent []int32
	n, c         []int32
	// minC/minN is the lowest accuracy among the set and all its non-empty
	// subsets, the quantity the minimality condition of a superset needs.
	minC, minN []int32
	child      []int32
}

// setBytes is the memory a kept set takes: the seven int32 of a level.
const setBytes = 7 * 4

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

// children returns the entries of level d+1 that extend entry e of level d;
// for d = 0, every entry of level 1.
func (m *Miner) children(d int, e int32) (c0, c1 int32) {
	if d == 0 {
		return 0, int32(m.levels[1].len())
	}
	return m.levels[d].child[e], m.levels[d].child[e+1]
}

func (m *Miner) reset(ctx context.Context, c *Class, p Params) {
	m.ctx, m.p, m.err, m.work = ctx, p, nil, 0
	m.n, m.words = c.N, (c.N+63)/64
	m.correct = c.Correct
	if m.correct == nil {
		m.correct = &m.none
	}
	m.nc = int64(m.correct.Count())
	m.tags, m.tagID, m.first = m.tags[:0], m.tagID[:0], m.first[:0]
	m.rowStart = m.rowStart[:0]
	if m.tested == nil {
		m.tested = make(map[uint64]int64)
	}
	clear(m.tested)
	m.lastRun = 0
	m.modes = m.modes[:0]
	m.eval, m.held = 0, 0
	if len(m.levels) < 2 {
		m.levels = make([]level, 2)
	}
	for i := range m.levels {
		m.levels[i].reset()
	}
}

// tick counts work done and, every so often, looks at the context. Work
// counts in the units of the costs below: a word of a bitset.
func (m *Miner) tick(units int) bool {
	if m.err != nil {
		return false
	}
	m.work += units
	if m.work >= 1<<16 {
		return m.look()
	}
	return true
}

// look looks at the context, and reports false when it is done.
func (m *Miner) look() bool {
	m.work = 0
	if err := m.ctx.Err(); err != nil {
		m.err = err
	}
	return m.err == nil
}

func (m *Miner) run(c *Class) {
	// Level 1: every non-nil tag's support is counted.
	p := &m.p
	s := uint(p.MinSize)
	l1 := &m.levels[1]
	for t, b := range c.Tags {
		if b == nil {
			continue
		}
		m.eval++
		n := b.Count()
		if !m.tick(m.words) || n < s {
			continue
		}
		k := int64(b.IntersectionCardinality(m.correct))
		m.count(int64(n), k)
		if m.dropOK(k, int64(n)) && !m.addMode(nil, int32(t), int64(n), k) {
			return
		}
		if p.MaxTags < 2 {
			continue
		}
		m.first = append(m.first, [3]int32{int32(n), int32(k), int32(t)})
	}
	// Dense ids number the tags from the rarest to the most common: a set
	// is extended only by tags after its own, so the common tags, whose
	// records are many, have few extensions to count by table.
	slices.SortFunc(m.first, func(a, b [3]int32) int { return cmp.Or(cmp.Compare(a[0], b[0]), cmp.Compare(a[2], b[2])) })
	for i, f := range m.first {
		l1.add(int32(i), -1, f[0], f[1], f[1], f[0])
		m.tagID = append(m.tagID, f[2])
		m.tags = append(m.tags, c.Tags[f[2]])
	}
	m.held += int64(l1.len()) * setBytes
	var nnz int64
	for _, k := range l1.n {
		nnz += int64(k)
	}
	m.rowLen = float64(nnz) / max(1, float64(m.n))
	for l := 2; l <= p.MaxTags && m.err == nil && m.levels[l-1].len() >= 2; l++ {
		if l < p.MaxTags {
			if len(m.levels) <= l {
				m.levels = append(m.levels, level{})
			}
			if !m.fits(l) {
				return
			}
		}
		m.walk(l, 0, -1)
		if l < p.MaxTags {
			m.linkChildren(l - 1)
			m.held += int64(m.levels[l].len()) * setBytes
		}
	}
}

// fits reports whether the sets of l tags the search may keep fit in the
// memory limit beside what it holds: at most one for each two sets of l−1
// tags that share their first l−2. Otherwise it sets m.err.
func (m *Miner) fits(l int) bool {
	lv := &m.levels[l-1]
	var sets int64
	for i := 0; i < lv.len(); {
		j := i + 1
		for j < lv.len() && lv.parent[j] == lv.parent[i] {
			j++
		}
		g := int64(j - i)
		sets += g * (g - 1) / 2
		i = j
	}
	if lim := m.p.MemoryLimit; lim > 0 && m.held+sets*setBytes > lim {
		m.err = &LimitError{Tags: l, Sets: sets, Bytes: m.held + sets*setBytes, Limit: lim}
		return false
	}
	return true
}

// linkChildren fills level l's child index from level l+1's parents.
func (m *Miner) linkChildren(l int) {
	lv, next := &m.levels[l], &m.levels[l+1]
	lv.child = slices.Grow(lv.child[:0], lv.len()+1)[:lv.len()+1]
	j := 0
	for i := range lv.child {
		for j < next.len() && int(next.parent[j]) < i {
			j++
		}
		lv.child[i] = int32(j)
	}
}

// walk visits, for pass l (l ≥ 2), set e of level d (the empty set for
// d = 0), whose records are m.stack[d] (every record for d = 0), and below
// it the sets of level l−2, where the extensions of their children are
// counted.
func (m *Miner) walk(l, d int, e int32) {
	if d == l-2 {
		m.countChildren(l, d, e)
		return
	}
	for len(m.stack) <= d+1 {
		m.stack = append(m.stack, bitset.BitSet{})
	}
	c0, c1 := m.children(d, e)
	for ch := c0; ch < c1 && (d > 0 || m.look()); ch++ {
		m.recordsOf(&m.stack[d+1], d, m.levels[d+1].last[ch])
		m.walk(l, d+1, ch)
	}
}

// recordsOf sets dst to the records of the set at depth d of the walk
// plus tag x.
func (m *Miner) recordsOf(dst *bitset.BitSet, d int, x int32) {
	if d == 0 {
		m.tags[x].CopyFull(dst)
		return
	}
	m.stack[d].CopyFull(dst)
	dst.InPlaceIntersection(m.tags[x])
	m.tick(m.words)
}

// countChildren counts and evaluates the candidates of level l that extend
// the children of set e of level d = l−2, each by a later sibling, by
// bitsets or by table, whichever costs less.
func (m *Miner) countChildren(l, d int, e int32) {
	c0, c1 := m.children(d, e)
	if c1-c0 < 2 {
		return
	}
	if m.byTable(d, e, c0, c1) {
		m.countByTable(l, d, e, c0, c1)
		return
	}
	for ch := c0; ch < c1 && (d > 0 || m.look()) && m.err == nil; ch++ {
		m.recordsOf(&m.set, d, m.levels[d+1].last[ch])
		m.set.CopyFull(&m.setCorrect)
		m.setCorrect.InPlaceIntersection(m.correct)
		stride := m.candidates(l, ch)
		for i, y := range m.candY {
			// Most candidates are not frequent: count their correct
			// records only when they are.
			if n := m.set.IntersectionCardinality(m.tags[y]); n >= uint(m.p.MinSize) {
				c := m.setCorrect.IntersectionCardinality(m.tags[y])
				m.evaluate(l, ch, m.candE[i*stride:(i+1)*stride], y, int64(n), int64(c))
			}
		}
		m.tick(m.words * (2 + len(m.candY)))
	}
}

// Costs of the two ways of counting, relative to the AND and popcount of
// one word of two bitsets, measured with BenchmarkMine: reading one tag of
// a record's row, and adding one to a count of a table.
const (
	rowCost   = 3
	tableCost = 4
)

// byTable reports whether the extensions of the children c0..c1−1 of set e
// of level d cost less to count by table than by bitsets. By bitsets, each
// pair of children costs the words of a bitset; by table, each record of
// the set costs its row, and each pair of children it carries an addition,
// about (Σ children's records)² / (2 · the set's records) in all.
func (m *Miner) byTable(d int, e int32, c0, c1 int32) bool {
	switch m.way {
	case byBits:
		return false
	case byTables:
		return true
	}
	g := float64(c1 - c0)
	words := float64(m.words)
	bits := (g*(g-1)/2 + 2*g) * words
	n := float64(m.n)
	if d > 0 {
		n = float64(m.levels[d].n[e])
	}
	var sum float64
	for _, k := range m.levels[d+1].n[c0:c1] {
		sum += float64(k)
	}
	table := words + n*m.rowLen*rowCost + sum*sum/(2*max(1, n))*tableCost + g*g/2
	return table < bits
}

// maxTable is the most entries of a table of counts: 32 MiB.
const maxTable = 1 << 22

// countByTable counts, for the children c0..c1−1 of set e of level d, the
// records of the set carrying each two of them, record by record into a
// table, and evaluates the candidates of level l among those pairs. The
// table holds the pairs i < j of children, row i after row i−1; its rows
// are counted in blocks of at most maxTable entries.
func (m *Miner) countByTable(l, d int, e, c0, c1 int32) {
	m.buildRows()
	g := int(c1 - c0)
	if len(m.slot) < m.levels[1].len() {
		m.slot = slices.Repeat([]int32{-1}, m.levels[1].len())
	}
	next := &m.levels[d+1]
	for ch := c0; ch < c1; ch++ {
		m.slot[next.last[ch]] = ch - c0
	}
	defer func() {
		for ch := c0; ch < c1; ch++ {
			m.slot[next.last[ch]] = -1
		}
	}()
	recs := m.recs[:0]
	from := int32(0) // the children's tags come after the set's
	if d == 0 {
		for r := range m.n {
			recs = append(recs, uint(r))
		}
	} else {
		recs = m.stack[d].AppendTo(recs)
		from = m.levels[d].last[e] + 1
	}
	m.recs = recs
	// Row i starts at off(i) = i·g − i(i+1)/2 and holds the pairs (i, j),
	// j > i, at off(i) + j − i − 1.
	off := func(i int) int { return i*g - i*(i+1)/2 }
	for b0 := 0; b0 < g && m.err == nil; {
		b1 := b0 + 1
		for b1 < g && off(b1+1)-off(b0) <= maxTable {
			b1++
		}
		t := slices.Grow(m.table[:0], off(b1)-off(b0))[:off(b1)-off(b0)]
		m.table = t
		clear(t)
		work := 0
		for _, r := range recs {
			row := m.rows[m.rowStart[r]:m.rowStart[r+1]]
			for len(row) > 0 && row[0] < from {
				row = row[1:]
			}
			proj := m.proj[:0]
			for _, z := range row {
				if s := m.slot[z]; s >= 0 {
					proj = append(proj, s)
				}
			}
			m.proj = proj
			work += len(row) + len(proj)*len(proj)
			if len(proj) < 2 {
				continue
			}
			inc := 1 + uint64(b2i(m.correct.Test(r)))<<32
			for i, x := range proj {
				if int(x) < b0 {
					continue
				}
				if int(x) >= b1 {
					break
				}
				base := off(int(x)) - off(b0) - int(x) - 1
				for _, y := range proj[i+1:] {
					t[base+int(y)] += inc
				}
			}
		}
		if !m.tick(work + len(t)) {
			return
		}
		for i := b0; i < b1 && m.err == nil; i++ {
			ch := c0 + int32(i)
			stride := m.candidates(l, ch)
			base := off(i) - off(b0) - i - 1 - int(c0)
			for k, y := range m.candY {
				v := t[base+int(m.candE[k*stride])]
				if n := int64(v & 0xffffffff); n >= int64(m.p.MinSize) {
					m.evaluate(l, ch, m.candE[k*stride:(k+1)*stride], y, n, int64(v>>32))
				}
			}
		}
		b0 = b1
	}
}

func b2i(b bool) int {
	if b {
		return 1
	}
	return 0
}

// buildRows writes every record's frequent tags, once per class: a first
// pass over each tag's records (NextSetMany) sizes the rows, a second
// fills them.
func (m *Miner) buildRows() {
	if len(m.rowStart) > 0 {
		return
	}
	start := slices.Grow(m.rowStart[:0], m.n+1)[:m.n+1]
	clear(start)
	fill := slices.Grow(m.proj[:0], m.n)[:m.n]
	buf := slices.Grow(m.recs[:0], 512)[:512]
	for pass := range 2 {
		for x, b := range m.tags {
			for i, got := b.NextSetMany(0, buf); len(got) > 0; i, got = b.NextSetMany(i+1, buf) {
				if pass == 0 {
					for _, r := range got {
						start[r+1]++
					}
					continue
				}
				for _, r := range got {
					m.rows[fill[r]] = int32(x)
					fill[r]++
				}
			}
		}
		if pass == 0 {
			for r := range m.n {
				start[r+1] += start[r]
			}
			m.rows = slices.Grow(m.rows[:0], int(start[m.n]))[:start[m.n]]
			copy(fill, start)
		}
	}
	m.rowStart, m.proj, m.recs = start, fill, buf
	m.tick(len(m.rows))
}

// prefix writes the dense tags of set e of level d into m.q.
func (m *Miner) prefix(d int, e int32) []int32 {
	m.q = slices.Grow(m.q[:0], d)[:d]
	for j := d; j >= 1; j-- {
		m.q[j-1] = m.levels[j].last[e]
		e = m.levels[j].parent[e]
	}
	return m.q
}

// lookup returns the entry of the set tags (dense ids, ascending) in level
// len(tags), or -1.
func (m *Miner) lookup(tags []int32) int32 {
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

// candidates writes into m.candY the tags y that extend set e of level
// l−1, Q, into a candidate Q ∪ {y} of level l, and into m.candE, stride
// entries for each, the entries in level l−1 of the candidate's subsets of
// l−1 tags other than Q: first its sibling, then one for each other tag of
// Q. It returns that stride, and counts the candidates.
//
// U = Q ∪ {y}, y > x = Q's last tag, is a candidate (Apriori) when each of
// its subsets of l−1 tags is in level l−1. Those subsets are Q, the
// sibling P ∪ {y} (P = Q without x), and (Q without q_i) ∪ {y} for each
// q_i in P: y must be a later sibling of x and a child of each Q without
// q_i. The lists are sorted, so they are merged.
func (m *Miner) candidates(l int, e int32) (stride int) {
	d := l - 1
	lv := &m.levels[d]
	q := m.prefix(d, e)
	_, s1 := m.children(d-1, lv.parent[e])
	s0 := e + 1
	nl := d - 1 // other lists
	m.lists = slices.Grow(m.lists[:0], 2*nl)[:2*nl]
	for i := range nl {
		m.sub = append(append(m.sub[:0], q[:i]...), q[i+1:]...)
		g := m.lookup(m.sub) // found: every subset of a kept set is kept
		m.lists[2*i], m.lists[2*i+1] = m.children(d-1, g)
	}
	m.candY, m.candE = m.candY[:0], m.candE[:0]
	last := lv.last
merge:
	for j := s0; j < s1; j++ {
		y := last[j]
		for i := range nl {
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
		for i := range nl {
			m.candE = append(m.candE, m.lists[2*i])
		}
	}
	m.eval += int64(len(m.candY))
	m.tick(int(s1-s0) + len(m.candY))
	return 1 + nl
}

// evaluate decides a frequent candidate U = Q ∪ {y} of level l with n
// records, c of them correct. Q is entry e of level l−1, and subs are the
// entries in level l−1 of U's other subsets of l−1 tags.
func (m *Miner) evaluate(l int, e int32, subs []int32, y int32, n, c int64) {
	p := &m.p
	m.count(n, c)
	keep := l < p.MaxTags
	drop := m.dropOK(c, n)
	if !keep && !drop {
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
	if drop && atLeast(mc, mn, c, n, p.MinMarginalDrop) && !m.addMode(m.prefix(l-1, e), y, n, c) {
		return
	}
	if !keep {
		return
	}
	if less(c, n, mc, mn) {
		mc, mn = c, n
	}
	m.levels[l].add(y, e, int32(n), int32(c), int32(mc), int32(mn))
}

// count records a frequent set of n records, c correct, in Result.Tested.
// Runs of sets with the same counts, common in dense data, are counted
// before they go to the map.
func (m *Miner) count(n, c int64) {
	if key := uint64(n)<<32 | uint64(c); key != m.lastKey {
		m.flushCount()
		m.lastKey = key
	}
	m.lastRun++
}

// flushCount adds the run of sets with the counts m.lastKey to the map.
func (m *Miner) flushCount() {
	if m.lastRun > 0 {
		m.tested[m.lastKey] += m.lastRun
		m.lastRun = 0
	}
}

// modeBytes is the memory a mode of l tags takes in a Miner and in its
// Result.
func modeBytes(l int) int64 { return int64(2 * (8*l + 8 + 40)) }

// addMode records the failure mode q ∪ {y} (dense ids; for level 1, y is
// the Class.Tags index and q is nil). It reports false, and sets m.err,
// when the modes outgrow the memory limit.
func (m *Miner) addMode(q []int32, y int32, n, c int64) bool {
	m.held += modeBytes(len(q) + 1)
	if lim := m.p.MemoryLimit; lim > 0 && m.held > lim {
		m.err = &LimitError{Modes: true, Sets: int64(len(m.modes) + 1), Bytes: m.held, Limit: lim}
		return false
	}
	tags := make([]int, 0, len(q)+1)
	for _, t := range q {
		tags = append(tags, int(m.tagID[t]))
	}
	if q == nil {
		tags = append(tags, int(y))
	} else {
		tags = append(tags, int(m.tagID[y]))
	}
	slices.Sort(tags)
	m.modes = append(m.modes, Mode{Tags: tags, N: int(n), Correct: int(c)})
	return true
}

// dropOK reports whether a set of n records, c correct, meets the drop
// condition.
func (m *Miner) dropOK(c, n int64) bool {
	N, C := int64(m.n), m.nc
	if m.p.Baseline == BaselineClass || n == N { // when the rest is empty, its accuracy is the class's
		return atLeast(C, N, c, n, m.p.MinDrop)
	}
	return atLeast(C-c, N-n, c, n, m.p.MinDrop)
}

// result copies what the search found out of the Miner.
func (m *Miner) result() *Result {
	res := &Result{Evaluated: m.eval}
	if m.err != nil {
		return res
	}
	if len(m.modes) > 0 {
		// The Miner keeps its slice, never the modes' tags.
		res.Modes = slices.Clone(m.modes)
		slices.SortFunc(res.Modes, func(a, b Mode) int {
			return cmp.Or(cmp.Compare(len(a.Tags), len(b.Tags)), slices.Compare(a.Tags, b.Tags))
		})
	}
	m.flushCount()
	if len(m.tested) > 0 {
		keys := slices.Sorted(maps.Keys(m.tested))
		res.Tested = make([]Support, len(keys))
		for i, k := range keys {
			res.Tested[i] = Support{N: int(k >> 32), Correct: int(k & 0xffffffff), Sets: m.tested[k]}
		}
	}
	return res
}
