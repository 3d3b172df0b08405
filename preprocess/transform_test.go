package preprocess

import (
	"bufio"
	"crypto/sha256"
	"encoding/binary"
	"encoding/hex"
	"image"
	"image/color"
	"image/color/palette"
	"image/png"
	"math"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	xdraw "golang.org/x/image/draw"
)

func readPNG(t testing.TB, name string) image.Image {
	t.Helper()
	f, err := os.Open(filepath.Join("testdata", name))
	require.NoError(t, err)
	defer f.Close()
	img, err := png.Decode(f)
	require.NoError(t, err)
	return img
}

// reference is one line of testdata/reference.txt.
type reference struct {
	sha     string
	samples []float32 // values 0, 1, len/2 and len-1 of the tensor
}

func readReferences(t *testing.T) map[string]reference {
	f, err := os.Open(filepath.Join("testdata", "reference.txt"))
	require.NoError(t, err)
	defer f.Close()
	refs := map[string]reference{}
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		fields := strings.Fields(sc.Text())
		require.Len(t, fields, 6)
		r := reference{sha: fields[1]}
		for _, s := range fields[2:] {
			v, err := strconv.ParseFloat(s, 32)
			require.NoError(t, err)
			r.samples = append(r.samples, float32(v))
		}
		refs[fields[0]] = r
	}
	require.NoError(t, sc.Err())
	return refs
}

func tensorSHA(x []float32) string {
	b := make([]byte, 4*len(x))
	for i, v := range x {
		binary.LittleEndian.PutUint32(b[4*i:], math.Float32bits(v))
	}
	s := sha256.Sum256(b)
	return hex.EncodeToString(s[:])
}

// TestPresetsMatchTorchvision compares the tensors of the presets for a
// fixed picture with those torchvision computes for the same picture, bit
// for bit: testdata/reference.py (run with Debian's python3-torchvision
// 0.14.1 and python3-pil 9.4.0) wrote the picture, the 8-bit image after
// each preset's resize and crop, and the SHA-256 of each whole float32
// tensor.
func TestPresetsMatchTorchvision(t *testing.T) {
	photo := readPNG(t, "photo.png")
	require.Equal(t, image.Rect(0, 0, 501, 333), photo.Bounds())
	refs := readReferences(t)
	tests := []struct {
		name         string
		tr           Transform
		channels, sz int
	}{
		{"imagenet", ImageNet(), 3, 224},
		{"ram", RAM(), 3, 384},
		{"clip", CLIP(), 3, 224},
		{"gray28", Transform{Mean: []float32{0}, Std: []float32{1}}, 1, 28},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			ref, ok := refs[tt.name]
			require.True(t, ok)
			got, err := tt.tr.Tensor(photo, tt.channels, tt.sz, tt.sz)
			require.NoError(t, err)

			// The 8-bit stage first, to tell a resizing difference from a
			// normalisation one.
			raw := tt.tr
			raw.NoScale, raw.Mean, raw.Std, raw.BGR = true, []float32{0}, []float32{1}, false
			pix, err := raw.Tensor(photo, tt.channels, tt.sz, tt.sz)
			require.NoError(t, err)
			want := readPNG(t, tt.name+".png")
			require.Equal(t, image.Rect(0, 0, tt.sz, tt.sz), want.Bounds())
			plane := tt.sz * tt.sz
			var diffs int
			for y := range tt.sz {
				for x := range tt.sz {
					r, g, b, _ := want.At(x, y).RGBA()
					for c, v := range []uint32{r >> 8, g >> 8, b >> 8}[:tt.channels] {
						if pix[c*plane+y*tt.sz+x] != float32(v) {
							diffs++
						}
					}
				}
			}
			require.Zero(t, diffs, "8-bit values unlike Pillow's")

			assert.Equal(t, ref.samples, []float32{got[0], got[1], got[len(got)/2], got[len(got)-1]})
			assert.Equal(t, ref.sha, tensorSHA(got), "the float32 tensor differs from torchvision's")
		})
	}
}

// TestXImageDiffers shows why resample.go exists: golang.org/x/image/draw's
// bilinear kernel, antialiased too, does not give torchvision's pixels.
func TestXImageDiffers(t *testing.T) {
	photo := readPNG(t, "photo.png")
	want := readPNG(t, "ram.png").(*image.RGBA)
	got := image.NewRGBA(want.Rect)
	xdraw.BiLinear.Scale(got, got.Rect, photo, photo.Bounds(), xdraw.Src, nil)
	var diffs, worst int
	for i := range got.Pix {
		d := int(got.Pix[i]) - int(want.Pix[i])
		if d != 0 {
			diffs++
		}
		worst = max(worst, d, -d)
	}
	t.Logf("x/image BiLinear against Pillow at 501x333 -> 384x384: %d of %d values differ, by up to %d level(s)", diffs, len(got.Pix), worst)
	assert.Greater(t, diffs, len(got.Pix)/10)
}

