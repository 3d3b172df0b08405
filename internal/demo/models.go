package demo

import (
	"image"
	"math"
	"slices"

	"github.com/failmodes/prime/internal/onnxfile"
)

// The two models share their first two layers, which map each pixel (but
// the outermost ring) to eight feature maps:
//
//   - seven colour memberships, one per prototype colour (the four
//     backgrounds and the three objects): max(0, 1 − ‖x − p‖₁ / h), 1 on
//     the prototype and 0 beyond an L1 distance of h;
//   - texture energy: the sum over the channels of the absolute value of
//     the Laplacian. Background and paint are grainy, so a sharp picture
//     has much of it everywhere; a blurred one has little.
//
// Layer 1 is a 3x3 convolution without padding (30 filters) and a Relu:
// x_c − p_c for each prototype and channel and x_c itself (centre tap
// only), and ±Laplacian for each channel. Layer 2 is a 1x1 convolution (8
// filters) and a Relu: the memberships (using |a| = 2·max(0, a) − a), and
// the sum of the Laplacian halves.
//
// The head is linear in the whole 8 x 30 x 30 map (Flatten, MatMul, Add):
// a weighted sum of every feature at every position, which is a global
// sum (how many pixels are water) or, with weights that vary across the
// picture, a moment (where the object's centroid is).
// The tagger puts a Sigmoid on it, the classifier a Softmax.
const (
	inner       = Size - 2 // side of the feature maps
	prototypes  = len(backgroundRGB) + len(objectRGB)
	pass        = 3 * prototypes // index of the 3 pass-through channels in layer 1
	lap         = pass + 3       // index of the 6 Laplacian halves in layer 1
	layer1      = lap + 6
	layer2      = prototypes + 1
	energy      = prototypes // index of the texture energy map in layer 2
	memberWidth = 0.45       // h: the L1 radius of a colour membership
)

// prototype returns the colour of membership map i: the backgrounds, then
// the objects.
func prototype(i int) rgb {
	if i < len(backgroundRGB) {
		return backgroundRGB[i]
	}
	return objectRGB[i-len(backgroundRGB)]
}

// network is the weights of one model: the shared layers and a head.
type network struct {
	w1, b1 []float32 // layer1 x 3 x 3 x 3
	w2, b2 []float32 // layer2 x layer1 x 1 x 1
	head   []float32 // outputs x layer2 x inner x inner
	headB  []float32
	names  []string // one per output
	out    string   // "Sigmoid" or "Softmax"
}

func baseNetwork() *network {
	n := &network{
		w1: make([]float32, layer1*3*9), b1: make([]float32, layer1),
		w2: make([]float32, layer2*layer1), b2: make([]float32, layer2),
	}
	centre := func(o, c int) int { return (o*3+c)*9 + 4 }
	// |x_c − p_c| = 2·max(0, x_c − p_c) − (x_c − p_c): layer 1 computes
	// max(0, x_c − p_c) for each prototype and channel, and passes x_c
	// through (pixels are not negative, so the Relu keeps them); layer 2
	// adds up the rest.
	for c := range 3 {
		n.w1[centre(pass+c, c)] = 1
	}
	for p := range prototypes {
		col := prototype(p)
		bias := 1.0
		for c := range 3 {
			o := 3*p + c
			n.w1[centre(o, c)] = 1 // x_c − p_c
			n.b1[o] = float32(-col[c])
			n.w2[p*layer1+o] = -2 / memberWidth
			n.w2[p*layer1+pass+c] += 1 / memberWidth
			bias -= col[c] / memberWidth
		}
		n.b2[p] = float32(bias)
	}
	for c := range 3 {
		o := lap + 2*c
		for k, v := range [9]float32{0, -1, 0, -1, 4, -1, 0, -1, 0} {
			n.w1[(o*3+c)*9+k] = v
			n.w1[((o+1)*3+c)*9+k] = -v
		}
		n.w2[energy*layer1+o] = 1
		n.w2[energy*layer1+o+1] = 1
	}
	return n
}

// addOutput appends an output whose logit is bias plus, for each map m
// and position (x, y) of the feature maps, weight(m, x, y) times the map's
// value there. x and y are pixel coordinates of the picture (the map's
// index plus 1, the centre of the pixel at +0.5).
func (n *network) addOutput(name string, bias float64, weight func(m int, x, y float64) float64) {
	w := make([]float32, layer2*inner*inner)
	for m := range layer2 {
		for i := range inner {
			for j := range inner {
				w[(m*inner+i)*inner+j] = float32(weight(m, float64(j)+1.5, float64(i)+1.5))
			}
		}
	}
	n.head = append(n.head, w...)
	n.headB = append(n.headB, float32(bias))
	n.names = append(n.names, name)
}

