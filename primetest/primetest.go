package primetest

import (
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

// A Labeler is a Classifier that can list the labels it may predict, in
// the order of its Prediction.Scores. It is optional: the kit checks the
// label set, and that every prediction is in it, only for classifiers that
// have the method. Labels returns a new slice on every call.
type Labeler interface {
	Labels() []string
}

// TestTagger checks tg against every rule for taggers, with the images of
// OddImages and the given images, and returns an error joining one error
// per rule broken (up to a few per rule), or nil.
func TestTagger(tg prime.Tagger, images ...Image) error {
	return join(taggerRules(tg, images))
}

// TestClassifier checks cl against every rule for classifiers, with the
// images of OddImages and the given images, and returns an error joining
// one error per rule broken (up to a few per rule), or nil.
func TestClassifier(cl prime.Classifier, images ...Image) error {
	return join(classifierRules(cl, images))
}

// RunTagger checks tg against every rule for taggers, each in a subtest
// named after the rule, with the images of OddImages and the given images.
// A failing subtest states the rule and what broke it.
func RunTagger(t *testing.T, tg prime.Tagger, images ...Image) {
	t.Helper()
	run(t, taggerRules(tg, images))
}

// RunClassifier checks cl against every rule for classifiers, each in a
// subtest named after the rule, with the images of OddImages and the
// given images. A failing subtest states the rule and what broke it.
func RunClassifier(t *testing.T, cl prime.Classifier, images ...Image) {
	t.Helper()
	run(t, classifierRules(cl, images))
}
