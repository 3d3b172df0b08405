package prime

import (
	"cmp"
	"encoding/binary"
	"errors"
	"fmt"
	"image"
	"image/color"
	"io"
	"os"
	"strings"
)

// DefaultMaxPixels is the largest image Run decodes when
// RunOptions.MaxPixels is 0: 1<<25 pixels, 33.5 megapixels (8192 x 4096),
// more than most cameras take.
const DefaultMaxPixels = 1 << 25

// BytesPerPixel is the memory RunOptions.MaxPixels allows a decoding per
// pixel, the decoded image and the decoder's buffers together (see
// RunOptions.MaxPixels): 8 bytes, a pixel of 16-bit RGBA, the widest image
// the standard decoders make.
const BytesPerPixel = 8

// ErrImageTooLarge is wrapped by the ImageError of an image that has more
// pixels than RunOptions.MaxPixels, or whose decoding would take more
// memory than they allow: an image bomb, or a picture larger than the
// limit.
var ErrImageTooLarge = errors.New("image too large")

// An imageHeader is what an image file's header says, read without
// decoding the pixels.
type imageHeader struct {
	Format string // "png", "jpeg", "gif", "bmp", "tiff" or "webp"
	image.Config
	// Progressive is set for a progressive JPEG, Interlaced for an
	// interlaced PNG: both take more memory to decode.
	Progressive, Interlaced bool
}

// Pixels returns the image's width times its height.
func (h *imageHeader) Pixels() int64 { return int64(h.Width) * int64(h.Height) }

// decodeCost returns an upper bound of the bytes that decoding the image
// takes at its peak: the decoded image (1 byte a pixel for gray or
// paletted, 1.5 to 4 for color, 8 for 16-bit RGBA) and the decoder's
// buffers: the passes of an interlaced PNG (the image again), the
// coefficients of a progressive JPEG (4 bytes a pixel per channel), the raw
// and inflated data of a TIFF (five times the image, read into growing
// buffers), the pixel array of a WebP (8 bytes a pixel), and a few rows.
// TestDecodeCost measures the bound on every format.
func (h *imageHeader) decodeCost() int64 {
	b := bytesPerDecodedPixel(h.ColorModel)
	per := b
	switch {
	case h.Interlaced: // a PNG
		per += b
	case h.Progressive: // a JPEG
		per += 4 * channels(h.ColorModel)
	case h.Format == "tiff":
		per = 6 * b
	case h.Format == "webp":
		per += 8
	}
	// The rows a decoder keeps (PNG filters two, TIFF predictors one).
	return h.Pixels()*per + 4*int64(h.Width)*b
}

// bytesPerDecodedPixel is the size of a pixel of the image a decoder makes
// for the color model m (a YCbCr image is counted as 4:4:4, its largest).
func bytesPerDecodedPixel(m color.Model) int64 {
	switch m {
	case color.GrayModel, color.AlphaModel:
		return 1
	case color.Gray16Model, color.Alpha16Model:
		return 2
	case color.YCbCrModel:
		return 3
	case color.NYCbCrAModel, color.RGBAModel, color.NRGBAModel, color.CMYKModel:
		return 4
	case color.RGBA64Model, color.NRGBA64Model:
		return 8
	}
	if _, ok := m.(color.Palette); ok {
		return 1
	}
	return 8
}

// channels is the number of channels of a JPEG of color model m.
func channels(m color.Model) int64 {
	switch m {
	case color.GrayModel:
		return 1
	case color.CMYKModel:
		return 4
	}
	return 3
}

// readImageHeader reads the header of the image r holds, leaving r at its
// start, and refuses an image too large for maxPixels (see checkSize). It
// reads a few bytes, never the pixels.
func readImageHeader(r io.ReadSeeker, maxPixels int64) (*imageHeader, error) {
	cfg, format, err := image.DecodeConfig(r)
	if err != nil {
		return nil, err
	}
	h := &imageHeader{Format: format, Config: cfg}
	if _, err := r.Seek(0, io.SeekStart); err != nil {
		return nil, err
	}
	switch format {
	case "png":
		h.Interlaced, err = pngInterlaced(r)
	case "jpeg":
		h.Progressive, err = jpegProgressive(r)
	}
	if err != nil {
		return nil, err
	}
	if _, err := r.Seek(0, io.SeekStart); err != nil {
		return nil, err
	}
	return h, checkSize(h, maxPixels)
}

// pngInterlaced reads the interlace method of a PNG's IHDR chunk, which
// image.DecodeConfig has checked is the first.
func pngInterlaced(r io.Reader) (bool, error) {
	var b [29]byte // signature 8, chunk length and type 8, IHDR 13
	if _, err := io.ReadFull(r, b[:]); err != nil {
		return false, err
	}
	return b[28] != 0, nil
}

