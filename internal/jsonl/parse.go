package jsonl

import (
	"bytes"
	"encoding/binary"
	"errors"
	"fmt"
	"math"
	"math/bits"
	"strconv"
	"unicode/utf16"
	"unicode/utf8"
)

// MaxDepth is the deepest nesting of arrays and objects accepted, counting
// the record object itself; encoding/json has the same limit.
const MaxDepth = 10000

// ErrBlank is returned by Parse for a line that holds only white space.
var ErrBlank = errors.New("jsonl: blank line")

// Errors about one field; an *Error carries them with the field's name.
var (
	ErrMissing   = errors.New("missing or empty")
	ErrNotString = errors.New("not a string")
	ErrNotBool   = errors.New("not true or false")
	ErrNotArray  = errors.New("not an array")
	ErrNotNumber = errors.New("not a number")
	ErrNotTag    = errors.New(`not a string or {"name": ..., "score": ...}`)
	ErrRepeated  = errors.New("given twice")
	ErrBadUTF8   = errors.New("invalid UTF-8")
	ErrEmpty     = errors.New("empty")
	ErrNoPred    = errors.New(`missing, and so is "correct"`)
	ErrNotObject = errors.New("not a JSON object")
	ErrTooLong   = errors.New("line longer than 2 GiB")
	ErrEmptyName = errors.New("a name is empty")
	ErrNoScores  = errors.New(`given without "tag_scores"`)
)

// An Error is a bad line: Field names the member at fault, "" when the line
// as a whole is (it is not JSON, not an object, or has trailing data).
type Error struct {
	Field string
	Err   error
}

func (e *Error) Error() string { return Message("", e.Field, e.Err) }

// Message returns prefix, then field "NAME": when field is not "", then the
// message of err: how the errors about a field of a line, a record or a
// row read.
func Message(prefix, field string, err error) string {
	if field != "" {
		prefix += "field " + strconv.Quote(field) + ": "
	}
	return prefix + err.Error()
}

// Unwrap returns the underlying error.
func (e *Error) Unwrap() error { return e.Err }

// FieldOf returns the member err is about and what is wrong with it: an
// *Error's Field and Err, or "" and err.
func FieldOf(err error) (field string, cause error) {
	if e, ok := err.(*Error); ok {
		return e.Field, e.Err
	}
	return "", err
}

// A SyntaxError is a line that is not valid JSON.
type SyntaxError struct {
	Col int    // 1-based byte column of the fault; len(line)+1 at the end
	Msg string // what was found
}

func (e *SyntaxError) Error() string {
	return "invalid JSON: " + e.Msg + " at column " + strconv.Itoa(e.Col)
}

// A TagError is a bad element of "tags".
type TagError struct {
	Index int   // 0-based
	Err   error // what is wrong (ErrNotTag, ErrEmpty, ErrBadUTF8), or an *Error about a member of a tag object
}

func (e *TagError) Error() string {
	if _, member := e.Err.(*Error); member || e.Err == ErrBadUTF8 {
		return "element " + strconv.Itoa(e.Index) + ": " + e.Err.Error()
	}
	return "element " + strconv.Itoa(e.Index) + " is " + e.Err.Error()
}

// A ScoreError is a tag's score outside [0, 1].
type ScoreError struct {
	Text string // the number as written
}

func (e *ScoreError) Error() string { return e.Text + " outside [0, 1]" }

// Unwrap returns the underlying error.
func (e *TagError) Unwrap() error { return e.Err }

// A NameError is a bad member of a "tag_scores" or "pred_scores" object:
// its name and what is wrong with it (ErrNotNumber, ErrRepeated, a
// *ScoreError, a *RangeError).
type NameError struct {
	Name string
	Err  error
}

func (e *NameError) Error() string { return strconv.Quote(e.Name) + ": " + e.Err.Error() }

// Unwrap returns the underlying error.
func (e *NameError) Unwrap() error { return e.Err }

// A RangeError is a number too large for a float32.
type RangeError struct {
	Text string // the number as written
}

func (e *RangeError) Error() string { return e.Text + " outside the range of a float32" }

