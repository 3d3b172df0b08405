package classifier_test

import (
	"context"
	"fmt"
	"image"
	"image/color"
	"log"
	"math/rand/v2"
	"os"
	"path/filepath"

	"github.com/failmodes/prime/classifier"
	"github.com/failmodes/prime/internal/onnxfile"
	"github.com/failmodes/prime/preprocess"
)

// This example writes a tiny CNN classifier as an ONNX file, loads it with
// its labels and classifies an image.
func ExampleNewONNX() {
	dir, err := os.MkdirTemp("", "classifier-example")
	if err != nil {
		log.Fatal(err)
	}
	defer os.RemoveAll(dir)
	path := filepath.Join(dir, "classifier.onnx")
	cnn := onnxfile.NewCNN(rand.New(rand.NewPCG(1, 2)), onnxfile.CNNConfig{
		Channels: 3, Size: 32, Filters1: 4, Filters2: 8, Outputs: 3,
	})
	if err := cnn.Model().WriteFile(path); err != nil {
		log.Fatal(err)
	}

	c, err := classifier.NewONNX(path, &classifier.ONNXOptions{
		Labels:  []string{"boat", "car", "ball"},
		Workers: 2,
	})
	if err != nil {
		log.Fatal(err)
	}
	defer c.Close()

	img := image.NewRGBA(image.Rect(0, 0, 64, 48))
	for y := range 48 {
		for x := range 64 {
			img.Set(x, y, color.RGBA{uint8(4 * x), uint8(5 * y), 90, 255})
		}
	}
	p, err := c.Classify(context.Background(), img)
	if err != nil {
		log.Fatal(err)
	}
	fmt.Println(p.Label)
	fmt.Printf("%.3f\n", p.Scores)
	// Output:
	// car
	// [0.319 0.471 0.210]
}

// This example loads the ONNX model zoo's MNIST classifier, which takes raw
// 0..255 pixel values of a 28x28 gray image and has no labels file: its
// labels are the output indices.
func ExampleONNX_mnist() {
	c, err := classifier.NewONNX("../testdata/mnist/model.onnx", &classifier.ONNXOptions{
		Preprocessing: preprocess.Raw(),
		Workers:       1,
	})
	if err != nil {
		log.Fatal(err)
	}
	defer c.Close()
	fmt.Println(c.Labels(), c.InputShape())
	// Output:
	// [0 1 2 3 4 5 6 7 8 9] [1 1 28 28]
}
