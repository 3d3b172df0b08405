package onnxrun

import (
	"context"
	"fmt"
	"image"
)

// RunImage runs the model on img, preprocessed as Options.Preprocessing
// says, and returns its first output (see Run).
func (m *Model) RunImage(ctx context.Context, img image.Image) ([]float32, error) {
	if img == nil {
		return nil, fmt.Errorf("%s: nil image", m.prefix)
	}
	return m.Run(ctx, func(dst []float32) error {
		if err := m.plan.Fill(dst, img); err != nil {
			return fmt.Errorf("%s: %w", m.prefix, err)
		}
		return nil
	})
}

// RunImages runs the model on imgs, preprocessed as Options.Preprocessing
// says, and returns one
// output (OutputLen values) per image, in order. The images are spread
// over the slots: one image a call on a model that takes one (MaxBatch
// 1), and otherwise up to Workers calls of consecutive images, each call
// one N x C x H x W batch. An image's error is "prefix: image i: ...".
func (m *Model) RunImages(ctx context.Context, imgs []image.Image) ([][]float32, error) {
	n := len(imgs)
	out := make([][]float32, n)
	if n == 0 {
		return out, nil
	}
	per := 1
	if m.MaxBatch == 0 {
		per = (n + m.workers - 1) / m.workers
	}
	inLen := m.inputLen()
	err := m.ForEach(ctx, (n+per-1)/per, func(k int) error {
		lo, hi := k*per, min((k+1)*per, n)
		s, err := m.take(ctx)
		if err != nil {
			return err
		}
		defer func() { m.pool <- s }()
		if len(s.buf) < (hi-lo)*inLen {
			s.buf = make([]float32, (hi-lo)*inLen)
		}
		for i := lo; i < hi; i++ {
			if imgs[i] == nil {
				return fmt.Errorf("%s: image %d: nil image", m.prefix, i)
			}
			if err := m.plan.Fill(s.buf[(i-lo)*inLen:(i-lo+1)*inLen], imgs[i]); err != nil {
				return fmt.Errorf("%s: image %d: %w", m.prefix, i, err)
			}
		}
		res, err := m.runSlot(ctx, s, hi-lo)
		if err != nil {
			return err
		}
		l := m.OutputLen
		for i := lo; i < hi; i++ {
			j := (i - lo) * l
			out[i] = res[j : j+l : j+l]
		}
		return nil
	})
	if err != nil {
		return nil, err
	}
	return out, nil
}