// A MissingScoreError is a record whose "tag_scores" lack a tag of its
// "tags".
type MissingScoreError struct {
	Tag string
}

func (e *MissingScoreError) Error() string {
	return "no score for " + strconv.Quote(e.Tag) + `, a tag of "tags"`
}

// A DisagreeError is a line whose "pred" and "correct" disagree.
type DisagreeError struct {
	Correct     bool
	Pred, Label string
}

func (e *DisagreeError) Error() string {
	if e.Correct {
		return fmt.Sprintf(`true, but "pred" %q differs from "label" %q`, e.Pred, e.Label)
	}
	return fmt.Sprintf(`false, but "pred" equals "label" %q`, e.Label)
}

// A Span is where a string's contents lie in a line: line[Start:End].
type Span struct{ Start, End int32 }

// Len returns the length of the string.
func (s Span) Len() int { return int(s.End - s.Start) }

// Record holds the members of one parsed line, as Spans of Line (the line
// given to Parse, strings unescaped in place); a member missing or null
// has an empty Span.
type Record struct {
	Line                   []byte
	ID, Label, Pred, Image Span
	HasPred                bool // "pred" given (and not null)
	HasCorrect             bool // "correct" given (and not null)
	Correct                bool
	HasTags                bool   // "tags" given (and not null)
	Tags                   []Span // the tags' names, in the line's order, repeats kept
	// Scores holds the tags' scores when a tag is given as an object (1
	// for a tag given as a string), and is empty otherwise.
	Scores []float32
	// TagScores and PredScores are the members "tag_scores" and
	// "pred_scores"; TagFloor is "tag_floor", 1 when not given.
	TagScores, PredScores Scores
	HasTagFloor           bool // "tag_floor" given (and not null)
	TagFloor              float32
}

// Scores holds an object of names and numbers, "tag_scores" or
// "pred_scores", in the line's order; its names are unique.
type Scores struct {
	Has    bool   // the member is given (and not null)
	Names  []Span // of Record.Line
	Values []float32
	// byName maps each name to its index in Names, when there are more
	// than mapFrom names and none repeats, and is empty otherwise; its
	// keys are pieces of one copy of the line.
	byName map[string]int32
}

// mapFrom is the number of names from which a Scores is searched through
// a map of its names rather than one name after the other. A hash table
// of its own would not pay: to find a repeat among a record's 40 tag
// scores and look up its 15 tags took 951 ns a line with an
// open-addressing table of the names' FNV-1a hashes and takes 1,479 with
// the map (BenchmarkScoreNames, finder=table and finder=map, medians of
// 5), against about 6,700 ns to read the line (read=chunk); reading such
// records into a Dataset went from 171 to 156 MB per CPU second
// (recordfile's BenchmarkScoresRead, "40 tag scores"), the table paying
// 1.09 times, not the 1.5 that a structure of its own must.
const mapFrom = 8

// reset empties s, keeping its storage.
func (s *Scores) reset() {
	s.Has = false
	s.Names, s.Values = s.Names[:0], s.Values[:0]
	clear(s.byName)
}

// Len returns the number of names.
func (s *Scores) Len() int { return len(s.Names) }

// Bytes returns the contents of s, a Span of r.Line.
func (r *Record) Bytes(s Span) []byte { return r.Line[s.Start:s.End] }

// index returns the index in s of name, or -1; line holds s's names.
func (s *Scores) index(line, name []byte) int {
	if len(s.byName) == 0 {
		for k, sp := range s.Names {
			if bytes.Equal(line[sp.Start:sp.End], name) {
				return k
			}
		}
		return -1
	}
	if k, ok := s.byName[string(name)]; ok {
		return int(k)
	}
	return -1
}

// field indexes a known member.
type field int

const (
	fID field = iota
	fLabel
	fPred
	fCorrect
	fTags
	fImage
	fTagScores
	fTagFloor
	fPredScores
	nFields
)

var fieldNames = [nFields]string{"id", "label", "pred", "correct", "tags", "image", "tag_scores", "tag_floor", "pred_scores"}

// Members of a tag object.
const (
	fName field = iota
	fScore
)

