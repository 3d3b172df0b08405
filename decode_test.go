package prime

import (
	"bytes"
	"compress/zlib"
	"encoding/binary"
	"hash/crc32"
	"image"
	"image/color"
	"image/gif"
	"image/jpeg"
	"image/png"
	"io"
	"os"
	"path/filepath"
	"runtime"
	"testing"

	"github.com/failmodes/prime/internal/imagebomb"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"golang.org/x/image/bmp"
	"golang.org/x/image/tiff"
	_ "golang.org/x/image/webp"
)

// allocated returns the bytes f allocates.
func allocated(f func()) uint64 {
	var a, b runtime.MemStats
	runtime.GC()
	runtime.ReadMemStats(&a)
	f()
	runtime.ReadMemStats(&b)
	return b.TotalAlloc - a.TotalAlloc
}

// TestDecodeImageBombs decodes the image bombs: each is refused from its
// header, as too large, having allocated next to nothing.
func TestDecodeImageBombs(t *testing.T) {
	for _, b := range imagebomb.All() {
		t.Run(b.Name, func(t *testing.T) {
			var err error
			n := allocated(func() { _, err = DecodeImage(bytes.NewReader(b.Data), 0) })
			require.ErrorIs(t, err, ErrImageTooLarge)
			assert.Contains(t, err.Error(), "above the limit of 33554432")
			assert.Less(t, n, uint64(1<<20), "the pixels are never allocated")
		})
	}
}

// gradient returns an image of the type of like, w x h, of varied pixels.
func gradient(like image.Image, w, h int) image.Image {
	r := image.Rect(0, 0, w, h)
	var img interface {
		image.Image
		Set(x, y int, c color.Color)
	}
	switch like.(type) {
	case *image.Gray:
		img = image.NewGray(r)
	case *image.RGBA64:
		img = image.NewRGBA64(r)
	case *image.CMYK:
		img = image.NewCMYK(r)
	case *image.Paletted:
		img = image.NewPaletted(r, color.Palette{color.Black, color.White, color.RGBA{255, 0, 0, 255}})
	default:
		img = image.NewNRGBA(r)
	}
	for y := range h {
		for x := range w {
			img.Set(x, y, color.NRGBA64{uint16(x * 97), uint16(y * 131), uint16((x + y) * 61), uint16(0x8000 + x*17)})
		}
	}
	return img
}

// interlacedPNG returns an Adam7-interlaced 8-bit RGBA PNG (16-bit when
// deep) of w x h pixels, which Go's encoder does not write.
func interlacedPNG(w, h int, deep bool) []byte {
	bpp := 4
	depth := byte(8)
	if deep {
		bpp, depth = 8, 16
	}
	passes := []struct{ x0, y0, dx, dy int }{{0, 0, 8, 8}, {4, 0, 8, 8}, {0, 4, 4, 8}, {2, 0, 4, 4}, {0, 2, 2, 4}, {1, 0, 2, 2}, {0, 1, 1, 2}}
	var raw bytes.Buffer
	for _, p := range passes {
		pw := (w - p.x0 + p.dx - 1) / p.dx
		ph := (h - p.y0 + p.dy - 1) / p.dy
		if pw <= 0 || ph <= 0 {
			continue
		}
		for y := range ph {
			raw.WriteByte(0)
			for x := range pw {
				for c := range bpp {
					raw.WriteByte(byte(x*7 + y*3 + c))
				}
			}
		}
	}
	var z bytes.Buffer
	zw := zlib.NewWriter(&z)
	zw.Write(raw.Bytes())
	zw.Close()
	var b bytes.Buffer
	b.WriteString("\x89PNG\r\n\x1a\n")
	chunk := func(typ string, data []byte) {
		b.Write(binary.BigEndian.AppendUint32(nil, uint32(len(data))))
		b.WriteString(typ)
		b.Write(data)
		b.Write(binary.BigEndian.AppendUint32(nil, crc32.ChecksumIEEE(append([]byte(typ), data...))))
	}
	ihdr := binary.BigEndian.AppendUint32(nil, uint32(w))
	ihdr = binary.BigEndian.AppendUint32(ihdr, uint32(h))
	chunk("IHDR", append(ihdr, depth, 6, 0, 0, 1))
	chunk("IDAT", z.Bytes())
	chunk("IEND", nil)
	return b.Bytes()
}

