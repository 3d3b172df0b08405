package jsonl

import (
	"bytes"
	"fmt"
	"slices"
)

// A Dict gives each distinct string an id, in the order first seen. Its
// zero value is empty and ready to use.
type Dict struct {
	index map[string]int32
	names []string
}

// ID returns the id of b, adding a copy of it when new.
func (d *Dict) ID(b []byte) int32 {
	if id, ok := d.index[string(b)]; ok {
		return id
	}
	return d.add(string(b))
}

// Add returns the id of s, adding s when new.
func (d *Dict) Add(s string) int32 {
	if id, ok := d.index[s]; ok {
		return id
	}
	return d.add(s)
}

// Lookup returns the id of s, and whether d holds it.
func (d *Dict) Lookup(s string) (int32, bool) {
	id, ok := d.index[s]
	return id, ok
}

func (d *Dict) add(s string) int32 {
	if d.index == nil {
		d.index = make(map[string]int32)
	}
	id := int32(len(d.names))
	d.index[s] = id
	d.names = append(d.names, s)
	return id
}

// Names returns the strings, indexed by id. Later additions extend it; the
// caller must not modify it.
func (d *Dict) Names() []string { return d.names }

// A TagDict is a Dict of tags that knows which tags the record at hand
// carries already, so that a tag repeated within a record counts once.
type TagDict struct {
	Dict
	seen []int // per id: the record (counting from 1 in n) that last carried it
	n    int   // records begun
}

// Begin begins a record.
func (d *TagDict) Begin() { d.n++ }

// First reports whether tag id is new to the record at hand, which from
// then on carries it.
func (d *TagDict) First(id int32) bool {
	for int(id) >= len(d.seen) {
		d.seen = append(d.seen, 0)
	}
	if d.seen[id] == d.n {
		return false
	}
	d.seen[id] = d.n
	return true
}

// A Chunk is the records of whole lines of a records file, in columns,
// with labels, predictions and tags as ids into the dictionaries of the
// ChunkParser that parsed it.
type Chunk struct {
	IDs      []string
	Images   []string // nil when no record has an image
	Label    []int32  // into Labels
	Pred     []int32  // into Preds; -1 when "pred" is not given
	Correct  []bool   // whether the prediction is right
	TagStart []int    // len(IDs)+1, from 0: record i's tags are TagIDs[TagStart[i]:TagStart[i+1]]
	TagIDs   []int32  // into Tags, without repeats within a record
	// The parser's dictionaries when the chunk was done: those of a later
	// chunk of the same parser extend them.
	Labels, Preds, Tags []string
	Line                []int32 // each record's line within the chunk, from 1
	Lines               int     // the chunk's lines, up to and including a bad one
	Err                 error   // the bad line's error, when there is one: the chunk ends at it

	// The scores records keep: TagFloor holds each record's "tag_floor",
	// NoFloor for a record without "tag_scores", and is nil when no
	// record of the chunk has them.
	TagScores, PredScores ChunkScores
	TagFloor              []float32
}

// NoFloor stands in Chunk.TagFloor for the floor of a record without
// "tag_scores".
const NoFloor = -1

// AppendFloor appends to floors, the tag floors of n records (nil while
// none keeps tag scores), that of one more: floor when it keeps tag scores
// (has), NoFloor otherwise.
func AppendFloor(floors []float32, n int, has bool, floor float32) []float32 {
	switch {
	case floors == nil && !has:
		return nil
	case floors == nil:
		floors = slices.Repeat([]float32{NoFloor}, n)
	case !has:
		floor = NoFloor
	}
	return append(floors, floor)
}

// ChunkScores holds the members of the "tag_scores" or "pred_scores" of a
// Chunk's records, in columns: record i's are IDs[Start[i]:Start[i+1]]
// (into Names, the parser's dictionary as it stands), with Values likewise.
// Start is nil when no record of the chunk has any.
type ChunkScores struct {
	Names  []string
	Start  []int
	IDs    []int32
	Values []float32
}

// add adds s, the scores of rec, to c, after n records; dict gives their
// names ids.
func (c *ChunkScores) add(dict *Dict, n int, rec *Record, s *Scores) {
	if c.Start == nil {
		if s.Len() == 0 {
			return
		}
		c.Start = make([]int, n+1, 2*n+2)
	}
	for _, sp := range s.Names {
		c.IDs = append(c.IDs, dict.ID(rec.Bytes(sp)))
	}
	c.Values = append(c.Values, s.Values...)
	c.Start = append(c.Start, len(c.IDs))
}

// A ChunkParser parses chunks of a records file into Chunks, for readers
// that parse chunks in parallel, one ChunkParser each. Its dictionaries
// outlive a chunk, so that a string is copied once a parser, not once a
// chunk. Its zero value is ready to use.
type ChunkParser struct {
	p                       Parser
	rec                     Record
	labels, preds           Dict
	tags                    TagDict
	scoredTags, scoredPreds Dict // the names of tag and class scores
	// Records of a class come together, and most predictions are right:
	// the last record's label, and the prediction that equals a label,
	// are ids found without a lookup. Both hold an id plus 1, or 0.
	lastLabel int32
	predOf    []int32 // per label
}

