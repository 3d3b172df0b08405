package onnxrun

import (
	"context"
	"errors"
	"image"
	"math/rand/v2"
	"runtime"
	"testing"

	"github.com/failmodes/prime/internal/onnxfile"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestResolveWorkers(t *testing.T) {
	tests := []struct {
		in, want int
		err      string
	}{
		{3, 3, ""},
		{0, runtime.GOMAXPROCS(0), ""},
		{-1, 0, "test: Workers -1: must be at least 0"},
	}
	for _, tt := range tests {
		got, err := ResolveWorkers(tt.in, "test")
		if tt.err != "" {
			require.EqualError(t, err, tt.err)
			continue
		}
		require.NoError(t, err)
		assert.Equal(t, tt.want, got)
	}
}

var errOdd = errors.New("test: odd width")

// width returns img's width, and an error wrapping errOdd for an odd one.
func width(ctx context.Context, img image.Image) (int, error) {
	if err := ctx.Err(); err != nil {
		return 0, err
	}
	w := img.Bounds().Dx()
	if w%2 == 1 {
		return 0, errOdd
	}
	return w, nil
}

func TestBatch(t *testing.T) {
	rng := rand.New(rand.NewPCG(1, 2))
	cnn := onnxfile.NewCNN(rng, onnxfile.CNNConfig{Channels: 1, Size: 4, Filters1: 2, Filters2: 2, Outputs: 3})
	cancelled, cancel := context.WithCancel(context.Background())
	cancel()
	even := []image.Image{image.NewGray(image.Rect(0, 0, 2, 1)), image.NewGray(image.Rect(0, 0, 4, 1))}
	tests := []struct {
		name string
		ctx  context.Context
		imgs []image.Image
		want []int
		err  string
		is   error
	}{
		{"ok", context.Background(), even, []int{2, 4}, "", nil},
		{"empty", context.Background(), nil, []int{}, "", nil},
		{"error", context.Background(), []image.Image{even[0], image.NewGray(image.Rect(0, 0, 3, 1))}, nil, "test: image 1: odd width", errOdd},
		{"cancelled", cancelled, even, nil, "", context.Canceled},
	}
	for _, workers := range []int{1, 2} {
		m, err := LoadBytes(cnn.Model().Marshal(), "cnn", workers, "test")
		require.NoError(t, err)
		for _, tt := range tests {
			t.Run(tt.name, func(t *testing.T) {
				got, err := Batch(tt.ctx, m, tt.imgs, width)
				if tt.is != nil {
					require.ErrorIs(t, err, tt.is)
					if tt.err != "" {
						require.EqualError(t, err, tt.err)
					}
					assert.Nil(t, got)
					return
				}
				require.NoError(t, err)
				assert.Equal(t, tt.want, got)
			})
		}
	}
}
