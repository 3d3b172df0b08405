package classifier

import (
	"fmt"
	"image"

	"github.com/failmodes/prime/internal/imageprep"
)

// Preprocessing says how an image becomes a model's input tensor: resized
// (bilinear, golang.org/x/image/draw) to the input size, converted to RGB
// (gray, paletted, CMYK and alpha images are converted; transparent pixels
// become black) or, for a 1-channel model, to luminance, scaled to [0, 1],
// normalised per channel as (x - Mean) / Std, and laid out as float32 NCHW
// with N = 1. Image bounds need not start at (0, 0).
//
// The zero value is ImageNet's preprocessing at the model's input size.
// tagger.ONNXOptions uses the same type.
type Preprocessing struct {
	// Width and Height of the input, which must equal those of the model's
	// input shape; zero takes them from the model.
	Width, Height int
	// Mean and Std per channel, in R, G, B order (one value for a 1-channel
	// model), applied after scaling. nil means ImageNet's
	// (0.485, 0.456, 0.406) and (0.229, 0.224, 0.225) for a 3-channel model,
	// and 0 and 1 (no normalisation) for a 1-channel model.
	Mean, Std []float32
	// NoScale feeds pixel values in [0, 255] instead of [0, 1], as models
	// trained on raw pixels (the ONNX model zoo's MNIST model) expect.
	NoScale bool
	// BGR orders the channels blue, green, red (models from Caffe and
	// OpenCV) instead of red, green, blue.
	BGR bool
}

// Tensor returns img as a Channels x Height x Width float32 tensor (NCHW
// with N = 1) preprocessed as p says, for a model whose input has the given
// number of channels (1 or 3), height and width.
func (p Preprocessing) Tensor(img image.Image, channels, height, width int) ([]float32, error) {
	plan, err := imageprep.Options(p).Resolve(channels, height, width)
	if err != nil {
		return nil, fmt.Errorf("classifier: preprocessing: %w", err)
	}
	dst := make([]float32, channels*height*width)
	if err := plan.Fill(dst, img); err != nil {
		return nil, fmt.Errorf("classifier: preprocessing: %w", err)
	}
	return dst, nil
}
