package main

import (
	"cmp"
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"runtime"
	"runtime/debug"
	"runtime/metrics"
	"slices"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/failmodes/prime"
	"github.com/failmodes/prime/classifier"
	"github.com/failmodes/prime/internal/outfile"
	"github.com/failmodes/prime/onnx"
	"github.com/failmodes/prime/preprocess"
	"github.com/failmodes/prime/tagger"
)

// exitInterrupted is the exit status of a run stopped by an interrupt
// (the shell's 128 + SIGINT): the records file is valid and the same
// command resumes it.
const exitInterrupted = 130

// runFlags are the flags of prime run besides those of prime mine.
type runFlags struct {
	images    string
	records   string
	noMine    bool
	strict    bool
	batch     int
	maxPixels int64
	adopt     bool

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

	tagFloor   floorFlag // the tag scores kept
	predScores int       // the class scores kept
}

// defaultTagFloor is -tag-floor's default: low enough to decide the tags
// again at any threshold RAM's threshold file would want lowered to (its
// lowest is 0.45), high enough to keep a few tens of scores a record.
const defaultTagFloor = 0.2

// floorFlag is the value of -tag-floor: a number in [0, 1], or none.
type floorFlag struct {
	none  bool
	floor float32
}

func (f *floorFlag) String() string {
	if f.none {
		return "none"
	}
	return strconv.FormatFloat(float64(f.floor), 'g', -1, 32)
}

func (f *floorFlag) Set(s string) error {
	if s == "none" {
		*f = floorFlag{none: true}
		return nil
	}
	v, err := strconv.ParseFloat(s, 32)
	if err != nil || !(v > 0 && v <= 1) {
		return fmt.Errorf("want a number above 0, at most 1, or none")
	}
	*f = floorFlag{floor: float32(v)}
	return nil
}

// prepFlags are one model's preprocessing flags.
type prepFlags struct {
	model     string // "tagger" or "classifier"
	preset    string
	mean, std string
	bgr       bool
	noScale   bool

	transform preprocess.Transform // the flags' values, once parse has checked them
}

func (p *prepFlags) register(fs *flag.FlagSet, model string) {
	p.model = model
	fs.StringVar(&p.preset, model+"-preset", "", "the "+model+"'s preprocessing by model family: "+strings.Join(preprocess.PresetNames(), ", ")+
		" (imagenet: shorter side 256, centre crop 224, ImageNet mean and std; ram: 384x384, ImageNet mean and std; clip: shorter side 224 bicubic, centre crop, CLIP mean and std; raw: 0..255 pixel values, no mean or std). "+
		"Default: resize to the input size, [0, 1], ImageNet mean and std for 3 channels. -"+model+"-mean, -std, -no-scale and -bgr change a preset's values")
	fs.StringVar(&p.mean, model+"-mean", "", "per-channel `MEAN`s subtracted from the "+model+"'s input after scaling, comma-separated, R,G,B order, or one for all channels")
	fs.StringVar(&p.std, model+"-std", "", "per-channel `STD`s dividing the "+model+"'s input after the mean, comma-separated, or one for all channels")
	fs.BoolVar(&p.bgr, model+"-bgr", false, "feed the "+model+" channels in B,G,R order (Caffe and OpenCV models)")
	fs.BoolVar(&p.noScale, model+"-no-scale", false, "feed the "+model+" raw pixel values in [0, 255] instead of [0, 1], as models trained on raw pixels expect (the ONNX model zoo's MNIST model; preset raw). "+
		"Nothing in a model file tells which scaling it wants, and the wrong one only makes predictions worse")
}

