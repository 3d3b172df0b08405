package main

import (
	"bytes"
	"context"
	"image"
	"image/color"
	"strings"
	"testing"

	"github.com/failmodes/prime"
	"github.com/failmodes/prime/primetest"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// uniform returns a w x h picture of one colour.
func uniform(w, h int, c color.Color) image.Image {
	img := image.NewRGBA(image.Rect(0, 0, w, h))
	for y := range h {
		for x := range w {
			img.Set(x, y, c)
		}
	}
	return img
}

// The conformance kit checks every rule of prime.Tagger: this is the test
// every domain tagger should have.
func TestExposureConformance(t *testing.T) {
	primetest.RunTagger(t, Exposure{},
		primetest.Image{ID: "night", Image: uniform(8, 8, color.Gray{Y: 20})},
		primetest.Image{ID: "snow", Image: uniform(8, 8, color.White)},
	)
}

// What the tagger says about a few pictures.
func TestExposureTags(t *testing.T) {
	stripes := image.NewGray(image.Rect(0, 0, 8, 8))
	for i := range stripes.Pix {
		stripes.Pix[i] = uint8(255 * (i / 8 % 2))
	}
	dark, bright := prime.Tag{Name: TagDark, Score: 1}, prime.Tag{Name: TagBright, Score: 1}
	for _, tc := range []struct {
		name string
		img  image.Image
		want []prime.Tag
	}{
		{"black", uniform(4, 4, color.Black), []prime.Tag{dark}},
		{"white", uniform(4, 4, color.White), []prime.Tag{bright}},
		{"grey", uniform(4, 4, color.Gray{Y: 128}), nil},
		{"dark stripes", stripes, nil},
		{"empty", image.NewRGBA(image.Rect(0, 0, 0, 0)), nil},
	} {
		t.Run(tc.name, func(t *testing.T) {
			tags, err := Exposure{}.Tag(context.Background(), tc.img)
			require.NoError(t, err)
			assert.Equal(t, tc.want, tags)
		})
	}
}

// The program finds that the colour classifier loses dark lemons and
// leaves.
func TestCustomTaggerFindsDarkModes(t *testing.T) {
	report, err := analyze(context.Background(), 300, 0.4)
	require.NoError(t, err)
	var got []string
	for _, m := range report.Modes {
		got = append(got, m.Label+": "+strings.Join(m.Tags, ", "))
	}
	assert.Equal(t, []string{"leaf: dark", "lemon: dark"}, got)
}

// The stand-in classifier follows the rules of prime.Classifier too.
func TestColourConformance(t *testing.T) {
	primetest.RunClassifier(t, Colour{})
}

func TestCustomTaggerMain(t *testing.T) {
	var out bytes.Buffer
	require.NoError(t, run(context.Background(), &out))
	assert.Contains(t, out.String(), "300 records in 3 classes")
	assert.Regexp(t, `(?m)^lemon +dark `, out.String())
}
