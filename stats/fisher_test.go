package stats

import (
	"fmt"
	"math"
	"math/big"
	"math/rand/v2"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// fisherBig returns P(X ≥ a) exactly, with big rationals.
func fisherBig(a, nIn, b, nOut int) float64 {
	total, succ := int64(nIn+nOut), int64(a+b)
	binom := func(n, k int64) *big.Int {
		if k < 0 || k > n {
			return new(big.Int)
		}
		return new(big.Int).Binomial(n, k)
	}
	num := new(big.Int)
	for k := int64(a); k <= min(int64(nIn), succ); k++ {
		num.Add(num, new(big.Int).Mul(binom(succ, k), binom(total-succ, int64(nIn)-k)))
	}
	f, _ := new(big.Rat).SetFrac(num, binom(total, int64(nIn))).Float64()
	return f
}

// TestFisherGreaterExact compares with exact rational arithmetic on random
// small tables, every branch of the summation included.
func TestFisherGreaterExact(t *testing.T) {
	rng := rand.New(rand.NewPCG(17, 18))
	for range 1000 {
		nIn := rng.IntN(60)
		nOut := rng.IntN(200)
		a := 0
		if nIn > 0 {
			a = rng.IntN(nIn + 1)
		}
		b := 0
		if nOut > 0 {
			b = rng.IntN(nOut + 1)
		}
		got := FisherGreater(a, nIn, b, nOut)
		want := fisherBig(a, nIn, b, nOut)
		require.LessOrEqual(t, relErr(got, want), 1e-13, "FisherGreater(%d, %d, %d, %d) = %v, want %v", a, nIn, b, nOut, got, want)
	}
}

func TestFisherGreaterEdges(t *testing.T) {
	for _, c := range []struct {
		a, nIn, b, nOut int
		want            float64
	}{
		{0, 0, 0, 0, 1}, {0, 0, 5, 10, 1}, {3, 10, 0, 0, 1}, {0, 30, 10, 30, 1},
		{30, 30, 0, 0, 1}, {1, 1, 0, 1, 0.5}, {1, 2000000, 0, 3000000, 0.4},
		// All wrong in the group, all right in the rest: 1/C(60, 30).
		{30, 30, 0, 30, 1 / 1.1826458156486115e17},
	} {
		t.Run(fmt.Sprint(c), func(t *testing.T) {
			got := FisherGreater(c.a, c.nIn, c.b, c.nOut)
			assert.LessOrEqual(t, relErr(got, c.want), 1e-14, "got %v, want %v", got, c.want)
		})
	}
	// Tiny p-values stay positive while representable, and do not go NaN.
	p := FisherGreater(2000, 2000, 0, 8000000)
	assert.False(t, math.IsNaN(p))
	assert.GreaterOrEqual(t, p, 0.0)
}
