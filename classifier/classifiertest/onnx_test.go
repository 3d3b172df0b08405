package classifiertest_test

import (
	"math/rand/v2"
	"path/filepath"
	"testing"

	"github.com/failmodes/prime/classifier"
	"github.com/failmodes/prime/classifier/classifiertest"
	"github.com/failmodes/prime/internal/onnxfile"
	"github.com/stretchr/testify/require"
)

// TestONNXConformance runs the kit on classifier.ONNX, with small CNNs
// written by internal/onnxfile: logits, a softmax head and a Gemm head.
func TestONNXConformance(t *testing.T) {
	for _, tc := range []struct {
		name   string
		cfg    onnxfile.CNNConfig
		output classifier.Output
	}{
		{"logits", onnxfile.CNNConfig{Channels: 3, Size: 8, Filters1: 4, Filters2: 6, Outputs: 3}, classifier.Logits},
		{"softmax", onnxfile.CNNConfig{Channels: 3, Size: 8, Filters1: 4, Filters2: 6, Outputs: 3, Head: "Softmax"}, classifier.Probabilities},
		{"gemm, gray input", onnxfile.CNNConfig{Channels: 1, Size: 6, Filters1: 3, Filters2: 4, Outputs: 3, Gemm: true}, classifier.Logits},
	} {
		t.Run(tc.name, func(t *testing.T) {
			path := filepath.Join(t.TempDir(), "classifier.onnx")
			require.NoError(t, onnxfile.NewCNN(rand.New(rand.NewPCG(7, 2)), tc.cfg).Model().WriteFile(path))
			cl, err := classifier.NewONNX(path, &classifier.ONNXOptions{
				Labels:  []string{"cat", "dog", "fox"},
				Output:  tc.output,
				Workers: 2,
			})
			require.NoError(t, err)
			defer cl.Close()
			classifiertest.Run(t, cl)
		})
	}
}
