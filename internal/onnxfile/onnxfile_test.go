package onnxfile

import (
	"math/rand/v2"
	"os"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"google.golang.org/protobuf/encoding/protowire"
)

func TestRoundTrip(t *testing.T) {
	cnn := NewCNN(rand.New(rand.NewPCG(1, 2)), CNNConfig{Channels: 3, Size: 8, Filters1: 2, Filters2: 3, Outputs: 4, Gemm: true, Alpha: 0.5, Head: "Sigmoid"})
	m := cnn.Model()
	data := m.Marshal()
	d, err := Decode(data)
	require.NoError(t, err)
	assert.Equal(t, int64(3), d.IRVersion)
	g := d.Graph
	require.Len(t, g.Nodes, len(m.Graph.Nodes))
	for i, n := range g.Nodes {
		want := m.Graph.Nodes[i]
		assert.Equal(t, want.Name, n.Name)
		assert.Equal(t, want.OpType, n.OpType)
		assert.Equal(t, want.Inputs, n.Inputs)
		assert.Equal(t, want.Outputs, n.Outputs)
		require.Len(t, n.Attrs, len(want.Attrs))
		for j, a := range n.Attrs {
			assert.Equal(t, want.Attrs[j].Name, a.Name)
			assert.Equal(t, want.Attrs[j].Type, a.Type)
			assert.Equal(t, want.Attrs[j].I, a.I)
			assert.Equal(t, want.Attrs[j].F, a.F)
			assert.Equal(t, want.Attrs[j].Ints, a.Ints)
		}
	}
	require.Len(t, g.Initializers, len(m.Graph.Initializers))
	for i, init := range g.Initializers {
		assert.Equal(t, m.Graph.Initializers[i].Name, init.Name)
		assert.Equal(t, m.Graph.Initializers[i].Dims, init.Dims)
		assert.Equal(t, Float, init.DataType)
	}
	assert.Equal(t, "input", g.Inputs[0].Name)
	assert.Equal(t, []int64{1, 3, 8, 8}, g.Inputs[0].Dims)
	assert.Equal(t, []int64{1, 4}, g.Outputs[0].Dims)

	// A decoded model re-encodes to a model that decodes the same, and a
	// second round trip is byte for byte stable.
	again := d.Marshal()
	d2, err := Decode(again)
	require.NoError(t, err)
	assert.Equal(t, again, d2.Marshal())
	assert.Equal(t, len(data), len(again))
}

func TestDecodeMNIST(t *testing.T) {
	data, err := os.ReadFile("../../testdata/mnist/model.onnx")
	require.NoError(t, err)
	m, err := Decode(data)
	require.NoError(t, err)
	var ops []string
	for _, n := range m.Graph.Nodes {
		ops = append(ops, n.OpType)
	}
	assert.Equal(t, []string{"Reshape", "Conv", "Add", "Relu", "MaxPool", "Conv", "Add", "Relu", "MaxPool", "Reshape", "MatMul", "Add"}, ops)
	assert.Equal(t, "Input3", m.Graph.Inputs[0].Name)
	assert.Equal(t, []int64{1, 1, 28, 28}, m.Graph.Inputs[0].Dims)
	assert.Equal(t, []int64{1, 10}, m.Graph.Outputs[0].Dims)
	conv, ok := m.Graph.Nodes[1].Attr("auto_pad")
	require.True(t, ok)
	assert.Equal(t, "SAME_UPPER", conv.S)
}

func TestDecodeErrors(t *testing.T) {
	for _, data := range [][]byte{nil, []byte("hello, world"), {0x3a, 0xff, 0xff, 0xff, 0x0f}, {0x08}} {
		_, err := Decode(data)
		require.ErrorIs(t, err, ErrFormat, "%q", data)
	}
}

func TestMobileNetSize(t *testing.T) {
	m, macs := MobileNet(rand.New(rand.NewPCG(1, 1)), 0.75, 224, 1000)
	assert.InDelta(t, 325e6, float64(macs), 10e6, "MobileNet v1 0.75 at 224: 325 million multiply-adds (Howard et al., Table 6)")
	d, err := Decode(m.Marshal())
	require.NoError(t, err)
	assert.Equal(t, []int64{-1, 3, 224, 224}, d.Graph.Inputs[0].Dims)
}

