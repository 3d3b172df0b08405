package prime_test

import (
	"context"
	"fmt"
	"image"
	"image/color"

	"github.com/failmodes/prime"
)

// brightness is a domain tagger: it names how bright an image is.
type brightness struct{}

// Tag implements prime.Tagger. It keeps no state, so it is safe for
// concurrent use and deterministic.
func (brightness) Tag(ctx context.Context, img image.Image) ([]prime.Tag, error) {
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	b := img.Bounds()
	if b.Empty() {
		return nil, nil
	}
	var sum uint64
	for y := b.Min.Y; y < b.Max.Y; y++ {
		for x := b.Min.X; x < b.Max.X; x++ {
			sum += uint64(color.GrayModel.Convert(img.At(x, y)).(color.Gray).Y)
		}
	}
	mean := float32(sum) / float32(b.Dx()*b.Dy()) / 255
	switch {
	case mean < 0.25:
		return []prime.Tag{{Name: "dark", Score: 1 - mean}}, nil
	case mean > 0.75:
		return []prime.Tag{{Name: "bright", Score: mean}}, nil
	}
	return nil, nil
}

func Example_customTagger() {
	var tagger prime.Tagger = brightness{}
	night := image.NewGray(image.Rect(0, 0, 8, 8)) // all black
	tags, err := tagger.Tag(context.Background(), night)
	if err != nil {
		panic(err)
	}
	fmt.Println(tags)
	// Output:
	// [{dark 1 false}]
}
