package primetest

import (
	"image"
	"image/color"
	"image/color/palette"
)

// An Image is a test image and its id: the kit calls the plug-in with the
// image, or, for a plug-in that answers by id (prime.IDTagger,
// prime.IDClassifier), with the id.
type Image struct {
	ID    string
	Image image.Image
}

// OddImages returns the images every check passes besides the caller's,
// each with an id starting "primetest/": bounds not at (0, 0), a 1x1
// image, and the color models a decoder can return (Gray, Gray16,
// Paletted, CMYK, NRGBA with varying alpha, YCbCr, RGBA). Their pixels are
// fixed patterns, the same on every call; each call returns new images.
func OddImages() []Image {
	return []Image{
		{"primetest/offset", fill(image.NewRGBA(image.Rect(-7, 13, 25, 37)))},
		{"primetest/1x1", fill(image.NewRGBA(image.Rect(0, 0, 1, 1)))},
		{"primetest/gray", fill(image.NewGray(image.Rect(0, 0, 32, 24)))},
		{"primetest/gray16", fill(image.NewGray16(image.Rect(0, 0, 17, 29)))},
		{"primetest/paletted", fill(image.NewPaletted(image.Rect(0, 0, 24, 24), palette.Plan9))},
		{"primetest/cmyk", fill(image.NewCMYK(image.Rect(0, 0, 20, 28)))},
		{"primetest/nrgba-alpha", fill(image.NewNRGBA(image.Rect(0, 0, 30, 20)))},
		{"primetest/ycbcr", fillYCbCr(image.NewYCbCr(image.Rect(3, 5, 35, 37), image.YCbCrSubsampleRatio420))},
		{"primetest/rgba-large", fill(image.NewRGBA(image.Rect(0, 0, 300, 200)))},
	}
}

// settable is an image whose pixels can be set.
type settable interface {
	image.Image
	Set(x, y int, c color.Color)
}

// fill paints img with a fixed pattern: gradients, a disc and, where the
// model has alpha, alpha falling from left to right.
func fill(img settable) image.Image {
	b := img.Bounds()
	w, h := max(b.Dx(), 1), max(b.Dy(), 1)
	for y := b.Min.Y; y < b.Max.Y; y++ {
		for x := b.Min.X; x < b.Max.X; x++ {
			fx, fy := (x-b.Min.X)*255/w, (y-b.Min.Y)*255/h
			dx, dy := 2*(x-b.Min.X)-w, 2*(y-b.Min.Y)-h
			c := color.NRGBA{R: uint8(fx), G: uint8(fy), B: uint8((fx + fy) / 2), A: uint8(255 - fx/2)}
			if dx*dx+dy*dy < w*h/4 {
				c.R, c.G = 255-c.R, 40
			}
			img.Set(x, y, c)
		}
	}
	return img
}

// fillYCbCr paints a YCbCr image, which has no Set, with a fixed pattern.
func fillYCbCr(img *image.YCbCr) image.Image {
	for i := range img.Y {
		img.Y[i] = uint8(i * 7)
	}
	for i := range img.Cb {
		img.Cb[i] = uint8(64 + i*3)
		img.Cr[i] = uint8(192 - i*5)
	}
	return img
}