// parse sets p.transform from the flags, every number range-checked.
func (p *prepFlags) parse() error {
	t := &p.transform
	if p.preset != "" {
		var err error
		if *t, err = preprocess.Preset(p.preset); err != nil {
			return fmt.Errorf("-%s-preset %q: want one of %s", p.model, p.preset, strings.Join(preprocess.PresetNames(), ", "))
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
		var vs []float32
		for _, f := range strings.Split(l.s, ",") {
			v, err := strconv.ParseFloat(strings.TrimSpace(f), 32)
			if err != nil {
				return fmt.Errorf("-%s-%s: %q is not a number", p.model, l.flag, f)
			}
			vs = append(vs, float32(v))
		}
		if len(vs) != 1 && len(vs) != 3 {
			return fmt.Errorf("-%s-%s %q: %d values: want 1 (every channel) or 3 (R,G,B)", p.model, l.flag, l.s, len(vs))
		}
		for _, v := range vs {
			if !(float64(v) >= l.lo && float64(v) <= l.hi) {
				return fmt.Errorf("-%s-%s %v out of range: want %s", p.model, l.flag, v, l.rangeMsg)
			}
		}
		*l.dst = vs
	}
	t.BGR = t.BGR || p.bgr
	t.NoScale = t.NoScale || p.noScale
	return nil
}

func (f *runFlags) register(fs *flag.FlagSet) {
	fs.StringVar(&f.images, "images", "", "the images: `DIR`/<class>/<image file> (required)")
	fs.StringVar(&f.records, "records", "", "records `FILE` to write (JSON Lines; required); when it exists, the run resumes it")
	fs.BoolVar(&f.noMine, "no-mine", false, "write the records and stop, without mining them")
	fs.BoolVar(&f.strict, "strict", false, "stop at the first image that cannot be decoded, instead of skipping it")
	fs.IntVar(&f.batch, "batch", prime.DefaultBatchSize, fmt.Sprintf("images per model call (1: one at a time; at most %d)", prime.MaxBatchSize))
	fs.Int64Var(&f.maxPixels, "max-pixels", prime.DefaultMaxPixels, fmt.Sprintf("largest image decoded, in pixels: larger ones (image bombs) are skipped as unreadable,\nas are those whose decoding takes more than %d bytes a pixel of it; each worker holds\nat most this many pixels' worth of decoded images (1 to %d)", prime.BytesPerPixel, int64(prime.MaxMaxPixels)))
	fs.BoolVar(&f.adopt, "adopt", false, "resume a records file that has no provenance file (made by another program, or copied\nwithout it), recording the current settings as those that made its records")

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

	f.tagFloor = floorFlag{floor: defaultTagFloor}
	fs.Var(&f.tagFloor, "tag-floor", "keep in each record the score of every tag above `FLOOR`, above its threshold or not, so that\n"+
		"prime mine -threshold or -thresholds decides the tags again at thresholds down to FLOOR without running\n"+
		"the tagger again (each score takes about 23 bytes of the records file); 1 keeps the scores of the\n"+
		"record's tags only, none no score (only with -tagger; a thresholded output keeps none)")
	fs.IntVar(&f.predScores, "pred-scores", prime.DefaultPredScores, "keep in each record the classifier's `K` highest scores, for studies of its confidence\n"+
		"(0: none; as many as its labels: every score; only with -classifier)")
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
	case f.batch < 1 || f.batch > prime.MaxBatchSize:
		return fmt.Errorf("-batch %d out of range: want 1 to %d", f.batch, prime.MaxBatchSize)
	case f.maxPixels < 1 || f.maxPixels > prime.MaxMaxPixels:
		return fmt.Errorf("-max-pixels %d out of range: want 1 to %d", f.maxPixels, int64(prime.MaxMaxPixels))
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
	case f.predScores < 0:
		return fmt.Errorf("-pred-scores %d out of range: want 0 or more", f.predScores)
	}
	if f.taggerPath != "" {
		if err := f.taggerPrep.parse(); err != nil {
			return err
		}
	}
	if f.classifierPath != "" {
		return f.classifierPrep.parse()
	}
	return nil
}

// keepsTagScores reports whether the records keep tag scores: those of an
// ONNX tagger whose output is scores, unless -tag-floor is none.
func (f *runFlags) keepsTagScores() bool {
	return f.taggerPath != "" && f.taggerOutput != "thresholded" && !f.tagFloor.none
}

// plugins loads the tagger and the classifier the flags name, the ONNX
// ones with workers model instances each; close releases them.
func (f *runFlags) plugins(workers int) (tg prime.Tagger, cl prime.Classifier, close func(), err error) {
	eng := onnx.Engine{Runtime: f.runtime, Library: f.library, Device: f.device, Workers: workers, Threads: f.threads}
	if tg, err = f.tagger(eng); err != nil {
		return nil, nil, nil, err
	}
	if cl, err = f.classifier(eng); err != nil {
		closePlugin(tg)
		return nil, nil, nil, err
	}
	return tg, cl, func() { closePlugin(tg); closePlugin(cl) }, nil
}

