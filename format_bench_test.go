package prime_test

import (
	"bytes"
	"math/rand/v2"
	"testing"

	"github.com/failmodes/prime/internal/synth"
)

// BenchmarkWriteFormats writes the report of an ImageNet-scale run
// (1000 classes, 3000 modes) in each format.
func BenchmarkWriteFormats(b *testing.B) {
	r := synth.Report(1000, 3000, rand.New(rand.NewPCG(1, 2)))
	formats := []struct {
		name  string
		write func(*bytes.Buffer) error
	}{
		{"text", func(w *bytes.Buffer) error { return r.WriteText(w) }},
		{"markdown", func(w *bytes.Buffer) error { return r.WriteMarkdown(w) }},
		{"json", func(w *bytes.Buffer) error { return r.WriteJSON(w) }},
		{"jsonl", func(w *bytes.Buffer) error { return r.WriteJSONL(w) }},
	}
	for _, f := range formats {
		b.Run(f.name, func(b *testing.B) {
			var buf bytes.Buffer
			for b.Loop() {
				buf.Reset()
				if err := f.write(&buf); err != nil {
					b.Fatal(err)
				}
			}
			b.SetBytes(int64(buf.Len()))
		})
	}
}
