package prime

import (
	"errors"
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

// chunkColumns returns the records of c as Columns, taking c's slices.
func chunkColumns(c *jsonl.Chunk) *Columns {
	return &Columns{IDs: c.IDs, Images: c.Images, Labels: c.Labels, Label: c.Label, Preds: c.Preds, Pred: c.Pred,
		Correct: c.Correct, Tags: c.Tags, TagStart: c.TagStart, TagIDs: c.TagIDs,
		TagScores: ScoreColumns(c.TagScores), TagFloor: c.TagFloor, PredScores: ScoreColumns(c.PredScores)}
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
	type job struct {
		buf []byte
		out chan<- *jsonl.Chunk
	}
	jobs := make(chan job)
	order := make(chan chan *jsonl.Chunk, workers)
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
			out := make(chan *jsonl.Chunk, 1)
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
	for range workers {
		go func() {
			var cp jsonl.ChunkParser
			for j := range jobs {
				c := cp.Parse(j.buf, "")
				free <- j.buf[:0]
				j.out <- c
			}
		}()
	}

	// Append the chunks in the file's order, up to the first bad line.
	var (
		b     DatasetBuilder
		parts []partLines // of the chunks appended
		lines int         // lines before the next chunk
		bad   error
	)
	for out := range order {
		c := <-out
		parts = append(parts, partLines{c.Line, lines})
		lines += c.Lines
		if err := b.addColumns(chunkColumns(c), false); err != nil {
			bad = err // columns of unequal lengths: not met
		} else if c.Err != nil {
			bad = lineError(name, lines, c.Err)
		}
		if bad != nil {
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
		var re *RecordError
		if errors.As(bad, &re) {
			return nil, &LineError{File: name, Line: lineOf(re.Index), Field: re.Field, Err: re.Err}
		}
		return nil, bad
	}
	if d == nil {
		return nil, &LineError{File: name, Err: errNoRecords}
	}
	return d, nil
}
