package recordfile_test

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/url"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/klauspost/compress/gzip"
	"github.com/klauspost/compress/zstd"
	"github.com/parquet-go/parquet-go"
	"github.com/stretchr/testify/require"

	"github.com/failmodes/prime"
	"github.com/failmodes/prime/internal/synth"
	"github.com/failmodes/prime/recordfile"
)

// jsonLines returns records as JSON Lines.
func jsonLines(t testing.TB, records []prime.Record) []byte {
	t.Helper()
	var buf bytes.Buffer
	w := prime.NewRecordWriter(&buf)
	for i := range records {
		require.NoError(t, w.Write(&records[i]))
	}
	require.NoError(t, w.Flush())
	return buf.Bytes()
}

// writeFile writes data to path, making its folder.
func writeFile(t testing.TB, path string, data []byte) {
	t.Helper()
	require.NoError(t, os.MkdirAll(filepath.Dir(path), 0o755))
	require.NoError(t, os.WriteFile(path, data, 0o644))
}

// compress returns data compressed with gzip or zstd.
func compress(t testing.TB, data []byte, how string) []byte {
	t.Helper()
	var buf bytes.Buffer
	var w io.WriteCloser
	switch how {
	case "gzip":
		w = gzip.NewWriter(&buf)
	case "zstd":
		zw, err := zstd.NewWriter(&buf)
		require.NoError(t, err)
		w = zw
	}
	return closed(t, &buf, w, data)
}

// closed returns what buf holds once w, which writes to buf, has written
// x and been closed.
func closed[T any](t testing.TB, buf *bytes.Buffer, w interface {
	Write(T) (int, error)
	Close() error
}, x T) []byte {
	t.Helper()
	_, err := w.Write(x)
	require.NoError(t, err)
	require.NoError(t, w.Close())
	return buf.Bytes()
}

// unlabelled is a record as a partitioned writer writes it: the label is
// in the folder's name, not in the file.
type unlabelled struct {
	ID    string   `parquet:"id"`
	Pred  string   `parquet:"pred,dict"`
	Tags  []string `parquet:"tags,list"`
	Other int64    `parquet:"other"` // a column prime ignores
}

// writeHive writes records as Spark's df.write.partitionBy("label") does:
// a folder label=NAME (NAME escaped) for each class, holding parts part
// files without the label column.
func writeHive(t testing.TB, dir string, records []prime.Record, parts int) {
	t.Helper()
	byLabel := map[string][]prime.Record{}
	var labels []string
	for _, r := range records {
		if byLabel[r.Label] == nil {
			labels = append(labels, r.Label)
		}
		byLabel[r.Label] = append(byLabel[r.Label], r)
	}
	for _, l := range labels {
		rs := byLabel[l]
		for p := range parts {
			var buf bytes.Buffer
			w := parquet.NewGenericWriter[unlabelled](&buf)
			lo, hi := p*len(rs)/parts, (p+1)*len(rs)/parts
			for i, r := range rs[lo:hi] {
				_, err := w.Write([]unlabelled{{ID: r.ID, Pred: r.Predicted, Tags: r.Tags, Other: int64(i)}})
				require.NoError(t, err)
			}
			require.NoError(t, w.Close())
			name := fmt.Sprintf("part-%05d-5f1c.c000.snappy.parquet", p)
			writeFile(t, filepath.Join(dir, "label="+url.PathEscape(l), name), buf.Bytes())
		}
	}
	writeFile(t, filepath.Join(dir, "_SUCCESS"), nil)
	writeFile(t, filepath.Join(dir, ".part-00000-5f1c.c000.snappy.parquet.crc"), []byte("crc"))
}

