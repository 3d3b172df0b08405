package preprocess_test

import (
	"fmt"
	"image"
	"image/color"
	"log"

	"github.com/failmodes/prime/preprocess"
)

// This example turns a 640x480 picture into the 3x224x224 tensor of an
// ImageNet classifier: shorter side to 256, centre crop, ImageNet's mean
// and std.
func Example() {
	img := image.NewRGBA(image.Rect(0, 0, 640, 480))
	for y := range 480 {
		for x := range 640 {
			img.Set(x, y, color.RGBA{uint8(x / 3), uint8(y / 2), 128, 255})
		}
	}
	plan, err := preprocess.ImageNet().Plan(3, 224, 224)
	if err != nil {
		log.Fatal(err)
	}
	x := make([]float32, plan.Len())
	if err := plan.Fill(x, img); err != nil {
		log.Fatal(err)
	}
	fmt.Println(len(x))
	fmt.Printf("R, G, B at the top left: %.3f %.3f %.3f\n", x[0], x[224*224], x[2*224*224])
	// Output:
	// 150528
	// R, G, B at the top left: -1.501 -1.773 0.426
}

// This example finds a preset by the name a user typed.
func ExamplePreset() {
	tr, err := preprocess.Preset("clip")
	if err != nil {
		log.Fatal(err)
	}
	fmt.Println(tr.Resize, tr.Width, tr.Height, tr.Interpolation)
	_, err = preprocess.Preset("vgg")
	fmt.Println(err)
	// Output:
	// 224 224 224 bicubic
	// preprocess: unknown preset "vgg": want imagenet, ram, clip, raw
}
