package primetest

import (
	"context"
	"errors"
	"fmt"
	"image"
	"maps"
	"slices"

	"github.com/failmodes/prime"
)

// A MapTagger is a fake Tagger for tests of code that uses one, in the
// manner of fstest.MapFS: a prime.IDTagger whose TagID returns, with score
// 1, the tags listed for the image id, and an error for an id it does not
// list. The pixels are not looked at: prime.Run does not open the images.
//
//	tg := primetest.MapTagger{"fox/1.jpg": {"fox", "snow"}, "fox/2.jpg": {"fox"}}
//
// A MapTagger is safe for concurrent use as long as it is not modified.
type MapTagger map[string][]string

// TagID returns the tags m lists for image id, in a new slice.
func (m MapTagger) TagID(ctx context.Context, id string) ([]prime.Tag, error) {
	names, err := lookUp(ctx, "MapTagger", m, id)
	if err != nil {
		return nil, err
	}
	tags := make([]prime.Tag, len(names))
	for i, n := range names {
		tags[i] = prime.Tag{Name: n, Score: 1}
	}
	return tags, nil
}

// Tag returns an error: a MapTagger answers by image id, through TagID.
func (m MapTagger) Tag(ctx context.Context, img image.Image) ([]prime.Tag, error) {
	return nil, errors.New("primetest: MapTagger looks tags up by image id: call TagID")
}

// Vocabulary returns every tag m lists, ascending.
func (m MapTagger) Vocabulary() []string {
	vocab := slices.Concat(slices.Collect(maps.Values(m))...)
	slices.Sort(vocab)
	return slices.Compact(vocab)
}

// A MapClassifier is a fake Classifier for tests of code that uses one, in
// the manner of fstest.MapFS: a prime.IDClassifier whose ClassifyID
// predicts the label listed for the image id, without scores, and returns
// an error for an id it does not list. The pixels are not looked at:
// prime.Run does not open the images.
//
//	cl := primetest.MapClassifier{"fox/1.jpg": "wolf", "fox/2.jpg": "fox"}
//
// A MapClassifier is safe for concurrent use as long as it is not
// modified.
type MapClassifier map[string]string

// ClassifyID returns the label m lists for image id.
func (m MapClassifier) ClassifyID(ctx context.Context, id string) (prime.Prediction, error) {
	label, err := lookUp(ctx, "MapClassifier", m, id)
	return prime.Prediction{Label: label}, err
}

// Classify returns an error: a MapClassifier answers by image id, through
// ClassifyID.
func (m MapClassifier) Classify(ctx context.Context, img image.Image) (prime.Prediction, error) {
	return prime.Prediction{}, errors.New("primetest: MapClassifier looks predictions up by image id: call ClassifyID")
}

// Labels returns every label m lists, ascending.
func (m MapClassifier) Labels() []string {
	return slices.Compact(slices.Sorted(maps.Values(m)))
}

// lookUp returns what m lists for image id; fake names the fake in
// errors.
func lookUp[V any](ctx context.Context, fake string, m map[string]V, id string) (V, error) {
	var zero V
	if err := ctx.Err(); err != nil {
		return zero, fmt.Errorf("primetest: %s: %w", fake, err)
	}
	v, ok := m[id]
	if !ok {
		return zero, fmt.Errorf("primetest: %s: no image %q", fake, id)
	}
	return v, nil
}
