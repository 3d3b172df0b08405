package onnxrun

import (
	"context"
	"math"
	"math/rand/v2"
	"testing"

	"github.com/failmodes/prime/internal/onnxfile"
	"github.com/failmodes/prime/onnx"
	"github.com/stretchr/testify/require"
)

// An opCase is a graph of operators onnx-go lacks, with its output
// computed in plain Go.
type opCase struct {
	name  string
	op    string // what onnx-go's refusal says
	in    []int64
	build func(b *onnxfile.Net, rng *rand.Rand) (out string, dims []int64, ref func(x []float64) []float64)
}

// conv computes a convolution of x (c x h x w) with weights w
// (cout x c/group x k x k) and bias, symmetric padding pad, stride.
func conv(x []float64, c, h, wd int, w, bias []float32, cout, k, stride, pad, group int) []float64 {
	oh, ow := (h+2*pad-k)/stride+1, (wd+2*pad-k)/stride+1
	cg, og := c/group, cout/group
	out := make([]float64, cout*oh*ow)
	for o := range cout {
		g := o / og
		for i := range oh {
			for j := range ow {
				sum := float64(bias[o])
				for ci := range cg {
					for di := range k {
						for dj := range k {
							y, z := i*stride+di-pad, j*stride+dj-pad
							if y < 0 || y >= h || z < 0 || z >= wd {
								continue
							}
							sum += x[((g*cg+ci)*h+y)*wd+z] * float64(w[((o*cg+ci)*k+di)*k+dj])
						}
					}
				}
				out[(o*oh+i)*ow+j] = sum
			}
		}
	}
	return out
}

// tokens turns x (c x n, channel-major) into n rows of c values, as
// Reshape to 1 x c x n and Transpose to 1 x n x c do.
func tokens(x []float64, c, n int) [][]float64 {
	t := make([][]float64, n)
	for i := range t {
		t[i] = make([]float64, c)
		for j := range c {
			t[i][j] = x[j*n+i]
		}
	}
	return t
}

func matmul(a [][]float64, w []float32, d int) [][]float64 {
	out := make([][]float64, len(a))
	for i, row := range a {
		out[i] = make([]float64, d)
		for j := range d {
			for k, v := range row {
				out[i][j] += v * float64(w[k*d+j])
			}
		}
	}
	return out
}

func flat(rows [][]float64) []float64 {
	var out []float64
	for _, r := range rows {
		out = append(out, r...)
	}
	return out
}

// tokenize adds Reshape and Transpose nodes: 1 x c x h x w to 1 x hw x c.
func tokenize(b *onnxfile.Net, c, hw int64) string {
	r := b.Op("Reshape", []string{b.Input(), b.Ints(1, c, hw)})
	return b.Op("Transpose", []string{r}, onnxfile.IntsAttr("perm", 0, 2, 1))
}

