package prime_test

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"math"
	"math/rand/v2"
	"slices"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/failmodes/prime"
	"github.com/failmodes/prime/internal/jsonl"
)

func TestRecordWriterJSON(t *testing.T) {
	recs := []prime.Record{
		{ID: "a", Label: "cat", Predicted: "dog", Tags: []string{"grass", "sky"}},
		{ID: "b\"\\\n\t\x01\u2028<&>", Label: "dog", Correct: true, Tags: []string{"é", "日本"}, Image: "img/b.png"},
		{ID: "c", Label: "dog", Correct: false},
	}
	var buf bytes.Buffer
	w := prime.NewRecordWriter(&buf)
	for i := range recs {
		require.NoError(t, w.Write(&recs[i]))
	}
	require.NoError(t, w.Flush())
	lines := strings.Split(strings.TrimSuffix(buf.String(), "\n"), "\n")
	require.Len(t, lines, len(recs))
	assert.Equal(t, `{"id":"a","label":"cat","pred":"dog","tags":["grass","sky"]}`, lines[0])
	assert.Equal(t, `{"id":"c","label":"dog","correct":false,"tags":[]}`, lines[2])
	for i, line := range lines {
		var got struct {
			ID      string   `json:"id"`
			Label   string   `json:"label"`
			Pred    string   `json:"pred"`
			Correct bool     `json:"correct"`
			Tags    []string `json:"tags"`
			Image   string   `json:"image"`
		}
		require.NoError(t, json.Unmarshal([]byte(line), &got), line)
		r := recs[i]
		assert.Equal(t, r.ID, got.ID)
		assert.Equal(t, r.Label, got.Label)
		assert.Equal(t, r.Predicted, got.Pred)
		assert.Equal(t, r.Correct, got.Correct)
		assert.Equal(t, len(r.Tags), len(got.Tags))
		assert.Equal(t, r.Image, got.Image)
	}
}

// A refusal is a record that a records file cannot hold, and the error
// about it.
type refusal struct {
	name string
	rec  prime.Record
	want string
}

// refusals are records that a records file cannot hold, for want of an id,
// a label or a tag's name or for their scores, with the error about them
// as record i.
func refusals(i int) []refusal {
	rec := func(tags []string, tagScores []prime.Score, floor float32, predScores []prime.Score) prime.Record {
		return prime.Record{ID: "x", Label: "cat", Predicted: "cat", Tags: tags, TagScores: tagScores, TagFloor: floor, PredScores: predScores}
	}
	at := fmt.Sprintf("prime: record %d: ", i)
	nan := float32(math.NaN())
	inf := float32(math.Inf(1))
	return []refusal{
		{"no id", prime.Record{Label: "x"}, at + `field "id": missing or empty`},
		{"no label", prime.Record{ID: "x"}, at + `field "label": missing or empty`},
		{"empty tag", prime.Record{ID: "x", Label: "a", Tags: []string{"t", ""}}, at + `field "tags": element 1 is empty`},
		{"tag without a score", rec([]string{"a", "b"}, []prime.Score{{"a", 0.5}}, 0.2, nil), at + `field "tag_scores": no score for "b", a tag of "tags"`},
		{"tag score out of [0, 1]", rec(nil, []prime.Score{{"a", 1.5}}, 0.2, nil), at + `field "tag_scores": "a": 1.5 outside [0, 1]`},
		{"tag score NaN", rec(nil, []prime.Score{{"a", nan}}, 0.2, nil), at + `field "tag_scores": "a": not a finite number`},
		{"tag score repeated", rec(nil, []prime.Score{{"a", 0.5}, {"b", 0.4}, {"a", 0.3}}, 0.2, nil), at + `field "tag_scores": "a": given twice`},
		{"tag score without a name", rec(nil, []prime.Score{{"", 0.5}}, 0.2, nil), at + `field "tag_scores": a name is empty`},
		{"tag score's name not UTF-8", rec(nil, []prime.Score{{"\xff", 0.5}}, 0.2, nil), at + `field "tag_scores": invalid UTF-8`},
		{"tag floor out of [0, 1]", rec(nil, []prime.Score{}, 1.25, nil), at + `field "tag_floor": 1.25 outside [0, 1]`},
		{"tag floor NaN", rec(nil, []prime.Score{}, nan, nil), at + `field "tag_floor": NaN outside [0, 1]`},
		{"class score infinite", rec(nil, nil, 0, []prime.Score{{"cat", inf}}), at + `field "pred_scores": "cat": not a finite number`},
		{"class score repeated", rec(nil, nil, 0, []prime.Score{{"cat", 2}, {"cat", 1}}), at + `field "pred_scores": "cat": given twice`},
	}
}

