package compare

import (
	"bytes"
	"errors"
	"fmt"
	"strconv"
	"testing"
	"time"
	"unicode/utf8"

	"github.com/go-json-experiment/json/jsontext"
	"github.com/valyala/fastjson"

	"github.com/failmodes/prime"
	"github.com/failmodes/prime/internal/cputime"
	"github.com/failmodes/prime/internal/jsonl"
	"github.com/failmodes/prime/internal/synth"
)

// fields are the members of one record line, as bytes valid until the
// next line, as every reader below fills them.
type fields struct {
	id, label, pred, image []byte
	hasPred, hasCorrect    bool
	correct                bool
	tags                   [][]byte
	scores                 []float32
}

// setString sets the string member whose bit (see known) is bit to the
// string that read reads, and returns read's error.
func (f *fields) setString(bit uint8, read func() ([]byte, error)) error {
	s, err := read()
	switch bit {
	case 1:
		f.id = s
	case 2:
		f.label = s
	case 4:
		f.pred, f.hasPred = s, true
	case 32:
		f.image = s
	}
	return err
}

// addScored adds a tag given as an object, with its score; the tags given
// as strings before it score 1.
func (f *fields) addScored(name []byte, score float32) {
	for len(f.scores) < len(f.tags) {
		f.scores = append(f.scores, 1)
	}
	f.tags = append(f.tags, name)
	f.scores = append(f.scores, score)
}

// A reader parses one line into f, by the rules of prime.RecordReader:
// syntax, UTF-8, the known members' types, a known member given twice, tag
// strings or {"name", "score"} objects; the checks of which members a record
// must have are left out, being the same for all.
type reader interface {
	read(line []byte, f *fields) error
}

var (
	errType     = errors.New("wrong type")
	errRepeated = errors.New("given twice")
	errTag      = errors.New("bad tag")
)

// known returns the bit of a known member's name, or 0.
func known(name string) uint8 {
	switch name {
	case "id":
		return 1
	case "label":
		return 2
	case "pred":
		return 4
	case "correct":
		return 8
	case "tags":
		return 16
	case "image":
		return 32
	}
	return 0
}

// scanner is package jsonl's hand-written scanner.
type scanner struct {
	p   jsonl.Parser
	rec jsonl.Record
}

func (s *scanner) read(line []byte, f *fields) error {
	if err := s.p.Parse(line, &s.rec); err != nil {
		return err
	}
	r := &s.rec
	f.id, f.label, f.pred, f.image = r.Bytes(r.ID), r.Bytes(r.Label), r.Bytes(r.Pred), r.Bytes(r.Image)
	f.hasPred, f.hasCorrect, f.correct = r.HasPred, r.HasCorrect, r.Correct
	f.tags = f.tags[:0]
	for _, t := range r.Tags {
		f.tags = append(f.tags, r.Bytes(t))
	}
	f.scores = append(f.scores[:0], r.Scores...)
	return nil
}

// tokens is jsontext's Decoder, a line at a time, names checked for
// repeats by the reader (only the known ones, as the rules say) rather
// than by jsontext (all of them).
type tokens struct {
	dec  *jsontext.Decoder
	buf  bytes.Buffer
	opts jsontext.Options
	tmp  [][]byte // unescaped strings, reused
	n    int
}

func newTokens() *tokens {
	t := &tokens{opts: jsontext.AllowDuplicateNames(true)}
	t.dec = jsontext.NewDecoder(&t.buf, t.opts)
	return t
}

// str reads a string value: its contents, unescaped when it has escapes.
func (t *tokens) str() ([]byte, error) {
	v, err := t.dec.ReadValue()
	if err != nil {
		return nil, err
	}
	if v.Kind() != '"' {
		return nil, errType
	}
	if bytes.IndexByte(v, '\\') < 0 {
		return v[1 : len(v)-1], nil
	}
	if t.n == len(t.tmp) {
		t.tmp = append(t.tmp, nil)
	}
	t.tmp[t.n], err = jsontext.AppendUnquote(t.tmp[t.n][:0], v)
	t.n++
	return t.tmp[t.n-1], err
}

