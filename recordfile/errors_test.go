package recordfile_test

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"path/filepath"
	"testing"

	"github.com/parquet-go/parquet-go"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/failmodes/prime"
	"github.com/failmodes/prime/recordfile"
)

// parquetOf returns rows written as Parquet with the library's own writer,
// their Go type giving the schema.
func parquetOf[T any](t testing.TB, rows ...T) []byte {
	t.Helper()
	var buf bytes.Buffer
	return closed(t, &buf, parquet.NewGenericWriter[T](&buf), rows)
}

// keys are the first columns of the test rows of Parquet whose id, label
// and prediction are strings, embedded in each row's schema.
type keys struct {
	ID    string `parquet:"id"`
	Label string `parquet:"label"`
	Pred  string `parquet:"pred"`
}

// A tagged is a test row of Parquet with keys and tags of type T.
type tagged[T any] struct {
	keys
	Tags T `parquet:"tags,list"`
}

// Rows of Parquet files that break the rules, each in a schema of its own.
type (
	optionalRow struct {
		ID      *string  `parquet:"id,optional"`
		Label   *string  `parquet:"label,optional"`
		Pred    *string  `parquet:"pred,optional"`
		Correct *bool    `parquet:"correct,optional"`
		Tags    []string `parquet:"tags,list"`
	}
	nullTagRow struct {
		keys
		Tags []*string `parquet:"tags,list,optional"`
	}
	intIDRow struct {
		ID    int64  `parquet:"id"`
		Label string `parquet:"label"`
		Pred  string `parquet:"pred"`
	}
	noIDRow struct {
		Label string `parquet:"label"`
		Pred  string `parquet:"pred"`
	}
	noPredRow struct {
		ID    string `parquet:"id"`
		Label string `parquet:"label"`
	}
)

func ptr[T any](v T) *T { return &v }

func TestParquetErrors(t *testing.T) {
	good := optionalRow{ID: ptr("1"), Label: ptr("cat"), Pred: ptr("cat"), Tags: []string{"a"}}
	with := func(change func(r *optionalRow)) []optionalRow {
		bad := good
		bad.ID = ptr("3")
		change(&bad)
		return []optionalRow{good, {ID: ptr("2"), Label: ptr("dog"), Correct: ptr(true)}, bad}
	}
	valid := parquetOf(t, good)
	tests := []struct {
		name    string
		data    []byte
		row     int64 // 0 for an error about the whole file
		field   string
		message string
	}{
		{"null id", parquetOf(t, with(func(r *optionalRow) { r.ID = nil })...), 3, "id", "missing or empty"},
		{"empty id", parquetOf(t, optionalRow{ID: ptr("1"), Label: ptr("a"), Pred: ptr("a")}, optionalRow{ID: ptr(""), Label: ptr("a"), Pred: ptr("a")}), 2, "id", "missing or empty"},
		{"null label", parquetOf(t, with(func(r *optionalRow) { r.Label = nil })...), 3, "label", "missing or empty"},
		{"empty label", parquetOf(t, with(func(r *optionalRow) { r.Label = ptr("") })...), 3, "label", "missing or empty"},
		{"no prediction", parquetOf(t, with(func(r *optionalRow) { r.Pred = nil })...), 3, "pred", `missing, and so is "correct"`},
		{"empty prediction", parquetOf(t, with(func(r *optionalRow) { r.Pred = ptr("") })...), 3, "pred", "empty"},
		{"disagreeing correct", parquetOf(t, with(func(r *optionalRow) { r.Correct = ptr(false) })...), 3, "correct", "false"},
		{"empty tag", parquetOf(t, with(func(r *optionalRow) { r.Tags = []string{"a", ""} })...), 3, "tags", "element 1 is empty"},
		{"bad UTF-8", parquetOf(t, with(func(r *optionalRow) { r.Tags = []string{"\xff"} })...), 3, "tags", "invalid UTF-8"},
		{"repeated id", parquetOf(t, good, good), 2, "id", `repeated: "1"`},
		{"null tag", parquetOf(t, nullTagRow{keys: keys{"1", "a", "a"}, Tags: []*string{ptr("x"), nil}}), 1, "tags", "element 1 is null"},
		{"integer ids", parquetOf(t, intIDRow{ID: 1, Label: "a", Pred: "a"}), 0, "", `column "id": INT64, want a string`},
		{"integer tags", parquetOf(t, tagged[[]int32]{keys{"1", "a", "a"}, []int32{1}}), 0, "", `column "tags": a list of INT32, want a list of strings`},
		{"no id column", parquetOf(t, noIDRow{Label: "a", Pred: "a"}), 0, "", `column "id": missing`},
		{"no prediction column", parquetOf(t, noPredRow{ID: "1", Label: "a"}), 0, "", `column "pred": missing, and so is "correct"`},
		{"truncated", valid[:len(valid)-5], 0, "", "not a Parquet file"},
		{"magic only", []byte("PAR1"), 0, "", "not a Parquet file"},
		{"no rows", parquetOf[optionalRow](t), 0, "", "no records"},
		{"bzip2", []byte("BZh91AY&SY"), 0, "", "compressed with bzip2, which prime does not read"},
		{"gzip of Parquet", compress(t, valid, "gzip"), 0, "", "Parquet compressed again"},
		{"bad gzip", append([]byte{0x1f, 0x8b, 8, 0, 0, 0, 0, 0, 0, 0xff}, bytes.Repeat([]byte{0xff}, 40)...), 0, "", "gzip"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			path := filepath.Join(t.TempDir(), "records.parquet")
			writeFile(t, path, tt.data)
			_, err := recordfile.ReadDataset(context.Background(), []string{path}, nil)
			require.Error(t, err)
			assert.Contains(t, err.Error(), path+": ", "names the file")
			assert.Contains(t, err.Error(), tt.message)
			var re *recordfile.RowError
			if tt.row == 0 {
				assert.False(t, errors.As(err, &re), "%v: about the file as a whole", err)
				return
			}
			require.ErrorAs(t, err, &re)
			assert.Equal(t, tt.row, re.Row, "%v", err)
			assert.Equal(t, tt.field, re.Field)
			assert.Equal(t, path, re.File)
		})
	}
}

