package prime

import (
	"cmp"
	"context"
	"errors"
	"fmt"
	"image"
	"iter"
	"math"
	"runtime"
	"slices"
	"strconv"
	"sync"
	"sync/atomic"
	"time"
	"unicode/utf8"

	"golang.org/x/sync/semaphore"

	// Decoders of the standard library's image formats, which Run opens
	// by default.
	_ "image/gif"
	_ "image/jpeg"
	_ "image/png"
)

// An Image is one input of Run: an image with its id and true class.
type Image struct {
	ID    string // non-empty, unique among the images of a run; becomes Record.ID
	Label string // the true class, non-empty; becomes Record.Label
	Path  string // the image file; becomes Record.Image
	// Open returns the decoded image. When nil, Run opens Path, a regular
	// file, reads its header, and decodes it with image.Decode unless it is
	// larger than RunOptions.MaxPixels allows (see DecodeImage): PNG, JPEG
	// and GIF, and any format whose decoder the program registers by
	// importing it, as the command prime does for BMP, TIFF and WebP
	// (import _ "golang.org/x/image/webp").
	// Run does not open the image when both plug-ins answer by id
	// (IDTagger, IDClassifier).
	Open func() (image.Image, error)
}

// An ImageError reports an image that could not be opened or decoded.
type ImageError struct {
	ID   string // the image's id
	Path string // the image's path, when it has one
	Err  error  // why
}

func (e *ImageError) Error() string {
	name := e.Path
	if name == "" {
		name = e.ID
	}
	if !utf8.ValidString(name) {
		name = strconv.Quote(name)
	}
	return fmt.Sprintf("prime: image %s: %v", name, e.Err)
}

func (e *ImageError) Unwrap() error { return e.Err }

// Defaults and limits of RunOptions.
const (
	// DefaultBatchSize is the most images Run passes to one TagBatch or
	// ClassifyBatch call when RunOptions.BatchSize is 0.
	DefaultBatchSize = 8
	// MaxBatchSize is the largest RunOptions.BatchSize: larger batches gain
	// no speed, and a model's input grows with the batch.
	MaxBatchSize = 1024
	// MaxWorkers is the largest RunOptions.Workers.
	MaxWorkers = 1024
	// MaxMaxPixels is the largest RunOptions.MaxPixels: 2^36 pixels, a
	// 262144 x 262144 image, 512 GiB to decode.
	MaxMaxPixels = 1 << 36
	// DefaultPredScores is the number of the classifier's highest scores a
	// record keeps when RunOptions.PredScores is 0: ImageNet's top 5.
	DefaultPredScores = 5
)

// RunOptions configure Run. The zero value, like a nil *RunOptions, asks
// for the defaults.
type RunOptions struct {
	// Workers bounds the images inferred at once (the number of goroutines
	// calling the Tagger and the Classifier). 0 means runtime.GOMAXPROCS(0).
	Workers int
	// BatchSize is the most images passed to one TagBatch or ClassifyBatch
	// call, when the Tagger is a BatchTagger or the Classifier a
	// BatchClassifier; other plug-ins are called one image at a time.
	// 0 means DefaultBatchSize; 1 turns batching off.
	BatchSize int
	// Strict makes the first image that cannot be opened or decoded end
	// the run; otherwise such images are reported and skipped.
	Strict bool
	// MaxPixels bounds the images Run decodes from their Path. Run reads
	// an image's header first, and reports as unreadable (an ImageError
	// wrapping ErrImageTooLarge), without decoding it, an image of more
	// than MaxPixels pixels or whose decoding would take more than
	// MaxPixels x BytesPerPixel bytes (a progressive JPEG or a 16-bit TIFF
	// takes more than its pixels). The images decoded and not yet
	// inferred, those of every worker's batch together, take at most
	// Workers x MaxPixels x BytesPerPixel bytes: a worker that would
	// exceed it infers the images it holds first, or waits. Images with an
	// Open function are decoded by it, outside these bounds.
	// 0 means DefaultMaxPixels.
	MaxPixels int64
	// Skip, when not nil, is called with each image's id before the image
	// is opened; the images for which it returns true are left out, with
	// no record and no error. Resuming a run whose records are partly
	// written is Skip reporting the ids already written.
	Skip func(id string) bool
	// Total is the number of images the sequence holds, for Progress; 0
	// when unknown.
	Total int
	// Progress, when not nil, is called after each image is done (its
	// record or its error yielded), from the goroutine ranging over Run's
	// sequence.
	Progress func(RunProgress)
	// PredScores is how many of the classifier's scores each record keeps,
	// the highest (Record.PredScores), when the Classifier gives
	// Prediction.Scores and has a method Labels() []string that names
	// them: 0 means DefaultPredScores, a negative number none, and one at
	// least the number of labels every score.
	PredScores int
	// NoTagScores keeps no tag scores in the records. Otherwise, when the
	// Tagger is a ScoreFloorer, each record keeps the score of every tag
	// the tagger returns, Below or not, and its floor (Record.TagScores,
	// Record.TagFloor), from which Rethreshold decides the tags again.
	NoTagScores bool
}

