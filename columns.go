package prime

import (
	"fmt"
	"math"
	"slices"
	"unicode/utf8"

	"github.com/failmodes/prime/internal/jsonl"
)

// Columns holds records in columns, with labels, predictions and tags as
// indices into dictionaries: the shape in which columnar formats (Parquet,
// Arrow) hold them. DatasetBuilder.AddColumns takes them at the cost of a
// lookup per dictionary entry that a record uses, not per value: how the
// readers of package recordfile build a Dataset.
type Columns struct {
	IDs      []string // per record
	Images   []string // per record ("" when unknown); nil when no record has one
	Labels   []string // the dictionary of labels
	Label    []int32  // per record: an index into Labels
	Preds    []string // the dictionary of predictions
	Pred     []int32  // per record: an index into Preds, or -1 when only Correct is known
	Correct  []bool   // per record; read where Pred is -1 or its entry is ""
	Tags     []string // the dictionary of tags
	TagStart []int    // len(IDs)+1, from 0: record i's tags are TagIDs[TagStart[i]:TagStart[i+1]]
	TagIDs   []int32  // indices into Tags

	// The scores records keep (see Record), optional: TagFloor holds each
	// record's Record.TagFloor, NoFloor (or any negative number) for a
	// record that keeps no tag scores, and is nil when none does; TagScores
	// and PredScores hold the scores.
	TagScores  ScoreColumns
	TagFloor   []float32
	PredScores ScoreColumns
}

// NoFloor stands in Columns.TagFloor for the floor of a record that keeps
// no tag scores.
const NoFloor = jsonl.NoFloor

// ScoreColumns holds the scores that records keep, in columns, with names
// as indices into a dictionary. Its zero value holds no scores.
type ScoreColumns struct {
	Names  []string  // the dictionary of names
	Start  []int     // nil, or len(IDs)+1 from 0: record i's scores are IDs[Start[i]:Start[i+1]], with Values likewise
	IDs    []int32   // indices into Names
	Values []float32 // the scores
}

// list returns the scores of record i as Scores, in their order, without
// those whose index is outside the dictionary, in a new slice, non-nil.
func (s *ScoreColumns) list(i int) []Score {
	if s.Start == nil {
		return []Score{}
	}
	out := make([]Score, 0, s.Start[i+1]-s.Start[i])
	for k := s.Start[i]; k < s.Start[i+1]; k++ {
		if id := s.IDs[k]; id >= 0 && int(id) < len(s.Names) {
			out = append(out, Score{Name: s.Names[id], Value: s.Values[k]})
		}
	}
	return out
}

// check reports whether s is nil or holds the scores of n records, and
// what is wrong otherwise.
func (s *ScoreColumns) check(what string, n int) error {
	if s.Start == nil {
		if len(s.IDs) != 0 || len(s.Values) != 0 {
			return fmt.Errorf("prime: AddColumns: %d %s without Start", len(s.IDs), what)
		}
		return nil
	}
	if len(s.Start) != n+1 || s.Start[0] != 0 || s.Start[n] != len(s.IDs) || len(s.Values) != len(s.IDs) {
		return fmt.Errorf("prime: AddColumns: %d records, but %d %s starts (want %d, from 0 to %d), %d values",
			n, len(s.Start), what, n+1, len(s.IDs), len(s.Values))
	}
	for i := range n {
		if s.Start[i+1] < s.Start[i] {
			return fmt.Errorf("prime: AddColumns: %s Start[%d] = %d after %d: out of order", what, i+1, s.Start[i+1], s.Start[i])
		}
	}
	return nil
}

// Len returns the number of records in c.
func (c *Columns) Len() int { return len(c.IDs) }

// Record returns record i of c, as Add would take it.
func (c *Columns) Record(i int) Record {
	r := Record{ID: c.IDs[i], Correct: c.Correct[i]}
	if l := c.Label[i]; l >= 0 && int(l) < len(c.Labels) {
		r.Label = c.Labels[l]
	}
	if p := c.Pred[i]; p >= 0 && int(p) < len(c.Preds) {
		r.Predicted = c.Preds[p]
	}
	if c.Images != nil {
		r.Image = c.Images[i]
	}
	for _, t := range c.TagIDs[c.TagStart[i]:c.TagStart[i+1]] {
		if t >= 0 && int(t) < len(c.Tags) {
			r.Tags = append(r.Tags, c.Tags[t])
		}
	}
	if c.TagFloor != nil && !(c.TagFloor[i] < 0) {
		r.TagScores, r.TagFloor = c.TagScores.list(i), c.TagFloor[i]
	}
	if c.PredScores.Start != nil && c.PredScores.Start[i+1] > c.PredScores.Start[i] {
		r.PredScores = c.PredScores.list(i)
	}
	return r
}