// A hive partition's label and a label column must agree.
func TestHiveLabelDisagrees(t *testing.T) {
	dir := t.TempDir()
	writeParquet(t, filepath.Join(dir, "label=cat", "part-0.parquet"), []prime.Record{
		{ID: "1", Label: "cat", Predicted: "cat"}, {ID: "2", Label: "dog", Predicted: "cat"}})
	_, err := recordfile.ReadDataset(context.Background(), []string{dir}, nil)
	var re *recordfile.RowError
	require.ErrorAs(t, err, &re)
	assert.Equal(t, int64(2), re.Row)
	assert.Equal(t, "label", re.Field)
	assert.ErrorContains(t, err, `"dog", but the file is in folder label=cat`)
}

// A repeated id across files is reported in the file where it repeats.
func TestRepeatedIDAcrossFiles(t *testing.T) {
	dir := t.TempDir()
	writeParquet(t, filepath.Join(dir, "part-0.parquet"), []prime.Record{{ID: "1", Label: "a", Predicted: "a"}, {ID: "2", Label: "a", Predicted: "a"}})
	writeParquet(t, filepath.Join(dir, "part-1.parquet"), []prime.Record{{ID: "3", Label: "a", Predicted: "a"}, {ID: "2", Label: "a", Predicted: "a"}})
	_, err := recordfile.ReadDataset(context.Background(), []string{dir}, nil)
	var re *recordfile.RowError
	require.ErrorAs(t, err, &re)
	assert.Equal(t, filepath.Join(dir, "part-1.parquet"), re.File)
	assert.Equal(t, int64(2), re.Row)
	assert.Equal(t, "id", re.Field)
}

// A corrupt Parquet file is an error, never a panic: every byte of a
// small file flipped in turn.
func TestParquetCorrupt(t *testing.T) {
	data := parquetBytes(t, twoRecords())
	for i := 4; i < len(data)-4; i++ {
		bad := bytes.Clone(data)
		bad[i] ^= 0xff
		d, err := readBytes(bad)
		if err == nil {
			require.Equal(t, 2, d.Len(), "byte %d", i) // a change in a value, or in unused metadata
		}
	}
}

// Bad lines of JSON Lines are reported with their file and line, across
// files and chunks, blank lines and a byte order mark counted as lines;
// a repeated id across files names where it first appears, and comes
// before a bad line after it.
func TestJSONLinesErrorsAcrossFiles(t *testing.T) {
	dir := t.TempDir()
	a := filepath.Join(dir, "a.jsonl")
	b := filepath.Join(dir, "b.jsonl.gz")
	var lines []byte
	lines = append(lines, "\xef\xbb\xbf"...)
	for i := range 300 {
		lines = fmt.Appendf(lines, `{"id": "a%d", "label": "x", "pred": "x", "tags": ["t%d"]}`+"\n", i, i%7)
		if i%50 == 0 {
			lines = append(lines, "\n"...) // a blank line
		}
	}
	writeFile(t, a, lines) // 306 lines
	tests := []struct {
		name string
		b    string // the second file's lines
		err  string
	}{
		{"bad line", `{"id": "b0", "label": "x", "pred": "x"}` + "\n\n" + `{"id": "b1", "label": "x"}` + "\n",
			b + `:3: field "pred": missing, and so is "correct"`},
		{"repeated id", `{"id": "b0", "label": "x", "pred": "x"}` + "\n" + `{"id": "a123", "label": "x", "pred": "y"}` + "\n",
			b + `:2: field "id": repeated: "a123" first appears in ` + a + " line 127"},
		{"repeated id, then a bad line", `{"id": "a7", "label": "x", "pred": "x"}` + "\n" + `{"id": 5}` + "\n",
			b + `:1: field "id": repeated: "a7" first appears in ` + a + " line 9"},
		{"not JSON", "id,label\n", b + `:1: `},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			writeFile(t, b, compress(t, []byte(tt.b), "gzip"))
			for _, size := range []int{1 << 20, 100} {
				var o recordfile.Options
				recordfile.SetChunkSize(&o, size)
				_, err := recordfile.ReadDataset(context.Background(), []string{a, b}, &o)
				var le *prime.LineError
				require.ErrorAs(t, err, &le, "chunks of %d", size)
				assert.ErrorContains(t, err, tt.err, "chunks of %d", size)
			}
		})
	}
}

// FuzzRead reads any bytes as a records file: an error or a Dataset, never
// a panic.
func FuzzRead(f *testing.F) {
	records := twoRecords()
	f.Add(parquetBytes(f, records))
	f.Add(jsonLines(f, records))
	f.Add(compress(f, jsonLines(f, records), "gzip"))
	f.Add(compress(f, jsonLines(f, records), "zstd"))
	scored := withScores(records, 3)
	f.Add(parquetBytes(f, scored))
	f.Add(jsonLines(f, scored))
	f.Fuzz(func(t *testing.T, data []byte) {
		d, err := readBytes(data)
		if err == nil {
			require.Positive(t, d.Len())
		}
	})
}