// RunProgress is a snapshot of a run, passed to RunOptions.Progress.
type RunProgress struct {
	Done    int           // images done in this run: records plus images that failed
	Failed  int           // of Done, images that could not be opened or decoded
	Skipped int           // images left out by RunOptions.Skip so far
	Total   int           // RunOptions.Total less Skipped; 0 when unknown
	Elapsed time.Duration // since the run started
}

// Rate returns the images done per second.
func (p RunProgress) Rate() float64 {
	if p.Elapsed <= 0 {
		return 0
	}
	return float64(p.Done) / p.Elapsed.Seconds()
}

// Remaining estimates the time left at the current rate; 0 when Total is
// unknown or nothing is done yet.
func (p RunProgress) Remaining() time.Duration {
	if p.Total <= 0 || p.Done == 0 || p.Done >= p.Total {
		return 0
	}
	return time.Duration(float64(p.Elapsed) * float64(p.Total-p.Done) / float64(p.Done))
}

// Run tags and classifies images, a bounded number at a time, and yields a
// Record for each as soon as it and every image before it are done.
//
// Records come in the order of images, whatever the number of workers, so
// the same images give the same sequence; an image that is slow to infer
// holds back at most a few batches per worker behind it. Record.Tags are the
// names of the tags not marked Below, ascending, without repeats;
// Record.Predicted is the classifier's label; Record.Image is Image.Path.
// Records keep the models' scores as RunOptions.PredScores and
// RunOptions.NoTagScores say: Record.TagScores and Record.PredScores
// highest first (by name on ties).
//
// Run ranges over images on a goroutine of its own, a little ahead of the
// workers, and calls Image.Open and the plug-ins from its workers, several
// at once (never twice for one image).
//
// Run calls TagID and ClassifyID, with Image.ID, when the plug-ins have
// them (see IDTagger and IDClassifier); otherwise TagBatch and
// ClassifyBatch, in batches of up to RunOptions.BatchSize, when they have
// them; and Tag and Classify otherwise. When both plug-ins answer by id,
// Run opens no image.
//
// An image that cannot be opened or decoded is yielded as its Record's ID,
// Label and Image with an *ImageError, and the sequence goes on, unless
// RunOptions.Strict is set. Any other error (a plug-in's, the context's,
// an invalid RunOptions) is the sequence's last value; a plug-in's error
// comes after the records of the images before the one that failed, so
// that the same inputs fail the same way. Nothing runs until
// the sequence is ranged over; stopping the loop early, or cancelling ctx,
// stops the workers, and the sequence returns only after every goroutine it
// started has ended.
func Run(ctx context.Context, images iter.Seq[Image], tg Tagger, cl Classifier, opts *RunOptions) iter.Seq2[Record, error] {
	return func(yield func(Record, error) bool) {
		var o RunOptions
		if opts != nil {
			o = *opts
		}
		switch {
		case tg == nil || cl == nil:
			yield(Record{}, errors.New("prime: Run needs a Tagger and a Classifier"))
			return
		case o.Workers < 0 || o.Workers > MaxWorkers:
			yield(Record{}, &OptionError{Name: "Workers", Value: fmt.Sprint(o.Workers), Range: fmt.Sprintf("0 to %d", MaxWorkers)})
			return
		case o.BatchSize < 0 || o.BatchSize > MaxBatchSize:
			yield(Record{}, &OptionError{Name: "BatchSize", Value: fmt.Sprint(o.BatchSize), Range: fmt.Sprintf("0 to %d", MaxBatchSize)})
			return
		case o.MaxPixels < 0 || o.MaxPixels > MaxMaxPixels:
			yield(Record{}, &OptionError{Name: "MaxPixels", Value: fmt.Sprint(o.MaxPixels), Range: fmt.Sprintf("0 to %d", int64(MaxMaxPixels))})
			return
		case o.Total < 0:
			yield(Record{}, &OptionError{Name: "Total", Value: fmt.Sprint(o.Total), Range: "at least 0"})
			return
		}
		r := &runner{}
		if sf, ok := tg.(ScoreFloorer); ok && !o.NoTagScores {
			if r.floor = sf.ScoreFloor(); !(r.floor >= 0 && r.floor <= 1) {
				yield(Record{}, fmt.Errorf("prime: Run: the tagger's ScoreFloor is %v, outside [0, 1]", r.floor))
				return
			}
			r.keepTags = true
		}
		o.PredScores = cmp.Or(o.PredScores, DefaultPredScores)
		if l, ok := cl.(interface{ Labels() []string }); ok && o.PredScores > 0 {
			r.labels = l.Labels()
		}
		o.Workers = cmp.Or(o.Workers, runtime.GOMAXPROCS(0))
		o.BatchSize = cmp.Or(o.BatchSize, DefaultBatchSize)
		o.MaxPixels = cmp.Or(o.MaxPixels, DefaultMaxPixels)
		r.budget = semaphore.NewWeighted(int64(o.Workers) * o.MaxPixels * BytesPerPixel)
		r.tagger = plugin[[]Tag]{doing: "tagging", batchMethod: "TagBatch", one: tg.Tag}
		if it, ok := tg.(IDTagger); ok {
			r.tagger.byID = it.TagID
		} else if bt, ok := tg.(BatchTagger); ok {
			r.tagger.batch = bt.TagBatch
		}
		r.classifier = plugin[Prediction]{doing: "classifying", batchMethod: "ClassifyBatch", one: cl.Classify}
		if ic, ok := cl.(IDClassifier); ok {
			r.classifier.byID = ic.ClassifyID
		} else if bc, ok := cl.(BatchClassifier); ok {
			r.classifier.batch = bc.ClassifyBatch
		}
		if (r.tagger.batch == nil && r.classifier.batch == nil) || o.BatchSize == 1 {
			r.tagger.batch, r.classifier.batch, o.BatchSize = nil, nil, 1
		}
		r.opts = o
		r.run(ctx, images, yield)
	}
}