// writeHiveJSONL writes records as Spark's
// df.write.partitionBy("label").json(...) does, compressed with gzip: a
// folder label=NAME for each class, its records without their label.
func writeHiveJSONL(t testing.TB, dir string, records []prime.Record) {
	t.Helper()
	byLabel := map[string][]byte{}
	for _, r := range records {
		line, err := json.Marshal(struct {
			ID   string   `json:"id"`
			Pred string   `json:"pred"`
			Tags []string `json:"tags"`
		}{r.ID, r.Predicted, r.Tags})
		require.NoError(t, err)
		byLabel[r.Label] = append(append(byLabel[r.Label], line...), '\n')
	}
	for l, data := range byLabel {
		writeFile(t, filepath.Join(dir, "label="+url.PathEscape(l), "part-00000-5f1c.c000.json.gz"), compress(t, data, "gzip"))
	}
}

// byClass returns records in the order of a partitioned layout: by the
// names of the classes' folders, keeping the order within a class.
func byClass(records []prime.Record) []prime.Record {
	return slices.SortedStableFunc(slices.Values(records), func(a, b prime.Record) int {
		return strings.Compare(url.PathEscape(a.Label), url.PathEscape(b.Label))
	})
}

// report mines d and returns its report as JSON Lines: every mode with
// its p, q and intervals.
func report(t testing.TB, d *prime.Dataset) string {
	t.Helper()
	r, err := d.Analyze(context.Background(), &prime.Options{MinSize: 20, FDR: 1, Bootstrap: 200, Seed: 5})
	require.NoError(t, err)
	var buf bytes.Buffer
	require.NoError(t, r.WriteJSONL(&buf))
	return buf.String()
}

// The same records give the same data set, and so the same modes, p, q
// and intervals, in every format and layout ReadDataset reads, whatever
// the files' names.
func TestSameRecordsEveryLayout(t *testing.T) {
	records := synthRecords(t, synth.Config{Classes: 4, MinRecords: 300, MaxRecords: 500, MinModeSize: 25, Seed: 11})
	records[0].Label = "label with spaces/and a slash" // escaped in a folder's name
	records[1].Label = records[0].Label
	data := jsonLines(t, records)
	want, err := prime.NewDataset(records)
	require.NoError(t, err)
	wantReport := report(t, want)
	require.Contains(t, wantReport, `"label"`, "the workload has modes")

	small := &recordfile.Options{}
	recordfile.SetChunkSize(small, 4096)
	// file writes content to the one file name, and names it.
	file := func(name string, content []byte) func(*testing.T, string) []string {
		return func(t *testing.T, dir string) []string {
			path := filepath.Join(dir, name)
			writeFile(t, path, content)
			return []string{path}
		}
	}
	tests := []struct {
		name  string
		order []prime.Record // the records' order when not records'
		write func(t *testing.T, dir string) []string
		opts  *recordfile.Options
	}{
		{"JSON Lines", nil, file("records.parquet", data), nil}, // the name lies
		{"JSON Lines in chunks of 4 KB", nil, file("records.jsonl", data), small},
		{"gzip", nil, file("records.jsonl", compress(t, data, "gzip")), nil},
		{"zstd", nil, file("records", compress(t, data, "zstd")), nil},
		{"Parquet", nil, file("records.jsonl.gz", parquetBytes(t, records)), nil},
		{"Parquet parts in a folder", nil, func(t *testing.T, dir string) []string {
			for p := range 3 {
				lo, hi := p*len(records)/3, (p+1)*len(records)/3
				writeParquet(t, filepath.Join(dir, "out", fmt.Sprintf("part-%05d.parquet", p)), records[lo:hi])
			}
			writeFile(t, filepath.Join(dir, "out", "_SUCCESS"), nil)
			return []string{filepath.Join(dir, "out")}
		}, nil},
		{"hive partitions", byClass(records), func(t *testing.T, dir string) []string {
			writeHive(t, filepath.Join(dir, "out"), records, 2)
			return []string{filepath.Join(dir, "out")}
		}, nil},
		{"hive partitions by glob", byClass(records), func(t *testing.T, dir string) []string {
			writeHive(t, filepath.Join(dir, "out"), records, 2)
			return []string{filepath.Join(dir, "out", "label=*", "part-*.parquet")}
		}, nil},
		{"hive partitions of gzip JSON Lines", byClass(records), func(t *testing.T, dir string) []string {
			writeHiveJSONL(t, filepath.Join(dir, "out"), records)
			return []string{filepath.Join(dir, "out")}
		}, small},
		{"compressed JSON Lines parts, several arguments", nil, func(t *testing.T, dir string) []string {
			var paths []string
			for p, how := range []string{"gzip", "zstd", "none", "gzip"} {
				lo, hi := p*len(records)/4, (p+1)*len(records)/4
				part := jsonLines(t, records[lo:hi])
				if how != "none" {
					part = compress(t, part, how)
				}
				path := filepath.Join(dir, fmt.Sprintf("part-%d.json", p))
				writeFile(t, path, part)
				paths = append(paths, path)
			}
			return paths
		}, nil},
		{"Parquet and JSON Lines together", nil, func(t *testing.T, dir string) []string {
			half := len(records) / 2
			writeParquet(t, filepath.Join(dir, "a"), records[:half])
			writeFile(t, filepath.Join(dir, "b"), compress(t, jsonLines(t, records[half:]), "zstd"))
			return []string{filepath.Join(dir, "?")}
		}, nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			paths := tt.write(t, t.TempDir())
			got, err := recordfile.ReadDataset(context.Background(), paths, tt.opts)
			require.NoError(t, err)
			order := records
			if tt.order != nil {
				order = tt.order
			}
			requireSame(t, order, got)
			require.Equal(t, wantReport, report(t, got))
		})
	}
}

