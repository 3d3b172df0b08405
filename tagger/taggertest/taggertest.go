// Package taggertest checks that an implementation of prime.Tagger follows
// the rules of the interface, in the spirit of testing/fstest.TestFS and
// testing/slogtest: call TestTagger, which returns one error joining every
// rule broken, or Run, which checks each rule in a subtest of its own, from
// the tests of the implementation:
//
//	func TestMyTagger(t *testing.T) {
//		taggertest.Run(t, mytagger.New())
//	}
//
// The rules checked (each a subtest of Run, named as here):
//
//   - vocabulary: when the tagger has a Vocabulary method (see
//     Vocabularer), the vocabulary is non-empty, its entries non-empty and
//     unique, and the slice returned is the caller's.
//   - odd-images: Tag accepts any image.Image: bounds not at (0, 0), 1x1,
//     Gray, Gray16, Paletted, CMYK, NRGBA with alpha, YCbCr (see
//     OddImages), and the caller's images.
//   - tags: every tag's name is non-empty, appears at most once in a
//     result, and is in the vocabulary when the tagger exposes one; every
//     score is in [0, 1].
//   - deterministic: tagging an image again gives the same tags, in the
//     same order, with the same scores.
//   - concurrent: calls from several goroutines at once give the same
//     results as calls one at a time (run the tests with -race to catch
//     data races too).
//   - cancelled: with a cancelled context, Tag returns promptly with an
//     error that wraps context.Canceled.
//   - owned: the returned slice belongs to the caller: changing it does not
//     change what a later call returns.
//   - batch: when the tagger is a prime.BatchTagger, TagBatch returns one
//     result per image, equal to what Tag returns for each image alone
//     (scores to within 1e-5), and honours a cancelled context.
//   - image-untouched: Tag and TagBatch leave the images they are given
//     unchanged.
//
// Every call's context carries the image's id (prime.ContextWithImageID,
// or prime.ContextWithImageIDs for a batch), as prime.Run passes it, so
// that taggers that look their answers up by id can be checked: give them
// answers for the ids of OddImages and of the caller's images.
//
// Map is a fake for the tests of code that takes a Tagger: its answers
// are listed by image id, in the manner of fstest.MapFS.
package taggertest

import (
	"context"
	"errors"
	"fmt"
	"image"
	"image/color"
	"math"
	"slices"
	"sync"
	"testing"
	"time"

	"github.com/failmodes/prime"
)

// A Vocabularer is a Tagger that can list the tags it may return. It is
// optional: the kit checks the vocabulary, and that every tag is in it,
// only for taggers that have the method. Vocabulary returns a new slice on
// every call.
type Vocabularer interface {
	Vocabulary() []string
}

// Timeout is how long a call with a cancelled context may take before the
// cancelled rule counts it as not returning promptly.
const Timeout = 5 * time.Second

// maxErrs bounds the errors one rule reports.
const maxErrs = 5

// A rule is one check of the kit.
type rule struct {
	name  string
	doc   string
	check func(s *state) []error
}

// rules returns the kit's checks, in order.
func rules() []rule {
	return []rule{
		{"vocabulary", "the vocabulary is non-empty, its entries non-empty and unique, and the returned slice is the caller's", checkVocabulary},
		{"odd-images", "Tag accepts any image.Image: offset bounds, 1x1, Gray, Gray16, Paletted, CMYK, NRGBA with alpha, YCbCr", checkOdd},
		{"tags", "tag names are non-empty, unique within a result and from the vocabulary; scores are in [0, 1]", checkTags},
		{"deterministic", "tagging an image again gives the same result", checkDeterministic},
		{"concurrent", "concurrent calls give the same results as sequential ones", checkConcurrent},
		{"cancelled", "with a cancelled context Tag returns promptly an error wrapping context.Canceled", checkCancelled},
		{"owned", "the returned slice is the caller's: changing it changes no later result", checkOwned},
		{"batch", "TagBatch returns, per image, what Tag returns for it alone", checkBatch},
		{"image-untouched", "Tag and TagBatch leave the images they are given unchanged", checkUntouched},
	}
}

// state is what the rules share: the tagger, the images, and each image's
// result from a first, sequential pass.
type state struct {
	tg     prime.Tagger
	images []Image
	base   [][]prime.Tag
	errs   []error
	pixels [][]color.RGBA64 // each image's pixels before any call
	vocab  map[string]bool  // nil when the tagger has no Vocabulary
}

func newState(tg prime.Tagger, images []Image) *state {
	s := &state{tg: tg, images: append(OddImages(), images...)}
	if v, ok := tg.(Vocabularer); ok {
		s.vocab = make(map[string]bool)
		for _, t := range v.Vocabulary() {
			s.vocab[t] = true
		}
	}
	s.base = make([][]prime.Tag, len(s.images))
	s.errs = make([]error, len(s.images))
	s.pixels = make([][]color.RGBA64, len(s.images))
	for i, im := range s.images {
		s.pixels[i] = pixels(im.Image)
	}
	for i := range s.images {
		tags, err := s.tag(context.Background(), i)
		s.base[i], s.errs[i] = slices.Clone(tags), err
	}
	return s
}

