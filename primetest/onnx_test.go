package primetest_test

import (
	"context"
	"testing"

	"github.com/failmodes/prime/classifier"
	"github.com/failmodes/prime/internal/onnxfile"
	"github.com/failmodes/prime/internal/onnxtest"
	"github.com/failmodes/prime/onnx"
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
		probs bool    // the models end in Sigmoid (tagger) and Softmax (classifier)
		floor float32 // the tagger's ScoreFloor
	}{
		{"logits", onnxfile.CNNConfig{Channels: 3, Size: 8, Filters1: 4, Filters2: 6}, false, 0},
		{"probabilities", onnxfile.CNNConfig{Channels: 3, Size: 8, Filters1: 4, Filters2: 6}, true, 0},
		{"gemm, gray input", onnxfile.CNNConfig{Channels: 1, Size: 6, Filters1: 3, Filters2: 4, Gemm: true}, false, 0},
		{"batch", onnxfile.CNNConfig{Channels: 3, Size: 8, Filters1: 4, Filters2: 6, Batch: true}, false, 0},
		{"scores above a floor", onnxfile.CNNConfig{Channels: 3, Size: 8, Filters1: 4, Filters2: 6, Batch: true}, false, 0.05},
	} {
		t.Run(tc.name, func(t *testing.T) {
			tg, cl := onnxPlugins(t, rt, tc.cfg, tc.probs, tc.floor)
			t.Run("tagger", func(t *testing.T) {
				primetest.RunTagger(t, tg)
				n, below := 0, 0
				for _, im := range primetest.OddImages() {
					tags, err := tg.Tag(context.Background(), im.Image)
					require.NoError(t, err)
					n += len(tags)
					for _, tag := range tags {
						if tag.Below {
							below++
						}
					}
				}
				require.Positive(t, n, "the model tags something, so the rules on tags are exercised")
				if tc.floor > 0 {
					require.Positive(t, below, "some tags below their threshold, above the floor")
				}
			})
			t.Run("classifier", func(t *testing.T) { primetest.RunClassifier(t, cl) })
		})
	}
}

// onnxPlugins opens, on runtime rt, a tagger of six tags and a classifier
// of three labels, each on a seeded CNN of the shape cfg that ends in
// Sigmoid or Softmax when probs is set; the tagger keeps scores above
// floor, when not 0.
func onnxPlugins(t *testing.T, rt string, cfg onnxfile.CNNConfig, probs bool, floor float32) (*tagger.ONNX, *classifier.ONNX) {
	tagCfg, classCfg := cfg, cfg
	tagCfg.Outputs, classCfg.Outputs = 6, 3
	tagOpts := &tagger.ONNXOptions{Vocabulary: []string{"a", "b", "c", "d", "e", "f"}, Threshold: 0.3, ScoreFloor: floor, Engine: onnx.Engine{Workers: 2, Runtime: rt}}
	if floor > 0 {
		tagOpts.Threshold = 0.6 // some tags below it, above the floor
	}
	classOpts := &classifier.ONNXOptions{Labels: []string{"cat", "dog", "fox"}, Engine: onnx.Engine{Workers: 2, Runtime: rt}}
	if probs {
		tagCfg.Head, tagOpts.Output = "Sigmoid", onnx.Probabilities
		classCfg.Head, classOpts.Output = "Softmax", onnx.Probabilities
	}
	tagPath, _ := onnxtest.WriteCNN(t, 7, tagCfg)
	classPath, _ := onnxtest.WriteCNN(t, 7, classCfg)
	tg, err := tagger.NewONNX(tagPath, tagOpts)
	require.NoError(t, err)
	t.Cleanup(func() { tg.Close() })
	cl, err := classifier.NewONNX(classPath, classOpts)
	require.NoError(t, err)
	t.Cleanup(func() { cl.Close() })
	return tg, cl
}
