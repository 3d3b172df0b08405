package recordfile

import (
	"errors"
	"io"

	"github.com/parquet-go/parquet-go"

	"github.com/failmodes/prime"
)

// parquetRow is a record as a ParquetWriter writes it: the schema of
// records files in Parquet.
type parquetRow struct {
	ID         string         `parquet:"id"`
	Label      string         `parquet:"label,dict"`
	Pred       string         `parquet:"pred,optional,dict"`
	Correct    *bool          `parquet:"correct,optional"`
	Tags       []string       `parquet:"tags,list,dict"`
	Image      string         `parquet:"image,optional"`
	TagFloor   *float32       `parquet:"tag_floor,optional"`
	TagScores  []parquetScore `parquet:"tag_scores,list"`
	PredScores []parquetScore `parquet:"pred_scores,list"`
}

// parquetScore is a score as a ParquetWriter writes it: an element of a
// list of scores.
type parquetScore struct {
	Name  string  `parquet:"name,dict"`
	Score float32 `parquet:"score"`
}

// RowGroupRows is the number of records in each row group a ParquetWriter
// writes: the unit that readers decode in parallel. 131,072 records of
// ImageNet's shape take about 4 MB compressed.
const RowGroupRows = 1 << 17

// writeBatch is the number of records a ParquetWriter hands to the Parquet
// library at once.
const writeBatch = 1024

// A ParquetWriter writes Records as a Parquet file that ReadDataset reads
// back: required string columns "id" and "label", optional strings "pred"
// (dictionary-encoded, null when only correctness is known) and "image"
// (null when unknown), optional boolean "correct" (set when "pred" is
// null), "tags", a list of strings (dictionary-encoded), and the scores a
// record keeps: "tag_floor", an optional float (null when it keeps no tag
// scores), and "tag_scores" and "pred_scores", lists of structs of a
// string "name" (dictionary-encoded) and a float "score" (empty when none).
// Row groups of RowGroupRows records are compressed with Snappy, as Spark
// and DuckDB write by default. Output is buffered: call Close to write the
// rest and the file's footer. A ParquetWriter is not safe for concurrent
// use.
type ParquetWriter struct {
	w      *parquet.GenericWriter[parquetRow]
	rows   []parquetRow
	tags   []string       // the rows' tags: Write keeps none of its caller's slices
	scores []parquetScore // the rows' scores, likewise
	floors []float32      // the targets of TagFloor pointers
	yes    bool           // the target of Correct pointers
	no     bool
	n      int   // records written
	err    error // sticky
}

// NewParquetWriter returns a ParquetWriter that writes to w.
func NewParquetWriter(w io.Writer) *ParquetWriter { return newParquetWriter(w) }

// newParquetWriter is NewParquetWriter with opts after its own (tests
// write other page layouts and codecs).
func newParquetWriter(w io.Writer, opts ...parquet.WriterOption) *ParquetWriter {
	opts = append([]parquet.WriterOption{
		parquet.Compression(&parquet.Snappy),
		parquet.MaxRowsPerRowGroup(RowGroupRows),
		parquet.CreatedBy("github.com/failmodes/prime", "", ""),
	}, opts...)
	return &ParquetWriter{
		w:      parquet.NewGenericWriter[parquetRow](w, opts...),
		rows:   make([]parquetRow, 0, writeBatch),
		floors: make([]float32, 0, writeBatch), // never grows: the rows point into it
		yes:    true,
	}
}

// Write writes r as one row. It refuses, with a *prime.RecordError, a
// record that would not read back (see prime.CheckRecord). Tags and scores
// are written in r's order, as given. After a write to the underlying writer fails, every call returns
// that error.
func (w *ParquetWriter) Write(r *prime.Record) error {
	if w.err != nil {
		return w.err
	}
	if field, err := prime.CheckRecord(r); err != nil {
		return &prime.RecordError{Index: w.n, Field: field, Err: err}
	}
	start := len(w.tags)
	w.tags = append(w.tags, r.Tags...)
	row := parquetRow{ID: r.ID, Label: r.Label, Pred: r.Predicted, Tags: w.tags[start:len(w.tags):len(w.tags)], Image: r.Image}
	if r.Predicted == "" {
		row.Correct = &w.no
		if r.Correct {
			row.Correct = &w.yes
		}
	}
	if r.TagScores != nil {
		w.floors = append(w.floors, r.TagFloor)
		row.TagFloor = &w.floors[len(w.floors)-1]
		row.TagScores = w.addScores(r.TagScores)
	}
	row.PredScores = w.addScores(r.PredScores)
	w.rows = append(w.rows, row)
	w.n++
	if len(w.rows) == cap(w.rows) {
		return w.flush()
	}
	return nil
}

// addScores returns a copy of scores in the writer's buffer.
func (w *ParquetWriter) addScores(scores []prime.Score) []parquetScore {
	start := len(w.scores)
	for _, s := range scores {
		w.scores = append(w.scores, parquetScore{Name: s.Name, Score: s.Value})
	}
	return w.scores[start:len(w.scores):len(w.scores)]
}

// flush hands the buffered rows to the Parquet library.
func (w *ParquetWriter) flush() error {
	if _, err := w.w.Write(w.rows); err != nil {
		w.err = err
		return err
	}
	clear(w.rows) // keep no caller's strings
	clear(w.tags)
	clear(w.scores)
	w.rows, w.tags, w.scores, w.floors = w.rows[:0], w.tags[:0], w.scores[:0], w.floors[:0]
	return nil
}

// Close writes the buffered records and the file's footer. It does not
// close the underlying writer.
func (w *ParquetWriter) Close() error {
	if w.err != nil {
		return w.err
	}
	if len(w.rows) > 0 {
		if err := w.flush(); err != nil {
			return err
		}
	}
	if err := w.w.Close(); err != nil {
		w.err = err
		return err
	}
	w.err = errClosed
	return nil
}

// errClosed is the error of a ParquetWriter's calls after Close.
var errClosed = errors.New("recordfile: ParquetWriter closed")
