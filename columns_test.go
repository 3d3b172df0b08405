package prime_test

import (
	"fmt"
	"math"
	"math/rand/v2"
	"slices"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/failmodes/prime"
)

// randomColumns returns n records in columns, with dictionaries that hold
// entries no record uses, repeated tags within records, predictions
// missing and given, and images on some records; and the same records as
// Records.
func randomColumns(rng *rand.Rand, n int, idBase int) (*prime.Columns, []prime.Record) {
	c := &prime.Columns{
		Labels:   []string{"cat", "dog", "unused label", "fox"},
		Preds:    []string{"dog", "cat", "", "wolf", "unused"},
		Tags:     []string{"snow", "grass", "sofa", "unused tag", "tree", "night"},
		TagStart: []int{0},
	}
	records := make([]prime.Record, n)
	// Scores: on no record, or on some; "snow" twice in the dictionary.
	scores := rng.IntN(3)
	if scores > 0 {
		c.TagScores = prime.ScoreColumns{Names: []string{"snow", "grass", "sofa", "unused tag", "tree", "night", "fog", "snow"}, Start: []int{0}}
		c.PredScores = prime.ScoreColumns{Names: []string{"cat", "dog", "fox", "wolf", "unused"}, Start: []int{0}}
	}
	for i := range n {
		r := &records[i]
		r.ID = fmt.Sprintf("r%d", idBase+i)
		c.IDs = append(c.IDs, r.ID)
		l := []int32{0, 1, 3}[rng.IntN(3)]
		c.Label = append(c.Label, l)
		r.Label = c.Labels[l]
		p := int32(rng.IntN(len(c.Preds)+1)) - 1
		if p == 4 {
			p = 3 // "unused" stays unused
		}
		c.Pred = append(c.Pred, p)
		correct := rng.IntN(2) == 0
		c.Correct = append(c.Correct, correct)
		if p >= 0 && c.Preds[p] != "" {
			r.Predicted = c.Preds[p]
		} else {
			r.Correct = correct
		}
		for range rng.IntN(6) {
			t := []int32{0, 1, 2, 4, 5}[rng.IntN(5)]
			c.TagIDs = append(c.TagIDs, t)
			r.Tags = append(r.Tags, c.Tags[t])
		}
		c.TagStart = append(c.TagStart, len(c.TagIDs))
		if scores > 0 {
			addRandomScores(rng, c, r, scores == 2)
		}
		if i%3 == 0 {
			if c.Images == nil {
				c.Images = make([]string, i)
			}
		}
		if c.Images != nil {
			img := ""
			if i%3 == 0 {
				img = r.ID + ".png"
			}
			c.Images = append(c.Images, img)
			r.Image = img
		}
	}
	return c, records
}

// addRandomScores adds scores to record r, the last of c: class scores
// on some records, and, when tags is set, tag scores on most, covering its
// tags.
func addRandomScores(rng *rand.Rand, c *prime.Columns, r *prime.Record, tags bool) {
	i := len(c.IDs) - 1
	if tags && c.TagFloor == nil {
		c.TagFloor = make([]float32, i)
		for k := range c.TagFloor {
			c.TagFloor[k] = prime.NoFloor
		}
	}
	if c.TagFloor != nil {
		floor := float32(prime.NoFloor)
		if tags && rng.IntN(5) > 0 {
			floor = float32(rng.IntN(5)) / 4
			r.TagScores, r.TagFloor = []prime.Score{}, floor
			used := map[string]bool{}
			add := func(id int32) {
				name := c.TagScores.Names[id]
				if used[name] {
					return
				}
				used[name] = true
				v := rng.Float32()
				c.TagScores.IDs = append(c.TagScores.IDs, id)
				c.TagScores.Values = append(c.TagScores.Values, v)
				r.TagScores = append(r.TagScores, prime.Score{Name: name, Value: v})
			}
			for _, tag := range r.Tags {
				id := int32(slices.Index(c.TagScores.Names, tag))
				if tag == "snow" && rng.IntN(2) == 0 {
					id = 7
				}
				add(id)
			}
			for range rng.IntN(3) {
				add([]int32{0, 1, 2, 4, 5, 6, 7}[rng.IntN(7)])
			}
		}
		c.TagFloor = append(c.TagFloor, floor)
	}
	c.TagScores.Start = append(c.TagScores.Start, len(c.TagScores.IDs))
	for k := range rng.IntN(4) {
		v := float32(rng.NormFloat64() * 10)
		c.PredScores.IDs = append(c.PredScores.IDs, int32(k))
		c.PredScores.Values = append(c.PredScores.Values, v)
		r.PredScores = append(r.PredScores, prime.Score{Name: c.PredScores.Names[k], Value: v})
	}
	c.PredScores.Start = append(c.PredScores.Start, len(c.PredScores.IDs))
}

