package mining

import (
	"context"
	"fmt"
	"math/rand/v2"
	"testing"

	"github.com/bits-and-blooms/bitset"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// ways are the ways of counting a test runs the search with: the cost
// model's choice, bitsets only, tables only.
var ways = []struct {
	name string
	way  counting
}{
	{"by cost", byCost},
	{"bitsets", byBits},
	{"tables", byTables},
}

func mineWith(t testing.TB, way counting, c *Class, p Params) *Result {
	t.Helper()
	mn := Miner{way: way}
	res, err := mn.Mine(context.Background(), c, p)
	require.NoError(t, err)
	return res
}

// checkAgainstBrute compares every way of mining c with the brute-force
// definition: modes, tested sets and evaluated count.
func checkAgainstBrute(t testing.TB, c *Class, p Params) {
	t.Helper()
	want := brute(c, p)
	for _, w := range ways {
		got := mineWith(t, w.way, c, p)
		require.Equal(t, want.Modes, nilIfEmpty(got.Modes), "modes, %s, %+v", w.name, p)
		require.Equal(t, want.Tested, nilIfEmpty(got.Tested), "tested, %s, %+v", w.name, p)
		require.Equal(t, want.Evaluated, got.Evaluated, "evaluated, %s, %+v", w.name, p)
	}
}

func nilIfEmpty[T any](s []T) []T {
	if len(s) == 0 {
		return nil
	}
	return s
}

func TestMineMatchesBruteForce(t *testing.T) {
	rng := rand.New(rand.NewPCG(1, 2))
	modes := 0
	for i := 0; i < 600; i++ {
		g := randomCase(rng)
		t.Run(fmt.Sprint(i), func(t *testing.T) {
			checkAgainstBrute(t, g.c, g.p)
		})
		modes += len(brute(g.c, g.p).Modes)
	}
	// The inputs must exercise the conditions, not only find nothing.
	assert.Greater(t, modes, 300)
}

// classOf builds a class from rows: each row is the record's tags, and
// correct lists whether each record is right.
func classOf(ntags int, rows [][]int, correct []bool) *Class {
	c := &Class{N: len(rows), Correct: bitset.New(uint(len(rows))), Tags: make([]*bitset.BitSet, ntags)}
	for r, tags := range rows {
		for _, t := range tags {
			if c.Tags[t] == nil {
				c.Tags[t] = bitset.New(uint(len(rows)))
			}
			c.Tags[t].Set(uint(r))
		}
		if correct[r] {
			c.Correct.Set(uint(r))
		}
	}
	return c
}

// repeat returns n copies of row and of ok.
func repeat(n int, row []int, ok bool, rows [][]int, correct []bool) ([][]int, []bool) {
	for i := 0; i < n; i++ {
		rows = append(rows, row)
		correct = append(correct, ok)
	}
	return rows, correct
}

func TestExactThresholds(t *testing.T) {
	// Tag 0 on 10 records, 5 correct (A_T = 0.5); the other 10 records
	// are 7 correct (A_R = 0.7). In floats 0.7 − 0.5 < 0.2; exactly it is
	// 0.2 and meets a = 1/5.
	var rows [][]int
	var correct []bool
	rows, correct = repeat(5, []int{0}, true, rows, correct)
	rows, correct = repeat(5, []int{0}, false, rows, correct)
	rows, correct = repeat(7, []int{1}, true, rows, correct)
	rows, correct = repeat(3, []int{1}, false, rows, correct)
	c := classOf(2, rows, correct)
	hi, lo := 0.7, 0.5
	require.Less(t, hi-lo, 0.2, "in floats the drop falls short")
	tests := []struct {
		name  string
		p     Params
		modes []Mode
	}{
		{"rest, exactly a", Params{MinSize: 10, MinDrop: Ratio{1, 5}, MaxTags: 1}, []Mode{{Tags: []int{0}, N: 10, Correct: 5}}},
		{"rest, just above a", Params{MinSize: 10, MinDrop: Ratio{200001, 1000000}, MaxTags: 1}, nil},
		{"class, exactly a", Params{MinSize: 10, MinDrop: Ratio{1, 10}, MaxTags: 1, Baseline: BaselineClass}, []Mode{{Tags: []int{0}, N: 10, Correct: 5}}},
		{"class, above a", Params{MinSize: 10, MinDrop: Ratio{1, 5}, MaxTags: 1, Baseline: BaselineClass}, nil},
		{"size not met", Params{MinSize: 11, MinDrop: Ratio{1, 5}, MaxTags: 1}, nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			res, err := Mine(context.Background(), c, tt.p)
			require.NoError(t, err)
			assert.Equal(t, tt.modes, nilIfEmpty(res.Modes))
			checkAgainstBrute(t, c, tt.p)
		})
	}
}

