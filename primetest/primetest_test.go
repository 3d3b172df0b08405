package primetest_test

import (
	"context"
	"fmt"
	"image"
	"regexp"
	"slices"
	"testing"
	"testing/synctest"

	"github.com/failmodes/prime"
	"github.com/failmodes/prime/primetest"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// brokenRules returns the rule names the kit's error reports, ascending.
func brokenRules(err error) []string {
	if err == nil {
		return nil
	}
	var names []string
	for _, m := range regexp.MustCompile(`(?m)^primetest: ([a-z-]+):`).FindAllStringSubmatch(err.Error(), -1) {
		names = append(names, m[1])
	}
	slices.Sort(names)
	return slices.Compact(names)
}

// The cases of the rules that hold for any plug-in, run on both fakes.
var commonCases = []struct {
	name   string
	breaks breaks
	batch  bool     // the fake has a batch method
	rules  []string // the rules the kit must report broken, ascending
}{
	{"follows every rule", breaks{}, false, nil},
	{"follows every rule, batching", breaks{}, true, nil},
	{"fails on gray", breaks{failGray: true}, false, []string{"odd-images"}},
	{"nondeterministic", breaks{nondeterministic: true}, false, []string{"concurrent", "deterministic", "owned"}},
	{"wrong under concurrent calls", breaks{racy: true}, false, []string{"concurrent"}},
	{"ignores cancellation", breaks{ignoreCancel: true}, false, []string{"cancelled"}},
	{"cancellation error not wrapped", breaks{unwrappedCancel: true}, false, []string{"cancelled"}},
	{"returns a shared result", breaks{shared: true}, false, []string{"owned"}},
	{"batch differs", breaks{batchDiffers: true}, true, []string{"batch"}},
	{"batch short", breaks{batchShort: true}, true, []string{"batch"}},
	{"writes into the image", breaks{scribble: true}, false, []string{"image-untouched"}},
}

// A ruleCase is the kit on a plug-in that breaks some rules on purpose.
type ruleCase struct {
	name  string
	check func() error // the kit on the plug-in
	rules []string     // the rules the kit must report broken, ascending
}

func tagCase(name string, tg prime.Tagger, rules ...string) ruleCase {
	return ruleCase{"tagger/" + name, func() error { return primetest.TestTagger(tg) }, rules}
}

func classCase(name string, cl prime.Classifier, rules ...string) ruleCase {
	return ruleCase{"classifier/" + name, func() error { return primetest.TestClassifier(cl) }, rules}
}

func TestCatchesEachRule(t *testing.T) {
	var cases []ruleCase
	for _, c := range commonCases {
		tg, cl := prime.Tagger(newTagFake(c.breaks)), prime.Classifier(newClassFake(c.breaks))
		if c.batch {
			tg, cl = batchTagFake{newTagFake(c.breaks)}, batchClassFake{newClassFake(c.breaks)}
		}
		cases = append(cases, tagCase(c.name, tg, c.rules...), classCase(c.name, cl, c.rules...))
	}
	cases = append(cases,
		tagCase("follows every rule, no vocabulary", noVocab{newTagFake(breaks{})}),
		tagCase("empty vocabulary", newTagFake(breaks{emptyVocab: true}), "tags", "vocabulary"),
		tagCase("repeated vocabulary entry", newTagFake(breaks{dupVocab: true}), "vocabulary"),
		tagCase("vocabulary slice shared", newTagFake(breaks{sharedVocab: true}), "vocabulary"),
		tagCase("tag not in vocabulary", newTagFake(breaks{outOfVocab: true}), "tags"),
		tagCase("tag repeated", newTagFake(breaks{repeat: true}), "tags"),
		tagCase("score above 1", newTagFake(breaks{badScore: true}), "tags"),
		tagCase("follows every rule, tags marked Below", floorTagFake{newTagFake(breaks{below: true}), 0.0005}),
		tagCase("tags marked Below, no ScoreFloor", newTagFake(breaks{below: true}), "tags"),
		tagCase("tags marked Below at or under the floor", floorTagFake{newTagFake(breaks{below: true}), 0.9}, "tags"),
		tagCase("ScoreFloor above 1", floorTagFake{newTagFake(breaks{}), 1.5}, "tags"),
		classCase("follows every rule, no labels", noLabels{newClassFake(breaks{})}),
		classCase("empty label set", newClassFake(breaks{emptyLabels: true}), "labels", "prediction"),
		classCase("repeated label", newClassFake(breaks{dupLabels: true}), "labels", "prediction"),
		classCase("label slice shared", newClassFake(breaks{sharedLabels: true}), "labels"),
		classCase("label not in set", newClassFake(breaks{outOfSet: true}), "prediction"),
		classCase("empty label", newClassFake(breaks{emptyLabel: true}), "prediction"),
		classCase("NaN score", newClassFake(breaks{nanScore: true}), "prediction"),
		classCase("scores of varying length", newClassFake(breaks{extraScore: true}), "prediction"),
	)
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			synctest.Test(t, func(t *testing.T) {
				err := tc.check()
				assert.Equal(t, tc.rules, brokenRules(err), "%v", err)
			})
		})
	}
}