// Standard input is read in any format too, Parquet included.
func TestReadStdin(t *testing.T) {
	records := synthRecords(t, synth.Config{Classes: 2, MinRecords: 200, Seed: 2})
	for name, data := range map[string][]byte{
		"JSON Lines": jsonLines(t, records),
		"zstd":       compress(t, jsonLines(t, records), "zstd"),
		"Parquet":    parquetBytes(t, records),
	} {
		t.Run(name, func(t *testing.T) {
			got, err := readBytes(data)
			require.NoError(t, err)
			requireSame(t, records, got)
		})
	}
}

func TestSources(t *testing.T) {
	dir := t.TempDir()
	for _, name := range []string{
		"out/part-00001.parquet", "out/part-00000.parquet", "out/_SUCCESS", "out/.part-00000.parquet.crc",
		"out/_temporary/0/part-00002.parquet", "hive/date=2024-01-02/label=a%2Fb/part-0.parquet",
		"hive/label=c/part-0.parquet", "empty/.keep", "bad/label=__HIVE_DEFAULT_PARTITION__/part-0.parquet",
	} {
		writeFile(t, filepath.Join(dir, name), []byte("x"))
	}
	p := func(name string) string { return filepath.Join(dir, name) }
	tests := []struct {
		name  string
		paths []string
		want  []recordfile.Source
		err   string
	}{
		{"folder, lexical order, no hidden files", []string{p("out")}, []recordfile.Source{
			{Path: p("out/part-00000.parquet")}, {Path: p("out/part-00001.parquet")}}, ""},
		{"glob", []string{p("out/part-*")}, []recordfile.Source{
			{Path: p("out/part-00000.parquet")}, {Path: p("out/part-00001.parquet")}}, ""},
		{"a file named twice is read once", []string{p("out/part-00001.parquet"), p("out")}, []recordfile.Source{
			{Path: p("out/part-00001.parquet")}, {Path: p("out/part-00000.parquet")}}, ""},
		{"hive labels, unescaped", []string{p("hive")}, []recordfile.Source{
			{Path: p("hive/date=2024-01-02/label=a%2Fb/part-0.parquet"), Label: "a/b"},
			{Path: p("hive/label=c/part-0.parquet"), Label: "c"}}, ""},
		{"standard input", []string{"-"}, []recordfile.Source{{Path: "-"}}, ""},
		{"missing", []string{p("none.jsonl")}, nil, "none.jsonl"},
		{"no match", []string{p("none-*.jsonl")}, nil, "no file matches"},
		{"empty folder", []string{p("empty")}, nil, "no records files in the folder"},
		{"null partition", []string{p("bad")}, nil, "names no label"},
		{"nothing", nil, nil, "no records files given"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := recordfile.Sources(tt.paths...)
			if tt.err != "" {
				require.ErrorContains(t, err, tt.err)
				return
			}
			require.NoError(t, err)
			require.Equal(t, tt.want, got)
		})
	}
}