func TestMinimalityExact(t *testing.T) {
	// Tag 0 alone: 20 records, 14 correct (0.7). Tags 0 and 1: 10 records,
	// 5 correct (0.5). Tag 1 alone: 20 records, 11 correct (0.55).
	// {0, 1} is 0.2 below tag 0 and 0.05 below tag 1.
	var rows [][]int
	var correct []bool
	rows, correct = repeat(5, []int{0, 1}, true, rows, correct)
	rows, correct = repeat(5, []int{0, 1}, false, rows, correct)
	rows, correct = repeat(9, []int{0}, true, rows, correct)
	rows, correct = repeat(1, []int{0}, false, rows, correct)
	rows, correct = repeat(6, []int{1}, true, rows, correct)
	rows, correct = repeat(4, []int{1}, false, rows, correct)
	rows, correct = repeat(20, []int{}, true, rows, correct)
	c := classOf(2, rows, correct)
	pair := Mode{Tags: []int{0, 1}, N: 10, Correct: 5}
	tests := []struct {
		name string
		b    Ratio
		want bool
	}{
		{"b met exactly", Ratio{1, 20}, true},
		{"b zero", Ratio{0, 1}, true},
		{"b just above", Ratio{51, 1000}, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			p := Params{MinSize: 10, MinDrop: Ratio{1, 5}, MinMarginalDrop: tt.b, MaxTags: 2}
			res, err := Mine(context.Background(), c, p)
			require.NoError(t, err)
			assert.Equal(t, tt.want, containsMode(res.Modes, pair), "%v", res.Modes)
			checkAgainstBrute(t, c, p)
		})
	}
}

func containsMode(ms []Mode, m Mode) bool {
	for _, x := range ms {
		if fmt.Sprint(x) == fmt.Sprint(m) {
			return true
		}
	}
	return false
}

func TestEdgeClasses(t *testing.T) {
	p := Params{MinSize: 1, MinDrop: Ratio{0, 1}, MinMarginalDrop: Ratio{0, 1}, MaxTags: 3}
	full := bitset.New(3).Set(0).Set(1).Set(2)
	tests := []struct {
		name string
		c    *Class
	}{
		{"no records", &Class{N: 0, Tags: []*bitset.BitSet{bitset.New(0), nil}}},
		{"one record", classOf(2, [][]int{{0, 1}}, []bool{false})},
		{"all correct", classOf(2, [][]int{{0, 1}, {0}, {1}}, []bool{true, true, true})},
		{"all wrong, nil Correct", &Class{N: 3, Tags: []*bitset.BitSet{full, full}}},
		{"every tag on every record", &Class{N: 3, Correct: bitset.New(3).Set(1), Tags: []*bitset.BitSet{full, full, full}}},
		{"no tags", &Class{N: 5, Correct: bitset.New(5)}},
		{"short bitsets", &Class{N: 200, Correct: bitset.New(1).Set(0), Tags: []*bitset.BitSet{bitset.New(1).Set(0), bitset.New(0)}}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			for _, base := range []Baseline{BaselineRest, BaselineClass} {
				q := p
				q.Baseline = base
				checkAgainstBrute(t, tt.c, q)
			}
		})
	}
}

func TestParamsValidation(t *testing.T) {
	good := Params{MinSize: 1, MinDrop: Ratio{1, 5}, MinMarginalDrop: Ratio{1, 20}, MaxTags: 3}
	tests := []struct {
		name  string
		edit  func(*Params)
		field string
	}{
		{"size zero", func(p *Params) { p.MinSize = 0 }, "MinSize"},
		{"size negative", func(p *Params) { p.MinSize = -3 }, "MinSize"},
		{"tags zero", func(p *Params) { p.MaxTags = 0 }, "MaxTags"},
		{"drop above one", func(p *Params) { p.MinDrop = Ratio{3, 2} }, "MinDrop"},
		{"drop negative", func(p *Params) { p.MinDrop = Ratio{-1, 5} }, "MinDrop"},
		{"drop zero denominator", func(p *Params) { p.MinDrop = Ratio{1, 0} }, "MinDrop"},
		{"marginal above one", func(p *Params) { p.MinMarginalDrop = Ratio{6, 5} }, "MinMarginalDrop"},
		{"marginal negative denominator", func(p *Params) { p.MinMarginalDrop = Ratio{1, -5} }, "MinMarginalDrop"},
		{"baseline", func(p *Params) { p.Baseline = 7 }, "Baseline"},
	}
	c := &Class{N: 1}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			p := good
			tt.edit(&p)
			_, err := Mine(context.Background(), c, p)
			require.ErrorIs(t, err, ErrParams)
			assert.Contains(t, err.Error(), tt.field)
			assert.Regexp(t, `\[|BaselineRest`, err.Error(), "the message names the accepted values")
		})
	}
	_, err := Mine(context.Background(), c, good)
	require.NoError(t, err)
}