func TestFillByHand(t *testing.T) {
	// A 2x2 image with bounds not at (0, 0).
	px := [][3]uint8{{10, 20, 30}, {200, 100, 0}, {255, 255, 255}, {0, 0, 0}}
	img := image.NewRGBA(image.Rect(5, 7, 7, 9))
	for i, p := range px {
		img.Set(5+i%2, 7+i/2, color.RGBA{p[0], p[1], p[2], 255})
	}
	tests := []struct {
		name string
		tr   Transform
		want func(c, i int) float32 // c in R, G, B order
		bgr  bool
	}{
		{"imagenet", Transform{}, func(c, i int) float32 {
			return (float32(px[i][c])/255 - ImageNetMean[c]) / ImageNetStd[c]
		}, false},
		{"bgr", Transform{BGR: true}, func(c, i int) float32 {
			return (float32(px[i][c])/255 - ImageNetMean[c]) / ImageNetStd[c]
		}, true},
		{"raw", Raw(), func(c, i int) float32 { return float32(px[i][c]) }, false},
		{"one mean for all", Transform{Mean: []float32{0.5}, Std: []float32{0.25}}, func(c, i int) float32 {
			return (float32(px[i][c])/255 - 0.5) / 0.25
		}, false},
		{"custom", Transform{Mean: []float32{0.5, 0.5, 0.5}, Std: []float32{0.5, 0.25, 2}}, func(c, i int) float32 {
			return (float32(px[i][c])/255 - 0.5) / []float32{0.5, 0.25, 2}[c]
		}, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := tt.tr.Tensor(img, 3, 2, 2)
			require.NoError(t, err)
			for c := range 3 {
				plane := c
				if tt.bgr {
					plane = 2 - c
				}
				for i := range 4 {
					assert.Equal(t, tt.want(c, i), got[plane*4+i], "channel %d pixel %d", c, i)
				}
			}
		})
	}
}

func TestFillColorModels(t *testing.T) {
	gray := image.NewGray(image.Rect(-3, -3, -1, -1))
	gray.Pix = []uint8{0, 77, 200, 255}
	pal := image.NewPaletted(image.Rect(0, 0, 2, 2), palette.Plan9)
	pal.Pix = []uint8{0, 10, 100, 255}
	cmyk := image.NewCMYK(image.Rect(0, 0, 2, 2))
	cmyk.Pix = []uint8{0, 0, 0, 0, 255, 0, 0, 0, 0, 0, 0, 255, 10, 20, 30, 40}
	nrgba := image.NewNRGBA(image.Rect(0, 0, 2, 2))
	nrgba.Pix = []uint8{255, 255, 255, 0, 255, 0, 0, 128, 0, 255, 0, 255, 10, 20, 30, 255}
	ycc := image.NewYCbCr(image.Rect(1, 1, 3, 3), image.YCbCrSubsampleRatio444)
	copy(ycc.Y, []uint8{16, 100, 200, 235})
	copy(ycc.Cb, []uint8{128, 90, 200, 128})
	copy(ycc.Cr, []uint8{128, 240, 60, 128})
	for _, img := range []image.Image{gray, pal, cmyk, nrgba, ycc} {
		got, err := Raw().Tensor(img, 3, 2, 2)
		require.NoError(t, err)
		b := img.Bounds()
		for i := range 4 {
			// The colour as premultiplied RGBA: composited over black.
			r, g, bl, _ := img.At(b.Min.X+i%2, b.Min.Y+i/2).RGBA()
			assert.Equal(t, float32(r>>8), got[i], "%T pixel %d red", img, i)
			assert.Equal(t, float32(g>>8), got[4+i], "%T pixel %d green", img, i)
			assert.Equal(t, float32(bl>>8), got[8+i], "%T pixel %d blue", img, i)
		}
	}
	// One channel: a gray image keeps its values exactly, a colour one
	// gets Pillow's luminance.
	got, err := Raw().Tensor(gray, 1, 2, 2)
	require.NoError(t, err)
	assert.Equal(t, []float32{0, 77, 200, 255}, got)
	rgb := image.NewRGBA(image.Rect(0, 0, 2, 1))
	copy(rgb.Pix, []uint8{255, 0, 0, 255, 10, 200, 30, 255})
	got, err = Raw().Tensor(rgb, 1, 1, 2)
	require.NoError(t, err)
	assert.Equal(t, []float32{76, 124}, got) // (19595*255 + 2^15) >> 16; (19595*10 + 38470*200 + 7471*30 + 2^15) >> 16
}