// TestTensorLen: a decoded tensor counts the values of its data, raw
// (MNIST's initializers) or typed (ours), as its dims say.
func TestTensorLen(t *testing.T) {
	mnist, err := os.ReadFile("../../testdata/mnist/model.onnx")
	require.NoError(t, err)
	cnn := NewCNN(rand.New(rand.NewPCG(1, 2)), CNNConfig{Channels: 1, Size: 4, Filters1: 2, Filters2: 3, Outputs: 4})
	m := cnn.Model()
	m.Graph.Initializers = append(m.Graph.Initializers, Int64Tensor("shape", []int64{1, -1}, 2))
	for name, data := range map[string][]byte{"mnist": mnist, "cnn": m.Marshal()} {
		d, err := Decode(data)
		require.NoError(t, err, name)
		require.NotEmpty(t, d.Graph.Initializers, name)
		for _, init := range d.Graph.Initializers {
			want := int64(1)
			for _, n := range init.Dims {
				want *= n
			}
			n, ok := init.Len()
			require.True(t, ok, "%s: %s", name, init.Name)
			assert.Equal(t, want, n, "%s: %s", name, init.Name)
			if init.DataType == Int64 {
				vs, ok := init.Int64Values()
				require.True(t, ok, "%s: %s", name, init.Name)
				assert.Len(t, vs, int(want), "%s: %s", name, init.Name)
			}
		}
	}
}

func TestDecodeRefusesNegativeDims(t *testing.T) {
	m := NewCNN(rand.New(rand.NewPCG(1, 2)), CNNConfig{Channels: 1, Size: 4, Filters1: 2, Filters2: 3, Outputs: 4}).Model()
	m.Graph.Initializers[0].Dims[0] = -2
	_, err := Decode(m.Marshal())
	require.ErrorIs(t, err, ErrFormat)
	require.ErrorContains(t, err, `tensor "w1" has a negative dimension`)
}

// TestValueInfoAndTensorAttr: the shapes of inner values and the tensors
// of attributes (a Constant's value) survive a round trip.
func TestValueInfoAndTensorAttr(t *testing.T) {
	m := NewCNN(rand.New(rand.NewPCG(1, 2)), CNNConfig{Channels: 1, Size: 4, Filters1: 2, Filters2: 3, Outputs: 4}).Model()
	m.Graph.ValueInfo = []ValueInfo{FloatValue("c1", 1, 2, 4, 4)}
	k := FloatTensor("k", []float32{1, 2, 3}, 3)
	m.Graph.Nodes = append(m.Graph.Nodes, Node{Name: "const", OpType: "Constant", Outputs: []string{"k"},
		Attrs: []Attr{{Name: "value", Type: AttrTensor, T: &k}}})
	d, err := Decode(m.Marshal())
	require.NoError(t, err)
	require.Len(t, d.Graph.ValueInfo, 1)
	assert.Equal(t, "c1", d.Graph.ValueInfo[0].Name)
	assert.Equal(t, []int64{1, 2, 4, 4}, d.Graph.ValueInfo[0].Dims)
	a, ok := d.Graph.Nodes[len(d.Graph.Nodes)-1].Attr("value")
	require.True(t, ok)
	require.NotNil(t, a.T)
	assert.Equal(t, []int64{3}, a.T.Dims)
	n, ok := a.T.Len()
	require.True(t, ok)
	assert.Equal(t, int64(3), n)
}

func TestInt64Values(t *testing.T) {
	m := NewCNN(rand.New(rand.NewPCG(1, 2)), CNNConfig{Channels: 1, Size: 4, Filters1: 2, Filters2: 3, Outputs: 4}).Model()
	m.Graph.Initializers = append(m.Graph.Initializers, Int64Tensor("shape", []int64{1, -1, 7}, 3))
	d, err := Decode(m.Marshal())
	require.NoError(t, err)
	last := d.Graph.Initializers[len(d.Graph.Initializers)-1]
	vs, ok := last.Int64Values()
	require.True(t, ok)
	assert.Equal(t, []int64{1, -1, 7}, vs)
	_, ok = d.Graph.Initializers[0].Int64Values()
	assert.False(t, ok, "a float tensor has no int64 values")

	rawTensor := func(raw []byte) []byte {
		b := protowire.AppendVarint(protowire.AppendTag(nil, 2, protowire.VarintType), Int64)
		return protowire.AppendBytes(protowire.AppendTag(b, 9, protowire.BytesType), raw)
	}
	raw, err := decodeTensor(rawTensor([]byte{1, 0, 0, 0, 0, 0, 0, 0, 0xfe, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff}))
	require.NoError(t, err)
	vs, ok = raw.Int64Values()
	require.True(t, ok)
	assert.Equal(t, []int64{1, -2}, vs, "raw_data, little-endian")
	raw, err = decodeTensor(rawTensor(make([]byte, 12)))
	require.NoError(t, err)
	_, ok = raw.Int64Values()
	assert.False(t, ok, "raw_data of 12 bytes")
}

