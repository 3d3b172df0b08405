package tagger_test

import (
	"cmp"
	"context"
	"fmt"
	"image"
	"math/rand/v2"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/failmodes/prime"
	"github.com/failmodes/prime/internal/onnxfile"
	"github.com/failmodes/prime/internal/onnxtest"
	"github.com/failmodes/prime/onnx"
	"github.com/failmodes/prime/preprocess"
	"github.com/failmodes/prime/tagger"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

const (
	ramTags       = "../testdata/ram/ram_tag_list.txt"
	ramThresholds = "../testdata/ram/ram_tag_list_threshold.txt"
)

// defaultTensor is img preprocessed the default way (ImageNet's mean and
// std on [0, 1] values), for the plain-Go model.
func defaultTensor(t testing.TB, img image.Image, channels, size int) []float32 {
	x, err := preprocess.Transform{}.Tensor(img, channels, size, size)
	require.NoError(t, err)
	return x
}

func vocabulary(n int) []string {
	v := make([]string, n)
	for i := range v {
		v[i] = fmt.Sprintf("tag %d", i)
	}
	return v
}

// wantTags selects and orders tags from probabilities as the tagger must.
func wantTags(vocab []string, probs, thresholds []float32) []prime.Tag {
	var tags []prime.Tag
	for i, p := range probs {
		if p > thresholds[i] {
			tags = append(tags, prime.Tag{Name: vocab[i], Score: p})
		}
	}
	slices.SortStableFunc(tags, func(a, b prime.Tag) int {
		switch {
		case a.Score > b.Score:
			return -1
		case a.Score < b.Score:
			return 1
		}
		return 0
	})
	return tags
}

func requireTags(t *testing.T, want, got []prime.Tag) {
	t.Helper()
	require.Len(t, got, len(want), "want %v, got %v", want, got)
	for i := range want {
		require.Equal(t, want[i].Name, got[i].Name, "tag %d: want %v, got %v", i, want, got)
		require.InDelta(t, want[i].Score, got[i].Score, 1e-5)
	}
}

func TestONNXMatchesPlainGo(t *testing.T) {
	const n = 12
	vocab := vocabulary(n)
	tests := []struct {
		name   string
		cfg    onnxfile.CNNConfig
		output onnx.Output
	}{
		{"logits", onnxfile.CNNConfig{Channels: 3, Size: 16, Filters1: 4, Filters2: 6, Outputs: n}, onnx.Logits},
		{"sigmoid", onnxfile.CNNConfig{Channels: 3, Size: 16, Filters1: 4, Filters2: 6, Outputs: n, Head: "Sigmoid"}, onnx.Probabilities},
		{"gemm", onnxfile.CNNConfig{Channels: 3, Size: 12, Filters1: 3, Filters2: 5, Outputs: n, Gemm: true}, onnx.Logits},
		{"gemm sigmoid", onnxfile.CNNConfig{Channels: 3, Size: 12, Filters1: 3, Filters2: 5, Outputs: n, Gemm: true, Head: "Sigmoid"}, onnx.Probabilities},
		{"batch", onnxfile.CNNConfig{Channels: 3, Size: 12, Filters1: 3, Filters2: 5, Outputs: n, Batch: true}, onnx.Logits},
	}
	for _, tt := range tests {
		for _, rt := range onnxtest.Runtimes(t) {
			t.Run(tt.name+"/"+rt, func(t *testing.T) {
				path, cnn := onnxtest.WriteCNN(t, 9, tt.cfg)
				rng := rand.New(rand.NewPCG(3, 4))
				thresholds := make([]float32, n)
				for i := range thresholds {
					thresholds[i] = float32(rng.Float64())
				}
				tg, err := tagger.NewONNX(path, &tagger.ONNXOptions{Vocabulary: vocab, Thresholds: thresholds, Output: tt.output, Engine: onnx.Engine{Workers: 2, Runtime: rt}})
				require.NoError(t, err)
				defer tg.Close()
				require.Equal(t, rt, tg.Runtime())
				imgs := []image.Image{onnxtest.RandomImage(rng, 0, 0, tt.cfg.Size, tt.cfg.Size), onnxtest.RandomImage(rng, 7, -3, tt.cfg.Size, tt.cfg.Size)}
				onnxtest.CheckCalls(t, imgs, func(i int, img image.Image) []prime.Tag {
					probs := cnn.Forward(defaultTensor(t, img, 3, tt.cfg.Size))
					if tt.output == onnx.Logits {
						onnxfile.Sigmoid(probs)
					}
					scores, err := tg.Scores(context.Background(), img)
					require.NoError(t, err)
					for j := range probs {
						require.InDelta(t, probs[j], scores[j], 1e-5, "call %d score %d", i, j)
					}
					got, err := tg.Tag(context.Background(), img)
					require.NoError(t, err)
					requireTags(t, wantTags(vocab, probs, thresholds), got)
					return got
				}, tg.TagBatch)
			})
		}
	}
}

func TestONNXThresholdModes(t *testing.T) {
	const n = 8
	vocab := vocabulary(n)
	path, cnn := onnxtest.WriteCNN(t, 4, onnxfile.CNNConfig{Channels: 3, Size: 8, Filters1: 3, Filters2: 4, Outputs: n, Head: "Sigmoid"})
	img := onnxtest.RandomImage(rand.New(rand.NewPCG(1, 1)), 0, 0, 8, 8)
	probs := cnn.Forward(defaultTensor(t, img, 3, 8))
	same := func(v float32) []float32 {
		s := make([]float32, n)
		for i := range s {
			s[i] = v
		}
		return s
	}
	// A threshold just below each probability tags everything; just above
	// tags nothing: a tag needs a probability above its threshold.
	below, above := make([]float32, n), make([]float32, n)
	for i, p := range probs {
		below[i], above[i] = p-1e-4, p+1e-4
	}
	var ones []prime.Tag
	for i, p := range probs {
		if p >= 0.5 {
			ones = append(ones, prime.Tag{Name: vocab[i], Score: 1})
		}
	}
	tests := []struct {
		name string
		opts tagger.ONNXOptions
		want []prime.Tag
	}{
		{"default 0.5", tagger.ONNXOptions{Output: onnx.Probabilities}, wantTags(vocab, probs, same(0.5))},
		{"one threshold", tagger.ONNXOptions{Output: onnx.Probabilities, Threshold: 0.3}, wantTags(vocab, probs, same(0.3))},
		{"all below", tagger.ONNXOptions{Output: onnx.Probabilities, Thresholds: below}, wantTags(vocab, probs, same(0))},
		{"all above", tagger.ONNXOptions{Output: onnx.Probabilities, Thresholds: above}, nil},
		{"thresholded", tagger.ONNXOptions{Output: onnx.Thresholded, Threshold: 0.99}, ones},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			opts := tt.opts
			opts.Vocabulary = vocab
			tg, err := tagger.NewONNX(path, &opts)
			require.NoError(t, err)
			got, err := tg.Tag(context.Background(), img)
			require.NoError(t, err)
			requireTags(t, tt.want, got)
		})
	}
}

