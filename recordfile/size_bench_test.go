package recordfile_test

import (
	"bytes"
	"fmt"
	"math"
	"math/rand/v2"
	"os"
	"runtime"
	"slices"
	"strings"
	"testing"

	"github.com/klauspost/compress/zstd"
	"github.com/stretchr/testify/require"

	"github.com/failmodes/prime"
	"github.com/failmodes/prime/internal/cputime"
	"github.com/failmodes/prime/tagger"
)

// scoredRecords returns n records like ImageNet's validation set through
// RAM and a 1000-class classifier, as prime run writes them: ids and
// image paths of the ImageNet layout, WordNet ids as labels, 15 tags of
// RAM's vocabulary scored between 0.65 and 1, below more tags of it scored
// between 0.2 and 0.65, and the top classes scores (every class when
// classes is 1000) of a softmax over logits drawn at random.
func scoredRecords(tb testing.TB, n, below, classes int) []prime.Record {
	data, err := os.ReadFile("../testdata/ram/ram_tag_list.txt")
	require.NoError(tb, err)
	vocab := strings.Split(strings.TrimSpace(string(data)), "\n")
	rng := rand.New(rand.NewPCG(1, 2))
	labels := make([]string, 1000)
	for k := range labels {
		labels[k] = fmt.Sprintf("n%08d", 1440764+k*7919)
	}
	records := make([]prime.Record, n)
	for i := range records {
		label := labels[i%1000]
		id := fmt.Sprintf("%s/ILSVRC2012_val_%08d.JPEG", label, i+1)
		r := prime.Record{ID: id, Label: label, Predicted: label, Image: "val/" + id}
		if rng.IntN(4) == 0 {
			r.Predicted = labels[rng.IntN(1000)]
		}
		picked := make([]int, 0, 15+max(below, 0))
		for len(picked) < cap(picked) {
			if t := rng.IntN(len(vocab)); !slices.Contains(picked, t) {
				picked = append(picked, t)
			}
		}
		if below >= 0 {
			r.TagFloor, r.TagScores = 0.2, []prime.Score{}
		}
		for k, t := range picked {
			if k < 15 {
				r.Tags = append(r.Tags, vocab[t])
			}
			if below < 0 {
				continue
			}
			lo, hi := float32(0.65), float32(1)
			if k >= 15 {
				lo, hi = 0.2, 0.65
			}
			r.TagScores = append(r.TagScores, prime.Score{Name: vocab[t], Value: lo + (hi-lo)*rng.Float32()})
		}
		slices.Sort(r.Tags)
		if classes > 0 {
			logits := make([]float64, len(labels))
			sum := 0.0
			for k := range logits {
				logits[k] = 2 * rng.NormFloat64()
				if labels[k] == r.Predicted {
					logits[k] += 8
				}
				sum += math.Exp(logits[k])
			}
			scores := make([]prime.Score, len(labels))
			for k := range labels {
				scores[k] = prime.Score{Name: labels[k], Value: float32(math.Exp(logits[k]) / sum)}
			}
			slices.SortFunc(scores, func(a, b prime.Score) int { return -cmpFloat(a.Value, b.Value) })
			r.PredScores = scores[:classes]
		}
		records[i] = r
	}
	return records
}

func cmpFloat(a, b float32) int {
	switch {
	case a < b:
		return -1
	case a > b:
		return 1
	}
	return 0
}

// A scoreWorkload names the records scoredRecords makes with below and
// classes.
type scoreWorkload struct {
	name           string
	below, classes int
}