func (t *tokens) read(line []byte, f *fields) error {
	t.buf = *bytes.NewBuffer(line)
	t.dec.Reset(&t.buf, t.opts)
	t.n = 0
	*f = fields{tags: f.tags[:0], scores: f.scores[:0]}
	tok, err := t.dec.ReadToken()
	if err != nil {
		return err
	}
	if tok.Kind() != '{' {
		return errType
	}
	var seen uint8
	for t.dec.PeekKind() != '}' {
		name, err := t.dec.ReadToken()
		if err != nil {
			return err
		}
		bit := known(name.String())
		if seen&bit != 0 {
			return errRepeated
		}
		seen |= bit
		if bit != 0 && t.dec.PeekKind() == 'n' {
			_, err = t.dec.ReadToken()
			if err != nil {
				return err
			}
			continue
		}
		switch bit {
		case 1, 2, 4, 32:
			err = f.setString(bit, t.str)
		case 8:
			var v jsontext.Token
			if v, err = t.dec.ReadToken(); err == nil {
				if v.Kind() != 't' && v.Kind() != 'f' {
					return errType
				}
				f.correct, f.hasCorrect = v.Bool(), true
			}
		case 16:
			err = t.tags(f)
		default:
			err = t.dec.SkipValue()
		}
		if err != nil {
			return err
		}
	}
	if _, err := t.dec.ReadToken(); err != nil {
		return err
	}
	if _, err := t.dec.ReadToken(); err == nil {
		return errors.New("data after the object")
	}
	return nil
}

func (t *tokens) tags(f *fields) error {
	if tok, err := t.dec.ReadToken(); err != nil || tok.Kind() != '[' {
		return errType
	}
	for t.dec.PeekKind() != ']' {
		if t.dec.PeekKind() == '"' {
			s, err := t.str()
			if err != nil {
				return err
			}
			f.tags = append(f.tags, s)
			if len(f.scores) > 0 {
				f.scores = append(f.scores, 1)
			}
			continue
		}
		if t.dec.PeekKind() != '{' {
			return errTag
		}
		t.dec.ReadToken()
		var name []byte
		score := float32(1)
		for t.dec.PeekKind() != '}' {
			k, err := t.dec.ReadToken()
			if err != nil {
				return err
			}
			switch k.String() {
			case "name":
				name, err = t.str()
			case "score":
				var v jsontext.Token
				if v, err = t.dec.ReadToken(); err == nil {
					var x float64
					x, err = v.Float()
					score = float32(x)
				}
			default:
				err = t.dec.SkipValue()
			}
			if err != nil {
				return err
			}
		}
		t.dec.ReadToken()
		f.addScored(name, score)
	}
	_, err := t.dec.ReadToken()
	return err
}

// tree is fastjson's Parser, which builds a tree of the line and unescapes
// strings without checking them; validate adds fastjson's validation and a
// check of UTF-8, the rules' syntax, which the parser alone does not check.
type tree struct {
	p        fastjson.Parser
	validate bool
}

func (t *tree) read(line []byte, f *fields) error {
	if t.validate {
		if !utf8.Valid(line) {
			return errors.New("invalid UTF-8")
		}
		if err := fastjson.ValidateBytes(line); err != nil {
			return err
		}
	}
	v, err := t.p.ParseBytes(line)
	if err != nil {
		return err
	}
	o, err := v.Object()
	if err != nil {
		return err
	}
	*f = fields{tags: f.tags[:0], scores: f.scores[:0]}
	var seen uint8
	o.Visit(func(key []byte, v *fastjson.Value) {
		bit := known(string(key))
		if err != nil || bit == 0 {
			return
		}
		if seen&bit != 0 {
			err = errRepeated
			return
		}
		seen |= bit
		if v.Type() == fastjson.TypeNull {
			return
		}
		switch bit {
		case 1, 2, 4, 32:
			err = f.setString(bit, v.StringBytes)
		case 8:
			f.correct, err = v.Bool()
			f.hasCorrect = true
		case 16:
			var a []*fastjson.Value
			if a, err = v.Array(); err != nil {
				return
			}
			for _, e := range a {
				if e.Type() == fastjson.TypeString {
					s, _ := e.StringBytes()
					f.tags = append(f.tags, s)
					continue
				}
				name := e.GetStringBytes("name")
				if name == nil {
					err = errTag
					return
				}
				f.addScored(name, float32(e.GetFloat64("score")))
			}
		}
	})
	return err
}