// AddColumns adds the records of c, in order, as Add would one at a time,
// and takes c's slices: the caller must not use c after, whether or not
// AddColumns succeeds. It refuses, with a *RecordError naming the record's
// index (the builder's Len before the call plus the record's index in c),
// what Add refuses and an index outside its dictionary; and columns of
// unequal lengths or TagStart out of order, with an error. When it
// refuses, no record of c is added. Dictionary entries that no record uses
// do not reach the Dataset, nor are they checked. Its cost is a pass over
// the tags and a lookup per dictionary entry that a record uses, but for
// the entries of a dictionary given before: a dictionary that starts with
// one of the last few given (as a reader's, which grow from chunk to
// chunk, do) is looked up only past it. The tags are mapped to the
// Dataset's vocabulary once, when it is built.
func (b *DatasetBuilder) AddColumns(c *Columns) error { return b.addColumns(c, true) }

// addColumns is AddColumns, which checks the records of c, and sets
// Correct where Pred is known, when check is set; ReadDataset's parser
// checks them by the same rules and sets Correct.
func (b *DatasetBuilder) addColumns(c *Columns, check bool) error {
	n := len(c.IDs)
	if n == 0 {
		return nil
	}
	if err := c.check(); err != nil {
		return err
	}
	// Which tag entries the records use, whether one repeats within a
	// record, and where the first index outside the dictionary is.
	lastUse := zeroed(&b.scratch.lastUse, len(c.Tags)) // per entry: the last record that uses it, plus 1
	repeats, outside := false, n
	for i := range n {
		for _, t := range c.TagIDs[c.TagStart[i]:c.TagStart[i+1]] {
			if uint(t) >= uint(len(lastUse)) {
				outside = i
				break
			}
			repeats = repeats || lastUse[t] == int32(i+1)
			lastUse[t] = int32(i + 1)
		}
		if outside < n {
			break
		}
	}
	// The builder's id of each entry used, or newTag; the names the
	// builder holds were checked when it took them.
	seen := seenIn(&b.seen.tags, c.Tags)
	tagMap := make([]int32, len(c.Tags))
	for k, last := range lastUse {
		tagMap[k] = -1
		switch {
		case last == 0:
		case k < len(seen.ids) && seen.ids[k] >= 0:
			tagMap[k] = seen.ids[k]
		default:
			if id, ok := b.tags.Lookup(c.Tags[k]); ok {
				tagMap[k] = id
			} else {
				tagMap[k] = newTag
			}
		}
	}
	if check || outside < n {
		if err := b.checkColumns(c, tagMap, outside); err != nil {
			return err
		}
	}

	// The new entries in the builder's dictionary. Two entries of one name
	// are one tag: a record that has both keeps it once.
	for k, id := range tagMap {
		if id == newTag {
			tagMap[k] = b.tags.Add(c.Tags[k])
		}
	}
	mapped := zeroed(&b.scratch.mapped, len(b.tags.Names()))
	for _, id := range tagMap {
		if id >= 0 {
			repeats = repeats || mapped[id] != 0
			mapped[id] = 1
		}
	}
	if repeats {
		dropRepeats(c, tagMap)
	}
	seen.remember(c.Tags, tagMap)
	seen = seenIn(&b.seen.labels, c.Labels)
	labelMap := seen.known(make([]int32, len(c.Labels)))
	for _, l := range c.Label {
		if labelMap[l] < 0 {
			labelMap[l] = b.labels.Add(c.Labels[l])
		}
	}
	seen.remember(c.Labels, labelMap)
	seen = seenIn(&b.seen.preds, c.Preds)
	predMap := seen.known(zeroed(&b.scratch.predMap, len(c.Preds)))
	for i, l := range c.Label {
		p := c.Pred[i]
		if p < 0 || c.Preds[p] == "" {
			c.Pred[i] = -1 // only Correct is known
			continue
		}
		if predMap[p] < 0 {
			predMap[p] = b.preds.Add(c.Preds[p])
		}
		c.Pred[i] = predMap[p]
		if check { // else Correct says it already
			c.Correct[i] = c.Preds[p] == c.Labels[l]
		}
	}
	seen.remember(c.Preds, predMap)

	b.endPart()
	p := part{labelMap: labelMap, tagMap: tagMap, columns: columns{
		ids: c.IDs, images: c.Images, label: c.Label, pred: c.Pred, correct: c.Correct,
		tagStart: c.TagStart, tagIDs: c.TagIDs[:c.TagStart[n]],
		tagScores: takeScores(&b.scoredTags, &c.TagScores), predScores: takeScores(&b.scoredPreds, &c.PredScores)}}
	if c.TagFloor != nil && slices.ContainsFunc(c.TagFloor, func(f float32) bool { return f >= 0 }) {
		p.tagFloor = c.TagFloor
	} else {
		p.tagScores = scoreColumns{}
	}
	b.parts = append(b.parts, p)
	b.n += n
	*c = Columns{}
	return nil
}

