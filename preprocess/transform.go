package preprocess

import (
	"errors"
	"fmt"
	"image"
	"math"
	"slices"
	"strconv"
	"sync"
)

// Interpolation is the filter that resizes an image.
type Interpolation int

const (
	// Bilinear is PIL's BILINEAR filter: a triangle widened by the
	// downscaling factor, so that shrinking averages every source pixel
	// (antialiased). It is torchvision's default for Resize.
	Bilinear Interpolation = iota
	// Bicubic is PIL's BICUBIC filter (cubic convolution with a = -0.5),
	// widened like Bilinear. CLIP resizes with it.
	Bicubic
)

func (i Interpolation) String() string {
	switch i {
	case Bilinear:
		return "bilinear"
	case Bicubic:
		return "bicubic"
	}
	return fmt.Sprintf("Interpolation(%d)", int(i))
}

// Limits of a Transform's numbers; Check reports any value outside them.
const (
	// MaxSize bounds Width, Height and Resize, in pixels.
	MaxSize = 1 << 14
	// MaxAbsMean bounds the absolute value of every Mean.
	MaxAbsMean = 1e6
	// MinStd and MaxStd bound every Std.
	MinStd, MaxStd = 1e-6, 1e6
)

// A Transform says how an image becomes a model's input tensor, in the
// order torchvision applies the same steps:
//
//  1. Resize: with Resize = 0, the whole image is resized to the model's
//     input size (torchvision's Resize((H, W)), aspect ratio not kept);
//     with Resize > 0, its shorter side is resized to Resize and the
//     other in proportion (Resize(Resize)), then the centre
//     Width x Height is cropped out (CenterCrop((H, W))). Resizing uses
//     Interpolation, computed as PIL computes it (see the package doc).
//  2. Colour: to RGB (gray, paletted, CMYK and YCbCr images are converted;
//     alpha is composited over black), or for a 1-channel model to PIL's
//     luminance L = (19595 R + 38470 G + 7471 B + 2^15) >> 16, before
//     resizing.
//  3. Scale to [0, 1] (ToTensor) unless NoScale, which keeps 0..255.
//  4. Normalise per channel, (x - Mean) / Std, in float32 as torchvision's
//     Normalize does.
//  5. Lay out as float32 NCHW, channels in R, G, B order or with BGR in
//     B, G, R order.
//
// The zero value resizes bilinearly to the model's input size and
// normalises with ImageNet's mean and std (3 channels) or not at all (1
// channel). The presets (ImageNet, RAM, CLIP, Raw, or Preset by name) are
// the transforms of well-known models.
type Transform struct {
	// Width and Height of the model's input; 0 takes them from the model.
	// When set, they must equal the model's.
	Width, Height int
	// Resize, when above 0, is the length the image's shorter side is
	// resized to before the centre crop; at least max(Width, Height).
	Resize int
	// Interpolation is the resizing filter; the zero value is Bilinear.
	Interpolation Interpolation
	// Mean and Std per channel, in R, G, B order, applied after scaling.
	// One value applies to every channel. nil means ImageNetMean and
	// ImageNetStd for a 3-channel model, and 0 and 1 (no normalisation)
	// for a 1-channel model.
	Mean, Std []float32
	// NoScale feeds pixel values in [0, 255] instead of [0, 1], as models
	// trained on raw pixels (the ONNX model zoo's MNIST model) expect.
	NoScale bool
	// BGR orders the channels blue, green, red (models from Caffe and
	// OpenCV) instead of red, green, blue.
	BGR bool
}

// ImageNet's per-channel mean and standard deviation (R, G, B) for pixel
// values in [0, 1], as torchvision's ImageNet models normalise.
var (
	ImageNetMean = [3]float32{0.485, 0.456, 0.406}
	ImageNetStd  = [3]float32{0.229, 0.224, 0.225}
)

// ErrRange is wrapped by the errors of Check for a number outside its
// allowed range.
var ErrRange = errors.New("out of range")

