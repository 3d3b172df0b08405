package synth

import (
	"io"
	"testing"

	"github.com/failmodes/prime"
)

// countWriter counts the bytes written to it.
type countWriter struct{ n int64 }

func (w *countWriter) Write(p []byte) (int, error) {
	w.n += int64(len(p))
	return len(p), nil
}

// BenchmarkGenerate measures generating records files and writing them as
// JSON Lines (to a sink), in bytes of JSON per second. "imagenet" is the
// ImageNet-scale workload: 1000 classes x 1300 records, RAM's 4,585 tags,
// 10 to 25 tags per record.
func BenchmarkGenerate(b *testing.B) {
	cases := []struct {
		name string
		cfg  Config
	}{
		{"small", Config{Classes: 20, MinRecords: 400}},
		{"tags=5", Config{Classes: 100, MinRecords: 1300, MinTags: 5, MaxTags: 5}},
		{"classes=100", Config{Classes: 100, MinRecords: 1300}},
		{"imagenet", Config{Classes: 1000, MinRecords: 1300}},
	}
	for _, c := range cases {
		b.Run(c.name, func(b *testing.B) {
			var size int64
			for b.Loop() {
				cw := &countWriter{}
				w := prime.NewRecordWriter(cw)
				if _, err := Generate(c.cfg, w.Write); err != nil {
					b.Fatal(err)
				}
				if err := w.Flush(); err != nil {
					b.Fatal(err)
				}
				size = cw.n
			}
			b.SetBytes(size)
			b.ReportMetric(float64(size)/1e6, "MB/file")
		})
	}
}

// BenchmarkGenerateOnly measures drawing the records without writing them.
func BenchmarkGenerateOnly(b *testing.B) {
	cfg := Config{Classes: 100, MinRecords: 1300}
	for b.Loop() {
		if _, err := Generate(cfg, func(*prime.Record) error { return nil }); err != nil {
			b.Fatal(err)
		}
	}
}

var _ io.Writer = (*countWriter)(nil)
