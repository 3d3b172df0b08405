package primetest

import (
	"context"
	"fmt"
	"math"
	"slices"
	"testing"

	"github.com/failmodes/prime"
)

// A Vocabularer is a Tagger that can list the tags it may return. It is
// optional: the kit checks the vocabulary, and that every tag is in it,
// only for taggers that have the method. Vocabulary returns a new slice on
// every call.
type Vocabularer interface {
	Vocabulary() []string
}

// TestTagger checks tg against every rule for taggers, with the images of
// OddImages and the given images, and returns an error joining one error
// per rule broken (up to a few per rule), or nil.
func TestTagger(tg prime.Tagger, images ...Image) error {
	return join(taggerRules(tg, images))
}

// RunTagger checks tg against every rule for taggers, each in a subtest
// named after the rule, with the images of OddImages and the given images.
// A failing subtest states the rule and what broke it.
func RunTagger(t *testing.T, tg prime.Tagger, images ...Image) {
	t.Helper()
	run(t, taggerRules(tg, images))
}

func taggerRules(tg prime.Tagger, images []Image) []rule {
	p := plugin[[]prime.Tag]{
		call: func(ctx context.Context, im Image) ([]prime.Tag, error) {
			return tg.Tag(ctx, im.Image)
		},
		callName:  "Tag",
		batchName: "TagBatch",
		clone:     slices.Clone[[]prime.Tag],
		diff:      diffTags,
		scribble: func(got []prime.Tag) bool {
			for k := range got {
				got[k] = prime.Tag{Name: "primetest-changed", Score: 0.5}
			}
			return len(got) > 0
		},
		owned: "the returned slice",
	}
	if it, ok := tg.(prime.IDTagger); ok {
		p.call = func(ctx context.Context, im Image) ([]prime.Tag, error) {
			return it.TagID(ctx, im.ID)
		}
		p.callName = "TagID"
	} else if bt, ok := tg.(prime.BatchTagger); ok {
		p.batch = bt.TagBatch
	}
	v, hasVocab := tg.(Vocabularer)
	var vocab map[string]bool
	if hasVocab {
		vocab = make(map[string]bool)
		for _, t := range v.Vocabulary() {
			vocab[t] = true
		}
	}
	s := newState(p, images)
	return s.rules(
		rule{"vocabulary", "the vocabulary is non-empty, its entries non-empty and unique, and the returned slice is the caller's", func() []error {
			if !hasVocab {
				return nil
			}
			return checkList(v.Vocabulary, "Vocabulary", "entry")
		}},
		rule{"tags", "tag names are non-empty, unique within a result and from the vocabulary; scores are in [0, 1]", func() []error {
			return checkTags(s, vocab)
		}},
	)
}

// checkTags checks the tags of the first pass; vocab is nil when the
// tagger has no Vocabulary.
func checkTags(s *state[[]prime.Tag], vocab map[string]bool) []error {
	var errs []error
	for _, i := range s.ok() {
		id := s.images[i].ID
		seen := make(map[string]bool)
		for _, t := range s.base[i] {
			switch {
			case t.Name == "":
				errs = append(errs, fmt.Errorf("image %s: empty tag name", id))
			case seen[t.Name]:
				errs = append(errs, fmt.Errorf("image %s: tag %q repeated", id, t.Name))
			case vocab != nil && !vocab[t.Name]:
				errs = append(errs, fmt.Errorf("image %s: tag %q not in the vocabulary", id, t.Name))
			}
			seen[t.Name] = true
			if !(t.Score >= 0 && t.Score <= 1) {
				errs = append(errs, fmt.Errorf("image %s: tag %q: score %v outside [0, 1]", id, t.Name, t.Score))
			}
		}
	}
	return limit(errs)
}

// diffTags describes how got differs from want, or returns "" when they
// are equal; scores may differ by tol.
func diffTags(got, want []prime.Tag, tol float64) string {
	if len(got) != len(want) {
		return fmt.Sprintf("%d tags %v, want %d %v", len(got), got, len(want), want)
	}
	for i := range got {
		if got[i].Name != want[i].Name || !near(got[i].Score, want[i].Score, tol) {
			return fmt.Sprintf("tag %d is %v, want %v", i, got[i], want[i])
		}
	}
	return ""
}

// near reports whether two scores differ by at most tol, NaN being equal
// only to NaN.
func near(a, b float32, tol float64) bool {
	if math.IsNaN(float64(a)) || math.IsNaN(float64(b)) {
		return math.IsNaN(float64(a)) == math.IsNaN(float64(b))
	}
	return math.Abs(float64(a)-float64(b)) <= tol
}
