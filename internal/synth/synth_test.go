package synth

import (
	"bytes"
	"errors"
	"math"
	"math/bits"
	"runtime"
	"slices"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/failmodes/prime"
)

// The failure-mode definition's defaults, as exact fractions.
const (
	minSize = 30
	aNum    = 1 // a = 1/5
	aDen    = 5
	bNum    = 1 // b = 1/20
	bDen    = 20
)

// class is one class's records, kept for checking: a bitset of records
// for each tag and one of the correct records.
type class struct {
	n       int
	tags    map[int][]uint64
	correct []uint64
}

func setBit(b []uint64, i int) []uint64 {
	for len(b) <= i/64 {
		b = append(b, 0)
	}
	b[i/64] |= 1 << (i % 64)
	return b
}

// workload is what a test keeps of a generated file.
type workload struct {
	classes map[string]*class
	tagID   map[string]int
	tagName []string
	records int
	ids     map[string]bool
}

func collect(t *testing.T, cfg Config) (*workload, []Planted) {
	t.Helper()
	w := &workload{classes: map[string]*class{}, tagID: map[string]int{}, ids: map[string]bool{}}
	planted, err := Generate(cfg, func(r *prime.Record) error {
		if w.ids[r.ID] {
			return errors.New("repeated id " + r.ID)
		}
		w.ids[r.ID] = true
		c := w.classes[r.Label]
		if c == nil {
			c = &class{tags: map[int][]uint64{}}
			w.classes[r.Label] = c
		}
		i := c.n
		c.n++
		for _, tag := range r.Tags {
			id, ok := w.tagID[tag]
			if !ok {
				id = len(w.tagName)
				w.tagID[tag] = id
				w.tagName = append(w.tagName, tag)
			}
			b := c.tags[id]
			if len(b) > i/64 && b[i/64]&(1<<(i%64)) != 0 {
				return errors.New("repeated tag " + tag + " in " + r.ID)
			}
			c.tags[id] = setBit(b, i)
		}
		if r.IsCorrect() {
			c.correct = setBit(c.correct, i)
		}
		w.records++
		return nil
	})
	require.NoError(t, err)
	return w, planted
}

// count returns the records of c carrying every tag of ids and the correct
// ones among them.
func (c *class) count(ids []int) (n, correct int) {
	for wi := range (c.n + 63) / 64 {
		x := ^uint64(0)
		if wi == c.n/64 {
			x = 1<<(c.n%64) - 1
		}
		for _, id := range ids {
			b := c.tags[id]
			if wi >= len(b) {
				x = 0
				break
			}
			x &= b[wi]
		}
		n += bits.OnesCount64(x)
		if wi < len(c.correct) {
			correct += bits.OnesCount64(x & c.correct[wi])
		}
	}
	return n, correct
}

// support returns the number of records carrying each tag.
func (c *class) support() map[int]int {
	s := map[int]int{}
	for id := range c.tags {
		s[id], _ = c.count([]int{id})
	}
	return s
}

func (c *class) total() (n, correct int) { return c.count(nil) }

// atLeast reports c1/n1 − c2/n2 ≥ num/den, exactly.
func atLeast(c1, n1, c2, n2 int, num, den int64) bool {
	return (int64(c1)*int64(n2)-int64(c2)*int64(n1))*den >= num*int64(n1)*int64(n2)
}

// verdict is the failure-mode definition applied to one tag set, written
// plainly from its statement.
type verdict struct {
	n, correct   int
	size, drop   bool
	minimal      bool // every proper non-empty subset at least b more accurate
	restN, restC int
}

func (v verdict) mode() bool { return v.size && v.drop && v.minimal }