// runner is one ranging over Run's sequence.
type runner struct {
	tagger     plugin[[]Tag]
	classifier plugin[Prediction]
	opts       RunOptions
	// budget holds the bytes that decoded images, not yet inferred, may
	// take: Workers x MaxPixels x BytesPerPixel. Its waiters are served
	// first come, first served, so a large image is not passed over by
	// small ones forever.
	budget *semaphore.Weighted
	// keepTags says to keep the tags' scores, above the tagger's floor.
	keepTags bool
	floor    float32
	// labels name the classifier's scores; nil when none are kept.
	labels []string
}

// A job is consecutive images for one worker; seq is the first's number.
type job struct {
	seq    int
	images []Image
}

// A result is one image done, or a fatal error: the error of a plug-in
// on the job that starts at seq, reported when every image before the
// job's is.
type result struct {
	seq   int
	rec   Record
	err   error
	fatal bool
}

func (r *runner) run(parent context.Context, images iter.Seq[Image], yield func(Record, error) bool) {
	start := time.Now()
	ctx, cancel := context.WithCancel(parent)
	var wg sync.WaitGroup
	defer func() {
		cancel()
		wg.Wait()
	}()

	// window bounds the images dispatched but not yet yielded, so that the
	// reordering buffer stays small behind a slow image.
	window := make(chan struct{}, 2*r.opts.Workers*r.opts.BatchSize)
	jobs := make(chan job)
	results := make(chan result, r.opts.Workers)
	var skipped atomic.Int64

	// total, set by the dispatcher once the input is exhausted, is the
	// number of images dispatched.
	totalc := make(chan int, 1)
	wg.Go(func() {
		defer close(jobs)
		n := 0
		var cur []Image
		send := func() bool {
			if len(cur) == 0 {
				return true
			}
			select {
			case jobs <- job{seq: n - len(cur), images: cur}:
				cur = nil
				return true
			case <-ctx.Done():
				return false
			}
		}
		for im := range images {
			if r.opts.Skip != nil && r.opts.Skip(im.ID) {
				skipped.Add(1)
				continue
			}
			select {
			case window <- struct{}{}:
			case <-ctx.Done():
				return
			}
			cur = append(cur, im)
			n++
			if len(cur) == r.opts.BatchSize && !send() {
				return
			}
		}
		if send() {
			totalc <- n
		}
	})
	var workers sync.WaitGroup
	for range r.opts.Workers {
		workers.Go(func() {
			for j := range jobs {
				if !r.do(ctx, j, results) {
					return
				}
			}
		})
	}
	wg.Go(func() {
		workers.Wait()
		close(results)
	})

	pending := make(map[int]result)
	next, total := 0, -1
	var prog RunProgress
	emit := func(res result) bool {
		<-window
		prog.Done++
		_, isImageErr := errors.AsType[*ImageError](res.err)
		if isImageErr {
			prog.Failed++
		}
		if !yield(res.rec, res.err) {
			return false
		}
		if r.opts.Progress != nil {
			prog.Skipped = int(skipped.Load())
			prog.Total = 0
			if r.opts.Total > 0 {
				prog.Total = max(r.opts.Total-prog.Skipped, prog.Done)
			}
			prog.Elapsed = time.Since(start)
			r.opts.Progress(prog)
		}
		return !(isImageErr && r.opts.Strict)
	}
	for total < 0 || next < total {
		select {
		case <-parent.Done():
			yield(Record{}, fmt.Errorf("prime: run: %w", context.Cause(parent)))
			return
		case total = <-totalc:
			continue
		case res, ok := <-results:
			if !ok {
				// Workers stopped before every image was done: only a
				// cancelled context or a fatal error does that, and both
				// are reported above or below.
				if err := parent.Err(); err != nil {
					yield(Record{}, fmt.Errorf("prime: run: %w", context.Cause(parent)))
				}
				return
			}
			pending[res.seq] = res
			for {
				res, ok := pending[next]
				if !ok {
					break
				}
				delete(pending, next)
				next++
				if res.fatal {
					yield(Record{}, res.err)
					return
				}
				if !emit(res) {
					return
				}
			}
		}
	}
}

