package recordfile_test

import (
	"context"
	"errors"
	"fmt"
	"math/rand/v2"
	"path/filepath"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/failmodes/prime"
	"github.com/failmodes/prime/internal/synth"
	"github.com/failmodes/prime/recordfile"
)

// withScores gives most of records the scores a run keeps: tag scores
// for every tag and a few below their threshold, above a floor; and class
// scores.
func withScores(records []prime.Record, seed uint64) []prime.Record {
	rng := rand.New(rand.NewPCG(seed, 1))
	out := make([]prime.Record, len(records))
	for i, r := range records {
		if rng.IntN(5) > 0 {
			r.TagFloor = float32(rng.IntN(3)) / 4
			r.TagScores = []prime.Score{}
			for _, t := range r.Tags {
				if !containsScore(r.TagScores, t) {
					r.TagScores = append(r.TagScores, prime.Score{Name: t, Value: 0.75 + rng.Float32()/4})
				}
			}
			for range rng.IntN(4) {
				if t := fmt.Sprintf("low %d", rng.IntN(20)); !containsScore(r.TagScores, t) {
					r.TagScores = append(r.TagScores, prime.Score{Name: t, Value: r.TagFloor + rng.Float32()*(0.75-r.TagFloor)})
				}
			}
		}
		for k := range rng.IntN(4) {
			r.PredScores = append(r.PredScores, prime.Score{Name: fmt.Sprintf("class %d", k), Value: float32(rng.NormFloat64())})
		}
		out[i] = r
	}
	return out
}

func containsScore(scores []prime.Score, name string) bool {
	for _, s := range scores {
		if s.Name == name {
			return true
		}
	}
	return false
}

// Records that keep scores read back the same from JSON Lines, compressed
// or not, and from Parquet as the ParquetWriter writes it, in one file or
// many, and mixed with records without scores.
func TestScoresEveryFormat(t *testing.T) {
	plain := synthRecords(t, synth.Config{Classes: 3, MinRecords: 200, MaxRecords: 300, Seed: 4})
	records := withScores(plain, 1)
	half := len(records) / 2
	mixed := append(append([]prime.Record{}, plain[:half]...), records[half:]...)
	small := &recordfile.Options{}
	recordfile.SetChunkSize(small, 2048)
	for _, tt := range []struct {
		name    string
		records []prime.Record
		write   func(t *testing.T, dir string, records []prime.Record) []string
		opts    *recordfile.Options
	}{
		{"JSON Lines in chunks", records, func(t *testing.T, dir string, records []prime.Record) []string {
			writeFile(t, filepath.Join(dir, "r.jsonl"), jsonLines(t, records))
			return []string{filepath.Join(dir, "r.jsonl")}
		}, small},
		{"zstd", records, func(t *testing.T, dir string, records []prime.Record) []string {
			writeFile(t, filepath.Join(dir, "r"), compress(t, jsonLines(t, records), "zstd"))
			return []string{filepath.Join(dir, "r")}
		}, nil},
		{"Parquet", records, func(t *testing.T, dir string, records []prime.Record) []string {
			writeParquet(t, filepath.Join(dir, "r.parquet"), records)
			return []string{filepath.Join(dir, "r.parquet")}
		}, nil},
		{"Parquet, then JSON Lines, some without scores", mixed, func(t *testing.T, dir string, records []prime.Record) []string {
			writeParquet(t, filepath.Join(dir, "a"), records[:half/2])
			writeParquet(t, filepath.Join(dir, "b"), records[half/2:half+10])
			writeFile(t, filepath.Join(dir, "c"), jsonLines(t, records[half+10:]))
			return []string{filepath.Join(dir, "?")}
		}, small},
	} {
		t.Run(tt.name, func(t *testing.T) {
			got, err := recordfile.ReadDataset(context.Background(), tt.write(t, t.TempDir(), tt.records), tt.opts)
			require.NoError(t, err)
			requireSame(t, tt.records, got)
		})
	}
}

