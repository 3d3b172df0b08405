package demo

import (
	"context"
	"fmt"
	"image/png"
	"io"
	"math/rand/v2"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/failmodes/prime"
	"github.com/failmodes/prime/classifier"
	"github.com/failmodes/prime/htmlreport"
	"github.com/failmodes/prime/internal/outfile"
	"github.com/failmodes/prime/onnx"
	"github.com/failmodes/prime/preprocess"
	"github.com/failmodes/prime/tagger"
)

// Planted returns the failure modes built into the classifier, by label
// and tags: the modes prime should report on the demo data, and no others.
func Planted() []prime.FailureMode {
	return []prime.FailureMode{
		{Label: "boat", Tags: []string{"sand"}},
		{Label: "car", Tags: []string{"blurry", "small"}},
	}
}

// Files are the paths of the files WriteModels writes.
type Files struct {
	Tagger     string // the tagger's ONNX model
	Vocabulary string // its vocabulary, one tag per line, in output order
	Classifier string // the classifier's ONNX model
	Labels     string // its labels, one class per line, in output order
}

// WriteModels writes the two models and their word lists into dir, which
// must exist.
func WriteModels(dir string) (Files, error) {
	return writeModels(outfile.Writer{}, dir)
}

func writeModels(files outfile.Writer, dir string) (Files, error) {
	f := Files{
		Tagger:     filepath.Join(dir, "tagger.onnx"),
		Vocabulary: filepath.Join(dir, "tags.txt"),
		Classifier: filepath.Join(dir, "classifier.onnx"),
		Labels:     filepath.Join(dir, "labels.txt"),
	}
	for _, file := range []struct {
		path string
		data []byte
	}{
		{f.Tagger, TaggerModel().Marshal()},
		{f.Classifier, ClassifierModel().Marshal()},
		{f.Vocabulary, []byte(strings.Join(Tags(), "\n") + "\n")},
		{f.Labels, []byte(strings.Join(Classes(), "\n") + "\n")},
	} {
		if err := files.WriteFile(file.path, writeBytes(file.data)); err != nil {
			return Files{}, fmt.Errorf("demo: %w", err)
		}
	}
	return f, nil
}

// writeBytes returns a fill function for outfile that writes data.
func writeBytes(data []byte) func(io.Writer) error {
	return func(w io.Writer) error {
		_, err := w.Write(data)
		return err
	}
}

func writeImages(ctx context.Context, files outfile.Writer, dir string, pics []*Picture) error {
	// Stored uncompressed: 4 kB a picture, and quick to write and read.
	enc := png.Encoder{CompressionLevel: png.NoCompression}
	for _, p := range pics {
		if err := os.MkdirAll(filepath.Join(dir, p.Label), 0o777); err != nil {
			return fmt.Errorf("demo: %w", err)
		}
	}
	// Several at a time: each file is synced before it is renamed, and
	// the syncs of several files overlap.
	errs := make([]error, len(pics))
	slots := make(chan struct{}, 16)
	var wg sync.WaitGroup
	var failed atomic.Bool
	for i, p := range pics {
		slots <- struct{}{}
		if failed.Load() || ctx.Err() != nil {
			break // the first error is the one to report
		}
		wg.Go(func() {
			defer func() { <-slots }()
			name := filepath.Join(dir, filepath.FromSlash(p.ID)+".png")
			if errs[i] = files.WriteFile(name, func(w io.Writer) error { return enc.Encode(w, p.Image) }); errs[i] != nil {
				failed.Store(true)
			}
		})
	}
	wg.Wait()
	for _, err := range errs {
		if err != nil {
			return fmt.Errorf("demo: %w", err)
		}
	}
	return ctx.Err()
}

// NewTagger loads the demo tagger written by WriteModels.
func NewTagger(f Files, workers int) (*tagger.ONNX, error) {
	return tagger.NewONNX(f.Tagger, &tagger.ONNXOptions{
		VocabularyFile: f.Vocabulary,
		Threshold:      0.5,
		Output:         onnx.Probabilities,
		Preprocessing:  plainPixels(),
		Engine:         onnx.Engine{Workers: workers},
	})
}

// NewClassifier loads the demo classifier written by WriteModels.
func NewClassifier(f Files, workers int) (*classifier.ONNX, error) {
	return classifier.NewONNX(f.Classifier, &classifier.ONNXOptions{
		LabelsFile:    f.Labels,
		Output:        onnx.Probabilities,
		Preprocessing: plainPixels(),
		Engine:        onnx.Engine{Workers: workers},
	})
}

// plainPixels is the models' preprocessing: RGB scaled to [0, 1], no mean
// or std.
func plainPixels() preprocess.Transform {
	return preprocess.Transform{
		Width: Size, Height: Size,
		Mean: []float32{0, 0, 0},
		Std:  []float32{1, 1, 1},
	}
}

// A Result is what Run produced.
type Result struct {
	Dir     string         // the folder holding everything below
	Images  string         // the pictures, Dir/images/<class>/<n>.png
	Files   Files          // the models, in Dir/models
	Records string         // the records file, Dir/records.jsonl
	Modes   string         // the failure modes, Dir/modes.jsonl (Report.WriteJSONL)
	HTML    string         // the report, Dir/report.html
	Report  *prime.Report  // the analysis of the records
	Data    []prime.Record // the records, in image order; Image relative to Dir
	Pics    []*Picture     // the pictures, with what the generator put in them
	Infer   time.Duration  // time spent tagging and classifying
}

