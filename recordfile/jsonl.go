package recordfile

import (
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

// A worker decodes units of work. Its parser's dictionaries outlive a
// chunk of JSON Lines, so that a string is copied once a worker, not once
// a chunk.
type worker struct {
	cp jsonl.ChunkParser
}

// parseChunk parses buf, whole lines of JSON Lines from a file in a folder
// label=NAME when label is NAME, into a piece, by the rules of
// prime.RecordReader. Its columns' dictionaries are the worker's, as they
// stand.
func (w *worker) parseChunk(buf []byte, label string) *piece {
	c := w.cp.Parse(buf, label)
	return &piece{
		cols: &prime.Columns{IDs: c.IDs, Images: c.Images, Labels: c.Labels, Label: c.Label, Preds: c.Preds, Pred: c.Pred,
			Correct: c.Correct, Tags: c.Tags, TagStart: c.TagStart, TagIDs: c.TagIDs,
			TagScores: prime.ScoreColumns(c.TagScores), TagFloor: c.TagFloor, PredScores: prime.ScoreColumns(c.PredScores)},
		line: c.Line, lines: c.Lines, err: c.Err,
	}
}
