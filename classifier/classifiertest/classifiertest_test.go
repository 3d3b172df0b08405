package classifiertest_test

import (
	"context"
	"errors"
	"fmt"
	"image"
	"image/color"
	"math"
	"regexp"
	"slices"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/failmodes/prime"
	"github.com/failmodes/prime/classifier/classifiertest"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// fake classifies an image by its mean color: the channel that is
// strongest, with softmax scores over the three. It follows every rule,
// unless told to break one.
type fake struct {
	labels []string

	emptyLabels, dupLabels, sharedLabels bool
	failGray                             bool
	outOfSet, emptyLabel, nanScore       bool
	extraScore                           bool // one image gets one score too many
	nondeterministic                     bool
	racy                                 bool
	ignoreCancel, unwrappedCancel        bool
	shared                               bool
	batchDiffers, batchShort             bool
	scribbled                            sync.Once
	scribble                             bool // writes into RGBA images

	calls    atomic.Int64
	inflight atomic.Int64
	mu       sync.Mutex
	cache    map[image.Image]prime.Prediction
}

func newFake() *fake { return &fake{labels: []string{"red", "green", "blue"}} }

type batchFake struct{ *fake }

type noLabels struct{ f *fake }

func (n noLabels) Classify(ctx context.Context, img image.Image) (prime.Prediction, error) {
	return n.f.Classify(ctx, img)
}

func (f *fake) Labels() []string {
	switch {
	case f.emptyLabels:
		return nil
	case f.dupLabels:
		return append(slices.Clone(f.labels), f.labels[1])
	case f.sharedLabels:
		return f.labels
	}
	return slices.Clone(f.labels)
}

func (f *fake) Classify(ctx context.Context, img image.Image) (prime.Prediction, error) {
	if err := ctx.Err(); err != nil && !f.ignoreCancel {
		if f.unwrappedCancel {
			return prime.Prediction{}, errors.New("fake: cancelled")
		}
		return prime.Prediction{}, fmt.Errorf("fake: %w", err)
	}
	if rgba, ok := img.(*image.RGBA); ok && f.scribble && rgba.Rect.Dx() > 1 {
		// Once, before any concurrent call, and on a pixel the fake does
		// not sample: only the image-untouched rule sees it.
		f.scribbled.Do(func() { rgba.Pix[4] ^= 0xff })
	}
	if _, ok := img.(*image.Gray); ok && f.failGray {
		return prime.Prediction{}, errors.New("fake: gray images not supported")
	}
	if f.shared {
		f.mu.Lock()
		defer f.mu.Unlock()
		if p, ok := f.cache[img]; ok {
			return p, nil
		}
	}
	if f.racy {
		if f.inflight.Add(1) > 1 {
			defer f.inflight.Add(-1)
			return prime.Prediction{Label: "red", Scores: []float32{1, 0, 0}}, nil
		}
		time.Sleep(200 * time.Microsecond)
		defer f.inflight.Add(-1)
	}
	p := f.predict(img)
	if f.nondeterministic {
		p.Scores[0] += float32(f.calls.Add(1) % 2)
	}
	if f.shared {
		if f.cache == nil {
			f.cache = make(map[image.Image]prime.Prediction)
		}
		f.cache[img] = p
	}
	return p, nil
}

func (f *fake) predict(img image.Image) prime.Prediction {
	b := img.Bounds()
	var sum [3]float64
	for y := b.Min.Y; y < b.Max.Y; y += 3 {
		for x := b.Min.X; x < b.Max.X; x += 3 {
			c := color.NRGBAModel.Convert(img.At(x, y)).(color.NRGBA)
			sum[0] += float64(c.R)
			sum[1] += float64(c.G)
			sum[2] += float64(c.B)
		}
	}
	total := sum[0] + sum[1] + sum[2] + 1
	scores := make([]float32, 3)
	var z float64
	for k := range scores {
		z += math.Exp(4 * sum[k] / total)
	}
	for k := range scores {
		scores[k] = float32(math.Exp(4*sum[k]/total) / z)
	}
	best := 0
	for k := range scores {
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
	case f.extraScore && b.Dx() == 1:
		p.Scores = append(p.Scores, 0)
	}
	return p
}

func (f batchFake) ClassifyBatch(ctx context.Context, imgs []image.Image) ([]prime.Prediction, error) {
	if err := ctx.Err(); err != nil {
		return nil, fmt.Errorf("fake: %w", err)
	}
	out := make([]prime.Prediction, len(imgs))
	for i, img := range imgs {
		p, err := f.Classify(ctx, img)
		if err != nil {
			return nil, err
		}
		if f.batchDiffers && p.Label == "red" {
			p.Label = "blue"
		}
		out[i] = p
	}
	if f.batchShort && len(out) > 1 {
		out = out[:len(out)-1]
	}
	return out, nil
}

// brokenRules returns the rule names the kit's error reports.
func brokenRules(err error) []string {
	if err == nil {
		return nil
	}
	var names []string
	for _, m := range regexp.MustCompile(`(?m)^classifiertest: ([a-z-]+):`).FindAllStringSubmatch(err.Error(), -1) {
		names = append(names, m[1])
	}
	slices.Sort(names)
	return slices.Compact(names)
}

func TestClassifierCatchesEachRule(t *testing.T) {
	for _, tc := range []struct {
		name  string
		make  func(f *fake) prime.Classifier
		rules []string // the rules the kit must report broken, ascending
	}{
		{"follows every rule", func(f *fake) prime.Classifier { return f }, nil},
		{"follows every rule, batching", func(f *fake) prime.Classifier { return batchFake{f} }, nil},
		{"follows every rule, no labels", func(f *fake) prime.Classifier { return noLabels{f} }, nil},
		{"empty label set", func(f *fake) prime.Classifier { f.emptyLabels = true; return f }, []string{"labels", "prediction"}},
		{"repeated label", func(f *fake) prime.Classifier { f.dupLabels = true; return f }, []string{"labels", "prediction"}},
		{"label slice shared", func(f *fake) prime.Classifier { f.sharedLabels = true; return f }, []string{"labels"}},
		{"fails on gray", func(f *fake) prime.Classifier { f.failGray = true; return f }, []string{"odd-images"}},
		{"label not in set", func(f *fake) prime.Classifier { f.outOfSet = true; return f }, []string{"prediction"}},
		{"empty label", func(f *fake) prime.Classifier { f.emptyLabel = true; return f }, []string{"prediction"}},
		{"NaN score", func(f *fake) prime.Classifier { f.nanScore = true; return f }, []string{"prediction"}},
		{"scores of varying length", func(f *fake) prime.Classifier { f.extraScore = true; return f }, []string{"prediction"}},
		{"nondeterministic", func(f *fake) prime.Classifier { f.nondeterministic = true; return f },
			[]string{"concurrent", "deterministic", "owned"}},
		{"wrong under concurrent calls", func(f *fake) prime.Classifier { f.racy = true; return f }, []string{"concurrent"}},
		{"ignores cancellation", func(f *fake) prime.Classifier { f.ignoreCancel = true; return f }, []string{"cancelled"}},
		{"cancellation error not wrapped", func(f *fake) prime.Classifier { f.unwrappedCancel = true; return f }, []string{"cancelled"}},
		{"returns shared scores", func(f *fake) prime.Classifier { f.shared = true; return f }, []string{"owned"}},
		{"batch differs", func(f *fake) prime.Classifier { f.batchDiffers = true; return batchFake{f} }, []string{"batch"}},
		{"batch short", func(f *fake) prime.Classifier { f.batchShort = true; return batchFake{f} }, []string{"batch"}},
		{"writes into the image", func(f *fake) prime.Classifier { f.scribble = true; return f }, []string{"image-untouched"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			err := classifiertest.TestClassifier(tc.make(newFake()))
			assert.Equal(t, tc.rules, brokenRules(err), "%v", err)
		})
	}
}

func TestRunOnFake(t *testing.T) {
	extra := []classifiertest.Image{{ID: "mine/black", Image: image.NewGray(image.Rect(0, 0, 8, 8))}}
	classifiertest.Run(t, newFake(), extra...)
	classifiertest.Run(t, batchFake{newFake()}, extra...)
}

func TestOddImages(t *testing.T) {
	a, b := classifiertest.OddImages(), classifiertest.OddImages()
	require.Equal(t, a, b, "the same pixels on every call")
	ids := map[string]bool{}
	for _, im := range a {
		assert.False(t, ids[im.ID], im.ID)
		ids[im.ID] = true
		assert.Regexp(t, `^classifiertest/`, im.ID)
	}
}

func ExampleTestClassifier() {
	f := newFake()
	f.outOfSet = true
	err := classifiertest.TestClassifier(f)
	fmt.Println(brokenRules(err))
	// Output: [prediction]
}

func TestMap(t *testing.T) {
	m := classifiertest.Map{"mine": "fox"}
	for i, im := range classifiertest.OddImages() {
		m[im.ID] = []string{"fox", "wolf"}[i%2]
	}
	classifiertest.Run(t, m, classifiertest.Image{ID: "mine", Image: image.NewGray(image.Rect(0, 0, 2, 2))})
	assert.Equal(t, []string{"fox", "wolf"}, m.Labels())

	_, err := m.Classify(context.Background(), nil)
	assert.ErrorIs(t, err, prime.ErrNoImageID)
	_, err = m.Classify(prime.ContextWithImageID(context.Background(), "other"), nil)
	assert.EqualError(t, err, `classifiertest: Map: no image "other"`)
}
