package prime

import (
	"errors"
	"fmt"
	"io"
	"math"
	"slices"
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
	at := e.File
	if e.Line > 0 {
		at += ":" + strconv.Itoa(e.Line)
	}
	return jsonl.Message(at+": ", e.Field, e.Err)
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
	return jsonl.Message("prime: record "+strconv.Itoa(e.Index)+": ", e.Field, e.Err)
}

// Unwrap returns the underlying error.
func (e *RecordError) Unwrap() error { return e.Err }

// CheckRecord reports the first field of r that a records file cannot
// hold, and what is wrong with it, as the reader of the file would report
// it: an empty ID or Label, an empty tag, a string that is not valid
// UTF-8, or scores that break the rules a reader checks (see
// RecordReader). It returns "" and nil for a record that a records file
// holds.
func CheckRecord(r *Record) (field string, err error) {
	for _, f := range [...]struct {
		name, value string
		required    bool
	}{{"id", r.ID, true}, {"label", r.Label, true}, {"pred", r.Predicted, false}, {"image", r.Image, false}} {
		switch {
		case f.required && f.value == "":
			return f.name, jsonl.ErrMissing
		case !utf8.ValidString(f.value):
			return f.name, jsonl.ErrBadUTF8
		}
	}
	for i, t := range r.Tags {
		if t == "" {
			return "tags", &jsonl.TagError{Index: i, Err: jsonl.ErrEmpty}
		}
		if !utf8.ValidString(t) {
			return "tags", &jsonl.TagError{Index: i, Err: jsonl.ErrBadUTF8}
		}
	}
	return checkScores(r)
}

// checkScores reports the first field of r's scores that a records file
// cannot hold, as the reader would report it: a name empty, not valid
// UTF-8 or repeated; a tag score or TagFloor outside [0, 1]; a class score
// not finite; a tag of Tags without a score, when TagScores is not nil.
func checkScores(r *Record) (field string, err error) {
	if r.TagScores != nil {
		if !(r.TagFloor >= 0 && r.TagFloor <= 1) {
			return "tag_floor", &jsonl.ScoreError{Text: formatFloat32(r.TagFloor)}
		}
		names, err := checkScoreList(r.TagScores, true)
		if err != nil {
			return "tag_scores", err
		}
		for _, t := range r.Tags {
			if !names.has(t) {
				return "tag_scores", &jsonl.MissingScoreError{Tag: t}
			}
		}
	}
	if _, err := checkScoreList(r.PredScores, false); err != nil {
		return "pred_scores", err
	}
	return "", nil
}

// formatFloat32 returns v as a records file writes it.
func formatFloat32(v float32) string { return string(jsonl.AppendFloat32(nil, v)) }

// errNotFinite is the error about a score that is NaN or infinite.
var errNotFinite = errors.New("not a finite number")

// checkScoreList checks the names and values of scores, in [0, 1] when
// unit is set, and returns a set of its names.
func checkScoreList(scores []Score, unit bool) (scoreNames, error) {
	for _, s := range scores {
		switch {
		case s.Name == "":
			return scoreNames{}, jsonl.ErrEmptyName
		case !utf8.ValidString(s.Name):
			return scoreNames{}, jsonl.ErrBadUTF8
		case math.IsNaN(float64(s.Value)) || math.IsInf(float64(s.Value), 0):
			return scoreNames{}, &jsonl.NameError{Name: s.Name, Err: errNotFinite}
		case unit && !(s.Value >= 0 && s.Value <= 1):
			return scoreNames{}, &jsonl.NameError{Name: s.Name, Err: &jsonl.ScoreError{Text: formatFloat32(s.Value)}}
		}
	}
	names := scoreNames{list: scores}
	if k := names.repeat(); k >= 0 {
		return names, &jsonl.NameError{Name: scores[k].Name, Err: jsonl.ErrRepeated}
	}
	return names, nil
}

// scoreNames is the set of the names of a list of scores: the list itself
// when short, and a map otherwise.
type scoreNames struct {
	list []Score
	set  map[string]bool
}

// repeat builds the set and returns the index of the first name an earlier
// one repeats, or -1.
func (n *scoreNames) repeat() int {
	if len(n.list) <= 16 {
		for k := range n.list {
			for e := range k {
				if n.list[e].Name == n.list[k].Name {
					return k
				}
			}
		}
		return -1
	}
	n.set = make(map[string]bool, len(n.list))
	for k, s := range n.list {
		if n.set[s.Name] {
			return k
		}
		n.set[s.Name] = true
	}
	return -1
}

