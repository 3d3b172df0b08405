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

// Output says what a model's output holds, one value per tag or class.
type Output int

const (
	// Logits: unbounded scores, the default; the tagger applies the
	// sigmoid to get probabilities (RAM exports its logits), the
	// classifier the softmax.
	Logits Output = iota
	// Probabilities: the model ends in a sigmoid (a tagger) or a softmax
	// (a classifier); its scores are reported as they are.
	Probabilities
	// Thresholded: a tagger's model outputs 1 for a tag it sees and 0
	// otherwise; thresholds are not used, and every tag scores 1. Not for
	// a classifier.
	Thresholded
)
