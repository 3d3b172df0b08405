package jsonl

import (
	"bytes"
	"fmt"
	"math/bits"
	"math/rand/v2"
	"os"
	"slices"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"
)

// scoredLines returns n lines of records like ImageNet's validation set
// through RAM, as prime run writes them with -tag-floor 0.2 (see
// recordfile's scoredRecords): ImageNet's ids, labels and image paths,
// a prediction wrong one time in four, 15 tags of RAM's vocabulary, and
// 40 tag scores: the tags' own, between 0.65 and 1, and 25 more between
// 0.2 and 0.65, in an order of their own.
func scoredLines(tb testing.TB, n int) []byte {
	data, err := os.ReadFile("../../testdata/ram/ram_tag_list.txt")
	require.NoError(tb, err)
	vocab := strings.Split(strings.TrimSpace(string(data)), "\n")
	rng := rand.New(rand.NewPCG(1, 2))
	var b []byte
	for i := range n {
		label := fmt.Sprintf("n%08d", 1440764+(i%1000)*7919)
		pred := label
		if rng.IntN(4) == 0 {
			pred = fmt.Sprintf("n%08d", 1440764+rng.IntN(1000)*7919)
		}
		id := fmt.Sprintf("%s/ILSVRC2012_val_%08d.JPEG", label, i+1)
		picked := make([]int, 0, 40)
		for len(picked) < cap(picked) {
			if t := rng.IntN(len(vocab)); !slices.Contains(picked, t) {
				picked = append(picked, t)
			}
		}
		tags := make([]string, 15)
		for k, t := range picked[:15] {
			tags[k] = vocab[t]
		}
		slices.Sort(tags)
		b = AppendString(append(b, `{"id":`...), id)
		b = AppendString(append(b, `,"label":`...), label)
		b = AppendString(append(b, `,"pred":`...), pred)
		b = AppendString(append(b, `,"image":`...), "val/"+id)
		b = append(b, `,"tags":[`...)
		for k, t := range tags {
			if k > 0 {
				b = append(b, ',')
			}
			b = AppendString(b, t)
		}
		b = AppendFloat32(append(b, `],"tag_floor":`...), 0.2)
		b = append(b, `,"tag_scores":{`...)
		for k, t := range picked {
			lo, hi := float32(0.65), float32(1)
			if k >= 15 {
				lo, hi = 0.2, 0.65
			}
			if k > 0 {
				b = append(b, ',')
			}
			b = AppendFloat32(append(AppendString(b, vocab[t]), ':'), lo+(hi-lo)*rng.Float32())
		}
		b = append(b, "}}\n"...)
	}
	return b
}

// A nameFinder finds, in the names of a "tag_scores" object, the first
// that an earlier one repeats, and then looks up the record's tags
// among them, as Parse and CheckRecord do.
type nameFinder interface {
	// repeat returns the index of the first of names that an earlier one
	// repeats, or -1; line holds the names.
	repeat(line []byte, names []Span) int
	// index returns the index of name among the names given to repeat,
	// or -1.
	index(name []byte) int
}

// tableFinder is the open-addressing hash table of the names that Parse
// once kept, measured against the map it keeps now: FNV-1a, over a power
// of 2 of at least twice as many slots as names, each slot an index of
// the names plus 1, or 0.
type tableFinder struct {
	line  []byte
	names []Span
	table []int32
}

func (f *tableFinder) repeat(line []byte, names []Span) int {
	f.line, f.names = line, names
	size := 1 << bits.Len(uint(2*len(names)))
	f.table = slices.Grow(f.table[:0], size)[:size]
	clear(f.table)
	for k, s := range names {
		found, slot := f.slot(line[s.Start:s.End])
		if found >= 0 {
			return k
		}
		f.table[slot] = int32(k) + 1
	}
	return -1
}

func (f *tableFinder) index(name []byte) int {
	k, _ := f.slot(name)
	return k
}

func (f *tableFinder) slot(name []byte) (index, slot int) {
	mask := len(f.table) - 1
	h := uint32(2166136261)
	for _, c := range name {
		h = (h ^ uint32(c)) * 16777619
	}
	for i := int(h) & mask; ; i = (i + 1) & mask {
		k := f.table[i] - 1
		if k < 0 {
			return -1, i
		}
		if s := f.names[k]; bytes.Equal(f.line[s.Start:s.End], name) {
			return int(k), i
		}
	}
}

// mapFinder is what Parse and CheckRecord do: a Go map of the names
// (Scores.byName).
type mapFinder struct {
	p    Parser
	s    Scores
	line []byte
}

func (f *mapFinder) repeat(line []byte, names []Span) int {
	f.s.reset()
	f.p.line, f.line, f.s.Names = line, line, names
	return f.p.repeat(&f.s)
}