func (c *class) judge(ids []int) verdict {
	N, C := c.total()
	n, k := c.count(ids)
	v := verdict{n: n, correct: k, size: n >= minSize, restN: N - n, restC: C - k}
	if n == 0 {
		return v
	}
	rn, rc := N-n, C-k
	if rn == 0 {
		rn, rc = N, C
	}
	v.drop = atLeast(rc, rn, k, n, aNum, aDen)
	v.minimal = true
	for m := 1; m < 1<<len(ids)-1; m++ {
		var sub []int
		for i, id := range ids {
			if m&(1<<i) != 0 {
				sub = append(sub, id)
			}
		}
		sn, sc := c.count(sub)
		if !atLeast(sc, sn, k, n, bNum, bDen) {
			v.minimal = false
		}
	}
	return v
}

func (w *workload) tagIDs(t *testing.T, tags []string) []int {
	t.Helper()
	out := make([]int, len(tags))
	for i, tag := range tags {
		id, ok := w.tagID[tag]
		require.True(t, ok, "tag %q of a planted set in no record", tag)
		out[i] = id
	}
	return out
}

func TestRAMTags(t *testing.T) {
	tags := RAMTags()
	require.Len(t, tags, 4585)
	assert.Equal(t, "3D CG rendering", tags[0])
	assert.Equal(t, "zoo", tags[len(tags)-1])
	seen := map[string]bool{}
	for _, tag := range tags {
		assert.NotEmpty(t, tag)
		assert.Equal(t, strings.TrimSpace(tag), tag)
		assert.False(t, seen[tag], "repeated tag %q", tag)
		seen[tag] = true
	}
	tags[0] = "changed"
	assert.Equal(t, "3D CG rendering", RAMTags()[0], "RAMTags returns a new slice")
}

func encode(t *testing.T, cfg Config) ([]byte, []Planted) {
	t.Helper()
	var buf bytes.Buffer
	w := prime.NewRecordWriter(&buf)
	planted, err := Generate(cfg, w.Write)
	require.NoError(t, err)
	require.NoError(t, w.Flush())
	return buf.Bytes(), planted
}

func TestDeterministic(t *testing.T) {
	tests := []struct {
		name string
		cfg  Config
	}{
		{"default", Config{Classes: 4, MinRecords: 300, MaxRecords: 700, Seed: 1}},
		{"null", Config{Classes: 3, MinRecords: 300, Null: true, Seed: 1}},
		{"small vocabulary", Config{Classes: 3, MinRecords: 500, VocabularySize: 200, Seed: 7}},
		{"classes of several chunks", Config{Classes: 2, MinRecords: 4500, MaxRecords: 9000, Modes: 1, MinTags: 3, MaxTags: 5, Seed: 2}},
		{"clustered", Config{Classes: 3, MinRecords: 500, Cluster: 0.9, TopicSize: 12, Seed: 3}},
		{"skewed, no topics", Config{Classes: 3, MinRecords: 500, Cluster: -1, Skew: 2, Seed: 4}},
		{"made-up tags", Config{Classes: 3, MinRecords: 500, VocabularySize: 20000, Seed: 5}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			a, pa := encode(t, tt.cfg)
			b, pb := encode(t, tt.cfg)
			require.Equal(t, a, b, "same seed, same bytes")
			require.Equal(t, pa, pb)
			// Whatever the number of workers.
			procs := runtime.GOMAXPROCS(1)
			c1, p1 := encode(t, tt.cfg)
			runtime.GOMAXPROCS(procs)
			require.Equal(t, a, c1, "one worker, same bytes")
			require.Equal(t, pa, p1)
			other := tt.cfg
			other.Seed++
			c, _ := encode(t, other)
			require.NotEqual(t, a, c, "another seed, other records")
			min := tt.cfg.Classes * max(tt.cfg.MinRecords, 1)
			assert.GreaterOrEqual(t, bytes.Count(a, []byte("\n")), min)
		})
	}
}

