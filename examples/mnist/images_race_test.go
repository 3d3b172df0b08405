//go:build race

package main

// testImages is how many MNIST test images the test of the program runs
// on under the race detector, which makes onnx-go about seven times
// slower: the first 1,000, enough to run every step, too few to test what
// the whole set shows (images_norace_test.go).
const testImages = 1000
