package prime

import (
	"bytes"
	"fmt"
	"math/rand/v2"
	"slices"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// checkInvariants requires what the analysis relies on of d.
func checkInvariants(t *testing.T, d *Dataset) {
	t.Helper()
	n := d.Len()
	require.Len(t, d.ids, n)
	require.Len(t, d.predicted, n)
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
		ids := d.tagIDs[d.tagStart[i]:d.tagStart[i+1]]
		for k, id := range ids {
			require.True(t, id >= 0 && int(id) < len(d.tags))
			if k > 0 {
				require.Less(t, ids[k-1], id, "record %d's tags ascending, no repeats", i)
			}
			used[id] = true
		}
	}
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
	recs := randomRecords(rng, 3000)
	data := writeRecords(t, recs)
	want, err := NewDataset(recs)
	require.NoError(t, err)
	checkInvariants(t, want)
	for _, size := range []int{1, 100, 4096, 1 << 20} {
		for _, workers := range []int{1, 2, 5} {
			d, err := readDataset(bytes.NewReader(data), "x", workers, size)
			require.NoError(t, err)
			checkInvariants(t, d)
			require.Equal(t, want, d, "size %d workers %d", size, workers)
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

func TestSubsetEqualsNewDataset(t *testing.T) {
	rng := rand.New(rand.NewPCG(5, 6))
	recs := randomRecords(rng, 500)
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
		require.Equal(t, want, part)
	}
}
