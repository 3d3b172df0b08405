package onnxfile

import (
	"fmt"
	"math"
	"math/rand/v2"
	"slices"
)

// A CNNConfig describes a small convolutional network:
//
//	Conv 3x3 (pad 1) -> Relu -> MaxPool 2x2 -> Conv 3x3 (pad 1) -> Relu ->
//	GlobalAveragePool -> Flatten -> MatMul + Add (or Gemm) -> Head
type CNNConfig struct {
	Channels int     // input channels: 1 or 3
	Size     int     // input height and width (even)
	Filters1 int     // filters of the first convolution
	Filters2 int     // filters of the second convolution
	Outputs  int     // width of the output
	Gemm     bool    // a Gemm node (transB = 1, 1-D bias, as PyTorch exports) instead of MatMul + Add
	Alpha    float32 // Gemm's alpha; 0 means 1
	Beta     float32 // Gemm's beta; 0 means 1
	Head     string  // "" (logits), "Sigmoid" or "Softmax"
	Extra    string  // when set, an extra node of this operator type, named "extra_op", before the head
	Batch    bool    // a symbolic batch dimension ("N") in the input and output, instead of 1
}

// A CNN is a CNNConfig with weights: it writes itself as an ONNX model and
// computes its own output in plain Go, as a reference for the ONNX runtime.
type CNN struct {
	CNNConfig
	W1, B1 []float32 // Filters1 x Channels x 3 x 3, Filters1
	W2, B2 []float32 // Filters2 x Filters1 x 3 x 3, Filters2
	FC     []float32 // Filters2 x Outputs (row-major)
	FCB    []float32 // Outputs
}

// NewCNN draws the weights of a CNN from rng.
func NewCNN(rng *rand.Rand, cfg CNNConfig) *CNN {
	return &CNN{
		CNNConfig: cfg,
		W1:        RandomFloats(rng, cfg.Filters1*cfg.Channels*9, 1/math.Sqrt(float64(cfg.Channels*9))),
		B1:        RandomFloats(rng, cfg.Filters1, 0.1),
		W2:        RandomFloats(rng, cfg.Filters2*cfg.Filters1*9, 1/math.Sqrt(float64(cfg.Filters1*9))),
		B2:        RandomFloats(rng, cfg.Filters2, 0.1),
		FC:        RandomFloats(rng, cfg.Filters2*cfg.Outputs, 2/math.Sqrt(float64(cfg.Filters2))),
		FCB:       RandomFloats(rng, cfg.Outputs, 0.5),
	}
}

// Model returns the network as an ONNX model with input "input" of shape
// N x Channels x Size x Size and output "output" of shape N x Outputs,
// where N is 1, or symbolic with Batch.
func (c *CNN) Model() *Model {
	ch, sz, f1, f2, out := int64(c.Channels), int64(c.Size), int64(c.Filters1), int64(c.Filters2), int64(c.Outputs)
	n := int64(1)
	if c.Batch {
		n = -1
	}
	g := Graph{
		Name:   "cnn",
		Inputs: []ValueInfo{FloatValue("input", n, ch, sz, sz)},
		Initializers: []Tensor{
			FloatTensor("w1", c.W1, f1, ch, 3, 3),
			FloatTensor("b1", c.B1, f1),
			FloatTensor("w2", c.W2, f2, f1, 3, 3),
			FloatTensor("b2", c.B2, f2),
		},
	}
	conv := func(name, in, w, b, out string) Node {
		return Node{Name: name, OpType: "Conv", Inputs: []string{in, w, b}, Outputs: []string{out},
			Attrs: []Attr{IntsAttr("kernel_shape", 3, 3), IntsAttr("pads", 1, 1, 1, 1), IntsAttr("strides", 1, 1)}}
	}
	g.Nodes = []Node{
		conv("conv1", "input", "w1", "b1", "c1"),
		{Name: "relu1", OpType: "Relu", Inputs: []string{"c1"}, Outputs: []string{"r1"}},
		{Name: "pool1", OpType: "MaxPool", Inputs: []string{"r1"}, Outputs: []string{"p1"},
			Attrs: []Attr{IntsAttr("kernel_shape", 2, 2), IntsAttr("strides", 2, 2)}},
		conv("conv2", "p1", "w2", "b2", "c2"),
		{Name: "relu2", OpType: "Relu", Inputs: []string{"c2"}, Outputs: []string{"r2"}},
		{Name: "gap", OpType: "GlobalAveragePool", Inputs: []string{"r2"}, Outputs: []string{"g"}},
		{Name: "flatten", OpType: "Flatten", Inputs: []string{"g"}, Outputs: []string{"f"},
			Attrs: []Attr{IntAttr("axis", 1)}},
	}
	last := "logits"
	if c.Gemm {
		// Gemm with transB = 1 takes the weights as Outputs x Filters2.
		wt := make([]float32, len(c.FC))
		for i := range f2 {
			for j := range out {
				wt[j*f2+i] = c.FC[i*out+j]
			}
		}
		g.Initializers = append(g.Initializers, FloatTensor("fc_w", wt, out, f2), FloatTensor("fc_b", c.FCB, out))
		n := Node{Name: "fc", OpType: "Gemm", Inputs: []string{"f", "fc_w", "fc_b"}, Outputs: []string{last},
			Attrs: []Attr{IntAttr("transB", 1)}}
		if c.Alpha != 0 {
			n.Attrs = append(n.Attrs, FloatAttr("alpha", c.Alpha))
		}
		if c.Beta != 0 {
			n.Attrs = append(n.Attrs, FloatAttr("beta", c.Beta))
		}
		g.Nodes = append(g.Nodes, n)
	} else {
		g.Initializers = append(g.Initializers, FloatTensor("fc_w", c.FC, f2, out), FloatTensor("fc_b", c.FCB, 1, out))
		g.Nodes = append(g.Nodes,
			Node{Name: "fc", OpType: "MatMul", Inputs: []string{"f", "fc_w"}, Outputs: []string{"mm"}},
			Node{Name: "fc_bias", OpType: "Add", Inputs: []string{"mm", "fc_b"}, Outputs: []string{last}},
		)
	}
	if c.Extra != "" {
		g.Nodes = append(g.Nodes, Node{Name: "extra_op", OpType: c.Extra, Inputs: []string{last}, Outputs: []string{"extra"}})
		last = "extra"
	}
	if c.Head != "" {
		g.Nodes = append(g.Nodes, Node{Name: "head", OpType: c.Head, Inputs: []string{last}, Outputs: []string{"output"}})
	} else {
		g.Nodes[len(g.Nodes)-1].Outputs = []string{"output"}
	}
	g.Outputs = []ValueInfo{FloatValue("output", n, out)}
	return &Model{ProducerName: "prime-onnxfile", Graph: g}
}

