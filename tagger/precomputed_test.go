package tagger_test

import (
	"context"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/failmodes/prime"
	"github.com/failmodes/prime/internal/precomputed/precomputedtest"
	"github.com/failmodes/prime/primetest"
	"github.com/failmodes/prime/tagger"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestPrecomputed(t *testing.T) {
	src := `{"id": "a.png", "tags": ["sky", "dog", "sky"], "label": "dog", "pred": "cat"}

{"id": "b.png", "tags": [{"name": "snow", "score": 0.25}, "dog", {"name": "snow", "score": 0.75}]}
{"id": "c.png", "tags": []}
`
	p, err := tagger.NewPrecomputed(strings.NewReader(src))
	require.NoError(t, err)
	assert.Equal(t, 3, p.Len())
	assert.Equal(t, []string{"dog", "sky", "snow"}, p.Vocabulary())

	assert.Equal(t, []string{"a.png", "b.png", "c.png"}, p.IDs())
	var _ prime.IDTagger = p
	for _, tc := range []struct {
		id   string
		want []prime.Tag
	}{
		{"a.png", []prime.Tag{{Name: "dog", Score: 1}, {Name: "sky", Score: 1}}},
		{"b.png", []prime.Tag{{Name: "dog", Score: 1}, {Name: "snow", Score: 0.75}}},
		{"c.png", []prime.Tag{}},
	} {
		got, err := p.TagID(context.Background(), tc.id)
		require.NoError(t, err)
		assert.Equal(t, tc.want, got, tc.id)
	}

	precomputedtest.CheckRefusals(t, p.Tag, p.TagID, "a.png", "z.png",
		"tagger: Precomputed looks tags up by image id: call TagID",
		`tagger: precomputed tags: no image "z.png" in the file`)
}

func TestPrecomputedBadInput(t *testing.T) {
	precomputedtest.CheckBadInput(t, "tagger", tagger.NewPrecomputed, tagger.LoadPrecomputed, [][3]string{
		{"empty", "", "tagger: precomputed tags: no images"},
		{"blank lines only", "\n \n", "tagger: precomputed tags: no images"},
		{"not JSON", `{"id": "a", "tags": []}` + "\nnope\n", "tagger: precomputed tags:2: invalid JSON: unexpected 'n' at column 1"},
		{"no id", `{"tags": ["a"]}`, `tagger: precomputed tags:1: field "id": missing or empty`},
		{"no tags", `{"id": "a", "labels": ["x"]}`, `tagger: precomputed tags:1: field "tags": missing or empty`},
		{"tags in another case", `{"id": "a", "Tags": ["x"]}`, `tagger: precomputed tags:1: field "tags": missing or empty`},
		{"tag a number", `{"id": "a", "tags": [3]}`, `tagger: precomputed tags:1: field "tags": element 0 is not a string or {"name": ..., "score": ...}`},
		{"empty tag", `{"id": "a", "tags": ["x", ""]}`, `tagger: precomputed tags:1: field "tags": element 1 is empty`},
		{"score out of range", `{"id": "a", "tags": [{"name": "x", "score": 1.5}]}`, `tagger: precomputed tags:1: field "tags": element 0: field "score": 1.5 outside [0, 1]`},
		{"name given twice", `{"id": "a", "tags": [{"name": "x", "name": "y"}]}`, `tagger: precomputed tags:1: field "tags": element 0: field "name": given twice`},
		{"repeated id", `{"id": "a", "tags": []}` + "\n" + `{"id": "a", "tags": []}`, `tagger: precomputed tags:2: field "id": repeated: "a" first appears on line 1`},
		{"invalid UTF-8", "{\"id\": \"a\xff\", \"tags\": []}", `tagger: precomputed tags:1: field "id": invalid UTF-8`},
	})
}

func TestPrecomputedLongLine(t *testing.T) {
	tags := make([]string, 40_000)
	for i := range tags {
		tags[i] = fmt.Sprintf("tag%06d", i)
	}
	b, err := json.Marshal(map[string]any{"id": "big", "tags": tags})
	require.NoError(t, err)
	path := filepath.Join(t.TempDir(), "tags.jsonl")
	require.NoError(t, os.WriteFile(path, b, 0o644))
	p, err := tagger.LoadPrecomputed(path)
	require.NoError(t, err)
	assert.Len(t, p.Vocabulary(), len(tags))
}

// TestPrecomputedConformance runs the conformance kit on a Precomputed
// that holds tags for the kit's images.
func TestPrecomputedConformance(t *testing.T) {
	mine, lines := precomputedtest.KitFile(t, func(i int) map[string]any {
		return map[string]any{"tags": []any{"x", fmt.Sprint("n", i%3), map[string]any{"name": "s", "score": 0.5}}}
	})
	p, err := tagger.NewPrecomputed(strings.NewReader(lines))
	require.NoError(t, err)
	primetest.RunTagger(t, p, mine)
}

func ExampleNewPrecomputed() {
	// Tags computed elsewhere (RAM in Python, say), keyed by image id.
	const tags = `{"id": "fox/1.jpg", "tags": ["branch", "fox", {"name": "snow", "score": 0.9}]}
{"id": "fox/2.jpg", "tags": ["fox"]}
`
	p, err := tagger.NewPrecomputed(strings.NewReader(tags))
	if err != nil {
		panic(err)
	}
	// prime.Run calls TagID with each image's id; here by hand.
	got, err := p.TagID(context.Background(), "fox/1.jpg")
	if err != nil {
		panic(err)
	}
	fmt.Println(got)
	fmt.Println(p.Vocabulary())
	// Output:
	// [{branch 1 false} {fox 1 false} {snow 0.9 false}]
	// [branch fox snow]
}

func FuzzNewPrecomputed(f *testing.F) {
	precomputedtest.Fuzz(f, "tagger: precomputed tags", tagger.NewPrecomputed, (*tagger.Precomputed).TagID,
		func(t *testing.T, tags []prime.Tag) {
			for _, tag := range tags {
				require.NotEmpty(t, strings.TrimSpace(tag.Name))
				require.True(t, tag.Score >= 0 && tag.Score <= 1, "score %v", tag.Score)
			}
		})
}
