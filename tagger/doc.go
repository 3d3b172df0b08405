// Package tagger provides prime.Tagger implementations: ONNX, which runs a
// multi-label ONNX model (the role the Recognize Anything Model, RAM,
// plays in the PRIME paper) on onnx-go (pure Go) or ONNX Runtime,
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
// N x C x H x W (C = 1 or 3; N = 1 or symbolic) and outputs one score per vocabulary entry:
// logits (the sigmoid is applied), probabilities, or already thresholded
// 0/1 values (ONNXOptions.Output). A tag is reported when its probability
// is above its threshold, with the probability as its score, highest
// first. With ONNXOptions.ScoreFloor, the entries below their threshold and
// above the floor follow, marked Below (the image does not carry them):
// prime.Run keeps their scores in the records (ONNX is a
// prime.ScoreFloorer), from which prime.Rethreshold decides the tags again
// at other thresholds, down to the floor, without running the model
// again. Images are preprocessed as ONNXOptions.Preprocessing, a
// preprocess.Transform, says: by default bilinear resize to the input
// size, [0, 1] scaling, ImageNet's mean and std; preprocess.RAM() is the
// Recognize Anything Model's.
//
// ONNXOptions.Engine says what runs the model, onnx-go (pure Go, the
// default) or ONNX Runtime, on the CPU or a GPU; package onnx describes
// both runtimes, the GPU, and what a run of a RAM-sized tagger costs on
// each.
//
// Tag and TagBatch are safe for concurrent use: at most
// ONNXOptions.Engine.Workers calls run at once, and TagBatch spreads its
// images over them.
package tagger
