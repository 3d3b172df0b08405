package demo

import (
	"image"
	"image/color"
	"math"
	"math/rand/v2"
	"slices"
)

// Size is the width and height of every demo picture, in pixels.
const Size = 32

// Seed seeds the generator of the demo data set.
const Seed = 2024

// Classes are the demo's classes, in the order of the classifier's
// outputs.
var classes = [...]string{"ball", "boat", "car"}

// Classes returns the demo's classes, in the order of the classifier's
// outputs (its labels file).
func Classes() []string { return slices.Clone(classes[:]) }

// Backgrounds are the scenes a picture can show.
var backgrounds = [...]string{"grass", "sand", "snow", "water"}

// rgb is a colour with channels in [0, 1].
type rgb [3]float64

// Colours of the backgrounds, in the order of backgrounds, and of the
// objects, in the order of classes. The membership detectors of the models
// are built around these prototypes.
var (
	backgroundRGB = [...]rgb{
		{0.30, 0.62, 0.22}, // grass
		{0.86, 0.76, 0.52}, // sand
		{0.93, 0.94, 0.97}, // snow
		{0.16, 0.38, 0.72}, // water
	}
	objectRGB = [...]rgb{
		{0.55, 0.20, 0.70}, // ball: purple
		{0.95, 0.50, 0.10}, // boat: orange
		{0.80, 0.10, 0.12}, // car: red
	}
)

// Noise amplitudes (uniform, per channel) of the background texture and of
// the objects' paint, and the standard deviation of the blur.
const (
	backgroundNoise = 0.06
	objectNoise     = 0.02
	blurSigma       = 1.3
)

// A Picture is one generated image with what the generator put in it.
type Picture struct {
	ID         string      // "car/0042"
	Label      string      // the class: ball, boat or car
	Background string      // grass, sand, snow or water
	Small      bool        // a small object (else large)
	Blurry     bool        // the picture is blurred
	CenterX    float64     // the object's centroid, in pixels from the left edge
	Image      *image.RGBA // Size x Size
}

// Truth returns the tags the generator's settings imply, in the tagger's
// vocabulary, sorted: what a perfect tagger would say.
func (p *Picture) Truth() []string {
	tags := []string{p.Background}
	if p.Small {
		tags = append(tags, "small")
	} else {
		tags = append(tags, "large")
	}
	if p.Blurry {
		tags = append(tags, "blurry")
	}
	switch {
	case p.CenterX < leftOf:
		tags = append(tags, "left")
	case p.CenterX > rightOf:
		tags = append(tags, "right")
	}
	slices.Sort(tags)
	return tags
}

// An object is at the left of the picture when its centroid is left of
// leftOf, at the right when right of rightOf (pixel coordinates, the
// picture's centre at 16).
const (
	leftOf  = 12.5
	rightOf = 19.5
)

// A quota is how many pictures of a class have one combination of
// settings; the settings not fixed by a quota (position, and background
// where it is "") are drawn at random.
type quota struct {
	label      string
	background string // "" draws one of the class's backgrounds
	small      bool
	blurry     bool
	n          int
}

// quotas fix the makeup of the data set. Boats are on water, some on sand;
// cars and balls on grass, sand or snow. Among cars, small ones and blurred
// pictures are each common but seldom together: only the pictures that are
// both fail, and no single setting carries enough of them to be a failure
// mode alone.
var quotas = []quota{
	{"ball", "", false, false, 45},
	{"ball", "", true, false, 40},
	{"ball", "", false, true, 40},
	{"ball", "", true, true, 25},
	{"boat", "water", false, false, 45},
	{"boat", "water", true, false, 35},
	{"boat", "water", false, true, 35},
	{"boat", "water", true, true, 30},
	{"boat", "sand", false, false, 18},
	{"boat", "sand", true, false, 15},
	{"boat", "sand", false, true, 15},
	{"boat", "sand", true, true, 12},
	{"car", "", false, false, 40},
	{"car", "", true, false, 280},
	{"car", "", false, true, 280},
	{"car", "", true, true, 44},
}

// landBackgrounds are where cars and balls are.
var landBackgrounds = []string{"grass", "sand", "snow"}

