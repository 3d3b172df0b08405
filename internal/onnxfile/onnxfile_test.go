package onnxfile

import (
	"math/rand/v2"
	"os"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
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
