package main

import (
	"bytes"
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"runtime"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/failmodes/prime"
	"github.com/failmodes/prime/classifier"
	"github.com/failmodes/prime/preprocess"
	"github.com/failmodes/prime/tagger"
)

// exitInterrupted is the exit status of a run stopped by an interrupt
// (the shell's 128 + SIGINT): the records file is valid and the same
// command resumes it.
const exitInterrupted = 130

// runFlags are the flags of prime run besides those of prime mine.
type runFlags struct {
	images  string
	records string
	noMine  bool
	strict  bool
	batch   int

	taggerPath, tags      string // an ONNX model, or precomputed tags
	vocab, thresholds     string
	threshold             float64
	taggerOutput          string
	taggerPrep            prepFlags
	classifierPath, preds string // an ONNX model, or precomputed predictions
	labels                string
	classifierOutput      string
	classifierPrep        prepFlags

	runtime, device, library string // how the ONNX models run
	threads                  int
}

// prepFlags are one model's preprocessing flags.
type prepFlags struct {
	preset    string
	mean, std string
	bgr       bool
	noScale   bool
}

func (p *prepFlags) register(fs *flag.FlagSet, model string) {
	fs.StringVar(&p.preset, model+"-preset", "", "the "+model+"'s preprocessing by model family: "+strings.Join(preprocess.PresetNames(), ", ")+
		" (imagenet: shorter side 256, centre crop 224, ImageNet mean and std; ram: 384x384, ImageNet mean and std; clip: shorter side 224 bicubic, centre crop, CLIP mean and std; raw: 0..255 pixel values, no mean or std). "+
		"Default: resize to the input size, [0, 1], ImageNet mean and std for 3 channels. -"+model+"-mean, -std, -no-scale and -bgr change a preset's values")
	fs.StringVar(&p.mean, model+"-mean", "", "per-channel `MEAN`s subtracted from the "+model+"'s input after scaling, comma-separated, R,G,B order, or one for all channels")
	fs.StringVar(&p.std, model+"-std", "", "per-channel `STD`s dividing the "+model+"'s input after the mean, comma-separated, or one for all channels")
	fs.BoolVar(&p.bgr, model+"-bgr", false, "feed the "+model+" channels in B,G,R order (Caffe and OpenCV models)")
	fs.BoolVar(&p.noScale, model+"-no-scale", false, "feed the "+model+" raw pixel values in [0, 255] instead of [0, 1], as models trained on raw pixels expect (the ONNX model zoo's MNIST model; preset raw). "+
		"Nothing in a model file tells which scaling it wants, and the wrong one only makes predictions worse")
}

// transform returns the flags as a preprocess.Transform, every number
// range-checked.
func (p *prepFlags) transform(model string) (preprocess.Transform, error) {
	var t preprocess.Transform
	if p.preset != "" {
		var err error
		if t, err = preprocess.Preset(p.preset); err != nil {
			return t, fmt.Errorf("-%s-preset %q: want one of %s", model, p.preset, strings.Join(preprocess.PresetNames(), ", "))
		}
	}
	lists := []struct {
		flag, s  string
		dst      *[]float32
		lo, hi   float64
		rangeMsg string
	}{
		{"mean", p.mean, &t.Mean, -preprocess.MaxAbsMean, preprocess.MaxAbsMean, fmt.Sprintf("finite numbers in [%g, %g]", -preprocess.MaxAbsMean, preprocess.MaxAbsMean)},
		{"std", p.std, &t.Std, preprocess.MinStd, preprocess.MaxStd, fmt.Sprintf("numbers in [%g, %g]", preprocess.MinStd, preprocess.MaxStd)},
	}
	for _, l := range lists {
		if l.s == "" {
			continue
		}
		vs, err := floatList(l.s)
		if err != nil {
			return t, fmt.Errorf("-%s-%s: %w", model, l.flag, err)
		}
		if len(vs) != 1 && len(vs) != 3 {
			return t, fmt.Errorf("-%s-%s %q: %d values: want 1 (every channel) or 3 (R,G,B)", model, l.flag, l.s, len(vs))
		}
		for _, v := range vs {
			if !(float64(v) >= l.lo && float64(v) <= l.hi) {
				return t, fmt.Errorf("-%s-%s %v out of range: want %s", model, l.flag, v, l.rangeMsg)
			}
		}
		*l.dst = vs
	}
	t.BGR = t.BGR || p.bgr
	t.NoScale = t.NoScale || p.noScale
	return t, nil
}