// closePlugin releases p when it holds resources (an ONNX model does).
func closePlugin(p any) {
	if c, ok := p.(io.Closer); ok {
		c.Close()
	}
}

// loaded returns the plug-in p as a T, or err when loading it failed: a
// nil *P is not returned inside a non-nil T.
func loaded[T, P any](p *P, err error) (T, error) {
	if err != nil {
		var zero T
		return zero, err
	}
	return any(p).(T), nil
}

// output returns the onnx.Output that a value of -tagger-output or
// -classifier-output names, once check has checked it.
func output(name string) onnx.Output {
	switch name {
	case "probabilities":
		return onnx.Probabilities
	case "thresholded":
		return onnx.Thresholded
	}
	return onnx.Logits
}

// tagger loads the tagger the flags name: precomputed tags, or an ONNX
// model run by eng.
func (f *runFlags) tagger(eng onnx.Engine) (prime.Tagger, error) {
	if f.tags != "" {
		return loaded[prime.Tagger](tagger.LoadPrecomputed(f.tags))
	}
	threshold := float32(f.threshold)
	if f.thresholds != "" {
		threshold = 0 // the file's
	}
	floor := f.tagFloor.floor
	if !f.keepsTagScores() {
		floor = 0
	}
	return loaded[prime.Tagger](tagger.NewONNX(f.taggerPath, &tagger.ONNXOptions{
		VocabularyFile: f.vocab,
		Threshold:      threshold,
		ThresholdsFile: f.thresholds,
		ScoreFloor:     floor,
		Output:         output(f.taggerOutput),
		Preprocessing:  f.taggerPrep.transform,
		Engine:         eng,
	}))
}

// classifier loads the classifier the flags name: precomputed
// predictions, or an ONNX model run by eng.
func (f *runFlags) classifier(eng onnx.Engine) (prime.Classifier, error) {
	if f.preds != "" {
		return loaded[prime.Classifier](classifier.LoadPrecomputed(f.preds))
	}
	return loaded[prime.Classifier](classifier.NewONNX(f.classifierPath, &classifier.ONNXOptions{
		LabelsFile:    f.labels,
		Output:        output(f.classifierOutput),
		Preprocessing: f.classifierPrep.transform,
		Engine:        eng,
	}))
}

