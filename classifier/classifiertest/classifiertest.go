// Package classifiertest checks that an implementation of prime.Classifier
// follows the rules of the interface, in the spirit of testing/fstest.TestFS
// and testing/slogtest: call TestClassifier, which returns one error
// joining every rule broken, or Run, which checks each rule in a subtest of
// its own, from the tests of the implementation:
//
//	func TestMyClassifier(t *testing.T) {
//		classifiertest.Run(t, mymodel.New())
//	}
//
// The rules checked (each a subtest of Run, named as here):
//
//   - labels: when the classifier has a Labels method (see Labeler), the
//     label set is non-empty, its entries non-empty and unique, and the
//     slice returned is the caller's.
//   - odd-images: Classify accepts any image.Image: bounds not at (0, 0),
//     1x1, Gray, Gray16, Paletted, CMYK, NRGBA with alpha, YCbCr (see
//     OddImages), and the caller's images.
//   - prediction: the label is non-empty and, when the classifier exposes
//     its labels, one of them; scores are not NaN, and either absent or as
//     many for every image (one per label when the labels are exposed).
//   - deterministic: classifying an image again gives the same label and
//     scores.
//   - concurrent: calls from several goroutines at once give the same
//     results as calls one at a time (run the tests with -race to catch
//     data races too).
//   - cancelled: with a cancelled context, Classify returns promptly with
//     an error that wraps context.Canceled.
//   - owned: the returned Scores belong to the caller: changing them does
//     not change what a later call returns.
//   - batch: when the classifier is a prime.BatchClassifier, ClassifyBatch
//     returns one prediction per image, equal to what Classify returns for
//     each image alone (scores to within 1e-5), and honours a cancelled
//     context.
//   - image-untouched: Classify and ClassifyBatch leave the images they
//     are given unchanged.
//
// Every call's context carries the image's id (prime.ContextWithImageID,
// or prime.ContextWithImageIDs for a batch), as prime.Run passes it, so
// that classifiers that look their answers up by id can be checked: give
// them answers for the ids of OddImages and of the caller's images.
//
// Map is a fake for the tests of code that takes a Classifier: its answers
// are listed by image id, in the manner of fstest.MapFS.
package classifiertest

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

// A Labeler is a Classifier that can list the labels it may predict, in
// the order of its Prediction.Scores. It is optional: the kit checks the
// label set, and that every prediction is in it, only for classifiers that
// have the method. Labels returns a new slice on every call.
type Labeler interface {
	Labels() []string
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
		{"labels", "the label set is non-empty, its entries non-empty and unique, and the returned slice is the caller's", checkLabels},
		{"odd-images", "Classify accepts any image.Image: offset bounds, 1x1, Gray, Gray16, Paletted, CMYK, NRGBA with alpha, YCbCr", checkOdd},
		{"prediction", "labels are non-empty and from the label set; scores are not NaN, as many for every image, one per label", checkPrediction},
		{"deterministic", "classifying an image again gives the same result", checkDeterministic},
		{"concurrent", "concurrent calls give the same results as sequential ones", checkConcurrent},
		{"cancelled", "with a cancelled context Classify returns promptly an error wrapping context.Canceled", checkCancelled},
		{"owned", "the returned Scores are the caller's: changing them changes no later result", checkOwned},
		{"batch", "ClassifyBatch returns, per image, what Classify returns for it alone", checkBatch},
		{"image-untouched", "Classify and ClassifyBatch leave the images they are given unchanged", checkUntouched},
	}
}

// state is what the rules share: the classifier, the images, and each
// image's result from a first, sequential pass.
type state struct {
	cl     prime.Classifier
	images []Image
	base   []prime.Prediction
	errs   []error
	pixels [][]color.RGBA64 // each image's pixels before any call
	labels map[string]bool  // nil when the classifier has no Labels
	nl     int              // len(Labels())
}

func newState(cl prime.Classifier, images []Image) *state {
	s := &state{cl: cl, images: append(OddImages(), images...)}
	if l, ok := cl.(Labeler); ok {
		s.labels = make(map[string]bool)
		labels := l.Labels()
		s.nl = len(labels)
		for _, t := range labels {
			s.labels[t] = true
		}
	}
	s.base = make([]prime.Prediction, len(s.images))
	s.errs = make([]error, len(s.images))
	s.pixels = make([][]color.RGBA64, len(s.images))
	for i, im := range s.images {
		s.pixels[i] = pixels(im.Image)
	}
	for i := range s.images {
		p, err := s.classify(context.Background(), i)
		p.Scores = slices.Clone(p.Scores)
		s.base[i], s.errs[i] = p, err
	}
	return s
}

// classify classifies image i with its id in ctx.
func (s *state) classify(ctx context.Context, i int) (prime.Prediction, error) {
	return s.cl.Classify(prime.ContextWithImageID(ctx, s.images[i].ID), s.images[i].Image)
}

// ok returns the indices of the images the first pass classified without
// error.
func (s *state) ok() []int {
	var out []int
	for i, err := range s.errs {
		if err == nil {
			out = append(out, i)
		}
	}
	return out
}

// TestClassifier checks cl against every rule of the package, with the
// images of OddImages and the given images, and returns an error joining
// one error per rule broken (up to a few per rule), or nil.
func TestClassifier(cl prime.Classifier, images ...Image) error {
	s := newState(cl, images)
	var errs []error
	for _, r := range rules() {
		for _, err := range r.check(s) {
			errs = append(errs, fmt.Errorf("classifiertest: %s: %w", r.name, err))
		}
	}
	return errors.Join(errs...)
}