// floatList parses "0.5,0.5,0.5"; "" is nil.
func floatList(s string) ([]float32, error) {
	if s == "" {
		return nil, nil
	}
	var out []float32
	for _, f := range strings.Split(s, ",") {
		v, err := strconv.ParseFloat(strings.TrimSpace(f), 32)
		if err != nil {
			return nil, fmt.Errorf("%q is not a number", f)
		}
		out = append(out, float32(v))
	}
	return out, nil
}

func (f *runFlags) register(fs *flag.FlagSet) {
	fs.StringVar(&f.images, "images", "", "the images: `DIR`/<class>/<image file> (required)")
	fs.StringVar(&f.records, "records", "", "records `FILE` to write (JSON Lines; required); when it exists, the run resumes it")
	fs.BoolVar(&f.noMine, "no-mine", false, "write the records and stop, without mining them")
	fs.BoolVar(&f.strict, "strict", false, "stop at the first image that cannot be decoded, instead of skipping it")
	fs.IntVar(&f.batch, "batch", prime.DefaultBatchSize, "images per model call (1: one at a time)")

	fs.StringVar(&f.taggerPath, "tagger", "", "the tagger: an ONNX `MODEL` with one output per vocabulary entry")
	fs.StringVar(&f.tags, "tags", "", "instead of -tagger: precomputed tags, a JSON Lines `FILE` of {\"id\": ..., \"tags\": [...]} keyed by image id (DIR-relative path)")
	fs.StringVar(&f.vocab, "vocab", "", "the tagger's vocabulary: a `FILE` of one tag per line (RAM's ram_tag_list.txt); required with -tagger")
	fs.StringVar(&f.thresholds, "thresholds", "", "per-tag thresholds: a `FILE` of one number in [0, 1] per line, aligned with -vocab (RAM's ram_tag_list_threshold.txt)")
	fs.Float64Var(&f.threshold, "threshold", tagger.DefaultThreshold, "the threshold of every tag, instead of -thresholds")
	fs.StringVar(&f.taggerOutput, "tagger-output", "logits", "what the tagger outputs: logits, probabilities or thresholded")
	f.taggerPrep.register(fs, "tagger")

	fs.StringVar(&f.classifierPath, "classifier", "", "the classifier under test: an ONNX `MODEL` with one output per label")
	fs.StringVar(&f.preds, "preds", "", "instead of -classifier: precomputed predictions, a JSON Lines `FILE` of {\"id\": ..., \"pred\": ...}")
	fs.StringVar(&f.labels, "labels", "", "the classifier's labels: a `FILE` of one label per line, in output order (default: the output indices)")
	fs.StringVar(&f.classifierOutput, "classifier-output", "logits", "what the classifier outputs: logits or probabilities")
	f.classifierPrep.register(fs, "classifier")

	fs.StringVar(&f.runtime, "runtime", "onnx-go", "what runs the ONNX models: onnx-go (pure Go, in every build; a subset of ONNX's operators) or onnxruntime "+
		"(ONNX Runtime: every operator, and 33 times onnx-go's speed on a 224x224 CNN; needs a build with -tags onnxruntime and ONNX Runtime's library, see -onnxruntime-lib)")
	fs.StringVar(&f.device, "device", "cpu", "where ONNX Runtime runs the models: cpu or cuda (an NVIDIA GPU; needs a GPU build of ONNX Runtime)")
	fs.StringVar(&f.library, "onnxruntime-lib", "", "ONNX Runtime's shared `LIBRARY` (default $ONNXRUNTIME_LIB, then the file scripts/onnxruntime.sh fetches)")
	fs.IntVar(&f.threads, "threads", 0, "ONNX Runtime's threads for each model call (default 1: -workers calls run at once, each on a core of its own)")
}

