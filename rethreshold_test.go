package prime_test

import (
	"fmt"
	"math/rand/v2"
	"slices"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/failmodes/prime"
)

// tagged is what a tagger that keeps scores above floor makes of the
// scores of every tag of vocab, at thresholds th: the tags above their
// threshold, and the scores of those and of every tag above floor.
func tagged(vocab []string, scores []float32, th []float32, floor float32) (tags []string, kept []prime.Score) {
	kept = []prime.Score{}
	for k, s := range scores {
		if s > th[k] {
			tags = append(tags, vocab[k])
		}
		if s > th[k] || s > floor {
			kept = append(kept, prime.Score{Name: vocab[k], Value: s})
		}
	}
	slices.Sort(tags)
	return tags, kept
}

// Records re-thresholded equal the records a tagger would have made at
// the new thresholds, whenever these are at least the floor, and a
// Dataset re-thresholded holds them.
func TestRethresholdEqualsTaggingAgain(t *testing.T) {
	rng := rand.New(rand.NewPCG(3, 4))
	vocab := make([]string, 40)
	for k := range vocab {
		vocab[k] = fmt.Sprintf("tag %d", k)
	}
	uniform := func(v float32) []float32 {
		th := make([]float32, len(vocab))
		for k := range th {
			th[k] = v
		}
		return th
	}
	random := func(lo float32) []float32 {
		th := make([]float32, len(vocab))
		for k := range th {
			th[k] = lo + (1-lo)*float32(rng.IntN(8))/8
		}
		return th
	}
	for trial := range 30 {
		floor := float32(rng.IntN(4)) / 8
		th1, th2 := random(0), random(floor)
		if trial%3 == 0 {
			th2 = uniform(floor) // the floor itself
		}
		var recs, want []prime.Record
		for i := range 200 {
			scores := make([]float32, len(vocab))
			for k := range scores {
				scores[k] = float32(rng.IntN(33)) / 32 // ties with thresholds and the floor
			}
			r := prime.Record{ID: fmt.Sprint(i), Label: fmt.Sprint(i % 3), Predicted: fmt.Sprint(rng.IntN(3)), TagFloor: floor}
			r.Tags, r.TagScores = tagged(vocab, scores, th1, floor)
			recs = append(recs, r)
			w := r
			w.Tags, _ = tagged(vocab, scores, th2, floor)
			want = append(want, w)
		}
		th, err := prime.NewThresholds(vocab, th2)
		require.NoError(t, err)
		d, err := prime.NewDataset(recs)
		require.NoError(t, err)

		got := slices.Clone(recs)
		require.NoError(t, prime.Rethreshold(got, th))
		require.Equal(t, want, got, "trial %d", trial)
		dr, err := d.Rethreshold(th)
		require.NoError(t, err)
		dw, err := prime.NewDataset(want)
		require.NoError(t, err)
		require.Equal(t, dw.Len(), dr.Len())
		require.Equal(t, dw.Tags(), dr.Tags())
		for i, r := range dw.All() {
			require.Equal(t, r, dr.Record(i), "trial %d record %d", trial, i)
		}
		if trial%3 == 0 {
			u, err := prime.UniformThreshold(floor)
			require.NoError(t, err)
			du, err := d.Rethreshold(u)
			require.NoError(t, err)
			require.Equal(t, dw.Tags(), du.Tags(), "a uniform threshold as every tag's")
		}
	}
}

