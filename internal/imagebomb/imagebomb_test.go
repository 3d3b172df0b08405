package imagebomb

import (
	"bytes"
	"image"
	"image/png"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	_ "golang.org/x/image/bmp"
)

func TestBombs(t *testing.T) {
	sizes := map[string]int{"claims-100000x100000.png": 74, "claims-100000x100000.bmp": 54}
	for _, b := range All() {
		t.Run(b.Name, func(t *testing.T) {
			if n, ok := sizes[b.Name]; ok {
				assert.Len(t, b.Data, n)
			} else {
				assert.InDelta(t, 190<<10, len(b.Data), 20<<10, "about 190 kB")
			}
			cfg, _, err := image.DecodeConfig(bytes.NewReader(b.Data))
			require.NoError(t, err)
			assert.Equal(t, b.Width, cfg.Width)
			assert.Equal(t, b.Height, cfg.Height)
		})
	}
}

// TestOneBitPNGValid decodes a small OneBitPNG in full: the stream of
// repeated pieces is a valid PNG.
func TestOneBitPNGValid(t *testing.T) {
	for _, size := range [][2]int{{64, 64}, {1000, 4096}, {40000, 16}} {
		img, err := png.Decode(bytes.NewReader(OneBitPNG(size[0], size[1])))
		require.NoError(t, err)
		assert.Equal(t, image.Rect(0, 0, size[0], size[1]), img.Bounds())
		g := img.(*image.Gray)
		assert.Equal(t, make([]byte, len(g.Pix)), g.Pix, "black")
	}
}