// Image paths relative to their records file stay right when files lie in
// several folders: they are rewritten to lead from the first file's.
func TestImagePathsAcrossFolders(t *testing.T) {
	dir := t.TempDir()
	a := []prime.Record{{ID: "1", Label: "x", Predicted: "x", Image: "img/1.png"}}
	b := []prime.Record{{ID: "2", Label: "x", Predicted: "x", Image: "img/2.png"}, {ID: "3", Label: "x", Predicted: "x", Image: "/abs/3.png"}}
	writeFile(t, filepath.Join(dir, "run1", "records.jsonl"), jsonLines(t, a))
	writeParquet(t, filepath.Join(dir, "run2", "sub", "records.parquet"), b)
	srcs, err := recordfile.Sources(filepath.Join(dir, "run1", "records.jsonl"), filepath.Join(dir, "run2"))
	require.NoError(t, err)
	d, err := recordfile.Read(context.Background(), srcs, nil)
	require.NoError(t, err)
	require.Equal(t, filepath.Join(dir, "run1"), recordfile.ImageDir(srcs))
	var images []string
	for _, r := range d.All() {
		images = append(images, r.Image)
	}
	require.Equal(t, []string{"img/1.png", "../run2/sub/img/2.png", "/abs/3.png"}, images)
	require.True(t, strings.HasPrefix(images[1], "../"))
}

// A cancelled context stops the reading with its error.
func TestReadCancelled(t *testing.T) {
	records := synthRecords(t, synth.Config{Classes: 2, MinRecords: 2000, Seed: 3})
	dir := t.TempDir()
	writeFile(t, filepath.Join(dir, "a.jsonl"), jsonLines(t, records))
	writeParquet(t, filepath.Join(dir, "b.parquet"), records)
	for _, name := range []string{"a.jsonl", "b.parquet"} {
		ctx, cancel := context.WithCancel(context.Background())
		cancel()
		_, err := recordfile.ReadDataset(ctx, []string{filepath.Join(dir, name)}, nil)
		require.ErrorIs(t, err, context.Canceled, name)
	}
}

// Progress counts the files' bytes, up to their total.
func TestReadProgress(t *testing.T) {
	records := synthRecords(t, synth.Config{Classes: 3, MinRecords: 3000, Seed: 4})
	dir := t.TempDir()
	third := len(records) / 3
	writeParquet(t, filepath.Join(dir, "a.parquet"), records[:third])
	writeFile(t, filepath.Join(dir, "b.jsonl.gz"), compress(t, jsonLines(t, records[third:2*third]), "gzip"))
	writeFile(t, filepath.Join(dir, "c.jsonl"), jsonLines(t, records[2*third:]))
	var total int64
	for _, name := range []string{"a.parquet", "b.jsonl.gz", "c.jsonl"} {
		st, err := os.Stat(filepath.Join(dir, name))
		require.NoError(t, err)
		total += st.Size()
	}
	var calls [][2]int64
	o := &recordfile.Options{Progress: func(done, total int64) { calls = append(calls, [2]int64{done, total}) }}
	recordfile.SetChunkSize(o, 64<<10)
	d, err := recordfile.ReadDataset(context.Background(), []string{dir}, o)
	require.NoError(t, err)
	require.Equal(t, len(records), d.Len())
	require.Greater(t, len(calls), 3, "several calls")
	for i, c := range calls {
		require.Equal(t, total, c[1])
		require.LessOrEqual(t, c[0], total)
		if i > 0 {
			require.GreaterOrEqual(t, c[0], calls[i-1][0], "never back")
		}
	}
	require.Equal(t, [2]int64{total, total}, calls[len(calls)-1])
}
