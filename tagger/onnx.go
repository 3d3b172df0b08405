package tagger

import (
	"cmp"
	"context"
	"errors"
	"fmt"
	"image"
	"io"
	"slices"

	"github.com/failmodes/prime"
	"github.com/failmodes/prime/internal/onnxfile"
	"github.com/failmodes/prime/internal/onnxrun"
	"github.com/failmodes/prime/onnx"
	"github.com/failmodes/prime/preprocess"
)

// DefaultThreshold is the threshold of every tag when ONNXOptions sets
// none.
const DefaultThreshold = 0.5

// ONNXOptions configure an ONNX tagger. A vocabulary is required; for the
// rest the zero value means: logits output, threshold DefaultThreshold for
// every tag, ImageNet preprocessing at the model's input size, and one
// model instance per CPU (runtime.GOMAXPROCS).
type ONNXOptions struct {
	// Vocabulary holds the tags in the model's output order. When nil,
	// VocabularyFile is read (see ReadVocabulary).
	Vocabulary []string
	// VocabularyFile is a file of one tag per line, as RAM's
	// ram_tag_list.txt.
	VocabularyFile string

	// Threshold applies to every tag; 0 means DefaultThreshold. A tag is
	// reported when its probability is above its threshold (as RAM does).
	Threshold float32
	// Thresholds holds one threshold per vocabulary entry, in [0, 1].
	// When nil, ThresholdsFile is read (see ReadThresholds).
	Thresholds []float32
	// ThresholdsFile is a file of one threshold per line, aligned with the
	// vocabulary, as RAM's ram_tag_list_threshold.txt.
	ThresholdsFile string
	// ScoreFloor, when above 0, makes Tag and TagBatch return, after the
	// tags above their threshold, the other vocabulary entries whose
	// probability is above ScoreFloor, marked Below, so that records keep
	// their scores (prime.Run does) and their tags can be decided again at
	// thresholds down to ScoreFloor without running the model again
	// (prime.Rethreshold). At most 1; not with Thresholded output. 0 returns
	// no Below tag.
	ScoreFloor float32

	// Output says whether the model outputs logits (default),
	// probabilities or thresholded 0/1 values.
	Output onnx.Output
	// Preprocessing turns images into the model's input; the zero value
	// resizes to the input size and normalises with ImageNet's mean and
	// std. preprocess.RAM() is the Recognize Anything Model's.
	Preprocessing preprocess.Transform
	// Engine says how the model runs: the runtime, the device, and the
	// images tagged at once (see package onnx). The zero value runs it on
	// onnx-go, one image per CPU at once.
	onnx.Engine
}

// ONNX is a prime.Tagger and prime.BatchTagger that runs a multi-label
// ONNX model on onnx-go or ONNX Runtime. It is safe for concurrent use: at
// most Workers calls run at once and further callers wait.
type ONNX struct {
	model      *onnxrun.Model
	vocab      []string
	thresholds []float32
	output     onnx.Output
	floor      float32 // ONNXOptions.ScoreFloor
}

var (
	_ prime.Tagger       = (*ONNX)(nil)
	_ prime.BatchTagger  = (*ONNX)(nil)
	_ prime.ScoreFloorer = (*ONNX)(nil)
	_ io.Closer          = (*ONNX)(nil)
)

// NewONNX loads the ONNX model at path. The model takes one float tensor
// of shape N x C x H x W (C = 1 or 3, N = 1 or symbolic) and its first
// output has one value per vocabulary entry. On onnx-go, models using an
// operator it lacks are refused, naming the operator and the node.
func NewONNX(path string, opts *ONNXOptions) (*ONNX, error) {
	if opts == nil {
		return nil, errors.New("tagger: no options: a vocabulary is required")
	}
	o := *opts
	if o.Output < onnx.Logits || o.Output > onnx.Thresholded {
		return nil, fmt.Errorf("tagger: unknown Output %d", o.Output)
	}
	switch {
	case !(o.ScoreFloor >= 0 && o.ScoreFloor <= 1):
		return nil, fmt.Errorf("tagger: ScoreFloor %v outside [0, 1]", o.ScoreFloor)
	case o.ScoreFloor > 0 && o.Output == onnx.Thresholded:
		return nil, errors.New("tagger: ScoreFloor with Thresholded output: a thresholded model gives no scores to keep")
	}

	vocab, vocabFrom, err := onnxrun.Names(o.Vocabulary, o.VocabularyFile, "tagger", "tag", "vocabulary")
	if err != nil {
		return nil, err
	}
	if vocab == nil {
		return nil, errors.New("tagger: no vocabulary: set Vocabulary or VocabularyFile")
	}

	if (o.Thresholds != nil || o.ThresholdsFile != "") && o.Threshold != 0 {
		return nil, errors.New("tagger: both Threshold and per-tag thresholds given")
	}
	if !(o.Threshold >= 0 && o.Threshold <= 1) {
		return nil, fmt.Errorf("tagger: Threshold %v outside [0, 1]", o.Threshold)
	}
	var thresholds []float32
	switch {
	case o.Thresholds != nil:
		thresholds = slices.Clone(o.Thresholds)
		if len(thresholds) != len(vocab) {
			return nil, fmt.Errorf("tagger: %d thresholds for a %s of %d tags", len(thresholds), vocabFrom, len(vocab))
		}
		for i, v := range thresholds {
			if !(v >= 0 && v <= 1) {
				return nil, fmt.Errorf("tagger: threshold %d (%q) is %v, outside [0, 1]", i, vocab[i], v)
			}
		}
	case o.ThresholdsFile != "":
		if thresholds, err = LoadThresholds(o.ThresholdsFile); err != nil {
			return nil, err
		}
		if len(thresholds) != len(vocab) {
			return nil, fmt.Errorf("tagger: thresholds file %s has %d values, but the %s has %d tags", o.ThresholdsFile, len(thresholds), vocabFrom, len(vocab))
		}
	default:
		thresholds = slices.Repeat([]float32{cmp.Or(o.Threshold, DefaultThreshold)}, len(vocab))
	}

	m, err := onnxrun.Load(path, "tagger", onnxrun.Options{Engine: o.Engine, Preprocessing: o.Preprocessing})
	if err != nil {
		return nil, err
	}
	if len(vocab) != m.OutputLen {
		m.Close()
		return nil, fmt.Errorf("tagger: %s has %d tags, but model %s outputs %d scores", vocabFrom, len(vocab), path, m.OutputLen)
	}
	return &ONNX{model: m, vocab: vocab, thresholds: thresholds, output: o.Output, floor: o.ScoreFloor}, nil
}

