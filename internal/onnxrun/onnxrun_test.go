package onnxrun

import (
	"context"
	"math"
	"math/rand/v2"
	"path/filepath"
	"sync"
	"testing"

	"github.com/failmodes/prime/internal/onnxfile"
	"github.com/failmodes/prime/onnx"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func randomInput(rng *rand.Rand, n int) []float32 {
	x := make([]float32, n)
	for i := range x {
		x[i] = float32(rng.Float64()*2 - 1)
	}
	return x
}

func requireClose(t *testing.T, want, got []float32, tol float64) {
	t.Helper()
	require.Len(t, got, len(want))
	for i := range want {
		require.InDelta(t, want[i], got[i], tol, "output %d: want %v, got %v", i, want, got)
	}
}

// runtimes returns Runtimes, and checks that ONNX Runtime's library is
// there when the backend is compiled in.
func runtimes(t testing.TB) []string {
	if ORTCompiled {
		_, err := LibraryPath("")
		require.NoError(t, err, "built with the tag onnxruntime, the tests need ONNX Runtime's library")
	}
	return Runtimes()
}

func TestModelMatchesPlainGo(t *testing.T) {
	tests := []struct {
		name string
		cfg  onnxfile.CNNConfig
	}{
		{"matmul", onnxfile.CNNConfig{Channels: 3, Size: 8, Filters1: 4, Filters2: 6, Outputs: 5}},
		{"matmul sigmoid", onnxfile.CNNConfig{Channels: 3, Size: 8, Filters1: 4, Filters2: 6, Outputs: 5, Head: "Sigmoid"}},
		{"gemm softmax", onnxfile.CNNConfig{Channels: 1, Size: 6, Filters1: 3, Filters2: 4, Outputs: 7, Gemm: true, Head: "Softmax"}},
		{"gemm", onnxfile.CNNConfig{Channels: 3, Size: 8, Filters1: 4, Filters2: 6, Outputs: 5, Gemm: true}},
		{"gemm alpha beta", onnxfile.CNNConfig{Channels: 3, Size: 8, Filters1: 4, Filters2: 6, Outputs: 5, Gemm: true, Alpha: 0.5, Beta: 2}},
	}
	for _, tt := range tests {
		for _, rt := range runtimes(t) {
			t.Run(tt.name+"/"+rt, func(t *testing.T) {
				rng := rand.New(rand.NewPCG(1, 2))
				cnn := onnxfile.NewCNN(rng, tt.cfg)
				m, err := LoadBytes(cnn.Model().Marshal(), "cnn", "test", Options{Engine: onnx.Engine{Runtime: rt, Workers: 2}})
				require.NoError(t, err)
				defer m.Close()
				assert.Equal(t, []int{1, tt.cfg.Channels, tt.cfg.Size, tt.cfg.Size}, m.Input)
				assert.Equal(t, tt.cfg.Outputs, m.OutputLen)
				n := tt.cfg.Channels * tt.cfg.Size * tt.cfg.Size
				inputs := [][]float32{randomInput(rng, n), randomInput(rng, n)}
				// The same inputs, many times, alternating: every run must be
				// right, not only the first.
				for i := range 20 {
					x := inputs[i%2]
					got, err := m.Run(context.Background(), func(dst []float32) error { copy(dst, x); return nil })
					require.NoError(t, err)
					requireClose(t, cnn.Forward(x), got, 1e-5)
				}
			})
		}
	}
}

// TestGemmBugWithoutRewrite shows why RewriteGemm exists: onnx-go's own
// Gemm gives a different answer on the second run of the same input.
func TestGemmBugWithoutRewrite(t *testing.T) {
	rng := rand.New(rand.NewPCG(3, 4))
	cfg := onnxfile.CNNConfig{Channels: 1, Size: 4, Filters1: 2, Filters2: 3, Outputs: 4, Gemm: true}
	cnn := onnxfile.NewCNN(rng, cfg)
	m := &Model{prefix: "test", Path: "gemm", Input: []int{1, 1, 4, 4}}
	inst, err := m.newInstance(cnn.Model().Marshal())
	require.NoError(t, err)
	x := randomInput(rng, 16)
	first, err := inst.run(context.Background(), x, 1)
	require.NoError(t, err)
	second, err := inst.run(context.Background(), x, 1)
	require.NoError(t, err)
	want := cnn.Forward(x)
	requireClose(t, want, first, 1e-5)
	var diff float64
	for i := range want {
		diff = math.Max(diff, math.Abs(float64(want[i]-second[i])))
	}
	assert.Greater(t, diff, 1e-3, "onnx-go's Gemm no longer corrupts its bias: RewriteGemm may be unnecessary")
}

func TestUnsupportedOperator(t *testing.T) {
	cnn := onnxfile.NewCNN(rand.New(rand.NewPCG(1, 1)), onnxfile.CNNConfig{Channels: 1, Size: 4, Filters1: 2, Filters2: 2, Outputs: 3, Extra: "Erf"})
	_, err := LoadBytes(cnn.Model().Marshal(), "erf.onnx", "test", Options{Engine: onnx.Engine{Workers: 1}})
	require.Error(t, err)
	assert.Contains(t, err.Error(), `"Erf"`)
	assert.Contains(t, err.Error(), `"extra_op"`)
	assert.Contains(t, err.Error(), "erf.onnx")
}

func TestLoadErrors(t *testing.T) {
	for _, rt := range runtimes(t) {
		o := Options{Engine: onnx.Engine{Runtime: rt, Workers: 1}}
		_, err := Load(filepath.Join(t.TempDir(), "missing.onnx"), "test", o)
		require.ErrorContains(t, err, "missing.onnx")
		_, err = LoadBytes([]byte("this is not a model"), "junk.onnx", "test", o)
		require.ErrorContains(t, err, "junk.onnx")
		_, err = LoadBytes(nil, "empty.onnx", "test", o)
		require.ErrorContains(t, err, "empty.onnx")
	}
}

func TestConcurrentRuns(t *testing.T) {
	rng := rand.New(rand.NewPCG(5, 6))
	cnn := onnxfile.NewCNN(rng, onnxfile.CNNConfig{Channels: 3, Size: 8, Filters1: 4, Filters2: 6, Outputs: 5, Gemm: true})
	for _, rt := range runtimes(t) {
		m, err := LoadBytes(cnn.Model().Marshal(), "cnn", "test", Options{Engine: onnx.Engine{Runtime: rt, Workers: 3}})
		require.NoError(t, err)
		defer m.Close()
		inputs := make([][]float32, 8)
		for i := range inputs {
			inputs[i] = randomInput(rng, 3*8*8)
		}
		var wg sync.WaitGroup
		for g := range 6 {
			wg.Go(func() {
				for i := range 10 {
					x := inputs[(g+i)%len(inputs)]
					got, err := m.Run(context.Background(), func(dst []float32) error { copy(dst, x); return nil })
					if !assert.NoError(t, err) {
						return
					}
					want := cnn.Forward(x)
					for j := range want {
						assert.InDelta(t, want[j], got[j], 1e-5)
					}
				}
			})
		}
		wg.Wait()
	}
}