// Options configure Run. The zero value runs the whole demo.
type Options struct {
	// Workers is the number of images inferred at once, and of model
	// instances; 0 means runtime.GOMAXPROCS(0).
	Workers int
	// Every, when above 1, keeps only every Every-th picture: a smaller,
	// quicker run, too small for the planted modes to reach the default
	// MinSize.
	Every int
	// Progress, when not nil, is told of each stage as it starts.
	Progress func(stage string)
	// Files writes every file; its zero value writes them plainly (tests
	// make its writes fail).
	Files outfile.Writer
}

// Marker is the file Run writes first into its folder, saying what wrote
// the folder. Run writes only into a folder that is empty or holds a
// previous demo's output: the marker and nothing but the names Run writes.
const Marker = ".prime-demo"

// demoNames are the names Run writes into its folder.
var demoNames = []string{Marker, "images", "models", "records.jsonl", "modes.jsonl", "report.html"}

// checkFolder returns an error unless dir is empty or holds a previous
// demo's output, which Run may write over.
func checkFolder(dir string) error {
	entries, err := os.ReadDir(dir)
	if err != nil {
		return fmt.Errorf("demo: %w", err)
	}
	if len(entries) == 0 {
		return nil
	}
	marked := slices.ContainsFunc(entries, func(e os.DirEntry) bool { return e.Name() == Marker })
	// Without the marker every name is the user's; with it, those the
	// demo does not write.
	var others []string
	for _, e := range entries {
		if !marked || !slices.Contains(demoNames, e.Name()) {
			others = append(others, e.Name())
		}
	}
	if len(others) == 0 {
		return nil
	}
	const most = 5
	what := strings.Join(others[:min(len(others), most)], ", ")
	if len(others) > most {
		what += fmt.Sprintf(" and %d more", len(others)-most)
	}
	if !marked {
		return fmt.Errorf("demo: folder %s is not empty and not a previous demo's (no %s in it): it holds %s; give an empty or new folder", dir, Marker, what)
	}
	return fmt.Errorf("demo: folder %s holds a previous demo's output and more: %s; give an empty or new folder", dir, what)
}

// Run runs the whole demo in dir, which must exist and be empty or hold a
// previous demo's output (see Marker):
// it draws the pictures (Seed) and writes them as PNG files, writes the two
// models, runs the pictures through the tagger and the classifier with
// prime.Run, writes the records, mines them with prime.Analyze at the
// default Options, and writes the HTML report with thumbnails.
func Run(ctx context.Context, dir string, opts *Options) (*Result, error) {
	var o Options
	if opts != nil {
		o = *opts
	}
	say := func(s string) {
		if o.Progress != nil {
			o.Progress(s)
		}
	}
	res := &Result{
		Dir:     dir,
		Images:  filepath.Join(dir, "images"),
		Records: filepath.Join(dir, "records.jsonl"),
		Modes:   filepath.Join(dir, "modes.jsonl"),
		HTML:    filepath.Join(dir, "report.html"),
	}
	if err := checkFolder(dir); err != nil {
		return nil, err
	}
	if err := o.Files.WriteFile(filepath.Join(dir, Marker), writeBytes([]byte(
		"This folder was written by prime demo; the next prime demo -o with this folder writes over it.\n"))); err != nil {
		return nil, fmt.Errorf("demo: %w", err)
	}
	res.Pics = Generate(rand.New(rand.NewPCG(Seed, 0)))
	if o.Every > 1 {
		var kept []*Picture
		for i, p := range res.Pics {
			if i%o.Every == 0 {
				kept = append(kept, p)
			}
		}
		res.Pics = kept
	}
	say(fmt.Sprintf("drawing %d pictures into %s", len(res.Pics), res.Images))
	if err := writeImages(ctx, o.Files, res.Images, res.Pics); err != nil {
		return nil, err
	}
	models := filepath.Join(dir, "models")
	if err := os.MkdirAll(models, 0o777); err != nil {
		return nil, fmt.Errorf("demo: %w", err)
	}
	files, err := writeModels(o.Files, models)
	if err != nil {
		return nil, err
	}
	res.Files = files
	tg, err := NewTagger(files, o.Workers)
	if err != nil {
		return nil, err
	}
	defer tg.Close()
	cl, err := NewClassifier(files, o.Workers)
	if err != nil {
		return nil, err
	}
	defer cl.Close()

	images, err := prime.ImageFolder(res.Images)
	if err != nil {
		return nil, err
	}
	say(fmt.Sprintf("tagging and classifying %d pictures with the ONNX models in %s", len(images), models))
	start := time.Now()
	err = o.Files.WriteFile(res.Records, func(out io.Writer) error {
		w := prime.NewRecordWriter(out)
		for rec, err := range prime.Run(ctx, slices.Values(images), tg, cl, &prime.RunOptions{Workers: o.Workers, Strict: true}) {
			if err != nil {
				return err
			}
			// Image paths relative to dir, where the records file and the
			// report are.
			if rel, err := filepath.Rel(dir, rec.Image); err == nil {
				rec.Image = filepath.ToSlash(rel)
			}
			res.Data = append(res.Data, rec)
			if err := w.Write(&rec); err != nil {
				return err
			}
		}
		return w.Flush()
	})
	if err != nil {
		return nil, err
	}
	res.Infer = time.Since(start)

	say("mining the records for failure modes")
	res.Report, err = prime.Analyze(ctx, res.Data, nil)
	if err != nil {
		return nil, err
	}
	say(fmt.Sprintf("writing the report to %s", res.HTML))
	if err := o.Files.WriteFile(res.Modes, res.Report.WriteJSONL); err != nil {
		return nil, fmt.Errorf("demo: %w", err)
	}
	thumbs := os.DirFS(dir)
	if err := o.Files.WriteFile(res.HTML, func(w io.Writer) error { return htmlreport.Write(w, res.Report, thumbs) }); err != nil {
		return nil, fmt.Errorf("demo: %w", err)
	}
	return res, nil
}
