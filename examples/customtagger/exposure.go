package main

import (
	"context"
	"fmt"
	"image"

	"github.com/failmodes/prime"
)

// Exposure is a domain tagger: it names how a photo is exposed, from the
// luminance of its pixels. It is the smallest useful prime.Tagger: a type
// with a Tag method (and, optionally, Vocabulary, which lets package
// primetest check that every tag it returns is one it declares).
//
// It follows the rules of prime.Tagger: safe for concurrent use (it has no
// state), deterministic, every tag from its vocabulary, the returned slice
// the caller's, an error wrapping ctx.Err() once ctx is cancelled, and any
// image.Image accepted (any bounds, any color model).
type Exposure struct{}

// Exposure's tags.
const (
	TagDark   = "dark"   // mean luminance under 0.3: under-exposed
	TagBright = "bright" // mean luminance over 0.8: over-exposed or snow
)

// Vocabulary returns the tags Exposure may return.
func (Exposure) Vocabulary() []string { return []string{TagDark, TagBright} }

// Tag implements prime.Tagger.
func (Exposure) Tag(ctx context.Context, img image.Image) ([]prime.Tag, error) {
	if err := ctx.Err(); err != nil {
		return nil, fmt.Errorf("exposure: %w", err)
	}
	b := img.Bounds()
	var sum float64
	for y := b.Min.Y; y < b.Max.Y; y++ {
		for x := b.Min.X; x < b.Max.X; x++ {
			r, g, bl, _ := img.At(x, y).RGBA() // alpha-premultiplied, 0 to 65535
			l := (0.2126*float64(r) + 0.7152*float64(g) + 0.0722*float64(bl)) / 65535
			sum += l
		}
	}
	n := float64(b.Dx() * b.Dy())
	if n == 0 {
		return nil, nil
	}
	mean := sum / n
	var tags []prime.Tag
	if mean < 0.3 {
		tags = append(tags, prime.Tag{Name: TagDark, Score: 1})
	}
	if mean > 0.8 {
		tags = append(tags, prime.Tag{Name: TagBright, Score: 1})
	}
	return tags, nil
}
