package primetest

import (
	"context"
	"fmt"
	"image"
	"slices"

	"github.com/failmodes/prime"
)

// A MapTagger is a fake Tagger for tests of code that uses one, in the
// manner of fstest.MapFS: it returns, with score 1, the tags listed for
// the image id the context carries (prime.ContextWithImageID; prime.Run
// sets it), and an error for an id it does not list or a context without
// one. The pixels are not looked at.
//
//	tg := primetest.MapTagger{"fox/1.jpg": {"fox", "snow"}, "fox/2.jpg": {"fox"}}
//
// A MapTagger is safe for concurrent use as long as it is not modified.
type MapTagger map[string][]string

// Tag returns the tags m lists for the image id in ctx, in a new slice.
func (m MapTagger) Tag(ctx context.Context, img image.Image) ([]prime.Tag, error) {
	names, err := lookUp(ctx, "MapTagger", m)
	if err != nil {
		return nil, err
	}
	tags := make([]prime.Tag, len(names))
	for i, n := range names {
		tags[i] = prime.Tag{Name: n, Score: 1}
	}
	return tags, nil
}

// Vocabulary returns every tag m lists, ascending.
func (m MapTagger) Vocabulary() []string {
	var vocab []string
	for _, names := range m {
		vocab = append(vocab, names...)
	}
	slices.Sort(vocab)
	return slices.Compact(vocab)
}

// A MapClassifier is a fake Classifier for tests of code that uses one, in
// the manner of fstest.MapFS: it predicts the label listed for the image
// id the context carries (prime.ContextWithImageID; prime.Run sets it),
// without scores, and returns an error for an id it does not list or a
// context without one. The pixels are not looked at.
//
//	cl := primetest.MapClassifier{"fox/1.jpg": "wolf", "fox/2.jpg": "fox"}
//
// A MapClassifier is safe for concurrent use as long as it is not
// modified.
type MapClassifier map[string]string

// Classify returns the label m lists for the image id in ctx.
func (m MapClassifier) Classify(ctx context.Context, img image.Image) (prime.Prediction, error) {
	label, err := lookUp(ctx, "MapClassifier", m)
	return prime.Prediction{Label: label}, err
}

// Labels returns every label m lists, ascending.
func (m MapClassifier) Labels() []string {
	labels := make([]string, 0, len(m))
	for _, l := range m {
		labels = append(labels, l)
	}
	slices.Sort(labels)
	return slices.Compact(labels)
}

// lookUp returns what m lists for the image id in ctx; fake names the
// fake in errors.
func lookUp[V any](ctx context.Context, fake string, m map[string]V) (V, error) {
	var zero V
	if err := ctx.Err(); err != nil {
		return zero, fmt.Errorf("primetest: %s: %w", fake, err)
	}
	id, ok := prime.ImageIDFromContext(ctx)
	if !ok {
		return zero, fmt.Errorf("primetest: %s: %w", fake, prime.ErrNoImageID)
	}
	v, ok := m[id]
	if !ok {
		return zero, fmt.Errorf("primetest: %s: no image %q", fake, id)
	}
	return v, nil
}
