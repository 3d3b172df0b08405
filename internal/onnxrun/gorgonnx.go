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

// supported lists the operators of onnx-go v0.5.0's gorgonnx backend
// (the register calls of backend/x/gorgonnx). Gemm is on it because
// RewriteGemm replaces it before the backend sees it.
var supported = []string{
	"Abs", "Add", "BatchNormalization", "Ceil", "Concat", "Constant", "Conv", "Cos", "Cube",
	"Div", "Dropout", "Exp", "Expm1", "Flatten", "Floor", "Gemm", "GlobalAveragePool",
	"Identity", "ImageScaler", "Inverse", "LeakyRelu", "Log", "Log1p", "Log2", "MatMul", "Max",
	"MaxPool", "Min", "Mul", "Neg", "Relu", "Reshape", "Sigmoid", "Sign", "Sin", "Softmax",
	"Softplus", "Sqrt", "Square", "Squeeze", "Sub", "Tanh", "Transpose", "Unsqueeze",
}

// Supported reports whether onnx-go's backend implements the operator op
// of the default ONNX domain.
func Supported(op string) bool { return slices.Contains(supported, op) }

// buildMu serialises the construction of gorgonnx graphs. gorgonnx names
// the nodes it creates from a package-level counter (uniq.go's
// getUniqNodeName) that it increments without synchronisation, so two
// graphs built at the same time, even of different models, race on it.
// The counter is a third party's global; this mutex is the only way to
// guard it from outside, and it is held only while a model loads.
var buildMu sync.Mutex

// loadGorgonnx checks and rewrites the model for onnx-go and builds one
// instance per worker.
func (m *Model) loadGorgonnx(mp *onnxfile.Model, workers int) ([]engine, error) {
	for _, n := range mp.Graph.Nodes {
		if (n.Domain != "" && n.Domain != "ai.onnx") || !Supported(n.OpType) {
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
	if err := RewriteGemm(mp); err != nil {
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
		// onnx-go panics on some malformed graphs; a bad file is user
		// input, so it becomes an error.
		if r := recover(); r != nil {
			inst, err = nil, fmt.Errorf("%s: model %s: onnx-go: %v", m.prefix, m.Path, r)
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
	copy(inst.buf, x)
	return inst.runBuf()
}

// runBuf runs the instance on its input buffer.
func (inst *instance) runBuf() (out []float32, err error) {
	defer func() {
		if r := recover(); r != nil {
			out, err = nil, fmt.Errorf("onnx-go: %v", r)
		}
	}()
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