// do infers one job's images and sends a result for each, or a fatal
// error; it reports whether the worker should go on.
//
// Unless both plug-ins answer by id, images are decoded one after the
// other, each holding its decoding cost of r.budget until the images are
// inferred. A worker that cannot get the budget for its next image infers
// the images it holds first, and only then waits: a worker never waits
// while holding budget, and the budget fits the largest image, so no
// worker waits forever.
func (r *runner) do(ctx context.Context, j job, results chan<- result) bool {
	send := func(res result) bool {
		select {
		case results <- res:
			return true
		case <-ctx.Done():
			return false
		}
	}
	for i, im := range j.images {
		if im.ID == "" || im.Label == "" {
			send(result{seq: j.seq + i, err: fmt.Errorf("prime: run: image %d (path %q): empty ID or Label", j.seq+i, im.Path), fatal: true})
			return false
		}
	}
	pixels := r.tagger.byID == nil || r.classifier.byID == nil
	var (
		batch []int         // indices in j.images of the images ready
		imgs  []image.Image // their pixels, when a plug-in needs them
		held  int64         // budget held for them
	)
	infer := func() bool {
		if len(batch) == 0 {
			return true
		}
		ok := r.infer(ctx, j, batch, imgs, send)
		clear(imgs) // the images are garbage now: let the collector have them
		r.budget.Release(held)
		batch, imgs, held = batch[:0], imgs[:0], 0
		return ok
	}
	for i := range j.images {
		im := &j.images[i]
		var img image.Image
		var cost int64
		err := checkText(im)
		if err == nil && pixels {
			img, cost, err = r.open(ctx, im, infer)
			if err == errStopWorker || ctx.Err() != nil {
				r.budget.Release(held + cost)
				return false
			}
			if err == nil && img == nil {
				err = errors.New("no image")
			}
		}
		if err != nil {
			r.budget.Release(cost)
			rec := Record{ID: im.ID, Label: im.Label, Image: im.Path}
			if !send(result{seq: j.seq + i, rec: rec, err: &ImageError{ID: im.ID, Path: im.Path, Err: err}}) {
				r.budget.Release(held)
				return false
			}
			continue
		}
		held += cost
		batch = append(batch, i)
		if pixels {
			imgs = append(imgs, img)
		}
	}
	return infer()
}