// A seenDict is a dictionary that AddColumns was given, with the builder's
// id of its entries (-1 where unknown): a reader's dictionaries grow from
// chunk to chunk, and the entries they had are not looked up again.
type seenDict struct {
	names []string
	ids   []int32
}

// seenDicts are the dictionaries of each kind that a builder remembers.
type seenDicts struct {
	tags, labels, preds []seenDict
}

// maxSeenDicts is the number of dictionaries of a kind that a builder
// remembers: one per parser of a reader that parses on a few goroutines.
const maxSeenDicts = 8

// seenIn returns the dictionary of dicts that starts with the most of
// names, its ids cut to the entries it shares with names, or a new one
// (the least recently used replaced); it is the most recent after.
func seenIn(dicts *[]seenDict, names []string) *seenDict {
	best, shared := -1, 0
	for k := range *dicts {
		d := &(*dicts)[k]
		n := 0
		for n < min(len(d.names), len(names)) && d.names[n] == names[n] {
			n++
		}
		if n > shared {
			best, shared = k, n
		}
	}
	var d seenDict
	switch {
	case best >= 0:
		d = (*dicts)[best]
		*dicts = slices.Delete(*dicts, best, best+1)
	case len(*dicts) == maxSeenDicts:
		*dicts = slices.Delete(*dicts, 0, 1)
	}
	d.ids = d.ids[:shared]
	*dicts = append(*dicts, d)
	return &(*dicts)[len(*dicts)-1]
}

// known sets m[k] to the builder's id of entry k of the dictionary, when d
// knows it, and to -1 elsewhere; it returns m.
func (d *seenDict) known(m []int32) []int32 {
	for k := range m {
		m[k] = -1
		if k < len(d.ids) {
			m[k] = d.ids[k]
		}
	}
	return m
}

// remember makes d the dictionary names, whose entries have the builder's
// ids ids where not negative; d's ids are names' first entries'.
func (d *seenDict) remember(names []string, ids []int32) {
	d.names = names
	for k, id := range ids {
		if k == len(d.ids) {
			d.ids = append(d.ids, -1)
		}
		if id >= 0 {
			d.ids[k] = id
		}
	}
}

// zeroed returns (*buf)[:n] cleared, growing *buf when it is shorter.
func zeroed[T int32 | uint8](buf *[]T, n int) []T {
	if cap(*buf) < n {
		*buf = make([]T, n)
	}
	s := (*buf)[:n]
	clear(s)
	return s
}

// dropRepeats removes from the records of c the tags that an earlier tag
// of the record repeats, by their ids through tagMap.
func dropRepeats(c *Columns, tagMap []int32) {
	lastUse := make(map[int32]int)
	kept, start := 0, 0
	for i := range len(c.IDs) {
		end := c.TagStart[i+1]
		c.TagStart[i] = kept
		for _, t := range c.TagIDs[start:end] {
			if id := tagMap[t]; lastUse[id] != i+1 {
				lastUse[id] = i + 1
				c.TagIDs[kept] = t
				kept++
			}
		}
		start = end
	}
	c.TagStart[len(c.IDs)] = kept
}