func TestRethresholdRefuses(t *testing.T) {
	ram, err := prime.NewThresholds([]string{"fish", "net", "water", "man"}, []float32{0.65, 0.3, 0.65, 0.2})
	require.NoError(t, err)
	low, err := prime.UniformThreshold(0.1)
	require.NoError(t, err)
	scored := func(floor float32, scores ...prime.Score) prime.Record {
		return prime.Record{ID: "b", Label: "tench", Predicted: "tench", TagScores: scores, TagFloor: floor}
	}
	ok := scored(0.1, prime.Score{Name: "fish", Value: 0.9})
	ok.ID = "a"
	tests := []struct {
		name string
		rec  prime.Record
		th   *prime.Thresholds
		want string
	}{
		{"no tag scores", prime.Record{ID: "b", Label: "tench", Predicted: "tench", Tags: []string{"fish"}}, ram,
			`prime: record 1: field "tag_scores": missing: a record's tags are decided again from the scores it keeps`},
		{"a tag without a threshold", scored(0.1, prime.Score{Name: "fish", Value: 0.9}, prime.Score{Name: "boat", Value: 0.5}), ram,
			`prime: record 1: field "tag_scores": "boat": no threshold`},
		{"a uniform threshold below the floor", scored(0.2, prime.Score{Name: "fish", Value: 0.9}), low,
			`prime: record 1: field "tag_floor": tag scores were kept above 0.2 only, so no tag can be decided at the threshold 0.1`},
		{"a tag's threshold below the floor", scored(0.25, prime.Score{Name: "fish", Value: 0.9}), ram,
			`prime: record 1: field "tag_floor": tag scores were kept above 0.25 only, so "man" cannot be decided at its threshold 0.2`},
		{"the floor 1 of scores kept without one", scored(1, prime.Score{Name: "fish", Value: 0.9}, prime.Score{Name: "man", Value: 0.1}), ram,
			`prime: record 1: field "tag_floor": tag scores were kept above 1 only, so "net" cannot be decided at its threshold 0.3`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			recs := []prime.Record{ok, tt.rec}
			before := slices.Clone(recs)
			err := prime.Rethreshold(recs, tt.th)
			require.EqualError(t, err, tt.want)
			var re *prime.RecordError
			require.ErrorAs(t, err, &re)
			assert.Equal(t, 1, re.Index)
			assert.Equal(t, before, recs, "no record changed")

			d, err := prime.NewDataset(recs)
			require.NoError(t, err)
			_, err = d.Rethreshold(tt.th)
			require.EqualError(t, err, tt.want)
		})
	}
	// A tag whose threshold is below the floor, listed by the record, is
	// decided from its score.
	recs := []prime.Record{scored(0.25, prime.Score{Name: "fish", Value: 0.9}, prime.Score{Name: "man", Value: 0.1})}
	require.NoError(t, prime.Rethreshold(recs, ram))
	assert.Equal(t, []string{"fish"}, recs[0].Tags)
	var fe *prime.FloorError
	require.ErrorAs(t, prime.Rethreshold([]prime.Record{scored(0.5, prime.Score{Name: "fish", Value: 0.9})}, ram), &fe)
	assert.Equal(t, prime.FloorError{Floor: 0.5, Threshold: 0.2, Tag: "man"}, *fe)
}

func TestNewThresholdsRefuses(t *testing.T) {
	for _, tt := range []struct {
		tags   []string
		values []float32
		want   string
	}{
		{[]string{"a", "b"}, []float32{0.5}, "prime: 1 thresholds for 2 tags"},
		{[]string{"a", ""}, []float32{0.5, 0.5}, "prime: thresholds: tag 1 is empty"},
		{[]string{"a", "a"}, []float32{0.5, 0.5}, `prime: thresholds: tag "a" given twice`},
		{[]string{"a", "b"}, []float32{0.5, 1.5}, `prime: thresholds: the threshold of "b", 1.5, is outside [0, 1]`},
	} {
		_, err := prime.NewThresholds(tt.tags, tt.values)
		assert.EqualError(t, err, tt.want)
	}
	_, err := prime.UniformThreshold(-0.1)
	assert.EqualError(t, err, "prime: threshold -0.1 outside [0, 1]")
	th, err := prime.NewThresholds([]string{"a"}, []float32{0.3})
	require.NoError(t, err)
	v, ok := th.Of("a")
	assert.Equal(t, float32(0.3), v)
	assert.True(t, ok)
	_, ok = th.Of("b")
	assert.False(t, ok)
}

func ExampleRethreshold() {
	// Records that keep the tagger's scores: every tag that scored above
	// 0.2, the tags of the records (above RAM's 0.65) among them.
	records := []prime.Record{
		{ID: "a", Label: "tench", Predicted: "tench", Tags: []string{"fish"}, TagFloor: 0.2,
			TagScores: []prime.Score{{Name: "fish", Value: 0.97}, {Name: "net", Value: 0.52}, {Name: "man", Value: 0.31}}},
		{ID: "b", Label: "tench", Predicted: "goldfish", Tags: []string{"fish", "water"}, TagFloor: 0.2,
			TagScores: []prime.Score{{Name: "water", Value: 0.8}, {Name: "fish", Value: 0.7}}},
	}
	th, err := prime.UniformThreshold(0.5)
	if err != nil {
		fmt.Println(err)
		return
	}
	if err := prime.Rethreshold(records, th); err != nil {
		fmt.Println(err)
		return
	}
	for _, r := range records {
		fmt.Println(r.ID, r.Tags)
	}
	low, _ := prime.UniformThreshold(0.1)
	fmt.Println(prime.Rethreshold(records, low))
	// Output:
	// a [fish net]
	// b [fish water]
	// prime: record 0: field "tag_floor": tag scores were kept above 0.2 only, so no tag can be decided at the threshold 0.1
}