func (f *mapFinder) index(name []byte) int { return f.s.index(f.line, name) }

// sortFinder is the indexes of the names sorted by name (slices.SortFunc):
// a repeat is two neighbours equal, a lookup a binary search.
type sortFinder struct {
	line  []byte
	names []Span
	order []int32
}

func (f *sortFinder) name(k int32) []byte { return f.line[f.names[k].Start:f.names[k].End] }

func (f *sortFinder) repeat(line []byte, names []Span) int {
	f.line, f.names = line, names
	f.order = f.order[:0]
	for k := range names {
		f.order = append(f.order, int32(k))
	}
	slices.SortFunc(f.order, func(a, b int32) int {
		if c := bytes.Compare(f.name(a), f.name(b)); c != 0 {
			return c
		}
		return int(a - b)
	})
	first := -1
	for i := 1; i < len(f.order); i++ {
		if k := int(f.order[i]); (first < 0 || k < first) && bytes.Equal(f.name(f.order[i-1]), f.name(f.order[i])) {
			first = k
		}
	}
	return first
}

func (f *sortFinder) index(name []byte) int {
	i, found := slices.BinarySearchFunc(f.order, name, func(k int32, name []byte) int { return bytes.Compare(f.name(k), name) })
	if !found {
		return -1
	}
	return int(f.order[i])
}

var nameFinders = []struct {
	name string
	f    func() nameFinder
}{
	{"table", func() nameFinder { return new(tableFinder) }},
	{"map", func() nameFinder { return new(mapFinder) }},
	{"sort", func() nameFinder { return new(sortFinder) }},
}

func TestNameFinders(t *testing.T) {
	rng := rand.New(rand.NewPCG(3, 4))
	for trial := range 200 {
		n := 1 + rng.IntN(60)
		var line []byte
		names := make([]Span, n)
		for k := range names {
			s := fmt.Sprintf("t%d", rng.IntN(2*n+trial%5*n))
			names[k] = Span{int32(len(line)), int32(len(line) + len(s))}
			line = append(line, s...)
		}
		want := -1
		for k := range names {
			if slices.ContainsFunc(names[:k], func(e Span) bool { return string(line[e.Start:e.End]) == string(line[names[k].Start:names[k].End]) }) {
				want = k
				break
			}
		}
		for _, nf := range nameFinders {
			f := nf.f()
			require.Equal(t, want, f.repeat(line, names), nf.name)
			if want >= 0 {
				continue
			}
			for k, s := range names {
				require.Equal(t, k, f.index(line[s.Start:s.End]), nf.name)
			}
			require.Equal(t, -1, f.index([]byte("absent")), nf.name)
		}
	}
}

// BenchmarkScoreNames compares ways of finding a repeated name among a
// record's 40 tag scores and of looking its 15 tags up among them, on
// 20,000 lines like ImageNet's through RAM as prime run writes them (see
// scoredLines); finder=... is that work alone, on the names Parse found,
// read=chunk the whole of reading the lines (ChunkParser.Parse, as
// ReadDataset does on each core), with the way Parse uses. All in
// ns/line.
//
//	go test ./internal/jsonl -run '^$' -bench ScoreNames -count 5
func BenchmarkScoreNames(b *testing.B) {
	const n = 20000
	data := scoredLines(b, n)
	type parsed struct {
		line        []byte
		names, tags []Span
	}
	var lines []parsed
	var p Parser
	var r Record
	for line := range bytes.Lines(bytes.Clone(data)) {
		line = bytes.TrimSuffix(line, []byte{'\n'})
		require.NoError(b, p.Parse(line, &r))
		require.NoError(b, r.CheckRecord())
		lines = append(lines, parsed{line, slices.Clone(r.TagScores.Names), slices.Clone(r.Tags)})
	}
	for _, nf := range nameFinders {
		b.Run("finder="+nf.name, func(b *testing.B) {
			f := nf.f()
			for b.Loop() {
				for _, l := range lines {
					if f.repeat(l.line, l.names) >= 0 {
						b.Fatal("a repeat")
					}
					for _, t := range l.tags {
						if f.index(l.line[t.Start:t.End]) < 0 {
							b.Fatal("a tag without a score")
						}
					}
				}
			}
			b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(b.N)/n, "ns/line")
		})
	}
	b.Run("read=chunk", func(b *testing.B) {
		b.SetBytes(int64(len(data)))
		buf := make([]byte, len(data))
		var cp ChunkParser
		for b.Loop() {
			copy(buf, data) // Parse unescapes in place
			if c := cp.Parse(buf, ""); c.Err != nil || len(c.IDs) != n {
				b.Fatal(c.Err)
			}
		}
		b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(b.N)/n, "ns/line")
	})
}