// check reports columns of unequal lengths, and starts out of order.
func (c *Columns) check() error {
	n := len(c.IDs)
	if len(c.Label) != n || len(c.Pred) != n || len(c.Correct) != n || (c.Images != nil && len(c.Images) != n) ||
		len(c.TagStart) != n+1 || c.TagStart[0] != 0 || c.TagStart[n] != len(c.TagIDs) {
		return fmt.Errorf("prime: AddColumns: %d records, but %d labels, %d predictions, %d correct, %d images, %d tag starts (want %d, from 0 to %d)",
			n, len(c.Label), len(c.Pred), len(c.Correct), len(c.Images), len(c.TagStart), n+1, len(c.TagIDs))
	}
	for i := range n {
		if c.TagStart[i+1] < c.TagStart[i] {
			return fmt.Errorf("prime: AddColumns: TagStart[%d] = %d after %d: out of order", i+1, c.TagStart[i+1], c.TagStart[i])
		}
	}
	if err := c.TagScores.check("tag score", n); err != nil {
		return err
	}
	if err := c.PredScores.check("class score", n); err != nil {
		return err
	}
	if c.TagFloor != nil && len(c.TagFloor) != n {
		return fmt.Errorf("prime: AddColumns: %d records, but %d tag floors", n, len(c.TagFloor))
	}
	return nil
}

// newTag stands in AddColumns's map of tags for an entry that the builder's
// dictionary does not hold.
const newTag = -2

// checkColumns reports, as a *RecordError, the first record of c that Add
// would refuse or that has an index outside its dictionary (a tag outside
// it comes after the other faults, as tagOutside says). tagMap marks
// the tag entries the records use that are new to the builder (newTag),
// the only ones that may be bad, and outside is the first record with a
// tag outside the dictionary (len(c.IDs) when none is).
func (b *DatasetBuilder) checkColumns(c *Columns, tagMap []int32, outside int) error {
	fail := b.recordError
	// Which entries a record may not use: empty or not UTF-8.
	badLabel, badPred := badEntries(c.Labels, true), badEntries(c.Preds, false)
	badTag := make([]bool, len(c.Tags))
	checkTags := false
	for k, id := range tagMap {
		badTag[k] = id == newTag && (c.Tags[k] == "" || !utf8.ValidString(c.Tags[k]))
		checkTags = checkTags || badTag[k]
	}
	// tagOutside is the error about the first tag of record outside that
	// is outside the dictionary: reported in the record's turn when an
	// entry of Tags, used or not, is bad; else after every other fault.
	tagOutside := func() error {
		for k, t := range c.TagIDs[c.TagStart[outside]:c.TagStart[outside+1]] {
			if uint(t) >= uint(len(c.Tags)) {
				return fail(outside, "tags", fmt.Errorf("tag %d: index %d outside the dictionary of %d", k, t, len(c.Tags)))
			}
		}
		return nil
	}
	inTurn := outside < len(c.IDs) && slices.Contains(badEntries(c.Tags, true), true)
	for i, id := range c.IDs {
		l, p := c.Label[i], c.Pred[i]
		switch {
		case l < 0 || int(l) >= len(c.Labels):
			return fail(i, "label", fmt.Errorf("index %d outside the dictionary of %d", l, len(c.Labels)))
		case p < -1 || int(p) >= len(c.Preds):
			return fail(i, "pred", fmt.Errorf("index %d outside the dictionary of %d", p, len(c.Preds)))
		case i == outside && inTurn:
			return tagOutside()
		}
		bad := id == "" || !utf8.ValidString(id) || badLabel[l] || (p >= 0 && badPred[p]) ||
			(c.Images != nil && !utf8.ValidString(c.Images[i]))
		if checkTags {
			for _, t := range c.TagIDs[c.TagStart[i]:c.TagStart[i+1]] {
				bad = bad || badTag[t]
			}
		}
		if bad {
			r := c.Record(i)
			field, err := CheckRecord(&r)
			return fail(i, field, err)
		}
	}
	if c.TagFloor != nil || c.TagScores.Start != nil || c.PredScores.Start != nil {
		if err := b.checkScoreColumns(c); err != nil {
			return err
		}
	}
	if outside < len(c.IDs) {
		return tagOutside()
	}
	return nil
}

// recordError returns the *RecordError about record i of the columns that
// AddColumns is given.
func (b *DatasetBuilder) recordError(i int, field string, err error) error {
	return &RecordError{Index: b.Len() + i, Field: field, Err: err}
}

// takeScores returns the scores of s, their names as ids in dict, taking
// s's slices.
func takeScores(dict *jsonl.Dict, s *ScoreColumns) scoreColumns {
	if s.Start == nil || len(s.IDs) == 0 {
		return scoreColumns{}
	}
	m := slices.Repeat([]int32{-1}, len(s.Names))
	for k, id := range s.IDs {
		if m[id] < 0 {
			m[id] = dict.Add(s.Names[id])
		}
		s.IDs[k] = m[id]
	}
	return scoreColumns{start: s.Start, ids: s.IDs, vals: s.Values}
}