// Forward computes the network's output for one input of Channels x Size x
// Size values (NCHW without the batch dimension), in plain Go.
func (c *CNN) Forward(x []float32) []float32 {
	if len(x) != c.Channels*c.Size*c.Size {
		panic(fmt.Sprintf("onnxfile: CNN input has %d values, want %d", len(x), c.Channels*c.Size*c.Size))
	}
	h := conv3x3(x, c.Channels, c.Size, c.W1, c.B1, c.Filters1)
	relu(h)
	h = maxpool2(h, c.Filters1, c.Size)
	s := c.Size / 2
	h = conv3x3(h, c.Filters1, s, c.W2, c.B2, c.Filters2)
	relu(h)
	feat := make([]float64, c.Filters2)
	for f := range feat {
		var sum float64
		for _, v := range h[f*s*s : (f+1)*s*s] {
			sum += float64(v)
		}
		feat[f] = sum / float64(s*s)
	}
	alpha, beta := 1.0, 1.0
	if c.Gemm && c.Alpha != 0 {
		alpha = float64(c.Alpha)
	}
	if c.Gemm && c.Beta != 0 {
		beta = float64(c.Beta)
	}
	out := make([]float32, c.Outputs)
	for j := range out {
		var sum float64
		for i, v := range feat {
			sum += v * float64(c.FC[i*c.Outputs+j])
		}
		out[j] = float32(alpha*sum + beta*float64(c.FCB[j]))
	}
	switch c.Head {
	case "Sigmoid":
		Sigmoid(out)
	case "Softmax":
		Softmax(out)
	}
	return out
}

// Sigmoid applies the logistic function to every value of x, in place, as
// ONNX's Sigmoid does; the tagger applies it to logits.
func Sigmoid(x []float32) {
	for i, v := range x {
		x[i] = float32(1 / (1 + math.Exp(-float64(v))))
	}
}

// Softmax replaces x (not empty) by its softmax, in place, as ONNX's
// Softmax does on a vector; the classifier applies it to logits. The tests
// hold both against the runtimes' own Sigmoid and Softmax nodes.
func Softmax(x []float32) {
	m := float64(slices.Max(x))
	var sum float64
	for _, v := range x {
		sum += math.Exp(float64(v) - m)
	}
	for i, v := range x {
		x[i] = float32(math.Exp(float64(v)-m) / sum)
	}
}

func conv3x3(x []float32, cin, size int, w, b []float32, cout int) []float32 {
	out := make([]float32, cout*size*size)
	for o := range cout {
		for i := range size {
			for j := range size {
				sum := float64(b[o])
				for c := range cin {
					for di := -1; di <= 1; di++ {
						for dj := -1; dj <= 1; dj++ {
							y, z := i+di, j+dj
							if y < 0 || y >= size || z < 0 || z >= size {
								continue
							}
							sum += float64(x[(c*size+y)*size+z]) * float64(w[((o*cin+c)*3+di+1)*3+dj+1])
						}
					}
				}
				out[(o*size+i)*size+j] = float32(sum)
			}
		}
	}
	return out
}

func relu(x []float32) {
	for i, v := range x {
		if v < 0 {
			x[i] = 0
		}
	}
}

func maxpool2(x []float32, ch, size int) []float32 {
	s := size / 2
	out := make([]float32, ch*s*s)
	for c := range ch {
		for i := range s {
			for j := range s {
				m := x[(c*size+2*i)*size+2*j]
				m = max(m, x[(c*size+2*i)*size+2*j+1], x[(c*size+2*i+1)*size+2*j], x[(c*size+2*i+1)*size+2*j+1])
				out[(c*s+i)*s+j] = m
			}
		}
	}
	return out
}
