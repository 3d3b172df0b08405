// Package onnxrun runs an ONNX model on onnx-go's gorgonnx backend from
// several goroutines: a pool of model instances, one per worker.
//
// It prepares a model before onnx-go sees it: operators the backend lacks
// are refused with the operator's and node's names, and Gemm nodes are
// rewritten (see RewriteGemm).
package onnxrun

import (
	"context"
	"errors"
	"fmt"
	"os"
	"slices"
	"sync"
	"sync/atomic"

	"github.com/failmodes/prime/internal/onnxfile"
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

// Supported reports whether the backend implements the operator op of the
// default ONNX domain.
func Supported(op string) bool { return slices.Contains(supported, op) }

// buildMu serialises the construction of gorgonnx graphs. gorgonnx names
// the nodes it creates from a package-level counter (uniq.go's
// getUniqNodeName) that it increments without synchronisation, so two
// graphs built at the same time, even of different models, race on it.
// The counter is a third party's global; this mutex is the only way to
// guard it from outside, and it is held only while a model loads.
var buildMu sync.Mutex

// A Model is a loaded model: a pool of independent instances of one ONNX
// graph.
type Model struct {
	prefix    string // error prefix: "tagger" or "classifier"
	Path      string
	Input     []int // N, C, H, W of the data input, N = 1
	OutputLen int   // number of values of the first output
	pool      chan *instance
	workers   int
	closed    atomic.Bool
}

type instance struct {
	model  *onnx.Model
	graph  *gorgonnx.Graph
	input  onnx.DataCarrier
	buf    []float32
	tensor tensor.Tensor
}

// Load reads the model at path and builds workers instances of it. prefix
// starts every error message ("tagger", "classifier").
func Load(path string, workers int, prefix string) (*Model, error) {
	data, err := os.ReadFile(path)
	if err != nil {
		return nil, fmt.Errorf("%s: read model: %w", prefix, err)
	}
	return LoadBytes(data, path, workers, prefix)
}

// LoadBytes is Load for a model already in memory; name stands for it in
// error messages.
func LoadBytes(data []byte, name string, workers int, prefix string) (*Model, error) {
	if workers < 1 {
		return nil, fmt.Errorf("%s: %d workers: need at least 1", prefix, workers)
	}
	prepared, in, err := prepare(data, name, prefix)
	if err != nil {
		return nil, err
	}
	m := &Model{prefix: prefix, Path: name, Input: in, pool: make(chan *instance, workers), workers: workers}
	for i := range workers {
		inst, err := m.newInstance(prepared)
		if err != nil {
			return nil, err
		}
		out, err := inst.run()
		if err != nil {
			return nil, fmt.Errorf("%s: model %s: run: %w", prefix, name, err)
		}
		if i == 0 {
			m.OutputLen = len(out)
		}
		m.pool <- inst
	}
	return m, nil
}

// prepare checks and rewrites the model and returns its bytes for onnx-go
// and the shape of its data input.
func prepare(data []byte, name, prefix string) ([]byte, []int, error) {
	mp, err := onnxfile.Decode(data)
	if err != nil {
		return nil, nil, fmt.Errorf("%s: model %s: %w", prefix, name, err)
	}
	g := &mp.Graph
	if len(g.Nodes) == 0 || len(g.Outputs) == 0 {
		return nil, nil, fmt.Errorf("%s: model %s: %w: a graph with no nodes or no outputs", prefix, name, onnxfile.ErrFormat)
	}
	for _, n := range g.Nodes {
		if (n.Domain != "" && n.Domain != "ai.onnx") || !Supported(n.OpType) {
			op := n.OpType
			if n.Domain != "" {
				op = n.Domain + "." + op
			}
			return nil, nil, fmt.Errorf("%s: model %s: node %q uses operator %q, which onnx-go does not implement", prefix, name, n.Name, op)
		}
	}
	// The data input is the first graph input that is not an initializer
	// (older exporters list the weights among the inputs).
	inits := make(map[string]bool, len(g.Initializers))
	for _, t := range g.Initializers {
		inits[t.Name] = true
	}
	var dataInputs []onnxfile.ValueInfo
	for _, vi := range g.Inputs {
		if !inits[vi.Name] {
			dataInputs = append(dataInputs, vi)
		}
	}
	if len(dataInputs) != 1 {
		return nil, nil, fmt.Errorf("%s: model %s has %d data inputs, want 1", prefix, name, len(dataInputs))
	}
	vi := dataInputs[0]
	if vi.Name != g.Inputs[0].Name {
		return nil, nil, fmt.Errorf("%s: model %s: the data input %q must be the first graph input", prefix, name, vi.Name)
	}
	if vi.ElemType != onnxfile.Float || len(vi.Dims) != 4 || vi.Dims[1] < 1 || vi.Dims[2] < 1 || vi.Dims[3] < 1 || vi.Dims[0] == 0 || vi.Dims[0] > 1 {
		return nil, nil, fmt.Errorf("%s: model %s: input %q is not a float tensor of shape N x C x H x W with N = 1 (dims %v)", prefix, name, vi.Name, vi.Dims)
	}
	if c := vi.Dims[1]; c != 1 && c != 3 {
		return nil, nil, fmt.Errorf("%s: model %s: input %q has %d channels, want 1 or 3", prefix, name, vi.Name, c)
	}
	if err := RewriteGemm(mp); err != nil {
		return nil, nil, fmt.Errorf("%s: model %s: %w", prefix, name, err)
	}
	return mp.Marshal(), []int{1, int(vi.Dims[1]), int(vi.Dims[2]), int(vi.Dims[3])}, nil
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
	inst.buf = make([]float32, m.Input[0]*m.Input[1]*m.Input[2]*m.Input[3])
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

// run runs the instance on its input buffer and returns a copy of the
// first output.
func (inst *instance) run() (out []float32, err error) {
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

// Workers returns the number of instances.
func (m *Model) Workers() int { return m.workers }

// Run takes an instance, lets fill write the input (a slice of
// N*C*H*W values, NCHW), runs the model and returns a copy of its first
// output. It waits for a free instance until ctx is done.
func (m *Model) Run(ctx context.Context, fill func(dst []float32) error) ([]float32, error) {
	if m.closed.Load() {
		return nil, fmt.Errorf("%s: model is closed", m.prefix)
	}
	var inst *instance
	select {
	case inst = <-m.pool:
	case <-ctx.Done():
		return nil, fmt.Errorf("%s: %w", m.prefix, ctx.Err())
	}
	defer func() { m.pool <- inst }()
	if err := ctx.Err(); err != nil {
		return nil, fmt.Errorf("%s: %w", m.prefix, err)
	}
	if err := fill(inst.buf); err != nil {
		return nil, err
	}
	out, err := inst.run()
	if err != nil {
		return nil, fmt.Errorf("%s: model %s: run: %w", m.prefix, m.Path, err)
	}
	if len(out) != m.OutputLen {
		return nil, fmt.Errorf("%s: model %s: output has %d values, first run had %d", m.prefix, m.Path, len(out), m.OutputLen)
	}
	return out, nil
}

// Close marks the model closed: later calls of Run fail. The instances
// hold only Go memory, which the garbage collector frees.
func (m *Model) Close() error {
	m.closed.Store(true)
	return nil
}

// ForEach calls fn(i) for i in [0, n) from at most Workers goroutines and
// returns the first error. fn is expected to call Run.
func (m *Model) ForEach(ctx context.Context, n int, fn func(i int) error) error {
	w := min(m.workers, n)
	if w <= 1 {
		for i := range n {
			if err := fn(i); err != nil {
				return err
			}
		}
		return nil
	}
	parent := ctx
	ctx, cancel := context.WithCancelCause(ctx)
	defer cancel(nil)
	next := make(chan int)
	var wg sync.WaitGroup
	errs := make([]error, w)
	for k := range w {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := range next {
				if err := fn(i); err != nil {
					errs[k] = err
					cancel(err)
					return
				}
			}
		}()
	}
feed:
	for i := range n {
		select {
		case next <- i:
		case <-ctx.Done():
			break feed
		}
	}
	close(next)
	wg.Wait()
	for _, e := range errs {
		if e != nil {
			return e
		}
	}
	if err := parent.Err(); err != nil {
		return fmt.Errorf("%s: %w", m.prefix, err)
	}
	return nil
}
