package recordfile_test

import (
	"bufio"
	"context"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/klauspost/compress/gzip"
	"github.com/klauspost/compress/zstd"
	"github.com/stretchr/testify/require"

	"github.com/failmodes/prime"
	"github.com/failmodes/prime/internal/cputime"
	"github.com/failmodes/prime/internal/synth"
	"github.com/failmodes/prime/recordfile"
)

// workload is a synth workload written in every format ReadDataset reads.
type workload struct {
	records   int
	jsonBytes int64 // the JSON Lines text's length
	paths     map[string][]string
}

// writeWorkload writes the records of cfg to dir as JSON Lines (plain,
// gzip, zstd, and in 8 parts of each) and as Parquet (one file, and 8
// parts).
func writeWorkload(tb testing.TB, dir string, cfg synth.Config) *workload {
	tb.Helper()
	const parts = 8
	w := &workload{paths: map[string][]string{}}
	type sink struct {
		file  *os.File
		buf   *bufio.Writer
		close []func() error
		rw    interface{ Write(*prime.Record) error }
	}
	var sinks []*sink // in the order opened
	open := func(name, how string) *sink {
		path := filepath.Join(dir, name)
		require.NoError(tb, os.MkdirAll(filepath.Dir(path), 0o755))
		f, err := os.Create(path)
		require.NoError(tb, err)
		s := &sink{file: f, buf: bufio.NewWriterSize(f, 1<<20)}
		var out io.Writer = s.buf
		switch how {
		case "gzip":
			zw := gzip.NewWriter(out)
			s.close, out = append(s.close, zw.Close), zw
		case "zstd":
			zw, err := zstd.NewWriter(out)
			require.NoError(tb, err)
			s.close, out = append(s.close, zw.Close), zw
		}
		if how == "parquet" {
			pw := recordfile.NewParquetWriter(out)
			s.rw, s.close = pw, append([]func() error{pw.Close}, s.close...)
		} else {
			jw := prime.NewRecordWriter(out)
			s.rw, s.close = jw, append([]func() error{jw.Flush}, s.close...)
		}
		sinks = append(sinks, s)
		return s
	}
	kinds := []struct{ name, how, ext string }{
		{"jsonl", "plain", "jsonl"}, {"jsonl.gz", "gzip", "jsonl.gz"}, {"jsonl.zst", "zstd", "jsonl.zst"}, {"parquet", "parquet", "parquet"},
	}
	whole := map[string]*sink{}
	split := map[string][]*sink{}
	for _, k := range kinds {
		name := "records." + k.ext
		whole[k.name] = open(name, k.how)
		w.paths[k.name] = []string{filepath.Join(dir, name)}
		for p := range parts {
			split[k.name] = append(split[k.name], open(fmt.Sprintf("%s-parts/part-%05d.%s", k.name, p, k.ext), k.how))
		}
		w.paths[k.name+" in 8 parts"] = []string{filepath.Join(dir, k.name+"-parts")}
	}
	var all []prime.Record // of a class, to split into parts
	flush := func() {
		for _, k := range kinds {
			for p, s := range split[k.name] {
				for i := p * len(all) / parts; i < (p+1)*len(all)/parts; i++ {
					require.NoError(tb, s.rw.Write(&all[i]))
				}
			}
		}
		all = all[:0]
	}
	var label string
	_, err := synth.Generate(cfg, func(r *prime.Record) error {
		w.records++
		if r.Label != label {
			flush()
			label = r.Label
		}
		c := *r
		c.Tags = append([]string(nil), r.Tags...)
		all = append(all, c)
		for _, k := range kinds {
			if err := whole[k.name].rw.Write(r); err != nil {
				return err
			}
		}
		return nil
	})
	require.NoError(tb, err)
	flush()
	for _, s := range sinks {
		for _, c := range s.close {
			require.NoError(tb, c())
		}
		require.NoError(tb, s.buf.Flush())
		require.NoError(tb, s.file.Close())
	}
	st, err := os.Stat(w.paths["jsonl"][0])
	require.NoError(tb, err)
	w.jsonBytes = st.Size()
	return w
}

// BenchmarkRead reads prime synth's ImageNet-scale workload (1000 classes
// of 1300 records, 17.7 million tags, 282 MB of JSON Lines) into a Dataset
// from every format and layout ReadDataset reads, and reports records per
// second and the JSON Lines text's MB per second, of wall time and of
// processor time (cpu-s: all cores).
//
//	go test ./recordfile -run '^$' -bench Read -benchtime 5x
func BenchmarkRead(b *testing.B) {
	w := writeWorkload(b, b.TempDir(), synth.Config{Classes: 1000, MinRecords: 1300, Seed: 1})
	for _, name := range []string{"parquet", "parquet in 8 parts", "jsonl", "jsonl in 8 parts", "jsonl.gz", "jsonl.gz in 8 parts", "jsonl.zst", "jsonl.zst in 8 parts"} {
		b.Run(name, func(b *testing.B) {
			var wall, cpu time.Duration
			for b.Loop() {
				start, cpu0 := time.Now(), cputime.Process()
				d, err := recordfile.ReadDataset(context.Background(), w.paths[name], nil)
				wall += time.Since(start)
				cpu += cputime.Process() - cpu0
				require.NoError(b, err)
				require.Equal(b, w.records, d.Len())
			}
			n := float64(b.N)
			b.ReportMetric(float64(w.records)*n/wall.Seconds()/1e6, "Mrecords/s")
			b.ReportMetric(float64(w.jsonBytes)*n/wall.Seconds()/1e6, "MB/s")
			if cpu > 0 {
				b.ReportMetric(float64(w.records)*n/cpu.Seconds()/1e6, "Mrecords/cpu-s")
				b.ReportMetric(float64(w.jsonBytes)*n/cpu.Seconds()/1e6, "MB/cpu-s")
			}
		})
	}
}
