package recordfile_test

import (
	"bytes"
	"context"
	"slices"
	"testing"

	"github.com/parquet-go/parquet-go"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/failmodes/prime"
	"github.com/failmodes/prime/internal/synth"
	"github.com/failmodes/prime/recordfile"
)

// synthRecords returns the records of a small synth workload.
func synthRecords(t testing.TB, cfg synth.Config) []prime.Record {
	t.Helper()
	var records []prime.Record
	_, err := synth.Generate(cfg, func(r *prime.Record) error {
		c := *r
		c.Tags = append([]string(nil), r.Tags...)
		records = append(records, c)
		return nil
	})
	require.NoError(t, err)
	return records
}

// parquetBytes returns records as a Parquet file a ParquetWriter writes,
// with opts after its own.
func parquetBytes(t testing.TB, records []prime.Record, opts ...parquet.WriterOption) []byte {
	t.Helper()
	var buf bytes.Buffer
	w := recordfile.NewParquetWriterWith(&buf, opts...)
	for i := range records {
		require.NoError(t, w.Write(&records[i]))
	}
	require.NoError(t, w.Close())
	return buf.Bytes()
}

// writeParquet writes records to a Parquet file at path.
func writeParquet(t testing.TB, path string, records []prime.Record) {
	t.Helper()
	writeFile(t, path, parquetBytes(t, records))
}

// readBytes reads data, a records file of any format, from standard input.
func readBytes(data []byte) (*prime.Dataset, error) {
	return recordfile.ReadDataset(context.Background(), []string{"-"}, &recordfile.Options{Stdin: bytes.NewReader(data)})
}

// twoRecords are a small workload that uses every column.
func twoRecords() []prime.Record {
	return []prime.Record{
		{ID: "1", Label: "cat", Predicted: "cat", Tags: []string{"a", "b"}},
		{ID: "2", Label: "dog", Correct: true, Tags: []string{"b"}, Image: "x.png"},
	}
}

// requireSame fails unless got holds records, in order.
func requireSame(t *testing.T, records []prime.Record, got *prime.Dataset) {
	t.Helper()
	want, err := prime.NewDataset(records)
	require.NoError(t, err)
	require.Equal(t, want.Len(), got.Len())
	require.Equal(t, want.Labels(), got.Labels())
	require.Equal(t, want.Tags(), got.Tags())
	for i, r := range want.All() {
		require.Equal(t, r, got.Record(i), "record %d", i)
	}
}

func TestParquetRoundTrip(t *testing.T) {
	yes := []prime.Record{
		{ID: "a", Label: "cat", Predicted: "cat", Tags: []string{"sofa", "indoor"}},
		{ID: "b", Label: "cat", Correct: true, Tags: nil},
		{ID: "c", Label: "dog", Correct: false, Tags: []string{"grass", "grass"}, Image: "img/c.png"},
		{ID: "d", Label: "dog", Predicted: "wolf", Tags: []string{"snow"}},
	}
	tests := []struct {
		name    string
		records []prime.Record
	}{
		{"hand-made", yes},
		{"synth", synthRecords(t, synth.Config{Classes: 3, MinRecords: 400, Seed: 7})},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := readBytes(parquetBytes(t, tt.records))
			require.NoError(t, err)
			requireSame(t, tt.records, got)
		})
	}
}

func TestParquetWriterRefuses(t *testing.T) {
	tests := []struct {
		name  string
		r     prime.Record
		field string
	}{
		{"empty id", prime.Record{Label: "a", Predicted: "a"}, "id"},
		{"empty label", prime.Record{ID: "1", Predicted: "a"}, "label"},
		{"empty tag", prime.Record{ID: "1", Label: "a", Predicted: "a", Tags: []string{"x", ""}}, "tags"},
		{"bad UTF-8", prime.Record{ID: "1", Label: "a\xff", Predicted: "a"}, "label"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			w := recordfile.NewParquetWriter(&bytes.Buffer{})
			require.NoError(t, w.Write(&prime.Record{ID: "0", Label: "a", Predicted: "a"}))
			err := w.Write(&tt.r)
			var re *prime.RecordError
			require.ErrorAs(t, err, &re)
			assert.Equal(t, 1, re.Index)
			assert.Equal(t, tt.field, re.Field)
		})
	}
}

