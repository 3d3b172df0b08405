// Package tagger provides prime.Tagger implementations: ONNX, which runs a
// multi-label ONNX model (the role the Recognize Anything Model, RAM,
// plays in the PRIME paper) in pure Go on github.com/owulveryck/onnx-go,
// and Precomputed, which reads tags computed elsewhere from a JSON Lines
// file keyed by image id. The package primetest checks any Tagger, these
// or a third party's, against the rules of the interface.
//
// # Files
//
// A vocabulary holds one tag per line, in the model's output order: the
// format of RAM's ram_tag_list.txt (tags may contain spaces; the final
// newline is optional; a blank line between tags or a repeated tag is an
// error). Thresholds hold one number in [0, 1] per line, aligned with the
// vocabulary: the format of RAM's ram_tag_list_threshold.txt. Read them
// with LoadVocabulary and LoadThresholds, or let NewONNX read them from
// ONNXOptions.VocabularyFile and ONNXOptions.ThresholdsFile; errors name
// the file, the line and the value at fault.
//
// # The ONNX tagger
//
// NewONNX loads a model that takes one float32 tensor of shape
// 1 x C x H x W (C = 1 or 3) and outputs one score per vocabulary entry:
// logits (the sigmoid is applied), probabilities, or already thresholded
// 0/1 values (ONNXOptions.Output). A tag is reported when its probability
// is above its threshold, with the probability as its score, highest
// first. Images are preprocessed as ONNXOptions.Preprocessing, a
// preprocess.Transform, says: by default bilinear resize to the input size,
// [0, 1] scaling, ImageNet's mean and std; preprocess.RAM() is the
// Recognize Anything Model's.
//
// onnx-go implements a subset of ONNX. NewONNX refuses a model that uses
// an operator outside it, naming the operator and the node, rather than
// failing at the first image. It rewrites Gemm nodes into MatMul and Add
// at load time, because onnx-go's Gemm overwrites its bias at batch size 1
// and would be right only on the first call.
//
// An onnx-go model instance is not safe for concurrent use, so an ONNX
// tagger holds ONNXOptions.Workers instances (one per CPU by default) and
// lends one to each call: Tag and TagBatch are safe for concurrent use,
// and TagBatch spreads its images over all instances. Each instance holds
// its own weights and activations (about 0.7 MB for the ONNX model zoo's
// MNIST network, 20 MB for a small CNN at 224x224).
package tagger