func TestRecordWriterRefuses(t *testing.T) {
	tests := append(refusals(0),
		refusal{"bad utf8", prime.Record{ID: "x", Label: "a\xff"}, `prime: record 0: field "label": invalid UTF-8`})
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var buf bytes.Buffer
			w := prime.NewRecordWriter(&buf)
			err := w.Write(&tt.rec)
			var re *prime.RecordError
			require.ErrorAs(t, err, &re)
			assert.EqualError(t, err, tt.want)
			require.NoError(t, w.Flush())
			assert.Zero(t, buf.Len())
		})
	}
}

// readAll reads data with a RecordReader to the end.
func readAll(data, name string) ([]prime.Record, error) {
	rr := prime.NewRecordReader(strings.NewReader(data), name)
	var recs []prime.Record
	for {
		r, err := rr.Read()
		if err == io.EOF {
			return recs, nil
		}
		if err != nil {
			return recs, err
		}
		recs = append(recs, r)
	}
}

const good = `{"id":"g%d","label":"cat","pred":"cat","tags":["a"]}`

func TestBadInput(t *testing.T) {
	tests := []struct {
		name string
		line string // placed on line 7, after good lines and a blank one
		want string
	}{
		{"not JSON", `hello`, `data.jsonl:7: invalid JSON: unexpected 'h' at column 1`},
		{"truncated", `{"id":"x","label":"cat"`, `data.jsonl:7: invalid JSON: unexpected end of line at column 24`},
		{"not an object", `["x"]`, `data.jsonl:7: not a JSON object`},
		{"a string", `"x"`, `data.jsonl:7: not a JSON object`},
		{"null", `null`, `data.jsonl:7: not a JSON object`},
		{"trailing garbage", `{"id":"x","label":"cat","pred":"cat"} x`, `data.jsonl:7: invalid JSON: data after the object ('x') at column 39`},
		{"two objects", `{"id":"x","label":"cat","pred":"cat"}{}`, `data.jsonl:7: invalid JSON: data after the object ('{') at column 38`},
		{"bad escape", `{"id":"x\q","label":"cat","pred":"cat"}`, `data.jsonl:7: invalid JSON: invalid escape ('\\') at column 9`},
		{"control character", "{\"id\":\"x\x01\",\"label\":\"cat\",\"pred\":\"cat\"}", `data.jsonl:7: invalid JSON: control character in string (byte 0x01) at column 9`},
		{"bad number", `{"id":"x","label":"cat","pred":"cat","n":01}`, `data.jsonl:7: invalid JSON: unexpected '1' at column 43`},
		{"missing label", `{"id":"x","pred":"cat"}`, `data.jsonl:7: field "label": missing or empty`},
		{"empty label", `{"id":"x","label":"","pred":"cat"}`, `data.jsonl:7: field "label": missing or empty`},
		{"null label", `{"id":"x","label":null,"pred":"cat"}`, `data.jsonl:7: field "label": missing or empty`},
		{"label not a string", `{"id":"x","label":3,"pred":"cat"}`, `data.jsonl:7: field "label": not a string`},
		{"missing id", `{"label":"cat","pred":"cat"}`, `data.jsonl:7: field "id": missing or empty`},
		{"empty id", `{"id":"","label":"cat","pred":"cat"}`, `data.jsonl:7: field "id": missing or empty`},
		{"id not a string", `{"id":7,"label":"cat","pred":"cat"}`, `data.jsonl:7: field "id": not a string`},
		{"neither pred nor correct", `{"id":"x","label":"cat","tags":[]}`, `data.jsonl:7: field "pred": missing, and so is "correct"`},
		{"empty pred", `{"id":"x","label":"cat","pred":""}`, `data.jsonl:7: field "pred": empty`},
		{"pred not a string", `{"id":"x","label":"cat","pred":["cat"]}`, `data.jsonl:7: field "pred": not a string`},
		{"correct not a bool", `{"id":"x","label":"cat","correct":"true"}`, `data.jsonl:7: field "correct": not true or false`},
		{"correct a number", `{"id":"x","label":"cat","correct":1}`, `data.jsonl:7: field "correct": not true or false`},
		{"disagree, correct true", `{"id":"x","label":"cat","pred":"dog","correct":true}`, `data.jsonl:7: field "correct": true, but "pred" "dog" differs from "label" "cat"`},
		{"disagree, correct false", `{"id":"x","label":"cat","pred":"cat","correct":false}`, `data.jsonl:7: field "correct": false, but "pred" equals "label" "cat"`},
		{"tags not an array", `{"id":"x","label":"cat","pred":"cat","tags":"a b"}`, `data.jsonl:7: field "tags": not an array`},
		{"tag not a string", `{"id":"x","label":"cat","pred":"cat","tags":["a",7]}`, `data.jsonl:7: field "tags": element 1 is not a string or {"name": ..., "score": ...}`},
		{"tag object without a name", `{"id":"x","label":"cat","pred":"cat","tags":["a",{"b":1}]}`, `data.jsonl:7: field "tags": element 1: field "name": missing or empty`},
		{"tag score out of range", `{"id":"x","label":"cat","pred":"cat","tags":[{"name":"a","score":2}]}`, `data.jsonl:7: field "tags": element 0: field "score": 2 outside [0, 1]`},
		{"tag null", `{"id":"x","label":"cat","pred":"cat","tags":[null]}`, `data.jsonl:7: field "tags": element 0 is not a string or {"name": ..., "score": ...}`},
		{"repeated member", `{"id":"x","label":"cat","pred":"cat","tags":["a"],"tags":["b"]}`, `data.jsonl:7: field "tags": given twice`},
		{"member in another case", `{"ID":"x","label":"cat","pred":"cat"}`, `data.jsonl:7: field "id": missing or empty`},
		{"empty tag", `{"id":"x","label":"cat","pred":"cat","tags":["a",""]}`, `data.jsonl:7: field "tags": element 1 is empty`},
		{"repeated id", `{"id":"g2","label":"cat","pred":"cat"}`, `data.jsonl:7: field "id": repeated: "g2" first appears on line 2`},
		{"invalid UTF-8 in a value", "{\"id\":\"x\",\"label\":\"c\xffat\",\"pred\":\"cat\"}", `data.jsonl:7: field "label": invalid UTF-8`},
		{"invalid UTF-8 in a tag", "{\"id\":\"x\",\"label\":\"cat\",\"pred\":\"cat\",\"tags\":[\"\xc3\"]}", `data.jsonl:7: field "tags": invalid UTF-8`},
		{"invalid UTF-8 in an unknown member", "{\"id\":\"x\",\"label\":\"cat\",\"pred\":\"cat\",\"note\":\"\xed\xa0\x80\"}", `data.jsonl:7: invalid UTF-8`},
		{"invalid UTF-8 in a key", "{\"id\":\"x\",\"label\":\"cat\",\"pred\":\"cat\",\"\xfe\":1}", `data.jsonl:7: invalid UTF-8`},
		{"invalid UTF-8 outside strings", "{\"id\":\"x\",\"label\":\"cat\",\"pred\":\"cat\"}\xff", `data.jsonl:7: invalid UTF-8`},
		{"tag scores not an object", `{"id":"x","label":"cat","pred":"cat","tag_scores":[0.5]}`, `data.jsonl:7: field "tag_scores": not a JSON object`},
		{"tag score not a number", `{"id":"x","label":"cat","pred":"cat","tag_scores":{"a":"0.5"}}`, `data.jsonl:7: field "tag_scores": "a": not a number`},
		{"tag score out of [0, 1]", `{"id":"x","label":"cat","pred":"cat","tag_scores":{"a":1.25}}`, `data.jsonl:7: field "tag_scores": "a": 1.25 outside [0, 1]`},
		{"tag score given twice", `{"id":"x","label":"cat","pred":"cat","tag_scores":{"a":0.5,"a":0.25}}`, `data.jsonl:7: field "tag_scores": "a": given twice`},
		{"tag score without a name", `{"id":"x","label":"cat","pred":"cat","tag_scores":{"":0.5}}`, `data.jsonl:7: field "tag_scores": a name is empty`},
		{"tag without a score", `{"id":"x","label":"cat","pred":"cat","tags":["a","b"],"tag_scores":{"a":0.9}}`, `data.jsonl:7: field "tag_scores": no score for "b", a tag of "tags"`},
		{"tag floor without scores", `{"id":"x","label":"cat","pred":"cat","tag_floor":0.2}`, `data.jsonl:7: field "tag_floor": given without "tag_scores"`},
		{"tag floor out of [0, 1]", `{"id":"x","label":"cat","pred":"cat","tag_scores":{},"tag_floor":-1}`, `data.jsonl:7: field "tag_floor": -1 outside [0, 1]`},
		{"tag floor not a number", `{"id":"x","label":"cat","pred":"cat","tag_scores":{},"tag_floor":true}`, `data.jsonl:7: field "tag_floor": not a number`},
		{"class scores not an object", `{"id":"x","label":"cat","pred":"cat","pred_scores":["cat"]}`, `data.jsonl:7: field "pred_scores": not a JSON object`},
		{"class score beyond a float32", `{"id":"x","label":"cat","pred":"cat","pred_scores":{"cat":-1e39}}`, `data.jsonl:7: field "pred_scores": "cat": -1e39 outside the range of a float32`},
		{"class score given twice", `{"id":"x","label":"cat","pred":"cat","pred_scores":{"cat":0.5,"dog":0.3,"cat":0.2}}`, `data.jsonl:7: field "pred_scores": "cat": given twice`},
		{"invalid UTF-8 in a score's name", "{\"id\":\"x\",\"label\":\"cat\",\"pred\":\"cat\",\"pred_scores\":{\"c\xffat\":0.5}}", `data.jsonl:7: field "pred_scores": invalid UTF-8`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var b strings.Builder
			for i := 1; i <= 6; i++ {
				if i == 4 {
					b.WriteString("   \n")
					continue
				}
				fmt.Fprintf(&b, good+"\n", i)
			}
			b.WriteString(tt.line + "\n")
			fmt.Fprintf(&b, good+"\n", 8)
			data := b.String()

			_, err := prime.ReadDataset(strings.NewReader(data), "data.jsonl")
			require.EqualError(t, err, tt.want)
			var le *prime.LineError
			require.ErrorAs(t, err, &le)
			assert.Equal(t, "data.jsonl", le.File)
			assert.Equal(t, 7, le.Line)

			recs, err := readAll(data, "data.jsonl")
			require.EqualError(t, err, tt.want)
			assert.Len(t, recs, 5)
		})
	}
}