// Tags as Parquet writers lay lists out: the standard LIST, a legacy
// repeated string, a list of {name, score} structs, or no column at all.
func TestParquetTagLayouts(t *testing.T) {
	type scored struct {
		Name  string  `parquet:"name"`
		Score float32 `parquet:"score"`
	}
	type (
		legacy struct {
			keys
			Tags []string `parquet:"tags"`
		}
		none struct {
			ID      string `parquet:"id"`
			Label   string `parquet:"label"`
			Correct bool   `parquet:"correct"`
		}
	)
	tests := []struct {
		name string
		data []byte
		want [][]string
	}{
		{"LIST", parquetOf(t, tagged[[]string]{keys{"1", "a", "a"}, []string{"x", "y"}}, tagged[[]string]{keys{"2", "a", "b"}, nil}), [][]string{{"x", "y"}, nil}},
		{"repeated string", parquetOf(t, legacy{keys{"1", "a", "a"}, []string{"x", "y"}}, legacy{keys{"2", "a", "b"}, nil}), [][]string{{"x", "y"}, nil}},
		{"list of name and score", parquetOf(t, tagged[[]scored]{keys{"1", "a", "a"}, []scored{{"x", 0.9}, {"y", 0.4}}}, tagged[[]scored]{keys{"2", "a", "b"}, nil}), [][]string{{"x", "y"}, nil}},
		{"no tags column", parquetOf(t, none{"1", "a", true}, none{"2", "a", false}), [][]string{nil, nil}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			d, err := readBytes(tt.data)
			require.NoError(t, err)
			var got [][]string
			var correct []bool
			for _, r := range d.All() {
				slices.Sort(r.Tags)
				got = append(got, r.Tags)
				correct = append(correct, r.IsCorrect())
			}
			assert.Equal(t, tt.want, got)
			assert.Equal(t, []bool{true, false}, correct)
		})
	}
}

// The encodings, page layouts and codecs Parquet writers use read as the
// same records: version 1 data pages (Spark's), on which a record's tags
// may span pages; small pages; a dictionary that overflows into plain
// pages mid-chunk (Spark's fallback); every codec.
func TestParquetEncodings(t *testing.T) {
	records := synthRecords(t, synth.Config{Classes: 3, MinRecords: 1500, Seed: 8})
	for i := range records {
		if i%5 == 0 {
			records[i].Predicted, records[i].Correct = "", records[i].Label == records[i].Predicted
		}
	}
	tests := []struct {
		name string
		opts []parquet.WriterOption
	}{
		{"version 1 pages of 512 bytes", []parquet.WriterOption{parquet.DataPageVersion(1), parquet.PageBufferSize(512)}},
		{"version 2 pages of 512 bytes", []parquet.WriterOption{parquet.DataPageVersion(2), parquet.PageBufferSize(512)}},
		{"dictionary overflow", []parquet.WriterOption{parquet.DictionaryMaxBytes(2000), parquet.PageBufferSize(4096)}},
		{"row groups of 1000", []parquet.WriterOption{parquet.MaxRowsPerRowGroup(1000)}},
		{"uncompressed", []parquet.WriterOption{parquet.Compression(&parquet.Uncompressed)}},
		{"gzip", []parquet.WriterOption{parquet.Compression(&parquet.Gzip)}},
		{"zstd", []parquet.WriterOption{parquet.Compression(&parquet.Zstd)}},
		{"Brotli", []parquet.WriterOption{parquet.Compression(&parquet.Brotli)}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := readBytes(parquetBytes(t, records, tt.opts...))
			require.NoError(t, err)
			requireSame(t, records, got)
		})
	}
}

// LZ4_RAW, which the Parquet library decodes wrongly, is refused, naming
// the column and the codec.
func TestParquetLZ4Refused(t *testing.T) {
	records := synthRecords(t, synth.Config{Classes: 1, MinRecords: 1000, Seed: 8})
	_, err := readBytes(parquetBytes(t, records, parquet.Compression(&parquet.Lz4Raw)))
	var fe *recordfile.FileError
	require.ErrorAs(t, err, &fe)
	assert.EqualError(t, err, `stdin: column "id": compressed with LZ4_RAW, which prime does not read: write Snappy, zstd or gzip`)
}
