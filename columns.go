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
// AddColumns succeeds. It refuses, with
// a *RecordError naming the record's index (the builder's Len before the
// call plus the record's index in c), what Add refuses and an index
// outside its dictionary; and columns of unequal lengths or TagStart out
// of order, with an error. When it refuses, no record of c is added.
// Dictionary entries that no record uses do not reach the Dataset.
func (b *DatasetBuilder) AddColumns(c *Columns) error {
	n := len(c.IDs)
	if n == 0 {
		return nil
	}
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
	// Which entries a record may not use: empty or not UTF-8.
	badLabel := badEntries(c.Labels, true)
	badPred := badEntries(c.Preds, false)
	badTag := badEntries(c.Tags, true)
	checkTags := slices.Contains(badTag, true) // else the tags' indices are checked below
	fail := func(i int, field string, err error) error {
		return &RecordError{Index: b.Len() + i, Field: field, Err: err}
	}
	for i, id := range c.IDs {
		l, p := c.Label[i], c.Pred[i]
		switch {
		case l < 0 || int(l) >= len(c.Labels):
			return fail(i, "label", fmt.Errorf("index %d outside the dictionary of %d", l, len(c.Labels)))
		case p < -1 || int(p) >= len(c.Preds):
			return fail(i, "pred", fmt.Errorf("index %d outside the dictionary of %d", p, len(c.Preds)))
		}
		bad := id == "" || !utf8.ValidString(id) || badLabel[l] || (p >= 0 && badPred[p]) ||
			(c.Images != nil && !utf8.ValidString(c.Images[i]))
		for k, t := range c.TagIDs[c.TagStart[i]:c.TagStart[i+1]] {
			if !checkTags {
				break
			}
			if t < 0 || int(t) >= len(c.Tags) {
				return fail(i, "tags", tagOutside(k, t, len(c.Tags)))
			}
			bad = bad || badTag[t]
		}
		if bad {
			r := c.Record(i)
			field, err := checkRecord(&r)
			return fail(i, field, err)
		}
	}
	if c.TagFloor != nil || c.TagScores.Start != nil || c.PredScores.Start != nil {
		if err := b.checkScoreColumns(c); err != nil {
			return err
		}
	}

	// Tags in the builder's vocabulary, found on first use, a tag repeated
	// within a record kept once. A tag outside the dictionary undoes what
	// this loop added to the vocabulary.
	tagMap := make([]int32, len(c.Tags))
	for k := range tagMap {
		tagMap[k] = -1
	}
	vocabLen := len(b.tags.Names())
	kept, start := 0, 0
	tagIDs, tagStart := c.TagIDs, c.TagStart
	for i := range n {
		b.tags.Begin()
		end := tagStart[i+1]
		tagStart[i] = kept
		for k, t := range tagIDs[start:end] {
			if uint(t) >= uint(len(tagMap)) {
				b.tags.Remove(vocabLen)
				return fail(i, "tags", tagOutside(k, t, len(c.Tags)))
			}
			id := tagMap[t]
			if id < 0 {
				id = b.tags.Add(c.Tags[t])
				tagMap[t] = id
			}
			if b.tags.First(id) {
				tagIDs[kept] = id
				kept++
			}
		}
		start = end
	}
	tagStart[n] = kept

	// Labels and predictions, likewise.
	remap := func(v *jsonl.Dict, names []string) func(int32) int32 {
		m := make([]int32, len(names))
		for k := range m {
			m[k] = -1
		}
		return func(id int32) int32 {
			if m[id] < 0 {
				m[id] = v.Add(names[id])
			}
			return m[id]
		}
	}
	label, pred := remap(&b.labels, c.Labels), remap(&b.preds, c.Preds)
	for i, l := range c.Label {
		c.Label[i] = label(l)
		if p := c.Pred[i]; p >= 0 && c.Preds[p] != "" {
			c.Pred[i] = pred(p)
			c.Correct[i] = c.Preds[p] == c.Labels[l]
		} else {
			c.Pred[i] = -1 // only Correct is known
		}
	}

	b.endPart()
	b.columns = columns{ids: c.IDs, images: c.Images, label: c.Label, pred: c.Pred, correct: c.Correct,
		tagStart: c.TagStart, tagIDs: c.TagIDs[:kept],
		tagScores: takeScores(&b.scoredTags, &c.TagScores), predScores: takeScores(&b.scoredPreds, &c.PredScores)}
	if c.TagFloor != nil && slices.ContainsFunc(c.TagFloor, func(f float32) bool { return f >= 0 }) {
		b.columns.tagFloor = c.TagFloor
	} else {
		b.columns.tagScores = scoreColumns{}
	}
	b.endPart()
	*c = Columns{}
	return nil
}

// takeScores returns the scores of s, their names as ids in dict, taking
// s's slices.
func takeScores(dict *jsonl.Dict, s *ScoreColumns) scoreColumns {
	if s.Start == nil || len(s.IDs) == 0 {
		return scoreColumns{}
	}
	m := make([]int32, len(s.Names))
	for k := range m {
		m[k] = -1
	}
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
	fail := func(i int, field string, err error) error {
		return &RecordError{Index: b.Len() + i, Field: field, Err: err}
	}
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
			return fail(i, "tag_floor", errMissing)
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
			field, err := checkRecord(&r)
			return fail(i, field, err)
		}
	}
	return nil
}

// tagOutside is the error about tag k of a record, index t into a
// dictionary of n tags.
func tagOutside(k int, t int32, n int) error {
	return fmt.Errorf("tag %d: index %d outside the dictionary of %d", k, t, n)
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