// class of each byte inside a string: 0 plain ASCII, 1 '"', 2 '\\', 3 a
// control character or the first byte of a multi-byte sequence (or not
// UTF-8), which Parser.runeLen reads.
var strClass = func() (t [256]uint8) {
	for b := 0; b < 256; b++ {
		switch {
		case b == '"':
			t[b] = 1
		case b == '\\':
			t[b] = 2
		case b < 0x20 || b >= 0x80:
			t[b] = 3
		}
	}
	return t
}()

// A Parser parses the lines of a records file. Its zero value is ready to
// use; it keeps scratch space between calls and is not safe for concurrent
// use.
type Parser struct {
	line   []byte
	seen   uint16         // the known members given, a bit each
	scored bool           // a tag was given as an object: Record.Scores is filled
	errs   [nFields]error // per member, the last value's error
	// syntax is the first syntax error; later checks are skipped.
	syntax *SyntaxError
	utf8   bool // syntax is about invalid UTF-8 in a string
	// utf8Field names the member whose string holds the invalid UTF-8.
	utf8Field string
	field     field
	known     bool // the member being parsed is a known one
}

// Parse parses one line (without its line feed; a trailing carriage return
// is white space) into r, reusing r.Tags' and r.Scores' storage. It
// unescapes strings in place, so it may overwrite bytes of line. It returns
// ErrBlank for a blank line, an *Error for a line that breaks the rules of
// the package documentation, and nil otherwise; which members a line must
// have is the caller's to check (see CheckRecord).
func (p *Parser) Parse(line []byte, r *Record) error {
	// Field by field: assigning a whole Record writes every pointer it
	// holds, behind the garbage collector's write barrier.
	r.Line = line
	r.ID, r.Label, r.Pred, r.Image = Span{}, Span{}, Span{}, Span{}
	r.HasPred, r.HasCorrect, r.Correct, r.HasTags = false, false, false, false
	r.Tags, r.Scores = r.Tags[:0], r.Scores[:0]
	if r.TagScores.Has {
		r.TagScores.reset()
	}
	if r.PredScores.Has {
		r.PredScores.reset()
	}
	r.HasTagFloor, r.TagFloor = false, 1
	if len(line) > math.MaxInt32 {
		return &Error{Err: ErrTooLong}
	}
	p.line = line
	p.seen, p.scored = 0, false
	p.errs = [nFields]error{}
	p.syntax = nil
	p.utf8 = false
	p.utf8Field = ""

	i := skipWS(line, 0)
	if i == len(line) {
		return ErrBlank
	}
	if line[i] != '{' {
		j := p.skipValue(i, 1)
		if p.syntax == nil {
			if j = skipWS(line, j); j < len(line) {
				p.fail(j, "data after the value")
			}
		}
		if p.syntax != nil {
			return p.syntaxErr()
		}
		return &Error{Err: ErrNotObject}
	}
	i = p.object(i, r)
	if p.syntax == nil {
		if i = skipWS(line, i); i < len(line) {
			p.fail(i, "data after the object")
		}
	}
	if p.syntax != nil {
		return p.syntaxErr()
	}
	for f, err := range p.errs {
		if err != nil {
			return &Error{Field: fieldNames[f], Err: err}
		}
	}
	return nil
}

// CheckRecord reports, as an *Error, what keeps r, a line Parse accepted,
// from being a record: "id" and "label" are non-empty; "pred" is non-empty
// or missing, and then "correct" is given; when both are, they agree;
// "tag_floor" is given only with "tag_scores", and "tag_scores", when
// given, has a score for every tag of "tags".
func (r *Record) CheckRecord() error { return r.check(r.Bytes(r.Label)) }

// check is CheckRecord with label standing for "label".
func (r *Record) check(label []byte) error {
	if err := r.checkFields(label); err != nil {
		return err
	}
	return r.checkScores()
}