// checkScoreColumns checks the scores of c, whose other columns are
// checked, as AddColumns does: it refuses what Add refuses, and an index
// outside its dictionary.
func (b *DatasetBuilder) checkScoreColumns(c *Columns) error {
	fail := b.recordError
	// canon gives each entry of a dictionary the first entry of its name:
	// a name given twice in one record is a repeat, whatever its entries.
	canon := func(names []string) ([]int32, map[string]int32) {
		first := make(map[string]int32, len(names))
		out := make([]int32, len(names))
		for k, nm := range names {
			if f, ok := first[nm]; ok {
				out[k] = f
				continue
			}
			first[nm], out[k] = int32(k), int32(k)
		}
		return out, first
	}
	tagCanon, tagIndex := canon(c.TagScores.Names)
	predCanon, _ := canon(c.PredScores.Names)
	badTag, badPred := badEntries(c.TagScores.Names, true), badEntries(c.PredScores.Names, true)
	// The entry of each tag of c.Tags among the tag scores, -1 when none.
	scoreOf := make([]int32, len(c.Tags))
	for k, t := range c.Tags {
		scoreOf[k] = -1
		if id, ok := tagIndex[t]; ok {
			scoreOf[k] = id
		}
	}
	tagStamp, predStamp := make([]int, len(c.TagScores.Names)), make([]int, len(c.PredScores.Names))
	// scores reports whether the scores of record i in s are bad, or
	// returns the error of an index outside the dictionary.
	scores := func(i int, s *ScoreColumns, field string, canon []int32, badName []bool, stamp []int, unit bool) (bool, error) {
		if s.Start == nil {
			return false, nil
		}
		bad := false
		for k := s.Start[i]; k < s.Start[i+1]; k++ {
			id := s.IDs[k]
			if id < 0 || int(id) >= len(s.Names) {
				return false, fail(i, field, fmt.Errorf("score %d: index %d outside the dictionary of %d", k-s.Start[i], id, len(s.Names)))
			}
			v := float64(s.Values[k])
			bad = bad || badName[id] || math.IsNaN(v) || math.IsInf(v, 0) || (unit && !(v >= 0 && v <= 1)) ||
				stamp[canon[id]] == i+1
			stamp[canon[id]] = i + 1
		}
		return bad, nil
	}
	for i := range c.IDs {
		has := c.TagFloor != nil && !(c.TagFloor[i] < 0)
		if !has && c.TagScores.Start != nil && c.TagScores.Start[i+1] > c.TagScores.Start[i] {
			return fail(i, "tag_floor", jsonl.ErrMissing)
		}
		badT, err := scores(i, &c.TagScores, "tag_scores", tagCanon, badTag, tagStamp, true)
		if err != nil {
			return err
		}
		badP, err := scores(i, &c.PredScores, "pred_scores", predCanon, badPred, predStamp, false)
		if err != nil {
			return err
		}
		bad := badT || badP || (has && !(c.TagFloor[i] >= 0 && c.TagFloor[i] <= 1))
		if has && !bad {
			for _, t := range c.TagIDs[c.TagStart[i]:c.TagStart[i+1]] {
				if uint(t) >= uint(len(scoreOf)) {
					continue // reported by AddColumns
				}
				if id := scoreOf[t]; id < 0 || tagStamp[id] != i+1 {
					bad = true
					break
				}
			}
		}
		if bad {
			r := c.Record(i)
			field, err := CheckRecord(&r)
			return fail(i, field, err)
		}
	}
	return nil
}

// badEntries reports, for each entry of a dictionary, whether a record may
// not use it: one that is not valid UTF-8, or empty when empty is true.
func badEntries(names []string, empty bool) []bool {
	bad := make([]bool, len(names))
	for k, s := range names {
		bad[k] = (empty && s == "") || !utf8.ValidString(s)
	}
	return bad
}

// A RepeatedIDError is the error of a *RecordError about a record whose ID
// an earlier record has, from DatasetBuilder.Dataset: First is the index of
// the record where the ID first appears.
type RepeatedIDError struct {
	ID    string
	First int
}

func (e *RepeatedIDError) Error() string {
	return fmt.Sprintf("repeated: %q first appears as record %d", e.ID, e.First)
}
