package prime

import (
	"bytes"
	"fmt"
	"math/rand/v2"
	"os"
	"path/filepath"
	"runtime"
	"slices"
	"strings"
	"testing"
	"testing/synctest"

	"github.com/failmodes/prime/internal/cputime"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// checkInvariants requires what the analysis relies on of d.
func checkInvariants(t *testing.T, d *Dataset) {
	t.Helper()
	n := d.Len()
	require.Len(t, d.ids, n)
	require.Len(t, d.pred, n)
	require.Len(t, d.correct, n)
	require.Len(t, d.label, n)
	require.Len(t, d.tagStart, n+1)
	if d.images != nil {
		require.Len(t, d.images, n)
	}
	require.True(t, slices.IsSorted(d.labels))
	require.True(t, slices.IsSorted(d.tags))
	require.Equal(t, len(slices.Compact(slices.Clone(d.labels))), len(d.labels))
	require.Equal(t, len(slices.Compact(slices.Clone(d.tags))), len(d.tags))
	used := make([]bool, len(d.tags))
	require.Equal(t, 0, d.tagStart[0])
	require.Equal(t, len(d.tagIDs), d.tagStart[n])
	for i := range n {
		ids := d.recordTags(i)
		for _, id := range ids {
			require.True(t, id >= 0 && int(id) < len(d.tags))
			used[id] = true
		}
		require.Len(t, slices.Compact(slices.Sorted(slices.Values(ids))), len(ids), "record %d's tags without repeats", i)
		require.True(t, d.pred[i] >= -1 && int(d.pred[i]) < len(d.preds))
		if d.pred[i] >= 0 {
			require.Equal(t, d.preds[d.pred[i]] == d.labels[d.label[i]], d.correct[i])
		}
	}
	require.Len(t, slices.Compact(slices.Sorted(slices.Values(d.preds))), len(d.preds), "predictions once each")
	assert.NotContains(t, used, false, "every tag carried by a record")
	require.Len(t, d.byLabel, len(d.labels))
	total := 0
	for c, recs := range d.byLabel {
		require.NotEmpty(t, recs, "every label used")
		require.True(t, slices.IsSorted(recs))
		for _, i := range recs {
			require.Equal(t, int32(c), d.label[i])
		}
		total += len(recs)
	}
	require.Equal(t, n, total)
	for _, sc := range []struct {
		c     *scoreColumns
		names []string
	}{{&d.tagScores, d.scoredTags}, {&d.predScores, d.scoredPreds}} {
		if sc.c.start == nil {
			require.Empty(t, sc.c.ids)
			continue
		}
		require.Len(t, sc.c.start, n+1)
		require.Equal(t, 0, sc.c.start[0])
		require.Equal(t, len(sc.c.ids), sc.c.start[n])
		require.Len(t, sc.c.vals, len(sc.c.ids))
		for _, id := range sc.c.ids {
			require.True(t, id >= 0 && int(id) < len(sc.names))
		}
	}
	if d.tagFloor != nil {
		require.Len(t, d.tagFloor, n)
		for i, f := range d.tagFloor {
			if f < 0 {
				from, to := d.tagScores.record(i)
				require.Equal(t, from, to, "record %d: tag scores without a floor", i)
			}
		}
	}
}

// withRandomScores gives most of recs scores, drawn from rng: class
// scores, and tag scores for every tag and a few more, above a floor.
func withRandomScores(rng *rand.Rand, recs []Record) []Record {
	for i := range recs {
		r := &recs[i]
		if rng.IntN(3) > 0 {
			r.TagScores, r.TagFloor = []Score{}, float32(rng.IntN(4))/4
			for _, t := range slices.Compact(slices.Sorted(slices.Values(r.Tags))) {
				r.TagScores = append(r.TagScores, Score{t, r.TagFloor + (1-r.TagFloor)*rng.Float32()})
			}
			for range rng.IntN(3) {
				if t := fmt.Sprintf("low %d", rng.IntN(10)); !slices.ContainsFunc(r.TagScores, func(s Score) bool { return s.Name == t }) {
					r.TagScores = append(r.TagScores, Score{t, r.TagFloor})
				}
			}
		}
		for k := range rng.IntN(3) {
			r.PredScores = append(r.PredScores, Score{fmt.Sprintf("class_%d", k), float32(rng.NormFloat64())})
		}
	}
	return recs
}

// requireSame requires got to hold the records of want.
func requireSame(t *testing.T, want, got *Dataset, msgAndArgs ...any) {
	t.Helper()
	require.Equal(t, want.Len(), got.Len(), msgAndArgs...)
	require.Equal(t, want.Labels(), got.Labels(), msgAndArgs...)
	require.Equal(t, want.Tags(), got.Tags(), msgAndArgs...)
	for i, r := range want.All() {
		require.Equal(t, r, got.Record(i), msgAndArgs...)
	}
}

// randomRecords returns n records over a few labels and tags, some with
// repeated tags, images and only correctness.
func randomRecords(rng *rand.Rand, n int) []Record {
	recs := make([]Record, n)
	for i := range recs {
		r := &recs[i]
		r.ID = fmt.Sprintf("img_%d", i)
		r.Label = fmt.Sprintf("class_%d", rng.IntN(7))
		switch rng.IntN(3) {
		case 0:
			r.Predicted = r.Label
		case 1:
			r.Predicted = fmt.Sprintf("class_%d", rng.IntN(9))
		default:
			r.Correct = rng.IntN(2) == 0
		}
		for range rng.IntN(6) {
			r.Tags = append(r.Tags, fmt.Sprintf("tag %d é", rng.IntN(30)))
		}
		if rng.IntN(4) == 0 {
			r.Image = "img/" + r.ID + ".png"
		}
	}
	return recs
}

// normalized is r as a Dataset gives it back: tags sorted without
// repeats, Correct meaning IsCorrect.
func normalized(r Record) Record {
	r.Correct = r.IsCorrect()
	r.Tags = slices.Compact(slices.Sorted(slices.Values(r.Tags)))
	if len(r.Tags) == 0 {
		r.Tags = nil
	}
	if r.TagScores != nil {
		r.TagScores = slices.Clone(r.TagScores)
		sortScores(r.TagScores)
	} else {
		r.TagFloor = 0
	}
	if len(r.PredScores) > 0 {
		r.PredScores = slices.Clone(r.PredScores)
		sortScores(r.PredScores)
	} else {
		r.PredScores = nil
	}
	return r
}

func writeRecords(t testing.TB, recs []Record) []byte {
	var buf bytes.Buffer
	w := NewRecordWriter(&buf)
	for i := range recs {
		require.NoError(t, w.Write(&recs[i]))
	}
	require.NoError(t, w.Flush())
	return buf.Bytes()
}

func TestReadDatasetChunksAndWorkers(t *testing.T) {
	rng := rand.New(rand.NewPCG(1, 2))
	recs := randomRecords(rng, 1500)
	withRandomScores(rng, recs[500:1000]) // chunks with scores, without, and with some
	data := writeRecords(t, recs)
	want, err := NewDataset(recs)
	require.NoError(t, err)
	checkInvariants(t, want)
	for _, size := range []int{1, 100, 4096, 1 << 20} {
		for _, workers := range []int{1, 2, 5} {
			d, err := readDataset(bytes.NewReader(data), "x", workers, size)
			require.NoError(t, err)
			checkInvariants(t, d)
			requireSame(t, want, d, "size %d workers %d", size, workers)
		}
	}
	for i, r := range want.All() {
		require.Equal(t, normalized(recs[i]), r)
	}
}

func TestReadDatasetFirstErrorInFileOrder(t *testing.T) {
	rng := rand.New(rand.NewPCG(3, 4))
	recs := randomRecords(rng, 2000)
	lines := strings.Split(strings.TrimSuffix(string(writeRecords(t, recs)), "\n"), "\n")
	bad := slices.Clone(lines)
	bad[1500] = `{"id":"x"}`
	bad[1800] = `not json`
	bad[300] = strings.Replace(bad[300], `"img_300"`, `"img_7"`, 1)
	bad[200] = strings.Replace(bad[200], `"img_200"`, `"img_1000"`, 1) // repeated later, on line 1001
	data := []byte(strings.Join(bad, "\n"))
	for _, size := range []int{50, 1000, 1 << 20} {
		for _, workers := range []int{1, 2, 4} {
			_, err := readDataset(bytes.NewReader(data), "f.jsonl", workers, size)
			require.EqualError(t, err, `f.jsonl:301: field "id": repeated: "img_7" first appears on line 8`)
		}
	}
	bad[300] = lines[300]
	bad[200] = lines[200]
	data = []byte(strings.Join(bad, "\n"))
	for _, size := range []int{50, 1000, 1 << 20} {
		for _, workers := range []int{1, 2, 4} {
			_, err := readDataset(bytes.NewReader(data), "f.jsonl", workers, size)
			require.EqualError(t, err, `f.jsonl:1501: field "label": missing or empty`)
		}
	}
}

// TestReadDatasetEndsItsGoroutines reads files that stop early (a bad
// line at the start, the middle, the end) or not at all, in a synctest
// bubble, which fails when a goroutine the read started outlives it.
func TestReadDatasetEndsItsGoroutines(t *testing.T) {
	recs := randomRecords(rand.New(rand.NewPCG(7, 7)), 3000)
	lines := strings.Split(strings.TrimSuffix(string(writeRecords(t, recs)), "\n"), "\n")
	for _, bad := range []int{-1, 0, 1500, 2999} {
		data := slices.Clone(lines)
		if bad >= 0 {
			data[bad] = "nope"
		}
		for _, workers := range []int{1, 3} {
			synctest.Test(t, func(t *testing.T) {
				_, err := readDataset(strings.NewReader(strings.Join(data, "\n")), "f", workers, 1000)
				if bad >= 0 {
					require.ErrorContains(t, err, fmt.Sprintf("f:%d: ", bad+1))
				} else {
					require.NoError(t, err)
				}
			})
		}
	}
}

func TestSubsetEqualsNewDataset(t *testing.T) {
	rng := rand.New(rand.NewPCG(5, 6))
	recs := withRandomScores(rng, randomRecords(rng, 500))
	d, err := NewDataset(recs)
	require.NoError(t, err)
	a, b := d.Split(0.3, rand.New(rand.NewPCG(1, 1)))
	for _, part := range []*Dataset{a, b} {
		checkInvariants(t, part)
		var rs []Record
		for _, r := range part.All() {
			rs = append(rs, r)
		}
		want, err := NewDataset(rs)
		require.NoError(t, err)
		requireSame(t, want, part)
	}
}

// genWord returns a lowercase word of 3 to 10 letters.
func genWord(rng *rand.Rand) string {
	b := make([]byte, 3+rng.IntN(8))
	for i := range b {
		b[i] = byte('a' + rng.IntN(26))
	}
	return string(b)
}

// genRecords writes a records file like ImageNet's through a tagger like
// RAM: classes x perClass records, a vocabulary of vocab tags (one in six
// of two words, 8 bytes long on average as RAM's are), 10 to 25 distinct
// tags per record drawn from a skewed,
// class-dependent distribution in which tags come in correlated groups.
func genRecords(seed uint64, classes, perClass, vocab int) []byte {
	rng := rand.New(rand.NewPCG(seed, 0x5eed))
	tags := make([]string, vocab)
	seen := map[string]bool{}
	for i := range tags {
		for {
			t := genWord(rng)
			if i%6 == 0 {
				t += " " + genWord(rng)
			}
			if !seen[t] {
				seen[t], tags[i] = true, t
				break
			}
		}
	}
	labels := make([]string, classes)
	for i := range labels {
		labels[i] = fmt.Sprintf("%s_%d", genWord(rng), i)
	}
	zipf := rand.NewZipf(rng, 1.1, 4, uint64(vocab-1))
	var buf bytes.Buffer
	buf.Grow(classes * perClass * 220)
	w := NewRecordWriter(&buf)
	rec := Record{Tags: make([]string, 0, 32)}
	for c := range classes {
		// Each class favours its own 40 tags, in groups of 4 that occur
		// together.
		own := make([]int, 40)
		for i := range own {
			own[i] = rng.IntN(vocab)
		}
		for k := range perClass {
			rec.ID = fmt.Sprintf("n%08d_%d", c, k)
			rec.Label = labels[c]
			rec.Predicted = labels[c]
			if rng.IntN(4) == 0 {
				rec.Predicted = labels[rng.IntN(classes)]
			}
			rec.Tags = rec.Tags[:0]
			n := 10 + rng.IntN(16)
			add := func(t int) {
				if !slices.Contains(rec.Tags, tags[t]) {
					rec.Tags = append(rec.Tags, tags[t])
				}
			}
			for len(rec.Tags) < n {
				switch rng.IntN(3) {
				case 0:
					g := rng.IntN(10) * 4
					for _, t := range own[g : g+min(4, n-len(rec.Tags))] {
						add(t)
					}
				default:
					add(int(zipf.Uint64()))
				}
			}
			if err := w.Write(&rec); err != nil {
				panic(err)
			}
		}
	}
	if err := w.Flush(); err != nil {
		panic(err)
	}
	return buf.Bytes()
}

// benchSizes are the workloads of the reading benchmarks: classes and
// records per class; the last is ImageNet's size.
var benchSizes = []struct{ classes, perClass int }{{10, 1300}, {100, 1300}, {1000, 1300}}

// BenchmarkReadDataset reads records files into Datasets on GOMAXPROCS
// goroutines; the last size is ImageNet's: 1000 classes x 1300 records,
// 4,585 tags, 10 to 25 tags per record (339 MB). Run with -cpu 2, MB/s is
// the rate on both cores at once, and MB/cpu-s the rate per core:
//
//	go test -run '^$' -bench 'ReadDataset$' -cpu 2 -count 5 .
func BenchmarkReadDataset(b *testing.B) {
	for _, s := range benchSizes {
		b.Run(fmt.Sprintf("records=%d", s.classes*s.perClass), func(b *testing.B) {
			data := genRecords(1, s.classes, s.perClass, 4585)
			b.SetBytes(int64(len(data)))
			b.ReportAllocs()
			var d *Dataset
			cpu := cputime.Process()
			for b.Loop() {
				var err error
				d, err = ReadDataset(bytes.NewReader(data), "bench")
				if err != nil {
					b.Fatal(err)
				}
			}
			perOp := (cputime.Process() - cpu).Seconds() / float64(b.N)
			b.ReportMetric(float64(d.Len()), "records")
			b.ReportMetric(perOp, "cpu-s/op")
			b.ReportMetric(float64(len(data))/1e6/perOp, "MB/cpu-s")
		})
	}
}

// BenchmarkDatasetMemory measures the heap that a Dataset read from a
// records file holds, per record and per tag a record carries, from two
// files of 200,000 records that differ only in their tags per record (10
// and 20, of 4,585): ids of 15 bytes, 1000 classes, predictions, no
// images. The Dataset's vocabularies count in the bytes per record.
//
//	go test -run '^$' -bench DatasetMemory -benchtime 1x .
func BenchmarkDatasetMemory(b *testing.B) {
	const n, vocab = 200000, 4585
	held := func(k int) float64 {
		var buf bytes.Buffer
		w := NewRecordWriter(&buf)
		rng := rand.New(rand.NewPCG(1, uint64(k)))
		rec := Record{}
		for i := range n {
			rec.ID = fmt.Sprintf("n%08d_%05d", i/200, i%200)
			rec.Label = fmt.Sprintf("class_%03d", i/200)
			rec.Predicted = rec.Label
			rec.Tags = rec.Tags[:0]
			base := rng.IntN(vocab)
			for j := range k { // 457 is prime to 4,585: k distinct tags
				rec.Tags = append(rec.Tags, fmt.Sprintf("tag_%04d", (base+457*j)%vocab))
			}
			if err := w.Write(&rec); err != nil {
				b.Fatal(err)
			}
		}
		if err := w.Flush(); err != nil {
			b.Fatal(err)
		}
		var before, after runtime.MemStats
		runtime.GC()
		runtime.ReadMemStats(&before)
		data := buf.Bytes()
		d, err := ReadDataset(bytes.NewReader(data), "bench")
		if err != nil {
			b.Fatal(err)
		}
		runtime.GC()
		runtime.ReadMemStats(&after)
		runtime.KeepAlive(d)
		runtime.KeepAlive(data) // held before as after
		return float64(after.HeapAlloc) - float64(before.HeapAlloc)
	}
	var perRecord, perTag float64
	for b.Loop() {
		h10, h20 := held(10), held(20)
		perTag = (h20 - h10) / (n * 10)
		perRecord = (h10 - perTag*n*10) / n
	}
	b.ReportMetric(perRecord, "B/record")
	b.ReportMetric(perTag, "B/tag")
}

// BenchmarkReadDatasetFile reads an ImageNet-size records file (1000
// classes x 1300 records, 4,585 tags) from disk: the file named by the
// environment variable PRIME_BENCH_RECORDS, written there first if it
// does not exist, or else one in a temporary directory. Run once with the
// variable set, the process's peak memory is that of reading the file.
func BenchmarkReadDatasetFile(b *testing.B) {
	path := os.Getenv("PRIME_BENCH_RECORDS")
	if path == "" {
		path = filepath.Join(b.TempDir(), "records.jsonl")
	}
	if _, err := os.Stat(path); err != nil {
		if err := os.WriteFile(path, genRecords(1, 1000, 1300, 4585), 0o644); err != nil {
			b.Fatal(err)
		}
		runtime.GC()
	}
	st, err := os.Stat(path)
	if err != nil {
		b.Fatal(err)
	}
	b.SetBytes(st.Size())
	cpu := cputime.Process()
	for b.Loop() {
		f, err := os.Open(path)
		if err != nil {
			b.Fatal(err)
		}
		d, err := ReadDataset(f, path)
		f.Close()
		if err != nil {
			b.Fatal(err)
		}
		if d.Len() == 0 {
			b.Fatal("no records")
		}
	}
	b.ReportMetric((cputime.Process()-cpu).Seconds()/float64(b.N), "cpu-s/op")
}

func TestFirstRepeat(t *testing.T) {
	rng := rand.New(rand.NewPCG(9, 9))
	for trial := range 12 {
		n := 5000
		ids := make([]string, n)
		for i := range ids {
			ids[i] = fmt.Sprintf("id%d", i)
		}
		// Plant a few repeats, or none.
		for range trial % 4 {
			a, b := rng.IntN(n), rng.IntN(n)
			ids[max(a, b)] = ids[min(a, b)]
		}
		wantI, wantJ := -1, -1
		for j := range ids {
			if i := slices.Index(ids[:j], ids[j]); i >= 0 {
				wantI, wantJ = i, j
				break
			}
		}
		for _, f := range []func([]string) (int, int, bool){firstRepeat, firstRepeatMap} {
			i, j, ok := f(ids)
			require.Equal(t, wantJ >= 0, ok)
			if ok {
				require.Equal(t, []int{wantI, wantJ}, []int{i, j})
			}
		}
	}
}

// BenchmarkFirstRepeat finds that the ids of an ImageNet-size records file
// (1.3 million) have no repeat, through a bitset of their hashes as
// firstRepeat does and with a map alone.
//
//	go test -run '^$' -bench FirstRepeat -count 5 .
func BenchmarkFirstRepeat(b *testing.B) {
	ids := make([]string, 1300000)
	for i := range ids {
		ids[i] = fmt.Sprintf("n%08d_%d", i/1300, i%1300)
	}
	for _, bc := range []struct {
		name string
		f    func([]string) (int, int, bool)
	}{{"bitset", firstRepeat}, {"map", firstRepeatMap}} {
		b.Run(bc.name, func(b *testing.B) {
			cpu := cputime.Process()
			for b.Loop() {
				if _, _, ok := bc.f(ids); ok {
					b.Fatal("a repeat")
				}
			}
			b.ReportMetric((cputime.Process()-cpu).Seconds()/float64(b.N), "cpu-s/op")
		})
	}
}

func TestDatasetBuilder(t *testing.T) {
	var b DatasetBuilder
	require.NoError(t, b.Add(&Record{ID: "a", Label: "cat", Predicted: "dog", Tags: []string{"x", "y", "x"}}))
	err := b.Add(&Record{ID: "", Label: "cat", Predicted: "cat", Tags: []string{"gone"}})
	require.EqualError(t, err, `prime: record 1: field "id": missing or empty`)
	require.Error(t, b.Add(&Record{ID: "b", Label: "cow", Predicted: "cat", Tags: []string{"gone", ""}}))
	require.NoError(t, b.Add(&Record{ID: "b", Label: "dog", Correct: true, Image: "b.png"}))
	assert.Equal(t, 2, b.Len(), "refused records are not added")
	d, err := b.Dataset()
	require.NoError(t, err)
	checkInvariants(t, d)
	assert.Equal(t, []string{"cat", "dog"}, d.Labels(), "a refused record's label leaves no trace")
	assert.Equal(t, []string{"x", "y"}, d.Tags(), "nor do its tags")
	assert.Equal(t, Record{ID: "a", Label: "cat", Predicted: "dog", Tags: []string{"x", "y"}}, d.Record(0))
	assert.Equal(t, Record{ID: "b", Label: "dog", Correct: true, Image: "b.png"}, d.Record(1))

	assert.Zero(t, b.Len(), "Dataset leaves the builder empty")
	_, err = b.Dataset()
	require.EqualError(t, err, "prime: no records")
	require.NoError(t, b.Add(&Record{ID: "a", Label: "cat", Correct: true}))
	require.NoError(t, b.Add(&Record{ID: "a", Label: "cat", Correct: true}))
	_, err = b.Dataset()
	require.EqualError(t, err, `prime: record 1: field "id": repeated: "a" first appears as record 0`)
}

func TestTagsSortedAtEveryCount(t *testing.T) {
	rng := rand.New(rand.NewPCG(11, 12))
	var recs []Record
	for n := range 70 {
		r := Record{ID: fmt.Sprint(n), Label: "c", Correct: true}
		for _, k := range rng.Perm(100)[:n] {
			r.Tags = append(r.Tags, fmt.Sprintf("t%03d", k))
		}
		recs = append(recs, r)
	}
	d, err := NewDataset(recs)
	require.NoError(t, err)
	checkInvariants(t, d)
	for i, r := range d.All() {
		want := slices.Sorted(slices.Values(recs[i].Tags))
		if len(want) == 0 {
			want = nil
		}
		require.Equal(t, want, r.Tags)
	}
}
