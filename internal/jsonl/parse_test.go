package jsonl

import (
	"bytes"
	"encoding/json"
	"errors"
	"math"
	"math/rand/v2"
	"slices"
	"strings"
	"testing"
	"unicode/utf8"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// decoded is a line's members as plain values, for comparing.
type decoded struct {
	ID, Label, Pred, Image       string
	HasPred, HasCorrect, HasTags bool
	Correct                      bool
	Tags                         []string
	Scores                       []float32
	// "tag_scores", "pred_scores" (nil when not given) and "tag_floor".
	TagScores, PredScores map[string]float32
	HasTagFloor           bool
	TagFloor              float32
}

func fromScores(r *Record, s *Scores) map[string]float32 {
	if !s.Has {
		return nil
	}
	m := map[string]float32{}
	for k, sp := range s.Names {
		m[string(r.Bytes(sp))] = s.Values[k]
	}
	return m
}

func fromRecord(r *Record) decoded {
	d := decoded{ID: string(r.Bytes(r.ID)), Label: string(r.Bytes(r.Label)), Pred: string(r.Bytes(r.Pred)), Image: string(r.Bytes(r.Image)),
		HasPred: r.HasPred, HasCorrect: r.HasCorrect, HasTags: r.HasTags, Correct: r.Correct}
	for _, t := range r.Tags {
		d.Tags = append(d.Tags, string(r.Bytes(t)))
	}
	if len(r.Scores) > 0 {
		d.Scores = r.Scores
	}
	d.TagScores, d.PredScores = fromScores(r, &r.TagScores), fromScores(r, &r.PredScores)
	d.HasTagFloor, d.TagFloor = r.HasTagFloor, r.TagFloor
	return d
}

// allKeys returns the keys of the JSON object obj, in order, repeats kept.
func allKeys(obj json.RawMessage) []string {
	dec := json.NewDecoder(bytes.NewReader(obj))
	dec.Token() // {
	var keys []string
	for dec.More() {
		tok, _ := dec.Token()
		keys = append(keys, tok.(string))
		var skip json.RawMessage
		dec.Decode(&skip)
	}
	return keys
}

// referenceScores decodes the value of "tag_scores" or "pred_scores"
// (unit: numbers in [0, 1]) by the rules: an object of non-empty,
// unique names whose values are numbers that a float32 holds.
func referenceScores(raw json.RawMessage, unit bool) (map[string]float32, bool) {
	var m map[string]json.RawMessage
	if json.Unmarshal(raw, &m) != nil || m == nil {
		return nil, false
	}
	keys := allKeys(raw)
	if len(keys) != len(m) {
		return nil, false // a repeat
	}
	out := map[string]float32{}
	for name, v := range m {
		f, ok := referenceNumber(v, unit)
		if name == "" || !ok {
			return nil, false
		}
		out[name] = f
	}
	return out, true
}

// referenceNumber decodes raw as a JSON number that a float32 holds, in
// [0, 1] when unit is set.
func referenceNumber(raw json.RawMessage, unit bool) (float32, bool) {
	var f float32
	if c := raw[0]; c != '-' && (c < '0' || c > '9') || json.Unmarshal(raw, &f) != nil {
		return 0, false
	}
	return f, !unit || (f >= 0 && f <= 1)
}

// repeats reports whether the JSON object obj has a member of one of the
// names given twice.
func repeats(obj json.RawMessage, names ...string) bool {
	dec := json.NewDecoder(bytes.NewReader(obj))
	dec.Token() // {
	seen := map[string]bool{}
	for dec.More() {
		tok, _ := dec.Token()
		if k := tok.(string); slices.Contains(names, k) {
			if seen[k] {
				return true
			}
			seen[k] = true
		}
		var skip json.RawMessage
		dec.Decode(&skip)
	}
	return false
}

// reference decodes line with encoding/json and applies the rules
// plainly: it is the specification Parse and CheckRecord are checked
// against. blank reports a blank line, parsed a line Parse accepts, record
// one CheckRecord accepts too.
func reference(line []byte) (d decoded, blank, parsed, record bool) {
	if len(bytes.Trim(line, " \t\r\n")) == 0 {
		return d, true, false, false
	}
	var m map[string]json.RawMessage
	if !utf8.Valid(line) || json.Unmarshal(line, &m) != nil || m == nil ||
		repeats(line, "id", "label", "pred", "correct", "tags", "image", "tag_scores", "tag_floor", "pred_scores") {
		return d, false, false, false
	}
	get := func(key string, dst any) (present, ok bool) {
		raw, found := m[key]
		if !found || string(raw) == "null" {
			return false, true
		}
		return true, json.Unmarshal(raw, dst) == nil
	}
	_, ok1 := get("id", &d.ID)
	_, ok2 := get("label", &d.Label)
	hasPred, ok3 := get("pred", &d.Pred)
	hasCorrect, ok4 := get("correct", &d.Correct)
	_, ok5 := get("image", &d.Image)
	var tags []json.RawMessage
	hasTags, ok6 := get("tags", &tags)
	if !(ok1 && ok2 && ok3 && ok4 && ok5 && ok6) {
		return d, false, false, false
	}
	for _, sc := range []struct {
		name string
		dst  *map[string]float32
		unit bool
	}{{"tag_scores", &d.TagScores, true}, {"pred_scores", &d.PredScores, false}} {
		raw, found := m[sc.name]
		if !found || string(raw) == "null" {
			continue
		}
		var ok bool
		if *sc.dst, ok = referenceScores(raw, sc.unit); !ok {
			return d, false, false, false
		}
	}
	d.TagFloor = 1
	if raw, found := m["tag_floor"]; found && string(raw) != "null" {
		var ok bool
		if d.TagFloor, ok = referenceNumber(raw, true); !ok {
			return d, false, false, false
		}
		d.HasTagFloor = true
	}
	d.HasPred, d.HasCorrect, d.HasTags = hasPred, hasCorrect, hasTags
	scored := false
	for _, raw := range tags {
		var name string
		score := float32(1)
		if json.Unmarshal(raw, &name) != nil {
			var obj map[string]json.RawMessage
			if raw[0] != '{' || json.Unmarshal(raw, &obj) != nil || repeats(raw, "name", "score") ||
				string(obj["name"]) == "null" || json.Unmarshal(obj["name"], &name) != nil {
				return d, false, false, false
			}
			if raw, ok := obj["score"]; ok && string(raw) != "null" {
				var f float64
				if json.Unmarshal(raw, &f) != nil || !(f >= 0 && f <= 1) {
					return d, false, false, false
				}
				score = float32(f)
			}
			scored = true
		}
		if name == "" {
			return d, false, false, false
		}
		d.Tags = append(d.Tags, name)
		d.Scores = append(d.Scores, score)
	}
	if !scored {
		d.Scores = nil
	}
	record = d.ID != "" && d.Label != "" && (!hasPred || d.Pred != "") && (hasPred || hasCorrect) &&
		(!hasPred || !hasCorrect || (d.Pred == d.Label) == d.Correct) &&
		(!d.HasTagFloor || d.TagScores != nil)
	if d.TagScores != nil {
		for _, t := range d.Tags {
			if _, ok := d.TagScores[t]; !ok {
				record = false
			}
		}
	}
	return d, false, true, record
}

// check parses line both ways and requires them to agree.
func check(t *testing.T, line string) {
	t.Helper()
	want, blank, parsed, record := reference([]byte(line))
	var p Parser
	var r Record
	buf := []byte(line)
	err := p.Parse(buf, &r)
	if err == nil {
		require.True(t, parsed, "%q: Parse accepts, the reference does not", line)
		require.Equal(t, want, fromRecord(&r), "%q", line)
		err = r.CheckRecord()
		require.Equal(t, record, err == nil, "%q: CheckRecord: %v", line, err)
		return
	}
	if blank {
		require.ErrorIs(t, err, ErrBlank, "%q", line)
		return
	}
	require.False(t, parsed, "%q: Parse refuses, the reference does not: %v", line, err)
	require.NotErrorIs(t, err, ErrBlank, "%q", line)
	var e *Error
	require.ErrorAs(t, err, &e, "%q", line)
}

var corpus = []string{
	``, `   `, "\t\r", `{}`, `[]`, `null`, `1`, `"x"`, `{`, `}`, `{"id"}`, `{"id":}`, `{"id":"a",}`,
	`{"id":"a","label":"b","pred":"b"}`,
	`{"id":"a","label":"b","pred":"c","tags":["x","y","x"]}`,
	` {"id":"a","label":"b","correct":true,"tags":[]} ` + "\r",
	`{"id":"a","label":"b","correct":false,"tags":null}`,
	`{"id":"a","label":"b","correct":true,"pred":"b"}`,
	`{"id":"a","label":"b","correct":false,"pred":"b"}`,
	`{"id":"a","label":"b","correct":true,"pred":"c"}`,
	`{"id":"a","label":"b","correct":null,"pred":"c"}`,
	`{"id":"a","label":"b","pred":null,"correct":true}`,
	`{"id":"a","label":"b","pred":null}`,
	`{"id":"a","label":"b","pred":""}`,
	`{"id":"a","label":"","pred":"b"}`,
	`{"id":"","label":"b","pred":"b"}`,
	`{"label":"b","pred":"b"}`,
	`{"id":"a","pred":"b"}`,
	`{"id":"a","label":"b"}`,
	`{"id":1,"label":"b","pred":"b"}`,
	`{"id":"a","label":["b"],"pred":"b"}`,
	`{"id":"a","label":"b","pred":{"x":1}}`,
	`{"id":"a","label":"b","correct":"yes"}`,
	`{"id":"a","label":"b","correct":1}`,
	`{"id":"a","label":"b","pred":"b","tags":"x"}`,
	`{"id":"a","label":"b","pred":"b","tags":["x",1]}`,
	`{"id":"a","label":"b","pred":"b","tags":["x",null]}`,
	`{"id":"a","label":"b","pred":"b","tags":["x",""]}`,
	`{"id":"a","label":"b","pred":"b","tags":[["x"]]}`,
	`{"id":"a","label":"b","pred":"b","tags":[{"name":"x"},"y",{"name":"z","score":0.25,"note":[1]}]}`,
	`{"id":"a","label":"b","pred":"b","tags":["y",{"name":"x","score":null}]}`,
	`{"id":"a","label":"b","pred":"b","tags":[{"name":"x","score":0},{"name":"y","score":1},{"name":"w","score":-0},{"name":"v","score":1e-3}]}`,
	`{"id":"a","label":"b","pred":"b","tags":[{"name":"x","score":1.0000001}]}`,
	`{"id":"a","label":"b","pred":"b","tags":[{"name":"x","score":-1e-9}]}`,
	`{"id":"a","label":"b","pred":"b","tags":[{"name":"x","score":1e400}]}`,
	`{"id":"a","label":"b","pred":"b","tags":[{"name":"x","score":true}]}`,
	`{"id":"a","label":"b","pred":"b","tags":[{"name":""}]}`,
	`{"id":"a","label":"b","pred":"b","tags":[{"name":null}]}`,
	`{"id":"a","label":"b","pred":"b","tags":[{}]}`,
	`{"id":"a","label":"b","pred":"b","tags":[{"Name":"x"}]}`,
	`{"id":"a","label":"b","pred":"b","tags":[{"name":"x","score":0.5,"score":0.5}]}`,
	`{"id":"a","label":"b","pred":"b","tags":[{"name":"x"]}`,
	`{"id":"a","label":"b","pred":"b","tags":[{"name":"x",}]}`,
	`{"id":"a","tags":[]}`,
	`{"id":"a","tags":null}`,
	`{"id":"a","pred":"x"}`,
	`{"id":"a","label":"b","pred":"b","PRED":"c","Tags":[1]}`,
	`{"id":"a","label":"b","pred":"b","x":1,"x":2}`,
	`{"id":"a","label":"b","pred":"b","image":"i/a.png"}`,
	`{"id":"a","label":"b","pred":"b","image":3}`,
	`{"id":"a","label":"b","pred":"b","image":null}`,
	`{"id":"a","label":"b","pred":"b"} x`,
	`{"id":"a","label":"b","pred":"b"}{}`,
	`{"id":"a","label":"b","pred":"b"`,
	`{"id":"a","label":"b","pred":"b",}`,
	`{"id":"a" "label":"b","pred":"b"}`,
	`{'id':"a","label":"b","pred":"b"}`,
	`{"id":"a","label":"b","pred":"b","x":[1,-2.5e+3,0,0.1,1E5,true,false,null,"s",{"a":{"b":[]}}]}`,
	`{"x":{},"y":[],"z":"","id":"a","label":"b","pred":"b","w":-0}`,
	`{"id":"a","label":"b","pred":"b","x":01}`,
	`{"id":"a","label":"b","pred":"b","x":1.}`,
	`{"id":"a","label":"b","pred":"b","x":.5}`,
	`{"id":"a","label":"b","pred":"b","x":-}`,
	`{"id":"a","label":"b","pred":"b","x":+1}`,
	`{"id":"a","label":"b","pred":"b","x":1e}`,
	`{"id":"a","label":"b","pred":"b","x":tru}`,
	`{"id":"a","label":"b","pred":"b","x":nul}`,
	`{"id":"a","label":"b","pred":"b","x":NaN}`,
	`{"id":"a","label":"b","pred":"b","x":[1,]}`,
	`{"id":"a","label":"b","pred":"b","x":{"a"}}`,
	`{"id":"a","label":"b","pred":"b","x":{"a":1,}}`,
	`{"id":"a\"\\\/\b\f\n\r\t","label":"b","pred":"b"}`,
	`{"id":"\u00e9\u65e5\ud83d\ude00","label":"b","pred":"b"}`,
	`{"id":"\ud83d","label":"b","pred":"b"}`,
	`{"id":"\ude00x","label":"b","pred":"b"}`,
	`{"id":"\ud83d\u0041","label":"b","pred":"b"}`,
	`{"id":"\ud83d\ud83d\ude00","label":"b","pred":"b"}`,
	`{"id":"\u0000","label":"b","pred":"b"}`,
	`{"id":"\u12","label":"b","pred":"b"}`,
	`{"id":"\u12G4","label":"b","pred":"b"}`,
	`{"id":"\x","label":"b","pred":"b"}`,
	`{"id":"a\`,
	`{"id":"a` + "\t" + `","label":"b","pred":"b"}`,
	`{"id":"a` + "\x7f" + `","label":"b","pred":"b"}`,
	`{"id":"a` + "\xff" + `","label":"b","pred":"b"}`,
	`{"id":"a","label":"b","pred":"b","x":"` + "\xed\xa0\x80" + `"}`,
	`{"id":"a","label":"b","pred":"b"}` + "\xc3",
	`{"i\u0064":"a","la\u0062el":"b","pred":"b"}`,
	`{"ID":"a","label":"b","pred":"b"}`,
	`{"id":"a","id":"c","label":"b","pred":"b"}`,
	`{"id":1,"id":"c","label":"b","pred":"b"}`,
	`{"id":"c","id":1,"label":"b","pred":"b"}`,
	`{"id":"a","label":"b","pred":"b","tags":["x",2],"tags":["y"]}`,
	`{"id":"a","label":"b","pred":"b","tags":["x"],"tags":null}`,
	`{"id":"a","label":"b","correct":true,"correct":"x"}`,
	"{\"id\":\"a\",\n\"label\":\"b\",\"pred\":\"b\"}",
	`{"id":"a","label":"b","pred":"b","x":"\u2028"}`,
	`{"id":"a","label":"b","pred":"b","x":[[[[[[[[[[]]]]]]]]]]}`,
	`{"id":"a","label":"b","pred":"b","x":[[[[[[[[[[]]]]]]]]]}`,
	`{"id":"a","label":"b","pred":"b","x":"` + strings.Repeat("long", 1000) + `"}`,
	`{"id":"a","label":"b","pred":"b","tags":["x"],"tag_scores":{"x":0.9,"y":0.25},"tag_floor":0.2,"pred_scores":{"b":0.7,"c":0.2}}`,
	`{"id":"a","label":"b","pred":"b","tags":["x"],"tag_scores":{"x":0.9},"tag_floor":null,"pred_scores":null}`,
	`{"id":"a","label":"b","pred":"b","tags":[],"tag_scores":{},"tag_floor":1,"pred_scores":{}}`,
	`{"id":"a","label":"b","pred":"b","tag_scores":null,"tag_floor":0.5}`,
	`{"id":"a","label":"b","pred":"b","tags":["x","y"],"tag_scores":{"x":0.9}}`,
	`{"id":"a","label":"b","pred":"b","tags":[{"name":"x","score":0.5}],"tag_scores":{"x":0.9}}`,
	`{"id":"a","label":"b","pred":"b","tag_scores":{"x":0.9,"x":0.8}}`,
	`{"id":"a","label":"b","pred":"b","tag_scores":{"x":0.9,"\u0078":0.8}}`,
	`{"id":"a","label":"b","pred":"b","tag_scores":{"a":0,"b":0,"c":0,"d":0,"e":0,"f":0,"g":0,"h":0,"i":0,"j":0,"d":1}}`,
	`{"id":"a","label":"b","pred":"b","tags":["j","a","e"],"tag_scores":{"a":0,"b":0,"c":0,"d":0,"e":0,"f":0,"g":0,"h":0,"i":0,"j":0}}`,
	`{"id":"a","label":"b","pred":"b","tags":["k"],"tag_scores":{"a":0,"b":0,"c":0,"d":0,"e":0,"f":0,"g":0,"h":0,"i":0,"j":0}}`,
	`{"id":"a","label":"b","pred":"b","tag_scores":{"":0.5}}`,
	`{"id":"a","label":"b","pred":"b","tag_scores":{"x":1.5}}`,
	`{"id":"a","label":"b","pred":"b","tag_scores":{"x":-0}}`,
	`{"id":"a","label":"b","pred":"b","tag_scores":{"x":-1e-50}}`,
	`{"id":"a","label":"b","pred":"b","tag_scores":{"x":1.00000001}}`,
	`{"id":"a","label":"b","pred":"b","tag_scores":{"x":null}}`,
	`{"id":"a","label":"b","pred":"b","tag_scores":{"x":"0.5"}}`,
	`{"id":"a","label":"b","pred":"b","tag_scores":{"x":[0.5]}}`,
	`{"id":"a","label":"b","pred":"b","tag_scores":{"x":0.5,}}`,
	`{"id":"a","label":"b","pred":"b","tag_scores":{"x"}}`,
	`{"id":"a","label":"b","pred":"b","tag_scores":{"x":05}}`,
	`{"id":"a","label":"b","pred":"b","tag_scores":[["x",0.5]]}`,
	`{"id":"a","label":"b","pred":"b","tag_scores":{"x":0.5},"tag_scores":{"y":0.5}}`,
	`{"id":"a","label":"b","pred":"b","tag_floor":"0.2","tag_scores":{}}`,
	`{"id":"a","label":"b","pred":"b","tag_floor":-0.5,"tag_scores":{}}`,
	`{"id":"a","label":"b","pred":"b","tag_floor":0.2,"tag_floor":0.3,"tag_scores":{}}`,
	`{"id":"a","label":"b","pred":"b","pred_scores":{"b":-3.5e10,"c":12}}`,
	`{"id":"a","label":"b","pred":"b","pred_scores":{"b":1e39}}`,
	`{"id":"a","label":"b","pred":"b","pred_scores":{"b":3.4028235e38,"c":-3.4028235e38}}`,
	`{"id":"a","label":"b","pred":"b","pred_scores":{"b":true}}`,
	`{"id":"a","label":"b","pred":"b","pred_scores":{"b":1,"b":2}}`,
	`{"id":"a","label":"b","pred":"b","pred_scores":{"b":0.5,"c` + "\xff" + `":0.1}}`,
	`{"id":"a","label":"b","pred":"b","Tag_Scores":{"b":"x"},"tag_scores ":7}`,
}

func TestParseAgreesWithEncodingJSON(t *testing.T) {
	for _, line := range corpus {
		check(t, line)
	}
}

func TestParseDepth(t *testing.T) {
	deep := func(n int) string {
		return `{"id":"a","label":"b","pred":"b","x":` + strings.Repeat("[", n) + strings.Repeat("]", n) + `}`
	}
	for _, n := range []int{MaxDepth - 2, MaxDepth - 1, MaxDepth, MaxDepth + 1} {
		check(t, deep(n))
	}
}

func TestParseMessages(t *testing.T) {
	tests := []struct{ line, want string }{
		{`{"id":"a","label":"b"`, `invalid JSON: unexpected end of line at column 22`},
		{`{"id":"a","label":"b"} x`, `invalid JSON: data after the object ('x') at column 24`},
		{`[1]`, `not a JSON object`},
		{`{"id":"a","label":"b","pred":"b","tags":["x",1]}`, `field "tags": element 1 is not a string or {"name": ..., "score": ...}`},
		{`{"id":"a","label":"b","pred":"b","tags":[{"score":1}]}`, `field "tags": element 0: field "name": missing or empty`},
		{`{"id":"a","label":"b","pred":"b","tags":["x",{"name":3}]}`, `field "tags": element 1: field "name": not a string`},
		{`{"id":"a","label":"b","pred":"b","tags":[{"name":"x","score":"high"}]}`, `field "tags": element 0: field "score": not a number`},
		{`{"id":"a","label":"b","pred":"b","tags":[{"name":"x","score":1.5}]}`, `field "tags": element 0: field "score": 1.5 outside [0, 1]`},
		{`{"id":"a","label":"b","pred":"b","tags":[{"name":"x","name":"y"}]}`, `field "tags": element 0: field "name": given twice`},
		{`{"id":"a","label":"b","pred":"b","pred":"b"}`, `field "pred": given twice`},
		{`{"id":"a","label":"b","pred":"b","tags":["x",""]}`, `field "tags": element 1 is empty`},
		{`{"id":"a","label":"b","pred":"b","tags":{}}`, `field "tags": not an array`},
		{`{"id":"a","label":"b","pred":"c","correct":true}`, `field "correct": true, but "pred" "c" differs from "label" "b"`},
		{`{"id":"a","label":"b","pred":"b","correct":false}`, `field "correct": false, but "pred" equals "label" "b"`},
		{`{"id":"a","label":"b"}`, `field "pred": missing, and so is "correct"`},
		{`{"id":"a","label":"b","pred":"b","image":"` + "\xff" + `"}`, `field "image": invalid UTF-8`},
		{`{"id":"a","label":"b","pred":"b","x":"` + "\xff" + `"}`, `invalid UTF-8`},
		{`{"id":"a","label":"b","pred":"b","tag_scores":[]}`, `field "tag_scores": not a JSON object`},
		{`{"id":"a","label":"b","pred":"b","tag_scores":{"x":"high"}}`, `field "tag_scores": "x": not a number`},
		{`{"id":"a","label":"b","pred":"b","tag_scores":{"x":null}}`, `field "tag_scores": "x": not a number`},
		{`{"id":"a","label":"b","pred":"b","tag_scores":{"x":1.5}}`, `field "tag_scores": "x": 1.5 outside [0, 1]`},
		{`{"id":"a","label":"b","pred":"b","tag_scores":{"x":0.5,"y":0.1,"x":0.2}}`, `field "tag_scores": "x": given twice`},
		{`{"id":"a","label":"b","pred":"b","tag_scores":{"j":0,"b":0,"c":0,"d":0,"e":0,"f":0,"g":0,"h":0,"i":0,"d":0,"j":1}}`, `field "tag_scores": "d": given twice`},
		{`{"id":"a","label":"b","pred":"b","tag_scores":{"":0.5}}`, `field "tag_scores": a name is empty`},
		{`{"id":"a","label":"b","pred":"b","tag_scores":{"` + "\xff" + `":0.5}}`, `field "tag_scores": invalid UTF-8`},
		{`{"id":"a","label":"b","pred":"b","tags":["x","y"],"tag_scores":{"x":0.9}}`, `field "tag_scores": no score for "y", a tag of "tags"`},
		{`{"id":"a","label":"b","pred":"b","tag_floor":0.2}`, `field "tag_floor": given without "tag_scores"`},
		{`{"id":"a","label":"b","pred":"b","tag_floor":"low","tag_scores":{}}`, `field "tag_floor": not a number`},
		{`{"id":"a","label":"b","pred":"b","tag_floor":2,"tag_scores":{}}`, `field "tag_floor": 2 outside [0, 1]`},
		{`{"id":"a","label":"b","pred":"b","pred_scores":{"b":1e39}}`, `field "pred_scores": "b": 1e39 outside the range of a float32`},
		{`{"id":"a","label":"b","pred":"b","pred_scores":{"b":[1]}}`, `field "pred_scores": "b": not a number`},
		{`{"id":"a","label":"b","pred":"b","pred_scores":7}`, `field "pred_scores": not a JSON object`},
	}
	for _, tt := range tests {
		var p Parser
		var r Record
		err := p.Parse([]byte(tt.line), &r)
		if err == nil {
			err = r.CheckRecord()
		}
		assert.EqualError(t, err, tt.want, tt.line)
	}
}

func TestAppendStringRoundTrip(t *testing.T) {
	for _, s := range []string{"", "plain", "q\"b\\s/", "\x00\x01\x1f\x7f", "\b\f\n\r\t", "\u2028\u2029", "é日本😀", "<&>"} {
		b := AppendString(nil, s)
		var got string
		require.NoError(t, json.Unmarshal(b, &got))
		assert.Equal(t, s, got)
		want, _ := json.Marshal(s)
		// encoding/json escapes <, > and & for HTML; apart from that, the
		// same bytes.
		w := strings.NewReplacer(`\u003c`, "<", `\u003e`, ">", `\u0026`, "&").Replace(string(want))
		assert.Equal(t, w, string(b))
		line := `{"id":` + string(b) + `x,"label":"l","pred":"p"}`
		line = strings.Replace(line, `"x,`, `x",`, 1)
		var p Parser
		var r Record
		require.NoError(t, p.Parse([]byte(line), &r))
		assert.Equal(t, s+"x", string(r.Bytes(r.ID)))
	}
	// Invalid UTF-8 is written as U+FFFD, as encoding/json writes it.
	assert.Equal(t, `"a\ufffdb"`, string(AppendString(nil, "a\xffb")))
}

func FuzzParse(f *testing.F) {
	for _, line := range corpus {
		f.Add(line)
	}
	f.Fuzz(func(t *testing.T, line string) {
		check(t, line)
	})
}

func TestErrorsAreTyped(t *testing.T) {
	var p Parser
	var r Record
	err := p.Parse([]byte(`{"id":"a","label":"b","pred":"b","tags":[1]}`), &r)
	var te *TagError
	require.True(t, errors.As(err, &te))
	assert.Equal(t, 0, te.Index)
	assert.ErrorIs(t, err, ErrNotTag)
}

func TestAppendFloat32(t *testing.T) {
	values := []float32{0, 1, 0.5, 0.1, 0.2, 1.0 / 3, 0.99999994, 1e-6, 9.999999e-7, 1.1754944e-38, 1e-45,
		3.4028235e38, 1e21, 9.999999e20, -0.25, 123456.79, float32(math.Copysign(0, -1))}
	rng := rand.New(rand.NewPCG(1, 2))
	for range 10000 {
		values = append(values, math.Float32frombits(rng.Uint32()&^(0xff<<23)|uint32(rng.IntN(255))<<23))
	}
	for _, v := range values {
		got := AppendFloat32(nil, v)
		want, err := json.Marshal(v)
		require.NoError(t, err)
		require.Equal(t, string(want), string(got), "%v", v)
		var back float32
		require.NoError(t, json.Unmarshal(got, &back))
		require.Equal(t, math.Float32bits(v), math.Float32bits(back), "%s", got)
	}
}
