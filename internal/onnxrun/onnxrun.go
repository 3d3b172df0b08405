// Package onnxrun runs an ONNX vision model from several goroutines, on
// one of two runtimes: onnx-go's gorgonnx backend (pure Go, the default)
// or ONNX Runtime (cgo, compiled in with the build tag onnxruntime).
//
// A Model lends one of its Workers slots to each call: a slot holds an
// input buffer and, on onnx-go, a model instance of its own (onnx-go's
// graphs are not safe for concurrent use); on ONNX Runtime every slot
// shares one session, whose Run is safe for concurrent use, so the weights
// are held once. A model whose input's batch dimension is symbolic takes
// several images in one call on ONNX Runtime (N x C x H x W); onnx-go runs
// one image a call.
//
// On onnx-go, a model is prepared before onnx-go sees it: operators the
// backend lacks are refused with the operator's and node's names, Gemm
// nodes are rewritten (see RewriteGemm), and a graph onnx-go would panic
// on or that would ask for more than MaxValues values in one tensor is
// refused with the value or node at fault named.
package onnxrun

import (
	"cmp"
	"context"
	"errors"
	"fmt"
	"os"
	"runtime"
	"slices"
	"sync"
	"sync/atomic"

	"github.com/failmodes/prime/internal/onnxfile"
	"github.com/failmodes/prime/onnx"
	"github.com/failmodes/prime/preprocess"
)

// Options configure a Model. The zero value runs on onnx-go with one slot
// per CPU.
type Options struct {
	// Engine says how the model runs; Workers is the number of slots,
	// the calls that run at once.
	onnx.Engine
	// Preprocessing turns images into the model's input (RunImage,
	// RunImages).
	Preprocessing preprocess.Transform
	// BatchOnCPU makes RunImages pass a batch of images in one call on
	// ONNX Runtime's CPU provider too (see MaxBatch); the tests use it.
	BatchOnCPU bool
}

// Runtimes returns the runtimes this build has: onnx.OnnxGo, and
// onnx.ONNXRuntime when compiled in (build tag onnxruntime, with cgo).
func Runtimes() []string {
	if ORTCompiled {
		return []string{onnx.OnnxGo, onnx.ONNXRuntime}
	}
	return []string{onnx.OnnxGo}
}

// DefaultThreads is ONNX Runtime's intra-op threads per call when
// Options.Threads is 0: one, so that the Workers calls in flight each
// run on a core of their own, which is faster than fewer calls on more
// threads each (BenchmarkWorkersThreads in package classifier measures
// the splits).
const DefaultThreads = 1

// MaxWorkers and MaxThreads bound Options.Workers and Options.Threads.
const (
	MaxWorkers = 1024
	MaxThreads = 1024
)

// check validates o and fills in its defaults.
func (o *Options) check(prefix string) error {
	o.Runtime, o.Device = cmp.Or(o.Runtime, onnx.OnnxGo), cmp.Or(o.Device, onnx.CPU)
	switch {
	case o.Runtime != onnx.OnnxGo && o.Runtime != onnx.ONNXRuntime:
		return fmt.Errorf("%s: Runtime %q: want %q or %q", prefix, o.Runtime, onnx.OnnxGo, onnx.ONNXRuntime)
	case o.Device != onnx.CPU && o.Device != onnx.CUDA:
		return fmt.Errorf("%s: Device %q: want %q or %q", prefix, o.Device, onnx.CPU, onnx.CUDA)
	case o.Device == onnx.CUDA && o.Runtime != onnx.ONNXRuntime:
		return fmt.Errorf("%s: Device %q needs Runtime %q: onnx-go runs on the CPU only", prefix, o.Device, onnx.ONNXRuntime)
	case o.Workers < 0 || o.Workers > MaxWorkers:
		return fmt.Errorf("%s: Workers %d out of range: want 0 (one per CPU) to %d", prefix, o.Workers, MaxWorkers)
	case o.Threads < 0 || o.Threads > MaxThreads:
		return fmt.Errorf("%s: Threads %d out of range: want 0 (%d) to %d", prefix, o.Threads, DefaultThreads, MaxThreads)
	case o.Runtime != onnx.ONNXRuntime && o.Library != "":
		return fmt.Errorf("%s: Library %q is ONNX Runtime's: set Runtime %q too", prefix, o.Library, onnx.ONNXRuntime)
	}
	o.Workers = cmp.Or(o.Workers, runtime.GOMAXPROCS(0))
	o.Threads = cmp.Or(o.Threads, DefaultThreads)
	return nil
}

// An engine computes a model's first output.
type engine interface {
	// run computes the first output for the n inputs in x (n x C x H x W
	// values) and returns n x OutputLen values, in memory of its own. An
	// engine that can stop a call under way does so when ctx is done.
	run(ctx context.Context, x []float32, n int) ([]float32, error)
}

// A slot is what one call holds: an engine and an input buffer.
type slot struct {
	eng engine
	buf []float32
}