// check reports the first flag missing or out of range.
func (f *runFlags) check() error {
	switch {
	case f.images == "":
		return errors.New("-images DIR is required")
	case f.records == "":
		return errors.New("-records FILE is required")
	case (f.taggerPath == "") == (f.tags == ""):
		return errors.New("want one of -tagger MODEL (with -vocab FILE) and -tags FILE")
	case f.taggerPath != "" && f.vocab == "":
		return errors.New("-tagger needs -vocab FILE")
	case (f.classifierPath == "") == (f.preds == ""):
		return errors.New("want one of -classifier MODEL and -preds FILE")
	case f.batch < 1:
		return fmt.Errorf("-batch %d out of range: want at least 1", f.batch)
	case !(f.threshold > 0 && f.threshold < 1):
		return fmt.Errorf("-threshold %v out of range: want strictly between 0 and 1", f.threshold)
	case !slices.Contains([]string{"logits", "probabilities", "thresholded"}, f.taggerOutput):
		return fmt.Errorf("-tagger-output %q: want logits, probabilities or thresholded", f.taggerOutput)
	case !slices.Contains([]string{"logits", "probabilities"}, f.classifierOutput):
		return fmt.Errorf("-classifier-output %q: want logits or probabilities", f.classifierOutput)
	case f.runtime != "onnx-go" && f.runtime != "onnxruntime":
		return fmt.Errorf("-runtime %q: want onnx-go or onnxruntime", f.runtime)
	case f.device != "cpu" && f.device != "cuda":
		return fmt.Errorf("-device %q: want cpu or cuda", f.device)
	case f.device == "cuda" && f.runtime != "onnxruntime":
		return errors.New("-device cuda needs -runtime onnxruntime: onnx-go runs on the CPU only")
	case f.library != "" && f.runtime != "onnxruntime":
		return errors.New("-onnxruntime-lib needs -runtime onnxruntime")
	case f.threads < 0 || f.threads > 1024:
		return fmt.Errorf("-threads %d out of range: want 0 (1) to 1024", f.threads)
	}
	return nil
}

// plugins loads the tagger and the classifier the flags name, with
// workers model instances each; close releases them.
func (f *runFlags) plugins(workers int) (tg prime.Tagger, cl prime.Classifier, close func(), err error) {
	var closers []io.Closer
	closeAll := func() {
		for _, c := range closers {
			c.Close()
		}
	}
	defer func() {
		if err != nil {
			closeAll()
		}
	}()
	if f.tags != "" {
		if tg, err = tagger.LoadPrecomputed(f.tags); err != nil {
			return nil, nil, nil, err
		}
	} else {
		prep, err := f.taggerPrep.transform("tagger")
		if err != nil {
			return nil, nil, nil, err
		}
		out := map[string]tagger.Output{"logits": tagger.Logits, "probabilities": tagger.Probabilities, "thresholded": tagger.Thresholded}
		threshold := float32(f.threshold)
		if f.thresholds != "" {
			threshold = 0 // the file's
		}
		t, err := tagger.NewONNX(f.taggerPath, &tagger.ONNXOptions{
			VocabularyFile: f.vocab,
			Threshold:      threshold,
			ThresholdsFile: f.thresholds,
			Output:         out[f.taggerOutput],
			Preprocessing:  prep,
			Workers:        workers,
			Runtime:        f.runtime,
			Library:        f.library,
			Device:         f.device,
			Threads:        f.threads,
		})
		if err != nil {
			return nil, nil, nil, err
		}
		tg = t
		closers = append(closers, t)
	}
	if f.preds != "" {
		if cl, err = classifier.LoadPrecomputed(f.preds); err != nil {
			return nil, nil, nil, err
		}
	} else {
		prep, err := f.classifierPrep.transform("classifier")
		if err != nil {
			return nil, nil, nil, err
		}
		out := map[string]classifier.Output{"logits": classifier.Logits, "probabilities": classifier.Probabilities}
		c, err := classifier.NewONNX(f.classifierPath, &classifier.ONNXOptions{
			LabelsFile:    f.labels,
			Output:        out[f.classifierOutput],
			Preprocessing: prep,
			Workers:       workers,
			Runtime:       f.runtime,
			Library:       f.library,
			Device:        f.device,
			Threads:       f.threads,
		})
		if err != nil {
			return nil, nil, nil, err
		}
		cl = c
		closers = append(closers, c)
	}
	return tg, cl, closeAll, nil
}

