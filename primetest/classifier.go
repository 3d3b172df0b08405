package primetest

import (
	"context"
	"fmt"
	"math"
	"slices"

	"github.com/failmodes/prime"
)

func classifierRules(cl prime.Classifier, images []Image) []rule {
	p := plugin[prime.Prediction]{
		call: func(ctx context.Context, im Image) (prime.Prediction, error) {
			return cl.Classify(ctx, im.Image)
		},
		callName:  "Classify",
		batchName: "ClassifyBatch",
		clone: func(p prime.Prediction) prime.Prediction {
			p.Scores = slices.Clone(p.Scores)
			return p
		},
		diff: diffPredictions,
		scribble: func(got prime.Prediction) bool {
			for k := range got.Scores {
				got.Scores[k] = -12345
			}
			return len(got.Scores) > 0
		},
		owned: "the returned Scores",
	}
	if ic, ok := cl.(prime.IDClassifier); ok {
		p.call = func(ctx context.Context, im Image) (prime.Prediction, error) {
			return ic.ClassifyID(ctx, im.ID)
		}
		p.callName = "ClassifyID"
	} else if bc, ok := cl.(prime.BatchClassifier); ok {
		p.batch = bc.ClassifyBatch
	}
	var list func() []string
	var labels []string
	l, hasLabels := cl.(Labeler)
	if hasLabels {
		list, labels = l.Labels, slices.Clone(l.Labels()) // the labels rule writes into the returned slice
	}
	s := newState(p, images)
	return s.rules(
		listRule("labels", "Labels", "label", list),
		rule{"prediction", "labels are non-empty and from the label set; scores are not NaN, as many for every image, one per label", func() []error {
			return checkPredictions(s, labels, hasLabels)
		}},
	)
}

// checkPredictions checks the predictions of the first pass against the
// classifier's labels, when it has them.
func checkPredictions(s *state[prime.Prediction], labels []string, hasLabels bool) []error {
	var errs []error
	nScores, first := -1, ""
	for _, i := range s.ok() {
		p, id := s.base[i], s.images[i].ID
		switch {
		case p.Label == "":
			errs = append(errs, fmt.Errorf("image %s: empty label", id))
		case hasLabels && !slices.Contains(labels, p.Label):
			errs = append(errs, fmt.Errorf("image %s: label %q not in the label set", id, p.Label))
		}
		if slices.ContainsFunc(p.Scores, func(v float32) bool { return math.IsNaN(float64(v)) }) {
			errs = append(errs, fmt.Errorf("image %s: a score is NaN", id))
		}
		switch {
		case nScores < 0:
			nScores, first = len(p.Scores), id
			if hasLabels && nScores > 0 && nScores != len(labels) {
				errs = append(errs, fmt.Errorf("image %s: %d scores for %d labels", id, nScores, len(labels)))
			}
		case len(p.Scores) != nScores:
			errs = append(errs, fmt.Errorf("image %s: %d scores, but image %s has %d", id, len(p.Scores), first, nScores))
		}
	}
	return limit(errs)
}

// diffPredictions describes how got differs from want, or returns "" when
// they are equal; scores may differ by tol.
func diffPredictions(got, want prime.Prediction, tol float64) string {
	if got.Label != want.Label {
		return fmt.Sprintf("label %q, want %q", got.Label, want.Label)
	}
	if len(got.Scores) != len(want.Scores) {
		return fmt.Sprintf("%d scores, want %d", len(got.Scores), len(want.Scores))
	}
	for k := range got.Scores {
		if !near(got.Scores[k], want.Scores[k], tol) {
			return fmt.Sprintf("score %d is %v, want %v", k, got.Scores[k], want.Scores[k])
		}
	}
	return ""
}