// tag tags image i with its id in ctx.
func (s *state) tag(ctx context.Context, i int) ([]prime.Tag, error) {
	return s.tg.Tag(prime.ContextWithImageID(ctx, s.images[i].ID), s.images[i].Image)
}

// ok returns the indices of the images the first pass tagged without error.
func (s *state) ok() []int {
	var out []int
	for i, err := range s.errs {
		if err == nil {
			out = append(out, i)
		}
	}
	return out
}

// TestTagger checks tg against every rule of the package, with the images
// of OddImages and the given images, and returns an error joining one
// error per rule broken (up to a few per rule), or nil.
func TestTagger(tg prime.Tagger, images ...Image) error {
	s := newState(tg, images)
	var errs []error
	for _, r := range rules() {
		for _, err := range r.check(s) {
			errs = append(errs, fmt.Errorf("taggertest: %s: %w", r.name, err))
		}
	}
	return errors.Join(errs...)
}

// Run checks tg against every rule of the package, each in a subtest named
// after the rule, with the images of OddImages and the given images. A
// failing subtest states the rule and what broke it.
func Run(t *testing.T, tg prime.Tagger, images ...Image) {
	t.Helper()
	s := newState(tg, images)
	for _, r := range rules() {
		t.Run(r.name, func(t *testing.T) {
			for _, err := range r.check(s) {
				t.Errorf("rule: %s\n%v", r.doc, err)
			}
		})
	}
}

// limit keeps the first maxErrs errors and counts the rest.
func limit(errs []error) []error {
	if len(errs) <= maxErrs {
		return errs
	}
	return append(errs[:maxErrs], fmt.Errorf("and %d more", len(errs)-maxErrs))
}

func checkVocabulary(s *state) []error {
	v, ok := s.tg.(Vocabularer)
	if !ok {
		return nil
	}
	vocab := v.Vocabulary()
	if len(vocab) == 0 {
		return []error{errors.New("Vocabulary is empty")}
	}
	var errs []error
	seen := make(map[string]bool, len(vocab))
	for i, t := range vocab {
		switch {
		case t == "":
			errs = append(errs, fmt.Errorf("entry %d is empty", i))
		case seen[t]:
			errs = append(errs, fmt.Errorf("entry %d %q repeated", i, t))
		}
		seen[t] = true
	}
	want := slices.Clone(vocab)
	for i := range vocab {
		vocab[i] = "taggertest-changed"
	}
	if again := v.Vocabulary(); !slices.Equal(again, want) {
		errs = append(errs, errors.New("changing the slice Vocabulary returned changed a later call's"))
	}
	return limit(errs)
}

func checkOdd(s *state) []error {
	var errs []error
	for i, err := range s.errs {
		if err != nil {
			errs = append(errs, fmt.Errorf("image %s (%T, bounds %v): %w", s.images[i].ID, s.images[i].Image, s.images[i].Image.Bounds(), err))
		}
	}
	return limit(errs)
}

func checkTags(s *state) []error {
	var errs []error
	for _, i := range s.ok() {
		seen := make(map[string]bool)
		for _, t := range s.base[i] {
			switch {
			case t.Name == "":
				errs = append(errs, fmt.Errorf("image %s: empty tag name", s.images[i].ID))
			case seen[t.Name]:
				errs = append(errs, fmt.Errorf("image %s: tag %q repeated", s.images[i].ID, t.Name))
			case s.vocab != nil && !s.vocab[t.Name]:
				errs = append(errs, fmt.Errorf("image %s: tag %q not in the vocabulary", s.images[i].ID, t.Name))
			}
			seen[t.Name] = true
			if !(t.Score >= 0 && t.Score <= 1) {
				errs = append(errs, fmt.Errorf("image %s: tag %q: score %v outside [0, 1]", s.images[i].ID, t.Name, t.Score))
			}
		}
	}
	return limit(errs)
}

// diff describes how got differs from want, or returns "" when they are
// equal; scores may differ by tol.
func diff(got, want []prime.Tag, tol float64) string {
	if len(got) != len(want) {
		return fmt.Sprintf("%d tags %v, want %d %v", len(got), got, len(want), want)
	}
	for i := range got {
		if got[i].Name != want[i].Name || math.Abs(float64(got[i].Score)-float64(want[i].Score)) > tol ||
			math.IsNaN(float64(got[i].Score)) != math.IsNaN(float64(want[i].Score)) {
			return fmt.Sprintf("tag %d is %v, want %v", i, got[i], want[i])
		}
	}
	return ""
}

func checkDeterministic(s *state) []error {
	var errs []error
	for _, i := range s.ok() {
		got, err := s.tag(context.Background(), i)
		if err != nil {
			errs = append(errs, fmt.Errorf("image %s: first call succeeded, second failed: %w", s.images[i].ID, err))
		} else if d := diff(got, s.base[i], 0); d != "" {
			errs = append(errs, fmt.Errorf("image %s: second call differs from the first: %s", s.images[i].ID, d))
		}
	}
	return limit(errs)
}

