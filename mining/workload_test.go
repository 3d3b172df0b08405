package mining_test

import (
	"context"
	"fmt"
	"sync/atomic"
	"testing"

	"github.com/bits-and-blooms/bitset"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/failmodes/prime"
	"github.com/failmodes/prime/internal/cputime"
	"github.com/failmodes/prime/internal/synth"
	"github.com/failmodes/prime/mining"
)

// settings are the co-occurrence settings of package synth, and the tags
// per record and vocabulary size around them: the shapes of data the
// search is tested and measured on.
var settings = []struct {
	name string
	cfg  synth.Config
}{
	{"default", synth.Config{}},
	{"clustered", synth.Config{Cluster: 0.9, TopicSize: 12}},
	{"unclustered", synth.Config{Cluster: -1}},
	{"skewed", synth.Config{Skew: 2}},
	{"flat", synth.Config{Skew: 0.5}},
	{"tags=5-10", synth.Config{MinTags: 5, MaxTags: 10}},
	{"tags=20-40", synth.Config{MinTags: 20, MaxTags: 40}},
	{"made-up tags", synth.Config{VocabularySize: 6000}},
}

// classes draws cfg's records and returns each class as a mining.Class
// holding the tags carried by at least minSize of its records, as
// prime.Analyze builds them: no other tag can be in a failure mode.
func classes(t testing.TB, cfg synth.Config, minSize int) []*mining.Class {
	t.Helper()
	var (
		out     []*mining.Class
		label   string
		rows    [][]int
		correct []bool
		ids     = map[string]int{}
	)
	flush := func() {
		if len(rows) == 0 {
			return
		}
		n := len(rows)
		count := make([]int, len(ids))
		for _, row := range rows {
			for _, t := range row {
				count[t]++
			}
		}
		c := &mining.Class{N: n, Correct: bitset.New(uint(n)), Tags: make([]*bitset.BitSet, len(ids))}
		for r, row := range rows {
			for _, t := range row {
				if count[t] >= minSize {
					if c.Tags[t] == nil {
						c.Tags[t] = bitset.New(uint(n))
					}
					c.Tags[t].Set(uint(r))
				}
			}
			if correct[r] {
				c.Correct.Set(uint(r))
			}
		}
		out = append(out, c)
		rows, correct = rows[:0], correct[:0]
	}
	_, err := synth.Generate(cfg, func(r *prime.Record) error {
		if r.Label != label {
			flush()
			label = r.Label
		}
		row := make([]int, len(r.Tags))
		for i, tag := range r.Tags {
			id, ok := ids[tag]
			if !ok {
				id = len(ids)
				ids[tag] = id
			}
			row[i] = id
		}
		rows = append(rows, row)
		correct = append(correct, r.IsCorrect())
		return nil
	})
	require.NoError(t, err)
	flush()
	return out
}

// eachSetting runs test on each of settings, named by it, with its
// config drawing n classes of lo to hi records, seeded with seed, seed+1,
// and so on.
func eachSetting(t *testing.T, n, lo, hi int, seed uint64, test func(t *testing.T, cfg synth.Config)) {
	for i, st := range settings {
		t.Run(st.name, func(t *testing.T) {
			cfg := st.cfg
			cfg.Classes, cfg.MinRecords, cfg.MaxRecords, cfg.Seed = n, lo, hi, seed+uint64(i)
			test(t, cfg)
		})
	}
}

// TestMineSynthMatchesBruteForce checks the search against the brute-force
// definition on small classes drawn in every setting, at several sizes,
// thresholds and baselines, and with every way of counting.
func TestMineSynthMatchesBruteForce(t *testing.T) {
	eachSetting(t, 3, 60, 120, 1, func(t *testing.T, cfg synth.Config) {
		cfg.MinModeSize, cfg.MaxModeSize = 10, 20
		if cfg.VocabularySize == 0 {
			cfg.VocabularySize = synth.MinVocabulary(max(cfg.MaxTags, synth.DefaultMaxTags), synth.DefaultModes) + 10
		}
		modes := 0
		for _, minSize := range []int{8, 15} {
			for ci, c := range classes(t, cfg, minSize) {
				for _, p := range []mining.Params{
					{MinSize: minSize, MinDrop: mining.Ratio{Num: 1, Den: 5}, MinMarginalDrop: mining.Ratio{Num: 1, Den: 20}, MaxTags: 3},
					{MinSize: 2 * minSize, MinDrop: mining.Ratio{Num: 1, Den: 10}, MaxTags: 4, Baseline: mining.BaselineClass},
				} {
					t.Run(fmt.Sprintf("s=%d/class=%d/k=%d", minSize, ci, p.MaxTags), func(t *testing.T) {
						mining.CheckAgainstBrute(t, c, p)
					})
					res, err := mining.Mine(context.Background(), c, p)
					require.NoError(t, err)
					modes += len(res.Modes)
				}
			}
		}
		assert.Positive(t, modes, "the classes have modes to find")
	})
}

// mineWay mines c counting supports the way mining.Ways[way] names.
func mineWay(t testing.TB, way int, c *mining.Class, p mining.Params) *mining.Result {
	t.Helper()
	res, err := mining.NewMinerCounting(way).Mine(context.Background(), c, p)
	require.NoError(t, err)
	return res
}

// TestWaysAgree checks on classes of every setting, too large for the
// brute force, that every way of counting finds the same.
func TestWaysAgree(t *testing.T) {
	eachSetting(t, 2, 600, 1000, 10, func(t *testing.T, cfg synth.Config) {
		for _, c := range classes(t, cfg, 15) {
			for _, base := range []mining.Baseline{mining.BaselineRest, mining.BaselineClass} {
				p := mining.Params{MinSize: 15, MinDrop: mining.Ratio{Num: 1, Den: 5}, MinMarginalDrop: mining.Ratio{Num: 1, Den: 20}, MaxTags: 4, Baseline: base}
				want := mineWay(t, 0, c, p)
				require.NotEmpty(t, want.Modes)
				for w, name := range mining.Ways[1:] {
					require.Equal(t, want, mineWay(t, w+1, c, p), name)
				}
			}
		}
	})
}