func TestClassValidation(t *testing.T) {
	p := Params{MinSize: 1, MinDrop: Ratio{1, 5}, MaxTags: 2}
	tests := []struct {
		name string
		c    *Class
		msg  string
	}{
		{"nil class", nil, "nil Class"},
		{"negative N", &Class{N: -1}, "Class.N -1"},
		{"N too large", &Class{N: MaxRecords + 1}, "Class.N"},
		{"correct beyond N", &Class{N: 3, Correct: bitset.New(10).Set(3)}, "Class.Correct has record 3"},
		{"tag beyond N in the last word", &Class{N: 70, Tags: []*bitset.BitSet{nil, bitset.New(80).Set(75)}}, "Class.Tags[1] has record 75"},
		{"tag beyond N in a later word", &Class{N: 10, Tags: []*bitset.BitSet{bitset.New(300).Set(200)}}, "Class.Tags[0] has record 200"},
		{"zero records, a bit set", &Class{N: 0, Tags: []*bitset.BitSet{bitset.New(1).Set(0)}}, "record 0"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := Mine(context.Background(), tt.c, p)
			require.Error(t, err)
			assert.Contains(t, err.Error(), tt.msg)
			assert.Contains(t, err.Error(), "mining: ")
		})
	}
}

// shared is a class of n records that all carry the same tags, every third
// one wrong: every set of its tags is frequent.
func shared(n, tags int) *Class {
	c := &Class{N: n, Correct: bitset.New(uint(n)), Tags: make([]*bitset.BitSet, tags)}
	for t := range c.Tags {
		c.Tags[t] = bitset.New(uint(n))
		for r := range n {
			c.Tags[t].Set(uint(r))
		}
	}
	for r := range n {
		if r%3 != 0 {
			c.Correct.Set(uint(r))
		}
	}
	return c
}

func TestMemoryLimit(t *testing.T) {
	p := Params{MinSize: 5, MinDrop: Ratio{1, 5}, MinMarginalDrop: Ratio{1, 20}, MaxTags: 3}
	allModes := Params{MinSize: 5, MaxTags: 3} // a drop of 0 meets a = 0: every set is a mode
	tests := []struct {
		name  string
		c     *Class
		p     Params
		limit int64
		want  *LimitError // nil: the search ends
	}{
		{"pairs to keep", shared(40, 60), p, 40 << 10, &LimitError{Tags: 2, Sets: 1770, Bytes: (60 + 1770) * setBytes, Limit: 40 << 10}},
		{"pairs fit, triples are not kept", shared(40, 60), p, 60 << 10, nil},
		{"triples to keep", shared(40, 30), Params{MinSize: 5, MaxTags: 4, MinDrop: Ratio{1, 5}}, 50 << 10,
			&LimitError{Tags: 3, Sets: 4060, Bytes: (30 + 435 + 4060) * setBytes, Limit: 50 << 10}},
		// 30 modes of one tag and 435 of two, then 30 and 435 sets kept,
		// take 72,060 bytes; 211 modes of three tags more pass 100 KiB.
		{"modes", shared(40, 30), allModes, 100 << 10, &LimitError{Modes: true, Sets: 30 + 435 + 211}},
		{"no limit", shared(40, 30), allModes, 0, nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			q := tt.p
			q.MemoryLimit = tt.limit
			for _, w := range ways {
				res, err := mineWithErr(w.way, tt.c, q)
				if tt.want == nil {
					require.NoError(t, err)
					want := brute(tt.c, tt.p)
					require.Equal(t, want.Modes, nilIfEmpty(res.Modes), w.name)
					require.Equal(t, want.Tested, nilIfEmpty(res.Tested), w.name)
					continue
				}
				var le *LimitError
				require.ErrorAs(t, err, &le, w.name)
				if tt.want.Modes {
					// The modes are found one by one: the error comes with the
					// first that does not fit.
					assert.True(t, le.Modes)
					assert.Equal(t, tt.want.Sets, le.Sets, w.name)
					assert.Greater(t, le.Bytes, tt.limit)
					assert.Contains(t, err.Error(), "failure modes found so far")
					continue
				}
				assert.Equal(t, tt.want, le, w.name)
				assert.Regexp(t, `^mining: the search would keep up to \d+ sets of \d tags, [\d.]+ KiB|MiB`, err.Error())
			}
		})
	}
}

func mineWithErr(way counting, c *Class, p Params) (*Result, error) {
	mn := Miner{way: way}
	return mn.Mine(context.Background(), c, p)
}
