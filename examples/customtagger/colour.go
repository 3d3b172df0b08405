package main

import (
	"context"
	"fmt"
	"image"
	"image/color"

	"github.com/failmodes/prime"
)

// Colour stands in for the classifier under test: it tells lemons, leaves
// and stones apart by the colour of their pixels. Its colour detectors were
// tuned on photos taken in daylight: a pixel is yellow or green only when
// it is bright enough, and a photo with too few pixels of a colour it knows
// is called a stone.
type Colour struct{}

// Labels returns the classes Colour predicts.
func (Colour) Labels() []string { return []string{"lemon", "leaf", "stone"} }

// Classify implements prime.Classifier.
func (Colour) Classify(ctx context.Context, img image.Image) (prime.Prediction, error) {
	if err := ctx.Err(); err != nil {
		return prime.Prediction{}, fmt.Errorf("colour: %w", err)
	}
	b := img.Bounds()
	var yellow, green int
	for y := b.Min.Y; y < b.Max.Y; y++ {
		for x := b.Min.X; x < b.Max.X; x++ {
			c := color.NRGBAModel.Convert(img.At(x, y)).(color.NRGBA)
			switch {
			case c.R > 150 && c.G > 150 && c.B < 100:
				yellow++
			case c.G > 100 && int(c.G) > int(c.R)+40 && int(c.G) > int(c.B)+40:
				green++
			}
		}
	}
	half := b.Dx() * b.Dy() / 2
	switch {
	case yellow > half:
		return prime.Prediction{Label: "lemon"}, nil
	case green > half:
		return prime.Prediction{Label: "leaf"}, nil
	}
	return prime.Prediction{Label: "stone"}, nil
}