// Check reports the first number of t outside its allowed range: Width,
// Height and Resize in [0, MaxSize], Resize at least max(Width, Height)
// when both are set, every Mean finite within ±MaxAbsMean, every Std in
// [MinStd, MaxStd], a known Interpolation. It does not need the model;
// Plan checks the rest against the model's input.
func (t Transform) Check() error {
	bad := func(field string, v any, want string) error {
		return fmt.Errorf("preprocess: %s %v %w: want %s", field, v, ErrRange, want)
	}
	sizeRange := fmt.Sprintf("0 (from the model) to %d", MaxSize)
	switch {
	case t.Width < 0 || t.Width > MaxSize:
		return bad("Width", t.Width, sizeRange)
	case t.Height < 0 || t.Height > MaxSize:
		return bad("Height", t.Height, sizeRange)
	case t.Resize < 0 || t.Resize > MaxSize:
		return bad("Resize", t.Resize, fmt.Sprintf("0 (resize to the input size) to %d", MaxSize))
	case t.Resize > 0 && t.Resize < max(t.Width, t.Height):
		return bad("Resize", t.Resize, fmt.Sprintf("at least the crop's larger side, %d", max(t.Width, t.Height)))
	case t.Interpolation != Bilinear && t.Interpolation != Bicubic:
		return bad("Interpolation", int(t.Interpolation), "Bilinear or Bicubic")
	}
	for i, m := range t.Mean {
		if !(m >= -MaxAbsMean && m <= MaxAbsMean) {
			return bad(fmt.Sprintf("Mean[%d]", i), m, fmt.Sprintf("a finite number in [%g, %g]", -MaxAbsMean, MaxAbsMean))
		}
	}
	for i, s := range t.Std {
		if !(s >= MinStd && s <= MaxStd) {
			return bad(fmt.Sprintf("Std[%d]", i), s, fmt.Sprintf("a number in [%g, %g]", MinStd, MaxStd))
		}
	}
	return nil
}

// A Plan is a Transform resolved against a model's input: what Fill
// needs, computed once. A Plan is safe for concurrent use.
type Plan struct {
	Channels, Height, Width int
	Transform               Transform // as given, before the defaults

	lut     [3][256]float32 // value of each 8-bit level, per tensor channel
	scratch sync.Pool       // of *buffers
}

// Plan checks t against a model input of the given channels (1 or 3),
// height and width and returns the plan that fills such inputs.
func (t Transform) Plan(channels, height, width int) (*Plan, error) {
	if err := t.Check(); err != nil {
		return nil, err
	}
	switch {
	case channels != 1 && channels != 3:
		return nil, fmt.Errorf("preprocess: a model input of %d channels: want 1 or 3", channels)
	case height < 1 || width < 1 || height > MaxSize || width > MaxSize:
		return nil, fmt.Errorf("preprocess: a model input of %dx%d pixels: want 1 to %d a side", width, height, MaxSize)
	case (t.Width != 0 || t.Height != 0) && (t.Width != width || t.Height != height):
		return nil, fmt.Errorf("preprocess: input size %dx%d unlike the model's %dx%d", t.Width, t.Height, width, height)
	case t.Resize > 0 && t.Resize < max(width, height):
		return nil, fmt.Errorf("preprocess: Resize %d %w: want at least the model's larger side, %d", t.Resize, ErrRange, max(width, height))
	}
	mean, err := perChannel(t.Mean, "mean", channels, ImageNetMean, 0)
	if err != nil {
		return nil, err
	}
	std, err := perChannel(t.Std, "std", channels, ImageNetStd, 1)
	if err != nil {
		return nil, err
	}
	p := &Plan{Channels: channels, Height: height, Width: width, Transform: t}
	p.Transform.Mean, p.Transform.Std = slices.Clone(t.Mean), slices.Clone(t.Std)
	for c := range channels {
		// The tensor's channel c holds the image's channel src.
		src := c
		if t.BGR && channels == 3 {
			src = 2 - c
		}
		m, s := mean[src], std[src]
		for v := range 256 {
			x := float32(v)
			if !t.NoScale {
				x = float32(x / 255) // torchvision: tensor.div(255)
			}
			p.lut[c][v] = float32(float32(x-m) / s) // Normalize: sub_(mean).div_(std)
		}
	}
	return p, nil
}

