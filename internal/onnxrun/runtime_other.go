//go:build !onnxruntime || !cgo

package onnxrun

import (
	"fmt"

	"github.com/failmodes/prime/internal/onnxfile"
	"github.com/failmodes/prime/onnx"
)

// ORTCompiled reports whether the ONNX Runtime backend is compiled in.
const ORTCompiled = false

// loadORT fails: this build has no ONNX Runtime backend.
func (m *Model) loadORT([]byte, *onnxfile.Model, inputShape, Options) ([]engine, error) {
	return nil, fmt.Errorf("%s: Runtime %q: this program was built without ONNX Runtime: build it with cgo and the tag onnxruntime (go build -tags onnxruntime), "+
		"and fetch the library with scripts/onnxruntime.sh", m.prefix, onnx.ONNXRuntime)
}
