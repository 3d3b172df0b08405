package classifiertest

import (
	"fmt"
	"math"
	"slices"
	"testing"
	"time"

	"github.com/failmodes/prime"
	"github.com/failmodes/prime/internal/kit"
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

// rules returns the kit's checks of s, in order.
func rules(s *state) []kit.Rule {
	return []kit.Rule{
		{Name: "labels", Doc: "the label set is non-empty, its entries non-empty and unique, and the returned slice is the caller's", Check: s.checkLabels},
		{Name: "odd-images", Doc: "Classify accepts any image.Image: offset bounds, 1x1, Gray, Gray16, Paletted, CMYK, NRGBA with alpha, YCbCr", Check: s.CheckOdd},
		{Name: "prediction", Doc: "labels are non-empty and from the label set; scores are not NaN, as many for every image, one per label", Check: s.checkPrediction},
		{Name: "deterministic", Doc: "classifying an image again gives the same result", Check: s.CheckDeterministic},
		{Name: "concurrent", Doc: "concurrent calls give the same results as sequential ones", Check: s.CheckConcurrent},
		{Name: "cancelled", Doc: "with a cancelled context Classify returns promptly an error wrapping context.Canceled", Check: s.CheckCancelled},
		{Name: "owned", Doc: "the returned Scores are the caller's: changing them changes no later result", Check: s.checkOwned},
		{Name: "batch", Doc: "ClassifyBatch returns, per image, what Classify returns for it alone", Check: s.CheckBatch},
		{Name: "image-untouched", Doc: "Classify and ClassifyBatch leave the images they are given unchanged", Check: s.CheckUntouched},
	}
}

// state is what the rules share: the classifier, the images, and each
// image's result from a first, sequential pass.
type state struct {
	*kit.State[prime.Prediction]
	cl     prime.Classifier
	labels map[string]bool // nil when the classifier has no Labels
	nl     int             // len(Labels())
}

func newState(cl prime.Classifier, images []Image) *state {
	s := &state{cl: cl}
	if l, ok := cl.(Labeler); ok {
		s.labels = make(map[string]bool)
		labels := l.Labels()
		s.nl = len(labels)
		for _, t := range labels {
			s.labels[t] = true
		}
	}
	sub := kit.Subject[prime.Prediction]{
		Call:      cl.Classify,
		CallName:  "Classify",
		Timeout:   Timeout,
		BatchName: "ClassifyBatch",
		Clone: func(p prime.Prediction) prime.Prediction {
			p.Scores = slices.Clone(p.Scores)
			return p
		},
		Diff: diff,
	}
	if bc, ok := cl.(prime.BatchClassifier); ok {
		sub.Batch = bc.ClassifyBatch
	}
	all := append(OddImages(), images...)
	kimgs := make([]kit.Image, len(all))
	for i, im := range all {
		kimgs[i] = kit.Image(im)
	}
	s.State = kit.NewState(sub, kimgs)
	return s
}

// TestClassifier checks cl against every rule of the package, with the
// images of OddImages and the given images, and returns an error joining
// one error per rule broken (up to a few per rule), or nil.
func TestClassifier(cl prime.Classifier, images ...Image) error {
	return kit.Join("classifiertest", rules(newState(cl, images)))
}

// Run checks cl against every rule of the package, each in a subtest named
// after the rule, with the images of OddImages and the given images. A
// failing subtest states the rule and what broke it.
func Run(t *testing.T, cl prime.Classifier, images ...Image) {
	t.Helper()
	kit.Run(t, rules(newState(cl, images)))
}

func (s *state) checkLabels() []error {
	l, ok := s.cl.(Labeler)
	if !ok {
		return nil
	}
	return kit.CheckList(l.Labels, "Labels", "label", "classifiertest-changed")
}

func (s *state) checkPrediction() []error {
	var errs []error
	nScores, first := -1, ""
	for _, i := range s.OK() {
		p, id := s.Base[i], s.Images[i].ID
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
	return kit.Limit(errs)
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

func (s *state) checkOwned() []error {
	return s.CheckOwned(func(got prime.Prediction) bool {
		for k := range got.Scores {
			got.Scores[k] = -12345
		}
		return len(got.Scores) > 0
	}, "returned Scores")
}