func checkConcurrent(s *state) []error {
	const goroutines = 4
	idx := s.ok()
	var (
		mu   sync.Mutex
		errs []error
		wg   sync.WaitGroup
	)
	for g := range goroutines {
		wg.Go(func() {
			for k := range idx {
				i := idx[(k+g*len(idx)/goroutines)%len(idx)] // each goroutine starts elsewhere
				got, err := s.tag(context.Background(), i)
				var e error
				if err != nil {
					e = fmt.Errorf("image %s: concurrent call failed: %w", s.images[i].ID, err)
				} else if d := diff(got, s.base[i], 0); d != "" {
					e = fmt.Errorf("image %s: concurrent call differs from a sequential one: %s", s.images[i].ID, d)
				}
				if e != nil {
					mu.Lock()
					errs = append(errs, e)
					mu.Unlock()
				}
			}
		})
	}
	wg.Wait()
	return limit(errs)
}

// within runs f and returns its error, or an error when f takes longer
// than Timeout.
func within(f func() error) error {
	done := make(chan error, 1)
	go func() { done <- f() }()
	select {
	case err := <-done:
		return err
	case <-time.After(Timeout):
		return fmt.Errorf("did not return within %v", Timeout)
	}
}

// checkCancelledErr describes err when it is not a prompt context.Canceled.
func checkCancelledErr(what string, err error) error {
	switch {
	case err == nil:
		return fmt.Errorf("%s with a cancelled context returned no error", what)
	case !errors.Is(err, context.Canceled):
		return fmt.Errorf("%s with a cancelled context: error %q does not wrap context.Canceled", what, err)
	}
	return nil
}

func checkCancelled(s *state) []error {
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	var errs []error
	for i := range min(len(s.images), 3) {
		err := within(func() error {
			_, err := s.tag(ctx, i)
			return err
		})
		if e := checkCancelledErr("Tag of "+s.images[i].ID, err); e != nil {
			errs = append(errs, e)
		}
	}
	return errs
}

func checkOwned(s *state) []error {
	var errs []error
	for _, i := range s.ok() {
		got, err := s.tag(context.Background(), i)
		if err != nil || len(got) == 0 {
			continue // reported by another rule, or nothing to change
		}
		for k := range got {
			got[k] = prime.Tag{Name: "taggertest-changed", Score: 0.5}
		}
		again, err := s.tag(context.Background(), i)
		if err == nil {
			if d := diff(again, s.base[i], 0); d != "" {
				errs = append(errs, fmt.Errorf("image %s: changing a returned slice changed a later result: %s", s.images[i].ID, d))
			}
		}
	}
	return limit(errs)
}

func checkBatch(s *state) []error {
	bt, ok := s.tg.(prime.BatchTagger)
	if !ok {
		return nil
	}
	idx := s.ok()
	ids := make([]string, len(idx))
	imgs := make([]image.Image, len(idx))
	for k, i := range idx {
		ids[k], imgs[k] = s.images[i].ID, s.images[i].Image
	}
	var errs []error
	// All at once, then in batches of 3 (a partial last batch).
	for _, size := range []int{len(idx), 3} {
		for lo := 0; lo < len(idx); lo += size {
			hi := min(lo+size, len(idx))
			got, err := bt.TagBatch(prime.ContextWithImageIDs(context.Background(), ids[lo:hi]), slices.Clone(imgs[lo:hi]))
			if err != nil {
				errs = append(errs, fmt.Errorf("TagBatch of %d images: %w", hi-lo, err))
				continue
			}
			if len(got) != hi-lo {
				errs = append(errs, fmt.Errorf("TagBatch of %d images returned %d results", hi-lo, len(got)))
				continue
			}
			for k, tags := range got {
				i := idx[lo+k]
				if d := diff(tags, s.base[i], 1e-5); d != "" {
					errs = append(errs, fmt.Errorf("image %s: TagBatch of %d differs from Tag: %s", s.images[i].ID, hi-lo, d))
				}
			}
		}
	}
	if len(idx) > 0 {
		ctx, cancel := context.WithCancel(context.Background())
		cancel()
		err := within(func() error {
			_, err := bt.TagBatch(prime.ContextWithImageIDs(ctx, ids), imgs)
			return err
		})
		if e := checkCancelledErr("TagBatch", err); e != nil {
			errs = append(errs, e)
		}
	}
	return limit(errs)
}

// pixels returns img's pixels, row by row.
func pixels(img image.Image) []color.RGBA64 {
	b := img.Bounds()
	out := make([]color.RGBA64, 0, b.Dx()*b.Dy())
	for y := b.Min.Y; y < b.Max.Y; y++ {
		for x := b.Min.X; x < b.Max.X; x++ {
			out = append(out, color.RGBA64Model.Convert(img.At(x, y)).(color.RGBA64))
		}
	}
	return out
}

// checkUntouched compares the images with their pixels before the first
// call; it runs last, after every other rule's calls.
func checkUntouched(s *state) []error {
	var errs []error
	for i, im := range s.images {
		if !slices.Equal(pixels(im.Image), s.pixels[i]) {
			errs = append(errs, fmt.Errorf("image %s: pixels changed", im.ID))
		}
	}
	return limit(errs)
}