// Generate draws the demo's pictures from rng: 999 of them, in a fixed
// order (by class, then id) for a given rng state.
//
// The settings a quota leaves free are balanced, not drawn: the k-th
// picture of a quota takes land background k mod 3 (cars and balls) and
// position band (k / 3) mod 3 (left, centre, right; large objects, which
// cannot move far, stay in the centre). A designed test set like this one
// spreads every planted failure evenly over the other settings, so no
// chance clump of failures among, say, the small cars on the left of snowy
// pictures passes for a failure mode.
func Generate(rng *rand.Rand) []*Picture {
	type item struct {
		q    quota
		bg   string
		band int
	}
	byClass := map[string][]item{}
	for _, q := range quotas {
		for k := range q.n {
			it := item{q: q, bg: q.background, band: (k / 3) % 3}
			if it.bg == "" {
				it.bg = landBackgrounds[k%len(landBackgrounds)]
			} else {
				it.band = k % 3
			}
			byClass[q.label] = append(byClass[q.label], it)
		}
	}
	var out []*Picture
	for _, label := range classes {
		items := byClass[label]
		rng.Shuffle(len(items), func(i, j int) { items[i], items[j] = items[j], items[i] })
		for i, it := range items {
			p := render(rng, label, it.bg, it.q.small, it.q.blurry, it.band)
			p.ID = label + "/" + fourDigits(i)
			out = append(out, p)
		}
	}
	return out
}

func fourDigits(i int) string {
	b := []byte("0000")
	for k := 3; k >= 0 && i > 0; k-- {
		b[k] = byte('0' + i%10)
		i /= 10
	}
	return string(b)
}

// render draws one picture.
// band is the centroid's position: 0 left, 1 centre, 2 right.
func render(rng *rand.Rand, label, bg string, small, blurry bool, band int) *Picture {
	bgc := backgroundRGB[slices.Index(backgrounds[:], bg)]
	objc := objectRGB[slices.Index(classes[:], label)]
	var area float64
	if small {
		area = 42 + 10*rng.Float64()
	} else {
		area = 140 + 50*rng.Float64()
	}
	sh := newShape(label, area)
	// Keep the object two pixels clear of the edges, where the models do
	// not look.
	x0, x1 := 2-sh.minX, Size-2-sh.maxX
	y0, y1 := 2-sh.minY, Size-2-sh.maxY
	// Place the centroid in its band, a pixel clear of the tagger's
	// cut-offs; an object too large to reach the band stays in the centre.
	off := sh.centroidX()
	lo, hi := x0+off, x1+off
	bands := [3][2]float64{{0, leftOf - 1}, {leftOf + 1, rightOf - 1}, {rightOf + 1, Size}}
	for _, b := range []int{band, 1} {
		if l, h := max(lo, bands[b][0]), min(hi, bands[b][1]); l <= h {
			lo, hi = l, h
			break
		}
	}
	cx := lo + (hi-lo)*rng.Float64() - off
	cy := y0 + (y1-y0)*rng.Float64()

	var px [3][Size][Size]float64
	var sumA, sumX float64
	bx0, bx1 := int(math.Floor(cx+sh.minX)), int(math.Ceil(cx+sh.maxX))
	by0, by1 := int(math.Floor(cy+sh.minY)), int(math.Ceil(cy+sh.maxY))
	for y := range Size {
		for x := range Size {
			// 4 x 4 supersampling for anti-aliased edges, inside the
			// object's bounding box.
			var a float64
			if x >= bx0 && x <= bx1 && y >= by0 && y <= by1 {
				for sy := range 4 {
					for sx := range 4 {
						if sh.inside(float64(x)+(float64(sx)+0.5)/4-cx, float64(y)+(float64(sy)+0.5)/4-cy) {
							a++
						}
					}
				}
				a /= 16
			}
			sumA += a
			sumX += a * (float64(x) + 0.5)
			for c := range 3 {
				v := bgc[c] + backgroundNoise*(2*rng.Float64()-1)
				if a > 0 {
					o := objc[c] + objectNoise*(2*rng.Float64()-1)
					v = a*o + (1-a)*v
				}
				px[c][y][x] = v
			}
		}
	}
	if blurry {
		for c := range 3 {
			gaussianBlur(&px[c], blurSigma)
		}
	}
	img := image.NewRGBA(image.Rect(0, 0, Size, Size))
	for y := range Size {
		for x := range Size {
			img.SetRGBA(x, y, color.RGBA{to8(px[0][y][x]), to8(px[1][y][x]), to8(px[2][y][x]), 255})
		}
	}
	return &Picture{Label: label, Background: bg, Small: small, Blurry: blurry, CenterX: sumX / sumA, Image: img}
}

