package taggertest

import (
	"fmt"
	"math"
	"slices"
	"testing"
	"time"

	"github.com/failmodes/prime"
	"github.com/failmodes/prime/internal/kit"
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

// rules returns the kit's checks of s, in order.
func rules(s *state) []kit.Rule {
	return []kit.Rule{
		{Name: "vocabulary", Doc: "the vocabulary is non-empty, its entries non-empty and unique, and the returned slice is the caller's", Check: s.checkVocabulary},
		{Name: "odd-images", Doc: "Tag accepts any image.Image: offset bounds, 1x1, Gray, Gray16, Paletted, CMYK, NRGBA with alpha, YCbCr", Check: s.CheckOdd},
		{Name: "tags", Doc: "tag names are non-empty, unique within a result and from the vocabulary; scores are in [0, 1]", Check: s.checkTags},
		{Name: "deterministic", Doc: "tagging an image again gives the same result", Check: s.CheckDeterministic},
		{Name: "concurrent", Doc: "concurrent calls give the same results as sequential ones", Check: s.CheckConcurrent},
		{Name: "cancelled", Doc: "with a cancelled context Tag returns promptly an error wrapping context.Canceled", Check: s.CheckCancelled},
		{Name: "owned", Doc: "the returned slice is the caller's: changing it changes no later result", Check: s.checkOwned},
		{Name: "batch", Doc: "TagBatch returns, per image, what Tag returns for it alone", Check: s.CheckBatch},
		{Name: "image-untouched", Doc: "Tag and TagBatch leave the images they are given unchanged", Check: s.CheckUntouched},
	}
}

// state is what the rules share: the tagger, the images, and each image's
// result from a first, sequential pass.
type state struct {
	*kit.State[[]prime.Tag]
	tg    prime.Tagger
	vocab map[string]bool // nil when the tagger has no Vocabulary
}

func newState(tg prime.Tagger, images []Image) *state {
	s := &state{tg: tg}
	if v, ok := tg.(Vocabularer); ok {
		s.vocab = make(map[string]bool)
		for _, t := range v.Vocabulary() {
			s.vocab[t] = true
		}
	}
	sub := kit.Subject[[]prime.Tag]{
		Call:      tg.Tag,
		CallName:  "Tag",
		Timeout:   Timeout,
		BatchName: "TagBatch",
		Clone:     slices.Clone[[]prime.Tag],
		Diff:      diff,
	}
	if bt, ok := tg.(prime.BatchTagger); ok {
		sub.Batch = bt.TagBatch
	}
	all := append(OddImages(), images...)
	kimgs := make([]kit.Image, len(all))
	for i, im := range all {
		kimgs[i] = kit.Image(im)
	}
	s.State = kit.NewState(sub, kimgs)
	return s
}

// TestTagger checks tg against every rule of the package, with the images
// of OddImages and the given images, and returns an error joining one
// error per rule broken (up to a few per rule), or nil.
func TestTagger(tg prime.Tagger, images ...Image) error {
	return kit.Join("taggertest", rules(newState(tg, images)))
}

// Run checks tg against every rule of the package, each in a subtest named
// after the rule, with the images of OddImages and the given images. A
// failing subtest states the rule and what broke it.
func Run(t *testing.T, tg prime.Tagger, images ...Image) {
	t.Helper()
	kit.Run(t, rules(newState(tg, images)))
}

func (s *state) checkVocabulary() []error {
	v, ok := s.tg.(Vocabularer)
	if !ok {
		return nil
	}
	return kit.CheckList(v.Vocabulary, "Vocabulary", "entry", "taggertest-changed")
}

func (s *state) checkTags() []error {
	var errs []error
	for _, i := range s.OK() {
		seen := make(map[string]bool)
		for _, t := range s.Base[i] {
			switch {
			case t.Name == "":
				errs = append(errs, fmt.Errorf("image %s: empty tag name", s.Images[i].ID))
			case seen[t.Name]:
				errs = append(errs, fmt.Errorf("image %s: tag %q repeated", s.Images[i].ID, t.Name))
			case s.vocab != nil && !s.vocab[t.Name]:
				errs = append(errs, fmt.Errorf("image %s: tag %q not in the vocabulary", s.Images[i].ID, t.Name))
			}
			seen[t.Name] = true
			if !(t.Score >= 0 && t.Score <= 1) {
				errs = append(errs, fmt.Errorf("image %s: tag %q: score %v outside [0, 1]", s.Images[i].ID, t.Name, t.Score))
			}
		}
	}
	return kit.Limit(errs)
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

func (s *state) checkOwned() []error {
	return s.CheckOwned(func(got []prime.Tag) bool {
		for k := range got {
			got[k] = prime.Tag{Name: "taggertest-changed", Score: 0.5}
		}
		return len(got) > 0
	}, "a returned slice")
}