// uses returns every file of the run, for outfile.Distinct.
func (f *runFlags) uses(mf *mineFlags, e *env, provenance string) []outfile.Use {
	return append([]outfile.Use{
		{Name: "-tagger", Path: f.taggerPath}, {Name: "-vocab", Path: f.vocab}, {Name: "-thresholds", Path: f.thresholds},
		{Name: "-tags", Path: f.tags}, {Name: "-classifier", Path: f.classifierPath}, {Name: "-labels", Path: f.labels},
		{Name: "-preds", Path: f.preds},
		{Name: "-records", Path: f.records, Output: true},
		{Name: "the provenance file", Path: provenance, Output: true},
	}, mf.uses(e)...)
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

Each record keeps the tagger's score of its tags and of every other tag
that scored above -tag-floor (0.2), and the classifier's -pred-scores (5)
highest scores: prime mine -threshold or -thresholds decides the tags
again at other thresholds from them, without running the models again.

The run can be stopped at any time (Ctrl-C): the records file stays valid,
and running the same command again resumes it, skipping the images whose
records it holds. What made the records (the models' contents, vocabulary,
thresholds, labels, preprocessing) is kept beside it in FILE.provenance.json,
and a resume with other settings is refused; to start over, give another
-records FILE or move both files away. One run at a time writes a records
file: a second is refused, naming the process that holds it.

An image that cannot be decoded is reported and skipped (with -strict, it
stops the run); so is an image larger than -max-pixels, read from its header
without decoding it.

Peak memory: about workers x one model's working memory + workers x
-max-pixels x 8 bytes of decoded images + 200 MB.

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
	if code := e.parseFlags(fs, args, ": the images are given by -images DIR"); code >= 0 {
		return code
	}
	if err := rf.check(); err != nil {
		return e.fail(err)
	}
	set := map[string]bool{}
	fs.Visit(func(fl *flag.Flag) { set[fl.Name] = true })
	switch {
	case rf.thresholds != "" && set["threshold"]:
		return e.fail(errors.New("give -threshold (one for every tag) or -thresholds FILE (one per tag), not both"))
	case rf.tags != "" && set["tag-floor"]:
		return e.fail(errors.New("-tag-floor keeps the scores of -tagger MODEL: precomputed -tags have no floor"))
	case rf.preds != "" && set["pred-scores"]:
		return e.fail(errors.New("-pred-scores keeps the scores of -classifier MODEL: precomputed -preds have none"))
	}
	if _, err := mf.options(); err != nil {
		return e.fail(err)
	}
	if err := outfile.Distinct(rf.uses(&mf, e, rf.records+provenanceSuffix)...); err != nil {
		return e.fail(err)
	}
	images, err := prime.ImageFolder(rf.images)
	if err != nil {
		return e.fail(err)
	}
	for _, out := range []outfile.Use{{Name: "-records", Path: rf.records}, {Name: "-o", Path: mf.out}} {
		if err := notAnImage(images, rf.images, out); err != nil {
			return e.fail(err)
		}
	}
	workers := cmp.Or(mf.workers, runtime.GOMAXPROCS(0))

	recs, err := openRecordsFile(rf.records, e.files)
	if err != nil {
		return e.fail(err)
	}
	code, wroteProvenance := runRecords(ctx, e, &rf, recs, images, workers)
	if code != exitOK {
		if err := recs.finish(wroteProvenance); err != nil {
			e.fail(err)
			if code == exitInterrupted {
				return exitBad
			}
		}
		return code
	}
	if err := recs.close(); err != nil {
		return e.fail(err)
	}
	if rf.noMine {
		return exitOK
	}
	d, imageDir, err := readDataset(ctx, e, nil, rf.records)
	if err != nil {
		return e.fail(err)
	}
	return mineDataset(ctx, e, d, imageDir, &mf)
}

