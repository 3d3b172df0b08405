package primetest_test

import (
	"context"
	"errors"
	"fmt"
	"image"
	"image/color"
	"math"
	"slices"
	"sync"
	"sync/atomic"
	"time"

	"github.com/failmodes/prime"
)

// breaks lists the rules a fake breaks on purpose; the zero value breaks
// none.
type breaks struct {
	failGray         bool // fails on Gray images
	nondeterministic bool // a score alternates between calls
	racy             bool // wrong while another call is in flight
	ignoreCancel     bool
	unwrappedCancel  bool
	shared           bool // returns one cached result per image
	scribble         bool // writes into an RGBA image once
	batchDiffers     bool
	batchShort       bool

	// Tagger only.
	emptyVocab, dupVocab, sharedVocab bool
	outOfVocab, repeat, badScore      bool
	below                             bool // returns the other of bright and dark, marked Below
	// Classifier only.
	emptyLabels, dupLabels, sharedLabels bool
	outOfSet, emptyLabel, nanScore       bool
	extraScore                           bool // the 1x1 image gets one score too many
}

// fake is what the tagger and classifier fakes share: the handling of the
// rules for any plug-in around a function of the pixels.
type fake[R any] struct {
	breaks
	compute func(img image.Image) R
	vary    func(r R, call int64) // makes a result nondeterministic

	scribbled sync.Once
	calls     atomic.Int64
	inflight  atomic.Int64
	mu        sync.Mutex
	cache     map[image.Image]R
}

func (f *fake[R]) do(ctx context.Context, img image.Image) (R, error) {
	var zero R
	if err := ctx.Err(); err != nil && !f.ignoreCancel {
		if f.unwrappedCancel {
			return zero, errors.New("fake: cancelled")
		}
		return zero, fmt.Errorf("fake: %w", err)
	}
	if rgba, ok := img.(*image.RGBA); ok && f.scribble && rgba.Rect.Dx() > 1 {
		// Once, before any concurrent call, and on a pixel the fakes do
		// not sample: only the image-untouched rule sees it.
		f.scribbled.Do(func() { rgba.Pix[4] ^= 0xff })
	}
	if _, ok := img.(*image.Gray); ok && f.failGray {
		return zero, errors.New("fake: gray images not supported")
	}
	if f.shared {
		f.mu.Lock()
		defer f.mu.Unlock()
		if r, ok := f.cache[img]; ok {
			return r, nil
		}
	}
	if f.racy {
		defer f.inflight.Add(-1)
		if f.inflight.Add(1) > 1 {
			r := f.compute(img)
			f.vary(r, 1)
			return r, nil
		}
		// The tests run in a synctest bubble, where this sleep ends only
		// once every other goroutine of the kit is blocked: by then the
		// other concurrent calls have come and seen this one in flight.
		time.Sleep(time.Millisecond)
	}
	r := f.compute(img)
	if f.nondeterministic {
		f.vary(r, f.calls.Add(1))
	}
	if f.shared {
		if f.cache == nil {
			f.cache = make(map[image.Image]R)
		}
		f.cache[img] = r
	}
	return r, nil
}

// batch calls do on each image, then breaks the batch rule when told to,
// with change.
func (f *fake[R]) batch(ctx context.Context, imgs []image.Image, change func(*R)) ([]R, error) {
	if err := ctx.Err(); err != nil {
		return nil, fmt.Errorf("fake: %w", err)
	}
	out := make([]R, len(imgs))
	for i, img := range imgs {
		r, err := f.do(ctx, img)
		if err != nil {
			return nil, err
		}
		if f.batchDiffers {
			change(&r)
		}
		out[i] = r
	}
	if f.batchShort && len(out) > 1 {
		out = out[1:]
	}
	return out, nil
}

// meanColor returns the mean of img's channels, 0 to 255, on every third
// pixel of every third row.
func meanColor(img image.Image) (r, g, b float64) {
	bounds := img.Bounds()
	n := 0.0
	for y := bounds.Min.Y; y < bounds.Max.Y; y += 3 {
		for x := bounds.Min.X; x < bounds.Max.X; x += 3 {
			c := color.NRGBAModel.Convert(img.At(x, y)).(color.NRGBA)
			r, g, b, n = r+float64(c.R), g+float64(c.G), b+float64(c.B), n+1
		}
	}
	return r / n, g / n, b / n
}

// list returns l, or l broken as told: nil, with a repeat, or the same
// slice on every call.
func list(l []string, empty, dup, shared bool) []string {
	switch {
	case empty:
		return nil
	case dup:
		return append(slices.Clone(l), l[1])
	case shared:
		return l
	}
	return slices.Clone(l)
}

// tagFake is a tagger that names properties of an image's pixels.
type tagFake struct {
	*fake[[]prime.Tag]
	vocab []string
}

func newTagFake(b breaks) tagFake {
	f := tagFake{vocab: []string{"bright", "colorful", "dark", "square", "tall", "tiny", "wide"}}
	f.fake = &fake[[]prime.Tag]{breaks: b, vary: func(t []prime.Tag, call int64) {
		t[0].Score = float32(call%2) / 2
	}}
	f.compute = f.tags // a method value of f with its fake set
	return f
}