// checkText returns an error when im's id, label or path cannot be
// written in a record, which is JSON text: a file name that is not valid
// UTF-8.
func checkText(im *Image) error {
	if !utf8.ValidString(im.ID) || !utf8.ValidString(im.Label) || !utf8.ValidString(im.Path) {
		return fmt.Errorf("id %q, label %q or path %q is not valid UTF-8, which a record (JSON text) cannot hold: rename the file", im.ID, im.Label, im.Path)
	}
	return nil
}

// errStopWorker is open's error when the worker is to stop: the images it
// held could not be inferred, and the reason is sent already.
var errStopWorker = errors.New("prime: worker stopped")

// open decodes the image im, and returns the budget it holds for it (0
// for an image it does not decode itself). When the budget is short, it
// calls infer, which infers and releases the images the worker holds,
// before it waits for the budget.
func (r *runner) open(ctx context.Context, im *Image, infer func() bool) (img image.Image, cost int64, err error) {
	switch {
	case im.Open != nil:
		img, err := im.Open()
		return img, 0, err
	case im.Path == "":
		return nil, 0, errors.New("no Path and no Open")
	}
	f, err := openImageFile(im.Path)
	if err != nil {
		return nil, 0, err
	}
	defer f.Close() // read only
	h, err := readImageHeader(f, r.opts.MaxPixels)
	if err != nil {
		return nil, 0, err
	}
	cost = h.decodeCost()
	if !r.budget.TryAcquire(cost) {
		if !infer() {
			return nil, 0, errStopWorker
		}
		if err := r.budget.Acquire(ctx, cost); err != nil {
			return nil, 0, err
		}
	}
	if cost >= largeDecode {
		// The images inferred before this one are garbage, but the
		// collector reclaims them only after the next allocation, which
		// would then find them still there: collect them first.
		runtime.GC()
	}
	img, err = decode(f)
	return img, cost, err
}

// largeDecode is the decoding cost from which Run collects garbage before
// it decodes an image: at least a 16-megapixel color photo. A collection
// takes milliseconds (pixels hold no pointers to follow); decoding such an
// image takes a second.
const largeDecode = 64 << 20

// infer tags and classifies the images j.images[batch[k]], whose pixels
// are imgs (nil when both plug-ins answer by id), and sends their records;
// it reports whether the worker should go on.
func (r *runner) infer(ctx context.Context, j job, batch []int, imgs []image.Image, send func(result) bool) bool {
	ids := make([]string, len(batch))
	for k, i := range batch {
		ids[k] = j.images[i].ID
	}
	fail := func(err error) bool {
		send(result{seq: j.seq + batch[0], err: err, fatal: true})
		return false
	}
	tags, err := r.tagger.infer(ctx, ids, imgs)
	if err != nil {
		return fail(err)
	}
	preds, err := r.classifier.infer(ctx, ids, imgs)
	if err != nil {
		return fail(err)
	}
	recs := make([]Record, len(batch))
	for k, i := range batch {
		im := &j.images[i]
		recs[k] = Record{ID: im.ID, Label: im.Label, Predicted: preds[k].Label, Tags: tagNames(tags[k]), Image: im.Path}
		if err := r.keepScores(&recs[k], tags[k], preds[k].Scores); err != nil {
			return fail(err)
		}
	}
	for k, i := range batch {
		if !send(result{seq: j.seq + i, rec: recs[k]}) {
			return false
		}
	}
	return true
}