func TestPlantedAreFailureModes(t *testing.T) {
	tests := []struct {
		name     string
		cfg      Config
		atLeast  int   // planted modes expected at least
		sizes    []int // tag counts expected among them
		maxExtra int   // most unintended modes with a planted tag
	}{
		{"default", Config{Classes: 6, Seed: 1}, 15, []int{1, 2, 3}, 1},
		{"imagenet-sized classes", Config{Classes: 6, MinRecords: 1300, Seed: 9}, 18, []int{1, 2, 3}, 1},
		{"record range", Config{Classes: 6, MinRecords: 400, MaxRecords: 1300, Seed: 3}, 10, []int{1, 2, 3}, 1},
		{"small classes", Config{Classes: 6, MinRecords: 400, Seed: 4}, 8, []int{1, 2}, 1},
		{"few tags", Config{Classes: 4, MinTags: 3, MaxTags: 6, Seed: 5}, 10, []int{1, 2, 3}, 1},
		{"small vocabulary", Config{Classes: 4, VocabularySize: 300, Seed: 6}, 10, []int{1, 2, 3}, 4},
		{"one mode", Config{Classes: 6, Modes: 1, Seed: 10}, 6, []int{1, 2, 3}, 1},
		{"two modes", Config{Classes: 3, Modes: 2, Seed: 11}, 5, []int{1, 2, 3}, 1},
		{"six modes", Config{Classes: 2, MinRecords: 2500, Modes: 6, Seed: 7}, 12, []int{1, 2, 3}, 1},
		{"strong modes", Config{Classes: 3, MinModeAccuracy: 0.05, MaxModeAccuracy: 0.1,
			MinModeSize: 100, MaxModeSize: 150, MinRecords: 1300, Seed: 8}, 5, []int{1, 2}, 1},
		{"clustered", Config{Classes: 6, MinRecords: 1300, Cluster: 0.9, TopicSize: 12, Seed: 12}, 18, []int{1, 2, 3}, 1},
		{"no topics", Config{Classes: 6, MinRecords: 1300, Cluster: -1, Seed: 13}, 18, []int{1, 2, 3}, 1},
		{"skewed", Config{Classes: 6, MinRecords: 1300, Skew: 2, Seed: 14}, 18, []int{1, 2, 3}, 1},
		{"flat", Config{Classes: 6, MinRecords: 1300, Skew: 0.5, Seed: 15}, 18, []int{1, 2, 3}, 1},
		{"made-up tags", Config{Classes: 6, MinRecords: 1300, VocabularySize: 20000, Seed: 16}, 18, []int{1, 2, 3}, 1},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			w, planted := collect(t, tt.cfg)
			require.GreaterOrEqual(t, len(planted), tt.atLeast)
			sizes := map[int]int{}
			extra := 0
			for _, p := range planted {
				sizes[len(p.Tags)]++
				c := w.classes[p.Label]
				require.NotNil(t, c, p.Label)
				ids := w.tagIDs(t, p.Tags)
				v := c.judge(ids)
				assert.Equal(t, p.N, v.n, "%s %v: n", p.Label, p.Tags)
				assert.Equal(t, p.Correct, v.correct, "%s %v: correct", p.Label, p.Tags)
				assert.InDelta(t, float64(v.correct)/float64(v.n), p.Accuracy, 1e-12)
				assert.True(t, v.size, "%s %v: n %d", p.Label, p.Tags, v.n)
				assert.True(t, v.drop, "%s %v: drop", p.Label, p.Tags)
				assert.True(t, v.minimal, "%s %v: minimality", p.Label, p.Tags)
				// No proper subset is a mode alone.
				for m := 1; m < 1<<len(ids)-1; m++ {
					var sub []int
					for i, id := range ids {
						if m&(1<<i) != 0 {
							sub = append(sub, id)
						}
					}
					sv := c.judge(sub)
					assert.False(t, sv.mode(), "%s %v: subset %v is a mode", p.Label, p.Tags, names(w, sub))
				}
			}
			labels := map[string]bool{}
			for _, p := range planted {
				if !labels[p.Label] {
					labels[p.Label] = true
					extra += w.extraModes(t, p.Label, planted)
				}
			}
			for _, k := range tt.sizes {
				assert.Positive(t, sizes[k], "planted modes of %d tags", k)
			}
			t.Logf("%d planted (%v), %d unintended modes with a planted tag", len(planted), sizes, extra)
			assert.LessOrEqual(t, extra, tt.maxExtra)
		})
	}
}