func TestNoRecords(t *testing.T) {
	for _, data := range []string{"", "\n", "  \n\t\r\n\n", "\xef\xbb\xbf", "\xef\xbb\xbf\n"} {
		_, err := prime.ReadDataset(strings.NewReader(data), "data.jsonl")
		require.EqualError(t, err, "data.jsonl: no records")
		var le *prime.LineError
		require.ErrorAs(t, err, &le)
		assert.Equal(t, 0, le.Line)
		_, err = prime.NewRecordReader(strings.NewReader(data), "data.jsonl").Read()
		require.Equal(t, io.EOF, err, "a RecordReader on a file without records")
	}
	_, err := prime.NewDataset(nil)
	require.Error(t, err)
}

func TestNewDatasetRefuses(t *testing.T) {
	ok := prime.Record{ID: "a", Label: "cat", Predicted: "cat"}
	tests := append(refusals(1),
		refusal{"bad UTF-8", prime.Record{ID: "b", Label: "cat", Predicted: "\xff"}, `prime: record 1: field "pred": invalid UTF-8`},
		refusal{"repeated id", prime.Record{ID: "a", Label: "cat"}, `prime: record 1: field "id": repeated: "a" first appears as record 0`})
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := prime.NewDataset([]prime.Record{ok, tt.rec})
			require.EqualError(t, err, tt.want)
			var re *prime.RecordError
			require.ErrorAs(t, err, &re)
			assert.Equal(t, 1, re.Index)
		})
	}
}