func TestResizeUniform(t *testing.T) {
	// A uniform image stays uniform through any resize and crop.
	img := image.NewRGBA(image.Rect(10, 10, 47, 23))
	for i := range img.Pix {
		img.Pix[i] = []uint8{40, 80, 120, 255}[i%4]
	}
	for _, tr := range []Transform{Raw(), {Resize: 20, NoScale: true, Mean: []float32{0}, Std: []float32{1}, Interpolation: Bicubic}} {
		got, err := tr.Tensor(img, 3, 8, 16)
		require.NoError(t, err)
		for i, v := range got {
			require.Equal(t, []float32{40, 80, 120}[i/(8*16)], v)
		}
	}
}

// TestCropWithoutResize takes the centre of an image whose shorter side
// is already Resize: no resampling, only the crop, rounded as Python's
// round rounds halves (to even).
func TestCropWithoutResize(t *testing.T) {
	img := image.NewGray(image.Rect(0, 0, 7, 4))
	for i := range img.Pix {
		img.Pix[i] = uint8(i)
	}
	tr := Transform{Resize: 4, NoScale: true, Mean: []float32{0}, Std: []float32{1}}
	got, err := tr.Tensor(img, 1, 2, 4)
	require.NoError(t, err)
	// (7 - 4) / 2 = 1.5 rounds to 2; (4 - 2) / 2 = 1.
	assert.Equal(t, []float32{9, 10, 11, 12, 16, 17, 18, 19}, got)
}

func TestCheck(t *testing.T) {
	tests := []struct {
		name string
		tr   Transform
		want string
	}{
		{"nan mean", Transform{Mean: []float32{float32(math.NaN())}}, "Mean[0] NaN out of range: want a finite number in [-1e+06, 1e+06]"},
		{"inf std", Transform{Std: []float32{1, float32(math.Inf(1)), 1}}, "Std[1] +Inf out of range: want a number in [1e-06, 1e+06]"},
		{"zero std", Transform{Std: []float32{0}}, "Std[0] 0 out of range"},
		{"negative std", Transform{Std: []float32{-1}}, "Std[0] -1 out of range"},
		{"width", Transform{Width: -1}, "Width -1 out of range: want 0 (from the model) to 16384"},
		{"height", Transform{Height: 1 << 20}, "Height 1048576 out of range"},
		{"resize", Transform{Resize: -2}, "Resize -2 out of range"},
		{"resize below crop", Transform{Width: 224, Height: 224, Resize: 200}, "Resize 200 out of range: want at least the crop's larger side, 224"},
		{"interpolation", Transform{Interpolation: 7}, "Interpolation 7 out of range"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			err := tt.tr.Check()
			require.ErrorIs(t, err, ErrRange)
			require.ErrorContains(t, err, "preprocess: "+tt.want)
			_, err = tt.tr.Plan(3, 224, 224)
			require.ErrorIs(t, err, ErrRange)
		})
	}
	for _, name := range PresetNames() {
		tr, err := Preset(name)
		require.NoError(t, err)
		require.NoError(t, tr.Check(), name)
	}
}

func TestPlanErrors(t *testing.T) {
	tests := []struct {
		name           string
		tr             Transform
		channels, h, w int
		want           string
	}{
		{"size", Transform{Width: 10, Height: 10}, 3, 4, 4, "input size 10x10 unlike the model's 4x4"},
		{"preset size", ImageNet(), 3, 384, 384, "input size 224x224 unlike the model's 384x384"},
		{"resize", Transform{Resize: 8}, 3, 16, 16, "Resize 8 out of range: want at least the model's larger side, 16"},
		{"mean", Transform{Mean: []float32{1, 2}}, 3, 4, 4, "2 mean values for a model of 3 channels: want 1 or 3"},
		{"std", Transform{Std: []float32{1, 1}}, 1, 4, 4, "2 std values for a model of 1 channels: want 1"},
		{"channels", Transform{}, 2, 4, 4, "a model input of 2 channels: want 1 or 3"},
		{"input", Transform{}, 3, 0, 4, "a model input of 4x0 pixels: want 1 to 16384 a side"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := tt.tr.Plan(tt.channels, tt.h, tt.w)
			require.EqualError(t, err, "preprocess: "+tt.want)
		})
	}
	p, err := Transform{}.Plan(3, 4, 4)
	require.NoError(t, err)
	require.ErrorContains(t, p.Fill(make([]float32, 48), image.NewGray(image.Rect(3, 3, 3, 3))), "empty image")
	require.ErrorContains(t, p.Fill(make([]float32, 47), image.NewGray(image.Rect(0, 0, 3, 3))), "a buffer of 47 values for a 3x4x4 input")
	require.ErrorContains(t, p.Fill(make([]float32, 48), nil), "nil image")
	_, err = Preset("resnet")
	require.EqualError(t, err, `preprocess: unknown preset "resnet": want imagenet, ram, clip, raw`)
}
