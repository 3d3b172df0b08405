package classifier_test

import (
	"context"
	"fmt"
	"image"
	"image/color"
	"log"

	"github.com/failmodes/prime/classifier"
	"github.com/failmodes/prime/onnx"
	"github.com/failmodes/prime/preprocess"
)

// This example loads the ONNX model zoo's MNIST classifier, which takes
// raw 0..255 pixel values of a 28x28 gray image (preprocess.Raw) and has
// no labels file, so its labels are the output indices, and classifies a
// hand-drawn 1: a white vertical stroke on black, drawn larger than the
// model's input and resized to it.
func ExampleNewONNX() {
	c, err := classifier.NewONNX("../testdata/mnist/model.onnx", &classifier.ONNXOptions{
		Preprocessing: preprocess.Raw(),
		Engine:        onnx.Engine{Workers: 1},
	})
	if err != nil {
		log.Fatal(err)
	}
	defer c.Close()
	fmt.Println(c.Labels(), c.InputShape())

	img := image.NewGray(image.Rect(0, 0, 56, 56))
	for y := 10; y < 46; y++ {
		for x := 26; x < 32; x++ {
			img.SetGray(x, y, color.Gray{Y: 255})
		}
	}
	p, err := c.Classify(context.Background(), img)
	if err != nil {
		log.Fatal(err)
	}
	fmt.Printf("%s (%.2f)\n", p.Label, p.Scores[1])
	// Output:
	// [0 1 2 3 4 5 6 7 8 9] [1 1 28 28]
	// 1 (1.00)
}