// The layouts of scores other writers give Parquet: a list of structs
// with float or double scores (pandas writes doubles), a map of strings to
// floats (Spark's MapType), a floor that is null or missing.
func TestParquetScoreLayouts(t *testing.T) {
	type (
		score struct {
			Name  string  `parquet:"name"`
			Score float32 `parquet:"score"`
		}
		scoreDouble struct {
			Name  string  `parquet:"name"`
			Score float64 `parquet:"score"`
		}
		listRow struct {
			keys
			Tags       []string      `parquet:"tags,list"`
			TagFloor   *float64      `parquet:"tag_floor,optional"`
			TagScores  []scoreDouble `parquet:"tag_scores,list"`
			PredScores []score       `parquet:"pred_scores,list"`
		}
		mapRow struct {
			keys
			Tags       []string           `parquet:"tags,list"`
			TagScores  map[string]float32 `parquet:"tag_scores"`
			PredScores map[string]float64 `parquet:"pred_scores"`
		}
	)
	floor := func(v float64) *float64 { return &v }
	tests := []struct {
		name string
		data []byte
		want []prime.Record
	}{
		{"lists, double scores", parquetOf(t,
			listRow{keys{"1", "cat", "cat"}, []string{"x"}, floor(0.25), []scoreDouble{{"x", 0.75}, {"y", 0.5}}, []score{{"cat", 2}, {"dog", -1}}},
			listRow{keys{"2", "cat", "dog"}, nil, floor(0.5), nil, nil},
			listRow{keys{"3", "dog", "dog"}, []string{"y"}, nil, []scoreDouble{{"y", 0.875}}, nil},
			listRow{keys{"4", "dog", "dog"}, nil, nil, nil, nil}),
			[]prime.Record{
				{ID: "1", Label: "cat", Predicted: "cat", Tags: []string{"x"}, TagFloor: 0.25,
					TagScores: []prime.Score{{Name: "x", Value: 0.75}, {Name: "y", Value: 0.5}}, PredScores: []prime.Score{{Name: "cat", Value: 2}, {Name: "dog", Value: -1}}},
				{ID: "2", Label: "cat", Predicted: "dog", TagFloor: 0.5, TagScores: []prime.Score{}},
				{ID: "3", Label: "dog", Predicted: "dog", Tags: []string{"y"}, TagFloor: 1, TagScores: []prime.Score{{Name: "y", Value: 0.875}}},
				{ID: "4", Label: "dog", Predicted: "dog"},
			}},
		{"maps, no floor", parquetOf(t,
			mapRow{keys{"1", "cat", "cat"}, []string{"x"}, map[string]float32{"x": 0.75, "y": 0.5}, map[string]float64{"cat": 0.5}},
			mapRow{keys{"2", "cat", "cat"}, nil, nil, nil}),
			[]prime.Record{
				{ID: "1", Label: "cat", Predicted: "cat", Tags: []string{"x"}, TagFloor: 1,
					TagScores: []prime.Score{{Name: "x", Value: 0.75}, {Name: "y", Value: 0.5}}, PredScores: []prime.Score{{Name: "cat", Value: 0.5}}},
				{ID: "2", Label: "cat", Predicted: "cat"},
			}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := readBytes(tt.data)
			require.NoError(t, err)
			requireSame(t, tt.want, got)
		})
	}
}

