// Package onnxtest holds what the tests of the ONNX plug-ins share: seeded
// test models written to files, random images, and the runtimes to run
// them on. Only tests import it.
package onnxtest

import (
	"context"
	"image"
	"math/rand/v2"
	"path/filepath"
	"runtime"
	"slices"
	"testing"

	"github.com/failmodes/prime/internal/onnxfile"
	"github.com/failmodes/prime/internal/onnxrun"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// WriteCNN writes a small CNN with weights drawn from seed to a file in a
// temporary folder and returns its path and the network.
func WriteCNN(t testing.TB, seed uint64, cfg onnxfile.CNNConfig) (string, *onnxfile.CNN) {
	t.Helper()
	cnn := onnxfile.NewCNN(rand.New(rand.NewPCG(seed, 1)), cfg)
	path := filepath.Join(t.TempDir(), "cnn.onnx")
	require.NoError(t, cnn.Model().WriteFile(path))
	return path, cnn
}

// RandomImage returns a w x h opaque RGBA image of random pixels with
// bounds starting at (x0, y0).
func RandomImage(rng *rand.Rand, x0, y0, w, h int) *image.RGBA {
	img := image.NewRGBA(image.Rect(x0, y0, x0+w, y0+h))
	for i := range img.Pix {
		img.Pix[i] = uint8(rng.IntN(256))
		if i%4 == 3 {
			img.Pix[i] = 255
		}
	}
	return img
}

// Runtimes returns the runtimes of the build (onnxrun.Runtimes), and
// fails the test when ONNX Runtime is compiled in but its library cannot
// be found.
func Runtimes(t testing.TB) []string {
	t.Helper()
	if onnxrun.ORTCompiled {
		_, err := onnxrun.LibraryPath("")
		require.NoError(t, err, "built with the tag onnxruntime, the tests need ONNX Runtime's library")
	}
	return onnxrun.Runtimes()
}

// CheckCalls calls call 12 times, on each of imgs in turn, for call to
// check its result: every call, not only the first, must give the right
// answer (onnx-go's Gemm does not on its own). Then batch, given imgs
// three times over, must return the first calls' results three times
// over.
func CheckCalls[R any](t *testing.T, imgs []image.Image, call func(i int, img image.Image) R, batch func(context.Context, []image.Image) ([]R, error)) {
	t.Helper()
	var first []R
	for i := range 12 {
		got := call(i, imgs[i%len(imgs)])
		if i < len(imgs) {
			first = append(first, got)
		}
	}
	got, err := batch(context.Background(), slices.Concat(imgs, imgs, imgs))
	require.NoError(t, err)
	assert.Equal(t, slices.Concat(first, first, first), got)
}

// CheckRefused checks that a plug-in's constructor, which returned p and
// err, refused: no plug-in, and an error that holds each of want.
func CheckRefused[P any](t *testing.T, p *P, err error, want ...string) {
	t.Helper()
	require.Error(t, err)
	assert.Nil(t, p)
	for _, w := range want {
		assert.Contains(t, err.Error(), w)
	}
}

// HeapPerWorker returns the heap each model instance beyond the first
// holds, as load builds them: (heap growth of load(5) - growth of
// load(1)) / 4, measured once per b.Loop iteration.
func HeapPerWorker(b *testing.B, load func(workers int) any) int64 {
	heap := func() int64 {
		runtime.GC()
		runtime.GC()
		var ms runtime.MemStats
		runtime.ReadMemStats(&ms)
		return int64(ms.HeapAlloc)
	}
	var per int64
	for b.Loop() {
		h0 := heap()
		m1 := load(1)
		h1 := heap()
		m5 := load(5)
		h5 := heap()
		per = ((h5 - h1) - (h1 - h0)) / 4
		runtime.KeepAlive(m1)
		runtime.KeepAlive(m5)
	}
	return per
}