// TestDecodeCost checks the bound of decodeCost on every format and kind
// of image the decoders know: what decoding allocates in all never exceeds
// it, so that RunOptions.MaxPixels bounds the memory of decoding.
func TestDecodeCost(t *testing.T) {
	const w, h = 512, 384
	encode := func(f func(io.Writer) error) []byte {
		var b bytes.Buffer
		require.NoError(t, f(&b))
		return b.Bytes()
	}
	type sample struct {
		name string
		data []byte
	}
	var samples []sample
	for _, like := range []image.Image{&image.NRGBA{}, &image.RGBA64{}, &image.Gray{}, &image.Paletted{}} {
		img := gradient(like, w, h)
		name := func(f string) string { return f + " " + reflectName(like) }
		samples = append(samples,
			sample{name("png"), encode(func(out io.Writer) error { return png.Encode(out, img) })},
			sample{name("tiff"), encode(func(out io.Writer) error { return tiff.Encode(out, img, nil) })},
			sample{name("tiff deflate"), encode(func(out io.Writer) error { return tiff.Encode(out, img, &tiff.Options{Compression: tiff.Deflate}) })},
		)
	}
	for _, like := range []image.Image{&image.NRGBA{}, &image.Gray{}, &image.CMYK{}} {
		img := gradient(like, w, h)
		samples = append(samples, sample{"jpeg " + reflectName(like), encode(func(out io.Writer) error { return jpeg.Encode(out, img, nil) })})
	}
	samples = append(samples,
		sample{"png interlaced", interlacedPNG(w, h, false)},
		sample{"png interlaced 16-bit", interlacedPNG(w, h, true)},
		sample{"gif", encode(func(out io.Writer) error { return gif.Encode(out, gradient(&image.NRGBA{}, w, h), nil) })},
		sample{"bmp", encode(func(out io.Writer) error { return bmp.Encode(out, gradient(&image.NRGBA{}, w, h)) })},
		sample{"bmp paletted", encode(func(out io.Writer) error { return bmp.Encode(out, gradient(&image.Paletted{}, w, h)) })},
	)
	files, err := filepath.Glob(filepath.Join("testdata", "decode", "*.*"))
	require.NoError(t, err)
	for _, f := range files {
		if filepath.Ext(f) == ".md" {
			continue
		}
		data, err := os.ReadFile(f)
		require.NoError(t, err)
		samples = append(samples, sample{filepath.Base(f), data})
	}
	for _, s := range samples {
		t.Run(s.name, func(t *testing.T) {
			h, err := readImageHeader(bytes.NewReader(s.data), MaxMaxPixels)
			require.NoError(t, err)
			var img image.Image
			limit := max(h.Pixels(), h.decodeCost()/BytesPerPixel+1) // just enough
			n := allocated(func() { img, err = DecodeImage(bytes.NewReader(s.data), limit) })
			require.NoError(t, err)
			require.Equal(t, h.Width, img.Bounds().Dx())
			// Tables, windows and rows that do not grow with the image's
			// area: 128 kB. The race detector's runtime allocates more
			// (a TIFF's inflating, twice as much): there the bound is
			// doubled; `go test` without -race checks it as it is.
			bound := uint64(h.decodeCost()) + 128<<10
			if raceEnabled {
				bound *= 2
			}
			assert.LessOrEqual(t, n, bound, "%T %s: %.2f bytes a pixel allocated, %.2f allowed",
				img, h.Format, float64(n)/float64(h.Pixels()), float64(h.decodeCost())/float64(h.Pixels()))
			t.Logf("%-8T %.2f of %.2f bytes a pixel", img, float64(n)/float64(h.Pixels()), float64(h.decodeCost())/float64(h.Pixels()))
		})
	}
}