func TestLongLineBlankLinesRepeatedTags(t *testing.T) {
	many := make([]string, 0, 120000)
	for i := range 120000 {
		many = append(many, fmt.Sprintf(`"tag-with-a-long-name-%06d"`, i%60000))
	}
	long := `{"id":"long","label":"cat","pred":"dog","tags":[` + strings.Join(many, ",") + `]}`
	require.Greater(t, len(long), 3<<20)
	data := "\n\n" + `{"id":"a","label":"cat","correct":true,"tags":["x","y","x","x"]}` + "\r\n" +
		"   \t\n" + long + "\n\n" + `{"id":"b","label":"dog","correct":false}` // no final line feed

	d, err := prime.ReadDataset(strings.NewReader(data), "f")
	require.NoError(t, err)
	require.Equal(t, 3, d.Len())
	assert.Equal(t, []string{"x", "y"}, d.Record(0).Tags)
	assert.Len(t, d.Record(1).Tags, 60000)
	assert.Equal(t, prime.Record{ID: "b", Label: "dog"}, d.Record(2))
	assert.Equal(t, []string{"cat", "dog"}, d.Labels())
	assert.Len(t, d.Tags(), 60002)

	recs, err := readAll(data, "f")
	require.NoError(t, err)
	require.Len(t, recs, 3)
	assert.Equal(t, []string{"x", "y"}, recs[0].Tags)
	assert.Len(t, recs[1].Tags, 60000)
	assert.Equal(t, "tag-with-a-long-name-000000", recs[1].Tags[0])
	assert.False(t, recs[1].Correct)
	assert.True(t, recs[0].Correct)
}