// TestRAMFiles loads RAM's own vocabulary and thresholds files as they are
// and runs a model whose output is as wide as RAM's.
func TestRAMFiles(t *testing.T) {
	vocab, err := tagger.LoadVocabulary(ramTags)
	require.NoError(t, err)
	require.Len(t, vocab, 4585)
	th, err := tagger.LoadThresholds(ramThresholds)
	require.NoError(t, err)
	require.Len(t, th, 4585)
	assert.Equal(t, float32(0.65), th[0])
	assert.Equal(t, float32(0.76), th[4584]) // the last line, with no newline after it
	counts := map[float32]int{}
	for _, v := range th {
		counts[v]++
	}
	assert.Equal(t, 3414, counts[0.65])
	assert.Equal(t, 735, counts[0.8])

	path, _ := onnxtest.WriteCNN(t, 2, onnxfile.CNNConfig{Channels: 3, Size: 8, Filters1: 2, Filters2: 3, Outputs: 4585})
	tg, err := tagger.NewONNX(path, &tagger.ONNXOptions{VocabularyFile: ramTags, ThresholdsFile: ramThresholds, Engine: onnx.Engine{Workers: 1}})
	require.NoError(t, err)
	assert.Equal(t, vocab, tg.Vocabulary())
	assert.Equal(t, th, tg.Thresholds())
	_, err = tg.Tag(context.Background(), image.NewGray(image.Rect(0, 0, 20, 20)))
	require.NoError(t, err)
}

