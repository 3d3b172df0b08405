// Package onnxfile reads and writes ONNX model files at the protobuf level,
// with google.golang.org/protobuf/encoding/protowire and no generated code.
//
// It models the part of ONNX that small convolutional networks need: a
// graph with inputs and outputs of known shape, float and int64
// initializers, and nodes with attributes. Decode keeps the original bytes
// of every message it reads, so that a decoded model re-encodes to the same
// messages except where the caller changed them; this is how the ONNX
// plug-ins rewrite operators before handing a model to onnx-go.
//
// The field numbers are those of onnx/onnx.proto.
package onnxfile

import (
	"errors"
	"fmt"
	"io"
	"math"

	"github.com/failmodes/prime/internal/outfile"
	"google.golang.org/protobuf/encoding/protowire"
)

// Element types of TensorProto.DataType used here.
const (
	Float = 1 // TensorProto.FLOAT
	Int64 = 7 // TensorProto.INT64
)

// Attribute types of AttributeProto.AttributeType used here.
const (
	AttrFloat  = 1
	AttrInt    = 2
	AttrString = 3
	AttrTensor = 4
	AttrFloats = 6
	AttrInts   = 7
)

// A Model is an ONNX ModelProto.
type Model struct {
	IRVersion    int64  // 0 means 3
	OpsetVersion int64  // version of the default ("") domain; 0 means 9
	ProducerName string // optional
	Graph        Graph

	extra []byte // fields of a decoded model not modelled here, re-encoded as they were
}

// A Graph is an ONNX GraphProto.
type Graph struct {
	Name         string
	Nodes        []Node
	Initializers []Tensor
	Inputs       []ValueInfo // the model's inputs; Inputs[0] is the data input
	Outputs      []ValueInfo
	ValueInfo    []ValueInfo // shapes of values inside the graph, when the file gives them

	extra []byte
}

// A Node is an ONNX NodeProto.
type Node struct {
	Name    string
	OpType  string
	Domain  string
	Inputs  []string
	Outputs []string
	Attrs   []Attr

	raw []byte // the node as decoded; nil once changed or when built here
}

// An Attr is an ONNX AttributeProto of type float, int, string, tensor,
// floats or ints.
type Attr struct {
	Name   string
	Type   int // AttrFloat, AttrInt, ...
	F      float32
	I      int64
	S      string
	T      *Tensor
	Floats []float32
	Ints   []int64
}

// A Tensor is an ONNX TensorProto holding float32 or int64 values.
type Tensor struct {
	Name     string
	Dims     []int64
	DataType int // Float or Int64
	Floats   []float32
	Int64s   []int64

	raw []byte
}

// elemSize is the size in bytes of one value of each TensorProto.DataType
// whose values have a fixed size.
var elemSize = map[int]int{
	1: 4, 2: 1, 3: 1, 4: 2, 5: 2, 6: 4, 7: 8, 9: 1, 10: 2, 11: 8, 12: 4, 13: 8, 16: 2,
}

// Len returns the number of values the tensor's data holds: those of
// its typed data field, or the length of its raw_data over the size of
// one value. ok is false when that size is not known here (strings,
// complex numbers) or when the data is stored outside the file.
func (t *Tensor) Len() (n int64, ok bool) {
	switch {
	case t.raw == nil && t.DataType == Int64:
		return int64(len(t.Int64s)), true
	case t.raw == nil:
		return int64(len(t.Floats)), true
	}
	rawLen, external := -1, false
	count := func(uint64) { n++ }
	_ = fields(t.raw, func(num protowire.Number, typ protowire.Type, v []byte, x uint64, _ []byte) error {
		switch {
		case num == 9 && typ == protowire.BytesType:
			rawLen = len(v)
		case num == 14 && typ == protowire.VarintType:
			external = x == 1 // TensorProto.EXTERNAL
		case num == 4 && typ == protowire.BytesType: // packed float_data, counted without a pass
			n += int64(len(v) / 4)
		case num == 4:
			_ = values(typ, v, x, protowire.Fixed32Type, count)
		case num == 10 && typ == protowire.BytesType: // packed double_data
			n += int64(len(v) / 8)
		case num == 10:
			_ = values(typ, v, x, protowire.Fixed64Type, count)
		case num == 5 || num == 7 || num == 11: // int32_data, int64_data, uint64_data
			_ = values(typ, v, x, protowire.VarintType, count)
		case num == 6: // string_data, one string a field
			n++
		}
		return nil
	}) // Decode parsed t.raw without error; malformed values count as far as they go
	size, known := elemSize[t.DataType]
	switch {
	case external:
		return 0, false
	case rawLen < 0:
		return n, true
	case !known || rawLen%size != 0:
		return 0, false
	}
	return int64(rawLen / size), true
}

