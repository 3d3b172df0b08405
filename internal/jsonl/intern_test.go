package jsonl

import (
	"fmt"
	"math/rand/v2"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestTable(t *testing.T) {
	tb := NewTable()
	want := map[string]int32{}
	rng := rand.New(rand.NewPCG(1, 2))
	for range 20000 {
		s := fmt.Sprintf("w%d", rng.IntN(3000))
		if rng.IntN(50) == 0 {
			s = ""
		}
		var id int32
		if rng.IntN(2) == 0 {
			id = tb.Bytes([]byte(s))
		} else {
			id = tb.String(s)
		}
		if w, ok := want[s]; ok {
			require.Equal(t, w, id, s)
		} else {
			require.Equal(t, int32(len(want)), id, s)
			want[s] = id
		}
	}
	require.Equal(t, len(want), tb.Len())
	for s, id := range want {
		assert.Equal(t, s, tb.Names()[id])
	}
}

// BenchmarkIntern compares Table with a map on tag-like strings looked up
// in a skewed order, as the tags of a records file are.
func BenchmarkIntern(b *testing.B) {
	rng := rand.New(rand.NewPCG(1, 2))
	words := make([][]byte, 4585)
	for i := range words {
		w := make([]byte, 3+rng.IntN(10))
		for k := range w {
			w[k] = byte('a' + rng.IntN(26))
		}
		words[i] = append(w, fmt.Sprint(i)...)
	}
	zipf := rand.NewZipf(rng, 1.1, 4, uint64(len(words)-1))
	order := make([][]byte, 1<<16)
	for i := range order {
		order[i] = words[zipf.Uint64()]
	}
	b.Run("map", func(b *testing.B) {
		m := map[string]int32{}
		sum := int32(0)
		for b.Loop() {
			for _, w := range order {
				id, ok := m[string(w)]
				if !ok {
					id = int32(len(m))
					m[string(w)] = id
				}
				sum += id
			}
		}
		b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(b.N*len(order)), "ns/lookup")
	})
	b.Run("table", func(b *testing.B) {
		t := NewTable()
		sum := int32(0)
		for b.Loop() {
			for _, w := range order {
				sum += t.Bytes(w)
			}
		}
		b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(b.N*len(order)), "ns/lookup")
	})
}

func TestHashSpreads(t *testing.T) {
	seen := map[uint64]string{}
	rng := rand.New(rand.NewPCG(3, 4))
	for n := range 40 {
		for range 3000 {
			b := make([]byte, n)
			for i := range b {
				b[i] = byte('a' + rng.IntN(4))
			}
			s := string(b)
			h := Hash(12345, s)
			require.Equal(t, h, Hash(12345, b))
			if prev, ok := seen[h]; ok {
				require.Equal(t, prev, s, "collision")
			}
			seen[h] = s
		}
	}
	// Strings differing in one byte anywhere hash apart.
	base := []byte("abcdefghijklmnopqrstuvwxyz")
	for n := 1; n <= len(base); n++ {
		for i := range n {
			c := append([]byte(nil), base[:n]...)
			c[i] ^= 1
			assert.NotEqual(t, Hash(7, base[:n]), Hash(7, c), "n=%d i=%d", n, i)
		}
	}
}

func TestTableLongStrings(t *testing.T) {
	tb := NewTable()
	// Same length, first and last eight bytes: told apart by the middle.
	var ids []int32
	for i := range 1000 {
		s := fmt.Sprintf("prefix__%06d__suffix__", i)
		ids = append(ids, tb.String(s))
		require.Equal(t, int32(i), tb.Bytes([]byte(s)))
	}
	for i, id := range ids {
		require.Equal(t, int32(i), id)
	}
	// Every length up to 40, by bytes and by string.
	for n := range 41 {
		s := strings.Repeat("x", n)
		id := tb.Bytes([]byte(s))
		require.Equal(t, id, tb.String(s))
		require.Equal(t, s, tb.Names()[id])
	}
}
