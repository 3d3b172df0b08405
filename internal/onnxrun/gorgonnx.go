package onnxrun

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"sync"

	"github.com/failmodes/prime/internal/onnxfile"
	primeonnx "github.com/failmodes/prime/onnx"
	"github.com/owulveryck/onnx-go"
	"github.com/owulveryck/onnx-go/backend/x/gorgonnx"
	"gorgonia.org/tensor"
)

// supported lists the operators of the default ONNX domain that onnx-go
// v0.5.0's gorgonnx backend implements (its register calls). Gemm is on
// it because RewriteGemm replaces it before the backend sees it.
var supported = []string{
	"Abs", "Add", "BatchNormalization", "Ceil", "Concat", "Constant", "Conv", "Cos", "Cube",
	"Div", "Dropout", "Exp", "Expm1", "Flatten", "Floor", "Gemm", "GlobalAveragePool",
	"Identity", "ImageScaler", "Inverse", "LeakyRelu", "Log", "Log1p", "Log2", "MatMul", "Max",
	"MaxPool", "Min", "Mul", "Neg", "Relu", "Reshape", "Sigmoid", "Sign", "Sin", "Softmax",
	"Softplus", "Sqrt", "Square", "Squeeze", "Sub", "Tanh", "Transpose", "Unsqueeze",
}

// buildMu serialises the construction of gorgonnx graphs. gorgonnx names
// the nodes it creates from a package-level counter (uniq.go's
// getUniqNodeName) that it increments without synchronisation, so two
// graphs built at the same time, even of different models, race on it.
// The counter is a third party's global; this mutex is the only way to
// guard it from outside, and it is held only while a model loads.
var buildMu sync.Mutex

// loadGorgonnx checks and rewrites the model for onnx-go and builds one
// instance per worker.
func (m *Model) loadGorgonnx(mp *onnxfile.Model, in inputShape, workers int) ([]engine, error) {
	for _, n := range mp.Graph.Nodes {
		if (n.Domain != "" && n.Domain != "ai.onnx") || !slices.Contains(supported, n.OpType) {
			op := n.OpType
			if n.Domain != "" {
				op = n.Domain + "." + op
			}
			return nil, fmt.Errorf("%s: model %s: node %q uses operator %q, which onnx-go does not implement (Runtime %q runs every operator)",
				m.prefix, m.Path, n.Name, op, primeonnx.ONNXRuntime)
		}
		// onnx-go's Conv ignores group: a depthwise or grouped convolution
		// would fail to build or compute something else.
		if a, ok := n.Attr("group"); ok && n.OpType == "Conv" && a.I != 1 {
			return nil, fmt.Errorf("%s: model %s: node %q uses operator \"Conv\" with group %d, which onnx-go does not implement (Runtime %q runs it)",
				m.prefix, m.Path, n.Name, a.I, primeonnx.ONNXRuntime)
		}
	}
	if err := checkGraph(&mp.Graph); err != nil {
		return nil, fmt.Errorf("%s: model %s: %w", m.prefix, m.Path, err)
	}
	if err := RewriteGemm(mp); err != nil {
		return nil, fmt.Errorf("%s: model %s: %w", m.prefix, m.Path, err)
	}
	if err := checkSizes(&mp.Graph, in); err != nil {
		return nil, fmt.Errorf("%s: model %s: %w", m.prefix, m.Path, err)
	}
	data := mp.Marshal()
	engines := make([]engine, workers)
	for i := range engines {
		inst, err := m.newInstance(data)
		if err != nil {
			return nil, err
		}
		engines[i] = inst
	}
	return engines, nil
}

// MaxValues bounds the values of any one tensor of a model on onnx-go:
// 2^26, 256 MiB of float32. onnx-go allocates every graph input, output
// and value whose shape the file gives, however large.
const MaxValues = 1 << 26

// onnxGoTypes are the element types onnx-go v0.5.0 reads a tensor of
// (ir/tensor.go) but bool, which it reads from raw data at 8 bytes a
// value against the standard's 1.
var onnxGoTypes = map[int]string{1: "float", 6: "int32", 7: "int64", 11: "double"}

// checkGraph checks what onnx-go v0.5.0 takes on trust and panics on or
// allocates without bound when it is wrong (gorgonia's tensor.New panics
// when the data does not fill the shape): every tensor's data fills its
// shape exactly, of positive dimensions, at most MaxValues values, of a
// type onnx-go reads; every shape given for a value is positive and at
// most MaxValues values; every value a node reads is a graph input, an
// initializer or an earlier node's output (the standard's topological
// order, which rules out cycles, on which onnx-go panics), every value the
// graph returns is defined, and no value is written twice.
func checkGraph(g *onnxfile.Graph) error {
	defined := make(map[string]bool)
	for _, vi := range g.Inputs {
		defined[vi.Name] = true
	}
	for i := range g.Initializers {
		t := &g.Initializers[i]
		if t.Name == "" {
			return fmt.Errorf("initializer %d has no name", i)
		}
		if err := checkTensor(t); err != nil {
			return fmt.Errorf("initializer %q: %w", t.Name, err)
		}
		defined[t.Name] = true
	}
	for _, group := range [][]onnxfile.ValueInfo{g.Inputs, g.Outputs, g.ValueInfo} {
		for _, vi := range group {
			if _, err := shapeValues(vi.Dims, true); err != nil {
				return fmt.Errorf("value %q: %w", vi.Name, err)
			}
		}
	}
	for _, n := range g.Nodes {
		for _, in := range n.Inputs {
			if in != "" && !defined[in] {
				return fmt.Errorf("node %q reads %q, which no input, initializer or earlier node defines", n.Name, in)
			}
		}
		for _, out := range n.Outputs {
			if out == "" {
				continue
			}
			if defined[out] {
				return fmt.Errorf("node %q writes %q, which is already defined", n.Name, out)
			}
			defined[out] = true
		}
		for _, a := range n.Attrs {
			if a.T == nil {
				continue
			}
			if err := checkTensor(a.T); err != nil {
				return fmt.Errorf("node %q: attribute %q: %w", n.Name, a.Name, err)
			}
		}
	}
	for _, vi := range g.Outputs {
		if !defined[vi.Name] {
			return fmt.Errorf("output %q: no input, initializer or node defines it", vi.Name)
		}
	}
	return nil
}

