// Package onnx says how the ONNX plug-ins, tagger.ONNX and
// classifier.ONNX, run a model: Engine, which both options embed, names
// the runtime, the device, and how many calls run at once on how many
// threads; Output says what a model outputs (logits, probabilities, 0/1
// values). One Engine serves both models of a run:
//
//	eng := onnx.Engine{Runtime: onnx.ONNXRuntime, Device: onnx.CUDA}
//	tg, err := tagger.NewONNX("ram.onnx", &tagger.ONNXOptions{VocabularyFile: "ram_tag_list.txt", Engine: eng})
//	...
//	cl, err := classifier.NewONNX("resnet50.onnx", &classifier.ONNXOptions{LabelsFile: "labels.txt", Engine: eng})
//
// # Runtimes
//
// Engine.Runtime chooses what runs the model:
//
//   - "onnx-go" (the default) runs it in pure Go on
//     github.com/owulveryck/onnx-go, in every build (CGO_ENABLED=0 too).
//     onnx-go implements a subset of ONNX: the plug-ins refuse a model that uses
//     an operator outside it (LayerNormalization, Erf, Resize, Clip,
//     AveragePool, a Conv with groups...), naming the operator and the
//     node, and rewrites Gemm nodes into MatMul and Add, because onnx-go's
//     Gemm overwrites its bias at batch size 1. Its graphs are not safe
//     for concurrent use, so each of Engine.Workers holds a copy of
//     the model, built one at a time (onnx-go names graph nodes from an
//     unsynchronised package-level counter).
//   - "onnxruntime" runs it on ONNX Runtime (every operator, release
//     1.24 or later) through github.com/yalue/onnxruntime_go, which needs
//     cgo and is compiled in with the build tag onnxruntime
//     (go build -tags onnxruntime); other builds return an error that says
//     so. The shared library is Engine.Library, else $ONNXRUNTIME_LIB,
//     else the file scripts/onnxruntime.sh fetches from the npm package
//     onnxruntime-node into ~/.cache/prime; a missing library is an error
//     that says how to get it. A process loads one library. The workers
//     share one session (the weights are held once), each call running on
//     Engine.Threads intra-op threads (1 by default).
//
// On the CPU, ONNX Runtime runs one image a call on each worker: with
// MobileNet v1 0.75 (BenchmarkWorkersThreads in package classifier, median
// of 5, on a shared 2-core machine), an image costs 8.1 CPU ms one at a
// time on two workers, 9.7 in batches of 8, 11.9 in batches of 16 on one
// worker, and 16 on one worker of two threads, whose threads wait for
// each other. Measured against onnx-go (median of 5 on 2 otherwise idle
// cores, ONNX Runtime 1.24.3, with go test -tags onnxruntime -run - and
// the -bench and -benchtime given):
//
//   - the 224x224 test CNN, one worker, one image a call: 25.8x the images
//     per second of onnx-go (790 against 31), 28x less CPU time an image
//     (1.27 ms against 36.3; -bench Runtimes -benchtime 3x ./classifier);
//   - MobileNet v1 0.75 at 224x224, 0.33 G multiply-adds, which onnx-go
//     cannot run: 8.3 CPU ms an image, 233 images/s on two workers
//     (-bench MobileNet -benchtime 3x ./classifier);
//   - prime run over the 10,000 MNIST test images, end to end (PNG files
//     decoded, the zoo's MNIST model, the records written): 13,400 images/s
//     against onnx-go's 1,650 in the same runs, 0.107 CPU ms an image
//     against 0.845 (-bench RunMNIST -benchtime 1x ./prime).
//
// # The GPU
//
// Engine.Device "cuda" runs the model on ONNX Runtime's CUDA
// execution provider, GPU 0. It needs a GPU build of ONNX Runtime (the
// onnxruntime-gpu release, with libonnxruntime_providers_cuda.so beside
// libonnxruntime.so, CUDA 12 and cuDNN 9) and an NVIDIA GPU; the npm
// package's library has no CUDA provider, and loading a model then fails with an
// error that says so. On the GPU, a batch (prime.RunOptions.BatchSize,
// prime run -batch) is one call when the model's batch dimension is
// symbolic (exported with a dynamic batch axis).
//
// What to expect from one GPU, for a ResNet-50 classifier and a tagger of
// RAM's size, from published figures:
//
//   - ResNet-50 (4.1 GFLOPs an image) on ONNX Runtime serves 888 images/s
//     on a T4 and 1,338 on a V100 at batch 8, 1,130 and 2,045 at batch 32
//     (NVIDIA DeepLearningExamples,
//     PyTorch/Classification/ConvNets/triton/resnet50/README.md, offline
//     scenario, ONNX Runtime with its TensorRT accelerator in FP16). The
//     CUDA provider in FP32, which Device "cuda" uses, is slower than
//     TensorRT in FP16 (ONNX Runtime's documentation, "Choosing the
//     execution provider": "TensorRT will generally provide better
//     performance"), so take these as upper bounds.
//   - RAM's image encoder is a Swin-L at 384x384: 103.9 GFLOPs an image,
//     25 times ResNet-50's, and 42 images/s on one V100
//     (github.com/microsoft/Swin-Transformer, README, model zoo,
//     throughput measured in PyTorch). Scaled by FLOPs from the ResNet-50
//     figures above, ONNX Runtime would give at most about 50 to 80
//     images/s.
//
// The tagger bounds such a run: about 40 to 80 images/s on a V100-class
// GPU, 50,000 validation images in 10 to 20 minutes, the classifier adding
// a few per cent. prime's own part of an image is on the CPU: decoding
// (2.1 ms for a 500x375 JPEG), preprocessing for both models (2.1 ms for
// the imagenet preset, 3.9 ms for ram; preprocess's BenchmarkFill, CPU
// time), records and mining: about 8 ms of CPU an image, which two cores
// keep up with at about 250 images/s and more cores in proportion
// (prime.RunOptions.Workers), so the GPU, not prime, sets the pace.
package onnx