func TestONNXBadInput(t *testing.T) {
	dir := t.TempDir()
	write := func(name, content string) string {
		p := filepath.Join(dir, name)
		require.NoError(t, os.WriteFile(p, []byte(content), 0o644))
		return p
	}
	path, _ := onnxtest.WriteCNN(t, 1, onnxfile.CNNConfig{Channels: 3, Size: 8, Filters1: 2, Filters2: 3, Outputs: 4})
	erf, _ := onnxtest.WriteCNN(t, 1, onnxfile.CNNConfig{Channels: 3, Size: 8, Filters1: 2, Filters2: 3, Outputs: 4, Extra: "Erf"})
	corrupt := write("corrupt.onnx", "\x08\x03\x3a\xff\xff\xff\x0f not protobuf")
	vocab4 := write("vocab4.txt", "a\nb\nc\nd")
	th3 := write("th3.txt", "0.5\n0.5\n0.5\n")
	thHigh := write("thhigh.txt", "0.5\n0.5\n1.5\n0.5")
	thNaN := write("thnan.txt", "0.5\nhigh\n0.5\n0.5")
	v := []string{"a", "b", "c", "d"}
	tests := []struct {
		name  string
		model string
		opts  *tagger.ONNXOptions
		want  []string
	}{
		{"nil options", path, nil, []string{"tagger:", "vocabulary"}},
		{"no vocabulary", path, &tagger.ONNXOptions{}, []string{"no vocabulary"}},
		{"missing model", filepath.Join(dir, "nope.onnx"), &tagger.ONNXOptions{Vocabulary: v}, []string{"tagger:", "nope.onnx"}},
		{"corrupt model", corrupt, &tagger.ONNXOptions{Vocabulary: v}, []string{"tagger:", "corrupt.onnx"}},
		{"unsupported operator", erf, &tagger.ONNXOptions{Vocabulary: v}, []string{`"Erf"`, `"extra_op"`}},
		{"RAM vocabulary on a small model", path, &tagger.ONNXOptions{VocabularyFile: ramTags}, []string{"ram_tag_list.txt", "4585 tags", "outputs 4 scores"}},
		{"vocabulary length", path, &tagger.ONNXOptions{Vocabulary: []string{"a", "b"}}, []string{"2 tags", "outputs 4 scores"}},
		{"thresholds file length", path, &tagger.ONNXOptions{VocabularyFile: vocab4, ThresholdsFile: th3}, []string{"th3.txt", "3 values", "4 tags"}},
		{"RAM thresholds, small vocabulary", path, &tagger.ONNXOptions{VocabularyFile: vocab4, ThresholdsFile: ramThresholds}, []string{"4585 values", "4 tags"}},
		{"threshold above 1", path, &tagger.ONNXOptions{Vocabulary: v, ThresholdsFile: thHigh}, []string{"thhigh.txt:3", "1.5", "outside [0, 1]"}},
		{"threshold not a number", path, &tagger.ONNXOptions{Vocabulary: v, ThresholdsFile: thNaN}, []string{"thnan.txt:2", `"high"`}},
		{"thresholds length", path, &tagger.ONNXOptions{Vocabulary: v, Thresholds: []float32{0.5}}, []string{"1 thresholds", "4 tags"}},
		{"threshold value", path, &tagger.ONNXOptions{Vocabulary: v, Thresholds: []float32{0.5, -1, 0.5, 0.5}}, []string{"-1", "outside [0, 1]"}},
		{"both thresholds", path, &tagger.ONNXOptions{Vocabulary: v, Threshold: 0.3, ThresholdsFile: th3}, []string{"both"}},
		{"one threshold", path, &tagger.ONNXOptions{Vocabulary: v, Threshold: 2}, []string{"Threshold 2"}},
		{"repeated tag", path, &tagger.ONNXOptions{Vocabulary: []string{"a", "b", "a", "c"}}, []string{`"a" repeated`}},
		{"workers", path, &tagger.ONNXOptions{Vocabulary: v, Engine: onnx.Engine{Workers: -2}}, []string{"Workers -2"}},
		{"output", path, &tagger.ONNXOptions{Vocabulary: v, Output: 9}, []string{"Output 9"}},
		{"score floor above 1", path, &tagger.ONNXOptions{Vocabulary: v, ScoreFloor: 1.5}, []string{"ScoreFloor 1.5 outside [0, 1]"}},
		{"score floor, thresholded", path, &tagger.ONNXOptions{Vocabulary: v, ScoreFloor: 0.2, Output: onnx.Thresholded}, []string{"ScoreFloor with Thresholded output"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			tg, err := tagger.NewONNX(tt.model, tt.opts)
			onnxtest.CheckRefused(t, tg, err, tt.want...)
		})
	}
}

