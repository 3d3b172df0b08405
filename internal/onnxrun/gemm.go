package onnxrun

import (
	"fmt"

	"github.com/failmodes/prime/internal/onnxfile"
)

// RewriteGemm replaces every Gemm node of the model by operators that
// onnx-go computes correctly on every run:
//
//	Y = alpha * A' * B' + beta * C
//
// becomes Transpose (for transA, transB), MatMul, Mul by a constant (when
// alpha/beta != 1), Add and Mul by beta (when beta != 1 and != 0).
//
// Why: onnx-go v0.5.0's Gemm (backend/x/gorgonnx/gemm.go) computes into the
// backing array of its input C when C already has M*N values, which is the
// case at batch 1 (C of N values, M = 1). C is the bias initializer, so the
// first run overwrites the bias with its result and every later run starts
// from a wrong bias. MatMul and Add allocate their outputs and leave their
// inputs alone. Rewriting the protobuf at load time keeps onnx-go
// unmodified and the model file untouched.
func RewriteGemm(m *onnxfile.Model) error {
	g := &m.Graph
	names := make(map[string]bool)
	for _, n := range g.Nodes {
		for _, s := range n.Outputs {
			names[s] = true
		}
		names[n.Name] = true
	}
	for _, t := range g.Initializers {
		names[t.Name] = true
	}
	for _, v := range g.Inputs {
		names[v.Name] = true
	}
	fresh := func(base string) string {
		for i := 0; ; i++ {
			s := fmt.Sprintf("%s__gemm%d", base, i)
			if !names[s] {
				names[s] = true
				return s
			}
		}
	}
	var nodes []onnxfile.Node
	for _, n := range g.Nodes {
		if n.OpType != "Gemm" {
			nodes = append(nodes, n)
			continue
		}
		if len(n.Inputs) < 2 || len(n.Inputs) > 3 || len(n.Outputs) != 1 {
			return fmt.Errorf("Gemm node %q has %d inputs and %d outputs", n.Name, len(n.Inputs), len(n.Outputs))
		}
		alpha, beta := float32(1), float32(1)
		var transA, transB bool
		for _, a := range n.Attrs {
			switch a.Name {
			case "alpha":
				alpha = a.F
			case "beta":
				beta = a.F
			case "transA":
				transA = a.I != 0
			case "transB":
				transB = a.I != 0
			default:
				return fmt.Errorf("Gemm node %q: attribute %q not supported", n.Name, a.Name)
			}
		}
		hasC := len(n.Inputs) == 3 && n.Inputs[2] != "" && beta != 0
		// node appends a node of op and returns its output, named afresh
		// like the node; scalar adds a 1x1 constant, which onnx-go
		// broadcasts.
		node := func(op string, ins []string, attrs ...onnxfile.Attr) string {
			out := fresh(n.Name + "_" + op)
			nodes = append(nodes, onnxfile.Node{Name: out, OpType: op, Inputs: ins, Outputs: []string{out}, Attrs: attrs})
			return out
		}
		scalar := func(v float32) string {
			k := fresh(n.Name + "_k")
			g.Initializers = append(g.Initializers, onnxfile.FloatTensor(k, []float32{v}, 1, 1))
			return k
		}
		a, b := n.Inputs[0], n.Inputs[1]
		if transA {
			a = node("Transpose", []string{a}, onnxfile.IntsAttr("perm", 1, 0))
		}
		if transB {
			b = node("Transpose", []string{b}, onnxfile.IntsAttr("perm", 1, 0))
		}
		y := node("MatMul", []string{a, b})
		nodes[len(nodes)-1].Name = n.Name // errors about it name the Gemm
		// With C: Y = beta * ((alpha/beta) * A'B' + C).
		scale := alpha
		if hasC {
			scale = alpha / beta
		}
		if scale != 1 {
			y = node("Mul", []string{y, scalar(scale)})
		}
		if hasC {
			y = node("Add", []string{y, n.Inputs[2]})
			if beta != 1 {
				node("Mul", []string{y, scalar(beta)})
			}
		}
		// The last node writes the Gemm's output.
		nodes[len(nodes)-1].Outputs = []string{n.Outputs[0]}
	}
	g.Nodes = nodes
	return nil
}
