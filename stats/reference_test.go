package stats

import (
	"fmt"
	"math"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// relErr returns |got − want| relative to the larger magnitude, 0 when both
// are equal (zeros included).
func relErr(got, want float64) float64 {
	if got == want {
		return 0
	}
	return math.Abs(got-want) / math.Max(math.Abs(got), math.Abs(want))
}

// The reference tables are in reference_values_test.go, written by
// testdata/reference.py.

func TestFisherGreaterReference(t *testing.T) {
	require.GreaterOrEqual(t, len(fisherRef), 20)
	for _, c := range fisherRef {
		t.Run(fmt.Sprintf("%d_%d_%d_%d", c.wrongIn, c.nIn, c.wrongOut, c.nOut), func(t *testing.T) {
			got := FisherGreater(c.wrongIn, c.nIn, c.wrongOut, c.nOut)
			// Against the 50-digit value, far tighter than asked.
			assert.LessOrEqual(t, relErr(got, c.exact), 1e-13, "got %v, exact %v", got, c.exact)
			// Against SciPy: 1e-9 wherever SciPy is itself within 1e-10 of
			// the exact value. For some tables of millions SciPy's own error
			// reaches 4.3e-9; there the bound is SciPy's error plus 1e-11.
			tol := 1e-9
			if e := relErr(c.scipy, c.exact); e > 1e-10 {
				tol = e + 1e-11
			}
			assert.LessOrEqual(t, relErr(got, c.scipy), tol, "got %v, scipy %v", got, c.scipy)
		})
	}
}

func TestIntervalsReference(t *testing.T) {
	require.GreaterOrEqual(t, len(intervalRef), 20)
	for _, c := range intervalRef {
		t.Run(fmt.Sprintf("%d_%d_%v", c.k, c.n, c.level), func(t *testing.T) {
			lo, hi := Wilson(c.n, c.k, c.level)
			assert.LessOrEqual(t, relErr(lo, c.wilsonLo), 1e-9, "Wilson lo %v, want %v", lo, c.wilsonLo)
			assert.LessOrEqual(t, relErr(hi, c.wilsonHi), 1e-9, "Wilson hi %v, want %v", hi, c.wilsonHi)
			lo, hi = ClopperPearson(c.n, c.k, c.level)
			assert.LessOrEqual(t, relErr(lo, c.exactLo), 1e-9, "Clopper-Pearson lo %v, want %v", lo, c.exactLo)
			assert.LessOrEqual(t, relErr(hi, c.exactHi), 1e-9, "Clopper-Pearson hi %v, want %v", hi, c.exactHi)
		})
	}
}

func TestAdjustReference(t *testing.T) {
	require.GreaterOrEqual(t, len(adjustRef), 20)
	for i, c := range adjustRef {
		t.Run(fmt.Sprint(i), func(t *testing.T) {
			for _, m := range []struct {
				name string
				f    func(dst, p []float64) []float64
				want []float64
			}{
				{"BenjaminiHochberg", BenjaminiHochberg, c.bh},
				{"Holm", Holm, c.holm},
				{"Bonferroni", Bonferroni, c.bonferroni},
				{"BenjaminiYekutieli", BenjaminiYekutieli, c.by},
			} {
				got := m.f(nil, c.p)
				require.Len(t, got, len(m.want), m.name)
				for j := range got {
					assert.LessOrEqual(t, relErr(got[j], m.want[j]), 1e-9, "%s[%d] = %v, want %v", m.name, j, got[j], m.want[j])
				}
			}
		})
	}
}

func TestNewcombeReference(t *testing.T) {
	require.GreaterOrEqual(t, len(newcombeRef), 20)
	for _, c := range newcombeRef {
		t.Run(fmt.Sprintf("%d_%d_%d_%d_%v", c.nIn, c.cIn, c.nOut, c.cOut, c.level), func(t *testing.T) {
			lo, hi := Newcombe(c.nIn, c.cIn, c.nOut, c.cOut, c.level)
			assert.LessOrEqual(t, relErr(lo, c.lo), 1e-9, "Newcombe lo %v, want %v", lo, c.lo)
			assert.LessOrEqual(t, relErr(hi, c.hi), 1e-9, "Newcombe hi %v, want %v", hi, c.hi)
			lo, hi = NewcombeClopperPearson(c.nIn, c.cIn, c.nOut, c.cOut, c.level)
			assert.LessOrEqual(t, relErr(lo, c.cpLo), 1e-9, "NewcombeClopperPearson lo %v, want %v", lo, c.cpLo)
			assert.LessOrEqual(t, relErr(hi, c.cpHi), 1e-9, "NewcombeClopperPearson hi %v, want %v", hi, c.cpHi)
		})
	}
}

func TestScoreGreaterReference(t *testing.T) {
	require.GreaterOrEqual(t, len(scoreRef), 20)
	agree := 0
	for _, c := range scoreRef {
		t.Run(fmt.Sprintf("%d_%d_%d_%d_%v", c.wrongIn, c.nIn, c.wrongOut, c.nOut, c.margin), func(t *testing.T) {
			got := ScoreGreater(c.wrongIn, c.nIn, c.wrongOut, c.nOut, c.margin)
			// Against the likelihood solved in 50-digit arithmetic.
			assert.LessOrEqual(t, relErr(got, c.exact), 1e-9, "got %v, exact %v", got, c.exact)
			// Against statsmodels wherever it solves the right cubic: with
			// margin 0, and wherever its value is the exact one.
			if c.margin == 0 || relErr(c.statsmodels, c.exact) <= 1e-10 {
				agree++
				assert.LessOrEqual(t, relErr(got, c.statsmodels), 1e-9, "got %v, statsmodels %v", got, c.statsmodels)
			}
		})
	}
	assert.GreaterOrEqual(t, agree, 5)
}
