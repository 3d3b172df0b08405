package prime

import (
	"fmt"
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
		tagStart: c.TagStart, tagIDs: c.TagIDs[:kept]}
	b.endPart()
	*c = Columns{}
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
