package classifiertest

import (
	"context"
	"fmt"
	"image"
	"slices"

	"github.com/failmodes/prime"
)

// A Map is a fake Classifier for tests of code that uses one, in the
// manner of fstest.MapFS: it predicts the label listed for the image id the
// context carries (prime.ContextWithImageID; prime.Run sets it), without
// scores, and returns an error for an id it does not list or a context
// without one. The pixels are not looked at.
//
//	cl := classifiertest.Map{"fox/1.jpg": "wolf", "fox/2.jpg": "fox"}
//
// A Map is safe for concurrent use as long as it is not modified.
type Map map[string]string

// Classify returns the label m lists for the image id in ctx.
func (m Map) Classify(ctx context.Context, img image.Image) (prime.Prediction, error) {
	if err := ctx.Err(); err != nil {
		return prime.Prediction{}, fmt.Errorf("classifiertest: %w", err)
	}
	id, ok := prime.ImageIDFromContext(ctx)
	if !ok {
		return prime.Prediction{}, fmt.Errorf("classifiertest: Map: %w", prime.ErrNoImageID)
	}
	label, ok := m[id]
	if !ok {
		return prime.Prediction{}, fmt.Errorf("classifiertest: Map: no image %q", id)
	}
	return prime.Prediction{Label: label}, nil
}

// Labels returns every label m lists, ascending.
func (m Map) Labels() []string {
	var labels []string
	for _, l := range m {
		labels = append(labels, l)
	}
	slices.Sort(labels)
	return slices.Compact(labels)
}
