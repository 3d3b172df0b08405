package synth

import (
	"cmp"
	"fmt"
	"math/rand/v2"
	"slices"

	"github.com/failmodes/prime"
)

// Report returns a Report of the shape of an ImageNet-scale run, for the
// tests and benchmarks of report writers: classes classes named like
// ImageNet's, of 1300 records each, modes failure modes over about seven
// in ten of them, tags from a 4,585-word vocabulary, prime.MaxExamples
// examples per mode whose images are at "<class>/<id>.png". The numbers
// are plausible, not mined. The same rng state gives the same Report.
func Report(classes, modes int, rng *rand.Rand) *prime.Report {
	r := &prime.Report{
		Options: prime.Options{MinSize: 30, MinDrop: 0.2, MinMarginalDrop: 0.05, MaxTags: 3, Baseline: prime.BaselineRest,
			FDR: 0.05, Bootstrap: 1000, Confidence: 0.95, Seed: 1},
		Records: classes * 1300, Tags: 4585, Evaluated: 40_000_000, Hypotheses: 3_500_000, Correction: "benjamini-hochberg",
	}
	for c := range classes {
		n := 1300
		correct := 700 + rng.IntN(550)
		r.Classes = append(r.Classes, prime.ClassSummary{Label: fmt.Sprintf("n%08d class %d", 1440764+c*1000, c),
			N: n, Correct: correct, Accuracy: float64(correct) / float64(n)})
	}
	withModes := max(1, classes*7/10)
	for range modes {
		c := &r.Classes[rng.IntN(withModes)*classes/withModes]
		c.Modes++
		k := 1 + rng.IntN(3)
		tags := make([]string, 0, k)
		for len(tags) < k {
			t := fmt.Sprintf("tag %04d", rng.IntN(4585))
			if !slices.Contains(tags, t) {
				tags = append(tags, t)
			}
		}
		slices.Sort(tags)
		n := 30 + rng.IntN(200)
		correct := rng.IntN(n / 2)
		acc := float64(correct) / float64(n)
		rest := float64(c.Correct-correct) / float64(c.N-n)
		m := prime.FailureMode{Label: c.Label, Tags: tags, N: n, Correct: correct, Accuracy: acc,
			RestAccuracy: rest, Drop: rest - acc, ClassN: c.N, ClassCorrect: c.Correct, ClassAccuracy: c.Accuracy,
			CI: &[2]float64{max(0, acc-0.12), min(1, acc+0.12)}, DropCI: &[2]float64{rest - acc - 0.13, rest - acc + 0.13},
			P: rng.Float64() * 1e-4, Q: rng.Float64() * 0.05}
		for e := range prime.MaxExamples {
			id := fmt.Sprintf("%s_%d", c.Label[:9], rng.IntN(1_000_000))
			m.Examples = append(m.Examples, prime.Example{ID: id, Image: c.Label[:9] + "/" + id + ".png",
				Predicted: "n00000000 other", Correct: e >= n-correct})
		}
		r.Modes = append(r.Modes, m)
	}
	slices.SortFunc(r.Modes, func(a, b prime.FailureMode) int {
		return cmp.Or(cmp.Compare(a.Label, b.Label), cmp.Compare(len(a.Tags), len(b.Tags)), slices.Compare(a.Tags, b.Tags))
	})
	return r
}
