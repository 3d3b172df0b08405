// Command customtagger shows how to write a domain tagger and plug it into
// prime. Exposure (exposure.go) names how a photo is exposed; its test
// (exposure_test.go) checks it with primetest, the conformance kit
// every Tagger should pass.
//
// The program takes the demo's pictures (the seeded boats, cars and balls
// of `prime demo`), under-exposes a share of them, as a camera at dusk
// would, and runs them through Exposure and the demo's ONNX classifier
// with prime.Run; prime.Analyze then finds what the classifier does with
// dark pictures. Its colour detectors were built for daylight: dark boats
// and cars are lost, while dark balls are still called balls, because
// "ball" is the classifier's answer when it sees no colour it knows.
//
//	go run ./examples/customtagger [-every N] [-dark SHARE]
package main

import (
	"context"
	"flag"
	"fmt"
	"image"
	"image/color"
	"io"
	"math/rand/v2"
	"os"

	"github.com/failmodes/prime"
	"github.com/failmodes/prime/internal/demo"
)

func main() {
	os.Exit(run(context.Background(), os.Stdout, os.Stderr, os.Args[1:]))
}

// run is main with its outside world passed in, for the test.
func run(ctx context.Context, stdout, stderr io.Writer, args []string) int {
	fs := flag.NewFlagSet("customtagger", flag.ContinueOnError)
	fs.SetOutput(stderr)
	every := fs.Int("every", 1, "use every Nth picture of the demo data set")
	dark := fs.Float64("dark", 0.4, "share of pictures under-exposed, 0 to 1")
	if err := fs.Parse(args); err != nil {
		return 2
	}
	if *every < 1 || !(*dark >= 0 && *dark <= 1) {
		fmt.Fprintln(stderr, "customtagger: -every must be at least 1 and -dark in [0, 1]")
		return 2
	}
	report, err := analyze(ctx, *every, *dark)
	if err != nil {
		fmt.Fprintln(stderr, err)
		return 1
	}
	if err := report.WriteText(stdout); err != nil {
		fmt.Fprintln(stderr, err)
		return 1
	}
	return 0
}

// analyze tags and classifies the pictures and mines the records.
func analyze(ctx context.Context, every int, dark float64) (*prime.Report, error) {
	dir, err := os.MkdirTemp("", "customtagger")
	if err != nil {
		return nil, err
	}
	defer os.RemoveAll(dir)
	files, err := demo.WriteModels(dir)
	if err != nil {
		return nil, err
	}
	cl, err := demo.NewClassifier(files, 0)
	if err != nil {
		return nil, err
	}
	defer cl.Close()

	rng := rand.New(rand.NewPCG(demo.Seed, 1))
	var images []prime.Image
	for i, p := range demo.Generate(rand.New(rand.NewPCG(demo.Seed, 0))) {
		if i%every != 0 {
			continue
		}
		img := image.Image(p.Image)
		if rng.Float64() < dark {
			img = underExpose(p.Image, 0.25)
		}
		images = append(images, prime.Image{
			ID: p.ID, Label: p.Label,
			Open: func() (image.Image, error) { return img, nil },
		})
	}
	seq := func(yield func(prime.Image) bool) {
		for _, im := range images {
			if !yield(im) {
				return
			}
		}
	}
	var records []prime.Record
	for rec, err := range prime.Run(ctx, seq, Exposure{}, cl, nil) {
		if err != nil {
			return nil, err
		}
		records = append(records, rec)
	}
	return prime.Analyze(ctx, records, nil)
}

// underExpose returns a copy of img with every channel scaled by f.
func underExpose(img *image.RGBA, f float64) *image.RGBA {
	out := image.NewRGBA(img.Bounds())
	b := img.Bounds()
	for y := b.Min.Y; y < b.Max.Y; y++ {
		for x := b.Min.X; x < b.Max.X; x++ {
			c := img.RGBAAt(x, y)
			out.SetRGBA(x, y, color.RGBA{uint8(float64(c.R) * f), uint8(float64(c.G) * f), uint8(float64(c.B) * f), c.A})
		}
	}
	return out
}