// AddColumns builds the Dataset that Add builds from the same records, in
// any mix of the two.
func TestAddColumnsEqualsAdd(t *testing.T) {
	rng := rand.New(rand.NewPCG(1, 2))
	for trial := range 20 {
		var byColumns, byAdd prime.DatasetBuilder
		var all []prime.Record
		for part := range 1 + rng.IntN(4) {
			c, records := randomColumns(rng, 1+rng.IntN(50), 1000*part)
			all = append(all, records...)
			if part%2 == 1 && trial%2 == 1 {
				for i := range records {
					require.NoError(t, byColumns.Add(&records[i]))
				}
			} else {
				require.NoError(t, byColumns.AddColumns(c))
				assert.Equal(t, prime.Columns{}, *c, "the builder took the columns")
			}
			assert.Equal(t, len(all), byColumns.Len())
		}
		for i := range all {
			require.NoError(t, byAdd.Add(&all[i]))
		}
		got := requireSameDataset(t, &byAdd, &byColumns, trial)
		require.NotContains(t, got.Tags(), "unused tag")
		require.NotContains(t, got.Labels(), "unused label")
	}
}

// requireSameDataset requires the Datasets of want and got to be equal,
// and returns got's.
func requireSameDataset(t *testing.T, want, got *prime.DatasetBuilder, trial int) *prime.Dataset {
	t.Helper()
	g, err := got.Dataset()
	require.NoError(t, err)
	w, err := want.Dataset()
	require.NoError(t, err)
	require.Equal(t, w.Labels(), g.Labels())
	require.Equal(t, w.Tags(), g.Tags())
	for i, r := range w.All() {
		require.Equal(t, r, g.Record(i), "trial %d, record %d", trial, i)
	}
	return g
}

