package classifier_test

import (
	"context"
	"image"
	"math"
	"math/rand/v2"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/failmodes/prime"
	"github.com/failmodes/prime/classifier"
	"github.com/failmodes/prime/internal/onnxfile"
	"github.com/failmodes/prime/internal/onnxtest"
	"github.com/failmodes/prime/onnx"
	"github.com/failmodes/prime/preprocess"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func argmax(x []float32) int {
	best := 0
	for i, v := range x {
		if v > x[best] {
			best = i
		}
	}
	return best
}

func TestONNXMatchesPlainGo(t *testing.T) {
	labels := []string{"cat", "dog", "fox", "owl", "yak"}
	tests := []struct {
		name   string
		cfg    onnxfile.CNNConfig
		output onnx.Output
	}{
		{"logits", onnxfile.CNNConfig{Channels: 3, Size: 16, Filters1: 4, Filters2: 6, Outputs: 5}, onnx.Logits},
		{"softmax", onnxfile.CNNConfig{Channels: 3, Size: 16, Filters1: 4, Filters2: 6, Outputs: 5, Head: "Softmax"}, onnx.Probabilities},
		{"gemm", onnxfile.CNNConfig{Channels: 3, Size: 12, Filters1: 3, Filters2: 5, Outputs: 5, Gemm: true}, onnx.Logits},
		{"gemm softmax gray", onnxfile.CNNConfig{Channels: 1, Size: 10, Filters1: 3, Filters2: 4, Outputs: 5, Gemm: true, Head: "Softmax"}, onnx.Probabilities},
		{"batch", onnxfile.CNNConfig{Channels: 3, Size: 12, Filters1: 3, Filters2: 5, Outputs: 5, Batch: true}, onnx.Logits},
	}
	for _, tt := range tests {
		for _, rt := range onnxtest.Runtimes(t) {
			t.Run(tt.name+"/"+rt, func(t *testing.T) {
				path, cnn := onnxtest.WriteCNN(t, 7, tt.cfg)
				c, err := classifier.NewONNX(path, &classifier.ONNXOptions{Labels: labels, Output: tt.output, Engine: onnx.Engine{Workers: 2, Runtime: rt}})
				require.NoError(t, err)
				defer c.Close()
				require.Equal(t, rt, c.Runtime())
				rng := rand.New(rand.NewPCG(11, 12))
				imgs := []image.Image{onnxtest.RandomImage(rng, 0, 0, tt.cfg.Size, tt.cfg.Size), onnxtest.RandomImage(rng, -5, 9, tt.cfg.Size, tt.cfg.Size)}
				onnxtest.CheckCalls(t, imgs, func(i int, img image.Image) prime.Prediction {
					// The default preprocessing: [0, 1], ImageNet's mean and std
					// for 3 channels, none for 1.
					x, err := preprocess.Transform{}.Tensor(img, tt.cfg.Channels, tt.cfg.Size, tt.cfg.Size)
					require.NoError(t, err)
					want := cnn.Forward(x)
					if tt.output == onnx.Logits {
						onnxfile.Softmax(want)
					}
					got, err := c.Classify(context.Background(), img)
					require.NoError(t, err)
					require.Len(t, got.Scores, len(want))
					for j := range want {
						require.InDelta(t, want[j], got.Scores[j], 1e-5, "call %d score %d", i, j)
					}
					assert.Equal(t, labels[argmax(want)], got.Label)
					return got
				}, c.ClassifyBatch)
			})
		}
	}
}

func TestONNXDefaults(t *testing.T) {
	path, _ := onnxtest.WriteCNN(t, 1, onnxfile.CNNConfig{Channels: 3, Size: 8, Filters1: 2, Filters2: 3, Outputs: 4})
	c, err := classifier.NewONNX(path, nil)
	require.NoError(t, err)
	assert.Equal(t, []string{"0", "1", "2", "3"}, c.Labels())
	assert.Equal(t, []int{1, 3, 8, 8}, c.InputShape())
	assert.Positive(t, c.Workers())
	// Any size of image is resized.
	p, err := c.Classify(context.Background(), image.NewGray(image.Rect(3, 3, 40, 17)))
	require.NoError(t, err)
	assert.Len(t, p.Scores, 4)
	var sum float64
	for _, s := range p.Scores {
		sum += float64(s)
	}
	assert.InDelta(t, 1, sum, 1e-5)
	require.NoError(t, c.Close())
	_, err = c.Classify(context.Background(), image.NewGray(image.Rect(0, 0, 8, 8)))
	require.ErrorContains(t, err, "closed")
}

func TestONNXBadInput(t *testing.T) {
	dir := t.TempDir()
	path, _ := onnxtest.WriteCNN(t, 1, onnxfile.CNNConfig{Channels: 3, Size: 8, Filters1: 2, Filters2: 3, Outputs: 4})
	write := func(name, content string) string {
		p := filepath.Join(dir, name)
		require.NoError(t, os.WriteFile(p, []byte(content), 0o644))
		return p
	}
	corrupt := write("corrupt.onnx", "\x08\x03\x3a\xff\xff\xff\x0f this is not protobuf")
	text := write("text.onnx", "I am a model, honest")
	erf, _ := onnxtest.WriteCNN(t, 1, onnxfile.CNNConfig{Channels: 3, Size: 8, Filters1: 2, Filters2: 3, Outputs: 4, Extra: "Erf"})
	labels3 := write("labels3.txt", "a\nb\nc\n")
	labelsBlank := write("blank.txt", "a\n\nb\nc\n")
	labelsDup := write("dup.txt", "a\nb\na\nc")
	tests := []struct {
		name  string
		model string
		opts  *classifier.ONNXOptions
		want  []string
	}{
		{"missing model", filepath.Join(dir, "nope.onnx"), nil, []string{"classifier:", "nope.onnx", "no such file"}},
		{"corrupt model", corrupt, nil, []string{"classifier:", "corrupt.onnx"}},
		{"text model", text, nil, []string{"classifier:", "text.onnx"}},
		{"unsupported operator", erf, nil, []string{`"Erf"`, `"extra_op"`}},
		{"thresholded output", path, &classifier.ONNXOptions{Output: onnx.Thresholded}, []string{"classifier: Output 2: want onnx.Logits or onnx.Probabilities"}},
		{"labels file length", path, &classifier.ONNXOptions{LabelsFile: labels3}, []string{"labels3.txt", "3 labels", "outputs 4 scores"}},
		{"labels length", path, &classifier.ONNXOptions{Labels: []string{"a", "b", "c", "d", "e"}}, []string{"5 labels", "outputs 4 scores"}},
		{"labels blank line", path, &classifier.ONNXOptions{LabelsFile: labelsBlank}, []string{"blank.txt:2", "blank line"}},
		{"labels repeated", path, &classifier.ONNXOptions{LabelsFile: labelsDup}, []string{"dup.txt:3", `"a"`, "line 1"}},
		{"missing labels", path, &classifier.ONNXOptions{LabelsFile: filepath.Join(dir, "none.txt")}, []string{"none.txt"}},
		{"workers", path, &classifier.ONNXOptions{Engine: onnx.Engine{Workers: -1}}, []string{"Workers -1"}},
		{"size", path, &classifier.ONNXOptions{Preprocessing: preprocess.Transform{Width: 9, Height: 9}}, []string{"9x9", "8x8"}},
		{"mean", path, &classifier.ONNXOptions{Preprocessing: preprocess.Transform{Mean: []float32{0.5, 0.5}}}, []string{"2 mean values", "3 channels"}},
		{"NaN mean", path, &classifier.ONNXOptions{Preprocessing: preprocess.Transform{Mean: []float32{float32(math.NaN())}}}, []string{"Mean[0] NaN out of range"}},
		{"preset size", path, &classifier.ONNXOptions{Preprocessing: preprocess.ImageNet()}, []string{"224x224 unlike the model's 8x8"}},
		{"output", path, &classifier.ONNXOptions{Output: 7}, []string{"Output 7"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c, err := classifier.NewONNX(tt.model, tt.opts)
			onnxtest.CheckRefused(t, c, err, tt.want...)
		})
	}
}

func TestONNXNilAndEmptyImages(t *testing.T) {
	path, _ := onnxtest.WriteCNN(t, 1, onnxfile.CNNConfig{Channels: 3, Size: 8, Filters1: 2, Filters2: 3, Outputs: 4})
	c, err := classifier.NewONNX(path, &classifier.ONNXOptions{Engine: onnx.Engine{Workers: 1}})
	require.NoError(t, err)
	_, err = c.Classify(context.Background(), nil)
	require.ErrorContains(t, err, "nil image")
	_, err = c.Classify(context.Background(), image.NewRGBA(image.Rect(4, 4, 4, 9)))
	require.ErrorContains(t, err, "empty image")
	_, err = c.ClassifyBatch(context.Background(), []image.Image{image.NewGray(image.Rect(0, 0, 3, 3)), nil})
	require.ErrorContains(t, err, "image 1")
}

func TestMNISTPreprocessing(t *testing.T) {
	// onnx-go's MNIST test case: its input is an MNIST digit as raw pixel
	// values 0..255, which NoScale feeds unchanged.
	imgs, _ := mnistImages(t, 10000)
	c := newMNIST(t, 1)
	p, err := c.Classify(context.Background(), imgs[0])
	require.NoError(t, err)
	assert.Equal(t, "7", p.Label) // the first MNIST test image is a 7
}

func TestLoadLabels(t *testing.T) {
	dir := t.TempDir()
	tests := []struct {
		name, content string
		want          []string
		err           string
	}{
		{"plain", "a\nb\nc\n", []string{"a", "b", "c"}, ""},
		{"no final newline", "a\nb\nc", []string{"a", "b", "c"}, ""},
		{"crlf and spaces", " a b \r\nc\r\n", []string{"a b", "c"}, ""},
		{"trailing blank lines", "a\nb\n\n\n", []string{"a", "b"}, ""},
		{"blank inside", "a\n\nb", nil, ":2: blank line"},
		{"repeat", "a\nb\nb", nil, `:3: label "b" repeats line 2`},
		{"empty", "", nil, "no labels"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			p := filepath.Join(dir, "labels.txt")
			require.NoError(t, os.WriteFile(p, []byte(tt.content), 0o644))
			got, err := classifier.LoadLabels(p)
			if tt.err != "" {
				require.ErrorContains(t, err, tt.err)
				assert.ErrorContains(t, err, "labels.txt")
				return
			}
			require.NoError(t, err)
			assert.Equal(t, tt.want, got)
		})
	}
}

// TestReadLabels reads the cases of TestLoadLabels from a reader: the same
// labels, and the same errors without a file name.
func TestReadLabels(t *testing.T) {
	got, err := classifier.ReadLabels(strings.NewReader(" a b \r\nc\r\n\n"))
	require.NoError(t, err)
	assert.Equal(t, []string{"a b", "c"}, got)
	_, err = classifier.ReadLabels(strings.NewReader("a\nb\nb"))
	assert.ErrorContains(t, err, `3: label "b" repeats line 2`)
	_, err = classifier.ReadLabels(strings.NewReader(""))
	assert.ErrorContains(t, err, "no labels")
}