func TestParquetScoreErrors(t *testing.T) {
	type (
		score struct {
			Name  *string  `parquet:"name,optional"`
			Score *float32 `parquet:"score,optional"`
		}
		row struct {
			keys
			Tags      []string `parquet:"tags,list"`
			TagFloor  *float32 `parquet:"tag_floor,optional"`
			TagScores []score  `parquet:"tag_scores,list"`
		}
		stringScores struct {
			keys
			TagScores []string `parquet:"tag_scores,list"`
		}
		intFloor struct {
			keys
			TagFloor int32 `parquet:"tag_floor"`
		}
	)
	good := row{keys{"1", "cat", "cat"}, []string{"x"}, ptr[float32](0.2), []score{{ptr("x"), ptr[float32](0.5)}}}
	bad := func(change func(r *row)) []byte {
		r := good
		r.ID = "2"
		r.TagScores = []score{{ptr("x"), ptr[float32](0.5)}, {ptr("y"), ptr[float32](0.25)}}
		change(&r)
		return parquetOf(t, good, r)
	}
	tests := []struct {
		name    string
		data    []byte
		row     int64
		field   string
		message string
	}{
		{"null name", bad(func(r *row) { r.TagScores[1].Name = nil }), 2, "tag_scores", "element 1 is null"},
		{"null score", bad(func(r *row) { r.TagScores[0].Score = nil }), 2, "tag_scores", "element 0 is null"},
		{"score above 1", bad(func(r *row) { r.TagScores[1].Score = ptr[float32](1.5) }), 2, "tag_scores", `"y": 1.5 outside [0, 1]`},
		{"tag without a score", bad(func(r *row) { r.Tags = []string{"x", "z"} }), 2, "tag_scores", `no score for "z", a tag of "tags"`},
		{"repeated name", bad(func(r *row) { r.TagScores[1].Name = ptr("x") }), 2, "tag_scores", `"x": given twice`},
		{"negative floor", bad(func(r *row) { r.TagFloor = ptr[float32](-0.5) }), 2, "tag_floor", "-0.5 outside [0, 1]"},
		{"floor above 1", bad(func(r *row) { r.TagFloor = ptr[float32](2) }), 2, "tag_floor", "2 outside [0, 1]"},
		{"scores not structs", parquetOf(t, stringScores{keys{"1", "cat", "cat"}, []string{"x"}}), 0, "", `column "tag_scores": a list of BYTE_ARRAY, want a list of {name: string, score: float}`},
		{"an integer floor", parquetOf(t, intFloor{keys{"1", "cat", "cat"}, 1}), 0, "", `column "tag_floor": INT32, want a float or a double`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := readBytes(tt.data)
			require.Error(t, err)
			assert.Contains(t, err.Error(), tt.message)
			var re *recordfile.RowError
			if tt.row == 0 {
				assert.False(t, errors.As(err, &re), "%v: about the file as a whole", err)
				return
			}
			require.ErrorAs(t, err, &re, "%v", err)
			assert.Equal(t, tt.row, re.Row, "%v", err)
			assert.Equal(t, tt.field, re.Field, "%v", err)
		})
	}
}

// Options.Thresholds decide the tags again, and a record that cannot be
// is named by its file and row or line.
func TestReadThresholds(t *testing.T) {
	records := []prime.Record{
		{ID: "1", Label: "cat", Predicted: "cat", Tags: []string{"x"}, TagFloor: 0.2, TagScores: []prime.Score{{Name: "x", Value: 0.9}, {Name: "y", Value: 0.3}}},
		{ID: "2", Label: "cat", Predicted: "dog", Tags: []string{"x", "y"}, TagFloor: 0.4, TagScores: []prime.Score{{Name: "x", Value: 0.9}, {Name: "y", Value: 0.6}}},
	}
	dir := t.TempDir()
	writeParquet(t, filepath.Join(dir, "a.parquet"), records[:1])
	writeFile(t, filepath.Join(dir, "b.jsonl"), jsonLines(t, records[1:]))
	paths := []string{filepath.Join(dir, "a.parquet"), filepath.Join(dir, "b.jsonl")}
	th, err := prime.UniformThreshold(0.5)
	require.NoError(t, err)
	d, err := recordfile.ReadDataset(context.Background(), paths, &recordfile.Options{Thresholds: th})
	require.NoError(t, err)
	assert.Equal(t, []string{"x", "y"}, d.Record(1).Tags)
	assert.Equal(t, []string{"x"}, d.Record(0).Tags)

	low, err := prime.UniformThreshold(0.3)
	require.NoError(t, err)
	_, err = recordfile.ReadDataset(context.Background(), paths, &recordfile.Options{Thresholds: low})
	require.EqualError(t, err, paths[1]+`:1: field "tag_floor": tag scores were kept above 0.4 only, so no tag can be decided at the threshold 0.3`)
	lower, err := prime.UniformThreshold(0.1)
	require.NoError(t, err)
	_, err = recordfile.ReadDataset(context.Background(), paths, &recordfile.Options{Thresholds: lower})
	var re *recordfile.RowError
	require.ErrorAs(t, err, &re)
	assert.Equal(t, int64(1), re.Row)
	assert.Equal(t, "tag_floor", re.Field)
}
