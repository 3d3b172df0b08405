package onnxrun

import (
	"context"
	"fmt"
	"image"
	"runtime"
	"strings"

	"github.com/failmodes/prime/preprocess"
)

// ResolveWorkers returns the number of model instances option n asks
// for: n itself, or runtime.GOMAXPROCS(0) when n is 0. A negative n is an
// error prefixed with prefix.
func ResolveWorkers(n int, prefix string) (int, error) {
	if n < 0 {
		return 0, fmt.Errorf("%s: Workers %d: must be at least 0", prefix, n)
	}
	if n == 0 {
		return runtime.GOMAXPROCS(0), nil
	}
	return n, nil
}

// Plan resolves the preprocessing options o at the model's input shape.
func (m *Model) Plan(t preprocess.Transform) (*preprocess.Plan, error) {
	plan, err := t.Plan(m.Input[1], m.Input[2], m.Input[3])
	if err != nil {
		return nil, fmt.Errorf("%s: model %s: %w", m.prefix, m.Path, err)
	}
	return plan, nil
}

// RunImage runs the model on img, preprocessed by plan, and returns a copy
// of its first output (see Run).
func (m *Model) RunImage(ctx context.Context, plan *preprocess.Plan, img image.Image) ([]float32, error) {
	if img == nil {
		return nil, fmt.Errorf("%s: nil image", m.prefix)
	}
	return m.Run(ctx, func(dst []float32) error {
		return plan.Fill(dst, img)
	})
}

// Batch calls one on every image of imgs, spread over the model's
// instances (see ForEach), and returns the results in order. An image's
// error is wrapped as "prefix: image i: ...", without repeating the
// prefix it starts with.
func Batch[R any](ctx context.Context, m *Model, imgs []image.Image, one func(ctx context.Context, img image.Image) (R, error)) ([]R, error) {
	out := make([]R, len(imgs))
	err := m.ForEach(ctx, len(imgs), func(i int) error {
		var err error
		out[i], err = one(ctx, imgs[i])
		if err != nil {
			return fmt.Errorf("%s: image %d: %w", m.prefix, i, prefixless{err, m.prefix + ": "})
		}
		return nil
	})
	if err != nil {
		return nil, err
	}
	return out, nil
}

// prefixless is err without the prefix its message starts with, so that
// wrapping it again does not repeat it.
type prefixless struct {
	err error
	pre string
}

func (p prefixless) Error() string { return strings.TrimPrefix(p.err.Error(), p.pre) }

func (p prefixless) Unwrap() error { return p.err }
