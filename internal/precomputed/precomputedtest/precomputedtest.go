// Package precomputedtest holds what the tests of the precomputed tagger
// and classifier share. Only tests import it.
package precomputedtest

import (
	"context"
	"encoding/json"
	"image"
	"io"
	"maps"
	"os"
	"path/filepath"
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

// CheckBadInput checks that newP refuses each of bad, a case's name, a
// file and the error newP gives, and that load refuses a missing file
// with an error that starts with pkg and wraps os.ErrNotExist.
func CheckBadInput[P any](t *testing.T, pkg string, newP func(io.Reader) (P, error), load func(string) (P, error), bad [][3]string) {
	t.Helper()
	for _, tc := range bad {
		t.Run(tc[0], func(t *testing.T) {
			_, err := newP(strings.NewReader(tc[1]))
			require.EqualError(t, err, tc[2])
		})
	}
	_, err := load(filepath.Join(t.TempDir(), "missing.jsonl"))
	assert.ErrorIs(t, err, os.ErrNotExist)
	assert.ErrorContains(t, err, pkg+": open ")
}

// KitFile returns an image of the test's own, for the conformance kit,
// and a JSON Lines file that holds, for the i-th of the kit's images
// (primetest.OddImages, then that one), its "id" and the members that
// members(i) returns.
func KitFile(t *testing.T, members func(i int) map[string]any) (primetest.Image, string) {
	t.Helper()
	mine := primetest.Image{ID: "mine.png", Image: image.NewGray(image.Rect(0, 0, 2, 2))}
	var b strings.Builder
	for i, im := range append(primetest.OddImages(), mine) {
		m := map[string]any{"id": im.ID}
		maps.Copy(m, members(i))
		line, err := json.Marshal(m)
		require.NoError(t, err)
		b.Write(line)
		b.WriteByte('\n')
	}
	return mine, b.String()
}

// Seeds are precomputed files for fuzzing: lines of tags and of
// predictions, valid and not.
var Seeds = []string{
	`{"id": "a.png", "tags": ["sky", "dog", "sky"], "label": "dog", "pred": "cat"}` + "\n\n" +
		`{"id": "b.png", "tags": [{"name": "snow", "score": 0.25}, "dog"], "pred": "dog", "scores": [0.5, 0.5]}` + "\n",
	`{"id": "c.png", "tags": [], "pred": "x"}`,
	`{"id": "a", "tags": [{"name": "x", "score": 1.5}], "pred": 3}`,
	`{"id": "a", "tags": [{"name": "x", "name": "y"}], "pred": "x", "pred": "y"}`,
	`{"id": "a", "pred": "x"}` + "\n" + `{"id": "a", "pred": "y"}`,
	"{\"id\": \"a\xff\", \"tags\": [\"\xfe\"], \"pred\": \"\\ud800\"}",
	`{"id": "a", "tags": [3, null, {}, [], "", {"score": -0}], "pred": ""}`,
	`{"id": "\u0000", "tags": ["\u00e9"], "pred": "\t"}` + "\r\n" + `[1, 2]`,
	"",
	"\n \n",
}

// Fuzz checks the property every precomputed plug-in holds on any input:
// newP, reading it, does not panic and either fails with an error that
// contains name (the plug-in and the kind of file: "tagger: precomputed
// tags") or returns a plug-in that holds at least one image, that looks
// each id it lists up without error, and whose values check accepts.
func Fuzz[P interface{ IDs() []string }, R any](f *testing.F, name string, newP func(io.Reader) (P, error),
	byID func(P, context.Context, string) (R, error), check func(t *testing.T, r R)) {
	for _, s := range Seeds {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, src string) {
		p, err := newP(strings.NewReader(src))
		if err != nil {
			require.ErrorContains(t, err, name)
			return
		}
		ids := p.IDs()
		require.NotEmpty(t, ids)
		for _, id := range ids {
			r, err := byID(p, context.Background(), id)
			require.NoError(t, err, id)
			check(t, r)
		}
	})
}
