package onnxrun

import (
	"fmt"
	"slices"

	"github.com/failmodes/prime/internal/onnxfile"
	primeonnx "github.com/failmodes/prime/onnx"
)

// checkSizes infers the shape of every value the graph computes, from the
// data input (at batch 1) and the initializers, by the rules of the
// operators onnx-go implements, and refuses a graph one value of which
// would hold more than MaxValues values, or whose size it cannot tell.
// onnx-go infers these shapes itself and allocates every value while it
// builds the graph, without bound: a Conv's or MaxPool's pads, a chain of
// Concats or a broadcast can ask for terabytes from a small file, and an
// allocation the system cannot give ends the process, past any recover.
// It runs after checkGraph and RewriteGemm.
func checkSizes(g *onnxfile.Graph, in inputShape) error {
	shapes := map[string][]int64{in.name: {1, int64(in.c), int64(in.h), int64(in.w)}}
	ints := map[string][]int64{} // the values of int64 initializers and constants
	for i := range g.Initializers {
		t := &g.Initializers[i]
		if _, ok := shapes[t.Name]; !ok {
			shapes[t.Name] = t.Dims
		}
		if vs, ok := t.Int64Values(); ok {
			ints[t.Name] = vs
		}
	}
	for _, n := range g.Nodes {
		var ins [][]int64
		for _, name := range n.Inputs {
			s, ok := shapes[name]
			if name != "" && !ok {
				return fmt.Errorf("node %q: cannot tell the size of its input %q", n.Name, name)
			}
			ins = append(ins, s)
		}
		out, err := outShape(&n, ins, ints)
		if err != nil {
			return fmt.Errorf("node %q (%s): %w", n.Name, n.OpType, err)
		}
		if _, err := shapeValues(out, false); err != nil {
			return fmt.Errorf("node %q (%s): output %w", n.Name, n.OpType, err)
		}
		for _, o := range n.Outputs {
			shapes[o] = out
		}
		if n.OpType == "Constant" && len(n.Outputs) > 0 {
			if a, ok := n.Attr("value"); ok && a.T != nil {
				if vs, ok := a.T.Int64Values(); ok {
					ints[n.Outputs[0]] = vs
				}
			}
		}
	}
	return nil
}