func cmdRun(ctx context.Context, e *env, args []string) int {
	fs := flag.NewFlagSet("prime run", flag.ContinueOnError)
	fs.SetOutput(e.stderr)
	var rf runFlags
	var mf mineFlags
	rf.register(fs)
	mf.register(fs)
	fs.Usage = func() {
		fmt.Fprintln(fs.Output(), `usage: prime run -images DIR -records FILE (-tagger MODEL -vocab FILE | -tags FILE) (-classifier MODEL [-labels FILE] | -preds FILE) [flags]

Tag and classify every image of DIR/<class>/<image file>, write one record
per image to the records file as it is done, then mine the records for
failure modes (every flag of prime mine applies; -workers bounds the images
inferred at once too).

The run can be stopped at any time (Ctrl-C): the records file stays valid,
and running the same command again resumes it, skipping the images whose
records it holds. An image that cannot be decoded is reported and skipped
(with -strict, it stops the run).

Give each model the preprocessing it was trained with: a preset names a
model family (-classifier-preset imagenet for torchvision's classifiers,
-tagger-preset ram for the Recognize Anything Model, clip, raw), or the
-*-mean, -*-std, -*-no-scale and -*-bgr flags give the numbers. Most
models take pixels scaled to [0, 1] and normalised; models trained on raw
0..255 values (the ONNX model zoo's MNIST model) need -*-no-scale or
preset raw. A model file does not say which it wants, and a wrong choice
gives worse predictions without any error.

flags:`)
		fs.PrintDefaults()
	}
	if err := fs.Parse(args); err != nil {
		if errors.Is(err, flag.ErrHelp) {
			return exitOK
		}
		return exitBad
	}
	bad := func(err error) int {
		fmt.Fprintf(e.stderr, "prime run: %v\n", err)
		return exitBad
	}
	if fs.NArg() != 0 {
		return bad(fmt.Errorf("unexpected argument %q: the images are given by -images DIR", fs.Arg(0)))
	}
	if err := rf.check(); err != nil {
		return bad(err)
	}
	if rf.thresholds != "" {
		var both bool
		fs.Visit(func(fl *flag.Flag) { both = both || fl.Name == "threshold" })
		if both {
			return bad(errors.New("give -threshold (one for every tag) or -thresholds FILE (one per tag), not both"))
		}
	}
	if _, err := mf.options(); err != nil {
		return bad(err)
	}

	images, err := prime.ImageFolder(rf.images)
	if err != nil {
		return bad(err)
	}
	workers := mf.workers
	if workers == 0 {
		workers = defaultWorkers()
	}
	tg, cl, closePlugins, err := rf.plugins(workers)
	if err != nil {
		return bad(err)
	}
	defer closePlugins()
	if rf.taggerPrep.preset == "ram" && rf.thresholds == "" && rf.taggerPath != "" {
		fmt.Fprintf(e.stderr, "prime run: warning: -tagger-preset ram without -thresholds: every tag uses -threshold %v; RAM tags with a threshold per tag, from its ram_tag_list_threshold.txt\n", rf.threshold)
	}

	out, done, err := openRecords(rf.records)
	if err != nil {
		return bad(err)
	}
	defer out.Close()
	n := len(images)
	todo := slices.DeleteFunc(images, func(im prime.Image) bool { return done[im.ID] })
	if len(done) > 0 {
		fmt.Fprintf(e.stderr, "prime run: resuming %s: %d records already there, %d images to go\n", rf.records, len(done), len(todo))
		if stale := len(done) - (n - len(todo)); stale > 0 {
			fmt.Fprintf(e.stderr, "prime run: warning: %d records of %s are of images not in %s; they are mined too\n", stale, rf.records, rf.images)
		}
	}
	// Record.Image is relative to the records file.
	recDir, err := filepath.Abs(filepath.Dir(rf.records))
	if err != nil {
		return bad(err)
	}
	relImage := func(path string) string {
		abs, err := filepath.Abs(path)
		if err != nil {
			return path
		}
		rel, err := filepath.Rel(recDir, abs)
		if err != nil {
			return path
		}
		return filepath.ToSlash(rel)
	}

	w := prime.NewRecordWriter(out)
	prog := newRunProgress(e.stderr, len(todo))
	var written, unreadable int
	opts := &prime.RunOptions{Workers: workers, BatchSize: rf.batch, Strict: rf.strict, Total: len(todo), Progress: prog.update}
	for rec, err := range prime.Run(ctx, slices.Values(todo), tg, cl, opts) {
		var ie *prime.ImageError
		switch {
		case errors.As(err, &ie):
			unreadable++
			prog.clear()
			fmt.Fprintf(e.stderr, "prime run: skipped: %v\n", err)
			if rf.strict {
				return bad(fmt.Errorf("%w (-strict)", err))
			}
			continue
		case err != nil:
			prog.clear()
			if ctx.Err() != nil {
				fmt.Fprintf(e.stderr, "prime run: interrupted: %d records in %s; run the same command again to resume\n",
					len(done)+written, rf.records)
				return exitInterrupted
			}
			return bad(err)
		}
		rec.Image = relImage(rec.Image)
		// Flushed record by record: an interrupt or a crash loses no
		// inference but the one under way.
		if err := w.Write(&rec); err == nil {
			err = w.Flush()
		}
		if err != nil {
			return bad(fmt.Errorf("writing %s: %w", rf.records, err))
		}
		written++
	}
	if err := out.Close(); err != nil {
		return bad(fmt.Errorf("writing %s: %w", rf.records, err))
	}
	prog.clear()
	fmt.Fprintf(e.stderr, "prime run: %d records written to %s", written, rf.records)
	if len(done) > 0 {
		fmt.Fprintf(e.stderr, " (%d there before)", len(done))
	}
	if unreadable > 0 {
		fmt.Fprintf(e.stderr, "; %d unreadable images skipped", unreadable)
	}
	fmt.Fprintln(e.stderr)
	if rf.noMine {
		return exitOK
	}
	d, err := readDataset(e, rf.records)
	if err != nil {
		return bad(err)
	}
	return mineDataset(ctx, e, d, recordsDir(rf.records), &mf)
}

