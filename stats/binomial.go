package stats

import (
	"math"
	"math/rand/v2"

	"gonum.org/v1/gonum/stat/distuv"
)

// maxTableSD is the largest standard deviation for which binomialSampler
// tabulates the distribution. The table then spans about 20 standard
// deviations (at most some 60,000 entries); beyond, the sampler falls back
// on gonum's rejection method.
const maxTableSD = 3000

// tableCut is where the tabulated probabilities stop, relative to the
// probability of the mode. The mass left out on each side is below
// 1e-17 of the total, under the resolution of a float64 uniform variate,
// so inversion over the table draws from the exact distribution as far as
// float64 arithmetic can tell.
const tableCut = 1e-20

// A binomialSampler draws exact Binomial(n, c/n) variates from one
// *rand.Rand. Its method is fixed by n and c alone, so the variates are a
// function of the generator's state.
type binomialSampler struct {
	rng   *rand.Rand
	fixed int // the only value when c is 0 or n; -1 otherwise

	// Inversion by table: cdf[i] is the unnormalised probability of
	// lo, …, lo+i; guide[j] is the first i whose cdf[i] exceeds
	// j·total/len(guide) (Chen and Asau's index table).
	lo    int
	cdf   []float64
	guide []int32
	total float64
	scale float64 // len(guide) / total

	dist distuv.Binomial // the fallback when the table would be too wide
	wide bool
}

// newBinomialSampler returns a sampler of Binomial(n, c/n), 0 ≤ c ≤ n.
func newBinomialSampler(rng *rand.Rand, n, c int) *binomialSampler {
	s := &binomialSampler{rng: rng, fixed: -1}
	if c == 0 || c == n {
		s.fixed = c
		return s
	}
	p := float64(c) / float64(n)
	q := float64(n-c) / float64(n)
	if math.Sqrt(float64(n)*p*q) > maxTableSD {
		s.wide = true
		s.dist = distuv.Binomial{N: float64(n), P: p, Src: rng}
		return s
	}
	// Probabilities relative to the mode, by the ratio of neighbours:
	// f(k+1)/f(k) = (n−k)/(k+1) · p/q.
	mode := int(math.Floor(float64(n+1) * p))
	if mode > n {
		mode = n
	}
	pq, qp := p/q, q/p
	var f []float64
	v := 1.0
	for k := mode; k > 0; k-- { // below the mode, collected downwards
		v *= float64(k) / float64(n-k+1) * qp
		if v < tableCut {
			break
		}
		f = append(f, v)
	}
	below := len(f)
	for i, j := 0, below-1; i < j; i, j = i+1, j-1 {
		f[i], f[j] = f[j], f[i]
	}
	f = append(f, 1)
	v = 1
	for k := mode; k < n; k++ {
		v *= float64(n-k) / float64(k+1) * pq
		if v < tableCut {
			break
		}
		f = append(f, v)
	}
	s.lo = mode - below
	sum := 0.0
	for i, x := range f {
		sum += x
		f[i] = sum
	}
	s.cdf, s.total = f, sum
	s.guide = make([]int32, len(f))
	s.scale = float64(len(f)) / sum
	i := 0
	for j := range s.guide {
		t := float64(j) / s.scale
		for i < len(f)-1 && f[i] <= t {
			i++
		}
		s.guide[j] = int32(i)
	}
	return s
}

// draw returns one variate.
func (s *binomialSampler) draw() int {
	switch {
	case s.fixed >= 0:
		return s.fixed
	case s.wide:
		return int(s.dist.Rand())
	}
	u := s.rng.Float64() * s.total
	j := int(u * s.scale)
	if j >= len(s.guide) {
		j = len(s.guide) - 1
	}
	i := int(s.guide[j])
	last := len(s.cdf) - 1
	for i < last && s.cdf[i] <= u {
		i++
	}
	for i > 0 && s.cdf[i-1] > u { // only when rounding put j one too far
		i--
	}
	return s.lo + i
}
