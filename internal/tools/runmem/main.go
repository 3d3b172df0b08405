//go:build linux

// Command runmem measures the peak memory of prime run against the bound
// the documentation states:
//
//	peak ≤ workers x one model's working memory
//	     + workers x -max-pixels x 8 bytes (the decoded images)
//	     + 200 MB
//
// Usage, from the module root:
//
//	go run ./internal/tools/runmem [-workers 2] [-max-pixels 33554432] [-images 6]
//
// It builds prime, writes the demo's ONNX models, and runs prime run three
// times, each a process of its own whose peak resident memory the kernel
// reports (getrusage's ru_maxrss, which counts from the peak of the
// process that starts it: runmem makes the pictures in another process):
//
//  1. tiny: 1x1 pictures, precomputed tags and predictions: the base;
//  2. models: 1x1 pictures, the ONNX tagger and classifier: the base and
//     the models' working memory, workers instances of each;
//  3. worst: pictures at the pixel limit in the format that takes the most
//     memory to decode within it (16-bit RGBA PNG, 8 bytes a pixel), the
//     ONNX models.
//
// One model's working memory is taken as (models − tiny) / workers, and
// the bound is checked on run 3. It prints the figures and exits 1 when
// the bound does not hold.
package main

import (
	"bytes"
	"flag"
	"fmt"
	"image"
	"image/png"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"slices"
	"strconv"
	"syscall"

	"github.com/failmodes/prime"
	"github.com/failmodes/prime/internal/demo"
)

func main() {
	workers := flag.Int("workers", 2, "prime run's -workers")
	maxPixels := flag.Int64("max-pixels", prime.DefaultMaxPixels, "prime run's -max-pixels, and the size of the worst pictures")
	images := flag.Int("images", 6, "pictures per run")
	keep := flag.Bool("keep", false, "keep the work folder")
	flag.Parse()
	if dir := os.Getenv("RUNMEM_PICTURES"); dir != "" {
		if err := pictures(dir, *maxPixels, *images); err != nil {
			fmt.Fprintln(os.Stderr, "runmem:", err)
			os.Exit(1)
		}
		return
	}
	if err := run(*workers, *maxPixels, *keep); err != nil {
		fmt.Fprintln(os.Stderr, "runmem:", err)
		os.Exit(1)
	}
}

const slack = 200 << 20 // the bound's constant: the runtime, the program, the records

func run(workers int, maxPixels int64, keep bool) error {
	dir, err := os.MkdirTemp("", "runmem-")
	if err != nil {
		return err
	}
	if !keep {
		defer os.RemoveAll(dir)
	}
	bin := filepath.Join(dir, "prime")
	if out, err := exec.Command("go", "build", "-o", bin, "github.com/failmodes/prime/prime").CombinedOutput(); err != nil {
		return fmt.Errorf("go build: %v: %s", err, out)
	}
	models := filepath.Join(dir, "models")
	if err := os.Mkdir(models, 0o777); err != nil {
		return err
	}
	files, err := demo.WriteModels(models)
	if err != nil {
		return err
	}

	// The pictures are made by a process of their own: a process's peak
	// counts from its parent's, and this one must stay small.
	gen := exec.Command(os.Args[0], os.Args[1:]...)
	gen.Env = append(os.Environ(), "RUNMEM_PICTURES="+dir)
	gen.Stderr = os.Stderr
	out, err := gen.Output()
	if err != nil {
		return fmt.Errorf("making the pictures: %v", err)
	}
	var w, h int
	var bigLen int64
	if _, err := fmt.Sscan(string(out), &w, &h, &bigLen); err != nil {
		return fmt.Errorf("making the pictures: %q: %v", out, err)
	}
	tinyDir, worstDir := filepath.Join(dir, "tiny"), filepath.Join(dir, "worst")

	common := []string{"run", "-no-mine", "-workers", strconv.Itoa(workers), "-max-pixels", strconv.FormatInt(maxPixels, 10)}
	onnx := []string{"-tagger", files.Tagger, "-vocab", files.Vocabulary, "-tagger-output", "probabilities",
		"-tagger-mean", "0", "-tagger-std", "1", "-classifier", files.Classifier, "-labels", files.Labels,
		"-classifier-output", "probabilities", "-classifier-mean", "0", "-classifier-std", "1"}
	peak := func(name, root string, plugins []string) (int64, error) {
		args := slices.Concat(common, []string{"-images", filepath.Join(root, "images"), "-records", filepath.Join(dir, name+".jsonl")}, plugins)
		cmd := exec.Command(bin, args...)
		var stderr bytes.Buffer
		cmd.Stderr = &stderr
		if err := cmd.Run(); err != nil {
			return 0, fmt.Errorf("prime %v: %v: %s", args, err, stderr.String())
		}
		if bytes.Contains(stderr.Bytes(), []byte("skipped")) {
			return 0, fmt.Errorf("prime %v skipped pictures: %s", args, stderr.String())
		}
		return cmd.ProcessState.SysUsage().(*syscall.Rusage).Maxrss << 10, nil // kB on Linux
	}
	base, err := peak("tiny", tinyDir, []string{"-tags", filepath.Join(tinyDir, "tags.jsonl"), "-preds", filepath.Join(tinyDir, "preds.jsonl")})
	if err != nil {
		return err
	}
	withModels, err := peak("models", tinyDir, onnx)
	if err != nil {
		return err
	}
	got, err := peak("worst", worstDir, onnx)
	if err != nil {
		return err
	}
	model := max(withModels-base, 0) / int64(workers)
	images := int64(workers) * maxPixels * prime.BytesPerPixel
	bound := int64(workers)*model + images + slack
	mb := func(n int64) string { return fmt.Sprintf("%.0f MB", float64(n)/1e6) }
	fmt.Printf("prime run, %d workers, -max-pixels %d, %s, GOARCH %s\n", workers, maxPixels, runtime.Version(), runtime.GOARCH)
	fmt.Printf("  1x1 pictures, precomputed:     peak %s\n", mb(base))
	fmt.Printf("  1x1 pictures, ONNX models:     peak %s: one model's working memory %s\n", mb(withModels), mb(model))
	fmt.Printf("  %dx%d 16-bit PNGs (%s on disk each), ONNX models: peak %s\n", w, h, mb(bigLen), mb(got))
	fmt.Printf("  bound: %d x %s + %d x %d x 8 bytes (%s) + 200 MB = %s\n", workers, mb(model), workers, maxPixels, mb(images), mb(bound))
	if got > bound {
		return fmt.Errorf("peak %s above the bound %s", mb(got), mb(bound))
	}
	fmt.Printf("  within the bound: %.0f%% of it\n", 100*float64(got)/float64(bound))
	return nil
}

