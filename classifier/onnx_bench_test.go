package classifier_test

import (
	"context"
	"fmt"
	"image"
	"testing"

	"github.com/failmodes/prime/classifier"
	"github.com/failmodes/prime/internal/cputime"
	"github.com/failmodes/prime/internal/onnxtest"
	"github.com/failmodes/prime/onnx"
	"github.com/failmodes/prime/preprocess"
)

// BenchmarkMNIST classifies the 10,000 MNIST test images with the model
// zoo's MNIST model through ClassifyBatch and reports images per second.
func BenchmarkMNIST(b *testing.B) {
	imgs, _ := mnistImages(b, 1)
	for _, workers := range []int{1, 2} {
		b.Run(fmt.Sprintf("workers=%d", workers), func(b *testing.B) {
			c := newMNIST(b, workers)
			n := 0
			cpu0 := cputime.Process()
			for b.Loop() {
				if _, err := c.ClassifyBatch(context.Background(), imgs); err != nil {
					b.Fatal(err)
				}
				n += len(imgs)
			}
			b.ReportMetric(float64(n)/b.Elapsed().Seconds(), "images/s")
			// CPU time per image tells how much work an image is,
			// whatever share of the machine the benchmark gets.
			b.ReportMetric(float64((cputime.Process()-cpu0).Microseconds())/float64(n), "cpu-µs/image")
		})
	}
}

// BenchmarkMNISTWorkerMemory reports the heap each added instance of the
// MNIST model holds after a run, as bytes/worker: the heap growth of a
// 5-worker classifier minus that of a 1-worker one, over 4.
func BenchmarkMNISTWorkerMemory(b *testing.B) {
	imgs, _ := mnistImages(b, 1000)
	load := func(workers int) *classifier.ONNX {
		c, err := classifier.NewONNX(mnistModel, &classifier.ONNXOptions{Preprocessing: preprocess.Raw(), Engine: onnx.Engine{Workers: workers}})
		if err != nil {
			b.Fatal(err)
		}
		batch := make([]image.Image, workers)
		for i := range batch {
			batch[i] = imgs[i%len(imgs)]
		}
		if _, err := c.ClassifyBatch(context.Background(), batch); err != nil {
			b.Fatal(err)
		}
		return c
	}
	b.ReportMetric(float64(onnxtest.HeapPerWorker(b, func(w int) any { return load(w) })), "bytes/worker")
}