// jpegProgressive walks a JPEG's markers up to its frame header and
// reports whether the frame is progressive (SOF2).
func jpegProgressive(r io.Reader) (bool, error) {
	var b [4]byte
	if _, err := io.ReadFull(r, b[:2]); err != nil {
		return false, err
	}
	for {
		if _, err := io.ReadFull(r, b[:2]); err != nil {
			return false, err
		}
		for b[0] == 0xff && b[1] == 0xff { // fill bytes
			b[0] = b[1]
			if _, err := io.ReadFull(r, b[1:2]); err != nil {
				return false, err
			}
		}
		if b[0] != 0xff {
			return false, errors.New("jpeg: bad marker")
		}
		marker := b[1]
		switch {
		case marker == 0xc2 || marker == 0xc6 || marker == 0xca || marker == 0xce:
			return true, nil
		case marker >= 0xc0 && marker <= 0xcf && marker != 0xc4 && marker != 0xc8 && marker != 0xcc:
			return false, nil
		case marker == 0x01 || (marker >= 0xd0 && marker <= 0xd8):
			continue // markers without a length
		}
		if _, err := io.ReadFull(r, b[2:4]); err != nil {
			return false, err
		}
		n := int64(binary.BigEndian.Uint16(b[2:4])) - 2
		if n < 0 {
			return false, errors.New("jpeg: bad segment length")
		}
		if _, err := io.CopyN(io.Discard, r, n); err != nil {
			return false, err
		}
	}
}

// checkSize returns an error wrapping ErrImageTooLarge when the image of h
// has more than maxPixels pixels or would take more than maxPixels x
// BytesPerPixel bytes to decode.
func checkSize(h *imageHeader, maxPixels int64) error {
	if px := h.Pixels(); px > maxPixels {
		return fmt.Errorf("%w: %dx%d %s is %d pixels, above the limit of %d (RunOptions.MaxPixels; prime run -max-pixels)",
			ErrImageTooLarge, h.Width, h.Height, strings.ToUpper(h.Format), px, maxPixels)
	}
	if c := h.decodeCost(); c > maxPixels*BytesPerPixel {
		return fmt.Errorf("%w: decoding this %dx%d %s takes up to %s, above the %s that the limit of %d pixels allows (RunOptions.MaxPixels; prime run -max-pixels)",
			ErrImageTooLarge, h.Width, h.Height, strings.ToUpper(h.Format), byteSize(c), byteSize(maxPixels*BytesPerPixel), maxPixels)
	}
	return nil
}

// byteSize writes n bytes for a person: "812 bytes", "3.1 MB", "2.0 GB".
func byteSize(n int64) string {
	switch {
	case n < 10_000:
		return fmt.Sprintf("%d bytes", n)
	case n < 10_000_000:
		return fmt.Sprintf("%.1f kB", float64(n)/1e3)
	case n < 10_000_000_000:
		return fmt.Sprintf("%.1f MB", float64(n)/1e6)
	}
	return fmt.Sprintf("%.1f GB", float64(n)/1e9)
}

// DecodeImage decodes the image r holds (PNG, JPEG, GIF, BMP, TIFF or
// WebP) as Run does for an image with a Path: it reads the header first
// and refuses, with an error wrapping ErrImageTooLarge, an image of more
// than maxPixels pixels or whose decoding would take more than maxPixels x
// BytesPerPixel bytes, without decoding it. A decoder that panics on a
// malformed file is reported as an error. maxPixels 0 means
// DefaultMaxPixels.
func DecodeImage(r io.ReadSeeker, maxPixels int64) (image.Image, error) {
	if _, err := readImageHeader(r, cmp.Or(maxPixels, DefaultMaxPixels)); err != nil {
		return nil, err
	}
	return decode(r)
}

// decode decodes the image r holds, turning a decoder's panic into an
// error.
func decode(r io.Reader) (img image.Image, err error) {
	defer func() {
		if p := recover(); p != nil {
			img, err = nil, fmt.Errorf("the decoder failed on a malformed file: %v", p)
		}
	}()
	img, _, err = image.Decode(r)
	return img, err
}

// openImageFile opens the file at path for decoding: a regular file (a
// named pipe or a device would block or never end).
func openImageFile(path string) (*os.File, error) {
	fi, err := os.Stat(path)
	if err != nil {
		return nil, err
	}
	if !fi.Mode().IsRegular() {
		return nil, fmt.Errorf("not a regular file (%v)", fi.Mode().Type())
	}
	return os.Open(path)
}