// records returns an ImageNet-like records file of n classes of 1300
// records (RAM's 4,585 tags, 10 to 25 a record), some tags with scores.
func records(tb testing.TB, classes int) []byte {
	var buf bytes.Buffer
	w := prime.NewRecordWriter(&buf)
	_, err := synth.Generate(synth.Config{Classes: classes, MinRecords: 1300, Seed: 1}, func(r *prime.Record) error {
		return w.Write(r)
	})
	if err == nil {
		err = w.Flush()
	}
	if err != nil {
		tb.Fatal(err)
	}
	return buf.Bytes()
}

var readers = []struct {
	name string
	new  func() reader
}{
	{"jsonl", func() reader { return new(scanner) }},
	{"jsontext", func() reader { return newTokens() }},
	{"fastjson", func() reader { return &tree{} }},
	{"fastjson+validate", func() reader { return &tree{validate: true} }},
}

// TestReadersAgree requires every reader to give the same fields, so that
// the benchmark compares readers that do the same work.
func TestReadersAgree(t *testing.T) {
	data := records(t, 3)
	lines := bytes.Split(bytes.TrimSuffix(data, []byte("\n")), []byte("\n"))
	lines = append(lines, []byte(`{"id":"x\u00e9","label":"a","correct":true,"tags":["a\"b",{"name":"s","score":0.5}],"note":{"a":[1,null]}}`))
	want := make([]string, len(lines))
	for _, rd := range readers {
		r := rd.new()
		var f fields
		for i, line := range lines {
			if err := r.read(bytes.Clone(line), &f); err != nil {
				t.Fatalf("%s, line %d: %v", rd.name, i+1, err)
			}
			got := fmt.Sprintf("%q", [][]byte{f.id, f.label, f.pred, f.image, []byte(strconv.FormatBool(f.correct))}) + fmt.Sprintf("%q %v", f.tags, f.scores)
			if rd.name == "jsonl" {
				want[i] = got
			} else if got != want[i] {
				t.Fatalf("%s, line %d: %s, want %s", rd.name, i+1, got, want[i])
			}
		}
	}
}

// BenchmarkRead reads an ImageNet-like records file (100 classes of 1300
// records, 34 MB) with each reader, interning the tags in a map as a
// Dataset's builder does, and reports the rate per CPU second: the rate of
// one core.
func BenchmarkRead(b *testing.B) {
	data := records(b, 100)
	for _, rd := range readers {
		b.Run(rd.name, func(b *testing.B) {
			r := rd.new()
			var f fields
			ids := map[string]int32{}
			scratch := make([]byte, len(data))
			b.SetBytes(int64(len(data)))
			var cpu time.Duration
			for b.Loop() {
				copy(scratch, data) // the scanner unescapes in place
				c := cputime.Process()
				for rest := scratch; len(rest) > 0; {
					k := bytes.IndexByte(rest, '\n')
					line := rest[:k]
					rest = rest[k+1:]
					if err := r.read(line, &f); err != nil {
						b.Fatal(err)
					}
					for _, t := range f.tags {
						if _, ok := ids[string(t)]; !ok {
							ids[string(t)] = int32(len(ids))
						}
					}
				}
				cpu += cputime.Process() - c
			}
			b.ReportMetric(float64(len(data))/1e6/(cpu.Seconds()/float64(b.N)), "MB/cpu-s")
		})
	}
}