// perChannel expands a Mean or Std to one value per channel.
func perChannel(v []float32, what string, channels int, imagenet [3]float32, plain float32) ([]float32, error) {
	switch {
	case v == nil && channels == 3:
		return imagenet[:], nil
	case v == nil:
		return []float32{plain}, nil
	case len(v) == 1:
		return slices.Repeat(v, channels), nil
	case len(v) != channels:
		want := "1"
		if channels > 1 {
			want += " or " + strconv.Itoa(channels)
		}
		return nil, fmt.Errorf("preprocess: %d %s values for a model of %d channels: want %s", len(v), what, channels, want)
	}
	return v, nil
}

// Len returns the number of values of one image's tensor:
// Channels x Height x Width.
func (p *Plan) Len() int { return p.Channels * p.Height * p.Width }

// Fill writes img into dst, which holds Len values, as the plan's
// Transform says. Image bounds need not start at (0, 0).
func (p *Plan) Fill(dst []float32, img image.Image) error {
	if len(dst) != p.Len() {
		return fmt.Errorf("preprocess: a buffer of %d values for a %dx%dx%d input", len(dst), p.Channels, p.Height, p.Width)
	}
	if img == nil {
		return errors.New("preprocess: nil image")
	}
	b := img.Bounds()
	if b.Empty() {
		return fmt.Errorf("preprocess: empty image (bounds %v)", b)
	}
	// Resize is 0 or at least the crop's larger side: the resized
	// image holds the crop.
	rw, rh := p.resized(b.Dx(), b.Dy())
	// torchvision's center_crop: int(round((size - crop) / 2.0)), and
	// Python rounds halves to even.
	left := int(math.RoundToEven(float64(rw-p.Width) / 2))
	top := int(math.RoundToEven(float64(rh-p.Height) / 2))

	buf, _ := p.scratch.Get().(*buffers)
	if buf == nil {
		buf = new(buffers)
	}
	defer p.scratch.Put(buf)
	src := newSource(img, p.Channels, buf)
	plane := p.Width * p.Height
	// put writes the output row y, whose pixels are stride bytes apart.
	put := func(y int, row []uint8, stride int) {
		for c := range p.Channels {
			lut := &p.lut[c]
			out := dst[c*plane+y*p.Width : c*plane+(y+1)*p.Width]
			sc := c
			if p.Transform.BGR && p.Channels == 3 {
				sc = 2 - c
			}
			for x := range out {
				out[x] = lut[row[x*stride+sc]]
			}
		}
	}
	if rw == b.Dx() && rh == b.Dy() {
		// No resizing: crop straight from the source.
		for y := range p.Height {
			row, stride := src.row(top + y)
			put(y, row[left*stride:], stride)
		}
		return nil
	}
	resample(src, rw, rh, left, top, p.Width, p.Height, p.Transform.Interpolation, buf, put)
	return nil
}

// resized returns the size an image of w x h is resized to before the
// crop: the input size, or with Resize its shorter side at Resize and the
// longer in proportion, truncated, as torchvision computes it.
func (p *Plan) resized(w, h int) (int, int) {
	size := p.Transform.Resize
	if size == 0 {
		return p.Width, p.Height
	}
	short, long := min(w, h), max(w, h)
	newLong := int(float64(size*long) / float64(short))
	if w <= h {
		return size, newLong
	}
	return newLong, size
}

// Tensor returns img as a channels x height x width float32 tensor (NCHW
// with N = 1) transformed as t says, for a model whose input has the
// given number of channels (1 or 3), height and width.
func (t Transform) Tensor(img image.Image, channels, height, width int) ([]float32, error) {
	p, err := t.Plan(channels, height, width)
	if err != nil {
		return nil, err
	}
	dst := make([]float32, p.Len())
	if err := p.Fill(dst, img); err != nil {
		return nil, err
	}
	return dst, nil
}
