// Package precomputedtest holds what the tests of the precomputed tagger
// and classifier share. Only tests import it.
package precomputedtest

import (
	"context"
	"encoding/json"
	"image"
	"maps"
	"strings"
	"testing"

	"github.com/failmodes/prime/primetest"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// CheckRefusals checks how a precomputed plug-in refuses: byPixels (its
// Tag or Classify) refuses every image with the error wantPixels; byID
// (its TagID or ClassifyID) refuses an id its file does not hold,
// missing, with the error wantMissing, and the id held under a done
// context with the context's error.
func CheckRefusals[R any](t *testing.T, byPixels func(context.Context, image.Image) (R, error), byID func(context.Context, string) (R, error), held, missing, wantPixels, wantMissing string) {
	t.Helper()
	_, err := byPixels(context.Background(), image.NewGray(image.Rect(0, 0, 1, 1)))
	assert.EqualError(t, err, wantPixels)
	_, err = byID(context.Background(), missing)
	assert.EqualError(t, err, wantMissing)
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	_, err = byID(ctx, held)
	assert.ErrorIs(t, err, context.Canceled)
}

// Lines returns a JSON Lines file that holds, for the i-th of images, its
// "id" and the members that members(i) returns.
func Lines(t *testing.T, images []primetest.Image, members func(i int) map[string]any) string {
	t.Helper()
	var b strings.Builder
	for i, im := range images {
		m := map[string]any{"id": im.ID}
		maps.Copy(m, members(i))
		line, err := json.Marshal(m)
		require.NoError(t, err)
		b.Write(line)
		b.WriteByte('\n')
	}
	return b.String()
}
