package preprocess

import (
	"image"
	"image/draw"
	"math"
	"slices"
)

// Resizing as Pillow computes it (src/libImaging/Resample.c,
// ImagingResample), which is what torchvision's Resize does to the PIL
// images that torchvision, RAM and CLIP feed their models: a separable
// convolution, horizontal pass first, with the filter's support widened
// by the downscaling factor, coefficients normalised to sum 1 and rounded
// to 22-bit fixed point, and each pass rounded and clamped to 8 bits.
// golang.org/x/image/draw's kernels are antialiased too but round
// differently and keep 16 bits between the passes, so their tensors differ
// from torchvision's (TestXImageDiffers measures by how much); the presets
// promise torchvision's tensors, so this file computes Pillow's.

// precisionBits is Pillow's PRECISION_BITS: 32 - 8 (result) - 2 (the
// negative lobes and overshoot of bicubic).
const precisionBits = 32 - 8 - 2

// filter is one of Pillow's resampling filters.
type filter struct {
	support float64
	f       func(x float64) float64
}

var filters = [...]filter{
	Bilinear: {1, func(x float64) float64 {
		if x < 0 {
			x = -x
		}
		if x < 1 {
			return 1 - x
		}
		return 0
	}},
	Bicubic: {2, func(x float64) float64 {
		const a = -0.5
		if x < 0 {
			x = -x
		}
		// The explicit conversions round every product, as C does: Go may
		// otherwise fuse a multiply and an add.
		if x < 1 {
			return float64(float64(float64((a+2)*x)-(a+3))*x*x) + 1
		}
		if x < 2 {
			return float64(float64(float64(float64(x-5)*x)+8)*x-4) * a
		}
		return 0
	}},
}

// coeffs are the fixed-point weights of one pass for a run of output
// pixels: output i reads n[i] input pixels from first[i] on, with weights
// k[i*ksize:][:n[i]].
type coeffs struct {
	first, n []int
	k        []int32
	ksize    int
}

// makeCoeffs returns the weights of Pillow's precompute_coeffs and
// normalize_coeffs_8bpc for resizing inSize pixels to outSize, for the
// outputs from, ..., from+count-1.
func makeCoeffs(inSize, outSize, from, count int, interp Interpolation, c *coeffs) {
	fl := filters[interp]
	scale := float64(inSize) / float64(outSize)
	filterscale := max(scale, 1)
	support := fl.support * filterscale
	ksize := int(math.Ceil(support))*2 + 1
	c.ksize = ksize
	c.first = grow(c.first, count)
	c.n = grow(c.n, count)
	c.k = grow(c.k, count*ksize)
	w := make([]float64, ksize)
	inv := 1 / filterscale
	for i := range count {
		center := (float64(from+i) + 0.5) * scale
		xmin := max(int(center-support+0.5), 0)
		xmax := min(int(center+support+0.5), inSize) - xmin
		var ww float64
		for x := range xmax {
			w[x] = fl.f(float64(float64(x+xmin)-center+0.5) * inv)
			ww += w[x]
		}
		k := c.k[i*ksize : (i+1)*ksize]
		for x := range ksize {
			v := 0.0
			if x < xmax {
				v = w[x]
				if ww != 0 {
					v /= ww
				}
			}
			if v < 0 {
				k[x] = int32(-0.5 + float64(v*(1<<precisionBits)))
			} else {
				k[x] = int32(0.5 + float64(v*(1<<precisionBits)))
			}
		}
		c.first[i], c.n[i] = xmin, max(xmax, 0)
	}
}

// clip8 is Pillow's clip8: the accumulated sum, rounded by its initial
// half, shifted down and clamped to 0..255.
func clip8(ss int32) uint8 {
	v := ss >> precisionBits
	switch {
	case v < 0:
		return 0
	case v > 255:
		return 255
	}
	return uint8(v)
}

// grow returns s resized to n, reallocated if its capacity is short.
func grow[T any](s []T, n int) []T { return slices.Grow(s[:0], n)[:n] }

// buffers are the scratch memory of one Fill, reused through the Plan's
// pool.
type buffers struct {
	h, v coeffs
	rgba *image.RGBA // one source row, converted
	row  []uint8     // one source row's luminance
	tmp  []uint8     // the horizontal pass's output
	out  []uint8     // one output row
	acc  []int32     // one output row's sums
}

// A source hands out the rows of an image as luminance or R, G, B, A
// bytes, converting one row at a time, so that a large image is never
// copied whole.
type source struct {
	img      image.Image
	b        image.Rectangle
	channels int
	buf      *buffers
}

func newSource(img image.Image, channels int, buf *buffers) *source {
	b := img.Bounds()
	if buf.rgba == nil || buf.rgba.Rect.Dx() < b.Dx() {
		buf.rgba = image.NewRGBA(image.Rect(0, 0, b.Dx(), 1))
	}
	buf.row = grow(buf.row, b.Dx())
	return &source{img: img, b: b, channels: channels, buf: buf}
}

