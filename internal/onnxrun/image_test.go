package onnxrun

import (
	"context"
	"fmt"
	"image"
	"math/rand/v2"
	"runtime"
	"testing"

	"github.com/failmodes/prime/internal/onnxfile"
	"github.com/failmodes/prime/onnx"
	"github.com/failmodes/prime/preprocess"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestOptions(t *testing.T) {
	tests := []struct {
		in   Options
		want Options
		err  string
	}{
		{Options{}, Options{Engine: onnx.Engine{Runtime: onnx.OnnxGo, Device: onnx.CPU, Workers: runtime.GOMAXPROCS(0), Threads: DefaultThreads}}, ""},
		{Options{Engine: onnx.Engine{Runtime: onnx.ONNXRuntime, Device: onnx.CUDA, Workers: 3, Threads: 2}}, Options{Engine: onnx.Engine{Runtime: onnx.ONNXRuntime, Device: onnx.CUDA, Workers: 3, Threads: 2}}, ""},
		{Options{Engine: onnx.Engine{Workers: -1}}, Options{}, "test: Workers -1 out of range: want 0 (one per CPU) to 1024"},
		{Options{Engine: onnx.Engine{Workers: 100000}}, Options{}, "test: Workers 100000 out of range"},
		{Options{Engine: onnx.Engine{Threads: -1}}, Options{}, "test: Threads -1 out of range: want 0 (1) to 1024"},
		{Options{Engine: onnx.Engine{Runtime: "tensorflow"}}, Options{}, `test: Runtime "tensorflow": want "onnx-go" or "onnxruntime"`},
		{Options{Engine: onnx.Engine{Device: "tpu"}}, Options{}, `test: Device "tpu": want "cpu" or "cuda"`},
		{Options{Engine: onnx.Engine{Device: onnx.CUDA}}, Options{}, `test: Device "cuda" needs Runtime "onnxruntime": onnx-go runs on the CPU only`},
		{Options{Engine: onnx.Engine{Library: "lib.so"}}, Options{}, `test: Library "lib.so" is ONNX Runtime's: set Runtime "onnxruntime" too`},
	}
	for _, tt := range tests {
		o := tt.in
		err := o.check("test")
		if tt.err != "" {
			require.ErrorContains(t, err, tt.err)
			continue
		}
		require.NoError(t, err)
		assert.Equal(t, tt.want, o)
	}
}

func TestRunImages(t *testing.T) {
	for _, rt := range runtimes(t) {
		t.Run(rt, func(t *testing.T) {
			rng := rand.New(rand.NewPCG(1, 2))
			cfg := onnxfile.CNNConfig{Channels: 1, Size: 4, Filters1: 2, Filters2: 2, Outputs: 3, Batch: true}
			cnn := onnxfile.NewCNN(rng, cfg)
			cancelled, cancel := context.WithCancel(context.Background())
			cancel()
			imgs := make([]image.Image, 7)
			want := make([][]float32, len(imgs))
			raw := preprocess.Raw()
			for i := range imgs {
				g := image.NewGray(image.Rect(0, 0, 4, 4))
				for j := range g.Pix {
					g.Pix[j] = uint8(rng.IntN(256))
				}
				imgs[i] = g
				x, err := raw.Tensor(g, 1, 4, 4)
				require.NoError(t, err)
				want[i] = cnn.Forward(x)
			}
			bad := append([]image.Image{imgs[0], imgs[1]}, image.NewGray(image.Rect(0, 0, 0, 3)))
			tests := []struct {
				name string
				ctx  context.Context
				imgs []image.Image
				want [][]float32
				err  string
				is   error
			}{
				{"seven", context.Background(), imgs, want, "", nil},
				{"one", context.Background(), imgs[3:4], want[3:4], "", nil},
				{"empty", context.Background(), nil, [][]float32{}, "", nil},
				{"error", context.Background(), bad, nil, "test: image 2: preprocess: empty image (bounds (0,0)-(0,3))", nil},
				{"nil image", context.Background(), []image.Image{imgs[0], nil}, nil, "test: image 1: nil image", nil},
				{"cancelled", cancelled, imgs, nil, "", context.Canceled},
			}
			for _, workers := range []int{1, 2, 3} {
				t.Run(fmt.Sprintf("workers=%d", workers), func(t *testing.T) {
					m, err := LoadBytes(cnn.Model().Marshal(), "cnn", "test", Options{Preprocessing: raw, BatchOnCPU: true, Engine: onnx.Engine{Runtime: rt, Workers: workers}})
					require.NoError(t, err)
					if rt == onnx.ONNXRuntime {
						assert.Equal(t, 0, m.MaxBatch, "a symbolic batch dimension batches on ONNX Runtime")
					} else {
						assert.Equal(t, 1, m.MaxBatch)
					}
					for _, tt := range tests {
						t.Run(tt.name, func(t *testing.T) {
							got, err := m.RunImages(tt.ctx, tt.imgs)
							switch {
							case tt.is != nil:
								require.ErrorIs(t, err, tt.is)
								assert.Nil(t, got)
								return
							case tt.err != "":
								require.EqualError(t, err, tt.err)
								assert.Nil(t, got)
								return
							}
							require.NoError(t, err)
							require.Len(t, got, len(tt.want))
							for i := range tt.want {
								requireClose(t, tt.want[i], got[i], 1e-5)
							}
						})
					}
					require.NoError(t, m.Close())
					_, err = m.RunImages(context.Background(), imgs)
					require.ErrorContains(t, err, "test: model is closed")
				})
			}
		})
	}
}
