// Package classifier provides prime.Classifier implementations: ONNX, which runs an
// ONNX image classifier in pure Go on github.com/owulveryck/onnx-go, and
// Precomputed, which reads predictions made elsewhere from a JSON Lines
// file keyed by image id. The package primetest checks any Classifier
// against the rules of the interface.
//
// # The ONNX classifier
//
// NewONNX loads a model that takes one float32 tensor of shape
// 1 x C x H x W (C = 1 or 3) and outputs one score per class, as logits
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
// onnx-go implements a subset of ONNX. NewONNX refuses a model that uses
// an operator outside it, naming the operator and the node. It rewrites
// Gemm nodes into MatMul and Add at load time, because onnx-go's Gemm
// overwrites its bias at batch size 1 and would be right only on the first
// call.
//
// An onnx-go model instance is not safe for concurrent use, so an ONNX
// classifier holds ONNXOptions.Workers instances (one per CPU by default)
// and lends one to each call: Classify and ClassifyBatch are safe for
// concurrent use, and ClassifyBatch spreads its images over all
// instances. Building an instance's graph is serialised across the
// process, because onnx-go names graph nodes from an unsynchronised
// package-level counter.
//
// The ONNX model zoo's MNIST classifier, extracted from onnx-go's source
// into testdata/mnist of this module, classifies the 10,000 MNIST test
// images at 98.9% accuracy through ONNX with preprocess.Raw().
package classifier