// defaultWorkers is the number of workers when -workers is 0.
func defaultWorkers() int { return runtime.GOMAXPROCS(0) }

// openRecords opens the records file at path for appending, creating it
// when missing, and returns the ids of the records it holds. A last line
// without its newline, left by a crash, is cut off; any other bad line is
// an error naming it.
func openRecords(path string) (*os.File, map[string]bool, error) {
	f, err := os.OpenFile(path, os.O_RDWR|os.O_CREATE, 0o644)
	if err != nil {
		return nil, nil, err
	}
	done := map[string]bool{}
	fail := func(err error) (*os.File, map[string]bool, error) {
		f.Close()
		return nil, nil, err
	}
	size, err := f.Seek(0, io.SeekEnd)
	if err != nil {
		return fail(err)
	}
	valid, err := completeLength(f, size)
	if err != nil {
		return fail(err)
	}
	if valid > 0 {
		rr := prime.NewRecordReader(io.NewSectionReader(f, 0, valid), path)
		for {
			rec, err := rr.Read()
			if err == io.EOF {
				break
			}
			var le *prime.LineError
			if errors.As(err, &le) && le.Line == 0 && len(done) == 0 {
				break // blank lines only
			}
			if err != nil {
				return fail(fmt.Errorf("%w (a records file of an earlier run; move it away to start afresh)", err))
			}
			done[rec.ID] = true
		}
	}
	if valid < size {
		if err := f.Truncate(valid); err != nil {
			return fail(err)
		}
	}
	if _, err := f.Seek(valid, io.SeekStart); err != nil {
		return fail(err)
	}
	return f, done, nil
}

// completeLength returns the length of f's first size bytes up to and
// including the last newline.
func completeLength(f *os.File, size int64) (int64, error) {
	buf := make([]byte, 64<<10)
	for end := size; end > 0; {
		start := max(end-int64(len(buf)), 0)
		b := buf[:end-start]
		if _, err := f.ReadAt(b, start); err != nil {
			return 0, err
		}
		if i := bytes.LastIndexByte(b, '\n'); i >= 0 {
			return start + int64(i) + 1, nil
		}
		end = start
	}
	return 0, nil
}

// runProgress prints a run's progress on w: a status line rewritten in
// place when w is a terminal, and a line at every tenth of the images
// otherwise.
type runProgress struct {
	w        io.Writer
	terminal bool
	total    int
	last     time.Time
	tenth    int  // tenths reported so far
	shown    bool // a status line is on the terminal
}

func newRunProgress(w io.Writer, total int) *runProgress {
	return &runProgress{w: w, terminal: isTerminal(w), total: total}
}

func (p *runProgress) line(r prime.RunProgress) string {
	s := fmt.Sprintf("prime run: %d/%d images, %.1f images/s", r.Done, p.total, r.Rate())
	if left := r.Remaining(); left > 0 {
		s += fmt.Sprintf(", %v left", left.Round(time.Second))
	}
	return s
}

func (p *runProgress) update(r prime.RunProgress) {
	if p.total == 0 {
		return
	}
	if p.terminal {
		now := time.Now()
		if r.Done < p.total && now.Sub(p.last) < 200*time.Millisecond {
			return
		}
		p.last = now
		fmt.Fprintf(p.w, "\r\033[K%s", p.line(r))
		p.shown = true
		return
	}
	if t := r.Done * 10 / p.total; t > p.tenth {
		p.tenth = t
		fmt.Fprintf(p.w, "%s (%d%%)\n", p.line(r), t*10)
	}
}

// clear ends the terminal's status line, so that other output starts on a
// line of its own.
func (p *runProgress) clear() {
	if p.shown {
		fmt.Fprintln(p.w)
		p.shown = false
	}
}