// outShape returns the shape of the first output of node n, whose inputs
// have the shapes ins. ints holds the values of int64 initializers.
func outShape(n *onnxfile.Node, ins [][]int64, ints map[string][]int64) ([]int64, error) {
	attrInts := func(name string) []int64 {
		a, _ := n.Attr(name)
		return a.Ints
	}
	attrInt := func(name string, def int64) int64 {
		if a, ok := n.Attr(name); ok {
			return a.I
		}
		return def
	}
	if n.OpType == "Constant" {
		a, ok := n.Attr("value")
		if !ok || a.T == nil {
			return nil, fmt.Errorf("no tensor value")
		}
		return a.T.Dims, nil
	}
	if len(ins) == 0 || ins[0] == nil && len(n.Inputs) > 0 && n.Inputs[0] == "" {
		return nil, fmt.Errorf("no input")
	}
	x := ins[0]
	switch n.OpType {
	case "Add", "Sub", "Mul", "Div", "Max", "Min":
		out := x
		for _, s := range ins[1:] {
			out = broadcast(out, s)
		}
		return out, nil
	case "Concat":
		axis, ok := axisOf(attrInt("axis", 0), len(x))
		if !ok {
			return nil, fmt.Errorf("axis out of range")
		}
		out := slices.Clone(x)
		for _, s := range ins[1:] {
			if len(s) != len(x) {
				return nil, fmt.Errorf("inputs of ranks %d and %d", len(x), len(s))
			}
			out[axis] += s[axis]
			if out[axis] > MaxValues {
				return nil, fmt.Errorf("more than %d values", MaxValues)
			}
		}
		return out, nil
	case "Conv", "MaxPool":
		if len(x) != 4 {
			return nil, fmt.Errorf("input of rank %d, want 4", len(x))
		}
		kernel := attrInts("kernel_shape")
		channels := x[1]
		if n.OpType == "Conv" {
			if len(ins) < 2 || len(ins[1]) != 4 {
				return nil, fmt.Errorf("weights of rank other than 4")
			}
			channels = ins[1][0]
			if kernel == nil {
				kernel = ins[1][2:]
			}
		}
		if len(kernel) != 2 {
			return nil, fmt.Errorf("kernel_shape %v, want 2 values", kernel)
		}
		out := []int64{x[0], channels, 0, 0}
		pads, strides, dilations := attrInts("pads"), attrInts("strides"), attrInts("dilations")
		// onnx-go passes four pads on to gorgonia as they are, which
		// reads them as north, south, west, east, not as ONNX's begins
		// then ends: the two agree only when the four are equal.
		pad := []int64{0, 0}
		switch {
		case len(pads) == 2:
			pad = pads
		case len(pads) == 4 && pads[0] == pads[1] && pads[1] == pads[2] && pads[2] == pads[3]:
			pad = pads[:2]
		case len(pads) != 0:
			return nil, fmt.Errorf("pads %v: onnx-go reads only pads equal on every side (Runtime %q reads any)", pads, primeonnx.ONNXRuntime)
		}
		if (strides != nil && len(strides) != 2) || (dilations != nil && len(dilations) != 2) {
			return nil, fmt.Errorf("strides %v, dilations %v: want two values each", strides, dilations)
		}
		if n.OpType == "MaxPool" && slices.ContainsFunc(dilations, func(d int64) bool { return d != 1 }) {
			return nil, fmt.Errorf("dilations %v: onnx-go's MaxPool ignores them (Runtime %q reads them)", dilations, primeonnx.ONNXRuntime)
		}
		same := false
		if a, ok := n.Attr("auto_pad"); ok && (a.S == "SAME_UPPER" || a.S == "SAME_LOWER") {
			same = true
		}
		for i := range 2 {
			k, s, d, p := kernel[i], int64(1), int64(1), pad[i]
			if len(strides) == 2 {
				s = strides[i]
			}
			if len(dilations) == 2 {
				d = dilations[i]
			}
			if k < 1 || s < 1 || d < 1 || p < 0 || k > MaxValues || d > MaxValues || p > MaxValues {
				return nil, fmt.Errorf("kernel_shape %v, strides %v, dilations %v, pads %v: want positive kernel, strides and dilations, pads of 0 or more, none above %d",
					kernel, strides, dilations, pads, MaxValues)
			}
			if same {
				out[2+i] = (x[2+i] + s - 1) / s
				continue
			}
			span := x[2+i] + 2*p - (k-1)*d - 1
			if span < 0 {
				return nil, fmt.Errorf("kernel larger than its padded input")
			}
			out[2+i] = span/s + 1
		}
		return out, nil
	case "GlobalAveragePool":
		if len(x) != 4 {
			return nil, fmt.Errorf("input of rank %d, want 4", len(x))
		}
		return []int64{x[0], x[1], 1, 1}, nil
	case "Flatten":
		axis, ok := axisOf(attrInt("axis", 1), len(x)+1)
		if !ok {
			return nil, fmt.Errorf("axis out of range")
		}
		return []int64{product(x[:axis]), product(x[axis:])}, nil
	case "MatMul":
		if len(ins) != 2 || len(x) < 1 || len(ins[1]) < 1 {
			return nil, fmt.Errorf("want two inputs of rank 1 or more")
		}
		a, b := x, ins[1]
		if len(a) == 1 {
			a = []int64{1, a[0]}
		}
		if len(b) == 1 {
			b = []int64{b[0], 1}
		}
		out := broadcast(a[:len(a)-2], b[:len(b)-2])
		return append(slices.Clip(out), a[len(a)-2], b[len(b)-1]), nil
	case "Reshape":
		if len(n.Inputs) != 2 {
			return nil, fmt.Errorf("want two inputs")
		}
		shape, ok := ints[n.Inputs[1]]
		if !ok {
			return nil, fmt.Errorf("its shape %q is not an int64 initializer or constant", n.Inputs[1])
		}
		out := make([]int64, len(shape))
		known, infer := int64(1), -1
		for i, d := range shape {
			switch {
			case d == 0 && i < len(x):
				d = x[i]
			case d == -1 && infer < 0:
				infer = i
				continue
			case d < 1:
				return nil, fmt.Errorf("shape %v", shape)
			}
			if d > MaxValues || known*d > MaxValues {
				return nil, fmt.Errorf("shape %v: more than %d values", shape, MaxValues)
			}
			out[i], known = d, known*d
		}
		if infer >= 0 {
			out[infer] = product(x) / known
		}
		if product(out) != product(x) {
			return nil, fmt.Errorf("shape %v for %d values", shape, product(x))
		}
		return out, nil
	case "Transpose":
		perm := attrInts("perm")
		if perm == nil {
			perm = make([]int64, len(x))
			for i := range perm {
				perm[i] = int64(len(x) - 1 - i)
			}
		}
		if len(perm) != len(x) {
			return nil, fmt.Errorf("perm %v for rank %d", perm, len(x))
		}
		out := make([]int64, len(x))
		for i, p := range perm {
			if p < 0 || int(p) >= len(x) {
				return nil, fmt.Errorf("perm %v for rank %d", perm, len(x))
			}
			out[i] = x[p]
		}
		return out, nil
	case "Squeeze":
		axes := attrInts("axes")
		var out []int64
		for i, d := range x {
			if (axes == nil && d == 1) || slices.Contains(axes, int64(i)) || slices.Contains(axes, int64(i-len(x))) {
				continue
			}
			out = append(out, d)
		}
		return out, nil
	case "Unsqueeze":
		axes := attrInts("axes")
		if len(x)+len(axes) > 64 {
			return nil, fmt.Errorf("axes %v", axes)
		}
		return append(slices.Clone(x), slices.Repeat([]int64{1}, len(axes))...), nil
	}
	// The other operators onnx-go implements keep their first input's
	// shape.
	return x, nil
}

// broadcast returns the shape of a and b broadcast together, by the
// rules of numpy; dimensions that differ and are not 1 give the larger,
// a bound on what onnx-go would make of them.
func broadcast(a, b []int64) []int64 {
	if len(a) < len(b) {
		a, b = b, a
	}
	out := slices.Clone(a)
	off := len(a) - len(b)
	for i, d := range b {
		out[off+i] = max(out[off+i], d)
	}
	return out
}

// axisOf returns axis, negative from the end, as an index into rank
// dimensions.
func axisOf(axis int64, rank int) (int, bool) {
	if axis < 0 {
		axis += int64(rank)
	}
	return int(axis), axis >= 0 && axis < int64(rank)
}

// product is the number of values of a shape whose dimensions checkSizes
// has bounded.
func product(dims []int64) int64 {
	n := int64(1)
	for _, d := range dims {
		n *= d
	}
	return n
}