// pictures writes the folders of 1x1 pictures and of pictures at the
// pixel limit into dir, and prints the latter's width, height and size.
func pictures(dir string, maxPixels int64, n int) error {
	// 16-bit RGBA: the widest image a decoder makes, 8 bytes a pixel,
	// which the pixel limit allows in full. A wide image keeps the height
	// small and the file quick to write; its pixels are a gradient.
	// The rows a decoder keeps count too (see prime.DecodeImage): four
	// rows fewer than the limit's.
	w := 8192
	h := int(maxPixels/int64(w)) - 4
	if h < 1 {
		return fmt.Errorf("-max-pixels %d: want at least %d", maxPixels, 5*w)
	}
	worst := image.NewNRGBA64(image.Rect(0, 0, w, h))
	for i := 0; i < len(worst.Pix); i += 8 {
		worst.Pix[i] = byte(i >> 12)
		worst.Pix[i+7] = 0xff
	}
	var big bytes.Buffer
	if err := (&png.Encoder{CompressionLevel: png.BestSpeed}).Encode(&big, worst); err != nil {
		return err
	}
	worst = nil
	var tiny bytes.Buffer
	if err := png.Encode(&tiny, image.NewNRGBA64(image.Rect(0, 0, 1, 1))); err != nil {
		return err
	}

	folder := func(name string, data []byte) error {
		root := filepath.Join(dir, name)
		var tags, preds bytes.Buffer
		for i := range n {
			class := []string{"ball", "boat", "car"}[i%3]
			id := fmt.Sprintf("%s/%03d.png", class, i)
			path := filepath.Join(root, "images", filepath.FromSlash(id))
			if err := os.MkdirAll(filepath.Dir(path), 0o777); err != nil {
				return err
			}
			if err := os.WriteFile(path, data, 0o666); err != nil {
				return err
			}
			fmt.Fprintf(&tags, "{\"id\":%q,\"tags\":[\"sand\"]}\n", id)
			fmt.Fprintf(&preds, "{\"id\":%q,\"pred\":%q}\n", id, class)
		}
		if err := os.WriteFile(filepath.Join(root, "tags.jsonl"), tags.Bytes(), 0o666); err != nil {
			return err
		}
		return os.WriteFile(filepath.Join(root, "preds.jsonl"), preds.Bytes(), 0o666)
	}
	if err := folder("tiny", tiny.Bytes()); err != nil {
		return err
	}
	if err := folder("worst", big.Bytes()); err != nil {
		return err
	}

	fmt.Println(w, h, big.Len())
	return nil
}