var opCases = []opCase{
	{"depthwise Conv", `"Conv" with group 3, which onnx-go does not implement`, []int64{1, 3, 6, 6}, func(b *onnxfile.Net, rng *rand.Rand) (string, []int64, func([]float64) []float64) {
		w, bias := onnxfile.RandomFloats(rng, 3*9, 0.5), onnxfile.RandomFloats(rng, 3, 0.1)
		out := b.Op("Conv", []string{b.Input(), b.Const(w, 3, 1, 3, 3), b.Const(bias, 3)},
			onnxfile.IntsAttr("kernel_shape", 3, 3), onnxfile.IntsAttr("pads", 1, 1, 1, 1), onnxfile.IntAttr("group", 3))
		return out, []int64{1, 3, 6, 6}, func(x []float64) []float64 { return conv(x, 3, 6, 6, w, bias, 3, 3, 1, 1, 3) }
	}},
	{"grouped Conv", `"Conv" with group 3, which onnx-go does not implement`, []int64{1, 3, 6, 6}, func(b *onnxfile.Net, rng *rand.Rand) (string, []int64, func([]float64) []float64) {
		// Three groups of one input channel and two output channels each.
		w, bias := onnxfile.RandomFloats(rng, 6*9, 0.5), onnxfile.RandomFloats(rng, 6, 0.1)
		out := b.Op("Conv", []string{b.Input(), b.Const(w, 6, 1, 3, 3), b.Const(bias, 6)},
			onnxfile.IntsAttr("kernel_shape", 3, 3), onnxfile.IntsAttr("pads", 1, 1, 1, 1), onnxfile.IntsAttr("strides", 2, 2), onnxfile.IntAttr("group", 3))
		return out, []int64{1, 6, 3, 3}, func(x []float64) []float64 { return conv(x, 3, 6, 6, w, bias, 6, 3, 2, 1, 3) }
	}},
	{"LayerNormalization", `"LayerNormalization", which onnx-go does not implement`, []int64{1, 3, 3, 3}, func(b *onnxfile.Net, rng *rand.Rand) (string, []int64, func([]float64) []float64) {
		scale, bias := onnxfile.RandomFloats(rng, 3, 1), onnxfile.RandomFloats(rng, 3, 0.5)
		out := b.Op("LayerNormalization", []string{tokenize(b, 3, 9), b.Const(scale, 3), b.Const(bias, 3)},
			onnxfile.IntAttr("axis", -1), onnxfile.FloatAttr("epsilon", 1e-5))
		return out, []int64{1, 9, 3}, func(x []float64) []float64 {
			rows := tokens(x, 3, 9)
			for _, r := range rows {
				var mean, vr float64
				for _, v := range r {
					mean += v / 3
				}
				for _, v := range r {
					vr += (v - mean) * (v - mean) / 3
				}
				for j, v := range r {
					r[j] = (v-mean)/math.Sqrt(vr+1e-5)*float64(scale[j]) + float64(bias[j])
				}
			}
			return flat(rows)
		}
	}},
	{"GELU (Erf)", `"Erf", which onnx-go does not implement`, []int64{1, 3, 3, 3}, func(b *onnxfile.Net, rng *rand.Rand) (string, []int64, func([]float64) []float64) {
		x := b.Op("Mul", []string{b.Input(), b.Const([]float32{3}, 1)})
		e := b.Op("Erf", []string{b.Op("Div", []string{x, b.Const([]float32{math.Sqrt2}, 1)})})
		out := b.Op("Mul", []string{b.Op("Mul", []string{x, b.Op("Add", []string{e, b.Const([]float32{1}, 1)})}), b.Const([]float32{0.5}, 1)})
		return out, []int64{1, 3, 3, 3}, func(in []float64) []float64 {
			out := make([]float64, len(in))
			for i, v := range in {
				v *= 3
				out[i] = 0.5 * v * (1 + math.Erf(v/math.Sqrt2))
			}
			return out
		}
	}},
	{"attention", "operator Matmul not implemented", []int64{1, 3, 3, 3}, func(b *onnxfile.Net, rng *rand.Rand) (string, []int64, func([]float64) []float64) {
		wq, wk, wv := onnxfile.RandomFloats(rng, 9, 1), onnxfile.RandomFloats(rng, 9, 1), onnxfile.RandomFloats(rng, 9, 1)
		x := tokenize(b, 3, 9)
		q := b.Op("MatMul", []string{x, b.Const(wq, 3, 3)})
		k := b.Op("MatMul", []string{x, b.Const(wk, 3, 3)})
		v := b.Op("MatMul", []string{x, b.Const(wv, 3, 3)})
		s := b.Op("MatMul", []string{q, b.Op("Transpose", []string{k}, onnxfile.IntsAttr("perm", 0, 2, 1))})
		p := b.Op("Softmax", []string{b.Op("Mul", []string{s, b.Const([]float32{0.5}, 1)})}, onnxfile.IntAttr("axis", -1))
		out := b.Op("MatMul", []string{p, v})
		return out, []int64{1, 9, 3}, func(in []float64) []float64 {
			t := tokens(in, 3, 9)
			qs, ks, vs := matmul(t, wq, 3), matmul(t, wk, 3), matmul(t, wv, 3)
			out := make([][]float64, 9)
			for i := range out {
				scores := make([]float64, 9)
				m := math.Inf(-1)
				for j := range scores {
					for d := range 3 {
						scores[j] += qs[i][d] * ks[j][d]
					}
					scores[j] *= 0.5
					m = math.Max(m, scores[j])
				}
				var sum float64
				for j := range scores {
					scores[j] = math.Exp(scores[j] - m)
					sum += scores[j]
				}
				out[i] = make([]float64, 3)
				for j := range scores {
					for d := range 3 {
						out[i][d] += scores[j] / sum * vs[j][d]
					}
				}
			}
			return flat(out)
		}
	}},
	{"Resize", `"Resize", which onnx-go does not implement`, []int64{1, 3, 3, 3}, func(b *onnxfile.Net, rng *rand.Rand) (string, []int64, func([]float64) []float64) {
		out := b.Op("Resize", []string{b.Input(), "", b.Const([]float32{1, 1, 2, 2}, 4)},
			onnxfile.StringAttr("mode", "nearest"), onnxfile.StringAttr("coordinate_transformation_mode", "asymmetric"), onnxfile.StringAttr("nearest_mode", "floor"))
		return out, []int64{1, 3, 6, 6}, func(in []float64) []float64 {
			out := make([]float64, 3*36)
			for c := range 3 {
				for y := range 6 {
					for x := range 6 {
						out[(c*6+y)*6+x] = in[(c*3+y/2)*3+x/2]
					}
				}
			}
			return out
		}
	}},
	{"Clip", `"Clip", which onnx-go does not implement`, []int64{1, 3, 3, 3}, func(b *onnxfile.Net, rng *rand.Rand) (string, []int64, func([]float64) []float64) {
		out := b.Op("Clip", []string{b.Input(), b.Const([]float32{-0.25}), b.Const([]float32{0.5})})
		return out, []int64{1, 3, 3, 3}, func(in []float64) []float64 {
			out := make([]float64, len(in))
			for i, v := range in {
				out[i] = min(max(v, -0.25), 0.5)
			}
			return out
		}
	}},
	{"AveragePool", `"AveragePool", which onnx-go does not implement`, []int64{1, 3, 4, 4}, func(b *onnxfile.Net, rng *rand.Rand) (string, []int64, func([]float64) []float64) {
		out := b.Op("AveragePool", []string{b.Input()}, onnxfile.IntsAttr("kernel_shape", 2, 2), onnxfile.IntsAttr("strides", 2, 2))
		return out, []int64{1, 3, 2, 2}, func(in []float64) []float64 {
			out := make([]float64, 12)
			for c := range 3 {
				for y := range 2 {
					for x := range 2 {
						var s float64
						for dy := range 2 {
							for dx := range 2 {
								s += in[(c*4+2*y+dy)*4+2*x+dx]
							}
						}
						out[(c*2+y)*2+x] = s / 4
					}
				}
			}
			return out
		}
	}},
}

