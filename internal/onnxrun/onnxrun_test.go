package onnxrun

import (
	"context"
	"fmt"
	"math"
	"math/rand/v2"
	"os"
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

// TestGemmRewrites checks the rewritten Gemm of every form against
// plain Go, on each runtime: A or B transposed, alpha and beta, with and
// without C.
func TestGemmRewrites(t *testing.T) {
	const k, m = 12, 5 // the input's 3 x 2 x 2 values, the outputs
	tests := []struct {
		name           string
		transA, transB bool
		alpha, beta    float32
		withC          bool
	}{
		{"plain", false, false, 1, 1, true},
		{"no C", false, false, 1, 1, false},
		{"no C, alpha", false, false, 0.5, 1, false},
		{"transA", true, false, 1, 1, true},
		{"transB, alpha, beta", false, true, 0.5, 2, true},
		{"both, beta 0", true, true, 2, 0, true},
	}
	for _, tt := range tests {
		for _, rt := range runtimes(t) {
			t.Run(tt.name+"/"+rt, func(t *testing.T) {
				rng := rand.New(rand.NewPCG(5, 6))
				w, c := onnxfile.RandomFloats(rng, k*m, 1), onnxfile.RandomFloats(rng, m, 1)
				b := onnxfile.NewNet(1, 3, 2, 2)
				a := b.Op("Flatten", []string{b.Input()}, onnxfile.IntAttr("axis", 1)) // 1 x k
				if tt.transA {
					a = b.Op("Reshape", []string{a, b.Ints(k, 1)})
				}
				wt := w // k x m, or m x k when transposed
				if tt.transB {
					wt = make([]float32, len(w))
					for i := range k {
						for j := range m {
							wt[j*k+i] = w[i*m+j]
						}
					}
				}
				ins := []string{a, b.Const(wt, k, m)}
				if tt.transB {
					ins[1] = b.Const(wt, m, k)
				}
				if tt.withC {
					ins = append(ins, b.Const(c, m))
				}
				attrs := []onnxfile.Attr{onnxfile.FloatAttr("alpha", tt.alpha), onnxfile.FloatAttr("beta", tt.beta)}
				if tt.transA {
					attrs = append(attrs, onnxfile.IntAttr("transA", 1))
				}
				if tt.transB {
					attrs = append(attrs, onnxfile.IntAttr("transB", 1))
				}
				out := b.Op("Gemm", ins, attrs...)
				model, err := LoadBytes(b.Model(out, 1, m).Marshal(), "gemm", "test", Options{Engine: onnx.Engine{Runtime: rt, Workers: 1}})
				require.NoError(t, err)
				defer model.Close()
				x := randomInput(rng, k)
				want := make([]float32, m)
				for j := range want {
					var sum float64
					for i := range k {
						sum += float64(x[i]) * float64(w[i*m+j])
					}
					want[j] = float32(float64(tt.alpha) * sum)
					if tt.withC {
						want[j] += float32(float64(tt.beta) * float64(c[j]))
					}
				}
				for range 3 { // every run, not only the first
					got, err := model.Run(context.Background(), func(dst []float32) error { copy(dst, x); return nil })
					require.NoError(t, err)
					requireClose(t, want, got, 1e-5)
				}
			})
		}
	}
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

// modelCase is a model file and what loading it gives: an error that
// contains want, or a model when want is "".
type modelCase struct {
	name string
	data []byte
	want string
}

// modelCases are valid models and the faults a damaged or hostile file
// may hold, for TestLoadRefusesMalformed and FuzzLoadBytes.
func modelCases(t testing.TB) []modelCase {
	cnn := func(cfg onnxfile.CNNConfig) *onnxfile.Model {
		return onnxfile.NewCNN(rand.New(rand.NewPCG(7, 8)), cfg).Model()
	}
	small := onnxfile.CNNConfig{Channels: 1, Size: 4, Filters1: 2, Filters2: 2, Outputs: 3}
	gemm := small
	gemm.Gemm, gemm.Head = true, "Softmax"
	mutate := func(f func(g *onnxfile.Graph)) []byte {
		m := cnn(small)
		f(&m.Graph)
		return m.Marshal()
	}
	valid := cnn(small).Marshal()
	mnist, err := os.ReadFile("../../testdata/mnist/model.onnx")
	require.NoError(t, err)
	return []modelCase{
		{"valid", valid, ""},
		{"gemm", cnn(gemm).Marshal(), ""},
		{"mnist", mnist, ""},
		{"truncated", valid[:len(valid)/2], "not a valid ONNX model"},
		{"mnist truncated", mnist[:len(mnist)*2/3], "not a valid ONNX model"},
		{"initializer short", mutate(func(g *onnxfile.Graph) {
			g.Initializers[0].Floats = g.Initializers[0].Floats[:3]
		}), `initializer "w1": 3 values for dims [2 1 3 3], want 18`},
		{"initializer long", mutate(func(g *onnxfile.Graph) {
			g.Initializers[1].Floats = append(g.Initializers[1].Floats, 1, 2)
		}), `initializer "b1": 4 values for dims [2], want 2`},
		{"missing input", mutate(func(g *onnxfile.Graph) {
			g.Nodes[1].Inputs = []string{"nowhere"}
		}), `node "relu1" reads "nowhere", which no input, initializer or earlier node defines`},
		{"self edge", mutate(func(g *onnxfile.Graph) {
			g.Nodes[1].Inputs = g.Nodes[1].Outputs
		}), `node "relu1" reads "r1"`},
		{"out of order", mutate(func(g *onnxfile.Graph) {
			g.Nodes[0], g.Nodes[1] = g.Nodes[1], g.Nodes[0]
		}), `node "relu1" reads "c1"`},
		{"written twice", mutate(func(g *onnxfile.Graph) {
			g.Nodes[1].Outputs = g.Nodes[0].Outputs
		}), `node "relu1" writes "c1", which is already defined`},
		{"negative dimension", mutate(func(g *onnxfile.Graph) {
			g.Initializers[0].Dims[1] = -1
		}), "negative dimension"},
		{"huge dimension", mutate(func(g *onnxfile.Graph) {
			g.Initializers[0].Dims[0] = 1 << 40
		}), "more than 67108864 values"},
		{"huge input", mutate(func(g *onnxfile.Graph) {
			g.Inputs[0].Dims[2] = 1 << 31
		}), `input "input": dims [1 2147483648 4]: more than 67108864 values`},
		{"huge value", mutate(func(g *onnxfile.Graph) {
			g.ValueInfo = append(g.ValueInfo, onnxfile.FloatValue("c1", 1, 1<<20, 1<<20))
		}), `value "c1": dims [1 1048576 1048576]: more than 67108864 values`},
		{"wrong data type", mutate(func(g *onnxfile.Graph) {
			g.Initializers[0].DataType = onnxfile.Int64
		}), `initializer "w1": 0 values for dims [2 1 3 3], want 18`},
		{"unread data type", mutate(func(g *onnxfile.Graph) {
			g.Initializers[0].DataType = 10 // float16
		}), "element type 10, which onnx-go does not read"},
		{"zero dimension", mutate(func(g *onnxfile.Graph) {
			g.Initializers[1].Dims[0] = 0
		}), "dimension 0 in dims [0]: want positive dimensions"},
		{"constant short", mutate(func(g *onnxfile.Graph) {
			k := onnxfile.FloatTensor("k", []float32{1, 2}, 3)
			g.Nodes = append([]onnxfile.Node{{Name: "const", OpType: "Constant", Outputs: []string{"k"},
				Attrs: []onnxfile.Attr{{Name: "value", Type: onnxfile.AttrTensor, T: &k}}}}, g.Nodes...)
		}), `node "const": attribute "value": 2 values for dims [3], want 3`},
		{"conv pads huge", mutate(func(g *onnxfile.Graph) {
			g.Nodes[0].Attrs[1] = onnxfile.IntsAttr("pads", 1<<40, 1<<40, 1<<40, 1<<40)
		}), `node "conv1" (Conv): kernel_shape [3 3], strides [1 1], dilations [], pads [1099511627776`},
		{"conv pads large", mutate(func(g *onnxfile.Graph) {
			g.Nodes[0].Attrs[1] = onnxfile.IntsAttr("pads", 1<<14, 1<<14, 1<<14, 1<<14)
		}), `node "conv1" (Conv): output dims [1 2 32770 32770]: more than 67108864 values`},
		{"conv strides 0", mutate(func(g *onnxfile.Graph) {
			g.Nodes[0].Attrs[2] = onnxfile.IntsAttr("strides", 0, 0)
		}), `node "conv1" (Conv): kernel_shape [3 3], strides [0 0]`},
		{"pool kernel too large", mutate(func(g *onnxfile.Graph) {
			g.Nodes[2].Attrs[0] = onnxfile.IntsAttr("kernel_shape", 100, 100)
		}), `node "pool1" (MaxPool): kernel larger than its padded input`},
		{"pool pads large", mutate(func(g *onnxfile.Graph) {
			g.Nodes[2].Attrs = append(g.Nodes[2].Attrs, onnxfile.IntsAttr("pads", 1<<14, 1<<14, 1<<14, 1<<14))
		}), `node "pool1" (MaxPool): output dims`},
		{"pool pads unequal", mutate(func(g *onnxfile.Graph) {
			g.Nodes[2].Attrs = append(g.Nodes[2].Attrs, onnxfile.IntsAttr("pads", 1<<20, 2, 1<<20, 2))
		}), `node "pool1" (MaxPool): pads [1048576 2 1048576 2]: onnx-go reads only pads equal on every side`},
		{"conv strides of three", mutate(func(g *onnxfile.Graph) {
			g.Nodes[0].Attrs[2] = onnxfile.IntsAttr("strides", 1, 1, 1)
		}), `node "conv1" (Conv): strides [1 1 1], dilations []: want two values each`},
		{"pool dilations", mutate(func(g *onnxfile.Graph) {
			g.Nodes[2].Attrs = append(g.Nodes[2].Attrs, onnxfile.IntsAttr("dilations", 2, 2))
		}), `node "pool1" (MaxPool): dilations [2 2]: onnx-go's MaxPool ignores them`},
		{"concat chain", mutate(func(g *onnxfile.Graph) {
			prev := "c1"
			for i := range 30 {
				out := fmt.Sprint("cat", i)
				g.Nodes = append(g.Nodes, onnxfile.Node{Name: out, OpType: "Concat", Inputs: []string{prev, prev}, Outputs: []string{out},
					Attrs: []onnxfile.Attr{onnxfile.IntAttr("axis", 1)}})
				prev = out
			}
		}), `node "cat21" (Concat): output dims [1 8388608 4 4]: more than 67108864 values`},
		{"broadcast", mutate(func(g *onnxfile.Graph) {
			g.Initializers = append(g.Initializers, onnxfile.FloatTensor("col", make([]float32, 1<<14), 1<<14, 1),
				onnxfile.FloatTensor("row", make([]float32, 1<<14), 1, 1<<14))
			g.Nodes = append(g.Nodes, onnxfile.Node{Name: "outer", OpType: "Add", Inputs: []string{"col", "row"}, Outputs: []string{"outer"}})
		}), `node "outer" (Add): output dims [16384 16384]: more than 67108864 values`},
		{"reshape computed shape", mutate(func(g *onnxfile.Graph) {
			g.Nodes = append(g.Nodes, onnxfile.Node{Name: "rs", OpType: "Reshape", Inputs: []string{"c1", "r1"}, Outputs: []string{"rs"}})
		}), `node "rs" (Reshape): its shape "r1" is not an int64 initializer or constant`},
		{"reshape wrong count", mutate(func(g *onnxfile.Graph) {
			g.Initializers = append(g.Initializers, onnxfile.Int64Tensor("shape", []int64{1, 3}, 2))
			g.Nodes = append(g.Nodes, onnxfile.Node{Name: "rs", OpType: "Reshape", Inputs: []string{"c1", "shape"}, Outputs: []string{"rs"}})
		}), `node "rs" (Reshape): shape [1 3] for 32 values`},
		{"no such output", mutate(func(g *onnxfile.Graph) {
			g.Outputs[0].Name = "nothing"
		}), `output "nothing": no input, initializer or node defines it`},
	}
}

func TestLoadRefusesMalformed(t *testing.T) {
	for _, c := range modelCases(t) {
		t.Run(c.name, func(t *testing.T) {
			m, err := LoadBytes(c.data, c.name+".onnx", "test", Options{Engine: onnx.Engine{Runtime: onnx.OnnxGo, Workers: 1}})
			if c.want == "" {
				require.NoError(t, err)
				require.NoError(t, m.Close())
				return
			}
			require.ErrorContains(t, err, c.want)
			assert.ErrorContains(t, err, "test: model "+c.name+".onnx")
		})
	}
}

// FuzzLoadBytes: no model file, however damaged, makes the loader panic;
// it loads, or fails with an error that names the file.
func FuzzLoadBytes(f *testing.F) {
	for _, c := range modelCases(f) {
		f.Add(c.data)
	}
	f.Fuzz(func(t *testing.T, data []byte) { requireLoadsOrNames(t, data, "fuzz.onnx") })
}

// requireLoadsOrNames checks the property of the fuzz targets: the model
// data loads and runs, or fails with an error that names the file, name,
// and that the checks before onnx-go gave: onnx-go's recovered panics are
// a last line of defence only.
func requireLoadsOrNames(t *testing.T, data []byte, name string) {
	m, err := LoadBytes(data, name, "test", Options{Engine: onnx.Engine{Runtime: onnx.OnnxGo, Workers: 1}})
	if err == nil {
		defer m.Close()
		var out []float32
		out, err = m.Run(context.Background(), func(dst []float32) error { return nil })
		if err == nil {
			require.Len(t, out, m.OutputLen)
			return
		}
	}
	require.ErrorContains(t, err, name)
	require.NotContains(t, err.Error(), "panicked")
}

// FuzzLoadGraph changes a valid model where the byte mutations of
// FuzzLoadBytes rarely reach, past the protobuf: an attribute's values, an
// operator, an initializer's dims, a node's inputs. The property is
// FuzzLoadBytes's.
func FuzzLoadGraph(f *testing.F) {
	f.Add(uint8(0), uint8(0), uint8(1), int64(1<<40), int64(1))
	f.Add(uint8(0), uint8(2), uint8(0), int64(1<<20), int64(2))
	f.Add(uint8(1), uint8(6), uint8(0), int64(-3), int64(0))
	f.Add(uint8(2), uint8(5), uint8(0), int64(20), int64(0))
	f.Add(uint8(3), uint8(4), uint8(0), int64(1<<13), int64(1))
	f.Add(uint8(4), uint8(3), uint8(0), int64(1), int64(5))
	f.Add(uint8(5), uint8(1), uint8(0), int64(3), int64(4))
	f.Fuzz(func(t *testing.T, kind, node, which uint8, v, w int64) {
		m := onnxfile.NewCNN(rand.New(rand.NewPCG(7, 8)), onnxfile.CNNConfig{Channels: 1, Size: 4, Filters1: 2, Filters2: 2, Outputs: 3}).Model()
		g := &m.Graph
		n := &g.Nodes[int(node)%len(g.Nodes)]
		values := []string{"input"}
		for _, nd := range g.Nodes {
			values = append(values, nd.Outputs...)
		}
		pick := func(x int64) string { return values[int(uint64(x)%uint64(len(values)))] }
		switch kind % 6 {
		case 0: // an ints attribute
			attrs := []string{"kernel_shape", "pads", "strides", "dilations", "perm", "axes"}
			vals := []int64{v, w}
			if which&8 != 0 {
				vals = []int64{v, w, v, w}
			}
			n.Attrs = append(n.Attrs, onnxfile.IntsAttr(attrs[int(which)%len(attrs)], vals...))
			n.Attrs[0], n.Attrs[len(n.Attrs)-1] = n.Attrs[len(n.Attrs)-1], n.Attrs[0]
		case 1: // an int attribute
			attrs := []string{"axis", "group", "transB", "keepdims"}
			n.Attrs = append([]onnxfile.Attr{onnxfile.IntAttr(attrs[int(which)%len(attrs)], v)}, n.Attrs...)
		case 2: // another operator
			n.OpType = supported[int(uint64(v)%uint64(len(supported)))]
		case 3: // an initializer's dims
			init := &g.Initializers[int(which)%len(g.Initializers)]
			init.Dims = []int64{v, w} // filled by its data when v * w is its length
		case 4: // a node's input
			if len(n.Inputs) > 0 {
				n.Inputs[int(which)%len(n.Inputs)] = pick(v)
			}
		case 5: // a new node on two values
			op := supported[int(which)%len(supported)]
			g.Nodes = append(g.Nodes, onnxfile.Node{Name: "new", OpType: op, Inputs: []string{pick(v), pick(w)}, Outputs: []string{"new"}})
		}
		requireLoadsOrNames(t, m.Marshal(), "graph.onnx")
	})
}
