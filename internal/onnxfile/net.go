package onnxfile

import (
	"fmt"
	"math"
	"math/rand/v2"
)

// A Net builds a graph one node at a time, for test models of operators
// beyond the small CNN's: each method adds a node or an initializer and
// returns the name of its output. Its models use opset 17 (IR version 8),
// which has LayerNormalization.
type Net struct {
	g Graph
	n int // names made so far
}

// NewNet starts a graph whose data input is "input" of the given shape.
func NewNet(inputDims ...int64) *Net {
	return &Net{g: Graph{Name: "net", Inputs: []ValueInfo{FloatValue("input", inputDims...)}}}
}

// Input is the name of the data input.
func (b *Net) Input() string { return "input" }

func (b *Net) name(base string) string {
	b.n++
	return fmt.Sprintf("%s_%d", base, b.n)
}

// Const adds a float initializer.
func (b *Net) Const(data []float32, dims ...int64) string {
	s := b.name("const")
	b.g.Initializers = append(b.g.Initializers, FloatTensor(s, data, dims...))
	return s
}

// Ints adds a 1-D int64 initializer (shapes, axes).
func (b *Net) Ints(vals ...int64) string {
	s := b.name("ints")
	b.g.Initializers = append(b.g.Initializers, Int64Tensor(s, vals, int64(len(vals))))
	return s
}

// Op adds a node of the default domain with one output. An input ""
// is an omitted optional input.
func (b *Net) Op(op string, inputs []string, attrs ...Attr) string {
	s := b.name(op)
	b.g.Nodes = append(b.g.Nodes, Node{Name: s, OpType: op, Inputs: inputs, Outputs: []string{s}, Attrs: attrs})
	return s
}

// Model returns the graph with output as its output, of the given shape.
func (b *Net) Model(output string, dims ...int64) *Model {
	g := b.g
	g.Outputs = []ValueInfo{FloatValue(output, dims...)}
	return &Model{IRVersion: 8, OpsetVersion: 17, ProducerName: "prime-onnxfile", Graph: g}
}

// RandomFloats returns n values drawn uniformly from [-scale, scale].
func RandomFloats(rng *rand.Rand, n int, scale float64) []float32 {
	s := make([]float32, n)
	for i := range s {
		s[i] = float32((rng.Float64()*2 - 1) * scale)
	}
	return s
}

// MobileNet returns a MobileNet v1 (Howard et al., 2017) of the given
// width multiplier with random weights, for benchmarks: a 3x3 stride-2
// convolution, 13 depthwise separable blocks (3x3 depthwise Conv with
// group = channels, then 1x1 Conv, each followed by Clip to [0, 6],
// ReLU6), global average pooling and a fully connected layer to classes
// outputs, on a 1 x 3 x size x size input with a symbolic batch
// dimension. It returns the multiply-adds one image costs. At width 0.75
// and size 224 that is 0.33 G multiply-adds, close to the paper's 325
// million.
func MobileNet(rng *rand.Rand, width float64, size, classes int) (*Model, int64) {
	b := NewNet(-1, 3, int64(size), int64(size))
	var macs int64
	ch := func(c int) int64 { return int64(math.Round(float64(c) * width)) }
	relu6 := func(x string) string {
		return b.Op("Clip", []string{x, b.Const([]float32{0}), b.Const([]float32{6})})
	}
	conv := func(x string, cin, cout, k, stride, group int64, hw int64) (string, int64) {
		w := b.Const(RandomFloats(rng, int(cout*cin/group*k*k), math.Sqrt(2/float64(cin/group*k*k))), cout, cin/group, k, k)
		bias := b.Const(RandomFloats(rng, int(cout), 0.1), cout)
		pad := (k - 1) / 2
		out := b.Op("Conv", []string{x, w, bias}, IntsAttr("kernel_shape", k, k), IntsAttr("strides", stride, stride),
			IntsAttr("pads", pad, pad, pad, pad), IntAttr("group", group))
		ohw := (hw+2*pad-k)/stride + 1
		macs += ohw * ohw * cout * cin / group * k * k
		return relu6(out), ohw
	}
	hw := int64(size)
	x, hw := conv(b.Input(), 3, ch(32), 3, 2, 1, hw)
	cin := ch(32)
	for _, blk := range []struct {
		out    int
		stride int64
	}{{64, 1}, {128, 2}, {128, 1}, {256, 2}, {256, 1}, {512, 2}, {512, 1}, {512, 1}, {512, 1}, {512, 1}, {512, 1}, {1024, 2}, {1024, 1}} {
		x, hw = conv(x, cin, cin, 3, blk.stride, cin, hw)
		x, hw = conv(x, cin, ch(blk.out), 1, 1, 1, hw)
		cin = ch(blk.out)
	}
	x = b.Op("GlobalAveragePool", []string{x})
	x = b.Op("Flatten", []string{x}, IntAttr("axis", 1))
	fc := b.Const(RandomFloats(rng, int(cin)*classes, 1/math.Sqrt(float64(cin))), cin, int64(classes))
	x = b.Op("MatMul", []string{x, fc})
	x = b.Op("Add", []string{x, b.Const(RandomFloats(rng, classes, 0.1), int64(classes))})
	macs += cin * int64(classes)
	return b.Model(x, -1, int64(classes)), macs
}