// checkScores reports, as an *Error, what CheckRecord finds wrong with the
// scores of r: "tag_floor" given without "tag_scores", or a tag of "tags"
// without a score in "tag_scores".
func (r *Record) checkScores() error {
	switch {
	case r.HasTagFloor && !r.TagScores.Has:
		return &Error{Field: "tag_floor", Err: ErrNoScores}
	case r.TagScores.Has:
		for _, t := range r.Tags {
			name := r.Bytes(t)
			if r.TagScores.index(r.Line, name) < 0 {
				return &Error{Field: "tag_scores", Err: &MissingScoreError{Tag: string(name)}}
			}
		}
	}
	return nil
}

// checkFields is check's checks of "id", "label", "pred" and "correct".
func (r *Record) checkFields(label []byte) error {
	switch {
	case r.ID.Len() == 0:
		return &Error{Field: "id", Err: ErrMissing}
	case len(label) == 0:
		return &Error{Field: "label", Err: ErrMissing}
	case r.HasPred && r.Pred.Len() == 0:
		return &Error{Field: "pred", Err: ErrEmpty}
	case !r.HasPred && !r.HasCorrect:
		return &Error{Field: "pred", Err: ErrNoPred}
	case r.HasPred && r.HasCorrect && bytes.Equal(r.Bytes(r.Pred), label) != r.Correct:
		return &Error{Field: "correct", Err: &DisagreeError{Correct: r.Correct, Pred: string(r.Bytes(r.Pred)), Label: string(label)}}
	}
	return nil
}

func (p *Parser) syntaxErr() error {
	if p.utf8 || !utf8.Valid(p.line) {
		return &Error{Field: p.utf8Field, Err: ErrBadUTF8}
	}
	return &Error{Err: p.syntax}
}

// fail records a syntax error at byte i, unless one is recorded already.
func (p *Parser) fail(i int, what string) {
	if p.syntax != nil {
		return
	}
	if i >= len(p.line) {
		p.syntax = &SyntaxError{Col: len(p.line) + 1, Msg: "unexpected end of line"}
		return
	}
	c := p.line[i]
	found := fmt.Sprintf("byte 0x%02x", c)
	if c >= 0x20 && c < 0x7f {
		found = strconv.QuoteRune(rune(c))
	}
	if what == "" {
		what = "unexpected " + found
	} else {
		what += " (" + found + ")"
	}
	p.syntax = &SyntaxError{Col: i + 1, Msg: what}
}

func skipWS(b []byte, i int) int {
	for i < len(b) {
		switch b[i] {
		case ' ', '\t', '\r', '\n':
			i++
		default:
			return i
		}
	}
	return i
}

// object parses the record object starting at line[i] == '{' and returns
// the index after it.
func (p *Parser) object(i int, r *Record) int {
	line := p.line
	i, end := p.open(i, '}')
	for !end {
		p.known = false
		key, j := p.key(i)
		if p.syntax != nil {
			return j
		}
		f := lookup(line[key.Start:key.End])
		i = j
		if i >= len(line) {
			p.fail(i, "")
			return i
		}
		if f < 0 {
			i = p.skipValue(i, 2)
		} else {
			p.field, p.known = f, true
			i = p.member(f, i, r)
			p.known = false
		}
		if p.syntax != nil {
			return i
		}
		i, end = p.next(i, '}')
	}
	return i
}

// key reads an object member's key at line[i], the colon after it and the
// white space around, and returns the key and the index of the value. On
// anything else it records a syntax error.
func (p *Parser) key(i int) (Span, int) {
	line := p.line
	if i >= len(line) || line[i] != '"' {
		p.fail(i, "")
		return Span{}, i
	}
	k, j := p.str(i)
	if p.syntax != nil {
		return k, j
	}
	j = skipWS(line, j)
	if j >= len(line) || line[j] != ':' {
		p.fail(j, "")
		return k, j
	}
	return k, skipWS(line, j+1)
}

// open steps over the byte that opens the object or array at line[i] and
// the white space after it. It returns the index after them, with empty
// set, and the index after it, when the closing byte close follows.
func (p *Parser) open(i int, close byte) (j int, empty bool) {
	i = skipWS(p.line, i+1)
	if i < len(p.line) && p.line[i] == close {
		return i + 1, true
	}
	return i, false
}