func TestUnknownMembers(t *testing.T) {
	values := []string{`null`, `true`, `false`, `0`, `-1.5e-3`, `12345678901234567890`, `""`,
		`"a \"quoted\" \\ \u00e9 \ud83d\ude00 string"`, `[]`, `{}`, `[1,[2,[3,{"a":[{}]}]],"x",null]`,
		`{"id":"not this","label":{"deep":["x",{"y":null}]},"tags":[1,2]}`}
	for _, v := range values {
		line := `{"x":` + v + `,"id":"a","unknown":` + v + `,"label":"cat","pred":"cat","tags":["t"],"z":` + v + `}`
		d, err := prime.ReadDataset(strings.NewReader(line), "f")
		require.NoError(t, err, line)
		assert.Equal(t, prime.Record{ID: "a", Label: "cat", Predicted: "cat", Correct: true, Tags: []string{"t"}}, d.Record(0))
		recs, err := readAll(line, "f")
		require.NoError(t, err, line)
		assert.Equal(t, d.Record(0), recs[0])
	}
}

func TestRoundTrip(t *testing.T) {
	recs := []prime.Record{
		{ID: "n01440764_10026", Label: "tench", Predicted: "tench", Tags: []string{"fish", "man", "water"},
			TagScores: []prime.Score{{"man", 0.8123456}, {"fish", 1}, {"water", 0.74}, {"net", 0.2000001}}, TagFloor: 0.2,
			PredScores: []prime.Score{{"tench", 0.91}, {"barracouta", 1.0 / 3}, {"é\"\n", 1e-7}}},
		{ID: "q\"\\/\b\f\n\r\t\x00\x7f", Label: "é 日本 😀", Predicted: "\u2028", Tags: []string{"<&>", "\u2029"}, Image: "a b/c.png"},
		{ID: "c", Label: "tench", Correct: true, Image: "c.jpg", TagScores: []prime.Score{}, TagFloor: 1},
		{ID: "d", Label: "goldfish", Correct: false, Tags: []string{"z", "a"}, PredScores: []prime.Score{{"tench", -3.5}, {"goldfish", 1e30}}},
	}
	var buf bytes.Buffer
	w := prime.NewRecordWriter(&buf)
	for i := range recs {
		require.NoError(t, w.Write(&recs[i]))
	}
	require.NoError(t, w.Flush())

	got, err := readAll(buf.String(), "f")
	require.NoError(t, err)
	want := slices.Clone(recs)
	want[0].Correct = true // Correct is IsCorrect on reading
	require.Equal(t, want, got)

	d, err := prime.ReadDataset(bytes.NewReader(buf.Bytes()), "f")
	require.NoError(t, err)
	d2, err := prime.NewDataset(recs)
	require.NoError(t, err)
	require.Equal(t, d2, d)
	for i, r := range d.All() {
		w := want[i]
		w.Tags = slices.Sorted(slices.Values(w.Tags))
		w.TagScores, w.PredScores = sortedScores(w.TagScores), sortedScores(w.PredScores)
		require.Equal(t, w, r)
	}
}