func TestAddColumnsRefuses(t *testing.T) {
	good := func() *prime.Columns {
		return &prime.Columns{
			IDs: []string{"a", "b"}, Labels: []string{"cat", "", "\xff"}, Label: []int32{0, 0},
			Preds: []string{"cat", "\xff"}, Pred: []int32{0, -1}, Correct: []bool{false, true},
			Tags: []string{"x", "", "\xfe"}, TagStart: []int{0, 1, 2}, TagIDs: []int32{0, 0},
		}
	}
	tests := []struct {
		name   string
		change func(c *prime.Columns)
		index  int // -1: not a RecordError
		field  string
		msg    string
	}{
		{"empty id", func(c *prime.Columns) { c.IDs[1] = "" }, 1, "id", "missing"},
		{"empty label used", func(c *prime.Columns) { c.Label[1] = 1 }, 1, "label", "missing"},
		{"bad label used", func(c *prime.Columns) { c.Label[0] = 2 }, 0, "label", "UTF-8"},
		{"label outside", func(c *prime.Columns) { c.Label[1] = 3 }, 1, "label", "index 3 outside the dictionary of 3"},
		{"bad prediction used", func(c *prime.Columns) { c.Pred[1] = 1 }, 1, "pred", "UTF-8"},
		{"prediction outside", func(c *prime.Columns) { c.Pred[0] = -2 }, 0, "pred", "index -2 outside"},
		{"empty tag used", func(c *prime.Columns) { c.TagIDs[1] = 1 }, 1, "tags", "element 0 is empty"},
		{"bad tag used", func(c *prime.Columns) { c.TagIDs[0] = 2 }, 0, "tags", "UTF-8"},
		{"tag outside", func(c *prime.Columns) { c.TagIDs[1] = 7 }, 1, "tags", "index 7 outside"},
		{"bad image", func(c *prime.Columns) { c.Images = []string{"", "\xff"} }, 1, "image", "UTF-8"},
		{"short column", func(c *prime.Columns) { c.Correct = c.Correct[:1] }, -1, "", "2 records, but"},
		{"tag starts out of order", func(c *prime.Columns) { c.TagStart = []int{0, 2, 1}; c.TagIDs = []int32{0} }, -1, "", "TagStart[2] = 1 after 2: out of order"},
		{"tag without a score", func(c *prime.Columns) {
			withScores(c)
			c.TagScores.Start, c.TagScores.IDs, c.TagScores.Values = []int{0, 1, 2}, []int32{0, 1}, []float32{0.5, 0.25}
		}, 1, "tag_scores", `no score for "x", a tag of "tags"`},
		{"tag score out of [0, 1]", func(c *prime.Columns) { withScores(c); c.TagScores.Values[2] = 2 }, 1, "tag_scores", `"y": 2 outside [0, 1]`},
		{"tag score repeated by name", func(c *prime.Columns) { withScores(c); c.TagScores.IDs[2] = 3 }, 1, "tag_scores", `"x": given twice`},
		{"tag score repeated", func(c *prime.Columns) { withScores(c); c.TagScores.IDs[2] = 0 }, 1, "tag_scores", `"x": given twice`},
		{"tag score's name empty", func(c *prime.Columns) { withScores(c); c.TagScores.IDs[2] = 2 }, 1, "tag_scores", `a name is empty`},
		{"tag score outside", func(c *prime.Columns) { withScores(c); c.TagScores.IDs[2] = 9 }, 1, "tag_scores", `score 1: index 9 outside the dictionary of 4`},
		{"tag scores without a floor", func(c *prime.Columns) { withScores(c); c.TagFloor[0] = prime.NoFloor }, 0, "tag_floor", `missing`},
		{"tag floor NaN", func(c *prime.Columns) { withScores(c); c.TagFloor[1] = float32(math.NaN()) }, 1, "tag_floor", `NaN outside [0, 1]`},
		{"tag floor above 1", func(c *prime.Columns) { withScores(c); c.TagFloor[1] = 1.5 }, 1, "tag_floor", `1.5 outside [0, 1]`},
		{"class score infinite", func(c *prime.Columns) { withScores(c); c.PredScores.Values[0] = float32(math.Inf(-1)) }, 0, "pred_scores", `"cat": not a finite number`},
		{"class score outside", func(c *prime.Columns) { withScores(c); c.PredScores.IDs[0] = -1 }, 0, "pred_scores", `score 0: index -1 outside`},
		{"class score's name not UTF-8", func(c *prime.Columns) { withScores(c); c.PredScores.Names[0] = "\xff" }, 0, "pred_scores", `invalid UTF-8`},
		{"short tag floors", func(c *prime.Columns) { withScores(c); c.TagFloor = c.TagFloor[:1] }, -1, "", "2 records, but 1 tag floors"},
		{"class score starts", func(c *prime.Columns) { withScores(c); c.PredScores.Start = []int{0, 1} }, -1, "", "2 records, but 2 class score starts"},
		{"tag score starts out of order", func(c *prime.Columns) {
			withScores(c)
			c.TagScores.Start = []int{0, 3, 2}
			c.TagScores.IDs = c.TagScores.IDs[:2]
			c.TagScores.Values = c.TagScores.Values[:2]
		}, -1, "", "tag score Start[2] = 2 after 3: out of order"},
		{"tag scores without Start", func(c *prime.Columns) { withScores(c); c.TagScores.Start = nil }, -1, "", "3 tag score without Start"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var b prime.DatasetBuilder
			require.NoError(t, b.Add(&prime.Record{ID: "first", Label: "cat", Predicted: "cat"}))
			c := good()
			tt.change(c)
			err := b.AddColumns(c)
			require.Error(t, err)
			assert.ErrorContains(t, err, tt.msg)
			assert.Equal(t, 1, b.Len(), "nothing added")
			var re *prime.RecordError
			if tt.index < 0 {
				assert.NotErrorAs(t, err, &re)
				return
			}
			require.ErrorAs(t, err, &re)
			assert.Equal(t, 1+tt.index, re.Index)
			assert.Equal(t, tt.field, re.Field)
		})
	}
	// The unused bad entries of good() are no error.
	var b prime.DatasetBuilder
	require.NoError(t, b.AddColumns(good()))
	d, err := b.Dataset()
	require.NoError(t, err)
	assert.Equal(t, []string{"cat"}, d.Labels())
	assert.Equal(t, []string{"x"}, d.Tags())
}

// withScores gives the records of TestAddColumnsRefuses's columns scores:
// record 0 tag scores x and y, record 1 x and y, and class scores.
func withScores(c *prime.Columns) {
	c.TagScores = prime.ScoreColumns{Names: []string{"x", "y", "", "x"}, Start: []int{0, 1, 3}, IDs: []int32{0, 0, 1}, Values: []float32{0.5, 0.5, 0.25}}
	c.TagFloor = []float32{0.2, 0.2}
	c.PredScores = prime.ScoreColumns{Names: []string{"cat", "dog"}, Start: []int{0, 2, 2}, IDs: []int32{0, 1}, Values: []float32{3, -2}}
}

// A repeated id names the record where it first appears.
func TestDatasetRepeatedID(t *testing.T) {
	var b prime.DatasetBuilder
	for _, id := range []string{"a", "b", "c", "b"} {
		require.NoError(t, b.Add(&prime.Record{ID: id, Label: "x", Predicted: "x"}))
	}
	_, err := b.Dataset()
	var re *prime.RecordError
	require.ErrorAs(t, err, &re)
	assert.Equal(t, 3, re.Index)
	var rep *prime.RepeatedIDError
	require.ErrorAs(t, err, &rep)
	assert.Equal(t, prime.RepeatedIDError{ID: "b", First: 1}, *rep)
	assert.EqualError(t, err, `prime: record 3: field "id": repeated: "b" first appears as record 1`)
}