// next steps over what follows a member or an element: white space, then
// a comma and white space, or the closing byte close of the object or array.
// It returns the index after them, with end set after close. On anything
// else it records a syntax error and returns with end set.
func (p *Parser) next(i int, close byte) (j int, end bool) {
	line := p.line
	i = skipWS(line, i)
	if i >= len(line) {
		p.fail(i, "")
		return i, true
	}
	switch line[i] {
	case ',':
		return skipWS(line, i+1), false
	case close:
		return i + 1, true
	}
	p.fail(i, "")
	return i, true
}

// lookup returns the known member named key, or -1.
func lookup(key []byte) field {
	for f, name := range fieldNames {
		if string(key) == name {
			return field(f)
		}
	}
	return -1
}

// isNull reports whether line[i:] starts with the literal null, and if so
// returns the index after it.
func (p *Parser) literal(i int, lit string) (int, bool) {
	if len(p.line)-i >= len(lit) && string(p.line[i:i+len(lit)]) == lit {
		return i + len(lit), true
	}
	return i, false
}

// member parses the value of known member f at line[i].
func (p *Parser) member(f field, i int, r *Record) int {
	if p.seen&(1<<f) != 0 {
		if p.errs[f] == nil {
			p.errs[f] = ErrRepeated
		}
		return p.skipValue(i, 2)
	}
	p.seen |= 1 << f
	line := p.line
	c := line[i]
	if c == 'n' {
		if j, ok := p.literal(i, "null"); ok {
			return j
		}
	}
	switch f {
	case fCorrect:
		if j, ok := p.literal(i, "true"); ok {
			r.Correct, r.HasCorrect = true, true
			return j
		}
		if j, ok := p.literal(i, "false"); ok {
			r.HasCorrect = true
			return j
		}
		p.errs[f] = ErrNotBool
		return p.skipValue(i, 2)
	case fTags:
		if c != '[' {
			p.errs[f] = ErrNotArray
			return p.skipValue(i, 2)
		}
		r.HasTags = true
		return p.tags(i, r)
	case fTagScores, fPredScores:
		if c != '{' {
			p.errs[f] = ErrNotObject
			return p.skipValue(i, 2)
		}
		if f == fTagScores {
			return p.scores(i, f, &r.TagScores)
		}
		return p.scores(i, f, &r.PredScores)
	case fTagFloor:
		v, j, err := p.float32(i, 2, true)
		if err != nil {
			p.errs[f] = err
		}
		r.TagFloor, r.HasTagFloor = v, err == nil
		return j
	}
	if c != '"' {
		p.errs[f] = ErrNotString
		return p.skipValue(i, 2)
	}
	s, j := p.str(i)
	switch f {
	case fID:
		r.ID = s
	case fLabel:
		r.Label = s
	case fPred:
		r.Pred, r.HasPred = s, true
	case fImage:
		r.Image = s
	}
	return j
}

// tagErr records err about element n of "tags", unless an error about the
// member is recorded already.
func (p *Parser) tagErr(n int, err error) {
	if p.errs[fTags] == nil {
		p.errs[fTags] = &TagError{Index: n, Err: err}
	}
}

// tags parses the array of tags at line[i] == '['.
func (p *Parser) tags(i int, r *Record) int {
	line := p.line
	i, end := p.open(i, ']')
	for n := 0; !end; n++ {
		if i >= len(line) {
			p.fail(i, "")
			return i
		}
		switch line[i] {
		case '"':
			// The common case inline: a plain string, up to its quote.
			j := i + 1
			for j+8 <= len(line) {
				if r := special(binary.LittleEndian.Uint64(line[j:])); r != 0 {
					j += bits.TrailingZeros64(r) >> 3
					goto scanned
				}
				j += 8
			}
			for j < len(line) && strClass[line[j]] == 0 {
				j++
			}
		scanned:
			var s Span
			if j < len(line) && line[j] == '"' {
				s, j = Span{int32(i + 1), int32(j)}, j+1
			} else if s, j = p.str(i); p.syntax != nil {
				return j
			}
			if s.Len() == 0 {
				p.tagErr(n, ErrEmpty)
			}
			r.Tags = append(r.Tags, s)
			if p.scored {
				r.Scores = append(r.Scores, 1)
			}
			i = j
		case '{':
			var s Span
			var score float32
			if s, score, i = p.tagObject(i, n); p.syntax != nil {
				return i
			}
			if !p.scored {
				p.scored = true
				for range r.Tags {
					r.Scores = append(r.Scores, 1)
				}
			}
			r.Tags = append(r.Tags, s)
			r.Scores = append(r.Scores, score)
		default:
			p.tagErr(n, ErrNotTag)
			if i = p.skipValue(i, 3); p.syntax != nil {
				return i
			}
		}
		i, end = p.next(i, ']')
	}
	return i
}

