// Package tagger provides prime.Tagger implementations: ONNX, which runs a
// multi-label ONNX model (the role the Recognize Anything Model, RAM,
// plays in the PRIME paper) on onnx-go (pure Go) or ONNX Runtime,
// and Precomputed, which reads tags computed elsewhere from a JSON Lines
// file keyed by image id. The package primetest checks any Tagger, these
// or a third party's, against the rules of the interface.
//
// # The ONNX tagger
//
// NewONNX loads a model whose output holds one value per vocabulary entry
// (logits, probabilities or 0/1 values; ONNXOptions.Output), in the order
// of a vocabulary file of one tag per line (the format of
// RAM's ram_tag_list.txt; see ReadVocabulary), with thresholds from a file
// of one number per line (RAM's ram_tag_list_threshold.txt; see
// ReadThresholds) or one for every tag. A tag is reported when its
// probability is above its threshold, highest first. With
// ONNXOptions.ScoreFloor, the entries below their threshold and above the
// floor follow, marked Below: prime.Run keeps their scores in the records,
// from which prime.Rethreshold decides the tags again at other thresholds
// without running the model again. ONNXOptions.Preprocessing says how
// images become the model's input (preprocess.RAM() is RAM's), and
// ONNXOptions.Engine what runs the model; package onnx describes both
// runtimes, the GPU, and what a run of a RAM-sized tagger costs on each.
//
// Tag and TagBatch are safe for concurrent use: at most
// ONNXOptions.Engine.Workers calls run at once, and TagBatch spreads its
// images over them.
package tagger
