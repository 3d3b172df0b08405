package mining

import (
	"context"
	"fmt"
	"math/rand/v2"
	"testing"

	"github.com/failmodes/prime/internal/cputime"
)

var benchParams = Params{MinSize: 30, MinDrop: Ratio{1, 5}, MinMarginalDrop: Ratio{1, 20}, MaxTags: 3}

// benchMine mines classes once per iteration and reports, per iteration,
// the supports evaluated and the modes found.
func benchMine(b *testing.B, tn tuning, classes []*Class, p Params) {
	var mn Miner
	mn.m.tune = tn
	var eval, modes, tested int64
	cpu0 := int64(cputime.Process())
	for b.Loop() {
		eval, modes, tested = 0, 0, 0
		for _, c := range classes {
			res, err := mn.Mine(context.Background(), c, p)
			if err != nil {
				b.Fatal(err)
			}
			eval += res.Evaluated
			modes += int64(len(res.Modes))
			for _, s := range res.Tested {
				tested += s.Sets
			}
		}
	}
	// The machine is shared: CPU time is a steadier figure than wall time.
	b.ReportMetric(float64(int64(cputime.Process())-cpu0)/float64(b.N), "cpu-ns/op")
	b.ReportMetric(float64(eval), "evaluated/op")
	b.ReportMetric(float64(modes), "modes/op")
	b.ReportMetric(float64(tested), "tested/op")
	if modes == 0 {
		b.Fatal("no mode found: the workload plants some")
	}
}

// BenchmarkMine measures the search on synthetic classes shaped like tagged
// image data (see synthSpec), over records, tags per record and vocabulary
// size; "plain" is the complete level-wise search that fills Tested,
// "skip" the same with SkipTested. The evaluated/op metric is the number of
// supports counted: plain is what a level-wise Apriori search counts.
func BenchmarkMine(b *testing.B) {
	type shape struct {
		records, vocab, minTags, maxTags int
	}
	for _, sh := range []shape{
		{1300, 4585, 10, 25},
		{1300, 1000, 10, 25},
		{1300, 4585, 5, 10},
		{13000, 4585, 10, 25},
		{100000, 1000, 12, 12},
	} {
		c := synthClass(rand.New(rand.NewPCG(1, 1)), synthSpec{records: sh.records, vocab: sh.vocab, minTags: sh.minTags, maxTags: sh.maxTags, plant: 3})
		for _, k := range []int{3, 4} {
			for _, skip := range []bool{false, true} {
				p := benchParams
				p.MaxTags, p.SkipTested = k, skip
				name := fmt.Sprintf("records=%d/tags=%d-%d/vocab=%d/k=%d/%s", sh.records, sh.minTags, sh.maxTags, sh.vocab, k, mode(skip))
				b.Run(name, func(b *testing.B) { benchMine(b, defaultTuning, []*Class{c}, p) })
			}
		}
	}
}

func mode(skip bool) string {
	if skip {
		return "skip"
	}
	return "plain"
}

// BenchmarkMineCounting compares the two ways of counting supports on the
// same class, the measurement behind tuning's costs.
func BenchmarkMineCounting(b *testing.B) {
	for _, records := range []int{1300, 13000} {
		c := synthClass(rand.New(rand.NewPCG(1, 1)), synthSpec{records: records, vocab: 4585, minTags: 10, maxTags: 25, plant: 3})
		for _, tn := range tunings[:3] {
			b.Run(fmt.Sprintf("records=%d/count=%s", records, tn.name), func(b *testing.B) {
				benchMine(b, tn.t, []*Class{c}, benchParams)
			})
		}
	}
}

// imagenet draws the ImageNet-scale workload: classes of 1300 records over
// the 4,585-tag vocabulary of the RAM tagger, 10 to 25 tags per record.
func imagenet(classes int) []*Class {
	rng := rand.New(rand.NewPCG(2024, 1))
	cs := make([]*Class, classes)
	for i := range cs {
		cs[i] = synthClass(rng, synthSpec{records: 1300, vocab: 4585, minTags: 10, maxTags: 25, plant: 3})
	}
	return cs
}

// BenchmarkMineImageNet mines all 1000 classes of the ImageNet-scale
// workload, one after the other on one core.
func BenchmarkMineImageNet(b *testing.B) {
	cs := imagenet(1000)
	for _, k := range []int{3, 4} {
		for _, skip := range []bool{false, true} {
			p := benchParams
			p.MaxTags, p.SkipTested = k, skip
			b.Run(fmt.Sprintf("classes=1000/k=%d/%s", k, mode(skip)), func(b *testing.B) {
				benchMine(b, defaultTuning, cs, p)
			})
		}
	}
}

// BenchmarkMineLarge mines one class of a million records, 12 tags per
// record from a 1,000-tag vocabulary.
func BenchmarkMineLarge(b *testing.B) {
	for _, uniform := range []bool{false, true} {
		c := synthClass(rand.New(rand.NewPCG(3, 3)), synthSpec{records: 1000000, vocab: 1000, minTags: 12, maxTags: 12, plant: 3, uniform: uniform})
		dist := "zipf"
		if uniform {
			dist = "uniform"
		}
		for _, skip := range []bool{false, true} {
			p := benchParams
			p.SkipTested = skip
			b.Run(fmt.Sprintf("records=1000000/tags=12/vocab=1000/%s/k=3/%s", dist, mode(skip)), func(b *testing.B) {
				benchMine(b, defaultTuning, []*Class{c}, p)
			})
		}
	}
}