// tagObject parses the tag object at line[i] == '{', element n of "tags",
// and returns its name, its score and the index after it.
func (p *Parser) tagObject(i, n int) (name Span, score float32, j int) {
	line := p.line
	score = 1
	var seen [2]bool
	i, end := p.open(i, '}')
	for !end {
		key, j := p.key(i)
		if p.syntax != nil {
			return name, score, j
		}
		i = j
		f := field(-1)
		switch string(line[key.Start:key.End]) {
		case "name":
			f = fName
		case "score":
			f = fScore
		}
		switch {
		case f < 0:
			i = p.skipValue(i, 4)
		case seen[f]:
			p.tagErr(n, &Error{Field: string(line[key.Start:key.End]), Err: ErrRepeated})
			i = p.skipValue(i, 4)
		default:
			seen[f] = true
			name, score, i = p.tagMember(f, i, n, name, score)
		}
		if p.syntax != nil {
			return name, score, i
		}
		i, end = p.next(i, '}')
	}
	if name.Len() == 0 {
		p.tagErr(n, &Error{Field: "name", Err: ErrMissing})
	}
	return name, score, i
}

// tagMember parses the value at line[i] of member f of a tag object,
// element n of "tags", into name or score.
func (p *Parser) tagMember(f field, i, n int, name Span, score float32) (Span, float32, int) {
	line := p.line
	if j, ok := p.literal(i, "null"); ok {
		return name, score, j
	}
	if f == fName {
		if i >= len(line) || line[i] != '"' {
			p.tagErr(n, &Error{Field: "name", Err: ErrNotString})
			return name, score, p.skipValue(i, 4)
		}
		name, i = p.str(i)
		return name, score, i
	}
	v, j, err := p.float32(i, 4, true)
	if re, ok := err.(*RangeError); ok {
		err = &ScoreError{Text: re.Text}
	}
	if err != nil {
		p.tagErr(n, &Error{Field: "score", Err: err})
		return name, score, j
	}
	return name, v, j
}

// float32 parses the number at line[i], at nesting depth depth, as a
// float32, in [0, 1] when unit is set, and returns it and the index after
// it; a value that is not a number or is out of range is skipped and
// returns an error (ErrNotNumber, *ScoreError, *RangeError). A syntax error
// is recorded.
func (p *Parser) float32(i, depth int, unit bool) (float32, int, error) {
	line := p.line
	if i >= len(line) || (line[i] != '-' && (line[i] < '0' || line[i] > '9')) {
		return 0, p.skipValue(i, depth), ErrNotNumber
	}
	j := p.number(i)
	if p.syntax != nil {
		return 0, j, nil
	}
	v, err := strconv.ParseFloat(string(line[i:j]), 32)
	switch {
	case err != nil:
		return 0, j, &RangeError{Text: string(line[i:j])}
	case unit && !(v >= 0 && v <= 1):
		return 0, j, &ScoreError{Text: string(line[i:j])}
	}
	return float32(v), j, nil
}