// TestOperatorsOnnxGoLacks runs graphs of operators onnx-go does not run
// (depthwise and grouped convolution, LayerNormalization, Erf, an
// attention block, Resize, Clip, AveragePool) on ONNX Runtime against a
// plain-Go computation, and checks that onnx-go refuses each at load with
// the operator's name (for the attention block, onnx-go's own refusal of
// a MatMul on 3-D tensors).
func TestOperatorsOnnxGoLacks(t *testing.T) {
	for _, tc := range opCases {
		t.Run(tc.name, func(t *testing.T) {
			rng := rand.New(rand.NewPCG(3, 5))
			b := onnxfile.NewNet(tc.in...)
			out, dims, ref := tc.build(b, rng)
			data := b.Model(out, dims...).Marshal()
			n := int(tc.in[1] * tc.in[2] * tc.in[3])
			x := randomInput(rng, n)
			x64 := make([]float64, n)
			for i, v := range x {
				x64[i] = float64(v)
			}
			want := ref(x64)

			_, err := LoadBytes(data, "ops.onnx", "test", Options{Engine: onnx.Engine{Workers: 1}})
			require.ErrorContains(t, err, tc.op, "onnx-go refuses the model at load, naming the operator")
			if !ORTCompiled {
				return
			}
			m, err := LoadBytes(data, "ops.onnx", "test", Options{Engine: onnx.Engine{Runtime: onnx.ONNXRuntime, Workers: 1}})
			require.NoError(t, err)
			defer m.Close()
			got, err := m.Run(context.Background(), func(dst []float32) error { copy(dst, x); return nil })
			require.NoError(t, err)
			require.Len(t, got, len(want))
			for i := range want {
				require.InDelta(t, want[i], got[i], 1e-5*math.Max(1, math.Abs(want[i])), "value %d", i)
			}
		})
	}
}