// runRecords loads the plug-ins, checks them and the records file's
// provenance against the images, and appends a record for every image the
// file lacks. It returns the exit status, and whether it wrote the
// provenance file.
func runRecords(ctx context.Context, e *env, rf *runFlags, recs *recordsFile, images []prime.Image, workers int) (code int, wroteProvenance bool) {
	tg, cl, closePlugins, err := rf.plugins(workers)
	if err != nil {
		return e.fail(err), false
	}
	defer closePlugins()
	setMemoryLimit(workers, rf.maxPixels)
	if rf.taggerPrep.preset == "ram" && rf.thresholds == "" && rf.taggerPath != "" {
		e.warn("-tagger-preset ram without -thresholds: every tag uses -threshold %v; RAM tags with a threshold per tag, from its ram_tag_list_threshold.txt", rf.threshold)
	}

	n := len(images)
	todo := slices.DeleteFunc(slices.Clone(images), func(im prime.Image) bool { return recs.done[im.ID] })
	if err := checkLabels(e, images, cl); err != nil {
		return e.fail(err), false
	}
	if err := checkPrecomputed(rf, todo, tg, cl); err != nil {
		return e.fail(err), false
	}

	// The records must all come from the same settings.
	now, err := provenanceOf(rf, tg, cl)
	if err != nil {
		return e.fail(err), false
	}
	was, err := readProvenance(recs.provenance)
	if err != nil {
		return e.fail(err), false
	}
	switch held := len(recs.done); {
	case held > 0 && was == nil && !rf.adopt:
		return e.fail(errProvenance(rf.records, recs.provenance, held,
			"but no provenance file: prime cannot tell which models made them. If the current settings made them, resume with -adopt")), false
	case held > 0 && was != nil:
		if diff := was.differences(now); len(diff) > 0 {
			return e.fail(errProvenance(rf.records, recs.provenance, held, "made with other settings:\n  "+strings.Join(diff, "\n  "))), false
		}
	default: // a new file, or -adopt
		if err := now.write(e.files, recs.provenance); err != nil {
			return e.fail(err), false
		}
		wroteProvenance = true
	}

	if torn := recs.torn(); torn > 0 {
		e.warn("%s ends in a torn line (%s, left by a run that stopped while writing it): cut; its image is inferred again",
			rf.records, count(int(torn), "byte", "bytes"))
	}
	if err := recs.prepare(); err != nil {
		return e.fail(err), wroteProvenance
	}
	done := len(recs.done)
	if done > 0 {
		e.say("resuming %s: %s already there, %s to go", rf.records, count(done, "record", "records"), count(len(todo), "image", "images"))
		if stale := done - (n - len(todo)); stale > 0 {
			e.warn("%s of %s %s of images not in %s; they are mined too",
				count(stale, "record", "records"), rf.records, plural(stale, "is", "are"), rf.images)
		}
	}
	// Record.Image is relative to the records file.
	recDir, err := filepath.Abs(filepath.Dir(rf.records))
	if err != nil {
		return e.fail(err), wroteProvenance
	}
	relImage := func(path string) string {
		if abs, err := filepath.Abs(path); err == nil {
			if rel, err := filepath.Rel(recDir, abs); err == nil {
				return filepath.ToSlash(rel)
			}
		}
		return path
	}

	prog := newRunProgress(e.stderr, len(todo))
	var unreadable, tagScores, predScores int
	opts := &prime.RunOptions{Workers: workers, BatchSize: rf.batch, Strict: rf.strict, MaxPixels: rf.maxPixels,
		Total: len(todo), Progress: prog.update, PredScores: zeroAsNegative(rf.predScores), NoTagScores: !rf.keepsTagScores()}
	for rec, err := range prime.Run(ctx, slices.Values(todo), tg, cl, opts) {
		if err != nil {
			prog.clear()
			if _, ok := errors.AsType[*prime.ImageError](err); ok {
				unreadable++
				e.say("skipped: %s", message(err))
				if !rf.strict {
					continue
				}
				err = fmt.Errorf("%w (-strict)", err)
			} else if ctx.Err() != nil {
				e.say("interrupted: %s in %s; run the same command again to resume",
					count(done+recs.written, "record", "records"), rf.records)
				return exitInterrupted, wroteProvenance
			}
			return e.fail(err), wroteProvenance
		}
		rec.Image = relImage(rec.Image)
		if err := recs.append(&rec); err != nil {
			prog.clear()
			return e.fail(err), wroteProvenance
		}
		tagScores += len(rec.TagScores)
		predScores += len(rec.PredScores)
	}
	prog.clear()
	if n := float64(recs.written); n > 0 && tagScores+predScores > 0 {
		// The scores kept are most of a record's size: say how many.
		var kept []string
		if tagScores > 0 {
			kept = append(kept, fmt.Sprintf("%.1f of tags", float64(tagScores)/n))
		}
		if predScores > 0 {
			kept = append(kept, fmt.Sprintf("%.1f of classes", float64(predScores)/n))
		}
		e.say("scores kept a record: %s", strings.Join(kept, ", "))
	}
	msg := fmt.Sprintf("%s written to %s", count(recs.written, "record", "records"), rf.records)
	if done > 0 {
		msg += fmt.Sprintf(" (%d there before)", done)
	}
	if unreadable > 0 {
		msg += fmt.Sprintf("; %s skipped", count(unreadable, "unreadable image", "unreadable images"))
	}
	e.say("%s", msg)
	return exitOK, wroteProvenance
}

// memorySlack is what prime run's memory bound allows beyond the models and
// the decoded images: the runtime, the program, the records, the garbage
// the collector has yet to reclaim.
const memorySlack = 200 << 20

// setMemoryLimit sets the Go runtime's soft memory limit (as GOMEMLIMIT
// does; a GOMEMLIMIT the user set stays) to what the run may take: the
// memory in use now, the plug-ins loaded, plus the images the workers may
// hold decoded, plus most of memorySlack. Without it the collector lets
// the heap grow to twice what is live before it collects, and the decoded
// images of large pictures, garbage once inferred, would take twice their
// share. The limit is soft: a run that needs more gets it, collecting more
// often.
func setMemoryLimit(workers int, maxPixels int64) {
	if os.Getenv("GOMEMLIMIT") != "" {
		return
	}
	runtime.GC()
	sample := []metrics.Sample{{Name: "/memory/classes/total:bytes"}}
	metrics.Read(sample)
	inUse := int64(sample[0].Value.Uint64())
	debug.SetMemoryLimit(inUse + int64(workers)*maxPixels*prime.BytesPerPixel + memorySlack/2)
}

