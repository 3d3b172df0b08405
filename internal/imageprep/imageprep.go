// Package imageprep turns an image.Image into the float32 NCHW tensor a
// vision model takes: resize, scale, per-channel normalisation, channel
// order.
package imageprep

import (
	"fmt"
	"image"
	"image/draw"
	"sync"

	xdraw "golang.org/x/image/draw"
)

// ImageNet's per-channel mean and standard deviation (R, G, B), for pixel
// values scaled to [0, 1].
var (
	ImageNetMean = [3]float32{0.485, 0.456, 0.406}
	ImageNetStd  = [3]float32{0.229, 0.224, 0.225}
)

// Options are the preprocessing settings. The fields mirror
// classifier.Preprocessing.
type Options struct {
	Width, Height int
	Mean, Std     []float32
	NoScale       bool
	BGR           bool
}

// A Plan is Options resolved against a model's input: every field set.
type Plan struct {
	Channels, Width, Height int
	Mean, Std               []float32 // one per channel, in the model's channel order
	Scale                   float32   // 1/255, or 1 with NoScale
	BGR                     bool

	scratch *sync.Pool // of *image.RGBA of Width x Height, reused by Fill
}

// Resolve checks o against a model input of the given channels (1 or 3),
// height and width and fills in the defaults.
func (o Options) Resolve(channels, height, width int) (Plan, error) {
	p := Plan{Channels: channels, Width: width, Height: height, Scale: 1.0 / 255, BGR: o.BGR}
	p.scratch = &sync.Pool{New: func() any { return image.NewRGBA(image.Rect(0, 0, width, height)) }}
	if o.Width != 0 || o.Height != 0 {
		if o.Width != width || o.Height != height {
			return Plan{}, fmt.Errorf("input size %dx%d unlike the model's %dx%d", o.Width, o.Height, width, height)
		}
	}
	if o.NoScale {
		p.Scale = 1
	}
	switch {
	case o.Mean == nil && channels == 3:
		p.Mean = ImageNetMean[:]
	case o.Mean == nil:
		p.Mean = []float32{0}
	case len(o.Mean) != channels:
		return Plan{}, fmt.Errorf("%d mean values for a model of %d channels", len(o.Mean), channels)
	default:
		p.Mean = o.Mean
	}
	switch {
	case o.Std == nil && channels == 3:
		p.Std = ImageNetStd[:]
	case o.Std == nil:
		p.Std = []float32{1}
	case len(o.Std) != channels:
		return Plan{}, fmt.Errorf("%d std values for a model of %d channels", len(o.Std), channels)
	default:
		for _, s := range o.Std {
			if !(s > 0) {
				return Plan{}, fmt.Errorf("std %v: must be positive", s)
			}
		}
		p.Std = o.Std
	}
	// Mean and Std are given in R, G, B order; in BGR mode the tensor's
	// channel 0 is blue.
	if p.BGR && channels == 3 {
		p.Mean = []float32{p.Mean[2], p.Mean[1], p.Mean[0]}
		p.Std = []float32{p.Std[2], p.Std[1], p.Std[0]}
	}
	return p, nil
}

// Fill writes img into dst as Channels x Height x Width float32 values:
// resized with bilinear interpolation when its size differs, colour
// converted (gray, paletted, CMYK, alpha: composited over black), scaled
// and normalised. A 1-channel model gets the luminance (ITU-R BT.601, as
// image/color.GrayModel computes it).
func (p *Plan) Fill(dst []float32, img image.Image) error {
	if len(dst) != p.Channels*p.Width*p.Height {
		return fmt.Errorf("buffer of %d values for a %dx%dx%d input", len(dst), p.Channels, p.Height, p.Width)
	}
	b := img.Bounds()
	if b.Empty() {
		return fmt.Errorf("empty image (bounds %v)", b)
	}
	var rgba *image.RGBA
	if p.scratch != nil {
		rgba = p.scratch.Get().(*image.RGBA)
		defer p.scratch.Put(rgba)
	} else {
		rgba = image.NewRGBA(image.Rect(0, 0, p.Width, p.Height))
	}
	if b.Dx() == p.Width && b.Dy() == p.Height {
		draw.Draw(rgba, rgba.Bounds(), img, b.Min, draw.Src)
	} else {
		xdraw.BiLinear.Scale(rgba, rgba.Bounds(), img, b, xdraw.Src, nil)
	}
	plane := p.Width * p.Height
	pix := rgba.Pix
	if p.Channels == 1 {
		k := p.Scale / p.Std[0]
		off := p.Mean[0] / p.Std[0]
		for i := range plane {
			r, g, bl := uint32(pix[4*i]), uint32(pix[4*i+1]), uint32(pix[4*i+2])
			// color.GrayModel on 16-bit values (r|r<<8 = r*257).
			y := (19595*r*257 + 38470*g*257 + 7471*bl*257 + 1<<15) >> 24
			dst[i] = float32(y)*k - off
		}
		return nil
	}
	var ks, offs [3]float32
	for c := range 3 {
		ks[c] = p.Scale / p.Std[c]
		offs[c] = p.Mean[c] / p.Std[c]
	}
	r, g, bl := dst[:plane], dst[plane:2*plane], dst[2*plane:3*plane]
	if p.BGR {
		r, bl = bl, r
		ks[0], ks[2] = ks[2], ks[0]
		offs[0], offs[2] = offs[2], offs[0]
	}
	for i := range plane {
		r[i] = float32(pix[4*i])*ks[0] - offs[0]
		g[i] = float32(pix[4*i+1])*ks[1] - offs[1]
		bl[i] = float32(pix[4*i+2])*ks[2] - offs[2]
	}
	return nil
}