// A ValueInfo is an ONNX ValueInfoProto of a tensor type. A dimension
// given by name (a symbolic batch size) is -1 in Dims.
type ValueInfo struct {
	Name     string
	ElemType int
	Dims     []int64

	raw []byte
}

// IntAttr returns an int attribute.
func IntAttr(name string, v int64) Attr { return Attr{Name: name, Type: AttrInt, I: v} }

// FloatAttr returns a float attribute.
func FloatAttr(name string, v float32) Attr { return Attr{Name: name, Type: AttrFloat, F: v} }

// IntsAttr returns an ints attribute.
func IntsAttr(name string, v ...int64) Attr { return Attr{Name: name, Type: AttrInts, Ints: v} }

// StringAttr returns a string attribute.
func StringAttr(name, v string) Attr { return Attr{Name: name, Type: AttrString, S: v} }

// FloatTensor returns a float initializer with the given dimensions.
func FloatTensor(name string, data []float32, dims ...int64) Tensor {
	return Tensor{Name: name, Dims: dims, DataType: Float, Floats: data}
}

// Int64Tensor returns an int64 initializer with the given dimensions.
func Int64Tensor(name string, data []int64, dims ...int64) Tensor {
	return Tensor{Name: name, Dims: dims, DataType: Int64, Int64s: data}
}

// FloatValue returns the ValueInfo of a float tensor of the given shape.
func FloatValue(name string, dims ...int64) ValueInfo {
	return ValueInfo{Name: name, ElemType: Float, Dims: dims}
}

// Attr returns the attribute called name and whether the node has it.
func (n *Node) Attr(name string) (Attr, bool) {
	for _, a := range n.Attrs {
		if a.Name == name {
			return a, true
		}
	}
	return Attr{}, false
}

// Marshal encodes the model in the ONNX protobuf wire format.
func (m *Model) Marshal() []byte {
	ir := m.IRVersion
	if ir == 0 {
		ir = 3
	}
	b := appendVarint(nil, 1, uint64(ir))
	if m.ProducerName != "" {
		b = appendString(b, 2, m.ProducerName)
	}
	b = appendMessage(b, 7, m.Graph.marshal())
	if m.extra == nil {
		opset := m.OpsetVersion
		if opset == 0 {
			opset = 9
		}
		o := appendString(nil, 1, "")
		b = appendMessage(b, 8, appendVarint(o, 2, uint64(opset)))
	}
	return append(b, m.extra...)
}

// WriteFile writes the encoded model to path, whole or not at all (see
// internal/outfile).
func (m *Model) WriteFile(path string) error {
	data := m.Marshal()
	if err := outfile.WriteFile(path, func(w io.Writer) error { _, err := w.Write(data); return err }); err != nil {
		return fmt.Errorf("onnxfile: %w", err)
	}
	return nil
}

func (g *Graph) marshal() []byte {
	var b []byte
	for i := range g.Nodes {
		b = appendMessage(b, 1, g.Nodes[i].marshal())
	}
	if g.Name != "" {
		b = appendString(b, 2, g.Name)
	}
	for i := range g.Initializers {
		b = appendMessage(b, 5, g.Initializers[i].marshal())
	}
	for i := range g.Inputs {
		b = appendMessage(b, 11, g.Inputs[i].marshal())
	}
	for i := range g.Outputs {
		b = appendMessage(b, 12, g.Outputs[i].marshal())
	}
	for i := range g.ValueInfo {
		b = appendMessage(b, 13, g.ValueInfo[i].marshal())
	}
	return append(b, g.extra...)
}

