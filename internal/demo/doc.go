// Package demo holds the data and the models of `prime demo`: a seeded
// generator of small pictures of boats, cars and balls on grass, sand, snow
// and water, and two ONNX models built by hand from the pictures' colours
// and textures: a tagger that names the background, the object's size, its
// position and whether the picture is blurred, and a classifier with two
// failure modes planted in its weights.
//
// The classifier leans on a spurious cue: it takes water as evidence of a
// boat, so strongly that a boat without water (a boat on sand) is never
// called a boat. And it needs enough pixels of a car's colour to call it a
// car: small cars in blurred pictures have too few, and become balls. The
// demo's test checks that prime finds exactly these two failure modes,
// "boat: sand" and "car: blurry, small", and no others.
//
// Both models are real ONNX files (package internal/onnxfile writes them)
// that the demo runs through tagger.ONNX and classifier.ONNX on the
// pictures' pixels; TaggerForward and ClassifierForward compute the same
// networks in plain Go, and the tests check one against the other.
package demo