func TestSplit(t *testing.T) {
	var recs []prime.Record
	sizes := map[string]int{"a": 1, "b": 2, "c": 10, "d": 101, "e": 1000}
	for _, l := range []string{"e", "a", "d", "c", "b"} {
		for i := range sizes[l] {
			recs = append(recs, prime.Record{ID: fmt.Sprintf("%s%d", l, i), Label: l, Correct: i%3 == 0,
				Tags: []string{fmt.Sprintf("t%d", i%17), fmt.Sprintf("u%d", i%5)}})
		}
	}
	d, err := prime.NewDataset(recs)
	require.NoError(t, err)
	count := func(d *prime.Dataset) map[string]int {
		m := map[string]int{}
		for _, r := range d.All() {
			m[r.Label]++
		}
		return m
	}
	ids := func(d *prime.Dataset) []string {
		var s []string
		for _, r := range d.All() {
			s = append(s, r.ID)
		}
		return s
	}
	for _, frac := range []float64{0, 0.1, 0.25, 0.5, 0.9, 1} {
		a, b := d.Split(frac, rand.New(rand.NewPCG(7, 8)))
		ca, cb := count(a), count(b)
		for l, n := range sizes {
			k := int(math.Round(frac * float64(n)))
			assert.Equal(t, k, cb[l], "frac %v class %s held out", frac, l)
			assert.Equal(t, n-k, ca[l], "frac %v class %s kept", frac, l)
		}
		// Same seed, same split; each part in input order, together all.
		a2, b2 := d.Split(frac, rand.New(rand.NewPCG(7, 8)))
		assert.Equal(t, a, a2)
		assert.Equal(t, b, b2)
		require.NotNil(t, a)
		require.NotNil(t, b)
		require.Equal(t, d.Len(), a.Len()+b.Len())
		all := append(ids(a), ids(b)...)
		slices.Sort(all)
		assert.Equal(t, slices.Sorted(slices.Values(ids(d))), all)
		for _, p := range []*prime.Dataset{a, b} {
			pos := map[string]int{}
			for i, id := range ids(d) {
				pos[id] = i
			}
			prev := -1
			for _, id := range ids(p) {
				require.Greater(t, pos[id], prev)
				prev = pos[id]
			}
		}
	}
	a, b := d.Split(0, rand.New(rand.NewPCG(7, 8)))
	assert.Equal(t, d, a)
	assert.Equal(t, 0, b.Len())
	assert.Empty(t, b.Labels())
	assert.Empty(t, b.Tags())
	a, _ = d.Split(0.5, rand.New(rand.NewPCG(7, 8)))
	c, _ := d.Split(0.5, rand.New(rand.NewPCG(9, 9)))
	assert.NotEqual(t, ids(a), ids(c), "another seed, another split")
	assert.Panics(t, func() { d.Split(1.5, rand.New(rand.NewPCG(1, 1))) })
}

// referenceLine parses one line with the parser of internal/jsonl, which
// its own tests check against encoding/json; blank reports a blank line,
// ok a valid record (Tags as in the line, repeats kept).
func referenceLine(line []byte) (r prime.Record, blank, ok bool) {
	var p jsonl.Parser
	var rec jsonl.Record
	err := p.Parse(slices.Clone(line), &rec)
	if err == jsonl.ErrBlank {
		return r, true, false
	}
	if err != nil || rec.CheckRecord() != nil {
		return r, false, false
	}
	r = prime.Record{ID: string(rec.Bytes(rec.ID)), Label: string(rec.Bytes(rec.Label)),
		Predicted: string(rec.Bytes(rec.Pred)), Correct: rec.Correct, Image: string(rec.Bytes(rec.Image))}
	for _, t := range rec.Tags {
		r.Tags = append(r.Tags, string(rec.Bytes(t)))
	}
	if rec.HasPred {
		r.Correct = r.Predicted == r.Label
	}
	scores := func(s *jsonl.Scores) []prime.Score {
		out := []prime.Score{}
		for k, sp := range s.Names {
			out = append(out, prime.Score{Name: string(rec.Bytes(sp)), Value: s.Values[k]})
		}
		return out
	}
	if rec.TagScores.Has {
		r.TagScores, r.TagFloor = scores(&rec.TagScores), rec.TagFloor
	}
	if rec.PredScores.Len() > 0 {
		r.PredScores = scores(&rec.PredScores)
	}
	return r, false, true
}