// scores parses the object at line[i] == '{', the value of member f
// ("tag_scores", whose numbers are in [0, 1], or "pred_scores"), into s,
// and returns the index after it.
func (p *Parser) scores(i int, f field, s *Scores) int {
	line := p.line
	s.Has = true
	i, end := p.open(i, '}')
	for !end {
		name, j := p.key(i)
		if p.syntax != nil {
			return j
		}
		if i = j; i >= len(line) {
			p.fail(i, "")
			return i
		}
		v, j, err := p.float32(i, 3, f == fTagScores)
		if p.syntax != nil {
			return j
		}
		switch {
		case name.Len() == 0:
			err = ErrEmptyName
		case err != nil:
			err = &NameError{Name: string(line[name.Start:name.End]), Err: err}
		}
		if err != nil && p.errs[f] == nil {
			p.errs[f] = err
		}
		s.Names = append(s.Names, name)
		s.Values = append(s.Values, v)
		i, end = p.next(j, '}')
	}
	if p.syntax == nil && p.errs[f] == nil {
		if k := p.repeat(s); k >= 0 {
			p.errs[f] = &NameError{Name: string(line[s.Names[k].Start:s.Names[k].End]), Err: ErrRepeated}
		}
	}
	return i
}

// repeat builds the map of the names of s (see Scores.byName) and returns
// the index of the first name that an earlier one repeats, or -1.
func (p *Parser) repeat(s *Scores) int {
	line := p.line
	if len(s.Names) <= mapFrom {
		name := func(k int) []byte { return line[s.Names[k].Start:s.Names[k].End] }
		for k := range s.Names {
			for e := range k {
				if bytes.Equal(name(e), name(k)) {
					return k
				}
			}
		}
		return -1
	}
	if s.byName == nil {
		s.byName = make(map[string]int32, len(s.Names))
	}
	str := string(line) // one allocation for every name's key
	for k, sp := range s.Names {
		name := str[sp.Start:sp.End]
		if _, ok := s.byName[name]; ok {
			clear(s.byName) // a repeat: the map is not whole
			return k
		}
		s.byName[name] = int32(k)
	}
	return -1
}

// str parses the string at line[i] == '"', returning its contents
// (unescaped in place when it holds escapes) and the index after it.
func (p *Parser) str(i int) (Span, int) {
	line := p.line
	start := i + 1
	j := start
	for {
		// Skip eight plain bytes at a time.
		for j+8 <= len(line) {
			if r := special(binary.LittleEndian.Uint64(line[j:])); r != 0 {
				j += bits.TrailingZeros64(r) >> 3
				break
			}
			j += 8
		}
		if j >= len(line) {
			break
		}
		switch strClass[line[j]] {
		case 0:
			j++
		case 1:
			return Span{int32(start), int32(j)}, j + 1
		case 2:
			return p.unescape(start, j)
		case 3:
			size := p.runeLen(j)
			if size == 0 {
				return Span{}, j
			}
			j += size
		}
	}
	p.fail(j, "")
	return Span{}, j
}

const (
	lsb = 0x0101010101010101
	msb = 0x8080808080808080
)

// special returns, in the high bit of each byte, which bytes of the eight
// in x (little-endian) end a run of plain string bytes: '"', '\\', a
// control character or a byte of a multi-byte sequence. The lowest set bit
// is exact; bits above it may be set by borrows.
func special(x uint64) uint64 {
	return ((x - lsb*0x20) | ((x ^ lsb*'"') - lsb) | ((x ^ lsb*'\\') - lsb) | x) & msb
}

// unescape continues the string that starts at line[start] from its first
// backslash at line[j], writing the unescaped contents over the escaped
// ones; w never passes the read position. Lone surrogates become U+FFFD,
// as encoding/json decodes them.
func (p *Parser) unescape(start, j int) (Span, int) {
	line := p.line
	w := j
	for j < len(line) {
		c := line[j]
		switch strClass[c] {
		case 0:
			line[w] = c
			w++
			j++
		case 1:
			return Span{int32(start), int32(w)}, j + 1
		case 3:
			size := p.runeLen(j)
			if size == 0 {
				return Span{}, j
			}
			copy(line[w:], line[j:j+size])
			w += size
			j += size
		case 2:
			if j+1 >= len(line) {
				p.fail(j+1, "")
				return Span{}, j + 1
			}
			e := line[j+1]
			out := unescaped[e]
			switch {
			case e == 'u':
				r, ok := hex4(line, j+2)
				if !ok {
					p.fail(j, "invalid \\u escape")
					return Span{}, j
				}
				j += 6
				if utf16.IsSurrogate(r) {
					if r2, ok := hex4(line, j+2); ok && j+1 < len(line) && line[j] == '\\' && line[j+1] == 'u' {
						if d := utf16.DecodeRune(r, r2); d != utf8.RuneError {
							r = d
							j += 6
						} else {
							r = utf8.RuneError
						}
					} else {
						r = utf8.RuneError
					}
				}
				w += utf8.EncodeRune(line[w:], r)
				continue
			case out == 0:
				p.fail(j, "invalid escape")
				return Span{}, j
			}
			line[w] = out
			w++
			j += 2
		}
	}
	p.fail(j, "")
	return Span{}, j
}

