//go:build !race

package main

// testImages is how many MNIST test images the test of the program runs
// on: all of them, except under the race detector (see
// images_race_test.go).
const testImages = 10000
