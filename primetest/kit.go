package primetest

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
)

// Timeout is how long a call with a cancelled context may take before the
// cancelled rule counts it as not returning promptly.
const Timeout = 5 * time.Second

// maxErrs bounds the errors one rule reports.
const maxErrs = 5

// A rule is one check of the kit: its name (the subtest's), a sentence
// stating it, and the check, which returns what broke it.
type rule struct {
	name  string
	doc   string
	check func() []error
}

// join checks every rule, in order, and returns an error joining the
// errors of every rule broken, each prefixed with the rule's name, or nil.
func join(rules []rule) error {
	var errs []error
	for _, r := range rules {
		for _, err := range r.check() {
			errs = append(errs, fmt.Errorf("primetest: %s: %w", r.name, err))
		}
	}
	return errors.Join(errs...)
}

// run checks every rule, in order, each in a subtest named after the
// rule; a failing subtest states the rule and what broke it.
func run(t *testing.T, rules []rule) {
	t.Helper()
	for _, r := range rules {
		t.Run(r.name, func(t *testing.T) {
			for _, err := range r.check() {
				t.Errorf("rule: %s\n%v", r.doc, err)
			}
		})
	}
}

// limit keeps the first few errors and counts the rest.
func limit(errs []error) []error {
	if len(errs) <= maxErrs {
		return errs
	}
	return append(errs[:maxErrs], fmt.Errorf("and %d more", len(errs)-maxErrs))
}

// A plugin is a Tagger or a Classifier seen through its results of type R:
// what the rules that hold for both need to know of it.
type plugin[R any] struct {
	// call is the single-image method: Tag or Classify with the image's
	// pixels, or TagID or ClassifyID with its id. batch is the batch
	// method (TagBatch, ClassifyBatch), or nil when there is none or the
	// plug-in answers by id.
	call  func(ctx context.Context, im Image) (R, error)
	batch func(ctx context.Context, imgs []image.Image) ([]R, error)
	// callName and batchName name the methods in messages.
	callName, batchName string
	// clone returns a copy of a result that shares no memory with it.
	clone func(R) R
	// diff describes how got differs from want, or returns "" when they
	// are equal; scores may differ by tol.
	diff func(got, want R, tol float64) string
	// scribble changes the memory a result holds (a slice) and reports
	// whether there was anything to change; owned names that memory in
	// messages ("the returned slice").
	scribble func(R) bool
	owned    string
}

// A state is what the rules share: the plug-in, the images, and each
// image's result from a first, sequential pass.
type state[R any] struct {
	plugin[R]
	images []Image
	base   []R     // each image's result from the first pass
	errs   []error // each image's error from the first pass
	pixels [][]color.RGBA64
}

// newState records the pixels of OddImages and the caller's images, then
// calls the plug-in on each image in turn, keeping copies of the results.
func newState[R any](p plugin[R], images []Image) *state[R] {
	all := append(OddImages(), images...)
	s := &state[R]{plugin: p, images: all}
	s.base = make([]R, len(all))
	s.errs = make([]error, len(all))
	s.pixels = make([][]color.RGBA64, len(all))
	for i, im := range all {
		s.pixels[i] = pixels(im.Image)
	}
	for i := range all {
		r, err := s.call(context.Background(), s.images[i])
		s.base[i], s.errs[i] = s.clone(r), err
	}
	return s
}

// rules returns the kit's checks, in order: list, the check of what the
// plug-in lists (vocabulary, labels), and results, the check of each
// result, among those that hold for any plug-in.
func (s *state[R]) rules(list, results rule) []rule {
	return []rule{
		list,
		{"odd-images", s.callName + " accepts any image.Image: offset bounds, 1x1, Gray, Gray16, Paletted, CMYK, NRGBA with alpha, YCbCr", s.checkOdd},
		results,
		{"deterministic", "calling " + s.callName + " again on an image gives the same result", s.checkDeterministic},
		{"concurrent", "concurrent calls give the same results as sequential ones", s.checkConcurrent},
		{"cancelled", "with a cancelled context " + s.callName + " returns promptly an error wrapping context.Canceled", s.checkCancelled},
		{"owned", "results are the caller's: changing " + s.owned + " changes no later result", s.checkOwned},
		{"batch", s.batchName + " returns, per image, what " + s.callName + " returns for it alone", s.checkBatch},
		{"image-untouched", s.callName + " and " + s.batchName + " leave the images they are given unchanged", s.checkUntouched},
	}
}

// ok returns the indices of the images the first pass handled without
// error.
func (s *state[R]) ok() []int {
	var out []int
	for i, err := range s.errs {
		if err == nil {
			out = append(out, i)
		}
	}
	return out
}

// listRule is the rule on a list a plug-in exposes (a vocabulary, a label
// set), named name: non-empty, entries non-empty and unique, and the slice
// the caller's. method names the list in messages and entry one of its
// entries; list is nil when the plug-in has no such method.
func listRule(name, method, entry string, list func() []string) rule {
	return rule{name, "the " + method + " list is non-empty, its entries non-empty and unique, and the returned slice is the caller's", func() []error {
		if list == nil {
			return nil
		}
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
			got[i] = "primetest-changed"
		}
		if again := list(); !slices.Equal(again, want) {
			errs = append(errs, fmt.Errorf("changing the slice %s returned changed a later call's", method))
		}
		return limit(errs)
	}}
}

