package main

import (
	"context"
	"fmt"
	"image"
	"image/color"
	"math"

	"github.com/failmodes/prime"
)

// Handwriting is a prime.Tagger that names properties of a handwritten
// digit from its pixels: how thick and how slanted the strokes are, how big
// the digit is and where it sits in the frame, whether its strokes close
// loops, and whether a stroke is broken. It is written for MNIST's 28 x 28
// pictures, light ink on a dark ground; other images are resampled to
// 28 x 28 (nearest pixel) and their luminance taken as ink.
//
// It is safe for concurrent use, deterministic, and keeps nothing between
// calls. Every tag has Score 1.
type Handwriting struct{}

// The tags of Handwriting, as Vocabulary lists them.
const (
	TagThick     = "thick"       // mean stroke width of 3.6 pixels or more
	TagThin      = "thin"        // mean stroke width under 2.3 pixels
	TagSlantR    = "slant-right" // top leans right: shear of 0.4 or more
	TagSlantL    = "slant-left"  // top leans left: shear of -0.2 or less
	TagSmall     = "small"       // ink spans at most 17 rows
	TagWide      = "wide"        // ink spans at least 20 columns
	TagNarrow    = "narrow"      // ink spans at most 7 columns
	TagOffCenter = "off-center"  // the ink's box is 2.5 pixels or more off the frame's centre
	TagNoLoop    = "no-loop"     // the strokes close no loop
	TagLoop      = "loop"        // the strokes close exactly one loop
	TagTwoLoops  = "two-loops"   // the strokes close two loops or more
	TagBroken    = "broken"      // the ink is in two or more pieces of 4 pixels or more
	TagFaint     = "faint"       // the ink's mean intensity is under 0.85
)

// Vocabulary returns every tag Handwriting may return.
func (Handwriting) Vocabulary() []string {
	return []string{TagThick, TagThin, TagSlantR, TagSlantL, TagSmall, TagWide, TagNarrow,
		TagOffCenter, TagNoLoop, TagLoop, TagTwoLoops, TagBroken, TagFaint}
}

// side is the grid the tagger works on.
const side = 28

// inkLevel is the intensity (0 to 1) above which a pixel is ink.
const inkLevel = 0.5

// Tag implements prime.Tagger.
func (h Handwriting) Tag(ctx context.Context, img image.Image) ([]prime.Tag, error) {
	if err := ctx.Err(); err != nil {
		return nil, fmt.Errorf("handwriting: %w", err)
	}
	f := Measure(img)
	var tags []prime.Tag
	add := func(cond bool, name string) {
		if cond {
			tags = append(tags, prime.Tag{Name: name, Score: 1})
		}
	}
	if f.Ink == 0 {
		return tags, nil
	}
	add(f.Width >= 3.6, TagThick)
	add(f.Width < 2.3, TagThin)
	add(f.Shear >= 0.4, TagSlantR)
	add(f.Shear <= -0.2, TagSlantL)
	add(f.Rows <= 17, TagSmall)
	add(f.Cols >= 20, TagWide)
	add(f.Cols <= 7, TagNarrow)
	add(f.Offset >= 2.5, TagOffCenter)
	add(f.Holes == 0, TagNoLoop)
	add(f.Holes == 1, TagLoop)
	add(f.Holes >= 2, TagTwoLoops)
	add(f.Pieces >= 2, TagBroken)
	add(f.Intensity < 0.85, TagFaint)
	return tags, nil
}

// Features are the measurements Handwriting's tags are thresholds of.
type Features struct {
	Ink       int     // ink pixels
	Width     float64 // mean stroke width: 2 x ink / ink pixels on the ink's edge
	Shear     float64 // slant: how far x moves right per row up, from second moments
	Rows      int     // rows spanned by the ink
	Cols      int     // columns spanned by the ink
	Offset    float64 // distance of the ink's box centre from the frame's centre
	Holes     int     // loops: regions of background enclosed by ink
	Pieces    int     // pieces of ink of 4 pixels or more (8-connected)
	Intensity float64 // mean intensity of the ink pixels, 0 to 1
}

