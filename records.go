package prime

import (
	"errors"
	"fmt"
	"io"
	"strconv"
	"unicode/utf8"

	"github.com/failmodes/prime/internal/jsonl"
)

// A LineError reports a bad line of a records file: the file's name as
// given to NewRecordReader or ReadDataset, the line (1-based; 0 when the
// error is about the whole file, such as a file without records), the
// field at fault ("" when the line as a whole is), and what is wrong.
// Its message reads "FILE:LINE: field "NAME": what is wrong".
type LineError struct {
	File  string
	Line  int
	Field string
	Err   error
}

func (e *LineError) Error() string {
	b := make([]byte, 0, 64)
	b = append(b, e.File...)
	if e.Line > 0 {
		b = append(b, ':')
		b = strconv.AppendInt(b, int64(e.Line), 10)
	}
	b = append(b, ": "...)
	if e.Field != "" {
		b = append(b, "field "...)
		b = strconv.AppendQuote(b, e.Field)
		b = append(b, ": "...)
	}
	b = append(b, e.Err.Error()...)
	return string(b)
}

// Unwrap returns the underlying error.
func (e *LineError) Unwrap() error { return e.Err }

// A RecordError reports a Record that cannot be used: the index of the
// record in the slice given to NewDataset, or the number of records written
// before it by a RecordWriter, the field at fault and what is wrong.
type RecordError struct {
	Index int
	Field string
	Err   error
}

func (e *RecordError) Error() string {
	s := "prime: record " + strconv.Itoa(e.Index) + ": "
	if e.Field != "" {
		s += "field " + strconv.Quote(e.Field) + ": "
	}
	return s + e.Err.Error()
}

// Unwrap returns the underlying error.
func (e *RecordError) Unwrap() error { return e.Err }

var (
	errMissing  = errors.New("missing or empty")
	errBadUTF8  = errors.New("invalid UTF-8")
	errEmptyTag = errors.New("empty tag")
)

// checkRecord reports the first field of r that a records file cannot
// hold, as the reader would report it.
func checkRecord(r *Record) (field string, err error) {
	switch {
	case r.ID == "":
		return "id", errMissing
	case !utf8.ValidString(r.ID):
		return "id", errBadUTF8
	case r.Label == "":
		return "label", errMissing
	case !utf8.ValidString(r.Label):
		return "label", errBadUTF8
	case !utf8.ValidString(r.Predicted):
		return "pred", errBadUTF8
	case !utf8.ValidString(r.Image):
		return "image", errBadUTF8
	}
	for i, t := range r.Tags {
		if t == "" {
			return "tags", fmt.Errorf("element %d: %w", i, errEmptyTag)
		}
		if !utf8.ValidString(t) {
			return "tags", fmt.Errorf("element %d: %w", i, errBadUTF8)
		}
	}
	return "", nil
}

// writeBufferSize is the RecordWriter's buffer: it writes to the
// underlying writer when this much has been buffered.
const writeBufferSize = 64 << 10

// A RecordWriter writes Records as a records file: JSON Lines, one object
// per line, in the format ReadDataset and RecordReader read back. Output is
// buffered: call Flush when done. A RecordWriter is not safe for concurrent
// use.
type RecordWriter struct {
	w   io.Writer
	buf []byte
	n   int   // records written
	err error // sticky write error
}

// NewRecordWriter returns a RecordWriter that writes to w.
func NewRecordWriter(w io.Writer) *RecordWriter {
	return &RecordWriter{w: w, buf: make([]byte, 0, writeBufferSize+4096)}
}

// Write writes r as one line: "id", "label", then "pred" when r.Predicted is
// not empty and "correct" otherwise, "tags" (in r's order, as given), and
// "image" when set. It refuses, with a *RecordError, a record that would not
// read back: an empty ID or Label, an empty tag, or a string that is not
// valid UTF-8. After a write to the underlying writer fails, every call
// returns that error.
func (w *RecordWriter) Write(r *Record) error {
	if w.err != nil {
		return w.err
	}
	if field, err := checkRecord(r); err != nil {
		return &RecordError{Index: w.n, Field: field, Err: err}
	}
	b := w.buf
	b = append(b, `{"id":`...)
	b = jsonl.AppendString(b, r.ID)
	b = append(b, `,"label":`...)
	b = jsonl.AppendString(b, r.Label)
	if r.Predicted != "" {
		b = append(b, `,"pred":`...)
		b = jsonl.AppendString(b, r.Predicted)
	} else if r.Correct {
		b = append(b, `,"correct":true`...)
	} else {
		b = append(b, `,"correct":false`...)
	}
	b = append(b, `,"tags":[`...)
	for i, t := range r.Tags {
		if i > 0 {
			b = append(b, ',')
		}
		b = jsonl.AppendString(b, t)
	}
	b = append(b, ']')
	if r.Image != "" {
		b = append(b, `,"image":`...)
		b = jsonl.AppendString(b, r.Image)
	}
	b = append(b, '}', '\n')
	w.buf = b
	w.n++
	if len(b) >= writeBufferSize {
		return w.Flush()
	}
	return nil
}

// Flush writes any buffered data to the underlying writer.
func (w *RecordWriter) Flush() error {
	if w.err != nil {
		return w.err
	}
	if len(w.buf) == 0 {
		return nil
	}
	_, err := w.w.Write(w.buf)
	w.buf = w.buf[:0]
	if err != nil {
		w.err = fmt.Errorf("prime: writing records: %w", err)
	}
	return w.err
}