func names(w *workload, ids []int) []string {
	out := make([]string, len(ids))
	for i, id := range ids {
		out[i] = w.tagName[id]
	}
	return out
}

// extraModes counts the failure modes of up to three tags of class label
// that contain a planted tag and are not planted, by brute force over the
// tags carried by at least minSize of its records.
func (w *workload) extraModes(t *testing.T, label string, planted []Planted) int {
	var mine []Planted
	for _, p := range planted {
		if p.Label == label {
			mine = append(mine, p)
		}
	}
	c := w.classes[label]
	isPlanted := map[string]bool{}
	plantedTag := map[int]bool{}
	for _, p := range mine {
		isPlanted[strings.Join(p.Tags, "\x00")] = true
		for _, id := range w.tagIDs(t, p.Tags) {
			plantedTag[id] = true
		}
	}
	// Candidate tags: carried by at least minSize records of the class.
	var cand []int
	for id, n := range c.support() {
		if n >= minSize {
			cand = append(cand, id)
		}
	}
	slices.Sort(cand)
	extra := 0
	check := func(ids ...int) {
		tags := names(w, ids)
		slices.Sort(tags)
		if c.judge(ids).mode() && !isPlanted[strings.Join(tags, "\x00")] {
			t.Logf("unintended mode %s %v", label, tags)
			extra++
		}
	}
	// Every set of candidates whose least planted tag is p.
	for _, p := range cand {
		if !plantedTag[p] {
			continue
		}
		check(p)
		for i, a := range cand {
			if a == p || plantedTag[a] && a < p {
				continue
			}
			if n, _ := c.count([]int{p, a}); n < minSize {
				continue
			}
			check(p, a)
			for _, b := range cand[i+1:] {
				if b == p || plantedTag[b] && b < p {
					continue
				}
				if n, _ := c.count([]int{p, a, b}); n >= minSize {
					check(p, a, b)
				}
			}
		}
	}
	return extra
}

func TestNull(t *testing.T) {
	cfg := Config{Classes: 5, MinRecords: 2000, MinAccuracy: 0.7, MaxAccuracy: 0.7, Null: true, Seed: 11}
	w, planted := collect(t, cfg)
	require.Empty(t, planted)
	require.Len(t, w.classes, 5)
	for label, c := range w.classes {
		n, k := c.total()
		require.Equal(t, 2000, n)
		// Binomial(2000, 0.3) errors: sd 20.5; allow 5 sd.
		assert.InDelta(t, 600, n-k, 5*math.Sqrt(2000*0.3*0.7), label)
		// Errors are independent of tags: for every tag carried by at
		// least 200 records, the error rate among its records is the
		// class's, within 5 sd.
		support := c.support()
		tested := 0
		for id, s := range support {
			if s < 200 {
				continue
			}
			tested++
			tn, tk := c.count([]int{id})
			sd := math.Sqrt(float64(tn) * 0.3 * 0.7)
			assert.InDelta(t, 0.3*float64(tn), float64(tn-tk), 5*sd, "%s: tag %q", label, w.tagName[id])
		}
		assert.Positive(t, tested)
	}
}

