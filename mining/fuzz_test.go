package mining

import (
	"math/rand/v2"
	"testing"

	"github.com/bits-and-blooms/bitset"
)

// decodeCase reads a small class and parameters from fuzz input: a header
// of six bytes (records, tags, size, max tags, drop, marginal drop and
// baseline), then one byte per record: its tags in the low bits, whether it
// is correct in the high bit.
func decodeCase(data []byte) (*Class, Params, bool) {
	if len(data) < 6 {
		return nil, Params{}, false
	}
	h, rows := data[:6], data[6:]
	n := min(int(h[0])%48, len(rows))
	ntags := 1 + int(h[1])%7
	c := &Class{N: n, Correct: bitset.New(uint(n)), Tags: make([]*bitset.BitSet, ntags)}
	for t := range c.Tags {
		if h[1]>>(3+t%5)&1 == 0 || t < 2 {
			c.Tags[t] = bitset.New(uint(n))
		}
	}
	for r, row := range rows[:n] {
		for t, b := range c.Tags {
			if b != nil && row>>t&1 == 1 {
				b.Set(uint(r))
			}
		}
		if row&0x80 != 0 {
			c.Correct.Set(uint(r))
		}
	}
	p := Params{
		MinSize:         1 + int(h[2])%max(1, n/2+1),
		MaxTags:         1 + int(h[3])%4,
		MinDrop:         ratios[int(h[4])%len(ratios)],
		MinMarginalDrop: ratios[int(h[5])%len(ratios)],
		Baseline:        Baseline(h[5] >> 7),
	}
	return c, p, true
}

// encodeCase is the inverse of decodeCase for the seed corpus.
func encodeCase(rng *rand.Rand) []byte {
	n := rng.IntN(48)
	data := []byte{byte(n), byte(rng.IntN(256)), byte(rng.IntN(8)), byte(rng.IntN(4)), byte(rng.IntN(len(ratios))), byte(rng.IntN(256))}
	for r := 0; r < n; r++ {
		data = append(data, byte(rng.IntN(256)))
	}
	return data
}

func FuzzMine(f *testing.F) {
	rng := rand.New(rand.NewPCG(7, 7))
	for i := 0; i < 20; i++ {
		f.Add(encodeCase(rng))
	}
	f.Add([]byte{0, 0, 0, 0, 0, 0})
	f.Add([]byte{1, 1, 0, 3, 2, 2, 0x83})
	f.Add([]byte{10, 2, 4, 2, 2, 0, 1, 1, 1, 1, 1, 0x81, 0x81, 0x81, 0x81, 0x81, 0x82, 0x82, 0x82, 0x82, 0x82})
	f.Fuzz(func(t *testing.T, data []byte) {
		c, p, ok := decodeCase(data)
		if !ok {
			return
		}
		checkAgainstBrute(t, c, p)
	})
}