// Vocabulary returns the tags in the model's output order.
func (t *ONNX) Vocabulary() []string { return slices.Clone(t.vocab) }

// Thresholds returns the threshold of each vocabulary entry.
func (t *ONNX) Thresholds() []float32 { return slices.Clone(t.thresholds) }

// ScoreFloor returns the score that every vocabulary entry Tag does not
// return scored at most: ONNXOptions.ScoreFloor when set, the highest
// threshold otherwise, and 1 for Thresholded output, whose values say
// nothing below it.
func (t *ONNX) ScoreFloor() float32 {
	switch {
	case t.output == onnx.Thresholded:
		return 1
	case t.floor > 0:
		return t.floor
	}
	return slices.Max(t.thresholds)
}

// InputShape returns the model's input shape: 1, channels, height, width.
func (t *ONNX) InputShape() []int { return slices.Clone(t.model.Input) }

// Workers returns the number of images tagged at once.
func (t *ONNX) Workers() int { return t.model.Workers() }

// Runtime returns the runtime the model runs on: "onnx-go" or
// "onnxruntime".
func (t *ONNX) Runtime() string { return t.model.Runtime }

// Scores returns the model's probability for every vocabulary entry (for
// Thresholded output, the model's values as they are).
func (t *ONNX) Scores(ctx context.Context, img image.Image) ([]float32, error) {
	out, err := t.model.RunImage(ctx, img)
	if err != nil {
		return nil, err
	}
	t.probabilities(out)
	return out, nil
}

// probabilities turns the model's output into probabilities in place.
func (t *ONNX) probabilities(out []float32) {
	if t.output == onnx.Logits {
		onnxfile.Sigmoid(out)
	}
}

// Tag returns the vocabulary entries whose probability is above their
// threshold, highest score first (vocabulary order on ties), with the
// probability as the score; then, with ONNXOptions.ScoreFloor, the other
// entries whose probability is above it, marked Below, highest first.
func (t *ONNX) Tag(ctx context.Context, img image.Image) ([]prime.Tag, error) {
	scores, err := t.Scores(ctx, img)
	if err != nil {
		return nil, err
	}
	return t.tags(scores), nil
}

// tags selects and orders the tags of one image's probabilities.
func (t *ONNX) tags(scores []float32) []prime.Tag {
	type hit struct {
		i     int
		s     float32
		below bool
	}
	var hits []hit
	for i, s := range scores {
		if t.output == onnx.Thresholded {
			if s >= 0.5 {
				hits = append(hits, hit{i, 1, false})
			}
			continue
		}
		// The score kept is the one compared, so that the kept scores
		// decide the same tags again (prime.Rethreshold).
		s = min(max(s, 0), 1)
		switch {
		case s > t.thresholds[i]:
			hits = append(hits, hit{i, s, false})
		case t.floor > 0 && s > t.floor:
			hits = append(hits, hit{i, s, true})
		}
	}
	slices.SortStableFunc(hits, func(a, b hit) int {
		switch {
		case a.below == b.below:
			return cmp.Compare(b.s, a.s)
		case a.below:
			return 1
		}
		return -1
	})
	tags := make([]prime.Tag, len(hits))
	for k, h := range hits {
		tags[k] = prime.Tag{Name: t.vocab[h.i], Score: h.s, Below: h.below}
	}
	return tags
}

// TagBatch tags imgs and returns one []prime.Tag per image, in order,
// equal to what Tag returns for each. The images are spread over the
// workers, one image a call; on ONNX Runtime's CUDA provider, a model
// whose batch dimension is symbolic takes each worker's share in one
// call.
func (t *ONNX) TagBatch(ctx context.Context, imgs []image.Image) ([][]prime.Tag, error) {
	outs, err := t.model.RunImages(ctx, imgs)
	if err != nil {
		return nil, err
	}
	tags := make([][]prime.Tag, len(outs))
	for i, out := range outs {
		t.probabilities(out)
		tags[i] = t.tags(out)
	}
	return tags, nil
}

// Close releases the model; Tag fails after Close.
func (t *ONNX) Close() error { return t.model.Close() }
