package taggertest_test

import (
	"context"
	"math/rand/v2"
	"path/filepath"
	"testing"

	"github.com/failmodes/prime/internal/onnxfile"
	"github.com/failmodes/prime/tagger"
	"github.com/failmodes/prime/tagger/taggertest"
	"github.com/stretchr/testify/require"
)

// TestONNXConformance runs the kit on tagger.ONNX, with small CNNs written
// by internal/onnxfile: logits, probabilities and a Gemm head.
func TestONNXConformance(t *testing.T) {
	for _, tc := range []struct {
		name   string
		cfg    onnxfile.CNNConfig
		output tagger.Output
	}{
		{"logits", onnxfile.CNNConfig{Channels: 3, Size: 8, Filters1: 4, Filters2: 6, Outputs: 6}, tagger.Logits},
		{"sigmoid", onnxfile.CNNConfig{Channels: 3, Size: 8, Filters1: 4, Filters2: 6, Outputs: 6, Head: "Sigmoid"}, tagger.Probabilities},
		{"gemm, gray input", onnxfile.CNNConfig{Channels: 1, Size: 6, Filters1: 3, Filters2: 4, Outputs: 6, Gemm: true}, tagger.Logits},
	} {
		t.Run(tc.name, func(t *testing.T) {
			path := filepath.Join(t.TempDir(), "tagger.onnx")
			require.NoError(t, onnxfile.NewCNN(rand.New(rand.NewPCG(7, 1)), tc.cfg).Model().WriteFile(path))
			tg, err := tagger.NewONNX(path, &tagger.ONNXOptions{
				Vocabulary: []string{"a", "b", "c", "d", "e", "f"},
				Threshold:  0.3,
				Output:     tc.output,
				Workers:    2,
			})
			require.NoError(t, err)
			defer tg.Close()
			taggertest.Run(t, tg)
			n := 0
			for _, im := range taggertest.OddImages() {
				tags, err := tg.Tag(context.Background(), im.Image)
				require.NoError(t, err)
				n += len(tags)
			}
			require.Positive(t, n, "the model tags something, so the rules on tags are exercised")
		})
	}
}
