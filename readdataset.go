package prime

import (
	"fmt"
	"io"
	"runtime"

	"github.com/failmodes/prime/internal/jsonl"
)

// chunkSize is the length of the pieces of a records file parsed in
// parallel by ReadDataset.
const chunkSize = 1 << 20

// ReadDataset reads a records file into a Dataset: JSON Lines, one record
// object per line, by the rules RecordReader states, every record in the
// file's order. name is the file's name for messages ("-" or "stdin" for
// standard input). A bad line is reported as a *LineError, the first in
// the file; a repeated id is reported on the line where it repeats, naming
// the line where it first appears; a file without records is an error too.
// Lines are parsed in parallel on GOMAXPROCS goroutines, a chunk of the
// stream at a time, so memory holds the Dataset and a few chunks, never the
// whole file.
func ReadDataset(r io.Reader, name string) (*Dataset, error) {
	return readDataset(r, name, runtime.GOMAXPROCS(0), chunkSize)
}

// A remap takes the ids of one worker's dictionaries to a builder's.
type remap struct {
	labels, preds, tags     []int32
	scoredTags, scoredPreds []int32
}

// appendChunk appends the records of c to b; m takes the ids of the
// dictionaries of c's parser to b's and grows with them.
func (b *DatasetBuilder) appendChunk(c *jsonl.Chunk, m *remap) {
	extend := func(d *jsonl.Dict, ids []int32, names []string) []int32 {
		for _, s := range names[len(ids):] {
			ids = append(ids, d.Add(s))
		}
		return ids
	}
	m.labels = extend(&b.labels, m.labels, c.Labels)
	m.preds = extend(&b.preds, m.preds, c.Preds)
	m.tags = extend(&b.tags.Dict, m.tags, c.Tags)
	for i, l := range c.Label {
		c.Label[i] = m.labels[l]
	}
	for i, p := range c.Pred {
		if p >= 0 {
			c.Pred[i] = m.preds[p]
		}
	}
	for i, t := range c.TagIDs {
		c.TagIDs[i] = m.tags[t]
	}
	b.endPart()
	b.columns = columns{ids: c.IDs, images: c.Images, label: c.Label, pred: c.Pred, correct: c.Correct,
		tagStart: c.TagStart, tagIDs: c.TagIDs, tagFloor: c.TagFloor}
	if c.TagFloor != nil {
		m.scoredTags = extend(&b.scoredTags, m.scoredTags, c.TagScores.Names)
		b.tagScores = remapScores(&c.TagScores, m.scoredTags)
	}
	m.scoredPreds = extend(&b.scoredPreds, m.scoredPreds, c.PredScores.Names)
	b.predScores = remapScores(&c.PredScores, m.scoredPreds)
	b.endPart()
}

// remapScores returns the scores of s, their ids taken through m.
func remapScores(s *jsonl.ChunkScores, m []int32) scoreColumns {
	for i, id := range s.IDs {
		s.IDs[i] = m[id]
	}
	return scoreColumns{start: s.Start, ids: s.IDs, vals: s.Values}
}

// partLines are the lines of a chunk's records: line within the chunk,
// and the lines before the chunk.
type partLines struct {
	line   []int32
	before int
}

// readDataset is ReadDataset with workers parsing chunks of about size
// bytes.
func readDataset(r io.Reader, name string, workers, size int) (*Dataset, error) {
	// The reader sends each chunk to a worker, and the channel on which
	// the worker will send it parsed to the collector, in the file's order.
	type parsed struct {
		*jsonl.Chunk
		worker int
	}
	type job struct {
		buf []byte
		out chan<- parsed
	}
	jobs := make(chan job)
	order := make(chan chan parsed, workers)
	free := make(chan []byte, workers+2) // chunk buffers, reused
	for range cap(free) {
		free <- nil
	}
	done := make(chan struct{}) // closed when the collector stops early
	var readErr error
	go func() {
		defer close(order)
		defer close(jobs)
		c := jsonl.NewChunker(r, size)
		for {
			buf, err := c.Next(<-free)
			if err != nil {
				if err != io.EOF {
					readErr = err
				}
				return
			}
			out := make(chan parsed, 1)
			select {
			case jobs <- job{buf, out}:
			case <-done:
				return
			}
			select {
			case order <- out:
			case <-done:
				return
			}
		}
	}()
	for w := range workers {
		go func() {
			var cp jsonl.ChunkParser
			for j := range jobs {
				c := cp.Parse(j.buf, "")
				free <- j.buf[:0]
				j.out <- parsed{c, w}
			}
		}()
	}

	// Append the chunks in the file's order, up to the first bad line.
	var (
		b      DatasetBuilder
		remaps = make([]remap, workers)
		parts  []partLines // of the chunks appended
		lines  int         // lines before the next chunk
		bad    error
	)
	for out := range order {
		c := <-out
		b.appendChunk(c.Chunk, &remaps[c.worker])
		parts = append(parts, partLines{c.Line, lines})
		lines += c.Lines
		if c.Err != nil {
			bad = c.Err
			close(done)
			break
		}
	}
	if bad == nil && readErr != nil {
		return nil, fmt.Errorf("prime: reading %s: %w", name, readErr)
	}
	// lineOf returns the line of record k.
	lineOf := func(k int) int {
		for _, p := range parts {
			if k < len(p.line) {
				return p.before + int(p.line[k])
			}
			k -= len(p.line)
		}
		return 0
	}
	// A repeated id on an earlier line comes before a bad line.
	var d *Dataset
	if b.Len() > 0 {
		d = b.finish()
		if i, j, ok := firstRepeat(d.ids); ok {
			return nil, &LineError{File: name, Line: lineOf(j), Field: "id",
				Err: fmt.Errorf("repeated: %q first appears on line %d", d.ids[j], lineOf(i))}
		}
	}
	if bad != nil {
		return nil, lineError(name, lines, bad)
	}
	if d == nil {
		return nil, &LineError{File: name, Err: errNoRecords}
	}
	return d, nil
}