func (n *Node) marshal() []byte {
	if n.raw != nil {
		return n.raw
	}
	var b []byte
	for _, s := range n.Inputs {
		b = appendString(b, 1, s)
	}
	for _, s := range n.Outputs {
		b = appendString(b, 2, s)
	}
	if n.Name != "" {
		b = appendString(b, 3, n.Name)
	}
	b = appendString(b, 4, n.OpType)
	for i := range n.Attrs {
		b = appendMessage(b, 5, n.Attrs[i].marshal())
	}
	if n.Domain != "" {
		b = appendString(b, 7, n.Domain)
	}
	return b
}

func (a *Attr) marshal() []byte {
	b := appendString(nil, 1, a.Name)
	switch a.Type {
	case AttrFloat:
		b = protowire.AppendTag(b, 2, protowire.Fixed32Type)
		b = protowire.AppendFixed32(b, math.Float32bits(a.F))
	case AttrInt:
		b = appendVarint(b, 3, uint64(a.I))
	case AttrString:
		b = appendString(b, 4, a.S)
	case AttrTensor:
		if a.T != nil {
			b = appendMessage(b, 5, a.T.marshal())
		}
	case AttrFloats:
		b = appendFloats(b, 7, a.Floats)
	case AttrInts:
		b = appendInts(b, 8, a.Ints)
	}
	return appendVarint(b, 20, uint64(a.Type))
}

func (t *Tensor) marshal() []byte {
	if t.raw != nil {
		return t.raw
	}
	var b []byte
	if len(t.Dims) > 0 {
		b = appendInts(b, 1, t.Dims)
	}
	b = appendVarint(b, 2, uint64(t.DataType))
	switch t.DataType {
	case Float:
		b = appendFloats(b, 4, t.Floats)
	case Int64:
		b = appendInts(b, 7, t.Int64s)
	}
	return appendString(b, 8, t.Name)
}

func (v *ValueInfo) marshal() []byte {
	if v.raw != nil {
		return v.raw
	}
	var shape []byte
	for _, d := range v.Dims {
		var dim []byte
		if d < 0 {
			dim = appendString(dim, 2, "N")
		} else {
			dim = appendVarint(dim, 1, uint64(d))
		}
		shape = appendMessage(shape, 1, dim)
	}
	tt := appendVarint(nil, 1, uint64(v.ElemType))
	tt = appendMessage(tt, 2, shape)
	typ := appendMessage(nil, 1, tt)
	b := appendString(nil, 1, v.Name)
	return appendMessage(b, 2, typ)
}

func appendVarint(b []byte, num protowire.Number, v uint64) []byte {
	b = protowire.AppendTag(b, num, protowire.VarintType)
	return protowire.AppendVarint(b, v)
}

func appendString(b []byte, num protowire.Number, s string) []byte {
	b = protowire.AppendTag(b, num, protowire.BytesType)
	return protowire.AppendString(b, s)
}

func appendMessage(b []byte, num protowire.Number, m []byte) []byte {
	b = protowire.AppendTag(b, num, protowire.BytesType)
	return protowire.AppendBytes(b, m)
}

// appendInts appends a packed repeated int64 field.
func appendInts(b []byte, num protowire.Number, vs []int64) []byte {
	var p []byte
	for _, v := range vs {
		p = protowire.AppendVarint(p, uint64(v))
	}
	return appendMessage(b, num, p)
}

// appendFloats appends a packed repeated float field.
func appendFloats(b []byte, num protowire.Number, fs []float32) []byte {
	p := make([]byte, 0, 4*len(fs))
	for _, f := range fs {
		p = protowire.AppendFixed32(p, math.Float32bits(f))
	}
	return appendMessage(b, num, p)
}

// ErrFormat is returned (wrapped) by Decode for data that is not a valid
// ONNX protobuf.
var ErrFormat = errors.New("onnxfile: not a valid ONNX model")
