package tagger_test

import (
	"context"
	"fmt"
	"image"
	"math/rand/v2"
	"testing"
	"time"

	"github.com/failmodes/prime/internal/cputime"
	"github.com/failmodes/prime/internal/onnxfile"
	"github.com/failmodes/prime/internal/onnxtest"
	"github.com/failmodes/prime/onnx"
	"github.com/failmodes/prime/tagger"
)

// bench224 is the small test CNN at ImageNet's input size.
var bench224 = onnxfile.CNNConfig{Channels: 3, Size: 224, Filters1: 8, Filters2: 16, Outputs: 32, Gemm: true, Head: "Sigmoid"}

// bench224Batch writes the bench224 CNN to a file and returns its path
// and a batch of 8 random images of its size.
func bench224Batch(b *testing.B) (string, []image.Image) {
	path, _ := onnxtest.WriteCNN(b, 1, bench224)
	rng := rand.New(rand.NewPCG(1, 2))
	imgs := make([]image.Image, 8)
	for i := range imgs {
		imgs[i] = onnxtest.RandomImage(rng, 0, 0, 224, 224)
	}
	return path, imgs
}

// newBench224 loads the bench224 CNN at path with workers model
// instances, its outputs taken as probabilities, closed when b ends.
func newBench224(b *testing.B, path string, workers int) *tagger.ONNX {
	tg, err := tagger.NewONNX(path, &tagger.ONNXOptions{Vocabulary: vocabulary(bench224.Outputs), Output: onnx.Probabilities, Engine: onnx.Engine{Workers: workers}})
	if err != nil {
		b.Fatal(err)
	}
	b.Cleanup(func() { tg.Close() })
	return tg
}

// BenchmarkONNX tags batches of 224x224 images with the small test CNN on
// 1 and 2 model instances, through TagBatch (the path prime.Run takes),
// and reports images per second.
func BenchmarkONNX(b *testing.B) {
	path, imgs := bench224Batch(b)
	for _, workers := range []int{1, 2} {
		b.Run(fmt.Sprintf("cnn224/workers=%d", workers), func(b *testing.B) {
			tg := newBench224(b, path, workers)
			n := 0
			for b.Loop() {
				if _, err := tg.TagBatch(context.Background(), imgs); err != nil {
					b.Fatal(err)
				}
				n += len(imgs)
			}
			b.ReportMetric(float64(n)/b.Elapsed().Seconds(), "images/s")
		})
	}
}

// BenchmarkONNXScaling alternates batches on a 1-worker and a 2-worker
// tagger of the 224x224 test CNN, so that both see the same machine load,
// and reports each one's images per second and their ratio.
func BenchmarkONNXScaling(b *testing.B) {
	path, imgs := bench224Batch(b)
	taggers := [2]*tagger.ONNX{newBench224(b, path, 1), newBench224(b, path, 2)}
	var spent, cpu [2]time.Duration
	n := 0
	for b.Loop() {
		for i, tg := range taggers {
			start, cpu0 := time.Now(), cputime.Process()
			if _, err := tg.TagBatch(context.Background(), imgs); err != nil {
				b.Fatal(err)
			}
			spent[i] += time.Since(start)
			cpu[i] += cputime.Process() - cpu0
		}
		n += len(imgs)
	}
	r1 := float64(n) / spent[0].Seconds()
	r2 := float64(n) / spent[1].Seconds()
	b.ReportMetric(r1, "images/s/1worker")
	b.ReportMetric(r2, "images/s/2workers")
	b.ReportMetric(r2/r1, "speedup")
	// CPU time per image tells how much work an image is, whatever share
	// of the machine the benchmark gets.
	b.ReportMetric(float64(cpu[0].Milliseconds())/float64(n), "cpu-ms/image/1worker")
	b.ReportMetric(float64(cpu[1].Milliseconds())/float64(n), "cpu-ms/image/2workers")
}

// BenchmarkWorkerMemory reports the heap each added model instance of the
// 224x224 test CNN holds after a run, as bytes/worker: the heap growth of
// loading a 5-worker tagger minus that of a 1-worker one, over 4.
func BenchmarkWorkerMemory(b *testing.B) {
	path, _ := onnxtest.WriteCNN(b, 1, bench224)
	img := onnxtest.RandomImage(rand.New(rand.NewPCG(1, 2)), 0, 0, 224, 224)
	load := func(workers int) *tagger.ONNX {
		tg, err := tagger.NewONNX(path, &tagger.ONNXOptions{Vocabulary: vocabulary(bench224.Outputs), Engine: onnx.Engine{Workers: workers}})
		if err != nil {
			b.Fatal(err)
		}
		imgs := make([]image.Image, workers)
		for i := range imgs {
			imgs[i] = img
		}
		if _, err := tg.TagBatch(context.Background(), imgs); err != nil {
			b.Fatal(err)
		}
		return tg
	}
	b.ReportMetric(float64(onnxtest.HeapPerWorker(b, func(w int) any { return load(w) })), "bytes/worker")
}