func TestTagsPerRecord(t *testing.T) {
	tests := []struct {
		name     string
		cfg      Config
		min, max int
		vocab    int
	}{
		{"default", Config{Classes: 3, Seed: 1}, 10, 25, 4585},
		{"narrow", Config{Classes: 3, MinTags: 4, MaxTags: 4, Seed: 2}, 4, 4, 4585},
		{"wide", Config{Classes: 2, MinTags: 1, MaxTags: 60, Seed: 3}, 1, 60, 4585},
		{"one class", Config{Classes: 1, MinRecords: 200, Seed: 8}, 10, 25, 4585},
		{"many", Config{Classes: 2, MinRecords: 40, MinTags: 700, MaxTags: 701, Seed: 3}, 700, 701, 4585},
		{"sampled vocabulary", Config{Classes: 3, VocabularySize: 100, MaxTags: 20, Seed: 4}, 10, 20, 100},
		{"tight vocabulary", Config{Classes: 2, VocabularySize: 56, Seed: 5}, 10, 25, 56},
		{"custom vocabulary", Config{Classes: 30, Vocabulary: []string{"a", "b", "c", "d", "e", "f", "g", "h", "i", "j"},
			MinTags: 1, MaxTags: 2, Modes: -1, MinRecords: 50, Seed: 6}, 1, 2, 10},
	}
	ram := map[string]bool{}
	for _, tag := range RAMTags() {
		ram[tag] = true
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			cfg := tt.cfg
			vocab := map[string]bool{}
			counts := map[int]int{}
			labels := map[string]bool{}
			_, err := Generate(cfg, func(r *prime.Record) error {
				counts[len(r.Tags)]++
				labels[r.Label] = true
				require.True(t, slices.IsSorted(r.Tags), "tags sorted")
				for _, tag := range r.Tags {
					vocab[tag] = true
				}
				require.NotEmpty(t, r.Predicted)
				return nil
			})
			require.NoError(t, err)
			for n := range counts {
				assert.GreaterOrEqual(t, n, tt.min)
				assert.LessOrEqual(t, n, tt.max)
			}
			assert.Positive(t, counts[tt.min], "some records carry the fewest tags")
			assert.Positive(t, counts[tt.max], "some records carry the most tags")
			assert.LessOrEqual(t, len(vocab), tt.vocab)
			if cfg.Vocabulary == nil {
				for tag := range vocab {
					assert.True(t, ram[tag], "tag %q not RAM's", tag)
				}
			}
			assert.Len(t, labels, cfg.Classes)
		})
	}
}

// TestSkewed checks that tags are drawn from a skewed, class-dependent
// distribution: a class's most common tag is on many of its records, far
// more than the median tag, and classes differ in their most common tags.
func TestSkewed(t *testing.T) {
	w, _ := collect(t, Config{Classes: 4, Modes: -1, Seed: 3})
	tops := map[int]bool{}
	for label, c := range w.classes {
		support := c.support()
		var s []int
		for _, n := range support {
			s = append(s, n)
		}
		slices.Sort(s)
		top, median := s[len(s)-1], s[len(s)/2]
		n, _ := c.total()
		assert.Greater(t, top, n/2, "%s: top tag on half the records", label)
		assert.Greater(t, top, 20*median, "%s: skewed", label)
		for id, k := range support {
			if k == top {
				tops[id] = true
			}
		}
	}
	assert.Len(t, tops, 4, "each class its own most common tag")
}

// TestCorrelated checks that tags co-occur more than independence says: in
// each class some pair of tags is carried together far more often than the
// product of their shares.
func TestCorrelated(t *testing.T) {
	w, _ := collect(t, Config{Classes: 2, Modes: -1, Seed: 5})
	for label, c := range w.classes {
		n, _ := c.total()
		support := c.support()
		var cand []int
		for id, k := range support {
			if k >= 50 {
				cand = append(cand, id)
			}
		}
		best := 0.0
		for i, a := range cand {
			for _, b := range cand[i+1:] {
				ab, _ := c.count([]int{a, b})
				lift := float64(ab) * float64(n) / float64(support[a]*support[b])
				best = max(best, lift)
			}
		}
		assert.Greater(t, best, 2.0, "%s: some pair co-occurs", label)
	}
}

