package taggertest_test

import (
	"context"
	"errors"
	"fmt"
	"image"
	"image/color"
	"regexp"
	"slices"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/failmodes/prime"
	"github.com/failmodes/prime/tagger/taggertest"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// fake is a tagger that names properties of an image's pixels, following
// every rule, unless told to break one.
type fake struct {
	vocab []string

	noVocab, emptyVocab, dupVocab, sharedVocab bool
	failOffset                                 bool // fails on bounds not at (0, 0)
	outOfVocab, repeat, badScore               bool
	nondeterministic                           bool
	racy                                       bool // wrong while another call is in flight
	ignoreCancel, unwrappedCancel              bool
	shared                                     bool // returns one cached slice
	batch, batchDiffers, batchShort            bool
	scribbled                                  sync.Once
	scribble                                   bool // writes into RGBA images

	calls    atomic.Int64
	inflight atomic.Int64
	mu       sync.Mutex
	cache    map[image.Image][]prime.Tag
}

func newFake() *fake {
	return &fake{vocab: []string{"bright", "colorful", "dark", "square", "tall", "tiny", "wide"}}
}

// batchFake is a fake with TagBatch.
type batchFake struct{ *fake }

func (f *fake) Vocabulary() []string {
	switch {
	case f.emptyVocab:
		return nil
	case f.dupVocab:
		return append(slices.Clone(f.vocab), f.vocab[0])
	case f.sharedVocab:
		return f.vocab
	}
	return slices.Clone(f.vocab)
}

// noVocab hides the Vocabulary method.
type noVocab struct{ f *fake }

func (n noVocab) Tag(ctx context.Context, img image.Image) ([]prime.Tag, error) {
	return n.f.Tag(ctx, img)
}

func (f *fake) Tag(ctx context.Context, img image.Image) ([]prime.Tag, error) {
	if err := ctx.Err(); err != nil && !f.ignoreCancel {
		if f.unwrappedCancel {
			return nil, errors.New("fake: cancelled")
		}
		return nil, fmt.Errorf("fake: %w", err)
	}
	if rgba, ok := img.(*image.RGBA); ok && f.scribble && rgba.Rect.Dx() > 1 {
		// Once, before any concurrent call, and on a pixel the fake does
		// not sample: only the image-untouched rule sees it.
		f.scribbled.Do(func() { rgba.Pix[4] ^= 0xff })
	}
	if f.failOffset && img.Bounds().Min != (image.Point{}) {
		return nil, errors.New("fake: bounds must start at 0, 0")
	}
	if f.shared {
		f.mu.Lock()
		defer f.mu.Unlock()
		if t, ok := f.cache[img]; ok {
			return t, nil
		}
	}
	if f.racy {
		if f.inflight.Add(1) > 1 {
			defer f.inflight.Add(-1)
			return []prime.Tag{{Name: "tiny", Score: 1}}, nil
		}
		time.Sleep(200 * time.Microsecond)
		defer f.inflight.Add(-1)
	}
	tags := f.tags(img)
	if f.nondeterministic && len(tags) > 0 {
		tags[0].Score = float32(f.calls.Add(1)%2) / 2
	}
	if f.shared {
		if f.cache == nil {
			f.cache = make(map[image.Image][]prime.Tag)
		}
		f.cache[img] = tags
	}
	return tags, nil
}

func (f *fake) tags(img image.Image) []prime.Tag {
	b := img.Bounds()
	var sum, sat float64
	n := 0.0
	for y := b.Min.Y; y < b.Max.Y; y += 3 {
		for x := b.Min.X; x < b.Max.X; x += 3 {
			n++
			c := color.NRGBAModel.Convert(img.At(x, y)).(color.NRGBA)
			sum += float64(c.R) + float64(c.G) + float64(c.B)
			sat += float64(max(c.R, c.G, c.B) - min(c.R, c.G, c.B))
		}
	}
	mean, msat := sum/n/765, sat/n/255
	var tags []prime.Tag
	if mean > 0.5 {
		tags = append(tags, prime.Tag{Name: "bright", Score: float32(mean)})
	} else {
		tags = append(tags, prime.Tag{Name: "dark", Score: float32(1 - mean)})
	}
	if msat > 0.2 {
		tags = append(tags, prime.Tag{Name: "colorful", Score: float32(msat)})
	}
	switch {
	case b.Dx() > b.Dy():
		tags = append(tags, prime.Tag{Name: "wide", Score: 1})
	case b.Dx() < b.Dy():
		tags = append(tags, prime.Tag{Name: "tall", Score: 1})
	default:
		tags = append(tags, prime.Tag{Name: "square", Score: 1})
	}
	if b.Dx()*b.Dy() < 4 {
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
	return tags
}

func (f batchFake) TagBatch(ctx context.Context, imgs []image.Image) ([][]prime.Tag, error) {
	if err := ctx.Err(); err != nil {
		return nil, fmt.Errorf("fake: %w", err)
	}
	out := make([][]prime.Tag, len(imgs))
	for i, img := range imgs {
		t, err := f.Tag(ctx, img)
		if err != nil {
			return nil, err
		}
		if f.batchDiffers && len(t) > 1 {
			t = t[1:]
		}
		out[i] = t
	}
	if f.batchShort && len(out) > 1 {
		out = out[1:]
	}
	return out, nil
}

// brokenRules returns the rule names the kit's error reports.
func brokenRules(err error) []string {
	if err == nil {
		return nil
	}
	var names []string
	for _, m := range regexp.MustCompile(`(?m)^taggertest: ([a-z-]+):`).FindAllStringSubmatch(err.Error(), -1) {
		names = append(names, m[1])
	}
	slices.Sort(names)
	return slices.Compact(names)
}

func TestTaggerCatchesEachRule(t *testing.T) {
	for _, tc := range []struct {
		name  string
		make  func(f *fake) prime.Tagger
		rules []string // the rules the kit must report broken, ascending
	}{
		{"follows every rule", func(f *fake) prime.Tagger { return f }, nil},
		{"follows every rule, batching", func(f *fake) prime.Tagger { return batchFake{f} }, nil},
		{"follows every rule, no vocabulary", func(f *fake) prime.Tagger { return noVocab{f} }, nil},
		{"empty vocabulary", func(f *fake) prime.Tagger { f.emptyVocab = true; return f }, []string{"tags", "vocabulary"}},
		{"repeated vocabulary entry", func(f *fake) prime.Tagger { f.dupVocab = true; return f }, []string{"vocabulary"}},
		{"vocabulary slice shared", func(f *fake) prime.Tagger { f.sharedVocab = true; return f }, []string{"vocabulary"}},
		{"fails on offset bounds", func(f *fake) prime.Tagger { f.failOffset = true; return f }, []string{"odd-images"}},
		{"tag not in vocabulary", func(f *fake) prime.Tagger { f.outOfVocab = true; return f }, []string{"tags"}},
		{"tag repeated", func(f *fake) prime.Tagger { f.repeat = true; return f }, []string{"tags"}},
		{"score above 1", func(f *fake) prime.Tagger { f.badScore = true; return f }, []string{"tags"}},
		{"nondeterministic", func(f *fake) prime.Tagger { f.nondeterministic = true; return f },
			[]string{"concurrent", "deterministic", "owned"}},
		{"wrong under concurrent calls", func(f *fake) prime.Tagger { f.racy = true; return f }, []string{"concurrent"}},
		{"ignores cancellation", func(f *fake) prime.Tagger { f.ignoreCancel = true; return f }, []string{"cancelled"}},
		{"cancellation error not wrapped", func(f *fake) prime.Tagger { f.unwrappedCancel = true; return f }, []string{"cancelled"}},
		{"returns a shared slice", func(f *fake) prime.Tagger { f.shared = true; return f }, []string{"owned"}},
		{"batch differs", func(f *fake) prime.Tagger { f.batchDiffers = true; return batchFake{f} }, []string{"batch"}},
		{"batch short", func(f *fake) prime.Tagger { f.batchShort = true; return batchFake{f} }, []string{"batch"}},
		{"writes into the image", func(f *fake) prime.Tagger { f.scribble = true; return f }, []string{"image-untouched"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			err := taggertest.TestTagger(tc.make(newFake()))
			assert.Equal(t, tc.rules, brokenRules(err), "%v", err)
		})
	}
}

func TestRunOnFake(t *testing.T) {
	extra := []taggertest.Image{{ID: "mine/black", Image: image.NewGray(image.Rect(0, 0, 8, 8))}}
	taggertest.Run(t, newFake(), extra...)
	taggertest.Run(t, batchFake{newFake()}, extra...)
}

func TestOddImages(t *testing.T) {
	a, b := taggertest.OddImages(), taggertest.OddImages()
	require.Equal(t, a, b, "the same pixels on every call")
	ids := map[string]bool{}
	for _, im := range a {
		assert.False(t, ids[im.ID], im.ID)
		ids[im.ID] = true
		assert.Regexp(t, `^taggertest/`, im.ID)
		assert.False(t, im.Image.Bounds().Empty(), im.ID)
	}
	a[0].Image.(*image.RGBA).Pix[0]++
	assert.NotEqual(t, a[0].Image, taggertest.OddImages()[0].Image, "each call's images are new")
}

// Example_customTagger checks a tagger in its own tests; here the error
// lists the rules a deliberately broken tagger breaks.
func ExampleTestTagger() {
	f := newFake()
	f.badScore = true
	err := taggertest.TestTagger(f)
	fmt.Println(brokenRules(err))
	// Output: [tags]
}

func TestMap(t *testing.T) {
	m := taggertest.Map{"mine": {"fox", "snow"}}
	for i, im := range taggertest.OddImages() {
		m[im.ID] = []string{"fox", fmt.Sprint("n", i%2)}
	}
	taggertest.Run(t, m, taggertest.Image{ID: "mine", Image: image.NewGray(image.Rect(0, 0, 2, 2))})
	assert.Equal(t, []string{"fox", "n0", "n1", "snow"}, m.Vocabulary())

	_, err := m.Tag(context.Background(), nil)
	assert.ErrorIs(t, err, prime.ErrNoImageID)
	_, err = m.Tag(prime.ContextWithImageID(context.Background(), "other"), nil)
	assert.EqualError(t, err, `taggertest: Map: no image "other"`)
}