// Measure computes the Features of img.
func Measure(img image.Image) Features {
	b := img.Bounds()
	if b.Empty() {
		return Features{}
	}
	var ink [side][side]bool
	var f Features
	var sum, sx, sy float64
	minX, maxX, minY, maxY := side, -1, side, -1
	for y := range side {
		for x := range side {
			c := color.GrayModel.Convert(img.At(b.Min.X+x*b.Dx()/side, b.Min.Y+y*b.Dy()/side)).(color.Gray)
			v := float64(c.Y) / 255
			if v <= inkLevel {
				continue
			}
			ink[y][x] = true
			f.Ink++
			sum += v
			sx += float64(x)
			sy += float64(y)
			minX, maxX = min(minX, x), max(maxX, x)
			minY, maxY = min(minY, y), max(maxY, y)
		}
	}
	if f.Ink == 0 {
		return f
	}
	n := float64(f.Ink)
	f.Intensity = sum / n
	f.Rows, f.Cols = maxY-minY+1, maxX-minX+1
	f.Offset = math.Hypot(float64(minX+maxX)/2-13.5, float64(minY+maxY)/2-13.5)
	mx, my := sx/n, sy/n
	var sxy, syy float64
	edge := 0
	at := func(x, y int) bool { return x >= 0 && y >= 0 && x < side && y < side && ink[y][x] }
	for y := range side {
		for x := range side {
			if !ink[y][x] {
				continue
			}
			dx, dy := float64(x)-mx, float64(y)-my
			sxy += dx * dy
			syy += dy * dy
			if !at(x-1, y) || !at(x+1, y) || !at(x, y-1) || !at(x, y+1) {
				edge++
			}
		}
	}
	f.Width = 2 * n / float64(edge)
	if syy > 0 {
		// y grows downwards: a top leaning right has x falling as y grows.
		f.Shear = -sxy / syy
	}
	f.Pieces = regions(&ink, true, around8, func(size int, _ bool) bool { return size >= 4 })
	// Background regions (4-connected) not reaching the border are holes;
	// specks of one or two pixels are noise, not loops.
	f.Holes = regions(&ink, false, around4, func(size int, border bool) bool { return !border && size >= 3 })
	return f
}

// Neighbourhoods of a cell: the 8 cells around it, and the 4 beside it.
var (
	around8 = [][2]int{{-1, -1}, {0, -1}, {1, -1}, {-1, 0}, {1, 0}, {-1, 1}, {0, 1}, {1, 1}}
	around4 = [][2]int{{1, 0}, {-1, 0}, {0, 1}, {0, -1}}
)

// regions counts the regions of cells equal to want, connected through
// the neighbourhood around, that keep accepts, given each region's size
// in cells and whether it touches the frame's border.
func regions(grid *[side][side]bool, want bool, around [][2]int, keep func(size int, border bool) bool) int {
	var seen [side][side]bool
	count := 0
	stack := make([][2]int, 0, side*side)
	for y := range side {
		for x := range side {
			if seen[y][x] || grid[y][x] != want {
				continue
			}
			size, border := 0, false
			seen[y][x] = true
			stack = append(stack[:0], [2]int{x, y})
			for len(stack) > 0 {
				p := stack[len(stack)-1]
				stack = stack[:len(stack)-1]
				size++
				if p[0] == 0 || p[1] == 0 || p[0] == side-1 || p[1] == side-1 {
					border = true
				}
				for _, d := range around {
					qx, qy := p[0]+d[0], p[1]+d[1]
					if qx < 0 || qy < 0 || qx >= side || qy >= side || seen[qy][qx] || grid[qy][qx] != want {
						continue
					}
					seen[qy][qx] = true
					stack = append(stack, [2]int{qx, qy})
				}
			}
			if keep(size, border) {
				count++
			}
		}
	}
	return count
}
