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
