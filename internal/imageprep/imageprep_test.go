package imageprep

import (
	"image"
	"image/color"
	"image/color/palette"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestFillByHand(t *testing.T) {
	// A 2x2 image with bounds not at (0, 0).
	px := [][3]uint8{{10, 20, 30}, {200, 100, 0}, {255, 255, 255}, {0, 0, 0}}
	img := image.NewRGBA(image.Rect(5, 7, 7, 9))
	for i, p := range px {
		img.Set(5+i%2, 7+i/2, color.RGBA{p[0], p[1], p[2], 255})
	}
	tests := []struct {
		name string
		opts Options
		want func(c, i int) float32 // c in R, G, B order
		bgr  bool
	}{
		{"imagenet", Options{}, func(c, i int) float32 {
			return (float32(px[i][c])/255 - ImageNetMean[c]) / ImageNetStd[c]
		}, false},
		{"bgr", Options{BGR: true}, func(c, i int) float32 {
			return (float32(px[i][c])/255 - ImageNetMean[c]) / ImageNetStd[c]
		}, true},
		{"raw", Options{NoScale: true, Mean: []float32{0, 0, 0}, Std: []float32{1, 1, 1}}, func(c, i int) float32 {
			return float32(px[i][c])
		}, false},
		{"custom", Options{Mean: []float32{0.5, 0.5, 0.5}, Std: []float32{0.5, 0.25, 2}}, func(c, i int) float32 {
			return (float32(px[i][c])/255 - 0.5) / []float32{0.5, 0.25, 2}[c]
		}, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			p, err := tt.opts.Resolve(3, 2, 2)
			require.NoError(t, err)
			dst := make([]float32, 12)
			require.NoError(t, p.Fill(dst, img))
			for c := range 3 {
				plane := c
				if tt.bgr {
					plane = 2 - c
				}
				for i := range 4 {
					assert.InDelta(t, tt.want(c, i), dst[plane*4+i], 1e-5, "channel %d pixel %d", c, i)
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
	for _, img := range []image.Image{gray, pal, cmyk, nrgba} {
		p, err := Options{NoScale: true, Mean: []float32{0, 0, 0}, Std: []float32{1, 1, 1}}.Resolve(3, 2, 2)
		require.NoError(t, err)
		dst := make([]float32, 12)
		require.NoError(t, p.Fill(dst, img))
		b := img.Bounds()
		for i := range 4 {
			// The expected value: the colour as premultiplied RGBA, that is
			// composited over black.
			r, g, bl, _ := img.At(b.Min.X+i%2, b.Min.Y+i/2).RGBA()
			assert.Equal(t, float32(r>>8), dst[i], "%T pixel %d red", img, i)
			assert.Equal(t, float32(g>>8), dst[4+i], "%T pixel %d green", img, i)
			assert.Equal(t, float32(bl>>8), dst[8+i], "%T pixel %d blue", img, i)
		}
	}
	// One channel: a gray image keeps its values exactly.
	p, err := Options{NoScale: true}.Resolve(1, 2, 2)
	require.NoError(t, err)
	dst := make([]float32, 4)
	require.NoError(t, p.Fill(dst, gray))
	assert.Equal(t, []float32{0, 77, 200, 255}, dst)
}

func TestResize(t *testing.T) {
	// A uniform image stays uniform through bilinear resizing, whatever
	// the sizes.
	img := image.NewRGBA(image.Rect(10, 10, 47, 23))
	for i := range img.Pix {
		img.Pix[i] = []uint8{40, 80, 120, 255}[i%4]
	}
	p, err := Options{NoScale: true, Mean: []float32{0, 0, 0}, Std: []float32{1, 1, 1}}.Resolve(3, 8, 16)
	require.NoError(t, err)
	dst := make([]float32, 3*8*16)
	require.NoError(t, p.Fill(dst, img))
	for i, v := range dst {
		assert.Equal(t, []float32{40, 80, 120}[i/(8*16)], v)
	}
}

func TestResolveErrors(t *testing.T) {
	tests := []struct {
		name string
		opts Options
		want string
	}{
		{"size", Options{Width: 10, Height: 10}, "10x10 unlike the model's 4x4"},
		{"mean", Options{Mean: []float32{1}}, "1 mean values for a model of 3 channels"},
		{"std", Options{Std: []float32{1, 1}}, "2 std values"},
		{"zero std", Options{Std: []float32{1, 0, 1}}, "must be positive"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := tt.opts.Resolve(3, 4, 4)
			require.ErrorContains(t, err, tt.want)
		})
	}
	p, err := Options{}.Resolve(3, 4, 4)
	require.NoError(t, err)
	require.ErrorContains(t, p.Fill(make([]float32, 48), image.NewGray(image.Rect(3, 3, 3, 3))), "empty image")
}