// row returns row y (0 at the top of the bounds) and its stride, the
// bytes from one pixel to the next: 4 for R, G, B, A pixels (the image's
// own memory when it is an *image.RGBA), 1 for luminance. The row is
// valid until the next call.
func (s *source) row(y int) ([]uint8, int) {
	w := s.b.Dx()
	if g, ok := s.img.(*image.Gray); ok && s.channels == 1 {
		off := g.PixOffset(s.b.Min.X, s.b.Min.Y+y)
		return g.Pix[off : off+w], 1
	}
	var px []uint8
	if m, ok := s.img.(*image.RGBA); ok {
		off := m.PixOffset(s.b.Min.X, s.b.Min.Y+y)
		px = m.Pix[off : off+4*w]
	} else {
		// draw.Draw has fast paths for the decoders' types (YCbCr, Gray,
		// NRGBA, Paletted) and composites alpha over black.
		dst := s.buf.rgba.SubImage(image.Rect(0, 0, w, 1)).(*image.RGBA)
		draw.Draw(dst, dst.Rect, s.img, image.Pt(s.b.Min.X, s.b.Min.Y+y), draw.Src)
		px = dst.Pix[:4*w]
	}
	if s.channels == 3 {
		return px, 4
	}
	out := s.buf.row[:w]
	for x := range w {
		r, g, b := uint32(px[4*x]), uint32(px[4*x+1]), uint32(px[4*x+2])
		// Pillow's rgb2l (Convert.c): L24(rgb) >> 16.
		out[x] = uint8((r*19595 + g*38470 + b*7471 + 0x8000) >> 16)
	}
	return out, 1
}

// resample resizes src to rw x rh as Pillow does and passes the rows of
// its w x h window at (left, top) to put, top to bottom. Only the source
// rows and output pixels the window needs are computed; each is what
// Pillow computes for the whole image.
func resample(src *source, rw, rh, left, top, w, h int, interp Interpolation, buf *buffers, put func(y int, row []uint8, stride int)) {
	ch := src.channels
	sw, sh := src.b.Dx(), src.b.Dy()
	makeCoeffs(sh, rh, top, h, interp, &buf.v)
	y0 := buf.v.first[0]
	y1 := buf.v.first[h-1] + buf.v.n[h-1]
	// Horizontal pass over the source rows y0..y1-1, for the window's
	// columns, unless the width is unchanged (Pillow skips the pass then).
	hpass := rw != sw
	if hpass {
		makeCoeffs(sw, rw, left, w, interp, &buf.h)
	}
	tmp := grow(buf.tmp, (y1-y0)*w*ch)
	buf.tmp = tmp
	for y := y0; y < y1; y++ {
		in, stride := src.row(y)
		out := tmp[(y-y0)*w*ch : (y-y0+1)*w*ch]
		if !hpass {
			for x := range w {
				copy(out[x*ch:(x+1)*ch], in[(left+x)*stride:])
			}
			continue
		}
		hc := &buf.h
		for x := range w {
			k := hc.k[x*hc.ksize : x*hc.ksize+hc.n[x]]
			px := in[hc.first[x]*stride : (hc.first[x]+len(k))*stride]
			if ch == 1 {
				ss := int32(1 << (precisionBits - 1))
				for i, kv := range k {
					ss += int32(px[i]) * kv
				}
				out[x] = clip8(ss)
				continue
			}
			s0, s1, s2 := int32(1<<(precisionBits-1)), int32(1<<(precisionBits-1)), int32(1<<(precisionBits-1))
			for i, kv := range k {
				p := px[4*i : 4*i+3 : 4*i+3]
				s0 += int32(p[0]) * kv
				s1 += int32(p[1]) * kv
				s2 += int32(p[2]) * kv
			}
			out[3*x], out[3*x+1], out[3*x+2] = clip8(s0), clip8(s1), clip8(s2)
		}
	}
	// Vertical pass, always needed here: the height changed, or the width
	// did and the height did not (then the weights are the identity).
	out := grow(buf.out, w*ch)
	buf.out = out
	acc := grow(buf.acc, w*ch)
	buf.acc = acc
	vc := &buf.v
	stride := w * ch
	for y := range h {
		if rh == sh {
			put(y, tmp[(top+y-y0)*stride:(top+y-y0+1)*stride], ch)
			continue
		}
		// Row by row over the taps: each tap adds a whole source row, in
		// the order Pillow adds them, so the sums are the same.
		for x := range acc {
			acc[x] = 1 << (precisionBits - 1)
		}
		first := vc.first[y] - y0
		for i, kv := range vc.k[y*vc.ksize : y*vc.ksize+vc.n[y]] {
			row := tmp[(first+i)*stride : (first+i+1)*stride]
			row = row[:len(acc)]
			for x, v := range row {
				acc[x] += int32(v) * kv
			}
		}
		for x, v := range acc {
			out[x] = clip8(v)
		}
		put(y, out, ch)
	}
}
