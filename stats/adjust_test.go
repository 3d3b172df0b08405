package stats

import (
	"cmp"
	"encoding/json"
	"math"
	"math/rand/v2"
	"slices"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// randomP returns n p-values, drawn from a few values when ties is set.
func randomP(rng *rand.Rand, n int, ties bool) []float64 {
	p := make([]float64, n)
	levels := []float64{0, 1e-8, 0.001, 0.01, 0.02, 0.3, 1}
	for i := range p {
		if ties {
			p[i] = levels[rng.IntN(len(levels))]
		} else {
			p[i] = math.Pow(rng.Float64(), 4)
		}
	}
	return p
}

// TestAdjustExpanded checks that Adjust with counts gives, bit for bit, what
// the plain functions give on the list written out.
func TestAdjustExpanded(t *testing.T) {
	rng := rand.New(rand.NewPCG(11, 12))
	plain := map[Method]func(dst, p []float64) []float64{
		MethodBH: BenjaminiHochberg, MethodHolm: Holm, MethodBonferroni: Bonferroni,
		MethodBY: BenjaminiYekutieli,
	}
	for trial := range 400 {
		n := 1 + rng.IntN(40)
		p := randomP(rng, n, trial%2 == 0)
		counts := make([]int64, n)
		var expanded []float64
		var owner []int
		for i := range counts {
			counts[i] = 1 + rng.Int64N(6)
			for range counts[i] {
				expanded = append(expanded, p[i])
				owner = append(owner, i)
			}
		}
		// Shuffle the written-out list: the order of input must not matter.
		rng.Shuffle(len(expanded), func(i, j int) {
			expanded[i], expanded[j] = expanded[j], expanded[i]
			owner[i], owner[j] = owner[j], owner[i]
		})
		for m, f := range plain {
			got := Adjust(nil, p, counts, m)
			want := f(nil, expanded)
			for k, i := range owner {
				require.Equal(t, math.Float64bits(want[k]), math.Float64bits(got[i]),
					"trial %d %v: entry %d (p=%v) got %v, written out %v", trial, m, i, p[i], got[i], want[k])
			}
			// nil counts means one each.
			require.Equal(t, f(nil, p), Adjust(nil, p, nil, m))
		}
	}
}

func TestAdjustProperties(t *testing.T) {
	rng := rand.New(rand.NewPCG(13, 14))
	for trial := range 300 {
		n := 1 + rng.IntN(60)
		p := randomP(rng, n, trial%3 == 0)
		var counts []int64
		if trial%2 == 1 {
			counts = make([]int64, n)
			for i := range counts {
				counts[i] = 1 + rng.Int64N(1000)
			}
		}
		for _, m := range []Method{MethodBH, MethodHolm, MethodBonferroni, MethodBY} {
			q := Adjust(nil, p, counts, m)
			order := make([]int, n)
			for i := range order {
				order[i] = i
			}
			slices.SortFunc(order, func(i, j int) int { return cmp.Compare(p[i], p[j]) })
			for k, i := range order {
				if !(q[i] >= p[i] && q[i] <= 1) {
					t.Fatalf("%v: q = %v for p = %v", m, q[i], p[i])
				}
				if k > 0 && q[i] < q[order[k-1]] {
					t.Fatalf("%v: not monotone: p %v → q %v, then p %v → q %v", m, p[order[k-1]], q[order[k-1]], p[i], q[i])
				}
			}
			// Holm never exceeds Bonferroni; BH never exceeds Holm; BY is
			// BH times c(m), capped at 1.
			bonf := Adjust(nil, p, counts, MethodBonferroni)
			holm := Adjust(nil, p, counts, MethodHolm)
			bh := Adjust(nil, p, counts, MethodBH)
			by := Adjust(nil, p, counts, MethodBY)
			total := int64(n)
			if counts != nil {
				total = 0
				for _, c := range counts {
					total += c
				}
			}
			cm := harmonic(total)
			for i := range p {
				// Up to rounding: m·p is formed differently by each.
				require.LessOrEqual(t, holm[i], bonf[i]*(1+1e-15))
				require.LessOrEqual(t, bh[i], holm[i]*(1+1e-15))
				require.InDelta(t, min(1, bh[i]*cm), by[i], 1e-15*by[i])
			}
			// In place: dst may be p.
			in := slices.Clone(p)
			out := Adjust(in, in, counts, m)
			require.Equal(t, q, out)
			require.Equal(t, &in[0], &out[0])
		}
	}
}

// TestAdjustLarge runs the weighted form on a family of ten million
// hypotheses held as a few hundred entries, checking it against the
// formulas written directly.
func TestAdjustLarge(t *testing.T) {
	rng := rand.New(rand.NewPCG(15, 16))
	const entries = 500
	p := randomP(rng, entries, false)
	counts := make([]int64, entries)
	var m int64
	for i := range counts {
		counts[i] = 1 + rng.Int64N(40000)
		m += counts[i]
	}
	require.Greater(t, m, int64(9_000_000))
	bh := Adjust(nil, p, counts, MethodBH)
	by := Adjust(nil, p, counts, MethodBY)
	bonf := Adjust(nil, p, counts, MethodBonferroni)
	// BY is BH times c(m) = ln m + γ + 1/(2m) − …, capped at 1.
	cm := math.Log(float64(m)) + 0.5772156649015329 + 1/(2*float64(m))
	for j := range p {
		assert.InDelta(t, min(1, bh[j]*cm), by[j], 1e-12, "entry %d", j)
	}
	// For the smallest p-value, BH is m·p/count and Bonferroni m·p.
	i := 0
	for j := range p {
		if p[j] < p[i] {
			i = j
		}
	}
	assert.Equal(t, min(1, p[i]*float64(m)), bonf[i])
	assert.LessOrEqual(t, bh[i], min(1, p[i]*float64(m)/float64(counts[i])))
	// For the largest, BH is p itself.
	k := 0
	for j := range p {
		if p[j] > p[k] {
			k = j
		}
	}
	assert.Equal(t, p[k], bh[k])
}

func TestMethod(t *testing.T) {
	for _, c := range []struct {
		in   string
		want Method
	}{
		{"benjamini-hochberg", MethodBH}, {"BH", MethodBH}, {"fdr_bh", MethodBH},
		{"holm", MethodHolm}, {" Holm ", MethodHolm}, {"bonferroni", MethodBonferroni},
		{"benjamini-yekutieli", MethodBY}, {"BY", MethodBY}, {"fdr_by", MethodBY},
	} {
		got, err := ParseMethod(c.in)
		require.NoError(t, err, c.in)
		assert.Equal(t, c.want, got, c.in)
	}
	_, err := ParseMethod("sidak")
	require.ErrorContains(t, err, `stats: unknown correction method "sidak"`)
	textRoundTrip(t, []Method{MethodBH, MethodHolm, MethodBonferroni, MethodBY}, ParseMethod)
	assert.Equal(t, `"benjamini-hochberg"`, func() string { b, _ := json.Marshal(MethodBH); return string(b) }())
	assert.Equal(t, "Method(9)", Method(9).String())
	_, err = json.Marshal(Method(9))
	require.Error(t, err)
	var u Method
	require.Error(t, json.Unmarshal([]byte(`"nope"`), &u))
}

// TestHarmonic checks c(m) against the sum written out, on both sides of
// the switch to the asymptotic expansion, and against a value known to 20
// digits.
func TestHarmonic(t *testing.T) {
	s := 0.0
	for m := int64(1); m <= 100_000; m++ {
		s += 1 / float64(m)
		if m < 200 || m%997 == 0 {
			require.InDelta(t, s, harmonic(m), 1e-13*s, "m=%d", m)
		}
	}
	// H(10^10) = 23.603066594891989700…
	assert.InDelta(t, 23.6030665948919897, harmonic(10_000_000_000), 4e-15)
}
