// Package classifier provides prime.Classifier implementations: ONNX, which
// runs an ONNX image classifier on onnx-go (pure Go) or ONNX Runtime, and
// Precomputed, which reads predictions made elsewhere from a JSON Lines
// file keyed by image id. The package primetest checks any Classifier
// against the rules of the interface.
//
// # The ONNX classifier
//
// NewONNX loads a model that takes one float32 tensor of shape
// N x C x H x W (C = 1 or 3; N = 1 or symbolic) and outputs one score per class, as logits
// (softmax is applied; the default) or probabilities. Classify returns
// the label of the highest score and the probability of every class, in
// label order. Labels come from ONNXOptions.Labels, from a file of one
// label per line (ONNXOptions.LabelsFile, see LoadLabels), or default to
// the output indices "0", "1", ...
//
// ONNXOptions.Preprocessing, a preprocess.Transform, turns any
// image.Image into the model's input as the model's training code did:
// preprocess.ImageNet() is torchvision's classifiers' (shorter side 256,
// centre crop 224, ImageNet's mean and std); the zero value resizes to the
// input size and normalises with ImageNet's mean and std.
//
// ONNXOptions.Engine says what runs the model, onnx-go (pure Go, the
// default) or ONNX Runtime, on the CPU or a GPU; package onnx describes
// both runtimes, the GPU, and what a run costs on each.
//
// The ONNX model zoo's MNIST classifier, extracted from onnx-go's source
// into testdata/mnist of this module, classifies the 10,000 MNIST test
// images at 98.9% accuracy through ONNX with preprocess.Raw(), on both
// runtimes with the same predictions.
package classifier