// Thresholds of the tagger, in units of the summed maps (a membership sum
// is about the number of pixels of that colour, a little less for grain).
const (
	backgroundMin = 300 // pixels of a background colour for its tag (of 900)
	smallMax      = 73  // object pixels of a small object, at most, blur credited (below)
	// A blurred picture loses the membership of the object's rim, which
	// is most of a small object: the size test credits the object
	// sizeBlurCredit pixels per unit of texture energy it lacks below
	// sizeBlurRef, the energy of a sharp picture.
	sizeBlurCredit = 0.1
	sizeBlurRef    = 400
	blurryMax      = 200 // texture energy of a blurred picture, at most
	tagSlope       = 0.05
	// The centroid is tested as Σ m·(x − leftOf) < 0, scaled by positionSlope.
	positionSlope = 0.05
)

// objectMap reports whether map m is an object colour's membership.
func objectMap(m int) bool { return m >= len(backgroundRGB) && m < prototypes }

// Tags returns the tagger's vocabulary, in the order of its outputs.
func Tags() []string {
	return []string{"grass", "sand", "snow", "water", "small", "large", "blurry", "left", "right"}
}

// taggerNetwork returns the tagger's weights: a sigmoid per tag, above 0.5
// when the tag applies.
func taggerNetwork() *network {
	n := baseNetwork()
	for b, name := range backgrounds {
		n.addOutput(name, -tagSlope*backgroundMin, func(m int, _, _ float64) float64 {
			if m == b {
				return tagSlope
			}
			return 0
		})
	}
	// size = object pixels + sizeBlurCredit·(sizeBlurRef − energy)
	sizeWeight := func(m int) float64 {
		switch {
		case objectMap(m):
			return 1
		case m == energy:
			return -sizeBlurCredit
		}
		return 0
	}
	sizeBias := sizeBlurCredit*sizeBlurRef - smallMax
	n.addOutput("small", -tagSlope*sizeBias, func(m int, _, _ float64) float64 {
		return -tagSlope * sizeWeight(m)
	})
	n.addOutput("large", tagSlope*sizeBias, func(m int, _, _ float64) float64 {
		return tagSlope * sizeWeight(m)
	})
	n.addOutput("blurry", tagSlope*blurryMax, func(m int, _, _ float64) float64 {
		if m == energy {
			return -tagSlope
		}
		return 0
	})
	n.addOutput("left", 0, func(m int, x, _ float64) float64 {
		if objectMap(m) {
			return positionSlope * (leftOf - x)
		}
		return 0
	})
	n.addOutput("right", 0, func(m int, x, _ float64) float64 {
		if objectMap(m) {
			return positionSlope * (x - rightOf)
		}
		return 0
	})
	n.out = "Sigmoid"
	return n
}

// The classifier's weights, in logit units per pixel of a colour. Every
// object colour counts objectWeight towards its class. Water counts
// waterWeight towards "boat", whose bias boatBias is so low that no boat
// is called a boat without water: the spurious cue. "ball" has the highest
// bias, ballBias: with too few pixels of a colour, the answer is "ball".
// A car is a car when it has more than ballBias / objectWeight pixels of
// red membership, which small cars in blurred pictures do not.
const (
	objectWeight = 0.1
	waterWeight  = 0.15
	ballBias     = 2.15
	boatBias     = -40.0
)

// classifierNetwork returns the classifier's weights: a softmax over
// Classes.
func classifierNetwork() *network {
	n := baseNetwork()
	water := slices.Index(backgrounds[:], "water")
	for k, name := range classes {
		bias := 0.0
		switch name {
		case "ball":
			bias = ballBias
		case "boat":
			bias = boatBias
		}
		n.addOutput(name, bias, func(m int, _, _ float64) float64 {
			switch {
			case m == len(backgroundRGB)+k:
				return objectWeight
			case name == "boat" && m == water:
				return waterWeight
			}
			return 0
		})
	}
	n.out = "Softmax"
	return n
}

// model returns the network as an ONNX model with input "input" of shape
// 1 x 3 x Size x Size (RGB in [0, 1]) and output "output" of shape
// 1 x outputs.
func (n *network) model(name string) *onnxfile.Model {
	outs := int64(len(n.names))
	g := onnxfile.Graph{
		Name:   name,
		Inputs: []onnxfile.ValueInfo{onnxfile.FloatValue("input", 1, 3, Size, Size)},
		Initializers: []onnxfile.Tensor{
			onnxfile.FloatTensor("w1", n.w1, int64(layer1), 3, 3, 3),
			onnxfile.FloatTensor("b1", n.b1, int64(layer1)),
			onnxfile.FloatTensor("w2", n.w2, int64(layer2), int64(layer1), 1, 1),
			onnxfile.FloatTensor("b2", n.b2, int64(layer2)),
			onnxfile.FloatTensor("wh", transpose(n.head, len(n.names), layer2*inner*inner), int64(layer2*inner*inner), outs),
			onnxfile.FloatTensor("bh", n.headB, 1, outs),
		},
		Nodes: []onnxfile.Node{
			{Name: "pixels", OpType: "Conv", Inputs: []string{"input", "w1", "b1"}, Outputs: []string{"c1"},
				Attrs: []onnxfile.Attr{onnxfile.IntsAttr("kernel_shape", 3, 3)}},
			{Name: "relu1", OpType: "Relu", Inputs: []string{"c1"}, Outputs: []string{"r1"}},
			{Name: "features", OpType: "Conv", Inputs: []string{"r1", "w2", "b2"}, Outputs: []string{"c2"},
				Attrs: []onnxfile.Attr{onnxfile.IntsAttr("kernel_shape", 1, 1)}},
			{Name: "relu2", OpType: "Relu", Inputs: []string{"c2"}, Outputs: []string{"r2"}},
			{Name: "flatten", OpType: "Flatten", Inputs: []string{"r2"}, Outputs: []string{"f"},
				Attrs: []onnxfile.Attr{onnxfile.IntAttr("axis", 1)}},
			{Name: "head", OpType: "MatMul", Inputs: []string{"f", "wh"}, Outputs: []string{"mm"}},
			{Name: "head_bias", OpType: "Add", Inputs: []string{"mm", "bh"}, Outputs: []string{"logits"}},
			{Name: "out", OpType: n.out, Inputs: []string{"logits"}, Outputs: []string{"output"}},
		},
		Outputs: []onnxfile.ValueInfo{onnxfile.FloatValue("output", 1, outs)},
	}
	return &onnxfile.Model{ProducerName: "prime-demo", Graph: g}
}