// BenchmarkScoresSize measures what the scores that records keep cost in
// a records file, per record, in JSON Lines (plain and zstd) and in
// Parquet as the ParquetWriter writes it, on 20,000 records like
// ImageNet's validation set through RAM (see scoredRecords): without
// scores; with the scores of the record's 15 tags (-tag-floor 1); with 10,
// 25 and 50 more scores below their thresholds; and with the top 5, or
// all 1000, class scores. B/score is the cost of one more tag score.
//
//	go test ./recordfile -run '^$' -bench ScoresSize -benchtime 1x
func BenchmarkScoresSize(b *testing.B) {
	const n = 20000
	size := func(records []prime.Record) (jsonl, zst, pq float64) {
		var buf bytes.Buffer
		w := prime.NewRecordWriter(&buf)
		for i := range records {
			require.NoError(b, w.Write(&records[i]))
		}
		require.NoError(b, w.Flush())
		var z bytes.Buffer
		zw, err := zstd.NewWriter(&z)
		require.NoError(b, err)
		_, err = zw.Write(buf.Bytes())
		require.NoError(b, err)
		require.NoError(b, zw.Close())
		return float64(buf.Len()) / n, float64(z.Len()) / n, float64(len(parquetBytes(b, records))) / n
	}
	for _, c := range []scoreWorkload{
		{"no scores", -1, 0},
		{"tags' own", 0, 0},
		{"10 below", 10, 0},
		{"25 below", 25, 0},
		{"50 below", 50, 0},
		{"top 5 classes", -1, 5},
		{"all 1000 classes", -1, 1000},
	} {
		b.Run(c.name, func(b *testing.B) {
			var jsonl, zst, pq float64
			for b.Loop() {
				jsonl, zst, pq = size(scoredRecords(b, n, c.below, c.classes))
			}
			b.ReportMetric(jsonl, "B/record")
			b.ReportMetric(zst, "zstd-B/record")
			b.ReportMetric(pq, "parquet-B/record")
			if c.below > 0 {
				j0, z0, p0 := size(scoredRecords(b, n, 0, 0))
				b.ReportMetric((jsonl-j0)/float64(c.below), "B/score")
				b.ReportMetric((zst-z0)/float64(c.below), "zstd-B/score")
				b.ReportMetric((pq-p0)/float64(c.below), "parquet-B/score")
			}
		})
	}
}

// BenchmarkScoresRead reads 130,000 records like ImageNet's through RAM
// (see scoredRecords) from JSON Lines into a Dataset, as prime mine does,
// without scores, with the scores of 15 tags and 25 more below their
// thresholds, and with those and the top 5 class scores. It reports the
// reading rate per processor second (all cores) and the heap the Dataset
// holds per record.
//
//	go test ./recordfile -run '^$' -bench ScoresRead -benchtime 5x
func BenchmarkScoresRead(b *testing.B) {
	const n = 130000
	for _, c := range []scoreWorkload{
		{"no scores", -1, 0},
		{"40 tag scores", 25, 0},
		{"40 tag scores, top 5 classes", 25, 5},
	} {
		b.Run(c.name, func(b *testing.B) {
			data := jsonLines(b, scoredRecords(b, n, c.below, c.classes))
			b.SetBytes(int64(len(data)))
			runtime.GC()
			cpu := cputime.Process()
			for b.Loop() {
				_, err := readBytes(data)
				require.NoError(b, err)
			}
			perOp := (cputime.Process() - cpu).Seconds() / float64(b.N)
			b.ReportMetric(float64(len(data))/1e6/perOp, "MB/cpu-s")
			b.ReportMetric(n/perOp, "records/cpu-s")

			var before, after runtime.MemStats
			runtime.GC()
			runtime.ReadMemStats(&before)
			d, err := readBytes(data)
			require.NoError(b, err)
			runtime.GC()
			runtime.ReadMemStats(&after)
			runtime.KeepAlive(d)
			runtime.KeepAlive(data)
			b.ReportMetric((float64(after.HeapAlloc)-float64(before.HeapAlloc))/n, "heap-B/record")
		})
	}
}

// BenchmarkScoresRethreshold decides the tags of 130,000 records like
// ImageNet's through RAM, with 40 tag scores each (see scoredRecords),
// again at one threshold for every tag and at RAM's thresholds per tag
// (Dataset.Rethreshold).
//
//	go test ./recordfile -run '^$' -bench ScoresRethreshold -benchtime 5x
func BenchmarkScoresRethreshold(b *testing.B) {
	const n = 130000
	d, err := readBytes(jsonLines(b, scoredRecords(b, n, 25, 0)))
	require.NoError(b, err)
	uniform, err := prime.UniformThreshold(0.5)
	require.NoError(b, err)
	vocab, err := tagger.LoadVocabulary("../testdata/ram/ram_tag_list.txt")
	require.NoError(b, err)
	values, err := tagger.LoadThresholds("../testdata/ram/ram_tag_list_threshold.txt")
	require.NoError(b, err)
	ram, err := prime.NewThresholds(vocab, values)
	require.NoError(b, err)
	for _, c := range []struct {
		name string
		th   *prime.Thresholds
	}{{"one threshold", uniform}, {"RAM's thresholds", ram}} {
		b.Run(c.name, func(b *testing.B) {
			cpu := cputime.Process()
			for b.Loop() {
				if _, err := d.Rethreshold(c.th); err != nil {
					b.Fatal(err)
				}
			}
			perOp := (cputime.Process() - cpu).Seconds() / float64(b.N)
			b.ReportMetric(n/perOp, "records/cpu-s")
		})
	}
}
