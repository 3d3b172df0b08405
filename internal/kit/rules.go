package kit

import (
	"context"
	"errors"
	"fmt"
	"image"
	"image/color"
	"slices"
	"sync"
	"testing"
	"time"

	"github.com/failmodes/prime"
)

// maxErrs bounds the errors one rule reports.
const maxErrs = 5

// A Rule is one check of a kit: its name (the subtest's), a sentence
// stating it, and the check, which returns what broke it.
type Rule struct {
	Name  string
	Doc   string
	Check func() []error
}

// Join checks every rule, in order, and returns an error joining the
// errors of every rule broken, each prefixed with pkg and the rule's name,
// or nil.
func Join(pkg string, rules []Rule) error {
	var errs []error
	for _, r := range rules {
		for _, err := range r.Check() {
			errs = append(errs, fmt.Errorf("%s: %s: %w", pkg, r.Name, err))
		}
	}
	return errors.Join(errs...)
}

// Run checks every rule, in order, each in a subtest named after the rule;
// a failing subtest states the rule and what broke it.
func Run(t *testing.T, rules []Rule) {
	t.Helper()
	for _, r := range rules {
		t.Run(r.Name, func(t *testing.T) {
			for _, err := range r.Check() {
				t.Errorf("rule: %s\n%v", r.Doc, err)
			}
		})
	}
}

// Limit keeps the first few errors and counts the rest.
func Limit(errs []error) []error {
	if len(errs) <= maxErrs {
		return errs
	}
	return append(errs[:maxErrs], fmt.Errorf("and %d more", len(errs)-maxErrs))
}

// A Subject is the implementation a kit checks, seen through its results
// of type R.
type Subject[R any] struct {
	// Call is the single-image method (Tag, Classify); the context
	// carries the image's id.
	Call func(ctx context.Context, img image.Image) (R, error)
	// Batch is the batch method (TagBatch, ClassifyBatch), or nil when
	// the implementation has none; the context carries the images' ids.
	Batch func(ctx context.Context, imgs []image.Image) ([]R, error)
	// CallName and BatchName name the methods in messages.
	CallName, BatchName string
	// Timeout is how long a call with a cancelled context may take before
	// it counts as not returning promptly.
	Timeout time.Duration
	// Clone returns a copy of a result that shares no memory with it.
	Clone func(R) R
	// Diff describes how got differs from want, or returns "" when they
	// are equal; scores may differ by tol.
	Diff func(got, want R, tol float64) string
}

// State is what the rules share: the subject, the images, and each
// image's result from a first, sequential pass.
type State[R any] struct {
	Subject[R]
	Images []Image
	Base   []R     // each image's result from the first pass
	Errs   []error // each image's error from the first pass
	pixels [][]color.RGBA64
}

// NewState records the pixels of the images, then calls the subject on
// each image in turn, keeping copies of the results.
func NewState[R any](sub Subject[R], images []Image) *State[R] {
	s := &State[R]{Subject: sub, Images: images}
	s.Base = make([]R, len(images))
	s.Errs = make([]error, len(images))
	s.pixels = make([][]color.RGBA64, len(images))
	for i, im := range images {
		s.pixels[i] = pixels(im.Image)
	}
	for i := range images {
		r, err := s.Do(context.Background(), i)
		s.Base[i], s.Errs[i] = s.Clone(r), err
	}
	return s
}

// Do calls the subject on image i with its id in ctx.
func (s *State[R]) Do(ctx context.Context, i int) (R, error) {
	return s.Call(prime.ContextWithImageID(ctx, s.Images[i].ID), s.Images[i].Image)
}

// OK returns the indices of the images the first pass handled without
// error.
func (s *State[R]) OK() []int {
	var out []int
	for i, err := range s.Errs {
		if err == nil {
			out = append(out, i)
		}
	}
	return out
}

// CheckList checks a list the subject exposes (a vocabulary, a label
// set): non-empty, entries non-empty and unique, and the slice the
// caller's. method names list in messages, entry names one of its entries,
// and changed is what the check writes into the returned slice.
func CheckList(list func() []string, method, entry, changed string) []error {
	got := list()
	if len(got) == 0 {
		return []error{fmt.Errorf("%s is empty", method)}
	}
	var errs []error
	seen := make(map[string]bool, len(got))
	for i, t := range got {
		switch {
		case t == "":
			errs = append(errs, fmt.Errorf("%s %d is empty", entry, i))
		case seen[t]:
			errs = append(errs, fmt.Errorf("%s %d %q repeated", entry, i, t))
		}
		seen[t] = true
	}
	want := slices.Clone(got)
	for i := range got {
		got[i] = changed
	}
	if again := list(); !slices.Equal(again, want) {
		errs = append(errs, fmt.Errorf("changing the slice %s returned changed a later call's", method))
	}
	return Limit(errs)
}

// CheckOdd reports the images the first pass failed on.
func (s *State[R]) CheckOdd() []error {
	var errs []error
	for i, err := range s.Errs {
		if err != nil {
			errs = append(errs, fmt.Errorf("image %s (%T, bounds %v): %w", s.Images[i].ID, s.Images[i].Image, s.Images[i].Image.Bounds(), err))
		}
	}
	return Limit(errs)
}