// TestTensorLenWireForms: Len counts every typed data field, packed or
// not, and raw_data by the element size; it gives up on external data and
// on raw_data of a type of unknown or mismatched size.
func TestTensorLenWireForms(t *testing.T) {
	varint := func(b []byte, num protowire.Number, v uint64) []byte {
		return protowire.AppendVarint(protowire.AppendTag(b, num, protowire.VarintType), v)
	}
	fixed64 := func(b []byte, num protowire.Number, v uint64) []byte {
		return protowire.AppendFixed64(protowire.AppendTag(b, num, protowire.Fixed64Type), v)
	}
	bytesField := func(b []byte, num protowire.Number, v []byte) []byte {
		return protowire.AppendBytes(protowire.AppendTag(b, num, protowire.BytesType), v)
	}
	typed := func(dataType uint64, data ...byte) []byte { return append(varint(nil, 2, dataType), data...) }
	for _, tc := range []struct {
		name string
		data []byte
		want int64
		ok   bool
	}{
		{"packed floats", typed(1, bytesField(nil, 4, make([]byte, 12))...), 3, true},
		{"packed int64s", typed(7, bytesField(nil, 7, []byte{1, 0x80, 0x01, 3})...), 3, true},
		{"unpacked int32s", typed(6, varint(varint(nil, 5, 1), 5, 2)...), 2, true},
		{"unpacked doubles", typed(11, fixed64(fixed64(nil, 10, 1), 10, 2)...), 2, true},
		{"packed uint64s", typed(13, bytesField(nil, 11, []byte{1, 2})...), 2, true},
		{"strings", typed(8, bytesField(bytesField(nil, 6, []byte("a")), 6, nil)...), 2, true},
		{"raw floats", typed(1, bytesField(nil, 9, make([]byte, 8))...), 2, true},
		{"raw int64s", typed(7, bytesField(nil, 9, make([]byte, 24))...), 3, true},
		{"raw empty", typed(1, bytesField(nil, 9, nil)...), 0, true},
		{"raw of part values", typed(1, bytesField(nil, 9, make([]byte, 6))...), 0, false},
		{"raw strings", typed(8, bytesField(nil, 9, make([]byte, 8))...), 0, false},
		{"external", typed(1, varint(bytesField(nil, 9, make([]byte, 8)), 14, 1)...), 0, false},
		{"no data", typed(1), 0, true},
	} {
		t.Run(tc.name, func(t *testing.T) {
			tensor, err := decodeTensor(tc.data)
			require.NoError(t, err)
			n, ok := tensor.Len()
			assert.Equal(t, tc.ok, ok)
			assert.Equal(t, tc.want, n)
		})
	}
}

// TestRepeatedValues: a repeated number's values, packed or not, and the
// whole values before malformed packed data.
func TestRepeatedValues(t *testing.T) {
	for _, tc := range []struct {
		name   string
		typ    protowire.Type
		v      []byte
		x      uint64
		single protowire.Type
		want   []uint64
		err    bool
	}{
		{"one varint", protowire.VarintType, nil, 7, protowire.VarintType, []uint64{7}, false},
		{"packed varints", protowire.BytesType, []byte{1, 0x80, 0x01, 3}, 0, protowire.VarintType, []uint64{1, 128, 3}, false},
		{"truncated varint", protowire.BytesType, []byte{1, 0x80}, 0, protowire.VarintType, []uint64{1}, true},
		{"one fixed32", protowire.Fixed32Type, nil, 9, protowire.Fixed32Type, []uint64{9}, false},
		{"packed fixed32", protowire.BytesType, []byte{1, 0, 0, 0, 2, 0, 0, 0}, 0, protowire.Fixed32Type, []uint64{1, 2}, false},
		{"fixed32 part", protowire.BytesType, []byte{1, 0, 0, 0, 2}, 0, protowire.Fixed32Type, []uint64{1}, true},
		{"packed fixed64", protowire.BytesType, []byte{5, 0, 0, 0, 0, 0, 0, 0}, 0, protowire.Fixed64Type, []uint64{5}, false},
		{"wrong wire type", protowire.Fixed64Type, nil, 1, protowire.VarintType, nil, true},
	} {
		t.Run(tc.name, func(t *testing.T) {
			var got []uint64
			err := values(tc.typ, tc.v, tc.x, tc.single, func(x uint64) { got = append(got, x) })
			assert.Equal(t, tc.want, got)
			if tc.err {
				assert.ErrorIs(t, err, ErrFormat)
			} else {
				assert.NoError(t, err)
			}
		})
	}
}

func TestFloatsAttrRoundTrip(t *testing.T) {
	m := NewNet(1, 2).Model("input", 1, 2)
	m.Graph.Nodes = []Node{{Name: "n", OpType: "Op", Attrs: []Attr{{Name: "fs", Type: AttrFloats, Floats: []float32{0.5, -2}}}}}
	d, err := Decode(m.Marshal())
	require.NoError(t, err)
	a, ok := d.Graph.Nodes[0].Attr("fs")
	require.True(t, ok)
	assert.Equal(t, []float32{0.5, -2}, a.Floats)
}
