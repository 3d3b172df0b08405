package prime

import (
	"context"
	"fmt"
	"image"
	"math/rand/v2"
	"slices"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// scoring is a Tagger that keeps scores above a floor and a Classifier
// with labels and scores, both from an image's pixel value v: tag "any"
// (0.9), "even" (0.7) on even v, and below their threshold "odd" (0.3) on
// odd v and "dim" (v/255) when above the floor; classes a, b, c scored
// from v.
type scoring struct {
	floor    float32
	labels   []string // nil: no Labels method through noLabels
	badScore bool     // tag "any" scores 1.5
}

func (s scoring) ScoreFloor() float32 { return s.floor }

func (s scoring) Tag(ctx context.Context, img image.Image) ([]Tag, error) {
	v := pixel(img)
	tags := []Tag{{Name: "any", Score: 0.9}}
	if s.badScore {
		tags[0].Score = 1.5
	}
	if v%2 == 0 {
		tags = append(tags, Tag{Name: "even", Score: 0.7})
	} else {
		tags = append(tags, Tag{Name: "odd", Score: 0.3, Below: true})
	}
	if dim := float32(v) / 255; dim > s.floor {
		tags = append(tags, Tag{Name: "dim", Score: dim, Below: true})
	}
	return tags, nil
}

func (s scoring) Labels() []string { return s.labels }

func (s scoring) Classify(ctx context.Context, img image.Image) (Prediction, error) {
	v := float32(pixel(img))
	scores := []float32{v, 10 - v, 5}
	if len(s.labels) == 2 {
		scores = scores[:2]
	}
	return Prediction{Label: "a", Scores: scores}, nil
}

// noLabels hides the Labels method of a classifier.
type noLabels struct{ Classifier }

func TestRunKeepsScores(t *testing.T) {
	abc := []string{"a", "b", "c"}
	images := fakeImages(12)
	want := func(i int, floor float32, k int) Record {
		v := float32(i)
		r := Record{ID: images[i].ID, Label: images[i].Label, Predicted: "a", Image: images[i].Path, TagFloor: floor,
			TagScores: []Score{{"any", 0.9}}}
		if i%2 == 0 {
			r.Tags = []string{"any", "even"}
			r.TagScores = append(r.TagScores, Score{"even", 0.7})
		} else {
			r.Tags = []string{"any"}
			r.TagScores = append(r.TagScores, Score{"odd", 0.3})
		}
		if dim := v / 255; dim > floor {
			r.TagScores = append(r.TagScores, Score{"dim", dim})
		}
		sortScores(r.TagScores)
		r.PredScores = []Score{{"a", v}, {"b", 10 - v}, {"c", 5}}
		sortScores(r.PredScores)
		r.PredScores = r.PredScores[:k]
		return r
	}
	tests := []struct {
		name      string
		tg        Tagger
		cl        Classifier
		opts      RunOptions
		floor     float32
		predicted int // class scores kept
		noTags    bool
	}{
		{"defaults", scoring{floor: 0.01, labels: abc}, scoring{labels: abc}, RunOptions{}, 0.01, 3, false},
		{"two class scores", scoring{floor: 0.02, labels: abc}, scoring{labels: abc}, RunOptions{PredScores: 2}, 0.02, 2, false},
		{"one class score, batches of 4", scoring{floor: 0.02}, scoring{labels: abc}, RunOptions{PredScores: 1, BatchSize: 4}, 0.02, 1, false},
		{"no class scores", scoring{floor: 0}, scoring{labels: abc}, RunOptions{PredScores: -1}, 0, 0, false},
		{"no labels", scoring{floor: 0}, noLabels{scoring{labels: abc}}, RunOptions{}, 0, 0, false},
		{"no tag scores", scoring{floor: 0.01}, scoring{labels: abc}, RunOptions{NoTagScores: true}, 0.01, 3, true},
		{"a tagger without a floor", noFloor{scoring{floor: 0.01}}, scoring{labels: abc}, RunOptions{}, 0.01, 3, true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			recs, _, err := collect(Run(context.Background(), slices.Values(images), tt.tg, tt.cl, &tt.opts))
			require.NoError(t, err)
			require.Len(t, recs, len(images))
			for i, r := range recs {
				w := want(i, tt.floor, tt.predicted)
				if tt.predicted == 0 {
					w.PredScores = nil
				}
				if tt.noTags {
					w.TagScores, w.TagFloor = nil, 0
				}
				require.Equal(t, w, r, "record %d", i)
			}
		})
	}
}

// noFloor hides the ScoreFloor method of a tagger.
type noFloor struct{ Tagger }

func TestRunRefusesScores(t *testing.T) {
	abc := []string{"a", "b", "c"}
	for _, tt := range []struct {
		name string
		tg   Tagger
		cl   Classifier
		want string
	}{
		{"floor above 1", scoring{floor: 2}, scoring{labels: abc}, "prime: Run: the tagger's ScoreFloor is 2, outside [0, 1]"},
		{"tag score above 1", scoring{floor: 0.5, badScore: true}, scoring{labels: abc}, `prime: tagging img-000: tag "any" scored 1.5, outside [0, 1]`},
		{"scores for other labels", scoring{floor: 0.5}, scoring{labels: []string{"a", "b", "c", "d"}}, "prime: classifying img-000: 3 scores for 4 labels"},
	} {
		t.Run(tt.name, func(t *testing.T) {
			recs, _, err := collect(Run(context.Background(), slices.Values(fakeImages(3)), tt.tg, tt.cl, nil))
			require.EqualError(t, err, tt.want)
			assert.Empty(t, recs)
		})
	}
}

// topScores equals sorting every score and keeping the first k.
func TestTopScores(t *testing.T) {
	rng := rand.New(rand.NewPCG(1, 1))
	for trial := range 200 {
		n := 1 + rng.IntN(30)
		scores, labels := make([]float32, n), make([]string, n)
		for i := range scores {
			scores[i] = float32(rng.IntN(5)) // ties
			labels[i] = fmt.Sprintf("c%02d", rng.IntN(100)+i*100)
		}
		k := 1 + rng.IntN(n+3)
		all := make([]Score, n)
		for i := range all {
			all[i] = Score{labels[i], scores[i]}
		}
		sortScores(all)
		require.Equal(t, all[:min(k, n)], topScores(scores, labels, k), "trial %d", trial)
	}
}
