package recordfile

import (
	"bytes"
	"fmt"

	"github.com/failmodes/prime"
	"github.com/failmodes/prime/internal/jsonl"
)

// chunkSize is the length of the pieces of JSON Lines parsed in parallel.
const chunkSize = 1 << 20

// A piece is the records of one unit of work, a row group of Parquet or a
// chunk of JSON Lines, in columns.
type piece struct {
	cols *prime.Columns
	// JSON Lines only:
	line  []int32 // each record's line within the chunk, 1-based
	lines int     // the chunk's lines, up to and including a bad one
	err   error   // the bad line's error, when there is one
}

// A worker decodes units of work. Its dictionaries outlive a chunk of JSON
// Lines, so that a string is copied once a worker, not once a chunk.
type worker struct {
	p                   jsonl.Parser
	rec                 jsonl.Record
	labels, preds, tags vocab
}

// A vocab gives each distinct string an id, in the order first seen.
type vocab struct {
	index map[string]int32
	names []string
}

func (v *vocab) id(b []byte) int32 {
	if id, ok := v.index[string(b)]; ok {
		return id
	}
	if v.index == nil {
		v.index = make(map[string]int32)
	}
	s := string(b)
	id := int32(len(v.names))
	v.index[s] = id
	v.names = append(v.names, s)
	return id
}

// parseChunk parses buf, whole lines of JSON Lines from a file in a folder
// label=NAME when label is NAME, into a piece. Its columns' dictionaries
// are the worker's, as they stand.
func (w *worker) parseChunk(buf []byte, label string) *piece {
	est := len(buf)/200 + 1
	c := &prime.Columns{
		IDs:      make([]string, 0, est),
		Label:    make([]int32, 0, est),
		Pred:     make([]int32, 0, est),
		Correct:  make([]bool, 0, est),
		TagStart: make([]int, 1, est+1),
		TagIDs:   make([]int32, 0, 16*est),
	}
	pc := &piece{cols: c, line: make([]int32, 0, est)}
	var idArena, imgArena []byte
	var idEnd, imgEnd []int
	hive := -1 // the folder's label's id
	if label != "" {
		hive = int(w.labels.id([]byte(label)))
	}
	for rest := buf; len(rest) > 0; {
		var line []byte
		if k := bytes.IndexByte(rest, '\n'); k >= 0 {
			line, rest = rest[:k], rest[k+1:]
		} else {
			line, rest = rest, nil
		}
		pc.lines++
		rec := &w.rec
		err := w.p.Parse(line, rec)
		if err == jsonl.ErrBlank {
			continue
		}
		l := int32(hive)
		if err == nil {
			l, err = w.check(rec, label, l)
		}
		if err != nil {
			pc.err = err
			break
		}
		pc.line = append(pc.line, int32(pc.lines))
		idArena = append(idArena, rec.Bytes(rec.ID)...)
		idEnd = append(idEnd, len(idArena))
		if rec.Image.Len() > 0 && imgEnd == nil {
			imgEnd = make([]int, len(idEnd)-1, cap(idEnd))
		}
		if imgEnd != nil {
			imgArena = append(imgArena, rec.Bytes(rec.Image)...)
			imgEnd = append(imgEnd, len(imgArena))
		}
		c.Label = append(c.Label, l)
		p := int32(-1)
		if rec.HasPred {
			p = w.preds.id(rec.Bytes(rec.Pred))
		}
		c.Pred = append(c.Pred, p)
		c.Correct = append(c.Correct, rec.Correct)
		for _, s := range rec.Tags {
			c.TagIDs = append(c.TagIDs, w.tags.id(rec.Bytes(s)))
		}
		c.TagStart = append(c.TagStart, len(c.TagIDs))
	}
	c.IDs = cut(string(idArena), idEnd)
	if imgEnd != nil {
		c.Images = cut(string(imgArena), imgEnd)
	}
	c.Labels, c.Preds, c.Tags = w.labels.names, w.preds.names, w.tags.names
	return pc
}

// check checks the record rec of a file in folder label=NAME when label
// is NAME, whose id is hive, and returns the record's label's id. A record
// without a label takes the folder's.
func (w *worker) check(rec *jsonl.Record, label string, hive int32) (int32, error) {
	if rec.Label.Len() > 0 || label == "" {
		if err := rec.CheckRecord(); err != nil {
			return 0, err
		}
		l := rec.Bytes(rec.Label)
		if label != "" && string(l) != label {
			return 0, &jsonl.Error{Field: "label", Err: fmt.Errorf("%q, but the file is in folder label=%s", l, label)}
		}
		return w.labels.id(l), nil
	}
	// The folder's label stands for the missing one: the same checks.
	pred := rec.Bytes(rec.Pred)
	switch {
	case rec.ID.Len() == 0:
		return 0, &jsonl.Error{Field: "id", Err: jsonl.ErrMissing}
	case rec.HasPred && len(pred) == 0:
		return 0, &jsonl.Error{Field: "pred", Err: jsonl.ErrEmpty}
	case !rec.HasPred && !rec.HasCorrect:
		return 0, &jsonl.Error{Field: "pred", Err: jsonl.ErrNoPred}
	case rec.HasPred && rec.HasCorrect && (string(pred) == label) != rec.Correct:
		return 0, &jsonl.Error{Field: "correct", Err: &jsonl.DisagreeError{Correct: rec.Correct, Pred: string(pred), Label: label}}
	}
	return hive, nil
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