// sortedScores returns scores as a Dataset gives them: highest first, by
// name on ties.
func sortedScores(scores []prime.Score) []prime.Score {
	if scores == nil {
		return nil
	}
	out := slices.Clone(scores)
	slices.SortStableFunc(out, func(a, b prime.Score) int {
		if a.Value != b.Value {
			if a.Value > b.Value {
				return -1
			}
			return 1
		}
		return strings.Compare(a.Name, b.Name)
	})
	return out
}

// checkReaders reads data with RecordReader and ReadDataset and requires
// both to agree with referenceLine, line by line.
func checkReaders(t *testing.T, data string) {
	var want []prime.Record
	wantLine := 0 // the line of the first error, 0 when none
	seen := map[string]int{}
	for i, line := range strings.Split(strings.TrimPrefix(data, "\xef\xbb\xbf"), "\n") {
		r, blank, ok := referenceLine([]byte(line))
		if blank {
			continue
		}
		if !ok {
			wantLine = i + 1
			break
		}
		if _, dup := seen[r.ID]; dup {
			wantLine = i + 1
			break
		}
		seen[r.ID] = i + 1
		var tags []string
		for _, tag := range r.Tags {
			if !slices.Contains(tags, tag) {
				tags = append(tags, tag)
			}
		}
		r.Tags = tags
		want = append(want, r)
	}
	got, err := readAll(data, "f")
	d, derr := prime.ReadDataset(strings.NewReader(data), "f")
	if wantLine == 0 && len(want) == 0 {
		require.NoError(t, err, "%q", data)
		require.Empty(t, got)
		require.EqualError(t, derr, "f: no records")
		return
	}
	if wantLine > 0 {
		var le, dle *prime.LineError
		require.ErrorAs(t, err, &le)
		require.ErrorAs(t, derr, &dle)
		assert.Equal(t, wantLine, le.Line, "%q: %v", data, err)
		assert.Equal(t, wantLine, dle.Line, "%q: %v", data, derr)
		assert.Equal(t, err.Error(), derr.Error())
		assert.Equal(t, want, got)
		return
	}
	require.NoError(t, err, "%q", data)
	require.NoError(t, derr, "%q", data)
	require.Equal(t, want, got, "%q", data)
	require.Equal(t, len(want), d.Len())
	for i, r := range d.All() {
		w := want[i]
		w.Tags = slices.Sorted(slices.Values(w.Tags))
		if len(w.Tags) == 0 {
			w.Tags = nil
		}
		w.TagScores, w.PredScores = sortedScores(w.TagScores), sortedScores(w.PredScores)
		require.Equal(t, w, r)
	}
}

var readerCorpus = []string{
	"",
	"\n\n",
	`{"id":"a","label":"b","pred":"b","tags":["x","y","x"]}`,
	"{\"id\":\"a\",\"label\":\"b\",\"correct\":true}\r\n{\"id\":\"b\",\"label\":\"b\",\"pred\":\"c\",\"image\":\"i.png\"}\n",
	"{\"id\":\"a\",\"label\":\"b\",\"correct\":true}\n{\"id\":\"a\",\"label\":\"b\",\"pred\":\"c\"}\n",
	"{\"id\":\"a\",\"label\":\"b\",\"correct\":true}\n{\"id\":\"b\",\"label\":\"b\",\"pred\":\"c\"}\n{\"id\":1}",
	`{"id":"\u00e9\ud83d\ude00\ud800","label":"b\\","pred":"b\\","x":[{"y":[1,2.5e3,null,true]}]}`,
	`{"id":"a","label":"b","pred":"b","tags":["x",3]}`,
	`{"id":"a","label":"b","pred":"b"}` + "\xff",
	`[]`,
	`{"id":"a","label":"b","pred":"b","correct":false}`,
	"\xef\xbb\xbf" + `{"id":"a","label":"b","pred":"b","tags":[{"name":"x","score":0.5},"y"]}`,
	"\xef\xbb\xbf\xef\xbb\xbf" + `{"id":"a","label":"b","pred":"b"}`,
	`{"id":"a","label":"b","pred":"b","tags":["x"],"tags":["y"]}`,
	`{"id":"a","label":"b","pred":"b","tags":["x","y","x"],"tag_scores":{"y":0.5,"z":0.25,"x":0.5},"tag_floor":0.2,"pred_scores":{"b":0.75,"c":0.125}}` + "\n" +
		`{"id":"b","label":"b","correct":true}` + "\n" +
		`{"id":"c","label":"b","pred":"b","tags":[],"tag_scores":{}}` + "\n" +
		`{"id":"d","label":"b","pred":"c","pred_scores":{}}`,
	`{"id":"a","label":"b","correct":false}` + "\n" + `{"id":"b","label":"b","pred":"b","tags":["x"],"tag_scores":{"x":1,"y":0}}`,
	`{"id":"a","label":"b","pred":"b","tags":["x"],"tag_scores":{"y":0.5}}`,
	`{"id":"a","label":"b","pred":"b","tag_floor":0.5}`,
	`{"id":"a","label":"b","pred":"b","tag_scores":{"y":0.5,"y":0.5}}`,
	`{"id":"a","label":"b","pred":"b","pred_scores":{"b":1e50}}`,
}

