// Command customtagger shows how to write a domain tagger and plug it into
// prime. Exposure (exposure.go) names how a photo is exposed; its test
// (exposure_test.go) checks it with package primetest, the conformance kit
// every Tagger should pass.
//
// The program draws seeded photos of lemons, leaves and stones,
// under-exposes a share of them, as a camera at dusk would, and runs them
// through Exposure and a colour classifier (colour.go) with prime.Run;
// prime.Analyze then finds what the classifier does with dark photos. Its
// colour detectors were tuned in daylight: dark lemons and leaves are
// lost, while dark stones are still called stones, because "stone" is its
// answer when it sees no colour it knows.
//
// It needs nothing but package prime and the standard library: copy it out
// of the module to start a tagger of your own.
//
//	go run ./examples/customtagger
package main

import (
	"context"
	"fmt"
	"image"
	"image/color"
	"io"
	"math/rand/v2"
	"os"
	"slices"

	"github.com/failmodes/prime"
)

func main() {
	if err := run(context.Background(), os.Stdout); err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
}

// run is main with its output passed in, for the test: it mines 300
// photos, four in ten of them under-exposed, and writes the report.
func run(ctx context.Context, w io.Writer) error {
	report, err := analyze(ctx, 300, 0.4)
	if err != nil {
		return err
	}
	return report.WriteText(w)
}

// analyze draws the photos, tags and classifies them, and mines the
// records.
func analyze(ctx context.Context, n int, dark float64) (*prime.Report, error) {
	rng := rand.New(rand.NewPCG(1, 2))
	colours := map[string]color.NRGBA{
		"lemon": {R: 240, G: 220, B: 40, A: 255},
		"leaf":  {R: 60, G: 170, B: 50, A: 255},
		"stone": {R: 130, G: 130, B: 125, A: 255},
	}
	var images []prime.Image
	for i := range n {
		label := []string{"lemon", "leaf", "stone"}[i%3]
		exposure := 1.0
		if rng.Float64() < dark {
			exposure = 0.25
		}
		img := photo(rng, colours[label], exposure)
		images = append(images, prime.Image{
			ID: fmt.Sprintf("%s/%03d", label, i), Label: label,
			Open: func() (image.Image, error) { return img, nil },
		})
	}
	var records []prime.Record
	for rec, err := range prime.Run(ctx, slices.Values(images), Exposure{}, Colour{}, nil) {
		if err != nil {
			return nil, err
		}
		records = append(records, rec)
	}
	return prime.Analyze(ctx, records, nil)
}

// photo draws a 24x24 picture of an object of colour c on a grey
// background, with noise, every channel scaled by exposure.
func photo(rng *rand.Rand, c color.NRGBA, exposure float64) *image.NRGBA {
	img := image.NewNRGBA(image.Rect(0, 0, 24, 24))
	for y := range 24 {
		for x := range 24 {
			p := color.NRGBA{R: 110, G: 110, B: 110, A: 255}
			if dx, dy := x-12, y-12; dx*dx+dy*dy < 121 {
				p = c
			}
			noise := func(v uint8) uint8 {
				f := (float64(v) + rng.NormFloat64()*8) * exposure
				return uint8(min(max(f, 0), 255))
			}
			img.SetNRGBA(x, y, color.NRGBA{R: noise(p.R), G: noise(p.G), B: noise(p.B), A: 255})
		}
	}
	return img
}
