package main

import (
	"encoding/json"
	"fmt"
	"math/rand/v2"
	"os"
	"path/filepath"
	"slices"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/failmodes/prime"
)

// scoresFixture is a run fixture with an ONNX tagger of five tags and an
// ONNX classifier of the classes cat and dog.
type scoresFixture struct {
	*runFixture
	tagger, vocab, classifier, labels string
}

func newScoresFixture(t *testing.T) *scoresFixture {
	f := &scoresFixture{runFixture: newRunFixture(t, 20)}
	f.tagger = writeTagger(t, filepath.Join(f.dir, "tagger.onnx"), rand.New(rand.NewPCG(4, 2)))
	f.vocab = filepath.Join(f.dir, "vocab.txt")
	require.NoError(t, os.WriteFile(f.vocab, []byte("red\ngreen\nblue\nstripes\nsquare\n"), 0o644))
	f.classifier, f.labels = writeClassifier(t, f.dir, "cat", "dog")
	return f
}

// run runs prime run with the models on the fixture's images, writing
// records, with more flags, and returns its standard output.
func (f *scoresFixture) run(t *testing.T, records string, more ...string) string {
	t.Helper()
	args := slices.Concat([]string{"run", "-images", f.images, "-records", records, "-tagger", f.tagger, "-vocab", f.vocab,
		"-tagger-output", "probabilities", "-classifier", f.classifier, "-labels", f.labels}, mineLax, more)
	code, stdout, stderr := runPrime(t, "", args...)
	require.Equal(t, exitOK, code, stderr)
	return stdout
}

// mineLax are mining flags under which every tag set of 3 records or more
// is a mode: the report lists them all, and so shows any change of tags.
var mineLax = []string{"-min-size", "3", "-min-drop", "0", "-min-marginal-drop", "0", "-fdr", "1", "-bootstrap", "0", "-format", "jsonl"}

// thresholdsFile writes per-tag thresholds for the fixture's vocabulary.
func (f *scoresFixture) thresholdsFile(t *testing.T, name string, values ...float32) string {
	path := filepath.Join(f.dir, name)
	var s string
	for _, v := range values {
		s += fmt.Sprintf("%v\n", v)
	}
	require.NoError(t, os.WriteFile(path, []byte(s), 0o644))
	return path
}

// A run that keeps scores above a floor, mined again at other thresholds
// (prime mine -threshold, -thresholds), gives the report of a fresh run
// at those thresholds; its records, re-thresholded, are the fresh run's.
func TestRunThenMineAtOtherThresholds(t *testing.T) {
	f := newScoresFixture(t)
	first := filepath.Join(f.dir, "first.jsonl")
	ram := f.thresholdsFile(t, "ram.txt", 0.65, 0.65, 0.8, 0.5, 0.9)
	args := slices.Concat([]string{"run", "-images", f.images, "-records", first, "-tagger", f.tagger, "-vocab", f.vocab,
		"-tagger-output", "probabilities", "-classifier", f.classifier, "-labels", f.labels, "-thresholds", ram, "-tag-floor", "0.2"}, mineLax)
	code, _, stderr := runPrime(t, "", args...)
	require.Equal(t, exitOK, code, stderr)
	assert.Contains(t, stderr, "prime run: scores kept a record: 5.0 of tags, 2.0 of classes\nprime run: 40 records written to "+first+"\n")
	_, recs := readRecordIDs(t, first)
	require.Len(t, recs, len(f.ids))
	below := 0
	for _, r := range recs {
		require.NotNil(t, r.TagScores, r.ID)
		assert.Equal(t, float32(0.2), r.TagFloor)
		require.Len(t, r.PredScores, 2, "as many as the labels: every class score")
		assert.Equal(t, r.Predicted, r.PredScores[0].Name, "the prediction scores highest")
		below += len(r.TagScores) - len(r.Tags)
	}
	require.Positive(t, below, "scores below the thresholds are kept")
	code, asRun, stderr := runPrime(t, "", slices.Concat([]string{"mine", first}, mineLax)...)
	require.Equal(t, exitOK, code, stderr)

	for _, tc := range []struct {
		name      string
		run, mine []string
	}{
		{"one threshold", []string{"-threshold", "0.3"}, []string{"-threshold", "0.3"}},
		{"the floor", []string{"-threshold", "0.2"}, []string{"-threshold", "0.2"}},
		{"per tag", []string{"-thresholds", f.thresholdsFile(t, "low.txt", 0.3, 0.45, 0.2, 0.6, 0.25)},
			[]string{"-thresholds", filepath.Join(f.dir, "low.txt"), "-vocab", f.vocab}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			fresh := filepath.Join(f.dir, tc.name+".jsonl") // beside first: the same image paths
			want := f.run(t, fresh, slices.Concat(tc.run, []string{"-tag-floor", "0.2"})...)
			require.Contains(t, want, `"label"`, "modes to compare")
			require.NotEqual(t, asRun, want, "other thresholds, other tags")
			code, got, stderr := runPrime(t, "", slices.Concat([]string{"mine", first}, mineLax, tc.mine)...)
			require.Equal(t, exitOK, code, stderr)
			assert.Equal(t, want, got)

			_, freshRecs := readRecordIDs(t, fresh)
			var th *prime.Thresholds
			var err error
			if tc.mine[0] == "-threshold" {
				th, err = prime.UniformThreshold(map[string]float32{"0.3": 0.3, "0.2": 0.2}[tc.mine[1]])
			} else {
				th, err = prime.NewThresholds([]string{"red", "green", "blue", "stripes", "square"}, []float32{0.3, 0.45, 0.2, 0.6, 0.25})
			}
			require.NoError(t, err)
			again := slices.Clone(recs)
			require.NoError(t, prime.Rethreshold(again, th))
			assert.Equal(t, freshRecs, again)
		})
	}

	// What the run's provenance says it kept.
	var p provenance
	data, err := os.ReadFile(first + provenanceSuffix)
	require.NoError(t, err)
	require.NoError(t, json.Unmarshal(data, &p))
	assert.Equal(t, "the record's tags' and every other above 0.2", p.Settings[tagScoresSetting])
	assert.Equal(t, "all 2", p.Settings[predScoresSetting])
}

