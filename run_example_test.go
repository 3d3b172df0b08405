package prime_test

import (
	"context"
	"errors"
	"fmt"
	"image"
	"image/png"
	"os"
	"path/filepath"
	"slices"

	"github.com/failmodes/prime"
)

// always is a classifier that predicts one label, whatever the image.
type always string

func (a always) Classify(ctx context.Context, img image.Image) (prime.Prediction, error) {
	if err := ctx.Err(); err != nil {
		return prime.Prediction{}, err
	}
	return prime.Prediction{Label: string(a)}, nil
}

// uniform returns an image of one gray level.
func uniform(y uint8) func() (image.Image, error) {
	return func() (image.Image, error) {
		img := image.NewGray(image.Rect(0, 0, 4, 4))
		for i := range img.Pix {
			img.Pix[i] = y
		}
		return img, nil
	}
}

func ExampleRun() {
	images := []prime.Image{
		{ID: "night.png", Label: "street", Open: uniform(10)},
		{ID: "noon.png", Label: "street", Open: uniform(250)},
		{ID: "broken.png", Label: "beach", Open: func() (image.Image, error) { return nil, errors.New("truncated") }},
		{ID: "dusk.png", Label: "beach", Open: uniform(40)},
	}
	seq := prime.Run(context.Background(), slices.Values(images), brightness{}, always("street"), &prime.RunOptions{Workers: 2})
	for rec, err := range seq {
		var ie *prime.ImageError
		if errors.As(err, &ie) {
			fmt.Println("skipped:", err)
			continue
		}
		if err != nil {
			fmt.Println(err)
			return
		}
		fmt.Println(rec.ID, rec.Label, rec.Predicted, rec.Tags)
	}
	// Output:
	// night.png street street [dark]
	// noon.png street street [bright]
	// skipped: prime: image broken.png: truncated
	// dusk.png beach street [dark]
}

func ExampleImageFolder() {
	dir, err := os.MkdirTemp("", "images")
	if err != nil {
		panic(err)
	}
	defer os.RemoveAll(dir)
	for _, name := range []string{"fox/1.png", "fox/2.png", "wolf/snow/3.png"} {
		path := filepath.Join(dir, filepath.FromSlash(name))
		os.MkdirAll(filepath.Dir(path), 0o755)
		f, _ := os.Create(path)
		png.Encode(f, image.NewGray(image.Rect(0, 0, 2, 2)))
		f.Close()
	}

	images, err := prime.ImageFolder(dir)
	if err != nil {
		panic(err)
	}
	for _, im := range images {
		fmt.Println(im.ID, im.Label)
	}
	// Output:
	// fox/1.png fox
	// fox/2.png fox
	// wolf/snow/3.png wolf
}
