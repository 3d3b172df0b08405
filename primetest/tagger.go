package primetest

import (
	"context"
	"fmt"
	"math"
	"slices"

	"github.com/failmodes/prime"
)

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
	var list func() []string
	var vocab map[string]bool // nil without a vocabulary
	if v, ok := tg.(Vocabularer); ok {
		list, vocab = v.Vocabulary, make(map[string]bool)
		for _, t := range v.Vocabulary() {
			vocab[t] = true
		}
	}
	s := newState(p, images)
	floorer, _ := tg.(prime.ScoreFloorer)
	return s.rules(
		listRule("vocabulary", "Vocabulary", "entry", list),
		rule{"tags", "tag names are non-empty, unique within a result and from the vocabulary; scores are in [0, 1]; " +
			"tags marked Below come from a ScoreFloorer and score above its floor, in [0, 1]", func() []error {
			return checkTags(s, vocab, floorer)
		}},
	)
}

// checkTags checks the tags of the first pass; vocab is nil when the
// tagger has no Vocabulary, floorer when it is no prime.ScoreFloorer.
func checkTags(s *state[[]prime.Tag], vocab map[string]bool, floorer prime.ScoreFloorer) []error {
	var errs []error
	floor := float32(1)
	if floorer != nil {
		if floor = floorer.ScoreFloor(); !(floor >= 0 && floor <= 1) {
			errs = append(errs, fmt.Errorf("ScoreFloor returns %v, outside [0, 1]", floor))
		}
	}
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
			switch {
			case t.Below && floorer == nil:
				errs = append(errs, fmt.Errorf("image %s: tag %q is marked Below, but the tagger has no ScoreFloor method", id, t.Name))
			case t.Below && !(t.Score > floor):
				errs = append(errs, fmt.Errorf("image %s: tag %q is marked Below with score %v, not above the floor %v", id, t.Name, t.Score, floor))
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
		if got[i].Name != want[i].Name || got[i].Below != want[i].Below || !near(got[i].Score, want[i].Score, tol) {
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
