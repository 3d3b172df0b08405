// Package classifier provides prime.Classifier implementations: ONNX, which
// runs an ONNX image classifier on onnx-go (pure Go) or ONNX Runtime, and
// Precomputed, which reads predictions made elsewhere from a JSON Lines
// file keyed by image id. The package primetest checks any Classifier
// against the rules of the interface.
//
// # The ONNX classifier
//
// NewONNX loads a model whose output holds one score per class, logits
// (the softmax is applied) or probabilities. Classify returns the label of
// the highest score and the probability of every class, in label order.
// Labels come from ONNXOptions.Labels, from a file of one label per line
// (ONNXOptions.LabelsFile, see ReadLabels), or default to the output
// indices "0", "1", ... ONNXOptions.Preprocessing turns any image.Image
// into the model's input as the model's training code did
// (preprocess.ImageNet() is torchvision's classifiers'), and
// ONNXOptions.Engine says what runs the model; package onnx describes both
// runtimes, the GPU, and what a run costs on each.
//
// The ONNX model zoo's MNIST classifier, extracted from onnx-go's source
// into testdata/mnist of this module, classifies the 10,000 MNIST test
// images at 98.9% accuracy through ONNX with preprocess.Raw(), on both
// runtimes with the same predictions.
package classifier
