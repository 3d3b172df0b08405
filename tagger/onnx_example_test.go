package tagger_test

import (
	"context"
	"fmt"
	"image"
	"image/color"
	"log"
	"math/rand/v2"
	"os"
	"path/filepath"

	"github.com/failmodes/prime/internal/onnxfile"
	"github.com/failmodes/prime/onnx"
	"github.com/failmodes/prime/tagger"
)

// This example writes a tiny multi-label CNN as an ONNX file, loads it with
// a vocabulary and one threshold for all tags, and tags an image.
func ExampleNewONNX() {
	dir, err := os.MkdirTemp("", "tagger-example")
	if err != nil {
		log.Fatal(err)
	}
	defer os.RemoveAll(dir)
	path := filepath.Join(dir, "tagger.onnx")
	cnn := onnxfile.NewCNN(rand.New(rand.NewPCG(1, 2)), onnxfile.CNNConfig{
		Channels: 3, Size: 32, Filters1: 4, Filters2: 8, Outputs: 4, Gemm: true,
	})
	if err := cnn.Model().WriteFile(path); err != nil {
		log.Fatal(err)
	}

	tg, err := tagger.NewONNX(path, &tagger.ONNXOptions{
		Vocabulary: []string{"sky", "grass", "water", "snow"},
		Threshold:  0.6,
		Engine:     onnx.Engine{Workers: 2},
	})
	if err != nil {
		log.Fatal(err)
	}
	defer tg.Close()

	// Any image: here 100x60 pixels of sky blue, resized to the model's
	// 32x32 input.
	img := image.NewRGBA(image.Rect(0, 0, 100, 60))
	for y := range 60 {
		for x := range 100 {
			img.Set(x, y, color.RGBA{135, 206, 235, 255})
		}
	}
	tags, err := tg.Tag(context.Background(), img)
	if err != nil {
		log.Fatal(err)
	}
	for _, t := range tags {
		fmt.Printf("%s %.3f\n", t.Name, t.Score)
	}
	// Output:
	// grass 0.704
}

// This example reads RAM's vocabulary and per-tag thresholds.
func ExampleLoadThresholds() {
	vocab, err := tagger.LoadVocabulary("../testdata/ram/ram_tag_list.txt")
	if err != nil {
		log.Fatal(err)
	}
	th, err := tagger.LoadThresholds("../testdata/ram/ram_tag_list_threshold.txt")
	if err != nil {
		log.Fatal(err)
	}
	fmt.Println(len(vocab), len(th))
	fmt.Printf("%q %v\n", vocab[0], th[0])
	// Output:
	// 4585 4585
	// "3D CG rendering" 0.65
}