// unescaped holds the byte that each escape but \u stands for, after its
// backslash; 0 for a byte that is no escape.
var unescaped = [256]byte{'"': '"', '\\': '\\', '/': '/', 'b': '\b', 'f': '\f', 'n': '\n', 'r': '\r', 't': '\t'}

// runeLen returns the length of the character at line[j], inside a
// string, or 0 when it is a control character or not valid UTF-8, which it
// records.
func (p *Parser) runeLen(j int) int {
	if p.line[j] < 0x20 {
		p.fail(j, "control character in string")
		return 0
	}
	r, size := utf8.DecodeRune(p.line[j:])
	if r != utf8.RuneError || size > 1 {
		return size
	}
	if p.syntax == nil {
		p.fail(j, "invalid UTF-8")
		p.utf8 = true
		if p.known {
			p.utf8Field = fieldNames[p.field]
		}
	}
	return 0
}

// hex4 decodes the four hexadecimal digits at b[i:i+4].
func hex4(b []byte, i int) (rune, bool) {
	if i < 0 || i+4 > len(b) {
		return 0, false
	}
	r, err := strconv.ParseUint(string(b[i:i+4]), 16, 16)
	return rune(r), err == nil
}

// skipValue skips the JSON value at line[i], at nesting depth depth (its
// own depth if it is an array or object), checking its syntax and the UTF-8
// of its strings, and returns the index after it.
func (p *Parser) skipValue(i, depth int) int {
	line := p.line
	if i >= len(line) {
		p.fail(i, "")
		return i
	}
	switch c := line[i]; {
	case c == '"':
		_, j := p.str(i)
		return j
	case c == '{' || c == '[':
		if depth > MaxDepth {
			p.fail(i, "nested too deeply")
			return i
		}
		close := c + 2 // '}' or ']'
		i, end := p.open(i, close)
		for !end {
			if c == '{' {
				if _, i = p.key(i); p.syntax != nil {
					return i
				}
			}
			if i = p.skipValue(i, depth+1); p.syntax != nil {
				return i
			}
			i, end = p.next(i, close)
		}
		return i
	case c == '-' || ('0' <= c && c <= '9'):
		return p.number(i)
	case c == 't':
		if j, ok := p.literal(i, "true"); ok {
			return j
		}
	case c == 'f':
		if j, ok := p.literal(i, "false"); ok {
			return j
		}
	case c == 'n':
		if j, ok := p.literal(i, "null"); ok {
			return j
		}
	}
	p.fail(i, "")
	return i
}

// number skips the JSON number at line[i].
func (p *Parser) number(i int) int {
	line := p.line
	if line[i] == '-' {
		i++
	}
	switch {
	case i < len(line) && line[i] == '0':
		i++
	case i < len(line) && '1' <= line[i] && line[i] <= '9':
		i = digits(line, i+1)
	default:
		p.fail(i, "")
		return i
	}
	if i < len(line) && line[i] == '.' {
		i++
		if i >= len(line) || line[i] < '0' || line[i] > '9' {
			p.fail(i, "")
			return i
		}
		i = digits(line, i+1)
	}
	if i < len(line) && (line[i] == 'e' || line[i] == 'E') {
		i++
		if i < len(line) && (line[i] == '+' || line[i] == '-') {
			i++
		}
		if i >= len(line) || line[i] < '0' || line[i] > '9' {
			p.fail(i, "")
			return i
		}
		i = digits(line, i+1)
	}
	return i
}

func digits(b []byte, i int) int {
	for i < len(b) && '0' <= b[i] && b[i] <= '9' {
		i++
	}
	return i
}