func to8(v float64) uint8 {
	return uint8(math.Round(255 * min(1, max(0, v))))
}

// gaussianBlur blurs p in place, separably, clamping at the edges.
func gaussianBlur(p *[Size][Size]float64, sigma float64) {
	r := int(math.Ceil(3 * sigma))
	k := make([]float64, 2*r+1)
	var sum float64
	for i := range k {
		d := float64(i - r)
		k[i] = math.Exp(-d * d / (2 * sigma * sigma))
		sum += k[i]
	}
	for i := range k {
		k[i] /= sum
	}
	clamp := func(i int) int { return min(Size-1, max(0, i)) }
	var tmp [Size][Size]float64
	for y := range Size {
		for x := range Size {
			var s float64
			for i, w := range k {
				s += w * p[y][clamp(x+i-r)]
			}
			tmp[y][x] = s
		}
	}
	for y := range Size {
		for x := range Size {
			var s float64
			for i, w := range k {
				s += w * tmp[clamp(y+i-r)][x]
			}
			p[y][x] = s
		}
	}
}

// A shape is an object's outline, centred on (0, 0), with its extent.
type shape struct {
	label                  string
	r                      float64
	minX, maxX, minY, maxY float64
}

// newShape returns the outline of a ball, boat or car of about the given
// area in pixels.
func newShape(label string, area float64) shape {
	s := shape{label: label}
	switch label {
	case "ball":
		s.r = math.Sqrt(area / math.Pi)
		s.minX, s.maxX, s.minY, s.maxY = -s.r, s.r, -s.r, s.r
	case "boat":
		// Hull 1.15 r² and sail 0.7 r².
		s.r = math.Sqrt(area / 1.85)
		s.minX, s.maxX, s.minY, s.maxY = -1.4*s.r, 1.4*s.r, -1.3*s.r, 0.7*s.r
	case "car":
		// Body 1.96 r² and cabin 0.65 r².
		s.r = math.Sqrt(area / 2.61)
		s.minX, s.maxX, s.minY, s.maxY = -1.4*s.r, 1.4*s.r, -0.6*s.r, 0.6*s.r
	}
	return s
}

// centroidX returns the x coordinate of the shape's centroid relative to
// its centre, by supersampling.
func (s *shape) centroidX() float64 {
	var n, sum float64
	for y := s.minY; y <= s.maxY; y += 0.25 {
		for x := s.minX; x <= s.maxX; x += 0.25 {
			if s.inside(x, y) {
				n++
				sum += x
			}
		}
	}
	if n == 0 {
		return 0
	}
	return sum / n
}

// inside reports whether the point (x, y), relative to the centre, is in
// the shape.
func (s *shape) inside(x, y float64) bool {
	r := s.r
	switch s.label {
	case "ball":
		return x*x+y*y <= r*r
	case "boat":
		// Hull: a trapezoid 2.8 r wide at the top, 1.8 r at the keel.
		if y >= 0.2*r && y <= 0.7*r {
			half := 1.4*r - (y - 0.2*r)
			return math.Abs(x) <= half
		}
		// Sail: a right triangle with its mast at x = 0.1 r.
		if y >= -1.3*r && y < 0.2*r && x >= 0.1*r {
			return x-0.1*r <= (y+1.3*r)*(1.0/1.4)
		}
		return false
	case "car":
		if y >= -0.1*r && y <= 0.6*r {
			return math.Abs(x) <= 1.4*r
		}
		return y >= -0.6*r && y < -0.1*r && x >= -0.7*r && x <= 0.6*r
	}
	return false
}
