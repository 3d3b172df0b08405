package demo

import (
	"context"
	"math/rand/v2"
	"testing"

	"github.com/failmodes/prime/internal/onnxrun"
	"github.com/stretchr/testify/require"
)

// TestModelsMatchForward runs both ONNX models on onnx-go and checks their
// outputs against the plain-Go network, to 1e-5.
func TestModelsMatchForward(t *testing.T) {
	pics := Generate(rand.New(rand.NewPCG(Seed, 0)))
	for _, tc := range []struct {
		name    string
		data    []byte
		forward func(p *Picture) []float32
	}{
		{"tagger", TaggerModel().Marshal(), func(p *Picture) []float32 { return TaggerForward(p.Image) }},
		{"classifier", ClassifierModel().Marshal(), func(p *Picture) []float32 { return ClassifierForward(p.Image) }},
	} {
		t.Run(tc.name, func(t *testing.T) {
			m, err := onnxrun.LoadBytes(tc.data, tc.name, 1, "demo")
			require.NoError(t, err)
			for i := 0; i < len(pics); i += 97 {
				x := pixels(pics[i].Image)
				got, err := m.Run(context.Background(), func(dst []float32) error { copy(dst, x); return nil })
				require.NoError(t, err)
				require.InDeltaSlice(t, tc.forward(pics[i]), got, 1e-5, pics[i].ID)
			}
		})
	}
}
