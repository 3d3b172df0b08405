package recordfile

import (
	"strconv"

	"github.com/failmodes/prime/internal/jsonl"
)

// A FileError reports a records file that cannot be read as a whole: one
// that does not exist, is not a records file, is corrupt, or lacks a
// column prime needs. Its message reads "FILE: what is wrong".
type FileError struct {
	File string
	Err  error
}

func (e *FileError) Error() string { return e.File + ": " + e.Err.Error() }

// Unwrap returns the underlying error.
func (e *FileError) Unwrap() error { return e.Err }

// A RowError reports a bad row of a Parquet records file: the file, the
// row (1-based), the column at fault ("" when the row as a whole is), and
// what is wrong. Its message reads "FILE: row ROW: field "NAME": what is
// wrong", as prime.LineError's does for a line of JSON Lines.
type RowError struct {
	File  string
	Row   int64
	Field string
	Err   error
}

func (e *RowError) Error() string {
	return jsonl.Message(e.File+": row "+strconv.FormatInt(e.Row, 10)+": ", e.Field, e.Err)
}

// Unwrap returns the underlying error.
func (e *RowError) Unwrap() error { return e.Err }
