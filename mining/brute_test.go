package mining

import (
	"fmt"
	"math/big"
	"math/rand/v2"
	"slices"

	"github.com/bits-and-blooms/bitset"
)

// brute is the failure-mode definition written out plainly: every set of 1
// to k tags is built, its records counted from scratch, and the three
// conditions decided with big.Rat. It also counts the candidates a plain
// level-wise search evaluates.
func brute(c *Class, p Params) *Result {
	res := &Result{}
	acc := func(correct, n int) *big.Rat { return big.NewRat(int64(correct), int64(n)) }
	records := func(tags []int) (n, correct int) {
		for r := 0; r < c.N; r++ {
			all := true
			for _, t := range tags {
				if c.Tags[t] == nil || !c.Tags[t].Test(uint(r)) {
					all = false
					break
				}
			}
			if all {
				n++
				if c.Correct != nil && c.Correct.Test(uint(r)) {
					correct++
				}
			}
		}
		return n, correct
	}
	total, totalCorrect := c.N, 0
	if c.Correct != nil {
		totalCorrect = int(c.Correct.Count())
	}
	rat := func(r Ratio) *big.Rat {
		if r == (Ratio{}) {
			return new(big.Rat)
		}
		return big.NewRat(r.Num, r.Den)
	}
	a, b := rat(p.MinDrop), rat(p.MinMarginalDrop)
	tested := map[[2]int]int64{}
	frequent := map[string]bool{}
	key := func(tags []int) string { return fmt.Sprint(tags) }
	for t := range c.Tags {
		if c.Tags[t] != nil {
			res.Evaluated++
		}
	}
	evalSet := func(tags []int) {
		{
			// A plain level-wise search counts sets whose subsets one tag
			// smaller are all frequent.
			if len(tags) > 1 {
				cand := true
				for i := range tags {
					sub := slices.Delete(slices.Clone(tags), i, i+1)
					if !frequent[key(sub)] {
						cand = false
					}
				}
				if cand {
					res.Evaluated++
				}
			}
			n, correct := records(tags)
			if n < p.MinSize {
				return // no superset is frequent either
			}
			frequent[key(tags)] = true
			tested[[2]int{n, correct}]++
			at := acc(correct, n)
			var base *big.Rat
			if p.Baseline == BaselineClass || n == total {
				base = acc(totalCorrect, total)
			} else {
				base = acc(totalCorrect-correct, total-n)
			}
			ok := new(big.Rat).Sub(base, at).Cmp(a) >= 0
			for mask := 1; ok && mask < 1<<len(tags)-1; mask++ {
				var sub []int
				for i, t := range tags {
					if mask&(1<<i) != 0 {
						sub = append(sub, t)
					}
				}
				sn, sc := records(sub)
				if new(big.Rat).Sub(acc(sc, sn), at).Cmp(b) < 0 {
					ok = false
				}
			}
			if ok {
				res.Modes = append(res.Modes, Mode{Tags: slices.Clone(tags), N: n, Correct: correct})
			}
		}
	}
	// Every set of each size in turn, so that the subsets of a set are
	// known to be frequent or not before the set is considered. A set
	// with a nil tag, or whose first tags are not frequent, is neither
	// frequent nor, having a subset that is not, a candidate: it is left
	// out.
	for size := 1; size <= p.MaxTags; size++ {
		var bySize func(tags []int, next int)
		bySize = func(tags []int, next int) {
			if len(tags) == size {
				evalSet(tags)
				return
			}
			if len(tags) > 0 && !frequent[key(tags)] {
				return
			}
			for t := next; t < len(c.Tags); t++ {
				if c.Tags[t] != nil {
					bySize(append(slices.Clone(tags), t), t+1)
				}
			}
		}
		bySize(nil, 0)
	}
	slices.SortFunc(res.Modes, func(x, y Mode) int {
		if len(x.Tags) != len(y.Tags) {
			return len(x.Tags) - len(y.Tags)
		}
		return slices.Compare(x.Tags, y.Tags)
	})
	for k, v := range tested {
		res.Tested = append(res.Tested, Support{N: k[0], Correct: k[1], Sets: v})
	}
	slices.SortFunc(res.Tested, func(x, y Support) int {
		if x.N != y.N {
			return x.N - y.N
		}
		return x.Correct - y.Correct
	})
	return res
}

// genCase is a random small class and parameters, with thresholds chosen
// so that exact ties are common.
type genCase struct {
	c *Class
	p Params
}

var ratios = []Ratio{{0, 1}, {1, 10}, {1, 5}, {1, 4}, {1, 3}, {1, 2}, {2, 3}, {1, 1}, {1, 20}}

func randomCase(rng *rand.Rand) genCase {
	n := rng.IntN(41)
	switch rng.IntN(10) {
	case 0:
		n = rng.IntN(3) // 0, 1 or 2 records
	case 1:
		n = 5 * (1 + rng.IntN(8)) // multiples of five: drops of exactly 0.2
	}
	ntags := 1 + rng.IntN(7)
	c := &Class{N: n, Tags: make([]*bitset.BitSet, ntags)}
	dens := make([]float64, ntags)
	for t := range dens {
		dens[t] = []float64{0.1, 0.3, 0.5, 0.7, 0.9, 1}[rng.IntN(6)]
	}
	for t := range c.Tags {
		if rng.IntN(8) == 0 {
			continue // nil: a tag no record carries
		}
		c.Tags[t] = bitset.New(uint(n))
	}
	mode := rng.IntN(4) // 0: mixed, 1: all correct, 2: all wrong, 3: tag-driven
	bad := rng.IntN(ntags)
	bad2 := rng.IntN(ntags)
	if rng.IntN(3) > 0 {
		c.Correct = bitset.New(uint(n))
	}
	for r := 0; r < n; r++ {
		for t, b := range c.Tags {
			if b != nil && rng.Float64() < dens[t] {
				b.Set(uint(r))
			}
		}
		if c.Correct == nil {
			continue
		}
		var ok bool
		switch mode {
		case 0:
			ok = rng.IntN(3) > 0
		case 1:
			ok = true
		case 2:
			ok = false
		case 3:
			hit := c.Tags[bad] != nil && c.Tags[bad].Test(uint(r)) && c.Tags[bad2] != nil && c.Tags[bad2].Test(uint(r))
			ok = rng.IntN(10) < 8 != hit
		}
		if ok {
			c.Correct.Set(uint(r))
		}
	}
	p := Params{
		MinSize:         1 + rng.IntN(max(1, n/3+1)),
		MinDrop:         ratios[rng.IntN(len(ratios))],
		MinMarginalDrop: ratios[rng.IntN(len(ratios))],
		MaxTags:         1 + rng.IntN(4),
		Baseline:        Baseline(rng.IntN(2)),
	}
	if rng.IntN(4) == 0 {
		p.MinMarginalDrop = Ratio{0, 1}
	}
	if rng.IntN(6) == 0 {
		p.MinSize = 1 + rng.IntN(n+2)
	}
	return genCase{c, p}
}
