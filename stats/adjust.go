package stats

import (
	"cmp"
	"fmt"
	"math"
	"slices"
	"strings"
)

// A Method is a multiple-testing correction: a rule that turns the
// p-values of a family of hypotheses into adjusted p-values. Its zero
// value is MethodBH.
type Method int

const (
	// MethodBH is Benjamini and Hochberg's step-up procedure. The adjusted
	// values are q-values: rejecting where q ≤ α controls the false
	// discovery rate at α for independent or positively dependent tests.
	MethodBH Method = iota
	// MethodHolm is Holm's step-down procedure, which controls the
	// family-wise error rate.
	MethodHolm
	// MethodBonferroni multiplies each p-value by the number of
	// hypotheses; it controls the family-wise error rate.
	MethodBonferroni
	// MethodBY is Benjamini and Yekutieli's step-up procedure: Benjamini
	// and Hochberg's with each q-value multiplied by the harmonic number
	// 1 + 1/2 + … + 1/m (capped at 1). Rejecting where q ≤ α controls the
	// false discovery rate at α whatever the dependence between the tests.
	MethodBY
)

// String returns the method's name: "benjamini-hochberg", "holm",
// "bonferroni" or "benjamini-yekutieli".
func (m Method) String() string {
	return enumString(m, "Method", "benjamini-hochberg", "holm", "bonferroni", "benjamini-yekutieli")
}

// ParseMethod returns the Method named s, ignoring case: the names String
// returns, "bh" and "fdr_bh" (statsmodels' name) for MethodBH, or "by" and
// "fdr_by" for MethodBY.
func ParseMethod(s string) (Method, error) {
	switch strings.ToLower(strings.TrimSpace(s)) {
	case "benjamini-hochberg", "bh", "fdr_bh":
		return MethodBH, nil
	case "holm":
		return MethodHolm, nil
	case "bonferroni":
		return MethodBonferroni, nil
	case "benjamini-yekutieli", "by", "fdr_by":
		return MethodBY, nil
	}
	return 0, fmt.Errorf("stats: unknown correction method %q (want benjamini-hochberg, benjamini-yekutieli, holm or bonferroni)", s)
}

// MarshalText implements encoding.TextMarshaler with the name String
// returns. It fails for a value that is not one of the Method constants.
func (m Method) MarshalText() ([]byte, error) {
	return enumText(m, MethodBH, MethodBY, "correction method")
}

func (m Method) valid() bool { return m >= MethodBH && m <= MethodBY }

// UnmarshalText implements encoding.TextUnmarshaler with ParseMethod.
func (m *Method) UnmarshalText(text []byte) error {
	return unmarshalEnum(m, text, ParseMethod)
}

// BenjaminiHochberg writes to dst the Benjamini–Hochberg adjusted p-values
// (q-values) of p, in the order of p, and returns dst: with p sorted
// ascending as p(1) ≤ … ≤ p(m), q(i) = min over j ≥ i of m·p(j)/j, capped
// at 1, so q is monotone in p and tied p-values share the value computed
// at the largest rank of the tie. These are statsmodels'
// multipletests(p, method="fdr_bh") values.
//
// A nil dst is allocated; otherwise dst must have the length of p, and may
// be p itself. BenjaminiHochberg panics if the lengths differ or a p-value
// is NaN or outside [0, 1].
func BenjaminiHochberg(dst, p []float64) []float64 {
	return Adjust(dst, p, nil, MethodBH)
}

// BenjaminiYekutieli writes to dst the Benjamini–Yekutieli adjusted
// p-values (q-values) of p, in the order of p, and returns dst: the
// Benjamini–Hochberg values with m·p(j)/j multiplied by the harmonic number
// c(m) = 1 + 1/2 + … + 1/m before the minimum over j ≥ i and the cap at 1.
// These are statsmodels' multipletests(p, method="fdr_by") values. dst and
// the panics are as for BenjaminiHochberg.
func BenjaminiYekutieli(dst, p []float64) []float64 {
	return Adjust(dst, p, nil, MethodBY)
}

// Holm writes to dst Holm's step-down adjusted p-values of p, in the order
// of p, and returns dst: with p sorted ascending, the running maximum of
// (m−i+1)·p(i), capped at 1. These are statsmodels' multipletests(p,
// method="holm") values. dst and the panics are as for BenjaminiHochberg.
func Holm(dst, p []float64) []float64 {
	return Adjust(dst, p, nil, MethodHolm)
}

// Bonferroni writes to dst the Bonferroni adjusted p-values of p, m·p(i)
// capped at 1, and returns dst. These are statsmodels' multipletests(p,
// method="bonferroni") values. dst and the panics are as for
// BenjaminiHochberg.
func Bonferroni(dst, p []float64) []float64 {
	return Adjust(dst, p, nil, MethodBonferroni)
}

