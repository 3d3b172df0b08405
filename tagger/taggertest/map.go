package taggertest

import (
	"context"
	"fmt"
	"image"
	"slices"

	"github.com/failmodes/prime"
)

// A Map is a fake Tagger for tests of code that uses one, in the manner of
// fstest.MapFS: it returns, with score 1, the tags listed for the image id
// the context carries (prime.ContextWithImageID; prime.Run sets it), and
// an error for an id it does not list or a context without one. The pixels
// are not looked at.
//
//	tg := taggertest.Map{"fox/1.jpg": {"fox", "snow"}, "fox/2.jpg": {"fox"}}
//
// A Map is safe for concurrent use as long as it is not modified.
type Map map[string][]string

// Tag returns the tags m lists for the image id in ctx, in a new slice.
func (m Map) Tag(ctx context.Context, img image.Image) ([]prime.Tag, error) {
	if err := ctx.Err(); err != nil {
		return nil, fmt.Errorf("taggertest: %w", err)
	}
	id, ok := prime.ImageIDFromContext(ctx)
	if !ok {
		return nil, fmt.Errorf("taggertest: Map: %w", prime.ErrNoImageID)
	}
	names, ok := m[id]
	if !ok {
		return nil, fmt.Errorf("taggertest: Map: no image %q", id)
	}
	tags := make([]prime.Tag, len(names))
	for i, n := range names {
		tags[i] = prime.Tag{Name: n, Score: 1}
	}
	return tags, nil
}

// Vocabulary returns every tag m lists, ascending.
func (m Map) Vocabulary() []string {
	var vocab []string
	for _, names := range m {
		vocab = append(vocab, names...)
	}
	slices.Sort(vocab)
	return slices.Compact(vocab)
}