// A Model is a loaded model, with Workers slots.
type Model struct {
	prefix    string // error prefix: "tagger" or "classifier"
	Path      string
	Runtime   string // onnx.OnnxGo or onnx.ONNXRuntime
	Input     []int  // 1, C, H, W of the data input
	OutputLen int    // values of the first output per image
	// MaxBatch is the most images per engine call: 1, or 0 for any
	// number. It is 0 for a model whose batch dimension is symbolic on
	// ONNX Runtime's CUDA provider, and 1 otherwise: on the CPU, one image
	// a call on each of Workers cores costs less than batches
	// (BenchmarkWorkersThreads in package classifier: 8.1 CPU ms an image
	// of MobileNet v1 0.75 one at a time, 9.7 in batches of 8).
	MaxBatch  int
	plan      *preprocess.Plan
	pool      chan *slot
	workers   int
	release   func() error // frees the engines; nil when there is nothing to free
	closeOnce sync.Once
	closeErr  error
	closed    atomic.Bool
}

// Load reads the model at path and loads it as o says. prefix starts
// every error message ("tagger", "classifier").
func Load(path, prefix string, o Options) (*Model, error) {
	data, err := os.ReadFile(path)
	if err != nil {
		return nil, fmt.Errorf("%s: read model: %w", prefix, err)
	}
	return LoadBytes(data, path, prefix, o)
}

// LoadBytes is Load for a model already in memory; name stands for it in
// error messages.
func LoadBytes(data []byte, name, prefix string, o Options) (*Model, error) {
	if err := o.check(prefix); err != nil {
		return nil, err
	}
	if err := o.Preprocessing.Check(); err != nil {
		return nil, fmt.Errorf("%s: %w", prefix, err)
	}
	mp, in, err := inspect(data, name, prefix)
	if err != nil {
		return nil, err
	}
	m := &Model{prefix: prefix, Path: name, Runtime: o.Runtime, workers: o.Workers,
		Input: []int{1, in.c, in.h, in.w}, MaxBatch: 1}
	var engines []engine
	switch o.Runtime {
	case onnx.ONNXRuntime:
		engines, err = m.loadORT(data, mp, in, o)
	default:
		engines, err = m.loadGorgonnx(mp, in, o.Workers)
	}
	if err != nil {
		return nil, err
	}
	// The slots go to the pool only once all have run: a failure before
	// releases the engines without waiting for slots that never came.
	slots := make([]*slot, len(engines))
	for i, e := range engines {
		// A first run on zeros gives the output's length and fails here,
		// not at the first image, on a model that cannot run.
		s := &slot{eng: e, buf: make([]float32, m.inputLen())}
		out, err := e.run(context.Background(), s.buf, 1)
		if err == nil && i == 0 && len(out) == 0 {
			err = errors.New("the first output is empty")
		}
		if err != nil {
			if m.release != nil {
				m.release() // the run's error says more
			}
			return nil, fmt.Errorf("%s: model %s: run: %w", prefix, name, err)
		}
		if i == 0 {
			m.OutputLen = len(out)
		}
		slots[i] = s
	}
	m.pool = make(chan *slot, len(slots))
	for _, s := range slots {
		m.pool <- s
	}
	if m.plan, err = o.Preprocessing.Plan(in.c, in.h, in.w); err != nil {
		m.Close()
		return nil, fmt.Errorf("%s: model %s: %w", prefix, name, err)
	}
	return m, nil
}

// inputShape is the data input: its name, whether its batch dimension is
// symbolic, channels, height and width.
type inputShape struct {
	name     string
	symbolic bool
	c, h, w  int
}