// plural returns one when n is 1 and many otherwise.
func plural(n int, one, many string) string {
	if n == 1 {
		return one
	}
	return many
}

// notAnImage returns an error when the output u is one of the images of
// the folder dir: an output never replaces an input.
func notAnImage(images []prime.Image, dir string, u outfile.Use) error {
	if isStdio(u.Path) {
		return nil
	}
	realDir, err1 := filepath.EvalSymlinks(dir)
	realOut, err2 := filepath.EvalSymlinks(filepath.Dir(u.Path))
	if err1 != nil || err2 != nil {
		return nil // nothing there to replace
	}
	rel, err := filepath.Rel(realDir, filepath.Join(realOut, filepath.Base(u.Path)))
	if err != nil || !filepath.IsLocal(rel) {
		return nil
	}
	id := filepath.ToSlash(rel)
	if slices.ContainsFunc(images, func(im prime.Image) bool { return im.ID == id }) {
		return fmt.Errorf("%s %s is the image %s of -images %s: an output never replaces an input", u.Name, u.Path, id, dir)
	}
	return nil
}

// checkLabels compares the class folders with the classifier's labels,
// when it has them: with none in common, every record would count as wrong
// (folders digit0..digit9, labels 0..9), an error that shows both; folders
// without a label are named in a warning.
func checkLabels(e *env, images []prime.Image, cl prime.Classifier) error {
	lc, ok := cl.(interface{ Labels() []string })
	if !ok {
		return nil
	}
	labels := lc.Labels()
	var folders, missing []string
	for _, im := range images {
		// ImageFolder lists a class's images together.
		if len(folders) == 0 || folders[len(folders)-1] != im.Label {
			folders = append(folders, im.Label)
		}
	}
	for _, f := range folders {
		if !slices.Contains(labels, f) {
			missing = append(missing, f)
		}
	}
	switch {
	case len(missing) == len(folders):
		return fmt.Errorf("no class folder is a label of the classifier, so every image would count as misclassified:\n"+
			"  class folders: %s\n  classifier labels: %s\n"+
			"name the folders after the labels, or give labels named after the folders with -labels FILE",
			shortList(folders), shortList(labels))
	case len(missing) > 0:
		e.warn("%s no label of the classifier (their images count as misclassified): %s",
			count(len(missing), "class folder has", "class folders have"), shortList(missing))
	}
	return nil
}

// shortList lists names, at most 12.
func shortList(names []string) string {
	const most = 12
	if len(names) <= most {
		return strings.Join(names, ", ")
	}
	return strings.Join(names[:most], ", ") + fmt.Sprintf(", and %d more", len(names)-most)
}

// checkPrecomputed checks, before any inference, that precomputed tags and
// predictions hold every image still to do: a file that lacks one would
// otherwise stop the run when it comes to it.
func checkPrecomputed(rf *runFlags, todo []prime.Image, tg prime.Tagger, cl prime.Classifier) error {
	type lister interface{ IDs() []string }
	for _, c := range []struct {
		flag, file, what string
		plugin           any
	}{
		{"-tags", rf.tags, "tags", tg},
		{"-preds", rf.preds, "prediction", cl},
	} {
		l, ok := c.plugin.(lister)
		if c.file == "" || !ok {
			continue
		}
		has := make(map[string]bool)
		for _, id := range l.IDs() {
			has[id] = true
		}
		var missing []string
		for _, im := range todo {
			// An id that is not UTF-8 is in no JSON file: Run reports it.
			if !has[im.ID] && utf8.ValidString(im.ID) {
				missing = append(missing, im.ID)
			}
		}
		if len(missing) > 0 {
			return fmt.Errorf("%s %s has no %s for %s of the %s to infer: %s; every image of -images needs a line",
				c.flag, c.file, c.what, count(len(missing), "image", "images"), count(len(todo), "image", "images"), shortList(missing))
		}
	}
	return nil
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