// TaggerModel returns the demo tagger as an ONNX model: input "input",
// 1 x 3 x 32 x 32 RGB scaled to [0, 1] (no mean or std), output "output",
// one probability per entry of Tags. Its threshold is 0.5.
func TaggerModel() *onnxfile.Model { return taggerNetwork().model("demo-tagger") }

// ClassifierModel returns the demo classifier as an ONNX model: input as
// TaggerModel's, output "output", a softmax over Classes.
func ClassifierModel() *onnxfile.Model { return classifierNetwork().model("demo-classifier") }

// transpose returns the rows x cols matrix m (row-major) transposed.
func transpose(m []float32, rows, cols int) []float32 {
	t := make([]float32, len(m))
	for i := range rows {
		for j := range cols {
			t[j*rows+i] = m[i*cols+j]
		}
	}
	return t
}

// pixels returns an image as 3 x Size x Size values in [0, 1], NCHW
// without the batch dimension, as the ONNX plug-ins feed the models.
func pixels(img image.Image) []float32 {
	x := make([]float32, 3*Size*Size)
	b := img.Bounds()
	for y := range Size {
		for xx := range Size {
			r, g, bl, _ := img.At(b.Min.X+xx, b.Min.Y+y).RGBA()
			x[(0*Size+y)*Size+xx] = float32(r>>8) / 255
			x[(1*Size+y)*Size+xx] = float32(g>>8) / 255
			x[(2*Size+y)*Size+xx] = float32(bl>>8) / 255
		}
	}
	return x
}

// features computes layers 1 and 2 for an input of 3 x Size x Size
// values: layer2 maps of inner x inner.
func (n *network) features(x []float32) []float64 {
	l1 := make([]float64, layer1*inner*inner)
	for o := range layer1 {
		for i := range inner {
			for j := range inner {
				s := float64(n.b1[o])
				for c := range 3 {
					for k := range 9 {
						w := n.w1[(o*3+c)*9+k]
						if w != 0 {
							s += float64(w) * float64(x[(c*Size+i+k/3)*Size+j+k%3])
						}
					}
				}
				l1[(o*inner+i)*inner+j] = max(0, s)
			}
		}
	}
	l2 := make([]float64, layer2*inner*inner)
	for o := range layer2 {
		for p := range inner * inner {
			s := float64(n.b2[o])
			for c := range layer1 {
				if w := n.w2[o*layer1+c]; w != 0 {
					s += float64(w) * l1[c*inner*inner+p]
				}
			}
			l2[o*inner*inner+p] = max(0, s)
		}
	}
	return l2
}

// forward computes the network's output for an input of 3 x Size x Size
// values, in plain Go.
func (n *network) forward(x []float32) []float32 {
	f := n.features(x)
	out := make([]float64, len(n.names))
	for o := range out {
		s := float64(n.headB[o])
		w := n.head[o*len(f) : (o+1)*len(f)]
		for i, v := range f {
			s += float64(w[i]) * v
		}
		out[o] = s
	}
	res := make([]float32, len(out))
	switch n.out {
	case "Sigmoid":
		for i, v := range out {
			res[i] = float32(1 / (1 + math.Exp(-v)))
		}
	case "Softmax":
		m := slices.Max(out)
		var sum float64
		for _, v := range out {
			sum += math.Exp(v - m)
		}
		for i, v := range out {
			res[i] = float32(math.Exp(v-m) / sum)
		}
	}
	return res
}

// TaggerForward computes the tagger's output for img in plain Go: the
// reference the ONNX runtime is checked against.
func TaggerForward(img image.Image) []float32 { return taggerNetwork().forward(pixels(img)) }

// ClassifierForward computes the classifier's output for img in plain Go.
func ClassifierForward(img image.Image) []float32 { return classifierNetwork().forward(pixels(img)) }