// levelWise counts, over the classes of w, the tag sets of one to three
// tags that a level-wise search counts: the tags carried by at least
// minSize records, their pairs, and the triples each pair of which is
// carried by at least minSize records. It also returns the number of such
// pairs.
func (w *workload) levelWise() (sets, pairs int) {
	for _, c := range w.classes {
		var cand []int
		for id, n := range c.support() {
			if n >= minSize {
				cand = append(cand, id)
			}
		}
		slices.Sort(cand)
		sets += len(cand) + len(cand)*(len(cand)-1)/2
		frequent := map[[2]int]bool{}
		for i, a := range cand {
			for _, b := range cand[i+1:] {
				if n, _ := c.count([]int{a, b}); n >= minSize {
					frequent[[2]int{a, b}] = true
				}
			}
		}
		pairs += len(frequent)
		for ab := range frequent {
			for _, x := range cand {
				if x > ab[1] && frequent[[2]int{ab[0], x}] && frequent[[2]int{ab[1], x}] {
					sets++
				}
			}
		}
	}
	return sets, pairs
}

// TestCluster checks that Cluster and TopicSize set how strongly tags go
// together: with more topics per record, more pairs of tags are carried
// together by many records, and with more topics per record or larger
// topics, a level-wise search counts more tag sets, at the same number of
// tags per record.
func TestCluster(t *testing.T) {
	base := Config{Classes: 2, MinRecords: 1300, Modes: -1, Seed: 21}
	tests := []struct {
		name    string
		cluster float64
		size    int
		more    bool // more frequent pairs than the setting before
	}{
		{"no topics", -1, 0, true},
		{"default", 0, 0, true},
		{"strong", 0.9, 0, true},
		{"strong, large topics", 0.9, 12, false},
	}
	lastSets, lastPairs := -1, -1
	for _, tt := range tests {
		cfg := base
		cfg.Cluster, cfg.TopicSize = tt.cluster, tt.size
		w, _ := collect(t, cfg)
		sets, pairs := w.levelWise()
		t.Logf("%s: %d frequent pairs, %d sets counted", tt.name, pairs, sets)
		assert.Greater(t, sets, lastSets, tt.name)
		if tt.more {
			assert.Greater(t, pairs, lastPairs, tt.name)
		}
		lastSets, lastPairs = sets, pairs
	}
}

// TestSkew checks that Skew sets how skewed tag popularity is: the higher,
// the more records carry a class's most common tag, and the fewer tags are
// carried by at least minSize records.
func TestSkew(t *testing.T) {
	lastTop, lastCommon := 0.0, math.MaxInt
	for _, skew := range []float64{0.3, 1, 2} {
		w, _ := collect(t, Config{Classes: 2, MinRecords: 1300, Modes: -1, Cluster: -1, Skew: skew, Seed: 22})
		top, common := 0.0, 0
		for _, c := range w.classes {
			n, _ := c.total()
			best := 0
			for _, k := range c.support() {
				best = max(best, k)
				if k >= minSize {
					common++
				}
			}
			top += float64(best) / float64(n) / float64(len(w.classes))
		}
		t.Logf("skew %v: top tag on %.2f of the records, %d tags on %d or more", skew, top, common, minSize)
		assert.Greater(t, top, lastTop, "skew %v", skew)
		assert.Less(t, common, lastCommon, "skew %v", skew)
		lastTop, lastCommon = top, common
	}
}

// TestMadeUpTags checks vocabularies larger than RAM's: RAM's tags and
// made-up ones, all distinct, and records that use both.
func TestMadeUpTags(t *testing.T) {
	const size = 20000
	w, _ := collect(t, Config{Classes: 20, MinRecords: 300, VocabularySize: size, Seed: 23})
	ram := map[string]bool{}
	for _, tag := range RAMTags() {
		ram[tag] = true
	}
	invented := 0
	for _, tag := range w.tagName {
		if !ram[tag] {
			invented++
			assert.Regexp(t, `^tag \d{5}$`, tag)
		}
	}
	assert.Positive(t, invented)
	assert.Less(t, invented, len(w.tagName))
	assert.LessOrEqual(t, len(w.tagName), size)

	custom := madeUp([]string{"tag 1", "a"}, 5)
	assert.Equal(t, []string{"tag 1", "a", "tag 2", "tag 3", "tag 4"}, custom, "no made-up tag repeats one given")
}

