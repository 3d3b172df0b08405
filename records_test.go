package prime_test

import (
	"bytes"
	"encoding/json"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/failmodes/prime"
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

func TestRecordWriterRefuses(t *testing.T) {
	tests := []struct {
		name string
		rec  prime.Record
		want string
	}{
		{"no id", prime.Record{Label: "x"}, `prime: record 0: field "id": missing or empty`},
		{"no label", prime.Record{ID: "x"}, `prime: record 0: field "label": missing or empty`},
		{"bad utf8", prime.Record{ID: "x", Label: "a\xff"}, `prime: record 0: field "label": invalid UTF-8`},
		{"empty tag", prime.Record{ID: "x", Label: "a", Tags: []string{"t", ""}}, `prime: record 0: field "tags": element 1: empty tag`},
	}
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
