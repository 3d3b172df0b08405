package mining

import (
	"math/rand/v2"

	"github.com/bits-and-blooms/bitset"
)

// synthSpec describes a synthetic class in the shape of tagged image data:
// a Zipf-like background over the vocabulary shared by all classes, a few
// dozen class-specific tags that come in correlated pairs, and planted
// failure modes, tag sets on whose records the accuracy falls.
type synthSpec struct {
	records          int
	vocab            int
	minTags, maxTags int     // tags per record, uniform in [minTags, maxTags]
	classTags        int     // class-specific tags (default 40)
	plant            int     // planted failure modes, of 1 to 3 class tags
	uniform          bool    // background uniform instead of Zipf-like
	zipf             float64 // Zipf exponent of the background (default 1.1)
}

// synthClass draws a class. The background ranking of the vocabulary is
// the same for every class drawn with the same vocabulary size; the class
// tags and their frequencies depend on rng.
func synthClass(rng *rand.Rand, sp synthSpec) *Class {
	if sp.classTags == 0 {
		sp.classTags = 40
	}
	if sp.zipf == 0 {
		sp.zipf = 1.1
	}
	rank := rand.New(rand.NewPCG(uint64(sp.vocab), 7)).Perm(sp.vocab)
	zipf := rand.NewZipf(rng, sp.zipf, 2, uint64(sp.vocab-1))
	classTags := make([]int, min(sp.classTags, sp.vocab))
	prob := make([]float64, len(classTags))
	for i := range classTags {
		classTags[i] = rng.IntN(sp.vocab)
		prob[i] = 0.03 * float64(int(1)<<rng.IntN(5)) // 0.03 to 0.48
	}
	type plant struct {
		tags []int
		acc  int // percent
	}
	var plants []plant
	for i := 0; i < sp.plant && len(classTags) >= 4; i++ {
		size := 1 + i%3
		start := rng.IntN(len(classTags) - size)
		var tags []int
		for j := 0; j < size; j++ {
			tags = append(tags, classTags[start+j])
		}
		plants = append(plants, plant{tags, 30})
	}
	c := &Class{N: sp.records, Correct: bitset.New(uint(sp.records)), Tags: make([]*bitset.BitSet, sp.vocab)}
	row := make([]bool, sp.vocab)
	var picked []int
	for r := 0; r < sp.records; r++ {
		m := sp.minTags + rng.IntN(sp.maxTags-sp.minTags+1)
		picked = picked[:0]
		add := func(t int) {
			if !row[t] {
				row[t] = true
				picked = append(picked, t)
			}
		}
		for i, t := range classTags {
			if len(picked) >= m {
				break
			}
			if rng.Float64() < prob[i] {
				add(t)
				if partner := i ^ 1; partner < len(classTags) && rng.IntN(10) < 6 {
					add(classTags[partner]) // correlated tags
				}
			}
		}
		for len(picked) < m {
			if sp.uniform {
				add(rng.IntN(sp.vocab))
			} else {
				add(rank[zipf.Uint64()])
			}
		}
		acc := 85
		for _, pl := range plants {
			all := true
			for _, t := range pl.tags {
				all = all && row[t]
			}
			if all {
				acc = pl.acc
			}
		}
		if rng.IntN(100) < acc {
			c.Correct.Set(uint(r))
		}
		for _, t := range picked {
			if c.Tags[t] == nil {
				c.Tags[t] = bitset.New(uint(sp.records))
			}
			c.Tags[t].Set(uint(r))
			row[t] = false
		}
	}
	return c
}
