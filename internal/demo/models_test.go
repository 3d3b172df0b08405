package demo

import (
	"context"
	"slices"
	"testing"

	"github.com/failmodes/prime/internal/onnxrun"
	"github.com/failmodes/prime/internal/onnxtest"
	"github.com/failmodes/prime/onnx"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// TestModelsMatchForward runs both ONNX models on every runtime of the
// build (onnx-go, and ONNX Runtime with the tag onnxruntime) and checks
// their outputs against the plain-Go network, to 1e-5.
func TestModelsMatchForward(t *testing.T) {
	pics := generate(Seed)
	for _, tc := range []struct {
		name    string
		data    []byte
		forward func(p *Picture) []float32
	}{
		{"tagger", TaggerModel().Marshal(), func(p *Picture) []float32 { return TaggerForward(p.Image) }},
		{"classifier", ClassifierModel().Marshal(), func(p *Picture) []float32 { return ClassifierForward(p.Image) }},
	} {
		for _, rt := range onnxtest.Runtimes(t) {
			t.Run(tc.name+"/"+rt, func(t *testing.T) {
				m, err := onnxrun.LoadBytes(tc.data, tc.name, "demo", onnxrun.Options{Engine: onnx.Engine{Workers: 1, Runtime: rt}})
				require.NoError(t, err)
				defer m.Close()
				for i := 0; i < len(pics); i += 199 {
					x := pixels(pics[i].Image)
					got, err := m.Run(context.Background(), func(dst []float32) error { copy(dst, x); return nil })
					require.NoError(t, err)
					require.InDeltaSlice(t, tc.forward(pics[i]), got, 1e-5, pics[i].ID)
				}
			})
		}
	}
}

// TestModelsOnPictures runs the ONNX models on every 16th picture: the
// tagger names what the generator put in the picture (it may miss a
// position near a cut-off), and the classifier errs exactly on boats on
// sand and on small cars in blurred pictures.
func TestModelsOnPictures(t *testing.T) {
	pics := generate(Seed)
	tm, err := onnxrun.LoadBytes(TaggerModel().Marshal(), "tagger", "demo", onnxrun.Options{Engine: onnx.Engine{Workers: 1}})
	require.NoError(t, err)
	cm, err := onnxrun.LoadBytes(ClassifierModel().Marshal(), "classifier", "demo", onnxrun.Options{Engine: onnx.Engine{Workers: 1}})
	require.NoError(t, err)
	ctx := context.Background()
	agree, n := 0, 0
	for i := 0; i < len(pics); i += 16 {
		p := pics[i]
		x := pixels(p.Image)
		fill := func(dst []float32) error { copy(dst, x); return nil }
		scores, err := tm.Run(ctx, fill)
		require.NoError(t, err)
		var tags []string
		for k, s := range scores {
			if s > 0.5 {
				tags = append(tags, Tags()[k])
			}
		}
		slices.Sort(tags)
		n++
		if slices.Equal(tags, p.Truth()) {
			agree++
		}
		probs, err := cm.Run(ctx, fill)
		require.NoError(t, err)
		pred := Classes()[slices.Index(probs, slices.Max(probs))]
		wantWrong := (p.Label == "boat" && p.Background == "sand") || (p.Label == "car" && p.Small && p.Blurry)
		assert.Equal(t, wantWrong, pred != p.Label, "%s predicted %s", p.ID, pred)
	}
	assert.GreaterOrEqual(t, float64(agree)/float64(n), 0.97, "tags equal to the generator's on %d of %d pictures", agree, n)
}

// BenchmarkModels measures one inference of each demo model on onnx-go,
// and of its plain-Go reference.
func BenchmarkModels(b *testing.B) {
	pic := generate(Seed)[0]
	x := pixels(pic.Image)
	fill := func(dst []float32) error { copy(dst, x); return nil }
	for _, m := range []struct {
		name    string
		data    []byte
		forward func() []float32
	}{
		{"tagger", TaggerModel().Marshal(), func() []float32 { return TaggerForward(pic.Image) }},
		{"classifier", ClassifierModel().Marshal(), func() []float32 { return ClassifierForward(pic.Image) }},
	} {
		b.Run("model="+m.name+"/onnx", func(b *testing.B) {
			mod, err := onnxrun.LoadBytes(m.data, m.name, "demo", onnxrun.Options{Engine: onnx.Engine{Workers: 1}})
			require.NoError(b, err)
			for b.Loop() {
				if _, err := mod.Run(context.Background(), fill); err != nil {
					b.Fatal(err)
				}
			}
		})
		b.Run("model="+m.name+"/go", func(b *testing.B) {
			for b.Loop() {
				m.forward()
			}
		})
	}
}
