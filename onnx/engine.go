package onnx

// The runtimes and devices of an Engine.
const (
	OnnxGo      = "onnx-go"     // onnx-go, pure Go: the default
	ONNXRuntime = "onnxruntime" // ONNX Runtime, with the build tag onnxruntime
	CPU         = "cpu"         // the default
	CUDA        = "cuda"        // an NVIDIA GPU, on ONNX Runtime
)

// An Engine says how a model runs. The zero value runs it on onnx-go, on
// the CPU, with one worker per CPU.
type Engine struct {
	// Runtime is OnnxGo (or "") or ONNXRuntime.
	Runtime string
	// Library is ONNX Runtime's shared library; "" means
	// $ONNXRUNTIME_LIB, then the file scripts/onnxruntime.sh fetches.
	// Only with Runtime ONNXRuntime.
	Library string
	// Device is CPU (or "") or CUDA (with Runtime ONNXRuntime).
	Device string
	// Workers bounds the images run at once, 0 to 1024; 0 means
	// runtime.GOMAXPROCS(0). On onnx-go each worker holds a copy of the
	// model's weights and activations.
	Workers int
	// Threads is ONNX Runtime's intra-op threads for each call, 0 to
	// 1024; 0 means 1, so that the Workers calls each run on a core of
	// their own (faster than fewer calls on more threads each).
	Threads int
}