// CheckDeterministic calls the subject again on every image and compares
// with the first pass.
func (s *State[R]) CheckDeterministic() []error {
	var errs []error
	for _, i := range s.OK() {
		got, err := s.Do(context.Background(), i)
		if err != nil {
			errs = append(errs, fmt.Errorf("image %s: first call succeeded, second failed: %w", s.Images[i].ID, err))
		} else if d := s.Diff(got, s.Base[i], 0); d != "" {
			errs = append(errs, fmt.Errorf("image %s: second call differs from the first: %s", s.Images[i].ID, d))
		}
	}
	return Limit(errs)
}

// CheckConcurrent calls the subject from several goroutines at once and
// compares with the first pass.
func (s *State[R]) CheckConcurrent() []error {
	const goroutines = 4
	idx := s.OK()
	var (
		mu   sync.Mutex
		errs []error
		wg   sync.WaitGroup
	)
	for g := range goroutines {
		wg.Go(func() {
			for k := range idx {
				i := idx[(k+g*len(idx)/goroutines)%len(idx)] // each goroutine starts elsewhere
				got, err := s.Do(context.Background(), i)
				var e error
				if err != nil {
					e = fmt.Errorf("image %s: concurrent call failed: %w", s.Images[i].ID, err)
				} else if d := s.Diff(got, s.Base[i], 0); d != "" {
					e = fmt.Errorf("image %s: concurrent call differs from a sequential one: %s", s.Images[i].ID, d)
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
	return Limit(errs)
}

// within runs f and returns its error, or an error when f takes longer
// than timeout.
func within(timeout time.Duration, f func() error) error {
	done := make(chan error, 1)
	go func() { done <- f() }()
	select {
	case err := <-done:
		return err
	case <-time.After(timeout):
		return fmt.Errorf("did not return within %v", timeout)
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

// CheckCancelled calls the subject on the first few images with a
// cancelled context.
func (s *State[R]) CheckCancelled() []error {
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	var errs []error
	for i := range min(len(s.Images), 3) {
		err := within(s.Timeout, func() error {
			_, err := s.Do(ctx, i)
			return err
		})
		if e := checkCancelledErr(s.CallName+" of "+s.Images[i].ID, err); e != nil {
			errs = append(errs, e)
		}
	}
	return errs
}

// CheckOwned changes each result with change, which reports whether there
// was anything to change, and checks that a later call is unchanged; what
// names the changed part in messages.
func (s *State[R]) CheckOwned(change func(R) bool, what string) []error {
	var errs []error
	for _, i := range s.OK() {
		got, err := s.Do(context.Background(), i)
		if err != nil || !change(got) {
			continue // reported by another rule, or nothing to change
		}
		again, err := s.Do(context.Background(), i)
		if err == nil {
			if d := s.Diff(again, s.Base[i], 0); d != "" {
				errs = append(errs, fmt.Errorf("image %s: changing %s changed a later result: %s", s.Images[i].ID, what, d))
			}
		}
	}
	return Limit(errs)
}

// CheckBatch, when the subject has a batch method, calls it on all the
// images at once and in batches of 3, compares with the first pass, and
// calls it with a cancelled context.
func (s *State[R]) CheckBatch() []error {
	if s.Batch == nil {
		return nil
	}
	idx := s.OK()
	ids := make([]string, len(idx))
	imgs := make([]image.Image, len(idx))
	for k, i := range idx {
		ids[k], imgs[k] = s.Images[i].ID, s.Images[i].Image
	}
	var errs []error
	// All at once, then in batches of 3 (a partial last batch).
	for _, size := range []int{len(idx), 3} {
		for lo := 0; lo < len(idx); lo += size {
			hi := min(lo+size, len(idx))
			got, err := s.Batch(prime.ContextWithImageIDs(context.Background(), ids[lo:hi]), slices.Clone(imgs[lo:hi]))
			if err != nil {
				errs = append(errs, fmt.Errorf("%s of %d images: %w", s.BatchName, hi-lo, err))
				continue
			}
			if len(got) != hi-lo {
				errs = append(errs, fmt.Errorf("%s of %d images returned %d results", s.BatchName, hi-lo, len(got)))
				continue
			}
			for k, r := range got {
				i := idx[lo+k]
				if d := s.Diff(r, s.Base[i], 1e-5); d != "" {
					errs = append(errs, fmt.Errorf("image %s: %s of %d differs from %s: %s", s.Images[i].ID, s.BatchName, hi-lo, s.CallName, d))
				}
			}
		}
	}
	if len(idx) > 0 {
		ctx, cancel := context.WithCancel(context.Background())
		cancel()
		err := within(s.Timeout, func() error {
			_, err := s.Batch(prime.ContextWithImageIDs(ctx, ids), imgs)
			return err
		})
		if e := checkCancelledErr(s.BatchName, err); e != nil {
			errs = append(errs, e)
		}
	}
	return Limit(errs)
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

// CheckUntouched compares the images with their pixels before the first
// call; it runs last, after every other rule's calls.
func (s *State[R]) CheckUntouched() []error {
	var errs []error
	for i, im := range s.Images {
		if !slices.Equal(pixels(im.Image), s.pixels[i]) {
			errs = append(errs, fmt.Errorf("image %s: pixels changed", im.ID))
		}
	}
	return Limit(errs)
}