func (f tagFake) Tag(ctx context.Context, img image.Image) ([]prime.Tag, error) {
	return f.do(ctx, img)
}

func (f tagFake) Vocabulary() []string {
	return list(f.vocab, f.emptyVocab, f.dupVocab, f.sharedVocab)
}

func (f tagFake) tags(img image.Image) []prime.Tag {
	r, g, b := meanColor(img)
	mean, spread := (r+g+b)/765, (max(r, g, b)-min(r, g, b))/255
	var tags []prime.Tag
	if mean > 0.5 {
		tags = append(tags, prime.Tag{Name: "bright", Score: float32(mean)})
	} else {
		tags = append(tags, prime.Tag{Name: "dark", Score: float32(1 - mean)})
	}
	if spread > 0.1 {
		tags = append(tags, prime.Tag{Name: "colorful", Score: float32(spread)})
	}
	bounds := img.Bounds()
	switch {
	case bounds.Dx() > bounds.Dy():
		tags = append(tags, prime.Tag{Name: "wide", Score: 1})
	case bounds.Dx() < bounds.Dy():
		tags = append(tags, prime.Tag{Name: "tall", Score: 1})
	default:
		tags = append(tags, prime.Tag{Name: "square", Score: 1})
	}
	if bounds.Dx()*bounds.Dy() < 4 {
		tags = append(tags, prime.Tag{Name: "tiny", Score: 1})
	}
	if f.outOfVocab {
		tags = append(tags, prime.Tag{Name: "unknown", Score: 1})
	}
	if f.repeat {
		tags = append(tags, tags[0])
	}
	if f.badScore {
		tags[0].Score = 1.5
	}
	if f.below {
		other := prime.Tag{Name: "dark", Score: float32(min(mean, 1-mean)) + 0.001, Below: true}
		if tags[0].Name == "dark" {
			other.Name = "bright"
		}
		tags = append(tags, other)
	}
	return tags
}

// floorTagFake is a tagFake with a ScoreFloor method.
type floorTagFake struct {
	tagFake
	floor float32
}

func (f floorTagFake) ScoreFloor() float32 { return f.floor }

// batchTagFake is a tagFake with TagBatch.
type batchTagFake struct{ tagFake }

func (f batchTagFake) TagBatch(ctx context.Context, imgs []image.Image) ([][]prime.Tag, error) {
	return f.batch(ctx, imgs, func(t *[]prime.Tag) { *t = (*t)[1:] })
}

// noVocab hides a tagger's Vocabulary method.
type noVocab struct{ tg prime.Tagger }

func (n noVocab) Tag(ctx context.Context, img image.Image) ([]prime.Tag, error) {
	return n.tg.Tag(ctx, img)
}

// classFake classifies an image by its mean color: the channel that is
// strongest, with softmax scores over the three.
type classFake struct {
	*fake[prime.Prediction]
	labels []string
}

func newClassFake(b breaks) classFake {
	f := classFake{labels: []string{"red", "green", "blue"}}
	f.fake = &fake[prime.Prediction]{breaks: b, vary: func(p prime.Prediction, call int64) {
		p.Scores[0] += float32(call % 2)
	}}
	f.compute = f.predict // a method value of f with its fake set
	return f
}

func (f classFake) Classify(ctx context.Context, img image.Image) (prime.Prediction, error) {
	return f.do(ctx, img)
}

func (f classFake) Labels() []string {
	return list(f.labels, f.emptyLabels, f.dupLabels, f.sharedLabels)
}

func (f classFake) predict(img image.Image) prime.Prediction {
	r, g, b := meanColor(img)
	mean := [3]float64{r, g, b}
	total := r + g + b + 1
	scores := make([]float32, 3)
	var z float64
	for k := range scores {
		z += math.Exp(4 * mean[k] / total)
	}
	best := 0
	for k := range scores {
		scores[k] = float32(math.Exp(4*mean[k]/total) / z)
		if scores[k] > scores[best] {
			best = k
		}
	}
	p := prime.Prediction{Label: [...]string{"red", "green", "blue"}[best], Scores: scores}
	switch {
	case f.outOfSet:
		p.Label = "purple"
	case f.emptyLabel:
		p.Label = ""
	case f.nanScore:
		p.Scores[1] = float32(math.NaN())
	case f.extraScore && img.Bounds().Dx() == 1:
		p.Scores = append(p.Scores, 0)
	}
	return p
}

// batchClassFake is a classFake with ClassifyBatch.
type batchClassFake struct{ classFake }

func (f batchClassFake) ClassifyBatch(ctx context.Context, imgs []image.Image) ([]prime.Prediction, error) {
	return f.batch(ctx, imgs, func(p *prime.Prediction) {
		if p.Label == "red" {
			p.Label = "blue"
		}
	})
}

// noLabels hides a classifier's Labels method.
type noLabels struct{ cl prime.Classifier }

func (n noLabels) Classify(ctx context.Context, img image.Image) (prime.Prediction, error) {
	return n.cl.Classify(ctx, img)
}