// Run checks cl against every rule of the package, each in a subtest named
// after the rule, with the images of OddImages and the given images. A
// failing subtest states the rule and what broke it.
func Run(t *testing.T, cl prime.Classifier, images ...Image) {
	t.Helper()
	s := newState(cl, images)
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

func checkLabels(s *state) []error {
	l, ok := s.cl.(Labeler)
	if !ok {
		return nil
	}
	labels := l.Labels()
	if len(labels) == 0 {
		return []error{errors.New("Labels is empty")}
	}
	var errs []error
	seen := make(map[string]bool, len(labels))
	for i, t := range labels {
		switch {
		case t == "":
			errs = append(errs, fmt.Errorf("label %d is empty", i))
		case seen[t]:
			errs = append(errs, fmt.Errorf("label %d %q repeated", i, t))
		}
		seen[t] = true
	}
	want := slices.Clone(labels)
	for i := range labels {
		labels[i] = "classifiertest-changed"
	}
	if again := l.Labels(); !slices.Equal(again, want) {
		errs = append(errs, errors.New("changing the slice Labels returned changed a later call's"))
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

func checkPrediction(s *state) []error {
	var errs []error
	nScores, first := -1, ""
	for _, i := range s.ok() {
		p, id := s.base[i], s.images[i].ID
		switch {
		case p.Label == "":
			errs = append(errs, fmt.Errorf("image %s: empty label", id))
		case s.labels != nil && !s.labels[p.Label]:
			errs = append(errs, fmt.Errorf("image %s: label %q not in the label set", id, p.Label))
		}
		for k, v := range p.Scores {
			if math.IsNaN(float64(v)) {
				errs = append(errs, fmt.Errorf("image %s: score %d is NaN", id, k))
				break
			}
		}
		switch {
		case nScores < 0:
			nScores, first = len(p.Scores), id
			if s.labels != nil && nScores > 0 && nScores != s.nl {
				errs = append(errs, fmt.Errorf("image %s: %d scores for %d labels", id, nScores, s.nl))
			}
		case len(p.Scores) != nScores:
			errs = append(errs, fmt.Errorf("image %s: %d scores, but image %s has %d", id, len(p.Scores), first, nScores))
		}
	}
	return limit(errs)
}

// diff describes how got differs from want, or returns "" when they are
// equal; scores may differ by tol.
func diff(got, want prime.Prediction, tol float64) string {
	if got.Label != want.Label {
		return fmt.Sprintf("label %q, want %q", got.Label, want.Label)
	}
	if len(got.Scores) != len(want.Scores) {
		return fmt.Sprintf("%d scores, want %d", len(got.Scores), len(want.Scores))
	}
	for k := range got.Scores {
		g, w := float64(got.Scores[k]), float64(want.Scores[k])
		if math.Abs(g-w) > tol || math.IsNaN(g) != math.IsNaN(w) {
			return fmt.Sprintf("score %d is %v, want %v", k, g, w)
		}
	}
	return ""
}

func checkDeterministic(s *state) []error {
	var errs []error
	for _, i := range s.ok() {
		got, err := s.classify(context.Background(), i)
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
				got, err := s.classify(context.Background(), i)
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
			_, err := s.classify(ctx, i)
			return err
		})
		if e := checkCancelledErr("Classify of "+s.images[i].ID, err); e != nil {
			errs = append(errs, e)
		}
	}
	return errs
}

func checkOwned(s *state) []error {
	var errs []error
	for _, i := range s.ok() {
		got, err := s.classify(context.Background(), i)
		if err != nil || len(got.Scores) == 0 {
			continue // reported by another rule, or nothing to change
		}
		for k := range got.Scores {
			got.Scores[k] = -12345
		}
		again, err := s.classify(context.Background(), i)
		if err == nil {
			if d := diff(again, s.base[i], 0); d != "" {
				errs = append(errs, fmt.Errorf("image %s: changing returned Scores changed a later result: %s", s.images[i].ID, d))
			}
		}
	}
	return limit(errs)
}

func checkBatch(s *state) []error {
	bc, ok := s.cl.(prime.BatchClassifier)
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
			got, err := bc.ClassifyBatch(prime.ContextWithImageIDs(context.Background(), ids[lo:hi]), slices.Clone(imgs[lo:hi]))
			if err != nil {
				errs = append(errs, fmt.Errorf("ClassifyBatch of %d images: %w", hi-lo, err))
				continue
			}
			if len(got) != hi-lo {
				errs = append(errs, fmt.Errorf("ClassifyBatch of %d images returned %d results", hi-lo, len(got)))
				continue
			}
			for k, p := range got {
				i := idx[lo+k]
				if d := diff(p, s.base[i], 1e-5); d != "" {
					errs = append(errs, fmt.Errorf("image %s: ClassifyBatch of %d differs from Classify: %s", s.images[i].ID, hi-lo, d))
				}
			}
		}
	}
	if len(idx) > 0 {
		ctx, cancel := context.WithCancel(context.Background())
		cancel()
		err := within(func() error {
			_, err := bc.ClassifyBatch(prime.ContextWithImageIDs(ctx, ids), imgs)
			return err
		})
		if e := checkCancelledErr("ClassifyBatch", err); e != nil {
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