func reflectName(img image.Image) string {
	switch img.(type) {
	case *image.RGBA64:
		return "16-bit"
	case *image.Gray:
		return "gray"
	case *image.Paletted:
		return "paletted"
	case *image.CMYK:
		return "cmyk"
	}
	return "rgba"
}

// TestDecodeImageLimit checks the pixel limit and the memory limit at
// their edges.
func TestDecodeImageLimit(t *testing.T) {
	pngData := func(img image.Image) []byte {
		var b bytes.Buffer
		require.NoError(t, png.Encode(&b, img))
		return b.Bytes()
	}
	small := pngData(gradient(&image.NRGBA{}, 10, 8))
	var deepTIFF bytes.Buffer
	require.NoError(t, tiff.Encode(&deepTIFF, gradient(&image.RGBA64{}, 10, 8), &tiff.Options{Compression: tiff.Deflate}))
	for _, tc := range []struct {
		name      string
		data      []byte
		maxPixels int64
		want      string // "" for no error
	}{
		{"at the limit", small, 80, ""},
		{"a pixel above", small, 79, "10x8 PNG is 80 pixels, above the limit of 79"},
		{"16-bit TIFF within the pixels", deepTIFF.Bytes(), 80, "decoding this 10x8 TIFF takes up to 4160 bytes, above the 640 bytes that the limit of 80 pixels allows"},
		{"16-bit TIFF within its memory", deepTIFF.Bytes(), 520, ""},
		{"not an image", []byte("hello, world"), 0, "image: unknown format"},
		{"truncated", small[:40], 0, "unexpected EOF"},
		{"empty", nil, 0, "image: unknown format"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			img, err := DecodeImage(bytes.NewReader(tc.data), tc.maxPixels)
			if tc.want == "" {
				require.NoError(t, err)
				assert.Equal(t, image.Rect(0, 0, 10, 8), img.Bounds())
				return
			}
			require.ErrorContains(t, err, tc.want)
			if tc.maxPixels > 0 {
				assert.ErrorIs(t, err, ErrImageTooLarge)
			}
		})
	}
}

// FuzzDecodeImage decodes arbitrary bytes through the path of Run's
// images: never a panic, never more memory than the limit allows.
func FuzzDecodeImage(f *testing.F) {
	for _, b := range imagebomb.All()[:2] {
		f.Add(b.Data)
	}
	f.Add(imagebomb.OneBitPNG(64, 64))
	f.Add(interlacedPNG(9, 7, false))
	var b bytes.Buffer
	jpeg.Encode(&b, gradient(&image.NRGBA{}, 16, 16), nil)
	f.Add(b.Bytes())
	b.Reset()
	gif.Encode(&b, gradient(&image.NRGBA{}, 8, 8), nil)
	f.Add(b.Bytes())
	b.Reset()
	tiff.Encode(&b, gradient(&image.RGBA64{}, 8, 8), &tiff.Options{Compression: tiff.Deflate})
	f.Add(b.Bytes())
	files, _ := filepath.Glob(filepath.Join("testdata", "decode", "*.webp"))
	for _, name := range files {
		if data, err := os.ReadFile(name); err == nil {
			f.Add(data)
		}
	}
	const maxPixels = 1 << 16
	f.Fuzz(func(t *testing.T, data []byte) {
		var img image.Image
		var err error
		n := allocated(func() { img, err = DecodeImage(bytes.NewReader(data), maxPixels) })
		if err != nil {
			if img != nil {
				t.Fatalf("an image and an error: %v", err)
			}
			return
		}
		if px := int64(img.Bounds().Dx()) * int64(img.Bounds().Dy()); px > maxPixels {
			t.Fatalf("decoded %v, above the limit", img.Bounds())
		}
		// The decoders' fixed tables, and the file's own bytes, beside
		// the limit.
		if limit := uint64(maxPixels*BytesPerPixel) + 1<<20 + 4*uint64(len(data)); n > limit {
			t.Fatalf("decoding allocated %d bytes, above %d", n, limit)
		}
	})
}