func TestMineThresholdsRefused(t *testing.T) {
	f := newScoresFixture(t)
	records := filepath.Join(f.dir, "records.jsonl")
	f.run(t, records, "-threshold", "0.5", "-tag-floor", "0.25", "-no-mine")
	plain := filepath.Join(f.dir, "plain.jsonl")
	require.NoError(t, os.WriteFile(plain, []byte(`{"id":"a","label":"cat","pred":"cat","tags":["red"]}`+"\n"), 0o644))
	short := f.thresholdsFile(t, "short.txt", 0.5, 0.5)
	for _, tt := range []struct {
		name string
		args []string
		want string
	}{
		{"below the floor", []string{records, "-threshold", "0.2"},
			`records.jsonl:1: field "tag_floor": tag scores were kept above 0.25 only, so no tag can be decided at the threshold 0.2`},
		{"a tag's threshold below the floor", []string{records, "-thresholds", f.thresholdsFile(t, "th.txt", 0.5, 0.5, 0.5, 0.5, 0.5, 0.1),
			"-vocab", writeFile(t, "six.txt", "red\ngreen\nblue\nstripes\nsquare\nunseen\n")},
			`records.jsonl:1: field "tag_floor": tag scores were kept above 0.25 only, so "unseen" cannot be decided at its threshold 0.1`},
		{"records without scores", []string{plain, "-threshold", "0.5"},
			`plain.jsonl:1: field "tag_scores": missing: a record's tags are decided again from the scores it keeps`},
		{"a tag without a threshold", []string{records, "-thresholds", f.thresholdsFile(t, "two.txt", 0.5, 0.5), "-vocab", writeFile(t, "two.txt", "red\ngreen\n")},
			`field "tag_scores": "`},
		{"both", []string{records, "-threshold", "0.5", "-thresholds", short, "-vocab", f.vocab}, "not both"},
		{"no vocabulary", []string{records, "-thresholds", short}, "-thresholds needs -vocab FILE"},
		{"no thresholds", []string{records, "-vocab", f.vocab}, "-vocab is the tags of -thresholds FILE: give both"},
		{"lengths", []string{records, "-thresholds", short, "-vocab", f.vocab}, "has 2 values, but -vocab"},
		{"out of range", []string{records, "-threshold", "1.5"}, "-threshold 1.5 out of range: want 0 to 1"},
	} {
		t.Run(tt.name, func(t *testing.T) {
			code, _, stderr := runPrime(t, "", append([]string{"mine"}, tt.args...)...)
			assert.Equal(t, exitBad, code)
			assert.Contains(t, stderr, tt.want)
		})
	}
}