// A plugin is the ways a tagger or a classifier makes a T of images: in
// one batch, by image id, or one image at a time.
type plugin[T any] struct {
	doing       string                                            // what it does, in errors: "tagging"
	batchMethod string                                            // the name of batch, in errors
	batch       func(context.Context, []image.Image) ([]T, error) // nil when not batching
	byID        func(context.Context, string) (T, error)          // nil when it needs pixels
	one         func(context.Context, image.Image) (T, error)
}

// infer runs p on the images whose ids are ids: in one batch of imgs, by
// id, or one image at a time.
func (p *plugin[T]) infer(ctx context.Context, ids []string, imgs []image.Image) ([]T, error) {
	if p.batch != nil {
		out, err := p.batch(ctx, imgs)
		if err == nil && len(out) != len(imgs) {
			err = fmt.Errorf("%s returned %d results for %d images", p.batchMethod, len(out), len(imgs))
		}
		if err != nil {
			return nil, pluginErr(ctx, p.doing, ids, err)
		}
		return out, nil
	}
	out := make([]T, len(ids))
	for i, id := range ids {
		var err error
		if p.byID != nil {
			out[i], err = p.byID(ctx, id)
		} else {
			out[i], err = p.one(ctx, imgs[i])
		}
		if err != nil {
			return nil, pluginErr(ctx, p.doing, ids[i:i+1], err)
		}
	}
	return out, nil
}

// pluginErr wraps a plug-in's error with what was being done to which
// images; a cancelled run's error is the context's.
func pluginErr(ctx context.Context, doing string, ids []string, err error) error {
	if ctx.Err() != nil {
		return fmt.Errorf("prime: run: %w", context.Cause(ctx))
	}
	what := ids[0]
	if len(ids) > 1 {
		what = fmt.Sprintf("%s (and %d more in its batch)", ids[0], len(ids)-1)
	}
	return fmt.Errorf("prime: %s %s: %w", doing, what, err)
}

// tagNames returns the names of the tags not marked Below, ascending,
// without repeats.
func tagNames(tags []Tag) []string {
	names := make([]string, 0, len(tags))
	for _, t := range tags {
		if !t.Below {
			names = append(names, t.Name)
		}
	}
	slices.Sort(names)
	return slices.Compact(names)
}

// keepScores sets the scores rec keeps of its tags, tags, and of its
// classes, scores, as the runner's settings say. A tag or class score that
// no records file holds is the plug-in's error.
func (r *runner) keepScores(rec *Record, tags []Tag, scores []float32) error {
	if r.keepTags {
		rec.TagScores, rec.TagFloor = make([]Score, 0, len(tags)), r.floor
		for _, t := range tags {
			if !(t.Score >= 0 && t.Score <= 1) {
				return fmt.Errorf("prime: tagging %s: tag %q scored %v, outside [0, 1]", rec.ID, t.Name, t.Score)
			}
			rec.TagScores = append(rec.TagScores, Score{Name: t.Name, Value: t.Score})
		}
		sortScores(rec.TagScores)
		if len(rec.TagScores) > 1 { // a name given twice keeps its highest score
			seen := make(map[string]bool, len(rec.TagScores))
			rec.TagScores = slices.DeleteFunc(rec.TagScores, func(s Score) bool {
				dup := seen[s.Name]
				seen[s.Name] = true
				return dup
			})
		}
	}
	if r.labels == nil || len(scores) == 0 {
		return nil
	}
	if len(scores) != len(r.labels) {
		return fmt.Errorf("prime: classifying %s: %d scores for %d labels", rec.ID, len(scores), len(r.labels))
	}
	rec.PredScores = topScores(scores, r.labels, r.opts.PredScores)
	for _, s := range rec.PredScores {
		if v := float64(s.Value); math.IsNaN(v) || math.IsInf(v, 0) {
			return fmt.Errorf("prime: classifying %s: the score of %q is %v", rec.ID, s.Name, s.Value)
		}
	}
	return nil
}

// topScores returns the k highest of scores, named by labels, highest
// first (by name on ties), every score when k is at least their number.
func topScores(scores []float32, labels []string, k int) []Score {
	all := make([]Score, len(scores))
	for i, v := range scores {
		all[i] = Score{Name: labels[i], Value: v}
	}
	sortScores(all)
	if k < len(all) {
		return slices.Clone(all[:k]) // the record keeps k scores, not all
	}
	return all
}