// inspect decodes the model and finds its data input, which must be a
// float tensor N x C x H x W with C = 1 or 3 and N = 1 or symbolic.
func inspect(data []byte, name, prefix string) (*onnxfile.Model, inputShape, error) {
	mp, err := onnxfile.Decode(data)
	if err != nil {
		return nil, inputShape{}, fmt.Errorf("%s: model %s: %w", prefix, name, err)
	}
	g := &mp.Graph
	if len(g.Nodes) == 0 || len(g.Outputs) == 0 {
		return nil, inputShape{}, fmt.Errorf("%s: model %s: %w: a graph with no nodes or no outputs", prefix, name, onnxfile.ErrFormat)
	}
	// The data input is the first graph input that is not an initializer
	// (older exporters list the weights among the inputs).
	inits := make(map[string]bool, len(g.Initializers))
	for _, t := range g.Initializers {
		inits[t.Name] = true
	}
	dataInputs := slices.DeleteFunc(slices.Clone(g.Inputs), func(vi onnxfile.ValueInfo) bool { return inits[vi.Name] })
	if len(dataInputs) != 1 {
		return nil, inputShape{}, fmt.Errorf("%s: model %s has %d data inputs, want 1", prefix, name, len(dataInputs))
	}
	vi := dataInputs[0]
	if vi.Name != g.Inputs[0].Name {
		return nil, inputShape{}, fmt.Errorf("%s: model %s: the data input %q must be the first graph input", prefix, name, vi.Name)
	}
	if vi.ElemType != onnxfile.Float || len(vi.Dims) != 4 || vi.Dims[1] < 1 || vi.Dims[2] < 1 || vi.Dims[3] < 1 || vi.Dims[0] == 0 || vi.Dims[0] > 1 {
		return nil, inputShape{}, fmt.Errorf("%s: model %s: input %q is not a float tensor of shape N x C x H x W with N = 1 or symbolic (dims %v)", prefix, name, vi.Name, vi.Dims)
	}
	if c := vi.Dims[1]; c != 1 && c != 3 {
		return nil, inputShape{}, fmt.Errorf("%s: model %s: input %q has %d channels, want 1 or 3", prefix, name, vi.Name, c)
	}
	if _, err := shapeValues(vi.Dims[1:], false); err != nil {
		return nil, inputShape{}, fmt.Errorf("%s: model %s: input %q: %w", prefix, name, vi.Name, err)
	}
	return mp, inputShape{name: vi.Name, symbolic: vi.Dims[0] < 0, c: int(vi.Dims[1]), h: int(vi.Dims[2]), w: int(vi.Dims[3])}, nil
}

// inputLen is the number of values of one image's input.
func (m *Model) inputLen() int { return m.Input[1] * m.Input[2] * m.Input[3] }

// Workers returns the number of slots.
func (m *Model) Workers() int { return m.workers }

// take waits for a free slot until ctx is done.
func (m *Model) take(ctx context.Context) (*slot, error) {
	if m.closed.Load() {
		return nil, fmt.Errorf("%s: model is closed", m.prefix)
	}
	select {
	case s := <-m.pool:
		if err := ctx.Err(); err != nil {
			m.pool <- s
			return nil, fmt.Errorf("%s: %w", m.prefix, err)
		}
		return s, nil
	case <-ctx.Done():
		return nil, fmt.Errorf("%s: %w", m.prefix, ctx.Err())
	}
}

// runSlot runs s's engine on the n inputs in s.buf and checks the output's
// length.
func (m *Model) runSlot(ctx context.Context, s *slot, n int) ([]float32, error) {
	if m.closed.Load() {
		return nil, fmt.Errorf("%s: model is closed", m.prefix)
	}
	out, err := s.eng.run(ctx, s.buf[:n*m.inputLen()], n)
	if err != nil && ctx.Err() != nil {
		return nil, fmt.Errorf("%s: %w", m.prefix, ctx.Err())
	}
	if err != nil {
		return nil, fmt.Errorf("%s: model %s: run: %w", m.prefix, m.Path, err)
	}
	if len(out) != n*m.OutputLen {
		return nil, fmt.Errorf("%s: model %s: output has %d values for %d images, want %d each", m.prefix, m.Path, len(out), n, m.OutputLen)
	}
	return out, nil
}

// Run takes a slot, lets fill write the input (C x H x W values), runs
// the model and returns its first output. It waits for a free slot until
// ctx is done.
func (m *Model) Run(ctx context.Context, fill func(dst []float32) error) ([]float32, error) {
	s, err := m.take(ctx)
	if err != nil {
		return nil, err
	}
	defer func() { m.pool <- s }()
	if err := fill(s.buf[:m.inputLen()]); err != nil {
		return nil, err
	}
	return m.runSlot(ctx, s, 1)
}

// Close frees the model's engines once no call holds them; calls after
// Close fail.
func (m *Model) Close() error {
	m.closeOnce.Do(func() {
		m.closed.Store(true)
		if m.release == nil {
			return
		}
		// Wait for the calls under way: each returns its slot.
		for range cap(m.pool) {
			<-m.pool
		}
		m.closeErr = m.release()
	})
	return m.closeErr
}

// ForEach calls fn(i) for i in [0, n) from at most Workers goroutines.
// It hands out no more indices once a call has failed or ctx is done, and
// returns the error of the first goroutine (in their order) whose call
// failed, else ctx's. fn is expected to call Run.
func (m *Model) ForEach(ctx context.Context, n int, fn func(i int) error) error {
	var next atomic.Int64
	var failed atomic.Bool
	errs := make([]error, min(m.workers, n))
	var wg sync.WaitGroup
	for k := range errs {
		wg.Go(func() {
			for i := int(next.Add(1) - 1); i < n && !failed.Load() && ctx.Err() == nil; i = int(next.Add(1) - 1) {
				if errs[k] = fn(i); errs[k] != nil {
					failed.Store(true)
				}
			}
		})
	}
	wg.Wait()
	if err := cmp.Or(errs...); err != nil {
		return err
	}
	if err := ctx.Err(); err != nil {
		return fmt.Errorf("%s: %w", m.prefix, err)
	}
	return nil
}