func TestContextCancelled(t *testing.T) {
	c := classes(t, synth.Config{Classes: 1, MinRecords: 1000, VocabularySize: 200, MinTags: 5, MaxTags: 12, Seed: 3}, 10)[0]
	p := mining.Params{MinSize: 10, MinDrop: mining.Ratio{Num: 1, Den: 5}, MinMarginalDrop: mining.Ratio{Num: 1, Den: 20}, MaxTags: 3}

	var ctx context.Context
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	_, err := mining.Mine(ctx, c, p)
	require.ErrorIs(t, err, context.Canceled)
	assert.Contains(t, err.Error(), "mining: ")

	// Cancelled midway: the search looks at the context between units of
	// work, and stops at the first look that finds it done.
	for _, after := range []int32{2, 5, 20} {
		ctx := &ctxAfter{Context: context.Background(), after: after}
		_, err := mining.Mine(ctx, c, p)
		require.ErrorIs(t, err, context.Canceled, "after %d", after)
		assert.Equal(t, after, ctx.calls.Load())
	}
	ctx = &ctxAfter{Context: context.Background(), after: 1 << 30}
	_, err = mining.Mine(ctx, c, p)
	require.NoError(t, err)
	assert.Greater(t, ctx.(*ctxAfter).calls.Load(), int32(20), "the search looks at the context often")
}

// ctxAfter is a context that is done from its after-th Err call on.
type ctxAfter struct {
	context.Context
	calls atomic.Int32
	after int32
}

func (c *ctxAfter) Err() error {
	if c.calls.Add(1) >= c.after {
		return context.Canceled
	}
	return nil
}

func TestDeterministic(t *testing.T) {
	cs := classes(t, synth.Config{Classes: 4, MinRecords: 500, MaxRecords: 800, VocabularySize: 300, MinTags: 5, MaxTags: 12, Seed: 5}, 20)
	p := mining.Params{MinSize: 20, MinDrop: mining.Ratio{Num: 1, Den: 5}, MinMarginalDrop: mining.Ratio{Num: 1, Den: 20}, MaxTags: 3}
	first, err := mining.Mine(context.Background(), cs[0], p)
	require.NoError(t, err)
	require.NotEmpty(t, first.Modes)
	var mn mining.Miner // one Miner, reused: no state leaks from one call to the next
	for _, other := range cs[1:] {
		again, err := mn.Mine(context.Background(), cs[0], p)
		require.NoError(t, err)
		require.Equal(t, first, again)
		_, err = mn.Mine(context.Background(), other, p)
		require.NoError(t, err)
	}
	// Concurrent calls on the same class agree.
	results := make(chan *mining.Result, 4)
	for range 4 {
		go func() {
			res, err := mining.Mine(context.Background(), cs[0], p)
			if err != nil {
				res = nil
			}
			results <- res
		}()
	}
	for range 4 {
		require.Equal(t, first, <-results)
	}
}

var benchParams = mining.Params{MinSize: 30, MinDrop: mining.Ratio{Num: 1, Den: 5}, MinMarginalDrop: mining.Ratio{Num: 1, Den: 20}, MaxTags: 3}

// benchMine mines classes once per iteration, counting supports the way
// mining.Ways[way] names, and reports per iteration the tag sets counted
// (evaluated/op), the frequent ones (tested/op) and the modes found.
func benchMine(b *testing.B, way int, classes []*mining.Class, p mining.Params) {
	mn := mining.NewMinerCounting(way)
	var eval, modes, tested int64
	cpu := cputime.Process()
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
	// The machine is shared: processor time is a steadier figure than wall
	// time.
	b.ReportMetric(float64(cputime.Process()-cpu)/float64(b.N), "cpu-ns/op")
	b.ReportMetric(float64(eval), "evaluated/op")
	b.ReportMetric(float64(modes), "modes/op")
	b.ReportMetric(float64(tested), "tested/op")
}

// BenchmarkMine measures the search, on one core, by way of counting: on
// 100 classes of 1300 records (a tenth of the ImageNet scale) of every
// setting, on 10 classes of 13,000 records, and on the one large class of
// prime synth -classes 1 -records 1000000 -tags 1000 -min-tags 12
// -max-tags 12 (1,000,000 records, 12 tags each from 1,000), at s = 30,
// k = 3.
func BenchmarkMine(b *testing.B) {
	type workload struct {
		name string
		cfg  synth.Config
	}
	var ws []workload
	for _, st := range settings {
		cfg := st.cfg
		cfg.Classes, cfg.MinRecords, cfg.Seed = 100, 1300, 1
		if cfg.VocabularySize != 0 {
			cfg.VocabularySize = 20000
		}
		ws = append(ws, workload{"records=1300/" + st.name, cfg})
	}
	ws = append(ws,
		workload{"records=13000", synth.Config{Classes: 10, MinRecords: 13000, Seed: 1}},
		workload{"records=1000000", synth.Config{Classes: 1, MinRecords: 1000000, VocabularySize: 1000, MinTags: 12, MaxTags: 12, Seed: 1}},
	)
	for _, w := range ws {
		var cs []*mining.Class
		for way, name := range mining.Ways {
			b.Run(w.name+"/count="+name, func(b *testing.B) {
				if cs == nil {
					cs = classes(b, w.cfg, benchParams.MinSize)
				}
				benchMine(b, way, cs, benchParams)
			})
		}
	}
}