// checkTensor checks that t's data fills its shape and onnx-go reads it.
func checkTensor(t *onnxfile.Tensor) error {
	if _, ok := onnxGoTypes[t.DataType]; !ok {
		return fmt.Errorf("element type %d, which onnx-go does not read (Runtime %q does)", t.DataType, primeonnx.ONNXRuntime)
	}
	want, err := shapeValues(t.Dims, false)
	if err != nil {
		return err
	}
	got, ok := t.Len()
	if !ok {
		return fmt.Errorf("%s data of dims %v is not of whole values or not in the file", onnxGoTypes[t.DataType], t.Dims)
	}
	if got != want {
		return fmt.Errorf("%d values for dims %v, want %d", got, t.Dims, want)
	}
	return nil
}

// shapeValues returns the number of values of a shape of positive
// dimensions, or -1 for symbolic ones when symbolic is true, and checks
// that it is at most MaxValues.
func shapeValues(dims []int64, symbolic bool) (int64, error) {
	n := int64(1)
	for _, d := range dims {
		switch {
		case d < 0 && symbolic:
			continue
		case d < 1:
			return 0, fmt.Errorf("dimension %d in dims %v: want positive dimensions", d, dims)
		case d > MaxValues || n*d > MaxValues:
			return 0, fmt.Errorf("dims %v: more than %d values", dims, MaxValues)
		}
		n *= d
	}
	return n, nil
}

// An instance is one gorgonnx graph of the model, with its input tensor.
type instance struct {
	model  *onnx.Model
	graph  *gorgonnx.Graph
	input  onnx.DataCarrier
	buf    []float32
	tensor tensor.Tensor
}

func (m *Model) newInstance(data []byte) (inst *instance, err error) {
	buildMu.Lock()
	defer buildMu.Unlock()
	defer func() {
		// onnx-go panics on some malformed graphs. checkGraph refuses
		// those we know of before onnx-go sees them (FuzzLoadBytes looks
		// for more); this recover is the last line of defence, as a bad
		// file is user input and must become an error naming it, and
		// onnx-go's code cannot be mended from here.
		if r := recover(); r != nil {
			inst, err = nil, fmt.Errorf("%s: model %s: onnx-go panicked: %v", m.prefix, m.Path, r)
		}
	}()
	g := gorgonnx.NewGraph()
	model := onnx.NewModel(g)
	if err := model.UnmarshalBinary(data); err != nil {
		return nil, fmt.Errorf("%s: model %s: %w", m.prefix, m.Path, err)
	}
	inst = &instance{model: model, graph: g}
	inst.buf = make([]float32, m.inputLen())
	inst.tensor = tensor.New(tensor.WithShape(m.Input...), tensor.WithBacking(inst.buf))
	if len(model.Input) < 1 {
		return nil, fmt.Errorf("%s: model %s has no data input", m.prefix, m.Path)
	}
	dc, ok := g.Node(model.Input[0]).(onnx.DataCarrier)
	if !ok {
		return nil, fmt.Errorf("%s: model %s: input node carries no data", m.prefix, m.Path)
	}
	inst.input = dc
	if err := dc.SetTensor(inst.tensor); err != nil {
		return nil, fmt.Errorf("%s: model %s: set input: %w", m.prefix, m.Path, err)
	}
	if _, err := g.GetExprGraph(); err != nil {
		return nil, fmt.Errorf("%s: model %s: build graph: %w", m.prefix, m.Path, err)
	}
	return inst, nil
}

// run runs the instance on one input, x, and returns a copy of the first
// output. onnx-go cannot stop a run under way.
func (inst *instance) run(_ context.Context, x []float32, n int) (out []float32, err error) {
	if n != 1 {
		return nil, fmt.Errorf("onnx-go runs one image a call, not %d", n)
	}
	defer func() {
		// The last line of defence, as in newInstance: onnx-go may panic
		// at run time on a graph whose shapes do not fit together.
		if r := recover(); r != nil {
			out, err = nil, fmt.Errorf("onnx-go panicked: %v", r)
		}
	}()
	copy(inst.buf, x)
	if err := inst.input.SetTensor(inst.tensor); err != nil {
		return nil, err
	}
	if err := inst.graph.Run(); err != nil {
		return nil, err
	}
	outs, err := inst.model.GetOutputTensors()
	if err != nil {
		return nil, err
	}
	if len(outs) == 0 || outs[0] == nil {
		return nil, errors.New("no output")
	}
	switch d := outs[0].Data().(type) {
	case []float32:
		return slices.Clone(d), nil
	case float32:
		return []float32{d}, nil
	default:
		return nil, fmt.Errorf("output of type %T, want float32", d)
	}
}
