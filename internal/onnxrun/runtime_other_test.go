//go:build !onnxruntime || !cgo

package onnxrun

import (
	"math/rand/v2"
	"testing"

	"github.com/failmodes/prime/internal/onnxfile"
	"github.com/failmodes/prime/onnx"
	"github.com/stretchr/testify/require"
)

// TestWithoutONNXRuntime: a build without the tag onnxruntime says how to
// get ONNX Runtime.
func TestWithoutONNXRuntime(t *testing.T) {
	cnn := onnxfile.NewCNN(rand.New(rand.NewPCG(1, 1)), onnxfile.CNNConfig{Channels: 1, Size: 4, Filters1: 2, Filters2: 2, Outputs: 3})
	_, err := LoadBytes(cnn.Model().Marshal(), "cnn.onnx", "test", Options{Engine: onnx.Engine{Runtime: onnx.ONNXRuntime}})
	require.EqualError(t, err, `test: Runtime "onnxruntime": this program was built without ONNX Runtime: build it with cgo and the tag onnxruntime (go build -tags onnxruntime), and fetch the library with scripts/onnxruntime.sh`)
}