// checkOdd reports the images the first pass failed on.
func (s *state[R]) checkOdd() []error {
	var errs []error
	for i, err := range s.errs {
		if err != nil {
			im := s.images[i]
			errs = append(errs, fmt.Errorf("image %s (%T, bounds %v): %w", im.ID, im.Image, im.Image.Bounds(), err))
		}
	}
	return limit(errs)
}

// checkDeterministic calls the plug-in again on every image and compares
// with the first pass.
func (s *state[R]) checkDeterministic() []error {
	var errs []error
	for _, i := range s.ok() {
		got, err := s.call(context.Background(), s.images[i])
		if err != nil {
			errs = append(errs, fmt.Errorf("image %s: first call succeeded, second failed: %w", s.images[i].ID, err))
		} else if d := s.diff(got, s.base[i], 0); d != "" {
			errs = append(errs, fmt.Errorf("image %s: second call differs from the first: %s", s.images[i].ID, d))
		}
	}
	return limit(errs)
}

// checkConcurrent calls the plug-in from several goroutines at once and
// compares with the first pass.
func (s *state[R]) checkConcurrent() []error {
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
				got, err := s.call(context.Background(), s.images[i])
				var e error
				if err != nil {
					e = fmt.Errorf("image %s: concurrent call failed: %w", s.images[i].ID, err)
				} else if d := s.diff(got, s.base[i], 0); d != "" {
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

// cancelled calls f with a cancelled context and describes how it failed
// to return an error wrapping context.Canceled within Timeout, or returns
// nil.
func cancelled(what string, f func(ctx context.Context) error) error {
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	done := make(chan error, 1)
	go func() { done <- f(ctx) }()
	var err error
	select {
	case err = <-done:
	case <-time.After(Timeout):
		return fmt.Errorf("%s with a cancelled context did not return within %v", what, Timeout)
	}
	switch {
	case err == nil:
		return fmt.Errorf("%s with a cancelled context returned no error", what)
	case !errors.Is(err, context.Canceled):
		return fmt.Errorf("%s with a cancelled context: error %q does not wrap context.Canceled", what, err)
	}
	return nil
}

// checkCancelled calls the plug-in on the first few images with a
// cancelled context.
func (s *state[R]) checkCancelled() []error {
	var errs []error
	for i := range min(len(s.images), 3) {
		err := cancelled(s.callName+" of "+s.images[i].ID, func(ctx context.Context) error {
			_, err := s.call(ctx, s.images[i])
			return err
		})
		if err != nil {
			errs = append(errs, err)
		}
	}
	return errs
}

// checkOwned changes each result and checks that a later call is
// unchanged.
func (s *state[R]) checkOwned() []error {
	var errs []error
	for _, i := range s.ok() {
		got, err := s.call(context.Background(), s.images[i])
		if err != nil || !s.scribble(got) {
			continue // reported by another rule, or nothing to change
		}
		again, err := s.call(context.Background(), s.images[i])
		if err == nil {
			if d := s.diff(again, s.base[i], 0); d != "" {
				errs = append(errs, fmt.Errorf("image %s: changing %s changed a later result: %s", s.images[i].ID, s.owned, d))
			}
		}
	}
	return limit(errs)
}

// checkBatch, when the plug-in has a batch method, calls it on all the
// images at once and in batches of 3, compares with the first pass, and
// calls it with a cancelled context.
func (s *state[R]) checkBatch() []error {
	if s.batch == nil {
		return nil
	}
	idx := s.ok()
	imgs := make([]image.Image, len(idx))
	for k, i := range idx {
		imgs[k] = s.images[i].Image
	}
	var errs []error
	// All at once, then in batches of 3 (a partial last batch).
	for _, size := range []int{len(idx), 3} {
		for lo := 0; lo < len(idx); lo += size {
			hi := min(lo+size, len(idx))
			got, err := s.batch(context.Background(), slices.Clone(imgs[lo:hi]))
			if err != nil {
				errs = append(errs, fmt.Errorf("%s of %d images: %w", s.batchName, hi-lo, err))
				continue
			}
			if len(got) != hi-lo {
				errs = append(errs, fmt.Errorf("%s of %d images returned %d results", s.batchName, hi-lo, len(got)))
				continue
			}
			for k, r := range got {
				i := idx[lo+k]
				if d := s.diff(r, s.base[i], 1e-5); d != "" {
					errs = append(errs, fmt.Errorf("image %s: %s of %d differs from %s: %s", s.images[i].ID, s.batchName, hi-lo, s.callName, d))
				}
			}
		}
	}
	if len(idx) > 0 {
		err := cancelled(s.batchName, func(ctx context.Context) error {
			_, err := s.batch(ctx, imgs)
			return err
		})
		if err != nil {
			errs = append(errs, err)
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
func (s *state[R]) checkUntouched() []error {
	var errs []error
	for i, im := range s.images {
		if !slices.Equal(pixels(im.Image), s.pixels[i]) {
			errs = append(errs, fmt.Errorf("image %s: pixels changed", im.ID))
		}
	}
	return limit(errs)
}