// Parse parses buf, whole lines, into a Chunk; it may unescape strings in
// place, and the Chunk keeps none of buf. folder, when not "", is the
// label of every record, that of a file in a folder label=NAME: a record
// without "label" takes it, and one with another is an error.
func (cp *ChunkParser) Parse(buf []byte, folder string) *Chunk {
	// Room for as many records as lines, 20 tags and 16 bytes of id each.
	n := bytes.Count(buf, []byte{'\n'}) + 1
	c := &Chunk{
		Label:    make([]int32, 0, n),
		Pred:     make([]int32, 0, n),
		Correct:  make([]bool, 0, n),
		TagStart: append(make([]int, 0, n+1), 0),
		TagIDs:   make([]int32, 0, 20*n),
		Line:     make([]int32, 0, n),
	}
	idArena, idEnd := make([]byte, 0, 16*n), make([]int, 0, n)
	var imgArena []byte
	var imgEnd []int
	for rest := buf; len(rest) > 0; {
		var line []byte
		if k := bytes.IndexByte(rest, '\n'); k >= 0 {
			line, rest = rest[:k], rest[k+1:]
		} else {
			line, rest = rest, nil
		}
		c.Lines++
		rec := &cp.rec
		err := cp.p.Parse(line, rec)
		if err == ErrBlank {
			continue
		}
		label := rec.Bytes(rec.Label)
		if err == nil && folder != "" {
			if len(label) == 0 {
				label = []byte(folder)
			} else if string(label) != folder {
				err = &Error{Field: "label", Err: fmt.Errorf("%q, but the file is in folder label=%s", label, folder)}
			}
		}
		if err == nil {
			err = rec.check(label)
		}
		if err != nil {
			c.Err = err
			break
		}
		c.Line = append(c.Line, int32(c.Lines))
		idArena = append(idArena, rec.Bytes(rec.ID)...)
		idEnd = append(idEnd, len(idArena))
		if rec.Image.Len() > 0 && imgEnd == nil {
			imgEnd = make([]int, len(idEnd)-1, cap(idEnd))
		}
		if imgEnd != nil {
			imgArena = append(imgArena, rec.Bytes(rec.Image)...)
			imgEnd = append(imgEnd, len(imgArena))
		}
		l := cp.lastLabel - 1
		if l < 0 || cp.labels.Names()[l] != string(label) {
			l = cp.labels.ID(label)
			cp.lastLabel = l + 1
		}
		c.Label = append(c.Label, l)
		pred, correct := int32(-1), rec.Correct
		if rec.HasPred {
			pred, correct = cp.pred(rec.Bytes(rec.Pred), label, l)
		}
		c.Pred = append(c.Pred, pred)
		c.Correct = append(c.Correct, correct)
		cp.tags.Begin()
		for _, s := range rec.Tags {
			if id := cp.tags.ID(rec.Bytes(s)); cp.tags.First(id) {
				c.TagIDs = append(c.TagIDs, id)
			}
		}
		c.TagStart = append(c.TagStart, len(c.TagIDs))
		n := len(c.Label) - 1 // records before this one
		if c.TagFloor = AppendFloor(c.TagFloor, n, rec.TagScores.Has, rec.TagFloor); c.TagFloor != nil {
			c.TagScores.add(&cp.scoredTags, n, rec, &rec.TagScores)
		}
		c.PredScores.add(&cp.scoredPreds, n, rec, &rec.PredScores)
	}
	c.IDs = cut(string(idArena), idEnd)
	if imgEnd != nil {
		c.Images = cut(string(imgArena), imgEnd)
	}
	c.Labels, c.Preds, c.Tags = cp.labels.Names(), cp.preds.Names(), cp.tags.Names()
	c.TagScores.Names, c.PredScores.Names = cp.scoredTags.Names(), cp.scoredPreds.Names()
	return c
}

// pred returns the id of the prediction p of a record whose label, with
// the id l, is label; and whether they are equal.
func (cp *ChunkParser) pred(p, label []byte, l int32) (int32, bool) {
	if !bytes.Equal(p, label) {
		return cp.preds.ID(p), false
	}
	for int(l) >= len(cp.predOf) {
		cp.predOf = append(cp.predOf, 0)
	}
	if cp.predOf[l] == 0 {
		cp.predOf[l] = cp.preds.ID(p) + 1
	}
	return cp.predOf[l] - 1, true
}

// cut returns the pieces of s that end at ends.
func cut(s string, ends []int) []string {
	out := make([]string, len(ends))
	start := 0
	for k, e := range ends {
		out[k] = s[start:e]
		start = e
	}
	return out
}