func TestReadVocabularyAndThresholds(t *testing.T) {
	v, err := tagger.ReadVocabulary(strings.NewReader("alarm clock\r\nzebra\n"))
	require.NoError(t, err)
	assert.Equal(t, []string{"alarm clock", "zebra"}, v)
	_, err = tagger.ReadVocabulary(strings.NewReader("a\n\nb\n"))
	require.EqualError(t, err, "tagger: line 2: blank line")
	_, err = tagger.ReadVocabulary(strings.NewReader(""))
	require.EqualError(t, err, "tagger: no tags")

	th, err := tagger.ReadThresholds(strings.NewReader("0\n1\n0.65"))
	require.NoError(t, err)
	assert.Equal(t, []float32{0, 1, 0.65}, th)
	_, err = tagger.ReadThresholds(strings.NewReader("0.5\n-0.1\n"))
	require.EqualError(t, err, "tagger: line 2: threshold -0.1 outside [0, 1]")
	_, err = tagger.ReadThresholds(strings.NewReader("0.5\nNaN\n"))
	require.EqualError(t, err, "tagger: line 2: threshold NaN outside [0, 1]")
	_, err = tagger.LoadThresholds(filepath.Join(t.TempDir(), "none.txt"))
	require.ErrorContains(t, err, "none.txt")
}

// With a ScoreFloor, Tag returns after the tags above their threshold the
// other entries above the floor, marked Below; ScoreFloor says below
// which score no entry is returned.
func TestONNXScoreFloor(t *testing.T) {
	const n = 40
	vocab := vocabulary(n)
	path, cnn := onnxtest.WriteCNN(t, 6, onnxfile.CNNConfig{Channels: 3, Size: 8, Filters1: 3, Filters2: 4, Outputs: n, Head: "Sigmoid"})
	rng := rand.New(rand.NewPCG(2, 2))
	thresholds := make([]float32, n)
	for i := range thresholds {
		thresholds[i] = 0.3 + 0.4*float32(rng.Float64())
	}
	for _, floor := range []float32{0, 0.1, 0.35, 0.9} {
		tg, err := tagger.NewONNX(path, &tagger.ONNXOptions{Vocabulary: vocab, Thresholds: thresholds, Output: onnx.Probabilities, ScoreFloor: floor, Engine: onnx.Engine{Workers: 1}})
		require.NoError(t, err)
		if floor == 0 {
			assert.Equal(t, slices.Max(thresholds), tg.ScoreFloor(), "no floor: the highest threshold")
		} else {
			assert.Equal(t, floor, tg.ScoreFloor())
		}
		for range 5 {
			img := onnxtest.RandomImage(rng, 0, 0, 8, 8)
			probs := cnn.Forward(defaultTensor(t, img, 3, 8))
			got, err := tg.Tag(context.Background(), img)
			require.NoError(t, err)
			want := wantTags(vocab, probs, thresholds)
			if floor > 0 {
				var below []prime.Tag
				for i, p := range probs {
					if p > floor && p <= thresholds[i] {
						below = append(below, prime.Tag{Name: vocab[i], Score: p, Below: true})
					}
				}
				slices.SortStableFunc(below, func(a, b prime.Tag) int { return cmp.Compare(b.Score, a.Score) })
				want = append(want, below...)
			}
			requireTags(t, want, got)
			for i := range got {
				require.Equal(t, want[i].Below, got[i].Below, "tag %d", i)
			}
		}
		require.NoError(t, tg.Close())
	}
	thresholded, err := tagger.NewONNX(path, &tagger.ONNXOptions{Vocabulary: vocab, Output: onnx.Thresholded})
	require.NoError(t, err)
	assert.Equal(t, float32(1), thresholded.ScoreFloor())
}

// wrongOn is a classifier that answers "dog" when a tagger scores a tag
// above cut, and "cat" otherwise: it fails where the tag is.
type wrongOn struct {
	tg  *tagger.ONNX
	tag int
	cut float32
}

