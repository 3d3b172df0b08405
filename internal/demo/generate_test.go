package demo

import (
	"math/rand/v2"
	"slices"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// generate returns the pictures of seed, the demo's for Seed.
func generate(seed uint64) []*Picture { return Generate(rand.New(rand.NewPCG(seed, 0))) }

func TestGenerate(t *testing.T) {
	a, b := generate(Seed), generate(Seed)
	require.Len(t, a, 999)
	counts := map[string]int{}
	combos := map[string]int{}
	for i := range a {
		require.Equal(t, a[i].ID, b[i].ID)
		require.Equal(t, a[i].Image.Pix, b[i].Image.Pix, "same seed, same pixels")
		counts[a[i].Label]++
		if a[i].Label == "car" && a[i].Small && a[i].Blurry {
			combos["car small blurry"]++
		}
		if a[i].Label == "boat" {
			combos["boat "+a[i].Background]++
		}
		assert.Equal(t, Size, a[i].Image.Bounds().Dx())
		truth := a[i].Truth()
		assert.True(t, slices.IsSorted(truth))
		for _, tag := range truth {
			assert.Contains(t, Tags(), tag)
		}
	}
	assert.Equal(t, map[string]int{"ball": 150, "boat": 205, "car": 644}, counts)
	assert.Equal(t, map[string]int{"car small blurry": 44, "boat water": 145, "boat sand": 60}, combos)

	c := generate(Seed + 1)
	assert.NotEqual(t, a[0].Image.Pix, c[0].Image.Pix, "another seed, other pixels")
}

func TestTruth(t *testing.T) {
	for _, tc := range []struct {
		p    Picture
		want []string
	}{
		{Picture{Background: "sand", Small: true, Blurry: true, CenterX: 8}, []string{"blurry", "left", "sand", "small"}},
		{Picture{Background: "water", CenterX: 16}, []string{"large", "water"}},
		{Picture{Background: "snow", CenterX: 25}, []string{"large", "right", "snow"}},
	} {
		assert.Equal(t, tc.want, tc.p.Truth())
	}
}
