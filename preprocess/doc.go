// Package preprocess turns an image.Image into the float32 NCHW tensor a
// vision model takes, as the model's training code did: resize (whole, or
// shorter side then centre crop), colour conversion, scaling, per-channel
// normalisation, channel order. A Transform describes the steps; Plan
// resolves it against a model's input shape; (*Plan).Fill writes one
// image's tensor into a caller's buffer.
//
// # Presets
//
// A user names a model family instead of numbers: ImageNet (torchvision's
// classifiers), RAM (the Recognize Anything Model), CLIP, Raw (models fed
// 0..255 pixel values, as the ONNX model zoo's MNIST model), or Preset with
// one of their names ("imagenet", "ram", "clip", "raw"). Each preset's doc
// comment cites the file of the model's own repository it comes from.
//
// # Pixel scaling
//
// Models differ in the range of values they expect: most torchvision, RAM
// and CLIP models take pixels scaled to [0, 1] and then normalised with a
// mean and std (ImageNet, RAM, CLIP); some take raw 0..255 values (Raw,
// Transform.NoScale). Nothing in an ONNX file says which, and the wrong
// choice fails silently: fed [0, 1] values, the zoo's MNIST model changes
// 41 of its 10,000 test predictions (package classifier's
// TestMNISTScaling), too few for its outputs to reveal the mistake
// reliably, so prime cannot warn about it. Take the preset of the model's
// family, or the numbers of its training code.
//
// # Exactness
//
// Resizing computes what Pillow computes (the library torchvision, RAM and
// CLIP resize their images with): the same filters (bilinear, bicubic),
// widened when shrinking, the same fixed-point weights and 8-bit rounding
// between the passes; scaling and normalisation are float32 operations in
// torchvision's order. For a PNG picture, the presets' tensors equal
// torchvision's bit for bit (TestPresetsMatchTorchvision). Decoders may
// differ: Go's JPEG decoder and libjpeg can disagree by a level on some
// pixels.
//
// Large images are converted one row at a time, so that preprocessing
// holds only a few rows of the source beside the output.
package preprocess
