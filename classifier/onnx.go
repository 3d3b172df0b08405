package classifier

import (
	"context"
	"fmt"
	"image"
	"io"
	"slices"
	"strconv"

	"github.com/failmodes/prime"
	"github.com/failmodes/prime/internal/onnxfile"
	"github.com/failmodes/prime/internal/onnxrun"
	"github.com/failmodes/prime/onnx"
	"github.com/failmodes/prime/preprocess"
)

// ONNXOptions configure an ONNX classifier. The zero value (and a nil
// *ONNXOptions) means: labels "0", "1", ... in output order, logits
// output, ImageNet preprocessing at the model's input size, and one model
// instance per CPU (runtime.GOMAXPROCS).
type ONNXOptions struct {
	// Labels are the class names in the model's output order. When nil,
	// LabelsFile is read; when both are empty the labels are the output
	// indices "0", "1", ...
	Labels []string
	// LabelsFile is a file of one label per line (see ReadLabels).
	LabelsFile string
	// Output says whether the model outputs logits (default) or
	// probabilities.
	Output onnx.Output
	// Preprocessing turns images into the model's input; the zero value
	// resizes to the input size and normalises with ImageNet's mean and
	// std. preprocess.ImageNet() is torchvision's classifiers'.
	Preprocessing preprocess.Transform
	// Engine says how the model runs: the runtime, the device, and the
	// images classified at once (see package onnx). The zero value runs it
	// on onnx-go, one image per CPU at once.
	onnx.Engine
}

// ONNX is a prime.Classifier and prime.BatchClassifier that runs an ONNX
// model on onnx-go or ONNX Runtime. It is safe for concurrent use: at most
// Workers calls run at once and further callers wait.
type ONNX struct {
	model  *onnxrun.Model
	labels []string
	output onnx.Output
}

var (
	_ prime.Classifier      = (*ONNX)(nil)
	_ prime.BatchClassifier = (*ONNX)(nil)
	_ io.Closer             = (*ONNX)(nil)
)

// NewONNX loads the ONNX model at path. The model takes one float tensor
// of shape N x C x H x W (C = 1 or 3, N = 1 or symbolic) and its first
// output has one score per class. On onnx-go, models using an operator it
// lacks are refused, naming the operator and the node.
func NewONNX(path string, opts *ONNXOptions) (*ONNX, error) {
	var o ONNXOptions
	if opts != nil {
		o = *opts
	}
	if o.Output != onnx.Logits && o.Output != onnx.Probabilities {
		return nil, fmt.Errorf("classifier: Output %d: want onnx.Logits or onnx.Probabilities", o.Output)
	}
	labels, labelsFrom, err := onnxrun.Names(o.Labels, o.LabelsFile, "classifier", "label", "labels")
	if err != nil {
		return nil, err
	}
	m, err := onnxrun.Load(path, "classifier", onnxrun.Options{Engine: o.Engine, Preprocessing: o.Preprocessing})
	if err != nil {
		return nil, err
	}
	if labels == nil {
		labels = make([]string, m.OutputLen)
		for i := range labels {
			labels[i] = strconv.Itoa(i)
		}
	}
	if len(labels) != m.OutputLen {
		m.Close()
		return nil, fmt.Errorf("classifier: %s has %d labels, but model %s outputs %d scores", labelsFrom, len(labels), path, m.OutputLen)
	}
	return &ONNX{model: m, labels: labels, output: o.Output}, nil
}

// Labels returns the class names in the model's output order.
func (c *ONNX) Labels() []string { return slices.Clone(c.labels) }

// InputShape returns the model's input shape: 1, channels, height, width.
func (c *ONNX) InputShape() []int { return slices.Clone(c.model.Input) }

// Workers returns the number of images classified at once.
func (c *ONNX) Workers() int { return c.model.Workers() }

// Runtime returns the runtime the model runs on: "onnx-go" or
// "onnxruntime".
func (c *ONNX) Runtime() string { return c.model.Runtime }

// Classify predicts the class of img: the label of the highest score
// (the first one on ties), with one probability per label.
func (c *ONNX) Classify(ctx context.Context, img image.Image) (prime.Prediction, error) {
	out, err := c.model.RunImage(ctx, img)
	if err != nil {
		return prime.Prediction{}, err
	}
	return c.prediction(out), nil
}

// prediction turns one image's output into its Prediction, in place.
func (c *ONNX) prediction(out []float32) prime.Prediction {
	if c.output == onnx.Logits {
		onnxfile.Softmax(out)
	}
	best := 0
	for i, v := range out {
		if v > out[best] {
			best = i
		}
	}
	return prime.Prediction{Label: c.labels[best], Scores: out}
}

// ClassifyBatch classifies imgs and returns one Prediction per image, in
// order, equal to what Classify returns for each. The images are spread
// over the workers, one image a call; on ONNX Runtime's CUDA provider, a
// model whose batch dimension is symbolic takes each worker's share in
// one call.
func (c *ONNX) ClassifyBatch(ctx context.Context, imgs []image.Image) ([]prime.Prediction, error) {
	outs, err := c.model.RunImages(ctx, imgs)
	if err != nil {
		return nil, err
	}
	preds := make([]prime.Prediction, len(outs))
	for i, out := range outs {
		preds[i] = c.prediction(out)
	}
	return preds, nil
}

// Close releases the model; Classify fails after Close.
func (c *ONNX) Close() error { return c.model.Close() }

// ReadLabels reads class labels, one per line (the format of a
// torchvision or Keras labels file, and of RAM's ram_tag_list.txt):
// surrounding white space trimmed, the final newline optional, no empty
// or repeated label.
func ReadLabels(r io.Reader) ([]string, error) {
	return onnxrun.ReadNames(r, "classifier", "label", "")
}

// LoadLabels reads the labels file at path (see ReadLabels). Errors name
// the file and the line.
func LoadLabels(path string) ([]string, error) {
	return onnxrun.LoadNames(path, "classifier", "label")
}