func (w wrongOn) Classify(ctx context.Context, img image.Image) (prime.Prediction, error) {
	scores, err := w.tg.Scores(ctx, img)
	if err != nil {
		return prime.Prediction{}, err
	}
	if scores[w.tag] > w.cut {
		return prime.Prediction{Label: "dog"}, nil
	}
	return prime.Prediction{Label: "cat"}, nil
}

// A run that keeps the tags' scores above a floor, its tags decided again
// at other thresholds (prime.Rethreshold, Dataset.Rethreshold), equals a
// run of the same model at those thresholds: records, and the report
// mined from them.
func TestRethresholdEqualsFreshRun(t *testing.T) {
	const n, floor = 40, 0.2
	vocab := vocabulary(n)
	path, _ := onnxtest.WriteCNN(t, 11, onnxfile.CNNConfig{Channels: 3, Size: 8, Filters1: 3, Filters2: 4, Outputs: n, Head: "Sigmoid"})
	rng := rand.New(rand.NewPCG(5, 5))
	perTag := func(lo, hi float64) []float32 {
		th := make([]float32, n)
		for i := range th {
			th[i] = float32(lo + (hi-lo)*rng.Float64())
		}
		return th
	}
	var images []prime.Image
	for i := range 200 {
		img := onnxtest.RandomImage(rng, 0, 0, 8, 8)
		images = append(images, prime.Image{ID: fmt.Sprint(i), Label: "cat",
			Open: func() (image.Image, error) { return img, nil }})
	}
	// The classifier fails on the images where tag 0 scores above its
	// median, 0.5 or not.
	scorer, err := tagger.NewONNX(path, &tagger.ONNXOptions{Vocabulary: vocab, Output: onnx.Probabilities, Engine: onnx.Engine{Workers: 1}})
	require.NoError(t, err)
	defer scorer.Close()
	var first0 []float32
	for _, im := range images {
		img, _ := im.Open()
		scores, err := scorer.Scores(context.Background(), img)
		require.NoError(t, err)
		first0 = append(first0, scores[0])
	}
	slices.Sort(first0)
	cl := wrongOn{tg: scorer, tag: 0, cut: first0[len(first0)/2]}
	run := func(thresholds []float32) []prime.Record {
		tg, err := tagger.NewONNX(path, &tagger.ONNXOptions{Vocabulary: vocab, Thresholds: thresholds, Output: onnx.Probabilities, ScoreFloor: floor, Engine: onnx.Engine{Workers: 2}})
		require.NoError(t, err)
		defer tg.Close()
		var recs []prime.Record
		for r, err := range prime.Run(context.Background(), slices.Values(images), tg, cl, nil) {
			require.NoError(t, err)
			recs = append(recs, r)
		}
		return recs
	}
	first := run(perTag(0.3, 0.7))
	uniform := make([]float32, n)
	for i := range uniform {
		uniform[i] = floor
	}
	for _, th := range [][]float32{uniform, perTag(floor, 0.5), perTag(0.5, 0.9)} {
		th[0] = cl.cut // tag 0 is the images the classifier fails on
		want := run(th)
		thresholds, err := prime.NewThresholds(vocab, th)
		require.NoError(t, err)
		got := slices.Clone(first)
		require.NoError(t, prime.Rethreshold(got, thresholds))
		require.Equal(t, want, got)

		d, err := prime.NewDataset(first)
		require.NoError(t, err)
		dr, err := d.Rethreshold(thresholds)
		require.NoError(t, err)
		dw, err := prime.NewDataset(want)
		require.NoError(t, err)
		opts := &prime.Options{MinSize: 10, MinDrop: 0.1, FDR: 1, Bootstrap: 100}
		rw, err := dw.Analyze(context.Background(), opts)
		require.NoError(t, err)
		rr, err := dr.Analyze(context.Background(), opts)
		require.NoError(t, err)
		var bw, br strings.Builder
		require.NoError(t, rw.WriteJSON(&bw))
		require.NoError(t, rr.WriteJSON(&br))
		require.NotEmpty(t, rw.Modes, "modes to compare")
		require.Equal(t, bw.String(), br.String())
	}
	low, err := prime.UniformThreshold(floor - 0.01)
	require.NoError(t, err)
	require.ErrorContains(t, prime.Rethreshold(slices.Clone(first), low), "kept above 0.2 only")
}
