//go:build onnxruntime && cgo

package onnxrun

import (
	"context"
	"math/rand/v2"
	"os"
	"path/filepath"
	"testing"

	"github.com/failmodes/prime/internal/onnxfile"
	"github.com/failmodes/prime/onnx"
	"github.com/stretchr/testify/require"
)

// TestCUDA runs a model on ONNX Runtime's CUDA execution provider and
// compares it with the CPU. Where the library has no CUDA provider or the
// machine no GPU, loading fails with an error that says so, and the test
// checks that error and skips the comparison.
func TestCUDA(t *testing.T) {
	rng := rand.New(rand.NewPCG(7, 8))
	cnn := onnxfile.NewCNN(rng, onnxfile.CNNConfig{Channels: 3, Size: 16, Filters1: 4, Filters2: 6, Outputs: 5, Batch: true})
	data := cnn.Model().Marshal()
	gpu, err := LoadBytes(data, "cnn.onnx", "test", Options{Engine: onnx.Engine{Runtime: onnx.ONNXRuntime, Device: onnx.CUDA, Workers: 1}})
	if err != nil {
		require.ErrorContains(t, err, `test: Device "cuda": the ONNX Runtime library`)
		require.ErrorContains(t, err, "has no usable CUDA execution provider")
		require.ErrorContains(t, err, `or Device "cpu"`)
		t.Skipf("no GPU run here: %v", err)
	}
	defer gpu.Close()
	x := randomInput(rng, 3*16*16)
	got, err := gpu.Run(context.Background(), func(dst []float32) error { copy(dst, x); return nil })
	require.NoError(t, err)
	requireClose(t, cnn.Forward(x), got, 1e-4)
}

// TestORTLibraryErrors: a file that is not ONNX Runtime, or a second
// library in one process, is refused with the path.
func TestORTLibraryErrors(t *testing.T) {
	cnn := onnxfile.NewCNN(rand.New(rand.NewPCG(1, 1)), onnxfile.CNNConfig{Channels: 1, Size: 4, Filters1: 2, Filters2: 2, Outputs: 3})
	bogus := filepath.Join(t.TempDir(), "libbogus.so")
	require.NoError(t, os.WriteFile(bogus, []byte("not a library"), 0o644))
	_, err := LoadBytes(cnn.Model().Marshal(), "cnn.onnx", "test", Options{Engine: onnx.Engine{Runtime: onnx.ONNXRuntime, Library: bogus}})
	require.ErrorContains(t, err, bogus)
	// Whichever loaded first, the good library works, and then a bogus
	// one is refused as a second library.
	good, err := LoadBytes(cnn.Model().Marshal(), "cnn.onnx", "test", Options{Engine: onnx.Engine{Runtime: onnx.ONNXRuntime}})
	require.NoError(t, err)
	require.NoError(t, good.Close())
	_, err = LoadBytes(cnn.Model().Marshal(), "cnn.onnx", "test", Options{Engine: onnx.Engine{Runtime: onnx.ONNXRuntime, Library: bogus}})
	require.ErrorContains(t, err, "ONNX Runtime is already loaded from")
	require.ErrorContains(t, err, bogus)
}

// TestORTModelThatCannotRun: a model ONNX Runtime loads but cannot run
// (a Reshape of 48 values to 7) fails at load, at its first run, with
// every worker's slot released.
func TestORTModelThatCannotRun(t *testing.T) {
	b := onnxfile.NewNet(1, 3, 4, 4)
	out := b.Op("Reshape", []string{b.Input(), b.Op("Identity", []string{b.Ints(7)})})
	_, err := LoadBytes(b.Model(out, 7).Marshal(), "bad.onnx", "test", Options{Engine: onnx.Engine{Runtime: onnx.ONNXRuntime, Workers: 3}})
	require.ErrorContains(t, err, "test: model bad.onnx")
}

// TestORTCancelledRun: ONNX Runtime stops a call whose context is done,
// and the error wraps the context's.
func TestORTCancelledRun(t *testing.T) {
	cnn := onnxfile.NewCNN(rand.New(rand.NewPCG(1, 1)), onnxfile.CNNConfig{Channels: 1, Size: 4, Filters1: 2, Filters2: 2, Outputs: 3})
	m, err := LoadBytes(cnn.Model().Marshal(), "cnn.onnx", "test", Options{Engine: onnx.Engine{Runtime: onnx.ONNXRuntime, Workers: 1}})
	require.NoError(t, err)
	defer m.Close()
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	s := <-m.pool
	defer func() { m.pool <- s }()
	_, err = s.eng.run(ctx, s.buf, 1)
	require.ErrorContains(t, err, "terminate", "ONNX Runtime stopped the run")
	_, err = m.runSlot(ctx, s, 1)
	require.ErrorIs(t, err, context.Canceled)
}
