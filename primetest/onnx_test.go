package primetest_test

import (
	"context"
	"testing"

	"github.com/failmodes/prime/classifier"
	"github.com/failmodes/prime/internal/onnxfile"
	"github.com/failmodes/prime/internal/onnxtest"
	"github.com/failmodes/prime/primetest"
	"github.com/failmodes/prime/tagger"
	"github.com/stretchr/testify/require"
)

// The kit on the ONNX plug-ins, with small CNNs written by
// internal/onnxfile: logits, probabilities, a Gemm head and a symbolic
// batch dimension, on every runtime of the build (onnx-go, and ONNX
// Runtime with the tag onnxruntime).
func TestONNXConformance(t *testing.T) {
	for _, rt := range onnxtest.Runtimes(t) {
		t.Run(rt, func(t *testing.T) { onnxConformance(t, rt) })
	}
}

func onnxConformance(t *testing.T, rt string) {
	for _, tc := range []struct {
		name  string
		cfg   onnxfile.CNNConfig
		probs bool // the model ends in Sigmoid (tagger) or Softmax (classifier)
	}{
		{"logits", onnxfile.CNNConfig{Channels: 3, Size: 8, Filters1: 4, Filters2: 6}, false},
		{"probabilities", onnxfile.CNNConfig{Channels: 3, Size: 8, Filters1: 4, Filters2: 6}, true},
		{"gemm, gray input", onnxfile.CNNConfig{Channels: 1, Size: 6, Filters1: 3, Filters2: 4, Gemm: true}, false},
		{"batch", onnxfile.CNNConfig{Channels: 3, Size: 8, Filters1: 4, Filters2: 6, Batch: true}, false},
	} {
		t.Run("tagger/"+tc.name, func(t *testing.T) {
			cfg := tc.cfg
			cfg.Outputs = 6
			opts := &tagger.ONNXOptions{Vocabulary: []string{"a", "b", "c", "d", "e", "f"}, Threshold: 0.3, Workers: 2, Runtime: rt}
			if tc.probs {
				cfg.Head, opts.Output = "Sigmoid", tagger.Probabilities
			}
			path, _ := onnxtest.WriteCNN(t, 7, cfg)
			tg, err := tagger.NewONNX(path, opts)
			require.NoError(t, err)
			defer tg.Close()
			primetest.RunTagger(t, tg)
			n := 0
			for _, im := range primetest.OddImages() {
				tags, err := tg.Tag(context.Background(), im.Image)
				require.NoError(t, err)
				n += len(tags)
			}
			require.Positive(t, n, "the model tags something, so the rules on tags are exercised")
		})
		t.Run("classifier/"+tc.name, func(t *testing.T) {
			cfg := tc.cfg
			cfg.Outputs = 3
			opts := &classifier.ONNXOptions{Labels: []string{"cat", "dog", "fox"}, Workers: 2, Runtime: rt}
			if tc.probs {
				cfg.Head, opts.Output = "Softmax", classifier.Probabilities
			}
			path, _ := onnxtest.WriteCNN(t, 7, cfg)
			cl, err := classifier.NewONNX(path, opts)
			require.NoError(t, err)
			defer cl.Close()
			primetest.RunClassifier(t, cl)
		})
	}
}