func TestReadersAgreeWithEncodingJSON(t *testing.T) {
	for _, data := range readerCorpus {
		checkReaders(t, data)
	}
}

func FuzzReadRecords(f *testing.F) {
	for _, data := range readerCorpus {
		f.Add(data)
	}
	f.Fuzz(func(t *testing.T, data string) {
		checkReaders(t, data)
		_, _ = prime.ReadDataset(strings.NewReader(data), "f")
	})
}

func TestRecordWriterTakesBackABadLine(t *testing.T) {
	var buf bytes.Buffer
	w := prime.NewRecordWriter(&buf)
	require.NoError(t, w.Write(&prime.Record{ID: "a", Label: "x", Correct: true}))
	for _, r := range []prime.Record{
		{ID: "b\xff", Label: "x"},
		{ID: "b", Label: "x\xff"},
		{ID: "b", Label: "x", Predicted: "\xff"},
		{ID: "b", Label: "x", Tags: []string{"ok", "\xc3"}},
		{ID: "b", Label: "x", Image: "\xed\xa0\x80"},
	} {
		err := w.Write(&r)
		var re *prime.RecordError
		require.ErrorAs(t, err, &re)
		require.ErrorContains(t, err, "invalid UTF-8")
	}
	require.NoError(t, w.Write(&prime.Record{ID: "c", Label: "x", Correct: false}))
	require.NoError(t, w.Flush())
	assert.Equal(t, `{"id":"a","label":"x","correct":true,"tags":[]}`+"\n"+`{"id":"c","label":"x","correct":false,"tags":[]}`+"\n", buf.String())
}

func ExampleRecordWriter() {
	var buf bytes.Buffer
	w := prime.NewRecordWriter(&buf)
	for _, r := range []prime.Record{
		{ID: "n01440764_10026", Label: "tench", Predicted: "tench", Tags: []string{"fish", "man", "water"}},
		{ID: "n01443537_1029", Label: "goldfish", Correct: false, Tags: []string{"fish", "bowl"}, Image: "val/goldfish/1029.jpg"},
	} {
		if err := w.Write(&r); err != nil {
			fmt.Println(err)
		}
	}
	if err := w.Flush(); err != nil {
		fmt.Println(err)
	}
	fmt.Print(buf.String())
	// Output:
	// {"id":"n01440764_10026","label":"tench","pred":"tench","tags":["fish","man","water"]}
	// {"id":"n01443537_1029","label":"goldfish","correct":false,"tags":["fish","bowl"],"image":"val/goldfish/1029.jpg"}
}

func ExampleReadDataset() {
	const records = `{"id": "a", "label": "fox", "pred": "fox", "tags": ["black", "branch"]}
{"id": "b", "label": "fox", "pred": "dog", "tags": ["snow", "black", "snow"], "score": {"ignored": [1, 2]}}

{"id": "c", "label": "cat", "correct": true}
`
	d, err := prime.ReadDataset(strings.NewReader(records), "records.jsonl")
	if err != nil {
		fmt.Println(err)
		return
	}
	fmt.Println(d.Len(), d.Labels(), d.Tags())
	for _, r := range d.All() {
		fmt.Println(r.ID, r.Label, r.IsCorrect(), r.Tags)
	}

	_, err = prime.ReadDataset(strings.NewReader(`{"id": "a", "pred": "fox"}`), "bad.jsonl")
	fmt.Println(err)
	// Output:
	// 3 [cat fox] [black branch snow]
	// a fox true [black branch]
	// b fox false [black snow]
	// c cat true []
	// bad.jsonl:1: field "label": missing or empty
}
