package jsonl

import (
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestDict(t *testing.T) {
	var d Dict
	assert.Equal(t, int32(0), d.ID([]byte("b")))
	assert.Equal(t, int32(1), d.Add("a"))
	assert.Equal(t, int32(0), d.Add("b"))
	assert.Equal(t, int32(1), d.ID([]byte("a")))
	assert.Equal(t, []string{"b", "a"}, d.Names())
}

func TestTagDict(t *testing.T) {
	var d TagDict
	var kept [][]int32
	for _, rec := range [][]string{{"a", "b", "a"}, {"b", "b", "c"}, {}, {"a"}} {
		d.Begin()
		var ids []int32
		for _, tag := range rec {
			if id := d.Add(tag); d.First(id) {
				ids = append(ids, id)
			}
		}
		kept = append(kept, ids)
	}
	assert.Equal(t, [][]int32{{0, 1}, {1, 2}, nil, {0}}, kept)
}

func TestChunkParser(t *testing.T) {
	var cp ChunkParser
	c := cp.Parse([]byte(`{"id":"a","label":"cat","pred":"dog","tags":["x","y","x"]}`+"\n\n"+
		`{"id":"b","label":"dog","correct":true,"image":"b.png","tags":[{"name":"y","score":0.5}]}`+"\n"), "")
	require.NoError(t, c.Err)
	assert.Equal(t, []string{"a", "b"}, c.IDs)
	assert.Equal(t, []string{"", "b.png"}, c.Images)
	assert.Equal(t, []string{"cat", "dog"}, c.Labels)
	assert.Equal(t, []int32{0, 1}, c.Label)
	assert.Equal(t, []string{"dog"}, c.Preds)
	assert.Equal(t, []int32{0, -1}, c.Pred)
	assert.Equal(t, []bool{false, true}, c.Correct)
	assert.Equal(t, []string{"x", "y"}, c.Tags)
	assert.Equal(t, []int{0, 2, 3}, c.TagStart, "a tag repeated within a record is kept once")
	assert.Equal(t, []int32{0, 1, 1}, c.TagIDs)
	assert.Equal(t, []int32{1, 3}, c.Line)
	assert.Equal(t, 3, c.Lines, "a line feed ends the last line")

	// The dictionaries carry over to the next chunk.
	c = cp.Parse([]byte(`{"id":"c","label":"dog","pred":"cat","tags":["z","x"]}`+"\n"+`{"id":"d"}`+"\n"+`{"id":"e","label":"x","correct":true}`), "")
	assert.EqualError(t, c.Err, `field "label": missing or empty`)
	assert.Equal(t, 2, c.Lines, "the chunk ends at its bad line")
	assert.Equal(t, []string{"c"}, c.IDs)
	assert.Equal(t, []string{"x", "y", "z"}, c.Tags)
	assert.Equal(t, []int32{2, 0}, c.TagIDs)
	assert.Equal(t, []string{"dog", "cat"}, c.Preds)
	assert.Nil(t, c.Images)
}

func TestChunkParserFolderLabel(t *testing.T) {
	var cp ChunkParser
	c := cp.Parse([]byte(`{"id":"a","pred":"cat"}`+"\n"+`{"id":"b","label":"cat","correct":false,"pred":"dog"}`), "cat")
	require.NoError(t, c.Err)
	assert.Equal(t, []int32{0, 0}, c.Label)
	assert.Equal(t, []string{"cat"}, c.Labels)
	assert.Equal(t, []bool{true, false}, c.Correct)
	for line, want := range map[string]string{
		`{"id":"a","label":"dog","pred":"cat"}`:   `field "label": "dog", but the file is in folder label=cat`,
		`{"id":"a","correct":false,"pred":"cat"}`: `field "correct": false, but "pred" equals "label" "cat"`,
		`{"id":"a"}`: `field "pred": missing, and so is "correct"`,
	} {
		assert.EqualError(t, cp.Parse([]byte(line), "cat").Err, want, line)
	}
}

// Scores reach a Chunk's columns: tag scores with their floor (NoFloor on
// a record without them, none before the first that has them), class
// scores, and names in the parser's dictionaries across chunks.
func TestChunkParserScores(t *testing.T) {
	var cp ChunkParser
	c := cp.Parse([]byte(`{"id":"a","label":"cat","pred":"cat","tags":["x"]}`+"\n"+
		`{"id":"b","label":"cat","pred":"dog","tags":["x"],"tag_scores":{"x":0.75,"y":0.25},"tag_floor":0.2}`+"\n"+
		`{"id":"c","label":"cat","pred":"cat","pred_scores":{"cat":2.5,"dog":-1}}`+"\n"+
		`{"id":"d","label":"cat","pred":"cat","tag_scores":{}}`), "")
	require.NoError(t, c.Err)
	assert.Equal(t, []float32{NoFloor, 0.2, NoFloor, 1}, c.TagFloor)
	assert.Equal(t, ChunkScores{Names: []string{"x", "y"}, Start: []int{0, 0, 2, 2, 2}, IDs: []int32{0, 1}, Values: []float32{0.75, 0.25}}, c.TagScores)
	assert.Equal(t, ChunkScores{Names: []string{"cat", "dog"}, Start: []int{0, 0, 0, 2, 2}, IDs: []int32{0, 1}, Values: []float32{2.5, -1}}, c.PredScores)

	c = cp.Parse([]byte(`{"id":"e","label":"cat","pred":"cat","tags":["z"],"tag_scores":{"z":1,"y":0.5}}`+"\n"+
		`{"id":"f","label":"cat","pred":"cat"}`), "")
	require.NoError(t, c.Err)
	assert.Equal(t, []float32{1, NoFloor}, c.TagFloor)
	assert.Equal(t, ChunkScores{Names: []string{"x", "y", "z"}, Start: []int{0, 2, 2}, IDs: []int32{2, 1}, Values: []float32{1, 0.5}}, c.TagScores)
	assert.Equal(t, ChunkScores{Names: []string{"cat", "dog"}}, c.PredScores, "no class scores in this chunk")

	c = cp.Parse([]byte(`{"id":"g","pred":"cat","tags":["w"],"tag_scores":{"z":1}}`), "cat")
	assert.EqualError(t, c.Err, `field "tag_scores": no score for "w", a tag of "tags"`, "a file in a label=NAME folder, by the same rules")
}
