package main

import (
	"bytes"
	"encoding/base64"
	"image"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"golang.org/x/image/bmp"
	"golang.org/x/image/tiff"
)

// The command registers the decoders of BMP, TIFF and WebP, which
// prime.ImageFolder lists and the root package leaves to programs.
func TestImageFormats(t *testing.T) {
	img := image.NewGray(image.Rect(0, 0, 3, 2))
	var bmpData, tiffData bytes.Buffer
	require.NoError(t, bmp.Encode(&bmpData, img))
	require.NoError(t, tiff.Encode(&tiffData, img, nil))
	// A 1x1 lossless WebP (x/image has no WebP encoder).
	webpData, err := base64.StdEncoding.DecodeString("UklGRhoAAABXRUJQVlA4TA0AAAAvAAAAEAcQERGIiP4HAA==")
	require.NoError(t, err)
	for _, tc := range []struct {
		format string
		data   []byte
		size   image.Point
	}{
		{"bmp", bmpData.Bytes(), image.Pt(3, 2)},
		{"tiff", tiffData.Bytes(), image.Pt(3, 2)},
		{"webp", webpData, image.Pt(1, 1)},
	} {
		t.Run(tc.format, func(t *testing.T) {
			got, format, err := image.Decode(bytes.NewReader(tc.data))
			require.NoError(t, err)
			assert.Equal(t, tc.format, format)
			assert.Equal(t, tc.size, got.Bounds().Size())
		})
	}
}