func TestRunScoreFlags(t *testing.T) {
	f := newScoresFixture(t)
	model := []string{"-tagger", f.tagger, "-vocab", f.vocab, "-tagger-output", "probabilities", "-classifier", f.classifier, "-labels", f.labels}
	for _, tt := range []struct {
		name string
		args []string
		want string
	}{
		{"floor 0", append(slices.Clone(model), "-tag-floor", "0"), `invalid value "0" for flag -tag-floor: want a number above 0, at most 1, or none`},
		{"floor above 1", append(slices.Clone(model), "-tag-floor", "1.5"), `invalid value "1.5" for flag -tag-floor`},
		{"negative class scores", append(slices.Clone(model), "-pred-scores", "-1"), "-pred-scores -1 out of range"},
		{"a floor of precomputed tags", []string{"-tags", f.tags, "-preds", f.preds, "-tag-floor", "0.5"}, "-tag-floor keeps the scores of -tagger MODEL"},
		{"scores of precomputed predictions", []string{"-tags", f.tags, "-preds", f.preds, "-pred-scores", "3"}, "-pred-scores keeps the scores of -classifier MODEL"},
	} {
		t.Run(tt.name, func(t *testing.T) {
			code, _, stderr := runPrime(t, "", slices.Concat([]string{"run", "-images", f.images, "-records", f.records}, tt.args)...)
			assert.Equal(t, exitBad, code)
			assert.Contains(t, stderr, tt.want)
		})
	}

	// Scores kept as the flags say.
	for _, tt := range []struct {
		flags      []string
		tagScores  bool
		floor      float32
		predScores int
		setting    [2]string
	}{
		{[]string{"-threshold", "0.5", "-tag-floor", "none", "-pred-scores", "0"}, false, 0, 0, [2]string{"none", "none"}},
		{[]string{"-threshold", "0.5", "-tag-floor", "1", "-pred-scores", "1"}, true, 1, 1, [2]string{"the record's tags' only", "the 1 highest"}},
		{[]string{"-threshold", "0.5"}, true, 0.2, 2, [2]string{"the record's tags' and every other above 0.2", "all 2"}},
	} {
		records := filepath.Join(t.TempDir(), "records.jsonl")
		f.run(t, records, append(tt.flags, "-no-mine")...)
		_, recs := readRecordIDs(t, records)
		for _, r := range recs {
			assert.Equal(t, tt.tagScores, r.TagScores != nil, "%v", tt.flags)
			assert.Equal(t, tt.floor, r.TagFloor, "%v", tt.flags)
			assert.Len(t, r.PredScores, tt.predScores, "%v", tt.flags)
		}
		var p provenance
		data, err := os.ReadFile(records + provenanceSuffix)
		require.NoError(t, err)
		require.NoError(t, json.Unmarshal(data, &p))
		assert.Equal(t, tt.setting, [2]string{p.Settings[tagScoresSetting], p.Settings[predScoresSetting]})
	}
}

// A records file whose provenance was written before records kept scores
// resumes when it keeps none, and is refused otherwise.
func TestResumeProvenanceWithoutScores(t *testing.T) {
	f := newScoresFixture(t)
	records := filepath.Join(f.dir, "records.jsonl")
	f.run(t, records, "-threshold", "0.5", "-tag-floor", "none", "-pred-scores", "0", "-no-mine")
	var p provenance
	data, err := os.ReadFile(records + provenanceSuffix)
	require.NoError(t, err)
	require.NoError(t, json.Unmarshal(data, &p))
	delete(p.Settings, tagScoresSetting)
	delete(p.Settings, predScoresSetting)
	old, err := json.Marshal(p)
	require.NoError(t, err)
	require.NoError(t, os.WriteFile(records+provenanceSuffix, old, 0o644))
	lines, _ := os.ReadFile(records)
	require.NoError(t, os.WriteFile(records, lines[:len(lines)/2], 0o644)) // some images to do again

	args := []string{"run", "-images", f.images, "-records", records, "-tagger", f.tagger, "-vocab", f.vocab,
		"-tagger-output", "probabilities", "-classifier", f.classifier, "-labels", f.labels, "-threshold", "0.5", "-no-mine"}
	code, _, stderr := runPrime(t, "", args...)
	assert.Equal(t, exitBad, code)
	assert.Contains(t, stderr, "tag scores kept (-tag-floor): was none, now the record's tags' and every other above 0.2")
	assert.Contains(t, stderr, "class scores kept (-pred-scores): was none, now all 2")

	code, _, stderr = runPrime(t, "", append(args, "-tag-floor", "none", "-pred-scores", "0")...)
	require.Equal(t, exitOK, code, stderr)
	ids, _ := readRecordIDs(t, records)
	assert.Len(t, ids, len(f.ids))
}
