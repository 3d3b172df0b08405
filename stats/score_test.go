package stats

import (
	"math"
	"math/rand/v2"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// TestRestricted checks Farrington and Manning's closed form against the
// likelihood equation solved by bisection, on random tables of every size.
func TestRestricted(t *testing.T) {
	rng := rand.New(rand.NewPCG(21, 22))
	for trial := range 3000 {
		n1 := 1 + rng.IntN(200)
		n0 := 1 + rng.IntN(2000)
		if trial%10 == 0 {
			n1, n0 = 1+rng.IntN(1_000_000), 1+rng.IntN(10_000_000)
		}
		c1, c0 := rng.IntN(n1+1), rng.IntN(n0+1)
		d := []float64{0.05, 0.2, 0.5, 0.9, rng.Float64() * 0.99}[trial%5]
		r1, r0 := restricted(float64(c1), float64(n1), float64(c0), float64(n0), d)
		require.InDelta(t, d, r1-r0, 1e-12, "constraint")
		require.True(t, r0 >= 0 && r1 <= 1, "rates %v, %v in range", r0, r1)
		want := restrictedBisect(float64(c1), float64(n1), float64(c0), float64(n0), d)
		require.InDelta(t, want, r0, 1e-9, "%d/%d against %d/%d, margin %v", c1, n1, c0, n0, d)
	}
}

func TestScoreGreater(t *testing.T) {
	// The observed difference equal to the margin: z = 0, p = 1/2.
	assert.InDelta(t, 0.5, ScoreGreater(15, 30, 3, 30, 0.4), 1e-15)
	// No group, no rest, or a margin no difference exceeds: nothing to test.
	assert.Equal(t, 1.0, ScoreGreater(0, 0, 3, 30, 0.2))
	assert.Equal(t, 1.0, ScoreGreater(3, 30, 0, 0, 0.2))
	assert.Equal(t, 1.0, ScoreGreater(30, 30, 0, 30, 1))
	assert.Equal(t, 1.0, ScoreGreater(30, 30, 0, 30, 1.5))
	// Every record right, or every one wrong, with margin 0: equal rates.
	assert.Equal(t, 1.0, ScoreGreater(0, 30, 0, 300, 0))
	assert.Equal(t, 1.0, ScoreGreater(30, 30, 300, 300, 0))

	// The p-value grows with the margin and falls as the group's errors
	// grow; a larger margin asks for more than a smaller one.
	prev := 0.0
	for _, margin := range []float64{0, 0.05, 0.1, 0.2, 0.3, 0.5, 0.7, 0.9} {
		p := ScoreGreater(25, 50, 100, 1000, margin)
		require.GreaterOrEqual(t, p, prev, "margin %v", margin)
		prev = p
	}
	prev = 1
	for wrong := range 51 {
		p := ScoreGreater(wrong, 50, 100, 1000, 0.2)
		require.LessOrEqual(t, p, prev, "%d errors", wrong)
		prev = p
	}
}

// TestScoreGreaterSize checks the test's level by simulation: where the
// true drop is exactly the margin, the share of groups with p ≤ 0.05 is
// near 0.05 (the score test is asymptotic; with a group of 50 it stays
// within a point and a half), and where the true drop is below the margin
// it is smaller still.
func TestScoreGreaterSize(t *testing.T) {
	const groups = 4000
	rng := rand.New(rand.NewPCG(23, 24))
	for _, c := range []struct {
		nIn, nOut        int
		errIn, errOut, d float64
		max              float64
	}{
		{50, 950, 0.45, 0.15, 0.3, 0.065},
		{200, 1100, 0.4, 0.2, 0.2, 0.065},
		{50, 950, 0.3, 0.15, 0.3, 0.01}, // true difference 0.15, below the margin
	} {
		rejected := 0
		for range groups {
			wIn, wOut := 0, 0
			for range c.nIn {
				if rng.Float64() < c.errIn {
					wIn++
				}
			}
			for range c.nOut {
				if rng.Float64() < c.errOut {
					wOut++
				}
			}
			if ScoreGreater(wIn, c.nIn, wOut, c.nOut, c.d) <= 0.05 {
				rejected++
			}
		}
		share := float64(rejected) / groups
		t.Logf("%+v: %.4f rejected at 0.05", c, share)
		assert.LessOrEqual(t, share, c.max)
		if math.Abs(c.errIn-c.errOut-c.d) < 1e-12 {
			assert.GreaterOrEqual(t, share, 0.035, "not far below the level either")
		}
	}
}