// Adjust writes to dst the adjusted p-values of a family of hypotheses
// given in compressed form, and returns dst. Entry i stands for counts[i]
// hypotheses that all have p-value p[i]; a nil counts means one hypothesis
// each. The family is the list in which each p[i] is repeated counts[i]
// times, of m = Σ counts[i] hypotheses, and dst[i] is the adjusted value
// that each of entry i's hypotheses gets in that list under method: the
// same value, bit for bit, that BenjaminiHochberg, BenjaminiYekutieli, Holm
// or Bonferroni give those hypotheses when applied to the list written
// out. The time is that of sorting p, whatever m; m may be up to 2^53.
//
// A nil dst is allocated; otherwise dst must have the length of p, and may
// be p itself. Adjust panics if dst or a non-nil counts has another length
// than p, a count is below 1, a p-value is NaN or outside [0, 1], or
// method is not one of the Method constants.
func Adjust(dst, p []float64, counts []int64, method Method) []float64 {
	switch {
	case dst == nil:
		dst = make([]float64, len(p))
	case len(dst) != len(p):
		panic("stats: Adjust: dst and p differ in length")
	}
	if counts != nil && len(counts) != len(p) {
		panic("stats: Adjust: counts and p differ in length")
	}
	if !method.valid() {
		panic("stats: Adjust: unknown method")
	}
	count := func(i int) int64 {
		if counts == nil {
			return 1
		}
		return counts[i]
	}
	var total int64
	for i, v := range p {
		if !(v >= 0 && v <= 1) {
			panic("stats: Adjust: p-value NaN or outside [0, 1]")
		}
		c := count(i)
		if c < 1 {
			panic("stats: Adjust: count below 1")
		}
		total += c
		if total > 1<<53 || total < 0 {
			panic("stats: Adjust: more than 2^53 hypotheses")
		}
	}
	m := float64(total)
	if method == MethodBonferroni {
		for i, v := range p {
			dst[i] = min(1, v*m)
		}
		return dst
	}
	// The entries in ascending order of p, ties in input order, as a
	// stable sort of the written-out list puts them.
	sorted := make([]entry, len(p))
	for i, v := range p {
		sorted[i] = entry{v, i}
	}
	slices.SortFunc(sorted, func(a, b entry) int {
		if c := cmp.Compare(a.p, b.p); c != 0 {
			return c
		}
		return cmp.Compare(a.i, b.i)
	})
	switch method {
	case MethodBH, MethodBY:
		// Backward from the largest rank: q(r) = min(q(r+1), p(r)/(r/m)),
		// statsmodels' arithmetic, which leaves q(m) = p(m) exactly,
		// evaluated for each entry at the last rank it occupies, which is
		// the least of its own copies' values. BY divides r/m by c(m)
		// first, as statsmodels does.
		cm := 1.0
		if method == MethodBY {
			cm = harmonic(total)
		}
		last := total // the last rank of the entry at hand
		q := math.Inf(1)
		for k := len(sorted) - 1; k >= 0; k-- {
			i := sorted[k].i
			f := float64(last) / m
			if method == MethodBY {
				f /= cm
			}
			q = min(q, sorted[k].p/f)
			last -= count(i)
			dst[i] = min(q, 1)
		}
	case MethodHolm:
		// Forward from rank 1: the running maximum of (m−r+1)·p(r),
		// evaluated for each entry at the first rank it occupies, which
		// is the greatest of its own copies' values.
		var before int64 // hypotheses of smaller rank
		q := 0.0
		for _, e := range sorted {
			i := e.i
			q = max(q, e.p*float64(total-before))
			before += count(i)
			dst[i] = min(q, 1)
		}
	}
	return dst
}

// An entry is a p-value and its index in the input.
type entry struct {
	p float64
	i int
}

// harmonic returns the harmonic number 1 + 1/2 + … + 1/m: summed from the
// smallest term up for small m, and beyond by its asymptotic expansion
// ln m + γ + 1/(2m) − 1/(12m²) + 1/(120m⁴), whose error is below
// 1/(252m⁶), under 1e-17 relative from m = 64 on.
func harmonic(m int64) float64 {
	if m < 64 {
		s := 0.0
		for k := m; k >= 1; k-- {
			s += 1 / float64(k)
		}
		return s
	}
	x := float64(m)
	x2 := x * x
	return math.Log(x) + eulerGamma + 1/(2*x) - 1/(12*x2) + 1/(120*x2*x2)
}

// eulerGamma is the Euler–Mascheroni constant.
const eulerGamma = 0.57721566490153286060651209008240243104215933593992