// A tag outside its dictionary, found while the tags are mapped, leaves the
// builder as it was.
func TestAddColumnsTagOutsideUndone(t *testing.T) {
	var b prime.DatasetBuilder
	require.NoError(t, b.Add(&prime.Record{ID: "first", Label: "cat", Predicted: "cat", Tags: []string{"old"}}))
	err := b.AddColumns(&prime.Columns{
		IDs: []string{"a", "b"}, Labels: []string{"cat"}, Label: []int32{0, 0},
		Pred: []int32{-1, -1}, Correct: []bool{true, false},
		Tags: []string{"new", "old"}, TagStart: []int{0, 2, 3}, TagIDs: []int32{0, 1, 2},
	})
	var re *prime.RecordError
	require.ErrorAs(t, err, &re)
	assert.Equal(t, 2, re.Index)
	assert.Equal(t, "tags", re.Field)
	assert.ErrorContains(t, err, "tag 0: index 2 outside the dictionary of 2")
	require.NoError(t, b.AddColumns(&prime.Columns{
		IDs: []string{"c"}, Labels: []string{"dog"}, Label: []int32{0}, Pred: []int32{-1}, Correct: []bool{true},
		Tags: []string{"other"}, TagStart: []int{0, 1}, TagIDs: []int32{0},
	}))
	d, err := b.Dataset()
	require.NoError(t, err)
	assert.Equal(t, []string{"old", "other"}, d.Tags())
	assert.Equal(t, 2, d.Len())
}

// AddColumns builds the Dataset that Add builds when the dictionaries of a
// call start with those of an earlier call, as a reader's grow from chunk
// to chunk, or share only their first entries with them.
func TestAddColumnsDictionariesOfEarlierCalls(t *testing.T) {
	for _, tc := range []struct {
		name string
		keep func(rng *rand.Rand, n int) int // how many entries of the last dictionary a call starts with
	}{
		{"grown", func(_ *rand.Rand, n int) int { return n }},
		{"shared first entries", func(rng *rand.Rand, n int) int { return rng.IntN(n + 1) }},
		{"new", func(*rand.Rand, int) int { return 0 }},
	} {
		t.Run(tc.name, func(t *testing.T) {
			rng := rand.New(rand.NewPCG(3, 4))
			for trial := range 20 {
				var byColumns, byAdd prime.DatasetBuilder
				var tags, labels, preds []string // the last call's dictionaries
				id := 0
				for range 1 + rng.IntN(6) {
					c := &prime.Columns{TagStart: []int{0}}
					// index returns the index of name in *dict, added when missing.
					index := func(dict *[]string, name string) int32 {
						k := slices.Index(*dict, name)
						if k < 0 {
							k = len(*dict)
							*dict = append(*dict, name)
						}
						return int32(k)
					}
					c.Tags = slices.Clone(tags[:tc.keep(rng, len(tags))])
					c.Labels = slices.Clone(labels[:tc.keep(rng, len(labels))])
					c.Preds = slices.Clone(preds[:tc.keep(rng, len(preds))])
					for range 1 + rng.IntN(20) {
						id++
						r := prime.Record{ID: fmt.Sprintf("r%d", id), Label: fmt.Sprintf("class %d", rng.IntN(6))}
						c.IDs = append(c.IDs, r.ID)
						c.Label = append(c.Label, index(&c.Labels, r.Label))
						pred := int32(-1)
						if rng.IntN(3) > 0 {
							r.Predicted = fmt.Sprintf("class %d", rng.IntN(8))
							pred = index(&c.Preds, r.Predicted)
						} else {
							r.Correct = rng.IntN(2) == 0
						}
						c.Pred = append(c.Pred, pred)
						c.Correct = append(c.Correct, r.Correct)
						for range rng.IntN(6) {
							tag := fmt.Sprintf("tag %d", rng.IntN(15))
							r.Tags = append(r.Tags, tag)
							c.TagIDs = append(c.TagIDs, index(&c.Tags, tag))
						}
						c.TagStart = append(c.TagStart, len(c.TagIDs))
						require.NoError(t, byAdd.Add(&r))
					}
					tags, labels, preds = c.Tags, c.Labels, c.Preds
					require.NoError(t, byColumns.AddColumns(c))
				}
				requireSameDataset(t, &byAdd, &byColumns, trial)
			}
		})
	}
}