func TestConfigErrors(t *testing.T) {
	tests := []struct {
		name  string
		cfg   Config
		field string
		want  string
	}{
		{"classes", Config{Classes: -1}, "Classes", "1 to 100000"},
		{"records", Config{MinRecords: -5}, "MinRecords", "1 to 10000000"},
		{"records order", Config{MinRecords: 500, MaxRecords: 100}, "MaxRecords", "500 (MinRecords) to 10000000"},
		{"min tags", Config{MinTags: -1}, "MinTags", "1 to 1000"},
		{"max tags", Config{MinTags: 5, MaxTags: 4}, "MaxTags", "5 (MinTags) to 1000"},
		{"modes", Config{Modes: 13}, "Modes", "0 to 12"},
		{"accuracy", Config{MinAccuracy: 1.5}, "MinAccuracy", "0 to 1"},
		{"mode accuracy gap", Config{MaxModeAccuracy: 0.6}, "MaxModeAccuracy", "0.2 (MinModeAccuracy) to 0.5 (MinAccuracy − 0.3)"},
		{"mode size", Config{MinModeSize: 100, MaxModeSize: 50}, "MaxModeSize", "100 (MinModeSize) to 10000000"},
		{"vocabulary size", Config{VocabularySize: 20}, "VocabularySize", "56 (2 x MaxTags + planted tags) to 1000000"},
		{"vocabulary too big", Config{VocabularySize: VocabularyLimit + 1}, "VocabularySize", "56 (2 x MaxTags + planted tags) to 1000000"},
		{"cluster", Config{Cluster: 1}, "Cluster", "0.99 at most (or 0 for the default, negative for none)"},
		{"topic size", Config{TopicSize: 1}, "TopicSize", "2 to 100 (or 0 for the default)"},
		{"topic size too big", Config{TopicSize: 101}, "TopicSize", "2 to 100 (or 0 for the default)"},
		{"skew", Config{Skew: 5}, "Skew", "0.1 to 4 (or 0 for the default)"},
		{"skew negative", Config{Skew: -1}, "Skew", "0.1 to 4 (or 0 for the default)"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := Generate(tt.cfg, func(*prime.Record) error { return nil })
			var re *RangeError
			require.ErrorAs(t, err, &re)
			assert.Equal(t, tt.field, re.Field)
			assert.Equal(t, tt.want, re.Range)
			assert.True(t, strings.HasPrefix(err.Error(), "synth: "))
		})
	}
	for _, v := range [][]string{{}, {"a", ""}, {"a", "b", "a"}} {
		_, err := Generate(Config{Vocabulary: v}, func(*prime.Record) error { return nil })
		assert.ErrorContains(t, err, "synth: ")
	}
}

func TestEmitError(t *testing.T) {
	stop := errors.New("stop")
	for _, at := range []int{1, 10, 4097, 9000} {
		n := 0
		_, err := Generate(Config{Classes: 3, MinRecords: 4200, MinTags: 3, MaxTags: 5}, func(*prime.Record) error {
			n++
			if n == at {
				return stop
			}
			return nil
		})
		require.ErrorIs(t, err, stop)
		assert.Equal(t, at, n)
	}
}

func TestAlias(t *testing.T) {
	var a alias
	a.zipf(50, 1)
	counts := make([]int, 50)
	var x uint64 = 1
	const draws = 200_000
	for range draws {
		x = splitmix(x)
		counts[a.draw(x)]++
	}
	h := 0.0
	for i := range 50 {
		h += 1 / float64(i+1)
	}
	for i, c := range counts {
		want := draws / (float64(i+1) * h)
		assert.InDelta(t, want, float64(c), 5*math.Sqrt(want)+1, "index %d", i)
	}
}
