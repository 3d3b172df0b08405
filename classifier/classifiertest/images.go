package classifiertest

import (
	"image"

	"github.com/failmodes/prime/internal/kit"
)

// An Image is a test image and its id: the kit calls Classify and
// ClassifyBatch with a context that carries the id
// (prime.ContextWithImageID), as Run does, so that classifiers which look
// their answers up by id can be checked too.
type Image struct {
	ID    string
	Image image.Image
}

// OddImages returns the images every check passes besides the caller's,
// each with an id starting "classifiertest/": bounds not at (0, 0), a 1x1
// image, and the color models a decoder can return (Gray, Gray16,
// Paletted, CMYK, NRGBA with varying alpha, YCbCr, RGBA). Their pixels are
// fixed patterns, the same on every call.
func OddImages() []Image {
	odd := kit.OddImages("classifiertest")
	out := make([]Image, len(odd))
	for i, im := range odd {
		out[i] = Image(im)
	}
	return out
}