func TestRunOnFakes(t *testing.T) {
	extra := []primetest.Image{{ID: "mine/black", Image: image.NewGray(image.Rect(0, 0, 8, 8))}}
	primetest.RunTagger(t, newTagFake(breaks{}), extra...)
	primetest.RunTagger(t, batchTagFake{newTagFake(breaks{})}, extra...)
	primetest.RunClassifier(t, newClassFake(breaks{}), extra...)
	primetest.RunClassifier(t, batchClassFake{newClassFake(breaks{})}, extra...)
}

func TestOddImages(t *testing.T) {
	a, b := primetest.OddImages(), primetest.OddImages()
	require.Equal(t, a, b, "the same pixels on every call")
	ids := map[string]bool{}
	for _, im := range a {
		assert.False(t, ids[im.ID], "repeated id %s", im.ID)
		ids[im.ID] = true
		assert.Regexp(t, `^primetest/`, im.ID)
		assert.False(t, im.Image.Bounds().Empty(), im.ID)
	}
	a[0].Image.(*image.RGBA).Pix[0]++
	assert.NotEqual(t, a[0].Image, primetest.OddImages()[0].Image, "each call's images are new")
}

// The error lists the rules a deliberately broken tagger breaks.
func ExampleTestTagger() {
	err := primetest.TestTagger(newTagFake(breaks{badScore: true}))
	fmt.Println(brokenRules(err))
	// Output: [tags]
}

// The error lists the rules a deliberately broken classifier breaks.
func ExampleTestClassifier() {
	err := primetest.TestClassifier(newClassFake(breaks{outOfSet: true}))
	fmt.Println(brokenRules(err))
	// Output: [prediction]
}

func TestMapTagger(t *testing.T) {
	m := primetest.MapTagger{"mine": {"fox", "snow"}}
	for i, im := range primetest.OddImages() {
		m[im.ID] = []string{"fox", fmt.Sprint("n", i%2)}
	}
	primetest.RunTagger(t, m, primetest.Image{ID: "mine", Image: image.NewGray(image.Rect(0, 0, 2, 2))})
	assert.Equal(t, []string{"fox", "n0", "n1", "snow"}, m.Vocabulary())

	var _ prime.IDTagger = m
	_, err := m.Tag(context.Background(), nil)
	assert.EqualError(t, err, "primetest: MapTagger looks tags up by image id: call TagID")
	_, err = m.TagID(context.Background(), "other")
	assert.EqualError(t, err, `primetest: MapTagger: no image "other"`)
}

func TestMapClassifier(t *testing.T) {
	m := primetest.MapClassifier{"mine": "fox"}
	for i, im := range primetest.OddImages() {
		m[im.ID] = []string{"fox", "wolf"}[i%2]
	}
	primetest.RunClassifier(t, m, primetest.Image{ID: "mine", Image: image.NewGray(image.Rect(0, 0, 2, 2))})
	assert.Equal(t, []string{"fox", "wolf"}, m.Labels())

	var _ prime.IDClassifier = m
	_, err := m.Classify(context.Background(), nil)
	assert.EqualError(t, err, "primetest: MapClassifier looks predictions up by image id: call ClassifyID")
	_, err = m.ClassifyID(context.Background(), "other")
	assert.EqualError(t, err, `primetest: MapClassifier: no image "other"`)
}
