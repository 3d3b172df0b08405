package prime

import (
	"bytes"
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

// A part is the records of one chunk of a records file, parsed by one
// worker: columns whose labels, predictions and tags are ids into the
// worker's vocabularies, as they were when the part was done.
type part struct {
	columns
	labels, preds, tags []string
	worker              int
	line                []int32 // each record's line, 1-based within the chunk
	lines               int     // lines in the chunk, up to and including a bad one
	err                 error   // the bad line's, when there is one
}

// A chunkReader is one worker of ReadDataset: it parses chunks into parts.
type chunkReader struct {
	b    DatasetBuilder // its vocabularies outlive a chunk; its columns do not
	p    jsonl.Parser
	rec  jsonl.Record
	tags [][]byte
}

// read parses the lines of buf into a part.
func (cr *chunkReader) read(buf []byte) *part {
	// Room for as many records as lines, 20 tags and 16 bytes of id each.
	n := bytes.Count(buf, []byte{'\n'}) + 1
	b := &cr.b
	b.columns = columns{
		label:    make([]int32, 0, n),
		pred:     make([]int32, 0, n),
		correct:  make([]bool, 0, n),
		tagStart: make([]int, 0, n+1),
		tagIDs:   make([]int32, 0, 20*n),
	}
	pt := &part{line: make([]int32, 0, n)}
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
		pt.lines++
		rec := &cr.rec
		err := cr.p.Parse(line, rec)
		if err == jsonl.ErrBlank {
			continue
		}
		if err == nil {
			err = rec.CheckRecord()
		}
		if err != nil {
			pt.err = err
			break
		}
		pt.line = append(pt.line, int32(pt.lines))
		idArena = append(idArena, rec.Bytes(rec.ID)...)
		idEnd = append(idEnd, len(idArena))
		if rec.Image.Len() > 0 && imgEnd == nil {
			imgEnd = make([]int, len(idEnd)-1, cap(idEnd))
		}
		if imgEnd != nil {
			imgArena = append(imgArena, rec.Bytes(rec.Image)...)
			imgEnd = append(imgEnd, len(imgArena))
		}
		label, pred, correct := rec.Bytes(rec.Label), rec.Bytes(rec.Pred), rec.Correct
		if rec.HasPred {
			correct = bytes.Equal(pred, label)
		}
		cr.tags = cr.tags[:0]
		for _, s := range rec.Tags {
			cr.tags = append(cr.tags, rec.Bytes(s))
		}
		addFields(b, label, pred, correct, cr.tags)
	}
	pt.columns, b.columns = b.columns, columns{}
	pt.ids = cut(string(idArena), idEnd)
	if imgEnd != nil {
		pt.images = cut(string(imgArena), imgEnd)
	}
	pt.labels, pt.preds, pt.tags = b.labels.names, b.preds.names, b.tags.names
	return pt
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

// A remap takes the ids of one worker's vocabularies to a builder's.
type remap struct {
	labels, preds, tags []int32
}

// appendPart appends the records of pt to b; m takes the ids of pt's
// worker to b's and grows with its vocabularies.
func (b *DatasetBuilder) appendPart(pt *part, m *remap) {
	extend := func(v *vocab, ids []int32, names []string) []int32 {
		for _, s := range names[len(ids):] {
			ids = append(ids, intern(v, s))
		}
		return ids
	}
	m.labels = extend(&b.labels, m.labels, pt.labels)
	m.preds = extend(&b.preds, m.preds, pt.preds)
	m.tags = extend(&b.tags, m.tags, pt.tags)
	for i, l := range pt.label {
		pt.label[i] = m.labels[l]
	}
	for i, p := range pt.pred {
		if p >= 0 {
			pt.pred[i] = m.preds[p]
		}
	}
	for i, t := range pt.tagIDs {
		pt.tagIDs[i] = m.tags[t]
	}
	b.endPart()
	b.columns = pt.columns
	b.endPart()
}

// partLines are the lines of a part's records: line within the part, and
// the lines before the part.
type partLines struct {
	line   []int32
	before int
}

// readDataset is ReadDataset with workers parsing chunks of about size
// bytes.
func readDataset(r io.Reader, name string, workers, size int) (*Dataset, error) {
	// The reader sends each chunk to a worker, and the channel on which
	// the worker will send its part to the collector, in the file's order.
	type job struct {
		buf []byte
		out chan<- *part
	}
	jobs := make(chan job)
	order := make(chan chan *part, workers)
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
			out := make(chan *part, 1)
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
			cr := &chunkReader{}
			for j := range jobs {
				pt := cr.read(j.buf)
				pt.worker = w
				free <- j.buf[:0]
				j.out <- pt
			}
		}()
	}

	// Append the parts in the file's order, up to the first bad line.
	var (
		b      DatasetBuilder
		remaps = make([]remap, workers)
		parts  []partLines // of the parts appended
		lines  int         // lines before the next part
		bad    error
	)
	for out := range order {
		pt := <-out
		b.appendPart(pt, &remaps[pt.worker])
		parts = append(parts, partLines{pt.line, lines})
		lines += pt.lines
		if pt.err != nil {
			bad = pt.err
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
