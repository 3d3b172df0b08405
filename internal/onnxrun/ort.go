//go:build onnxruntime && cgo

package onnxrun

import (
	"context"
	"fmt"
	"strings"
	"sync"

	"github.com/failmodes/prime/internal/onnxfile"
	"github.com/failmodes/prime/onnx"
	ort "github.com/yalue/onnxruntime_go"
)

// ORTCompiled reports whether the ONNX Runtime backend is compiled in.
const ORTCompiled = true

// ortEnv is ONNX Runtime's environment, which github.com/yalue/onnxruntime_go
// keeps process-wide: the library is loaded once, by the first model that
// asks for it, and stays loaded. A later model that names another library
// is refused.
var ortEnv struct {
	sync.Mutex
	path string // the library loaded; "" before the first load
}

// initORT loads ONNX Runtime's library at path, once per process.
func initORT(path string) error {
	ortEnv.Lock()
	defer ortEnv.Unlock()
	if ortEnv.path != "" {
		if ortEnv.path != path {
			return fmt.Errorf("ONNX Runtime is already loaded from %s; a process loads one library, not also %s", ortEnv.path, path)
		}
		return nil
	}
	// Errors come back as Go errors: ONNX Runtime logs only fatal ones.
	ort.SetSharedLibraryPath(path)
	if err := ort.InitializeEnvironment(ort.WithLogLevelFatal()); err != nil {
		if strings.Contains(err.Error(), "ORT API base: 2") {
			// GetApi(24) returned nothing: the library is older than the
			// binding's API.
			return fmt.Errorf("ONNX Runtime library %s is older than release %s (C API version 24): %s", path, LibraryVersion, howToGet)
		}
		return fmt.Errorf("loading ONNX Runtime from %s: %w: %s", path, err, howToGet)
	}
	ortEnv.path = path
	return nil
}

// ortSession is an ONNX Runtime session, shared by all slots: its Run is
// safe for concurrent use.
type ortSession struct {
	sess    *ort.DynamicAdvancedSession
	c, h, w int64
}

// loadORT loads the model into one ONNX Runtime session and returns it
// once per worker.
func (m *Model) loadORT(data []byte, mp *onnxfile.Model, in inputShape, o Options) ([]engine, error) {
	path, err := LibraryPath(o.Library)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", m.prefix, err)
	}
	if err := initORT(path); err != nil {
		return nil, fmt.Errorf("%s: %w", m.prefix, err)
	}
	so, err := ort.NewSessionOptions()
	if err != nil {
		return nil, fmt.Errorf("%s: ONNX Runtime: %w", m.prefix, err)
	}
	defer so.Destroy()
	if err := so.SetIntraOpNumThreads(o.Threads); err != nil {
		return nil, fmt.Errorf("%s: ONNX Runtime: %w", m.prefix, err)
	}
	if err := so.SetInterOpNumThreads(1); err != nil {
		return nil, fmt.Errorf("%s: ONNX Runtime: %w", m.prefix, err)
	}
	if o.Device == onnx.CUDA {
		if err := appendCUDA(so); err != nil {
			return nil, fmt.Errorf("%s: Device %q: the ONNX Runtime library %s has no usable CUDA execution provider (%v): "+
				"use a GPU build of ONNX Runtime (the onnxruntime-gpu release for CUDA 12, with its libonnxruntime_providers_cuda.so beside it) and a machine with an NVIDIA GPU, or Device %q",
				m.prefix, onnx.CUDA, path, err, onnx.CPU)
		}
	}
	sess, err := ort.NewDynamicAdvancedSessionWithONNXData(data, []string{in.name}, []string{mp.Graph.Outputs[0].Name}, so)
	if err != nil {
		return nil, fmt.Errorf("%s: model %s: ONNX Runtime: %w", m.prefix, m.Path, err)
	}
	s := &ortSession{sess: sess, c: int64(in.c), h: int64(in.h), w: int64(in.w)}
	m.release = sess.Destroy
	if in.symbolic && (o.Device == onnx.CUDA || o.BatchOnCPU) {
		m.MaxBatch = 0
	}
	engines := make([]engine, o.Workers)
	for i := range engines {
		engines[i] = s
	}
	return engines, nil
}

// appendCUDA asks for the CUDA execution provider on device 0.
func appendCUDA(so *ort.SessionOptions) error {
	cuda, err := ort.NewCUDAProviderOptions()
	if err != nil {
		return err
	}
	defer cuda.Destroy()
	return so.AppendExecutionProviderCUDA(cuda)
}

// run runs the session on n inputs. When ctx is done, ONNX Runtime stops
// the call at its next node.
func (s *ortSession) run(ctx context.Context, x []float32, n int) ([]float32, error) {
	in, err := ort.NewTensor(ort.NewShape(int64(n), s.c, s.h, s.w), x)
	if err != nil {
		return nil, err
	}
	defer in.Destroy()
	ro, err := ort.NewRunOptions()
	if err != nil {
		return nil, err
	}
	// The run options live until the callback that may terminate them
	// has run or cannot run any more.
	var mu sync.Mutex
	done := false
	stop := context.AfterFunc(ctx, func() {
		mu.Lock()
		defer mu.Unlock()
		if !done {
			ro.Terminate()
		}
	})
	defer func() {
		stop()
		mu.Lock()
		done = true
		mu.Unlock()
		ro.Destroy()
	}()
	if ctx.Err() != nil {
		ro.Terminate()
	}
	outs := []ort.Value{nil} // allocated by ONNX Runtime
	if err := s.sess.RunWithOptions([]ort.Value{in}, outs, ro); err != nil {
		return nil, err
	}
	defer outs[0].Destroy()
	t, ok := outs[0].(*ort.Tensor[float32])
	if !ok {
		return nil, fmt.Errorf("the first output is a %v, want a float tensor", outs[0].GetONNXType())
	}
	return t.GetData(), nil
}
