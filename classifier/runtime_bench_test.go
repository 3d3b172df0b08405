package classifier_test

import (
	"context"
	"fmt"
	"image"
	"math/rand/v2"
	"path/filepath"
	"testing"
	"time"

	"github.com/failmodes/prime/classifier"
	"github.com/failmodes/prime/internal/cputime"
	"github.com/failmodes/prime/internal/onnxfile"
	"github.com/failmodes/prime/internal/onnxrun"
	"github.com/failmodes/prime/internal/onnxtest"
	"github.com/failmodes/prime/onnx"
	"github.com/failmodes/prime/preprocess"
)

// cnn224 is the small test CNN at ImageNet's input size, 26 M
// multiply-adds an image.
var cnn224 = onnxfile.CNNConfig{Channels: 3, Size: 224, Filters1: 8, Filters2: 16, Outputs: 32, Gemm: true}

func needORT(b *testing.B) {
	if !onnxrun.ORTCompiled {
		b.Skip("ONNX Runtime is not compiled in: go test -tags onnxruntime (see scripts/onnxruntime.sh)")
	}
}

// alternate runs each of runs once per iteration, in turn, so that all
// see the same share of a busy machine, and reports each one's images per
// second (n images a run) and CPU milliseconds per image under its name.
// On a machine shared with other work, the images per second are what the
// benchmark got; the CPU time says what an image costs.
func alternate(b *testing.B, n int, names []string, runs []func() error) []float64 {
	spent, cpu := make([]time.Duration, len(runs)), make([]time.Duration, len(runs))
	for b.Loop() {
		for i, run := range runs {
			start, cpu0 := time.Now(), cputime.Process()
			if err := run(); err != nil {
				b.Fatal(err)
			}
			spent[i] += time.Since(start)
			cpu[i] += cputime.Process() - cpu0
		}
	}
	rates := make([]float64, len(runs))
	for i := range runs {
		rates[i] = float64(n*b.N) / spent[i].Seconds()
		b.ReportMetric(rates[i], "images/s/"+names[i])
		b.ReportMetric(float64(cpu[i].Microseconds())/1000/float64(n*b.N), "cpu-ms/image/"+names[i])
	}
	return rates
}

func randomImages(n, size int) []image.Image {
	rng := rand.New(rand.NewPCG(1, 2))
	imgs := make([]image.Image, n)
	for i := range imgs {
		imgs[i] = onnxtest.RandomImage(rng, 0, 0, size, size)
	}
	return imgs
}

// BenchmarkRuntimes classifies 224x224 images with the small test CNN, one
// image a call on one worker, on onnx-go and on ONNX Runtime in turn, and
// reports each one's images per second and their ratio (x-onnxruntime).
//
//	go test -tags onnxruntime -run - -bench Runtimes -count 5 ./classifier
func BenchmarkRuntimes(b *testing.B) {
	needORT(b)
	path, _ := onnxtest.WriteCNN(b, 1, cnn224)
	imgs := randomImages(4, 224)
	var runs []func() error
	for _, rt := range onnxrun.Runtimes() {
		c, err := classifier.NewONNX(path, &classifier.ONNXOptions{Engine: onnx.Engine{Workers: 1, Runtime: rt}})
		if err != nil {
			b.Fatal(err)
		}
		defer c.Close()
		runs = append(runs, func() error {
			for _, img := range imgs {
				if _, err := c.Classify(context.Background(), img); err != nil {
					return err
				}
			}
			return nil
		})
	}
	r := alternate(b, len(imgs), onnxrun.Runtimes(), runs)
	b.ReportMetric(r[1]/r[0], "x-onnxruntime")
}

// mobileNet writes MobileNet v1 0.75 at 224x224 (0.33 G multiply-adds an
// image) with random weights.
func mobileNet(b *testing.B) string {
	m, _ := onnxfile.MobileNet(rand.New(rand.NewPCG(1, 1)), 0.75, 224, 1000)
	path := filepath.Join(b.TempDir(), "mobilenet.onnx")
	if err := m.WriteFile(path); err != nil {
		b.Fatal(err)
	}
	return path
}

// BenchmarkWorkersThreads classifies batches of 16 images with a
// MobileNet-sized model on ONNX Runtime, in turn with each split of the
// machine's 2 cores between workers (calls at once) and ONNX Runtime's
// intra-op threads per call, and with batches of 1 image a call (w2t1b1)
// against several (w2t1), and reports each split's images per second.
//
//	go test -tags onnxruntime -run - -bench WorkersThreads -count 5 ./classifier
func BenchmarkWorkersThreads(b *testing.B) {
	needORT(b)
	path := mobileNet(b)
	imgs := randomImages(16, 224)
	splits := []struct {
		name             string
		workers, threads int
		batch            bool
	}{
		{"w2t1", 2, 1, true},
		{"w1t2", 1, 2, true},
		{"w1t1", 1, 1, true},
		{"w2t1b1", 2, 1, false},
	}
	var names []string
	var runs []func() error
	for _, s := range splits {
		c, err := classifier.NewONNX(path, &classifier.ONNXOptions{Preprocessing: preprocess.Transform{},
			Engine: onnx.Engine{Workers: s.workers, Threads: s.threads, Runtime: onnx.ONNXRuntime}})
		if err != nil {
			b.Fatal(err)
		}
		defer c.Close()
		names = append(names, s.name)
		runs = append(runs, func() error {
			if s.batch {
				_, err := c.ClassifyBatch(context.Background(), imgs)
				return err
			}
			// One image a call, from workers goroutines, as prime.Run
			// with -batch 1 calls it.
			_, err := batchOfOnes(c, imgs, s.workers)
			return err
		})
	}
	alternate(b, len(imgs), names, runs)
}

// batchOfOnes classifies imgs one image a call from workers goroutines.
func batchOfOnes(c *classifier.ONNX, imgs []image.Image, workers int) (int, error) {
	errs := make(chan error, workers)
	next := make(chan image.Image)
	for range workers {
		go func() {
			var err error
			for img := range next {
				if err == nil {
					_, err = c.Classify(context.Background(), img)
				}
			}
			errs <- err
		}()
	}
	for _, img := range imgs {
		next <- img
	}
	close(next)
	for range workers {
		if err := <-errs; err != nil {
			return 0, err
		}
	}
	return len(imgs), nil
}

// BenchmarkMobileNet classifies batches of 32 images with MobileNet v1
// 0.75 at 224x224 on ONNX Runtime with the default workers and threads,
// preprocessing included (images of 224x224: no resize), and reports
// images per second.
//
//	go test -tags onnxruntime -run - -bench MobileNet -count 5 ./classifier
func BenchmarkMobileNet(b *testing.B) {
	needORT(b)
	path := mobileNet(b)
	imgs := randomImages(32, 224)
	c, err := classifier.NewONNX(path, &classifier.ONNXOptions{Engine: onnx.Engine{Runtime: onnx.ONNXRuntime}})
	if err != nil {
		b.Fatal(err)
	}
	defer c.Close()
	b.Run(fmt.Sprintf("workers=%d", c.Workers()), func(b *testing.B) {
		alternate(b, len(imgs), []string{"mobilenet"}, []func() error{func() error {
			_, err := c.ClassifyBatch(context.Background(), imgs)
			return err
		}})
	})
}