// has reports whether name is in the set.
func (n *scoreNames) has(name string) bool {
	if n.set != nil {
		return n.set[name]
	}
	return slices.ContainsFunc(n.list, func(s Score) bool { return s.Name == name })
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
// not empty and "correct" otherwise, "tags" (in r's order, as given),
// "image" when set, "pred_scores" when r.PredScores is not empty, and
// "tag_floor" and "tag_scores" when r.TagScores is not nil (scores in r's
// order, each number the shortest that reads back as the same float32). It
// refuses, with a *RecordError, a record that would not read back: one
// that CheckRecord refuses. After a write to the underlying writer fails,
// every call returns that error.
func (w *RecordWriter) Write(r *Record) error {
	if w.err != nil {
		return w.err
	}
	if field, err := CheckRecord(r); err != nil {
		return &RecordError{Index: w.n, Field: field, Err: err}
	}
	b := append(w.buf, `{"id":`...)
	b = jsonl.AppendString(b, r.ID)
	b = jsonl.AppendString(append(b, `,"label":`...), r.Label)
	if r.Predicted != "" {
		b = jsonl.AppendString(append(b, `,"pred":`...), r.Predicted)
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
		b = jsonl.AppendString(append(b, `,"image":`...), r.Image)
	}
	if len(r.PredScores) > 0 {
		b = appendScoresJSON(append(b, `,"pred_scores":`...), r.PredScores)
	}
	if r.TagScores != nil {
		b = jsonl.AppendFloat32(append(b, `,"tag_floor":`...), r.TagFloor)
		b = appendScoresJSON(append(b, `,"tag_scores":`...), r.TagScores)
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

// appendScoresJSON appends scores, whose names are valid UTF-8, as a JSON
// object.
func appendScoresJSON(b []byte, scores []Score) []byte {
	b = append(b, '{')
	for k, s := range scores {
		if k > 0 {
			b = append(b, ',')
		}
		b = jsonl.AppendString(b, s.Name)
		b = jsonl.AppendFloat32(append(b, ':'), s.Value)
	}
	return append(b, '}')
}

// A RecordReader reads a records file one record at a time, streaming: JSON
// Lines, one object per line:
//
//	{"id": "n01440764_10026", "label": "tench", "pred": "tench", "tags": ["fish", "man", "water"]}
//
// "id" and "label" are non-empty strings; "pred" is a non-empty string, or
// "correct" (true or false) stands instead of it; when both are given they
// must agree (pred equals label exactly when correct is true); "tags" is an
// array of tags, each a non-empty string or an object with a non-empty
// string "name" and an optional number "score" in [0, 1] (a tag repeated
// within a record counts once); "image", optional, is the image's path,
// relative to the records file or absolute. The scores a record may keep
// (see Record) are objects of names and numbers: "tag_scores", each tag's
// score in [0, 1], with a score for every tag of "tags"; "tag_floor", a
// number in [0, 1], given only with "tag_scores" (1 when not given); and
// "pred_scores", classes' scores (numbers a float32 holds). Their names are
// non-empty and unique, and a file without them reads as before:
//
//	{"id": "n01440764_10026", "label": "tench", "pred": "tench", "tags": ["fish", "water"],
//	 "pred_scores": {"tench": 0.91, "barracouta": 0.05}, "tag_floor": 0.2,
//	 "tag_scores": {"fish": 0.97, "water": 0.74, "net": 0.52, "man": 0.21}}
//
// The same rules hold for every JSON Lines file prime reads (records,
// precomputed tags and predictions): member names match exactly, in case
// too ("ID" is not "id"); members may come in any order; a member prime
// knows, given twice in one object, is an error; null stands for a missing
// member; unknown members are skipped, whatever their value. Each line is
// one JSON object; blank lines are skipped, as is a UTF-8 byte order mark
// at the start of the file; lines may be of any length; the file must be
// valid UTF-8. A bad line is reported as "FILE:LINE: field "NAME": what is
// wrong" (see LineError).
//
// A RecordReader is not safe for concurrent use.
type RecordReader struct {
	name   string
	lr     *jsonl.LineReader
	p      jsonl.Parser
	rec    jsonl.Record
	strs   map[string]string // interned labels, predictions and tags
	ids    map[string]int    // line of each id read
	err    error             // sticky
	tagBuf []string
}

// NewRecordReader returns a RecordReader reading r; name is the file's name
// for messages ("-" or "stdin" for standard input).
func NewRecordReader(r io.Reader, name string) *RecordReader {
	return &RecordReader{name: name, lr: jsonl.NewLineReader(r), strs: map[string]string{}, ids: map[string]int{}}
}

// maxInterned bounds the strings a RecordReader interns; past it, new
// strings are allocated each time.
const maxInterned = 1 << 20

func (rr *RecordReader) intern(b []byte) string {
	if s, ok := rr.strs[string(b)]; ok {
		return s
	}
	s := string(b)
	if len(rr.strs) < maxInterned {
		rr.strs[s] = s
	}
	return s
}

// lineError returns the *LineError of line num of file name, which err,
// from the parser, says is bad.
func lineError(name string, num int, err error) *LineError {
	field, cause := jsonl.FieldOf(err)
	return &LineError{File: name, Line: num, Field: field, Err: cause}
}

// scores returns s, scores of rec, as a new slice, its names interned.
func (rr *RecordReader) scores(rec *jsonl.Record, s *jsonl.Scores) []Score {
	out := make([]Score, s.Len())
	for k, sp := range s.Names {
		out[k] = Score{Name: rr.intern(rec.Bytes(sp)), Value: s.Values[k]}
	}
	return out
}

// Read returns the next record, and io.EOF after the last (at once for a
// file without records). A bad line is reported as a *LineError (a
// repeated id too: the reader remembers every id it has read); an error
// from the underlying reader is returned wrapped. After an error, Read
// returns the same error. The returned Record owns its slices; its tags
// are in the line's order without repeats, and its Correct is always
// IsCorrect() (for a line with "pred", whether it equals "label").
func (rr *RecordReader) Read() (Record, error) {
	if rr.err != nil {
		return Record{}, rr.err
	}
	for {
		line, num, err := rr.lr.Next()
		if err == io.EOF {
			rr.err = io.EOF
			return Record{}, rr.err
		}
		if err != nil {
			rr.err = fmt.Errorf("prime: reading %s: %w", rr.name, err)
			return Record{}, rr.err
		}
		rec := &rr.rec
		err = rr.p.Parse(line, rec)
		if err == jsonl.ErrBlank {
			continue
		}
		if err == nil {
			err = rec.CheckRecord()
		}
		if err != nil {
			rr.err = lineError(rr.name, num, err)
			return Record{}, rr.err
		}
		id := string(rec.Bytes(rec.ID))
		if first, dup := rr.ids[id]; dup {
			rr.err = &LineError{File: rr.name, Line: num, Field: "id",
				Err: fmt.Errorf("repeated: %q first appears on line %d", id, first)}
			return Record{}, rr.err
		}
		rr.ids[id] = num
		r := Record{ID: id, Label: rr.intern(rec.Bytes(rec.Label)), Correct: rec.Correct}
		if rec.HasPred {
			r.Predicted = rr.intern(rec.Bytes(rec.Pred))
			r.Correct = r.Predicted == r.Label
		}
		if rec.Image.Len() > 0 {
			r.Image = string(rec.Bytes(rec.Image))
		}
		tags := rr.tagBuf[:0]
		var seen map[string]bool // for many tags
		if len(rec.Tags) > 32 {
			seen = make(map[string]bool, len(rec.Tags))
		}
		for _, sp := range rec.Tags {
			t := rr.intern(rec.Bytes(sp))
			switch {
			case seen != nil && seen[t], seen == nil && slices.Contains(tags, t):
				continue
			case seen != nil:
				seen[t] = true
			}
			tags = append(tags, t)
		}
		rr.tagBuf = tags
		if len(tags) > 0 {
			r.Tags = slices.Clone(tags)
		}
		if rec.TagScores.Has {
			r.TagScores, r.TagFloor = rr.scores(rec, &rec.TagScores), rec.TagFloor
		}
		if rec.PredScores.Len() > 0 {
			r.PredScores = rr.scores(rec, &rec.PredScores)
		}
		return r, nil
	}
}
