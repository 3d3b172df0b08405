package classifier_test

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/failmodes/prime"
	"github.com/failmodes/prime/classifier"
	"github.com/failmodes/prime/internal/precomputed/precomputedtest"
	"github.com/failmodes/prime/primetest"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestPrecomputed(t *testing.T) {
	src := `{"id": "a.png", "pred": "cat", "label": "dog", "tags": ["x"]}

{"id": "b.png", "pred": "dog"}
`
	p, err := classifier.NewPrecomputed(strings.NewReader(src))
	require.NoError(t, err)
	assert.Equal(t, 2, p.Len())
	assert.Equal(t, []string{"cat", "dog"}, p.Labels())

	assert.Equal(t, []string{"a.png", "b.png"}, p.IDs())
	var _ prime.IDClassifier = p
	got, err := p.ClassifyID(context.Background(), "a.png")
	require.NoError(t, err)
	assert.Equal(t, prime.Prediction{Label: "cat"}, got)

	precomputedtest.CheckRefusals(t, p.Classify, p.ClassifyID, "a.png", "z.png",
		"classifier: Precomputed looks predictions up by image id: call ClassifyID",
		`classifier: precomputed predictions: no image "z.png" in the file`)
}

func TestPrecomputedBadInput(t *testing.T) {
	precomputedtest.CheckBadInput(t, "classifier", classifier.NewPrecomputed, classifier.LoadPrecomputed, [][3]string{
		{"empty", "", "classifier: precomputed predictions: no images"},
		{"not JSON", `{"id": "a", "pred": "x"}` + "\n[1, 2]\n", "classifier: precomputed predictions:2: not a JSON object"},
		{"no id", `{"pred": "x"}`, `classifier: precomputed predictions:1: field "id": missing or empty`},
		{"no pred", `{"id": "a", "correct": true}`, `classifier: precomputed predictions:1: field "pred": missing or empty`},
		{"fields in another case", `{"ID": "a", "PRED": "x"}`, `classifier: precomputed predictions:1: field "id": missing or empty`},
		{"pred in another case", `{"id": "a", "PRED": "x"}`, `classifier: precomputed predictions:1: field "pred": missing or empty`},
		{"pred a number", `{"id": "a", "pred": 3}`, `classifier: precomputed predictions:1: field "pred": not a string`},
		{"pred given twice", `{"id": "a", "pred": "x", "pred": "y"}`, `classifier: precomputed predictions:1: field "pred": given twice`},
		{"repeated id", `{"id": "a", "pred": "x"}` + "\n" + `{"id": "a", "pred": "y"}`, `classifier: precomputed predictions:2: field "id": repeated: "a" first appears on line 1`},
		{"invalid UTF-8", "{\"id\": \"a\", \"pred\": \"\xff\"}", `classifier: precomputed predictions:1: field "pred": invalid UTF-8`},
	})
}

// TestPrecomputedConformance runs the conformance kit on a Precomputed
// that holds predictions for the kit's images.
func TestPrecomputedConformance(t *testing.T) {
	mine, lines := precomputedtest.KitFile(t, func(i int) map[string]any {
		return map[string]any{"pred": fmt.Sprint("class", i%3)}
	})
	path := filepath.Join(t.TempDir(), "preds.jsonl")
	require.NoError(t, os.WriteFile(path, []byte(lines), 0o644))
	p, err := classifier.LoadPrecomputed(path)
	require.NoError(t, err)
	primetest.RunClassifier(t, p, mine)
}

func ExampleNewPrecomputed() {
	// Predictions computed elsewhere, keyed by image id; a records file
	// serves as well.
	const preds = `{"id": "fox/1.jpg", "pred": "wolf"}
{"id": "fox/2.jpg", "pred": "fox"}
`
	p, err := classifier.NewPrecomputed(strings.NewReader(preds))
	if err != nil {
		panic(err)
	}
	// prime.Run calls ClassifyID with each image's id; here by hand.
	got, err := p.ClassifyID(context.Background(), "fox/1.jpg")
	if err != nil {
		panic(err)
	}
	fmt.Println(got.Label, p.Labels())
	// Output:
	// wolf [fox wolf]
}

func FuzzNewPrecomputed(f *testing.F) {
	precomputedtest.Fuzz(f, "classifier: precomputed predictions", classifier.NewPrecomputed, (*classifier.Precomputed).ClassifyID,
		func(t *testing.T, p prime.Prediction) { require.NotEmpty(t, p.Label) })
}
